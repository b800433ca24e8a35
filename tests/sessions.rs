//! Saved conversations from the command line: `ask --session`, `transcripts ...`, a SIGKILL in
//! the middle of a stream, damaged files, a second writer, permissions, exports and secrets.
//! The real binary, against the emulator on loopback, with a private data directory.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use bedrock_tui::transcript::store;
use bedrock_tui::transcript::{Author, EndStatus, Transcript};
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::cli::*;

fn sessions(home: &Path) -> PathBuf {
    home.join("data/sessions")
}

fn only_session(home: &Path) -> PathBuf {
    let list = store::list(&sessions(home)).unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    list[0].path.clone()
}

fn load(path: &Path) -> store::Loaded {
    store::load(path).unwrap()
}

#[test]
fn ask_continues_a_session_with_another_model_and_transcripts_show_it() {
    let home = tempfile::tempdir().unwrap();
    let first =
        run(demo(home.path()).args(["ask", "--session", "new", "--verbose", "Name three rivers"]));
    assert!(first.status.success(), "{}", text(&first.stderr));
    let path = only_session(home.path());
    let id = path.file_stem().unwrap().to_string_lossy().into_owned();
    assert!(text(&first.stderr).contains(&format!("saved in session {id}")));
    // Without -v, the answer alone.
    let other = tempfile::tempdir().unwrap();
    let quiet = run(demo(other.path()).args(["ask", "--session", "new", "Name a lake"]));
    assert!(
        !text(&quiet.stderr).contains("saved in session"),
        "{}",
        text(&quiet.stderr)
    );

    // The second turn goes to Nova with the first turn as history, found by a prefix.
    let second = run(demo(home.path()).args([
        "ask",
        "--session",
        &id[..12],
        "--model",
        "amazon.nova-micro-v1:0",
        "--json",
        "And three lakes?",
    ]));
    assert!(second.status.success(), "{}", text(&second.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(summary["session"], id.as_str());
    let usage_with_history = summary["usage"]["input_tokens"].as_u64().unwrap();
    let alone = run(demo(home.path()).args([
        "ask",
        "--model",
        "amazon.nova-micro-v1:0",
        "--json",
        "And three lakes?",
    ]));
    let alone: serde_json::Value = serde_json::from_slice(&alone.stdout).unwrap();
    assert!(
        usage_with_history > alone["usage"]["input_tokens"].as_u64().unwrap(),
        "the history was sent"
    );

    let t = load(&path).transcript;
    assert_eq!(t.turns(), 2);
    assert_eq!(t.title, "Name three rivers");
    assert_eq!(
        t.models_used(),
        [
            "global.anthropic.claude-haiku-4-5-20251001-v1:0",
            "amazon.nova-micro-v1:0"
        ]
    );
    assert_eq!(t.model.as_deref(), Some("amazon.nova-micro-v1:0"));
    let answers: Vec<_> = t
        .entries
        .iter()
        .filter(|e| e.author == Author::Assistant)
        .collect();
    assert_eq!(answers[1].text, summary["text"].as_str().unwrap());
    assert!(
        answers
            .iter()
            .all(|a| a.end.as_ref().unwrap().status == EndStatus::Complete)
    );

    let list = run(bare(home.path()).args(["transcripts", "list"]));
    let list = text(&list.stdout);
    assert!(
        list.contains(&id) && list.contains("Claude Haiku 4.5, Nova Micro"),
        "{list}"
    );
    // A third model: the column cannot name all three, and counts the ones it leaves out.
    let third = run(demo(home.path()).args([
        "ask",
        "--session",
        "last",
        "--model",
        "amazon.nova-lite-v1:0",
        "And a sea?",
    ]));
    assert!(third.status.success(), "{}", text(&third.stderr));
    let list = text(&run(bare(home.path()).args(["transcripts", "list"])).stdout);
    assert!(list.contains("Claude Haiku 4.5 +2"), "{list}");
    let listed = run(bare(home.path()).args(["transcripts", "list", "--json"]));
    let listed: serde_json::Value =
        serde_json::from_str(text(&listed.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(listed["models"].as_array().unwrap().len(), 3, "{listed}");
    let show = run(bare(home.path()).args(["transcripts", "show", "last"]));
    let show = text(&show.stdout);
    assert!(show.starts_with("# Name three rivers"), "{show}");
    assert!(
        show.contains("## Nova Micro (`amazon.nova-micro-v1:0`)"),
        "{show}"
    );

    // A failed turn is saved with its exception and the text that arrived.
    let failed = run(demo(home.path()).args([
        "ask",
        "--session",
        "last",
        "More [[fault:throttling after=3]]",
    ]));
    assert_eq!(failed.status.code(), Some(1));
    let t = load(&path).transcript;
    let last = t.entries.last().unwrap();
    let end = last.end.as_ref().unwrap();
    assert_eq!(end.status, EndStatus::Failed);
    assert_eq!(end.error.as_ref().unwrap().name, "ThrottlingException");
    assert_eq!(
        format!("{}\n", last.text),
        text(&failed.stdout),
        "the partial answer is kept (stdout ends it with a newline)"
    );
}

/// Waits until the session file holds at least `pieces` text records after `marker`.
fn wait_for_text(home: &Path, marker: &str, pieces: usize) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(list) = store::list(&sessions(home))
            && let Some(s) = list.first()
        {
            let written = std::fs::read_to_string(&s.path).unwrap_or_default();
            let after = written.find(marker).map_or("", |at| &written[at..]);
            if after.matches(r#""kind":"text""#).count() >= pieces {
                return s.path.clone();
            }
        }
        assert!(Instant::now() < deadline, "no streamed text on disk");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn sigkill_mid_stream_leaves_every_finished_turn_and_the_partial_answer() {
    let home = tempfile::tempdir().unwrap();
    let done = run(demo(home.path()).args(["ask", "--session", "new", "A first, finished turn"]));
    assert!(done.status.success());
    // The whole answer the emulator gives the second prompt, for comparison.
    let prompt = "Now a long one [[emulator:tokens=600]]";
    let full = run(demo(home.path()).args(["ask", prompt]));
    let full = text(&full.stdout);

    let mut child = demo(home.path())
        .env("BEDROCK_TUI_DEMO_TPS", "100")
        .args(["ask", "--session", "last", prompt])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let path = wait_for_text(home.path(), "Now a long one", 8);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let loaded = load(&path);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let t = loaded.transcript;
    assert_eq!(t.turns(), 2);
    assert_eq!(
        t.entries[1].end.as_ref().unwrap().status,
        EndStatus::Complete
    );
    let cut = t.entries.last().unwrap();
    assert_eq!(cut.author, Author::Assistant);
    assert_eq!(cut.end.as_ref().unwrap().status, EndStatus::Interrupted);
    assert!(cut.text.len() > 10, "{:?}", cut.text);
    assert!(
        full.starts_with(&cut.text),
        "the partial answer is a prefix of the whole one"
    );
    assert!(cut.text.len() < full.len());

    // The session goes on, and shows the interruption.
    let next = run(demo(home.path()).args(["ask", "--session", "last", "Go on"]));
    assert!(next.status.success(), "{}", text(&next.stderr));
    assert_eq!(load(&path).transcript.turns(), 3);
    let show = text(&run(bare(home.path()).args(["transcripts", "show", "last"])).stdout);
    assert!(show.contains("Interrupted"), "{show}");
}

#[test]
fn damaged_files_load_as_far_as_valid_and_are_never_rewritten() {
    let home = tempfile::tempdir().unwrap();
    let ok = run(demo(home.path()).args(["ask", "--session", "new", "Before the damage"]));
    assert!(ok.status.success());
    let path = only_session(home.path());
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"this is not json\n");
    bytes.extend_from_slice(b"{\"kind\":\"hologram\",\"id\":9}\n");
    bytes.extend_from_slice(b"{\"kind\":\"text\",\"id\":77,\"text\":\"orphan\"}\n");
    bytes.extend_from_slice(b"{\"kind\":\"user\",\"at\":\"x\",\"id\":3,\"te");
    std::fs::write(&path, &bytes).unwrap();

    let show = run(bare(home.path()).args(["transcripts", "show", "last"]));
    assert!(show.status.success());
    let stderr = text(&show.stderr);
    for expected in [
        "line",
        "not a record",
        "unknown record kind \"hologram\"",
        "entry 77",
        "cut short",
    ] {
        assert!(stderr.contains(expected), "{expected}: {stderr}");
    }
    assert!(text(&show.stdout).contains("Before the damage"));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "reading changes nothing"
    );
    let list = text(&run(bare(home.path()).args(["transcripts", "list"])).stdout);
    assert!(list.contains("damaged"), "{list}");

    // Appending starts on a fresh line: the damage stays as it was, the new turn loads.
    let more = run(demo(home.path()).args(["ask", "--session", "last", "After the damage"]));
    assert!(more.status.success(), "{}", text(&more.stderr));
    let after = std::fs::read(&path).unwrap();
    assert!(after.starts_with(&bytes));
    assert_eq!(after[bytes.len()], b'\n');
    let loaded = load(&path);
    assert_eq!(loaded.transcript.turns(), 2);
    assert_eq!(loaded.warnings.len(), 4, "{:?}", loaded.warnings);

    // A file that is all garbage loads empty, with warnings, and is left alone.
    let junk = sessions(home.path()).join("junk.jsonl");
    std::fs::write(&junk, b"\x00\xff garbage\n").unwrap();
    let loaded = load(&junk);
    assert!(loaded.transcript.entries.is_empty());
    assert!(!loaded.warnings.is_empty());
    assert_eq!(std::fs::read(&junk).unwrap(), b"\x00\xff garbage\n");
}

#[test]
fn a_second_writer_is_refused_with_a_clear_error() {
    let home = tempfile::tempdir().unwrap();
    assert!(
        run(demo(home.path()).args(["ask", "--session", "new", "hold me"]))
            .status
            .success()
    );
    let path = only_session(home.path());
    let held = store::SessionFile::open(&path).unwrap();
    let before = std::fs::read(&path).unwrap();
    let refused = run(demo(home.path()).args(["ask", "--session", "last", "me too"]));
    assert_eq!(refused.status.code(), Some(1));
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("is open in another bedrock-tui"),
        "{stderr}"
    );
    assert!(refused.stdout.is_empty(), "nothing was sent");
    let renamed = run(bare(home.path()).args(["transcripts", "rename", "last", "x"]));
    assert_eq!(renamed.status.code(), Some(1));
    let deleted = run(bare(home.path()).args(["transcripts", "delete", "last", "--yes"]));
    assert_eq!(deleted.status.code(), Some(1));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    drop(held);
    assert!(
        run(demo(home.path()).args(["ask", "--session", "last", "now me"]))
            .status
            .success()
    );
}

#[cfg(unix)]
#[test]
fn session_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    assert!(
        run(demo(home.path()).args(["ask", "--session", "new", "private"]))
            .status
            .success()
    );
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&sessions(home.path())), 0o700);
    assert_eq!(mode(&only_session(home.path())), 0o600);
}

#[test]
fn exports_round_trip_and_keep_code_intact() {
    let home = tempfile::tempdir().unwrap();
    let code =
        "Here is code:\n\n```rust\nfn main() {\n    println!(\"*not emphasis*\");\n}\n```\n\nDone.";
    let prompt = format!("[[emulator:echo]] {code}");
    assert!(
        run(demo(home.path()).args(["ask", "--session", "new", &prompt]))
            .status
            .success()
    );
    assert!(
        run(demo(home.path()).args([
            "ask",
            "--session",
            "last",
            "-m",
            "us.meta.llama3-3-70b-instruct-v1:0",
            "thanks"
        ]))
        .status
        .success()
    );
    let path = only_session(home.path());
    let json_file = home.path().join("out/conversation.json");
    std::fs::create_dir_all(json_file.parent().unwrap()).unwrap();
    let exported = run(bare(home.path()).args([
        "transcripts",
        "export",
        "last",
        "--format",
        "json",
        "--output",
        json_file.to_str().unwrap(),
    ]));
    assert!(exported.status.success(), "{}", text(&exported.stderr));
    let back: Transcript = serde_json::from_slice(&std::fs::read(&json_file).unwrap()).unwrap();
    assert_eq!(
        serde_json::to_value(&back).unwrap(),
        serde_json::to_value(load(&path).transcript.on_screen()).unwrap(),
        "JSON export round-trips"
    );
    assert_eq!(back.entries[1].text, code);

    let md = text(
        &run(bare(home.path()).args(["transcripts", "export", "last", "--format", "md"])).stdout,
    );
    assert!(md.contains(code), "the code block is exact:\n{md}");
    assert!(md.contains("## Claude Haiku 4.5"), "{md}");
    assert!(
        md.contains("## Llama 3.3 70B Instruct (`us.meta.llama3-3-70b-instruct-v1:0`)"),
        "{md}"
    );
    // Export writes the whole file or nothing: no temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(json_file.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["conversation.json"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_a_session_or_an_export() {
    let home = tempfile::tempdir().unwrap();
    let emulator = emulator().await;
    let c = emulator.config().credentials.clone();
    let against = |cmd: &mut Command| {
        cmd.env("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", emulator.endpoint())
            .env("AWS_ACCESS_KEY_ID", &c.access_key_id)
            .env("AWS_SECRET_ACCESS_KEY", &c.secret_access_key)
            .env(
                "AWS_SESSION_TOKEN",
                c.session_token.as_deref().unwrap_or(""),
            )
            .env("AWS_REGION", "us-east-1");
    };
    let mut first = bare(home.path());
    against(&mut first);
    let out = first
        .args([
            "ask",
            "--session",
            "new",
            "hello [[fault:validation after=6]]",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    // The same with an API key instead of SigV4.
    let mut second = bare(home.path());
    second
        .env("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", emulator.endpoint())
        .env(
            "AWS_BEARER_TOKEN_BEDROCK",
            c.bearer_token.as_deref().unwrap(),
        )
        .env("AWS_REGION", "us-east-1");
    let out = second
        .args(["ask", "--session", "last", "again [[fault:none]]"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let exports = home.path().join("exports");
    std::fs::create_dir_all(&exports).unwrap();
    for format in ["md", "json"] {
        let target = exports.join(format!("x.{format}"));
        let out = run(bare(home.path()).args([
            "transcripts",
            "export",
            "last",
            "--format",
            format,
            "-o",
            target.to_str().unwrap(),
        ]));
        assert!(out.status.success());
    }
    let secrets = [
        c.secret_access_key.clone(),
        c.session_token.clone().unwrap(),
        c.bearer_token.clone().unwrap(),
        "AWS4-HMAC-SHA256".to_string(),
        "X-Amz-Security-Token".to_string(),
        "Bearer ".to_string(),
    ];
    let mut checked = 0;
    for file in common::cli::files_under(home.path()) {
        let content = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        for secret in &secrets {
            assert!(
                !content.contains(secret.as_str()),
                "{} holds {secret:?}",
                file.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 3, "the session and both exports were checked");
}

#[test]
fn times_are_stored_in_utc_and_shown_in_the_local_time_zone() {
    let home = tempfile::tempdir().unwrap();
    let made = run(demo(home.path()).args(["ask", "--session", "new", "What time is it?"]));
    assert!(made.status.success(), "{}", text(&made.stderr));
    let created = load(&only_session(home.path())).transcript.created;
    assert!(created.ends_with('Z'), "stored in UTC: {created}");
    let list = |tz: &str| {
        text(
            &run(bare(home.path())
                .env("TZ", tz)
                .args(["transcripts", "list"]))
            .stdout,
        )
    };
    let utc = list("UTC");
    let tokyo = list("Asia/Tokyo");
    assert!(utc.contains(&created[..16].replace('T', " ")), "{utc}");
    // Tokyo is nine hours ahead of UTC all year.
    let hour: u32 = created[11..13].parse().unwrap();
    let tokyo_hour = format!(" {:02}:{}", (hour + 9) % 24, &created[14..16]);
    assert!(tokyo.contains(&tokyo_hour), "{tokyo_hour} in {tokyo}");
    let export = text(
        &run(bare(home.path())
            .env("TZ", "Asia/Tokyo")
            .args(["transcripts", "show", "last"]))
        .stdout,
    );
    assert!(export.contains("JST"), "{export}");
}

#[test]
fn a_large_session_is_shown_in_memory_near_its_size() {
    let home = tempfile::tempdir().unwrap();
    let path = sessions(home.path()).join("20261201-000000-b16e.jsonl");
    // 12 answers of 4 MiB: 48 MiB of text in 4 KiB pieces.
    let size = common::big_session::write(&path, 12, 4 << 20, 4096);
    let (status, peak) = peak_memory(bare(home.path()).args(["transcripts", "show", "last"]));
    assert!(status.success());
    eprintln!(
        "a {} MiB session shown at a peak of {} MiB",
        size >> 20,
        peak >> 20
    );
    // The text once, the program and its buffers: never the file and its copies several
    // times over (it was three times the file before it was read a line at a time).
    assert!(
        peak < size + (64 << 20),
        "`transcripts show` of a {} session peaked at {}",
        size >> 20,
        peak >> 20
    );
}

#[test]
fn every_command_that_writes_ends_quietly_on_a_closed_stdout() {
    let home = tempfile::tempdir().unwrap();
    let commands: &[&[&str]] = &[
        &["completions", "bash"],
        &["completions", "zsh"],
        &["man"],
        &["config", "sample"],
        &["config", "show"],
        &["config", "themes"],
        &[
            "--demo",
            "ask",
            "--model",
            "anthropic.claude-3-haiku-20240307-v1:0",
            "hi",
        ],
        &["--demo", "models"],
        &["--demo", "doctor"],
        &["transcripts", "list"],
    ];
    for args in commands {
        // The reader is gone before the first byte is written (`| head -c0`).
        let mut child = bare(home.path())
            .args(*args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_ne!(out.status.code(), Some(101), "{args:?}: {stderr}");
    }
}

#[test]
fn an_export_to_dash_goes_to_standard_output() {
    let home = tempfile::tempdir().unwrap();
    let out = run(demo(home.path()).args([
        "ask",
        "--session",
        "new",
        "--model",
        "anthropic.claude-3-haiku-20240307-v1:0",
        "hello there",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let cwd = tempfile::tempdir().unwrap();
    let out = run(bare(home.path()).current_dir(cwd.path()).args([
        "transcripts",
        "export",
        "last",
        "--output",
        "-",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("hello there"));
    assert!(!cwd.path().join("-").exists(), "no file named -");
}
