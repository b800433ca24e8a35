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
    /// Standard output was closed by its reader (`| head`): told once, so the request stops.
    closed: Option<std::sync::Arc<tokio::sync::Notify>>,
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
            closed: None,
        }
    }

    /// Tells `closed` when a write finds standard output closed by its reader.
    pub(super) fn on_close(&mut self, closed: std::sync::Arc<tokio::sync::Notify>) {
        self.closed = Some(closed);
    }

    fn written(&mut self, result: std::io::Result<()>) {
        if let Err(e) = result
            && e.kind() == std::io::ErrorKind::BrokenPipe
            && let Some(closed) = &self.closed
        {
            closed.notify_one();
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
        // A closed stdout (a pipe to `head`) is no error to print: the request just stops.
        let result = lock.write_all(&self.pending).and_then(|()| lock.flush());
        drop(lock);
        self.pending.clear();
        self.written(result);
    }

    /// Writes a line of text (sanitized on a terminal).
    pub(super) fn line(&mut self, line: &str) {
        let shown = if self.terminal {
            sanitize_for_terminal(line)
        } else {
            line.into()
        };
        self.write_line(&shown);
    }

    /// Writes one JSON document as a line (C1 and bidi controls escaped on a terminal).
    pub(super) fn json(&mut self, json: &str) {
        let shown = if self.terminal {
            crate::text::json_for_terminal(json)
        } else {
            json.into()
        };
        self.write_line(&shown);
    }

    fn write_line(&mut self, line: &str) {
        self.flush();
        let mut lock = self.stdout.lock();
        let result = writeln!(lock, "{line}").and_then(|()| lock.flush());
        drop(lock);
        self.written(result);
    }

    /// Ends the answer with a newline, so the shell's prompt (or an error) starts on its own
    /// line; the text before it is flushed first, so stdout and stderr never interleave.
    pub(super) fn end_line(&mut self) {
        self.flush();
        if self.wrote && !self.ends_with_newline {
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
