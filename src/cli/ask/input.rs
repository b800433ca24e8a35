//! Where `ask` reads its prompt and a verbatim `--body` from: the argument, piped standard
//! input, or a file.

use super::UsageError;
use crate::cli::AskArgs;
use std::io::{IsTerminal, Read};

/// The prompt: the argument, then what is piped on standard input after a blank line (as
/// `cat log | llm "explain this"` does); either alone is the prompt.
pub(super) fn read_prompt(args: &AskArgs) -> Result<String, UsageError> {
    let stdin_is_a_file = args.attach.iter().any(|p| p.as_os_str() == "-");
    if stdin_is_a_file {
        // Standard input is the attached file; the prompt is the argument (or none).
        return Ok(args.prompt.clone().unwrap_or_default());
    }
    let piped = if stdin_is_piped() {
        let mut text = String::new();
        std::io::stdin()
            .lock()
            .read_to_string(&mut text)
            .map_err(|e| UsageError(format!("cannot read the prompt from standard input: {e}")))?;
        Some(text).filter(|t| !t.trim().is_empty())
    } else {
        None
    };
    let prompt = match (&args.prompt, piped) {
        (Some(prompt), Some(piped)) => format!("{prompt}\n\n{piped}"),
        (Some(prompt), None) => prompt.clone(),
        (None, Some(piped)) => piped,
        // Files alone make a prompt (`ask --attach photo.png`).
        (None, None) if !args.attach.is_empty() => String::new(),
        (None, None) if std::io::stdin().is_terminal() => {
            return Err(UsageError(
                "no prompt: pass it as an argument or pipe it on standard input".to_string(),
            ));
        }
        (None, None) => return Err(UsageError("the prompt is empty".to_string())),
    };
    if prompt.trim().is_empty() && args.attach.is_empty() {
        return Err(UsageError("the prompt is empty".to_string()));
    }
    Ok(prompt)
}

/// Whether standard input is a pipe or a file (not a terminal, not /dev/null, not a socket
/// left open by a parent that never writes).
fn stdin_is_piped() -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        std::fs::metadata("/dev/stdin").is_ok_and(|m| {
            let kind = m.file_type();
            kind.is_fifo() || kind.is_file()
        })
    }
    #[cfg(not(unix))]
    {
        !std::io::stdin().is_terminal()
    }
}

pub(super) fn read_body(path: &std::path::Path) -> Result<bytes::Bytes, UsageError> {
    let mut bytes = Vec::new();
    let result = if path.as_os_str() == "-" {
        std::io::stdin().lock().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes).map(|_| ()))
    };
    result.map_err(|e| UsageError(format!("cannot read --body {}: {e}", path.display())))?;
    Ok(bytes.into())
}

/// The files of `--attach`, each read once (at most one from standard input).
pub(super) fn read_attachments(
    args: &AskArgs,
) -> Result<Vec<crate::attachments::Attachment>, UsageError> {
    use crate::attachments::{ATTACHMENT_CAP, Attachment};
    if let Some(read) = &args.attached {
        return Ok(read.clone());
    }
    if args.attach.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        return Err(UsageError(
            "--attach - names standard input more than once".to_string(),
        ));
    }
    args.attach
        .iter()
        .map(|path| {
            let read = if path.as_os_str() == "-" {
                let mut bytes = Vec::new();
                std::io::stdin()
                    .lock()
                    .take(ATTACHMENT_CAP + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| format!("standard input: {e}"))
                    .and_then(|_| Attachment::from_bytes("stdin", bytes))
            } else {
                crate::attachments::read(path)
            };
            read.map_err(|e| UsageError(format!("--attach: {e}")))
        })
        .collect()
}
