//! The built-in tools, off until config.toml names them: `read_file` (a regular file as text,
//! at most 1 MiB, never this process's own files under `/proc`, another process's environment
//! or memory, or the AWS stores of credentials), `list_directory` (names, kinds and sizes, at most 1,000 entries) and
//! `run_shell` (`sh -c`, see [`super::shell`]; it always asks first).

use crate::models::tool_use::ToolSpec;
use serde_json::{Value, json};
use std::path::PathBuf;

/// The largest file `read_file` reads.
const READ_CAP: u64 = 1 << 20;
/// The most entries `list_directory` lists.
const LIST_CAP: usize = 1000;

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
            Kind::RunShell => super::shell::run_shell(&argument("command")?).await,
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
    let file = crate::files::open_to_read(path).map_err(cannot)?;
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
