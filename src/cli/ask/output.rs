//! Where `ask` writes: the answer on stdout as it arrives (sanitized on a terminal, one write
//! per network read), reasoning on stderr under `[reasoning]`.

use crate::text::sanitize_for_terminal;
use std::io::{IsTerminal, Write};

/// Where the answer goes: stdout as it arrives (sanitized on a terminal), or nothing until the
/// final JSON.
pub(super) struct Output {
    stdout: std::io::Stdout,
    terminal: bool,
    quiet: bool,
    pub(super) ends_with_newline: bool,
    pub(super) wrote: bool,
    /// Text not yet written: a stream's chunks are written together once the frames already
    /// received are decoded (one write per network read, not per chunk).
    pending: Vec<u8>,
}

impl Output {
    pub(super) fn new(json: bool) -> Self {
        let stdout = std::io::stdout();
        Output {
            terminal: stdout.is_terminal(),
            stdout,
            quiet: json,
            ends_with_newline: true,
            wrote: false,
            pending: Vec::with_capacity(8 * 1024),
        }
    }

    /// Queues text; `flush` writes it.
    pub(super) fn text(&mut self, text: &str) {
        if self.quiet || text.is_empty() {
            return;
        }
        if self.terminal {
            self.pending
                .extend_from_slice(sanitize_for_terminal(text).as_bytes());
        } else {
            self.pending.extend_from_slice(text.as_bytes());
        }
        self.ends_with_newline = text.ends_with('\n');
        self.wrote = true;
    }

    /// Writes the queued text.
    pub(super) fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut lock = self.stdout.lock();
        // A closed stdout (a pipe to `head`) is not worth an error message.
        let _ = lock.write_all(&self.pending).and_then(|()| lock.flush());
        self.pending.clear();
    }

    pub(super) fn line(&mut self, line: &str) {
        self.flush();
        let mut lock = self.stdout.lock();
        let _ = writeln!(lock, "{line}").and_then(|()| lock.flush());
    }

    /// Ends a partial line on a terminal, so the prompt (or an error) starts on its own line.
    pub(super) fn end_line(&mut self) {
        self.flush();
        if self.terminal && self.wrote && !self.ends_with_newline {
            self.line("");
            self.ends_with_newline = true;
        }
    }
}

/// Reasoning text goes to stderr, so stdout carries only the answer.
pub(super) struct ReasoningOutput {
    quiet: bool,
    open: bool,
    terminal: bool,
}

impl ReasoningOutput {
    pub(super) fn new(quiet: bool) -> Self {
        ReasoningOutput {
            quiet,
            open: false,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    pub(super) fn text(&mut self, text: &str) {
        if self.quiet || text.is_empty() {
            return;
        }
        let mut err = std::io::stderr().lock();
        if !self.open {
            let _ = write!(
                err,
                "{}",
                if self.terminal {
                    "\x1b[2m[reasoning]\n"
                } else {
                    "[reasoning]\n"
                }
            );
            self.open = true;
        }
        let shown = if self.terminal {
            sanitize_for_terminal(text)
        } else {
            text.into()
        };
        let _ = err.write_all(shown.as_bytes()).and_then(|()| err.flush());
    }

    pub(super) fn end(&mut self) {
        if self.open {
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "{}",
                if self.terminal {
                    "\x1b[0m\n[answer]\n"
                } else {
                    "\n[answer]\n"
                }
            );
            self.open = false;
        }
    }
}
