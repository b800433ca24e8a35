//! Lines the commands write to stdout and stderr: on a terminal, text goes through the one
//! sanitizer and JSON has its C1 and bidi controls escaped; into a pipe, both go as they are.
//! A closed pipe (`| head`) ends the output quietly.

use crate::text::{json_for_terminal, sanitize_for_terminal};
use std::io::{IsTerminal, Write};

/// Writes a line of text to stdout.
pub(crate) fn out_line(line: &str) {
    let stdout = std::io::stdout();
    let shown = if stdout.is_terminal() {
        sanitize_for_terminal(line)
    } else {
        line.into()
    };
    let _ = writeln!(stdout.lock(), "{shown}");
}

/// Writes text to stdout as it is (no newline added).
pub(crate) fn out_text(text: &str) {
    let stdout = std::io::stdout();
    let shown = if stdout.is_terminal() {
        sanitize_for_terminal(text)
    } else {
        text.into()
    };
    let _ = stdout.lock().write_all(shown.as_bytes());
}

/// Writes JSON to stdout, ending with a newline.
pub(crate) fn out_json(json: &str) {
    let stdout = std::io::stdout();
    let shown = if stdout.is_terminal() {
        json_for_terminal(json)
    } else {
        json.into()
    };
    let newline = if shown.ends_with('\n') { "" } else { "\n" };
    let _ = write!(stdout.lock(), "{shown}{newline}");
}

/// Writes a line to stderr, always sanitized: stderr carries messages, never data.
pub(crate) fn err_line(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{}", sanitize_for_terminal(line));
}
