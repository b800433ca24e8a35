//! Telling a typed Enter from a pasted newline when the terminal has no bracketed paste (it
//! sends a pasted newline as Enter). An Enter that would send is a newline when it is inside a
//! burst of input that holds lines: more input follows it in the same read, or within
//! [`ENTER_HOLD`] (for which it is held), or the burst already had a newline. A burst of text
//! with no newline in it followed by Enter sends, as a shell would: what a program types into
//! the terminal (`tmux send-keys`, vim-slime, a text expander, dictation) arrives that way. So a
//! multi-line paste never sends a prompt, not even at its last newline: the user's own Enter
//! does. A burst goes on while input keeps coming within [`ENTER_HOLD`] of the input before.
//! A burst's characters typed into the prompt go in as one paste ([`RUN_AS_PASTE`]), so a long
//! paste costs one edit rather than one per character.

use crate::app::Msg;
use crossterm::event::KeyEvent;
use std::time::{Duration, Instant};

/// How long an Enter that would send waits for more input before it sends. Pasted text arrives
/// at the speed of the terminal, well within this; people do not type the next key this fast.
pub(crate) const ENTER_HOLD: Duration = Duration::from_millis(40);

/// The fewest characters (with pasted newlines) arriving together that go into the prompt as
/// one paste: nobody types this many between two reads, and each edit of the prompt costs a
/// pass over its whole text (the editor wraps it anew).
pub(crate) const RUN_AS_PASTE: usize = 8;

/// What the guard remembers between batches of input.
#[derive(Debug, Default)]
pub(crate) struct EnterGuard {
    /// An Enter held to see whether more input follows, and when it came.
    held: Option<(KeyEvent, Instant)>,
    /// When the loop was ready for more after handling input.
    last_input_at: Option<Instant>,
    /// The burst under way holds a newline: its Enters are newlines, the last one too.
    lines: bool,
}

/// Where the input of one batch lies.
pub(crate) struct Burst {
    /// Where the batch's first and last input are.
    pub(crate) first: Option<usize>,
    pub(crate) last: Option<usize>,
    /// The batch came within [`ENTER_HOLD`] of the input before: more of the burst (a paste
    /// the batch before ended in goes on; nobody types on that fast after a paste).
    pub(crate) soon_after_input: bool,
    now: Instant,
}

fn newline() -> Msg {
    Msg::Paste("\n".to_string())
}

impl EnterGuard {
    /// When a held Enter is due to send.
    pub(crate) fn due(&self) -> Option<Instant> {
        self.held.map(|(_, at)| at + ENTER_HOLD)
    }

    /// Starts a batch: where its input is, and what becomes of an Enter held from before (a
    /// newline when input follows it, the Enter itself once its time is up, else still held).
    pub(crate) fn begin(&mut self, batch: &[Msg], now: Instant) -> (Burst, Option<Msg>) {
        let is_input = |m: &Msg| matches!(m, Msg::Key(_) | Msg::Paste(_));
        let burst = Burst {
            first: batch.iter().position(is_input),
            last: batch.iter().rposition(is_input),
            soon_after_input: self
                .last_input_at
                .is_some_and(|at| now.saturating_duration_since(at) < ENTER_HOLD),
            now,
        };
        if burst.first.is_some() {
            if !burst.soon_after_input {
                // A burst of its own: what came before does not make its Enters newlines.
                self.lines = false;
            }
            self.last_input_at = Some(now);
        }
        let released = match self.held.take() {
            Some(_) if burst.first.is_some() => {
                self.lines = true;
                Some(newline())
            }
            Some((enter, at)) if now >= at + ENTER_HOLD => Some(Msg::Key(enter)),
            held => {
                self.held = held;
                None
            }
        };
        (burst, released)
    }

    /// The batch begun with input is handled and drawn: input that comes within [`ENTER_HOLD`]
    /// of now belongs to the same burst.
    pub(crate) fn ready(&mut self, now: Instant) {
        if self.last_input_at.is_some() {
            self.last_input_at = Some(now);
        }
    }

    /// An Enter that would send, at `index` of the batch: a newline inside a burst of lines,
    /// else held (`None`) to see whether more input follows.
    pub(crate) fn enter(&mut self, burst: &Burst, index: usize, key: KeyEvent) -> Option<Msg> {
        if self.is_newline(burst, index) {
            self.lines = true;
            return Some(newline());
        }
        self.held = Some((key, burst.now));
        None
    }

    /// Whether an Enter at `index` of the batch is a newline of the burst: more input follows
    /// it in the batch, or the burst already holds a newline.
    pub(crate) fn is_newline(&self, burst: &Burst, index: usize) -> bool {
        self.lines || burst.last.is_some_and(|last| index < last)
    }

    /// Input that went into the prompt as text held a newline: the burst is one of lines.
    pub(crate) fn took_lines(&mut self) {
        self.lines = true;
    }
}
