//! Programs that take the terminal for a while: the prompt in `$VISUAL` / `$EDITOR`, and a
//! tool call read whole in `$PAGER`. The text goes to a private temporary file (0600), the
//! program runs through `sh -c` (so `EDITOR="code --wait"` works) without the AWS secrets in
//! its environment, the edited prompt is read back (capped), and the file is removed.

use ratatui::Terminal;
use ratatui::backend::Backend;
use std::io::Write;

/// Hands the terminal to the editor with the draft and takes it back: the edited text, or why
/// not (the loop's `Msg::DraftEdited` puts it in the prompt; an answer in flight goes on
/// meanwhile).
pub(crate) async fn edit_prompt<B: Backend>(
    terminal: &mut Terminal<B>,
    draft: &str,
) -> Result<Result<String, String>, B::Error> {
    hand_terminal(terminal, "an editor", edit(draft)).await
}

/// Hands the terminal to the pager with a tool call's whole text; `Ok` when it was shown (the
/// pager ended without an error), else why not.
pub(crate) async fn view_in_pager<B: Backend>(
    terminal: &mut Terminal<B>,
    text: &str,
) -> Result<Result<(), String>, B::Error> {
    hand_terminal(terminal, "a pager", show(text)).await
}

/// Leaves the terminal to `program` (`an editor`, `a pager`) while `run` runs, then takes it
/// back; what `run` gave, or why the terminal could not be handed or taken back.
async fn hand_terminal<B: Backend, T>(
    terminal: &mut Terminal<B>,
    program: &str,
    run: impl std::future::Future<Output = Result<T, String>>,
) -> Result<Result<T, String>, B::Error> {
    if !crate::tui::active() {
        return Ok(Err(format!("no terminal to hand to {program}")));
    }
    crate::tui::suspend();
    let outcome = run.await;
    let resumed = crate::tui::resume();
    // The screen was cleared on the way back; a blank frame makes the next one draw every
    // cell (`Terminal::clear` would ask the terminal for the cursor position, racing the
    // input reader that starts again).
    terminal.draw(|frame| frame.render_widget(ratatui::widgets::Clear, frame.area()))?;
    Ok(match resumed {
        Err(e) => Err(format!("cannot take the terminal back: {e}")),
        Ok(()) => outcome,
    })
}

/// Shows `text` in `$PAGER` (else `less`), from a private temporary file.
async fn show(text: &str) -> Result<(), String> {
    let path = private_temp("tool-call", "txt", text)?;
    let pager = std::env::var("PAGER")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "less".to_string());
    let result = run_program(&pager, "pager", &path).await;
    let _ = std::fs::remove_file(&path);
    result
}

/// `text` in a new private (0600) file in the temporary directory; its path.
fn private_temp(what: &str, extension: &str, text: &str) -> Result<std::path::PathBuf, String> {
    let path = std::env::temp_dir().join(format!(
        "bedrock-tui-{what}-{}-{:08x}.{extension}",
        std::process::id(),
        fastrand::u32(..)
    ));
    crate::files::create_private(&path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

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
    let path = private_temp("prompt", "md", text)?;
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
    run_program(&editor_command(), "editor", path)
        .await
        .map_err(|e| format!("{e}; the prompt is unchanged"))
}

/// Runs `program "$1"` through `sh -c` on `path`, without the AWS secrets, and waits for it.
async fn run_program(program: &str, what: &str, path: &std::path::Path) -> Result<(), String> {
    let mut command = std::process::Command::new("sh");
    command
        .arg("-c")
        .arg(format!("{program} \"$1\""))
        .arg(format!("bedrock-tui-{what}"))
        .arg(path);
    crate::child::without_secrets(&mut command);
    let status = tokio::process::Command::from(command)
        .status()
        .await
        .map_err(|e| format!("cannot start the {what} ({program}): {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the {what} ({program}) exited with {status}"))
    }
}
