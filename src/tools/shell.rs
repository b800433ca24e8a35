//! `run_shell`: a command line run by `sh -c` in the current directory, without the AWS
//! secrets in its environment, in a process group of its own and carrying a marker of its run
//! in its environment (`BEDROCK_TUI_TOOL_RUN`), which every process it starts inherits.
//!
//! Its output is given back when the shell exits: a background process that keeps the output
//! open does not turn a finished command into a timeout. Then what the command started is
//! stopped: its process group, and (on Linux) every process of this user that still carries
//! the run's marker, which catches those that left the group (`setsid`, a double fork). Only a
//! process that both leaves the group and clears its environment is not found. A command that
//! runs out of time is stopped the same way.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The most output of a command kept (each of stdout and stderr).
pub(super) const OUTPUT_CAP: usize = 256 * 1024;

/// How long the output may stay open after the shell exited (what it started in the
/// background may still be writing): then what holds it is stopped.
const DRAIN: Duration = Duration::from_millis(200);

/// How long the output may take to end once what held it was stopped.
const LAST_WORDS: Duration = Duration::from_secs(1);

/// The variable that marks the processes of one run.
const MARKER: &str = "BEDROCK_TUI_TOOL_RUN";

/// Runs a command; its exit code and output, or why it failed (a non-zero exit is an error
/// result with the same text).
pub(super) async fn run_shell(command: &str) -> Result<String, String> {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let marker = format!(
        "{}-{}-{:016x}",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed),
        fastrand::u64(..)
    );
    let mut std_command = std::process::Command::new("sh");
    std_command
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    crate::child::without_secrets(&mut std_command);
    std_command.env(MARKER, &marker);
    {
        use std::os::unix::process::CommandExt;
        std_command.process_group(0);
    }
    let mut child = tokio::process::Command::from(std_command)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start sh: {e}"))?;
    let mut run = Run {
        group: child
            .id()
            .and_then(|id| rustix::process::Pid::from_raw(id as i32)),
        marker,
        stopped: false,
    };
    let mut out = tokio::spawn(capped(child.stdout.take()));
    let mut err = tokio::spawn(capped(child.stderr.take()));
    let status = child
        .wait()
        .await
        .map_err(|e| format!("the command was lost: {e}"))?;
    // The shell is done. What it left running may hold the output open: it is given a moment,
    // then stopped, and the output read to its end.
    let drained = tokio::time::timeout(DRAIN, async { ((&mut out).await, (&mut err).await) }).await;
    let left = run.stop();
    let (out, err) = match drained {
        Ok(both) => both,
        Err(_) => tokio::time::timeout(LAST_WORDS, async { ((&mut out).await, (&mut err).await) })
            .await
            .unwrap_or_else(|_| {
                out.abort();
                err.abort();
                (Ok(String::new()), Ok(String::new()))
            }),
    };
    let (out, err) = (out.unwrap_or_default(), err.unwrap_or_default());
    let mut text = match status.code() {
        Some(code) => format!("exit code {code}\n"),
        None => "stopped by a signal\n".to_string(),
    };
    if !out.is_empty() {
        text.push_str("--- stdout ---\n");
        text.push_str(&out);
    }
    if !err.is_empty() {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str("--- stderr ---\n");
        text.push_str(&err);
    }
    if left > 0 {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&format!(
            "[{left} process{} it left running {} stopped]\n",
            if left == 1 { "" } else { "es" },
            if left == 1 { "was" } else { "were" }
        ));
    }
    if status.success() {
        Ok(text)
    } else {
        Err(text)
    }
}

/// One run's processes: stopped when the shell exits, and when the call is dropped early (a
/// timeout, a cancel).
struct Run {
    group: Option<rustix::process::Pid>,
    marker: String,
    stopped: bool,
}

impl Run {
    /// Stops the group and every process that carries the marker; how many of the latter
    /// there were.
    fn stop(&mut self) -> usize {
        self.stopped = true;
        if let Some(group) = self.group {
            let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        }
        sweep(&self.marker)
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        if !self.stopped {
            self.stop();
        }
    }
}

/// Kills every process of this user whose environment carries the run's marker, again until a
/// pass finds none (one may fork meanwhile); how many there were.
#[cfg(target_os = "linux")]
fn sweep(marker: &str) -> usize {
    let needle = format!("{MARKER}={marker}\0");
    let me = std::process::id();
    let mut stopped = std::collections::HashSet::new();
    for _ in 0..8 {
        let mut found = false;
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return stopped.len();
        };
        for entry in entries.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            if pid == me {
                continue;
            }
            let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
                continue;
            };
            let marked = environ
                .split(|b| *b == 0)
                .any(|var| var.len() + 1 == needle.len() && needle.as_bytes().starts_with(var));
            if marked && let Some(process) = rustix::process::Pid::from_raw(pid as i32) {
                let _ = rustix::process::kill_process(process, rustix::process::Signal::KILL);
                stopped.insert(pid);
                found = true;
            }
        }
        if !found {
            break;
        }
    }
    stopped.len()
}

#[cfg(not(target_os = "linux"))]
fn sweep(_marker: &str) -> usize {
    0
}

/// Reads a pipe to its end, keeping at most [`OUTPUT_CAP`] bytes and saying how much was cut.
async fn capped(pipe: Option<impl tokio::io::AsyncRead + Unpin>) -> String {
    use tokio::io::AsyncReadExt;
    let Some(mut pipe) = pipe else {
        return String::new();
    };
    let mut kept = Vec::new();
    let mut dropped = 0usize;
    let mut buffer = vec![0u8; 8192];
    loop {
        match pipe.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = OUTPUT_CAP.saturating_sub(kept.len());
                kept.extend_from_slice(&buffer[..n.min(room)]);
                dropped += n.saturating_sub(room);
            }
        }
    }
    let mut text = String::from_utf8_lossy(&kept).into_owned();
    if dropped > 0 {
        text.push_str(&format!(
            "\n[{} more not kept]\n",
            crate::files::human_size(dropped as u64)
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn output_comes_back_when_the_shell_exits_and_what_it_left_is_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("pid");
        // A background child that keeps the output open, one that left the group, and one
        // that double-forked away from it: the answer comes at once, and none survives.
        let command = format!(
            "echo started; sleep 30 & setsid sh -c 'echo $$ > {pid}; sleep 30' >/dev/null 2>&1 & (sh -c 'sleep 30 >/dev/null 2>&1 &') ; sleep 0.2; echo done",
            pid = pidfile.display()
        );
        let started = std::time::Instant::now();
        let ran = run_shell(&command).await.unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert!(
            ran.starts_with("exit code 0\n--- stdout ---\nstarted\ndone\n"),
            "{ran}"
        );
        assert!(ran.contains("it left running were stopped"), "{ran}");
        let escaped: i32 = std::fs::read_to_string(&pidfile)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let alive = std::fs::read_to_string(format!("/proc/{escaped}/stat"))
            .is_ok_and(|stat| !stat.contains(") Z "));
        assert!(!alive, "the setsid process {escaped} outlived the call");
    }
}
