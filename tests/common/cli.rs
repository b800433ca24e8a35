//! Running the real binary as a user would: a clean environment with a private home, data
//! directory and config path, optionally pointed at an emulator on loopback.
#![allow(dead_code)]

use bedrock_tui::emulator::{Emulator, EmulatorCredentials};
use std::path::Path;
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_bedrock-tui");

/// A command with an empty environment: `home` as the home, data and config place, no AWS
/// files, no instance metadata, the built-in emulator unpaced.
pub fn bare(home: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("BEDROCK_TUI_DATA_DIR", home.join("data"))
        .env("BEDROCK_TUI_CONFIG", home.join("config.toml"))
        .env("AWS_CONFIG_FILE", home.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("BEDROCK_TUI_DEMO_TPS", "0")
        .stdin(Stdio::null());
    cmd
}

/// [`bare`] with `--demo`: the built-in emulator answers (it never does unasked, but for the
/// chat on a machine with no AWS setup at all).
pub fn demo(home: &Path) -> Command {
    let mut cmd = bare(home);
    cmd.arg("--demo");
    cmd
}

/// A command pointed at an emulator (runtime and control plane) through the standard
/// environment variables, signed with its credentials.
pub fn aimed(endpoint: &str, credentials: &EmulatorCredentials, home: &Path) -> Command {
    let mut cmd = bare(home);
    cmd.env("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", endpoint)
        .env("AWS_ENDPOINT_URL_BEDROCK", endpoint)
        .env("AWS_ACCESS_KEY_ID", &credentials.access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", &credentials.secret_access_key)
        .env(
            "AWS_SESSION_TOKEN",
            credentials.session_token.as_deref().unwrap_or(""),
        )
        .env("AWS_REGION", "us-east-1");
    cmd
}

/// [`aimed`] at `emulator`.
pub fn against(emulator: &Emulator, home: &Path) -> Command {
    aimed(&emulator.endpoint(), &emulator.config().credentials, home)
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("binary runs")
}

/// Runs the command with `input` piped on its standard input, stdout and stderr captured.
pub fn run_with_stdin(cmd: &mut Command, input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input)
        .expect("stdin takes the input");
    child.wait_with_output().expect("binary runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `bedrock-tui doctor --json` run with `cmd`, as a map of setting name → (value, source).
pub fn doctor(cmd: &mut Command) -> std::collections::BTreeMap<String, (String, String)> {
    let out = run(cmd.args(["doctor", "--json"]));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", text(&out.stdout), text(&out.stderr)));
    json["settings"]
        .as_array()
        .expect("settings")
        .iter()
        .map(|r| {
            let field = |name: &str| r[name].as_str().unwrap_or_default().to_string();
            (field("name"), (field("value"), field("source")))
        })
        .collect()
}

/// Every file under `dir`, however deep (none when it does not exist).
pub fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// The text of every file a run saved under `home`'s data directory.
pub fn saved_text(home: &Path) -> String {
    files_under(&home.join("data"))
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .collect()
}

/// Runs the command to its end; its exit status and its peak memory in bytes (the high-water
/// mark of its resident set, read from /proc while it runs: it only grows).
pub fn peak_memory(cmd: &mut Command) -> (std::process::ExitStatus, u64) {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0u64;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status_file)
            && let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak = peak.max(kb * 1024);
        }
        if let Some(status) = child.try_wait().unwrap() {
            return (status, peak);
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}
