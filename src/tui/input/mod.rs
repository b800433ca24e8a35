//! The chat's terminal input. On Unix a thread of ours reads the terminal (stdin when it is
//! one, else `/dev/tty`) whenever it has input, until none is left, so a long paste arrives
//! whole; [`decode::Decoder`] turns the bytes into crossterm events, including the key forms
//! crossterm's own parser drops (xterm's `CSI 27;2;13~` Shift+Enter). Window size changes come
//! from SIGWINCH. The reader stops reading while another program has the terminal
//! ([`pause`] / [`resume`]) and ends when its stream is dropped.

mod decode;
mod meaning;

pub(crate) use decode::Decoder;
#[cfg(test)]
mod tests;

use crossterm::event::Event;
use std::time::Duration;

/// Input events waiting for the loop before the reader waits (a paste is one event).
const INPUT_QUEUE: usize = 1024;

/// How long a bracketed paste waits for its end marker after the last input before it is
/// delivered as it is (a terminal that never ends it must not swallow all later typing).
pub(crate) const PASTE_SILENCE: Duration = Duration::from_secs(2);

/// Input read before the reader started (while the terminal was asked what it draws pictures
/// with): decoded first, so keys typed at start are not lost.
static READ_AHEAD: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

/// Keeps input read before the reader starts, for the reader to decode first.
pub(crate) fn read_ahead(bytes: &[u8]) {
    READ_AHEAD
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .extend_from_slice(bytes);
}

/// The input read ahead, taken.
fn take_read_ahead() -> Vec<u8> {
    std::mem::take(
        &mut *READ_AHEAD
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    )
}

/// A timeout for `poll`.
#[cfg(unix)]
pub(crate) fn timespec(duration: Duration) -> rustix::event::Timespec {
    rustix::event::Timespec {
        tv_sec: i64::try_from(duration.as_secs()).unwrap_or(i64::MAX),
        tv_nsec: i64::from(duration.subsec_nanos()),
    }
}

#[cfg(unix)]
mod reader;
#[cfg(unix)]
pub(crate) use reader::{pause, resume, terminal_events};

#[cfg(not(unix))]
mod portable;
#[cfg(not(unix))]
pub(crate) use portable::{pause, resume, terminal_events};

/// The stream of terminal events the chat loop polls; it ends after the first read error (the
/// terminal went away).
pub(crate) struct TerminalEvents {
    events: tokio::sync::mpsc::Receiver<std::io::Result<Event>>,
    /// Stops the reader when the stream is dropped.
    _reader: Box<dyn std::any::Any + Send>,
}

impl futures_util::Stream for TerminalEvents {
    type Item = std::io::Result<Event>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.events.poll_recv(cx)
    }
}
