//! Start-up: the time from starting `bedrock-tui` in a terminal (a pseudo-terminal from
//! `script`) to its first frame on screen, with no AWS credentials (the built-in emulator) and
//! with credentials pointing at an IMDS that does not answer. Credentials are resolved in the
//! background, so neither should delay the first frame. Medians of 10 starts each; the time
//! includes `script` and an `stty` that sizes the pseudo-terminal.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_bedrock-tui");
const RUNS: usize = 10;

/// Starts the chat under `script` and returns the time until the status bar is drawn.
fn first_frame(env: &[(&str, &str)]) -> Option<Duration> {
    let home = std::env::temp_dir().join(format!("bedrock-tui-startup-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&home);
    let started = Instant::now();
    let mut child = Command::new("script")
        // The pseudo-terminal starts at 0x0: give it a size first (a millisecond or two).
        .args([
            "-qfec",
            &format!("stty rows 40 cols 120; exec '{BIN}' --no-save"),
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
                if text.contains("CONNECTING") || text.contains("IDLE") {
                    break Some(started.elapsed());
                }
            }
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    found
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
}
