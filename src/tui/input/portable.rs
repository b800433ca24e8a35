//! Terminal input where there is no Unix reader: crossterm's own event stream, forwarded
//! through a channel. Pausing for another program is not supported here.

use super::{INPUT_QUEUE, TerminalEvents};

/// Does nothing: crossterm's reader goes on reading.
pub(crate) fn pause() {}

/// Does nothing (see [`pause`]).
pub(crate) fn resume() {}

/// crossterm's events through a channel (its `EventStream` keeps the first waker it is given).
pub(crate) fn terminal_events(_sequence_wait: std::time::Duration) -> TerminalEvents {
    use futures_util::StreamExt;
    let (tx, rx) = tokio::sync::mpsc::channel(INPUT_QUEUE);
    tokio::spawn(async move {
        let mut events = crossterm::event::EventStream::new();
        while let Some(event) = events.next().await {
            let failed = event.is_err();
            if tx.send(event).await.is_err() || failed {
                return;
            }
        }
    });
    TerminalEvents {
        events: rx,
        _reader: Box::new(()),
    }
}
