//! The processes of stdio MCP servers. Each is started in a process group of its own, without
//! the AWS secrets in its environment, and stopped with everything in its group: when its
//! server is dropped (SIGTERM, then SIGKILL after [`GRACE`]), and when bedrock-tui exits
//! ([`stop_all`]), so a server that does not exit when its input ends never outlives it.

use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a server has to exit after SIGTERM before its group is killed.
pub const GRACE: Duration = Duration::from_millis(500);

/// The process groups of servers not yet known to be stopped.
static GROUPS: Mutex<Vec<i32>> = Mutex::new(Vec::new());

/// A server's process, stopped with its group when dropped.
pub(super) struct ServerProcess {
    child: Mutex<Option<Child>>,
    group: i32,
}

/// The pipes of a started server.
pub(super) struct Pipes {
    pub stdin: tokio::process::ChildStdin,
    pub stdout: tokio::process::ChildStdout,
    pub stderr: Option<tokio::process::ChildStderr>,
}

impl ServerProcess {
    /// Starts `command` in a group of its own with its three pipes; its environment is as the
    /// caller set it (without the shell's secrets, with what the config gives).
    pub(super) fn spawn(mut command: Command) -> std::io::Result<(ServerProcess, Pipes)> {
        use std::os::unix::process::CommandExt;
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        let mut child = command.spawn()?;
        let group = i32::try_from(child.id()).unwrap_or(0);
        if let Ok(mut groups) = GROUPS.lock() {
            groups.push(group);
        }
        let pipes = (|| {
            let missing = || std::io::Error::other("a pipe of the server is missing");
            Ok::<_, std::io::Error>(Pipes {
                stdin: tokio::process::ChildStdin::from_std(
                    child.stdin.take().ok_or_else(missing)?,
                )?,
                stdout: tokio::process::ChildStdout::from_std(
                    child.stdout.take().ok_or_else(missing)?,
                )?,
                stderr: child
                    .stderr
                    .take()
                    .and_then(|e| tokio::process::ChildStderr::from_std(e).ok()),
            })
        })();
        let process = ServerProcess {
            child: Mutex::new(Some(child)),
            group,
        };
        // On a failure here, the process is dropped: stopped.
        Ok((process, pipes?))
    }
}

impl ServerProcess {
    /// Whether the server's process has exited.
    pub(super) fn exited(&self) -> bool {
        self.child.lock().is_ok_and(|mut child| {
            child
                .as_mut()
                .is_none_or(|c| matches!(c.try_wait(), Ok(Some(_))))
        })
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let taken = self.child.lock().ok().and_then(|mut c| c.take());
        let Some(mut child) = taken else {
            return;
        };
        let group = self.group;
        signal(group, rustix::process::Signal::TERM);
        // The leader stays unreaped until the group is killed, so its number cannot be taken
        // by another process meanwhile.
        let stop = move || {
            let deadline = Instant::now() + GRACE;
            while Instant::now() < deadline {
                if matches!(child.try_wait(), Ok(Some(_))) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            signal(group, rustix::process::Signal::KILL);
            let _ = child.wait();
            forget(group);
        };
        if std::thread::Builder::new()
            .name("mcp-stop".into())
            .spawn(stop)
            .is_err()
        {
            signal(group, rustix::process::Signal::KILL);
            forget(group);
        }
    }
}

fn signal(group: i32, signal: rustix::process::Signal) {
    if let Some(pid) = rustix::process::Pid::from_raw(group) {
        let _ = rustix::process::kill_process_group(pid, signal);
    }
}

fn forget(group: i32) {
    if let Ok(mut groups) = GROUPS.lock() {
        groups.retain(|g| *g != group);
    }
}

/// Stops every server still running and what it started: SIGTERM to each group, then SIGKILL
/// after [`GRACE`] at most. Called as bedrock-tui exits.
pub fn stop_all() {
    let groups = GROUPS.lock().map(|g| g.clone()).unwrap_or_default();
    if groups.is_empty() {
        return;
    }
    for group in &groups {
        signal(*group, rustix::process::Signal::TERM);
    }
    let deadline = Instant::now() + GRACE;
    let alive = |group: i32| {
        rustix::process::Pid::from_raw(group)
            .is_some_and(|pid| rustix::process::test_kill_process_group(pid).is_ok())
    };
    while Instant::now() < deadline && groups.iter().any(|g| alive(*g)) {
        std::thread::sleep(Duration::from_millis(10));
    }
    for group in groups {
        signal(group, rustix::process::Signal::KILL);
        forget(group);
    }
}
