//! The prompt in `$VISUAL` / `$EDITOR`: written to a private temporary file (0600), the editor
//! run through `sh -c` (so `EDITOR="code --wait"` works) without the AWS secrets in its
//! environment, the file read back (capped) and removed.

use std::io::Write;

/// The editor to run: `$VISUAL`, else `$EDITOR`, else `vi`.
fn editor_command() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "vi".to_string())
}

/// The longest text read back from the editor.
const EDITED_CAP: u64 = 64 << 20;

/// Lets the user edit `text` in their editor; the edited text, or why not.
pub(crate) async fn edit(text: &str) -> Result<String, String> {
    let path = std::env::temp_dir().join(format!(
        "bedrock-tui-prompt-{}-{:08x}.md",
        std::process::id(),
        fastrand::u32(..)
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options
        .open(&path)
        .and_then(|mut file| file.write_all(text.as_bytes()));
    if let Err(e) = written {
        return Err(format!("cannot write {}: {e}", path.display()));
    }
    let result = run_editor(&path).await;
    let read = result.and_then(|()| {
        crate::files::read_capped_text(&path, EDITED_CAP)
            .map_err(|e| format!("cannot read back {}: {e}", path.display()))
    });
    let _ = std::fs::remove_file(&path);
    // Editors end the file with a newline the prompt did not have.
    read.map(|mut edited| {
        if edited.ends_with('\n') && !text.ends_with('\n') {
            edited.pop();
        }
        edited
    })
}

async fn run_editor(path: &std::path::Path) -> Result<(), String> {
    let editor = editor_command();
    let mut command = std::process::Command::new("sh");
    command
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("bedrock-tui-editor")
        .arg(path);
    crate::child::without_secrets(&mut command);
    let status = tokio::process::Command::from(command)
        .status()
        .await
        .map_err(|e| format!("cannot start the editor ({editor}): {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "the editor ({editor}) exited with {status}; the prompt is unchanged"
        ))
    }
}
