//! Telling a typed Enter from a pasted newline when the terminal has no bracketed paste (it
//! sends a pasted newline as Enter). An Enter that would send is a newline when it arrives in
//! one burst with other input: after other input in the same read, less than [`BURST_GAP`]
//! after the loop was ready again after the input before (so a loop slowed by a big edit does
//! not split a paste), or followed by more within [`ENTER_HOLD`] (for which it is held).
//! So a paste never sends a prompt, not even at its last newline: the user's own Enter does.
//! A burst's characters typed into the prompt go in as one paste ([`RUN_AS_PASTE`]), so a long
//! paste costs one edit rather than one per character.

use super::Msg;
use crossterm::event::KeyEvent;
use std::time::{Duration, Instant};

/// Input this close after other input is part of the same burst (a paste arriving in pieces).
pub(crate) const BURST_GAP: Duration = Duration::from_millis(3);

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
}

/// Where the input of one batch lies.
pub(crate) struct Burst {
    /// Where the batch's first and last input are.
    pub(crate) first: Option<usize>,
    pub(crate) last: Option<usize>,
    /// The batch came right after the input before (within [`BURST_GAP`]).
    pub(crate) follows_input: bool,
    /// The batch came within [`ENTER_HOLD`] of the input before: more of a paste the batch
    /// before ended in, when it did (nobody types on that fast after a paste; a busy machine
    /// may keep the loop from the rest of a paste for longer than [`BURST_GAP`]).
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
            follows_input: self
                .last_input_at
                .is_some_and(|at| now.saturating_duration_since(at) < BURST_GAP),
            soon_after_input: self
                .last_input_at
                .is_some_and(|at| now.saturating_duration_since(at) < ENTER_HOLD),
            now,
        };
        if burst.first.is_some() {
            self.last_input_at = Some(now);
        }
        let released = match self.held.take() {
            Some(_) if burst.first.is_some() => Some(newline()),
            Some((enter, at)) if now >= at + ENTER_HOLD => Some(Msg::Key(enter)),
            held => {
                self.held = held;
                None
            }
        };
        (burst, released)
    }

    /// The batch begun with input is handled and drawn: input that comes within [`BURST_GAP`]
    /// of now belongs to the same burst.
    pub(crate) fn ready(&mut self, now: Instant) {
        if self.last_input_at.is_some() {
            self.last_input_at = Some(now);
        }
    }

    /// An Enter that would send, at `index` of the batch: a newline inside a burst, else held
    /// (`None`).
    pub(crate) fn enter(&mut self, burst: &Burst, index: usize, key: KeyEvent) -> Option<Msg> {
        if burst.holds(index) {
            return Some(newline());
        }
        self.held = Some((key, burst.now));
        None
    }
}

impl Burst {
    /// Whether input at `index` of the batch is inside the burst: an Enter there is a pasted
    /// newline.
    pub(crate) fn holds(&self, index: usize) -> bool {
        self.first.is_some_and(|first| first < index)
            || (Some(index) == self.first && self.follows_input)
            || self.last.is_some_and(|last| index < last)
    }
}
