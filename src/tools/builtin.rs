//! The built-in tools, off until config.toml names them: `read_file` (a regular file as text,
//! at most 1 MiB, never this process's own files under `/proc`, another process's environment
//! or memory, or the AWS stores of credentials), `list_directory` (names, kinds and sizes, at most 1,000 entries) and
//! `run_shell` (`sh -c`, without AWS secrets in its environment, stopped with its whole
//! process group when it runs out of time; it always asks first).

use crate::models::tools::ToolSpec;
use serde_json::{Value, json};
use std::path::PathBuf;

/// The largest file `read_file` reads.
const READ_CAP: u64 = 1 << 20;
/// The most entries `list_directory` lists.
const LIST_CAP: usize = 1000;
/// The most output of a command kept (each of stdout and stderr).
const OUTPUT_CAP: usize = 256 * 1024;

/// Which built-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    ReadFile,
    ListDirectory,
    RunShell,
}

/// A built-in tool.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Builtin {
    /// Its name.
    pub name: &'static str,
    description: &'static str,
    kind: Kind,
}

const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "read_file",
        description: "Read a text file on the user's machine and return its contents (at most 1 MiB).",
        kind: Kind::ReadFile,
    },
    Builtin {
        name: "list_directory",
        description: "List a directory on the user's machine: each entry's name (directories end in /), kind and size.",
        kind: Kind::ListDirectory,
    },
    Builtin {
        name: "run_shell",
        description: "Run a shell command (sh -c) on the user's machine, in the current directory, and return its exit code, standard output and standard error. The user approves each command.",
        kind: Kind::RunShell,
    },
];

/// The built-in of this name.
pub(super) fn find(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

impl Builtin {
    /// Its definition for the model.
    pub(super) fn spec(&self) -> ToolSpec {
        let (property, about) = match self.kind {
            Kind::ReadFile => (
                "path",
                "The file's path, absolute or relative to the current directory.",
            ),
            Kind::ListDirectory => (
                "path",
                "The directory's path, absolute or relative to the current directory.",
            ),
            Kind::RunShell => ("command", "The command line, as sh -c runs it."),
        };
        ToolSpec {
            name: self.name.to_string(),
            description: self.description.to_string(),
            input_schema: json!({
                "type": "object",
                "properties": {property: {"type": "string", "description": about}},
                "required": [property],
            }),
        }
    }

    /// Runs it: the text for the model, or why it failed.
    pub(super) async fn run(&self, arguments: &Value) -> Result<String, String> {
        let argument = |name: &str| {
            arguments
                .get(name)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .ok_or_else(|| format!("the argument {name:?} (a string) is missing"))
        };
        match self.kind {
            Kind::ReadFile => {
                let path = PathBuf::from(argument("path")?);
                blocking(move || read_file(&path)).await
            }
            Kind::ListDirectory => {
                let path = PathBuf::from(argument("path").unwrap_or_else(|_| ".".to_string()));
                blocking(move || list_directory(&path)).await
            }
            Kind::RunShell => run_shell(&argument("command")?).await,
        }
    }
}

async fn blocking(
    work: impl FnOnce() -> Result<String, String> + Send + 'static,
) -> Result<String, String> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|e| Err(format!("the tool stopped: {e}")))
}

fn read_file(path: &std::path::Path) -> Result<String, String> {
    let cannot = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(cannot)?;
    if let Some(why) = super::private::refusal(&super::private::opened_path(&file, path)) {
        return Err(why);
    }
    let bytes = crate::files::read_open_capped(file, READ_CAP).map_err(cannot)?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{} is not text ({} of bytes that are not UTF-8)",
            path.display(),
            crate::files::human_size(e.as_bytes().len() as u64)
        )
    })
}

fn list_directory(path: &std::path::Path) -> Result<String, String> {
    let entries =
        std::fs::read_dir(path).map_err(|e| format!("cannot list {}: {e}", path.display()))?;
    let mut lines = Vec::new();
    let mut more = 0usize;
    for entry in entries.flatten() {
        if lines.len() >= LIST_CAP {
            more += 1;
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let line = match entry.metadata() {
            Ok(meta) if meta.is_dir() => format!("{name}/"),
            Ok(meta) if meta.is_file() => {
                format!("{name}  {}", crate::files::human_size(meta.len()))
            }
            _ if entry.file_type().is_ok_and(|t| t.is_symlink()) => format!("{name}@"),
            _ => format!("{name}  (other)"),
        };
        lines.push(line);
    }
    lines.sort();
    if more > 0 {
        lines.push(format!("… and {more} more"));
    }
    if lines.is_empty() {
        return Ok(format!("{} is empty", path.display()));
    }
    Ok(lines.join("\n"))
}

/// Stops a command's whole process group when its call ends early (a timeout drops it).
struct GroupGuard(Option<rustix::process::Pid>);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if let Some(pid) = self.0 {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
    }
}

async fn run_shell(command: &str) -> Result<String, String> {
    let mut std_command = std::process::Command::new("sh");
    std_command
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    crate::child::without_secrets(&mut std_command);
    {
        use std::os::unix::process::CommandExt;
        std_command.process_group(0);
    }
    let mut child = tokio::process::Command::from(std_command)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start sh: {e}"))?;
    let mut guard = GroupGuard(
        child
            .id()
            .and_then(|id| rustix::process::Pid::from_raw(id as i32)),
    );
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let (out, err, status) = tokio::join!(capped(stdout), capped(stderr), child.wait());
    let status = status.map_err(|e| format!("the command was lost: {e}"))?;
    // The command ended by itself: nothing of its group is stopped now.
    guard.0 = None;
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
    if status.success() {
        Ok(text)
    } else {
        Err(text)
    }
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
    async fn the_builtins_read_list_and_run() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("notes.txt");
        std::fs::write(&file, "launch on friday\n").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let read = find("read_file").unwrap();
        assert_eq!(
            read.run(&json!({"path": file})).await.unwrap(),
            "launch on friday\n"
        );
        assert!(read.run(&json!({})).await.unwrap_err().contains("\"path\""));
        let list = find("list_directory").unwrap();
        let listing = list.run(&json!({"path": dir.path()})).await.unwrap();
        assert_eq!(listing, "notes.txt  17 B\nsub/");
        let shell = find("run_shell").unwrap();
        let ran = shell
            .run(&json!({"command": "echo out; echo err >&2; env | grep -c AWS_SECRET || true"}))
            .await
            .unwrap();
        assert!(
            ran.starts_with("exit code 0\n--- stdout ---\nout\n0\n"),
            "{ran}"
        );
        assert!(ran.contains("--- stderr ---\nerr\n"), "{ran}");
        let failed = shell.run(&json!({"command": "exit 3"})).await.unwrap_err();
        assert_eq!(failed, "exit code 3\n");
    }
}
