//! Start-up: the time from starting `bedrock-tui` in a terminal (a pseudo-terminal from
//! `script`) to its first frame on screen, with no AWS credentials (the built-in emulator) and
//! with credentials pointing at an IMDS that does not answer. Credentials are resolved in the
//! background, so neither should delay the first frame. Medians of 10 starts each; the time
//! includes `script` and an `stty` that sizes the pseudo-terminal.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_bedrock-tui");
const RUNS: usize = 10;

/// Starts the chat under `script` and returns the time until the status bar is drawn.
fn first_frame(env: &[(&str, &str)]) -> Option<Duration> {
    first_frame_with(env, "").map(|(time, _)| time)
}

/// `first_frame` with more arguments for the chat; also returns the chat's peak resident
/// memory (MB) a moment after the first frame, when it can be read.
fn first_frame_with(env: &[(&str, &str)], args: &str) -> Option<(Duration, Option<f64>)> {
    let home = std::env::temp_dir().join(format!("bedrock-tui-startup-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&home);
    let started = Instant::now();
    let mut child = Command::new("script")
        // The pseudo-terminal starts at 0x0: give it a size first (a millisecond or two).
        .args([
            "-qfec",
            &format!("stty rows 40 cols 120; exec '{BIN}' --no-save {args}"),
            "/dev/null",
        ])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", "xterm-256color")
        .env("HOME", &home)
        .env("AWS_CONFIG_FILE", home.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdout = child.stdout.take()?;
    let mut stdin = child.stdin.take()?;
    let mut answered = false;
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    let found = loop {
        if started.elapsed() > Duration::from_secs(10) {
            break None;
        }
        match stdout.read(&mut buffer) {
            Ok(0) | Err(_) => break None,
            Ok(n) => {
                seen.extend_from_slice(&buffer[..n]);
                let text = String::from_utf8_lossy(&seen);
                // The chat asks the terminal what it draws pictures with; this terminal, as
                // every terminal does, answers the device-attributes part (VT220, no graphics).
                if !answered && text.contains("\x1b[c") {
                    use std::io::Write;
                    let _ = stdin.write_all(b"\x1b[?62;22c");
                    let _ = stdin.flush();
                    answered = true;
                }
                if text.contains("CONNECTING") || text.contains("IDLE") {
                    break Some(started.elapsed());
                }
            }
        }
    };
    let peak = found.and_then(|_| {
        std::thread::sleep(Duration::from_millis(300));
        peak_rss_mb(child.id())
    });
    let _ = child.kill();
    let _ = child.wait();
    found.map(|time| (time, peak))
}

/// Peak resident memory (`VmHWM`) of the chat, the child of `script`'s process.
fn peak_rss_mb(script: u32) -> Option<f64> {
    let children =
        std::fs::read_to_string(format!("/proc/{script}/task/{script}/children")).ok()?;
    let chat: u32 = children.split_whitespace().next()?.parse().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{chat}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// A saved conversation of 2,000 turns and about 2 MB of markdown, as a session file.
fn big_session() -> std::path::PathBuf {
    use bedrock_tui::emulator::corpus;
    use bedrock_tui::transcript::{End, EndStatus, Record};
    let path =
        std::env::temp_dir().join(format!("bedrock-tui-startup-{}.jsonl", std::process::id()));
    let mut records = vec![Record::Session {
        version: 1,
        id: "bench".into(),
        created: "2026-01-01T00:00:00.000Z".into(),
        title: "2 MB".into(),
        app: "bench".into(),
    }];
    for turn in 0..2_000u64 {
        records.push(Record::User {
            at: "2026-01-01T00:00:00.000Z".into(),
            id: turn * 2 + 1,
            text: format!(
                "Question {turn}: how do event streams, retries and terminals fit together?"
            ),
            parent: None,
            attachments: Vec::new(),
            tool_results: Vec::new(),
        });
        records.push(Record::AssistantStart {
            at: "2026-01-01T00:00:00.000Z".into(),
            id: turn * 2 + 2,
            model: "global.anthropic.claude-haiku-4-5-20251001-v1:0".into(),
            parent: None,
        });
        records.push(Record::Text {
            id: turn * 2 + 2,
            text: corpus::answer_tokens(&format!("prompt {turn}"), 230).concat(),
        });
        records.push(Record::AssistantEnd {
            at: "2026-01-01T00:00:00.000Z".into(),
            id: turn * 2 + 2,
            end: End {
                status: EndStatus::Complete,
                ..End::default()
            },
        });
    }
    let text: String = records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap_or_default() + "\n")
        .collect();
    let _ = std::fs::write(&path, text);
    path
}

fn median(env: &[(&str, &str)]) -> Option<Duration> {
    let mut times: Vec<Duration> = (0..RUNS).filter_map(|_| first_frame(env)).collect();
    if times.len() < RUNS {
        return None;
    }
    times.sort();
    Some(times[RUNS / 2])
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    if Command::new("script").arg("--version").output().is_err() {
        println!("startup: `script` (util-linux) is not installed; skipped");
        return;
    }
    let cases: [(&str, Vec<(&str, &str)>); 2] = [
        (
            "no credentials (built-in emulator)",
            vec![("AWS_EC2_METADATA_DISABLED", "true")],
        ),
        (
            "an IMDS that never answers",
            vec![
                // A non-routable address: connections hang until the IMDS timeout.
                ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://10.255.255.1"),
                ("AWS_REGION", "us-east-1"),
            ],
        ),
    ];
    for (name, env) in cases {
        match median(&env) {
            Some(time) => println!(
                "startup, {name}: first frame after {:.1} ms (median of {RUNS}; target under 100 ms)",
                time.as_secs_f64() * 1000.0
            ),
            None => println!("startup, {name}: no frame seen"),
        }
    }
    let session = big_session();
    let size = std::fs::metadata(&session).map_or(0, |m| m.len());
    let resume = format!("--resume '{}'", session.display());
    match first_frame_with(&[("AWS_EC2_METADATA_DISABLED", "true")], &resume) {
        Some((time, peak)) => println!(
            "resuming a {:.1} MB, 2,000-turn conversation: first frame after {:.1} ms, peak memory {} (target under 60 MB)",
            size as f64 / 1e6,
            time.as_secs_f64() * 1000.0,
            peak.map_or("not readable".to_string(), |mb| format!("{mb:.1} MB"))
        ),
        None => println!("resuming a large conversation: no frame seen"),
    }
    let _ = std::fs::remove_file(session);
}
