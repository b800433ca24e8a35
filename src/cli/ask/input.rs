//! Where `ask` reads its prompt and a verbatim `--body` from: the argument, piped standard
//! input, or a file.

use super::UsageError;
use crate::cli::AskArgs;
use std::io::{IsTerminal, Read};

/// The prompt: the argument, then what is piped on standard input after a blank line (as
/// `cat log | llm "explain this"` does); either alone is the prompt.
pub(super) fn read_prompt(args: &AskArgs) -> Result<String, UsageError> {
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
        (None, None) if std::io::stdin().is_terminal() => {
            return Err(UsageError(
                "no prompt: pass it as an argument or pipe it on standard input".to_string(),
            ));
        }
        (None, None) => return Err(UsageError("the prompt is empty".to_string())),
    };
    if prompt.trim().is_empty() {
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
