//! Bad files and files in the way: session files and exports are never written through a
//! symbolic link or onto anything but a regular session file, exports are private and never
//! replaced unasked, settings files are bounded, and listing stays fast on huge or many files.

// Helpers here are test code too: a failed step should stop the test.
#![allow(clippy::unwrap_used)]

mod common;

use common::HAIKU_3;
use common::cli::{bare, demo, run, text};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn sessions(home: &Path) -> PathBuf {
    home.join("data").join("sessions")
}

/// Saves one conversation through `ask` and returns its file.
fn saved_session(home: &Path) -> PathBuf {
    let out = run(demo(home).args(["ask", "--session", "new", "-m", HAIKU_3, "hello there"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut files: Vec<PathBuf> = std::fs::read_dir(sessions(home))
        .expect("sessions directory")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), 1);
    files.remove(0)
}

#[cfg(unix)]
#[test]
fn a_session_file_that_is_a_link_or_not_a_session_is_never_appended_to() {
    let home = tempfile::tempdir().unwrap();
    let session = saved_session(home.path());
    let id = session.file_stem().unwrap().to_string_lossy().into_owned();
    let victim = home.path().join("victim.txt");
    std::fs::write(&victim, "precious\n").unwrap();
    std::fs::remove_file(&session).unwrap();
    std::os::unix::fs::symlink(&victim, &session).unwrap();
    // By id, a link is no session at all; by path, it is refused as a link.
    for args in [
        &["ask", "--session", id.as_str(), "-m", HAIKU_3, "more"][..],
        &["transcripts", "rename", id.as_str(), "t"],
    ] {
        let mut cmd = if args[0] == "ask" {
            demo(home.path())
        } else {
            bare(home.path())
        };
        let out = run(cmd.args(args));
        assert_ne!(out.status.code(), Some(0), "{args:?}");
        assert!(
            text(&out.stderr).contains("no session"),
            "{}",
            text(&out.stderr)
        );
    }
    let link = session.to_string_lossy().into_owned();
    for args in [
        vec!["ask", "--session", link.as_str(), "-m", HAIKU_3, "more"],
        vec!["transcripts", "rename", link.as_str(), "new title"],
    ] {
        let mut cmd = if args[0] == "ask" {
            demo(home.path())
        } else {
            bare(home.path())
        };
        let out = run(cmd.args(&args));
        let stderr = text(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{args:?}");
        assert!(
            stderr.contains("is not a session file: it is a symbolic link"),
            "{args:?}: {stderr}"
        );
    }
    // A regular file that is not a session, named by path.
    let path = victim.to_string_lossy().into_owned();
    let out = run(demo(home.path()).args(["ask", "--session", &path, "-m", HAIKU_3, "more"]));
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("does not start with a bedrock-tui session header"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
}

#[cfg(unix)]
#[test]
fn exports_are_private_never_through_links_and_never_replaced_unasked() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    saved_session(home.path());
    let export = |output: &Path, force: bool| {
        let output = output.to_string_lossy().into_owned();
        let mut args = vec!["transcripts", "export", "last", "--output", output.as_str()];
        if force {
            args.push("--force");
        }
        run(bare(home.path()).args(&args))
    };
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;

    let fresh = home.path().join("fresh.md");
    assert!(export(&fresh, false).status.success());
    assert_eq!(mode(&fresh), 0o600);

    // An existing file: refused off a terminal without --force, kept as it was.
    std::fs::write(&fresh, "mine").unwrap();
    let out = export(&fresh, false);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("--force"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&fresh).unwrap(), "mine");
    // With --force it is replaced, and a stricter mode stays.
    std::fs::set_permissions(&fresh, std::fs::Permissions::from_mode(0o400)).unwrap();
    assert!(export(&fresh, true).status.success());
    assert_ne!(std::fs::read_to_string(&fresh).unwrap(), "mine");
    assert_eq!(mode(&fresh), 0o400);
    let loose = home.path().join("loose.md");
    std::fs::write(&loose, "x").unwrap();
    std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert!(export(&loose, true).status.success());
    assert_eq!(mode(&loose), 0o600);

    // A link, a FIFO and a device are never replaced, even with --force.
    let target = home.path().join("target.txt");
    std::fs::write(&target, "keep").unwrap();
    let link = home.path().join("link.md");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let fifo = home.path().join("fifo.md");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for (path, says) in [(&link, "a symbolic link"), (&fifo, "a FIFO")] {
        let out = export(path, true);
        assert_eq!(out.status.code(), Some(1));
        assert!(text(&out.stderr).contains(says), "{}", text(&out.stderr));
    }
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    let out = export(Path::new("/dev/null"), true);
    assert!(
        text(&out.stderr).contains("a device"),
        "{}",
        text(&out.stderr)
    );
}

#[cfg(unix)]
#[test]
fn settings_files_are_bounded_and_regular() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(&config, "theme = \"/dev/zero\"\n").unwrap();
    let started = Instant::now();
    let out = run(bare(home.path()).args(["config", "show"]));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(out.stdout.len() < 10_000);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("/dev/zero") && stderr.contains("a device"),
        "{stderr}"
    );
    std::fs::write(&config, "#".repeat(2 << 20)).unwrap();
    let out = run(bare(home.path()).args(["config", "show"]));
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("larger than the 1.0 MiB"),
        "{}",
        text(&out.stderr)
    );
}

/// Runs `cmd` under python3 and returns its output and its peak memory in bytes (the
/// children's `ru_maxrss`).
fn run_measured(cmd: &std::process::Command) -> (std::process::Output, u64) {
    let script = "import resource, subprocess, sys\n\
r = subprocess.run(sys.argv[1:], capture_output=True)\n\
sys.stdout.buffer.write(r.stdout)\n\
sys.stderr.buffer.write(r.stderr)\n\
sys.stderr.write('\\nPEAK_KB=%d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n\
sys.exit(r.returncode)\n";
    let mut python = std::process::Command::new("python3");
    python
        .env_clear()
        .arg("-c")
        .arg(script)
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (name, value) in cmd.get_envs() {
        if let Some(value) = value {
            python.env(name, value);
        }
    }
    let mut out = python.output().expect("python3 runs");
    let stderr = text(&out.stderr);
    let (rest, peak) = stderr.rsplit_once("\nPEAK_KB=").expect("peak reported");
    let peak: u64 = peak.trim().parse().expect("a number");
    out.stderr = rest.as_bytes().to_vec();
    (out, peak * 1024)
}

#[cfg(target_os = "linux")]
#[test]
fn listing_is_fast_on_a_huge_file_and_on_many_sessions() {
    let home = tempfile::tempdir().unwrap();
    let session = saved_session(home.path());
    let header = std::fs::read_to_string(&session).unwrap();
    let dir = sessions(home.path());
    // 1,000 sessions of a few turns each.
    let body: String = header.lines().skip(1).collect::<Vec<_>>().join("\n") + "\n";
    for n in 0..1000 {
        let id = format!("20261201-000000-{n:04x}");
        let first = header.lines().next().unwrap().replace(
            &session.file_stem().unwrap().to_string_lossy().into_owned(),
            &id,
        );
        std::fs::write(
            dir.join(format!("{id}.jsonl")),
            format!("{first}\n{}", body.repeat(5)),
        )
        .unwrap();
    }
    // One 1 GiB file (sparse: a header, then zeros to the end).
    let huge = dir.join("20261201-000001-ffff.jsonl");
    std::fs::write(&huge, header.lines().next().unwrap().to_string() + "\n").unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&huge)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();

    let mut list = bare(home.path());
    list.args(["transcripts", "list"]);
    run(&mut list); // warm the page cache
    let started = Instant::now();
    let (out, peak) = run_measured(&list);
    let took = started.elapsed();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listing = text(&out.stdout);
    assert_eq!(
        listing.lines().count(),
        1 + 1001 + 1,
        "{}",
        &listing[..500.min(listing.len())]
    );
    assert!(
        listing.contains("(too large to open: 1.0 GiB)"),
        "{listing}"
    );
    eprintln!(
        "listing 1,001 sessions and a 1 GiB file: {took:?}, peak {} KiB",
        peak >> 10
    );
    // Under a second as built for use (about 50 ms); a debug build scans several times slower.
    let limit = if cfg!(debug_assertions) { 3 } else { 1 };
    assert!(took < Duration::from_secs(limit), "{took:?}");
    assert!(peak < 50 << 20, "peak {} MiB", peak >> 20);

    // Opening it is refused with the sizes.
    let out = run(bare(home.path()).args(["transcripts", "show", "20261201-000001-ffff"]));
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("is 1.0 GiB, larger than the 256.0 MiB a session may be"),
        "{}",
        text(&out.stderr)
    );
}
