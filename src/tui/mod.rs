//! The terminal guard: raw mode, alternate screen, bracketed paste, mouse capture and the
//! keyboard-enhancement flags that let Shift+Enter through, all undone on drop, from a chained
//! panic hook, and on SIGTERM/SIGHUP (which end the loop, so the guard drops).

use crossterm::event::Event;
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    KeyboardEnhancementFlags, PopKeyboardEnhancementFlags, PushKeyboardEnhancementFlags,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use std::io::{Write, stdout};
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether the terminal is in the chat's modes (so restoring twice is harmless).
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Puts the terminal in the chat's modes until dropped.
#[derive(Debug)]
pub(crate) struct TerminalGuard(());

impl TerminalGuard {
    /// Enters raw mode and the alternate screen; `mouse` captures the mouse for the wheel.
    pub(crate) fn enter(mouse: bool) -> std::io::Result<TerminalGuard> {
        install_panic_hook();
        enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        let guard = TerminalGuard(());
        let mut out = stdout();
        execute!(out, EnterAlternateScreen, EnableBracketedPaste)?;
        if mouse {
            execute!(out, EnableMouseCapture)?;
        }
        // Terminals without the kitty keyboard protocol ignore this; those with it report
        // Shift+Enter and Ctrl+Shift+Z distinctly.
        execute!(
            out,
            PushKeyboardEnhancementFlags(KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES)
        )?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Leaves every mode the guard entered; does nothing when they are not active.
pub(crate) fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = stdout();
    let _ = execute!(
        out,
        PopKeyboardEnhancementFlags,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// Restores the terminal before the previous panic hook prints, so the message is readable.
fn install_panic_hook() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// Terminal events as a stream the chat loop may poll however it likes.
///
/// crossterm's `EventStream` keeps the waker of the first poll that found no input until input
/// arrives, so a poll with a throw-away waker (draining a burst with `now_or_never`) would
/// leave the loop asleep. A task owns the `EventStream` and forwards into a channel, whose
/// receiver registers the latest waker every time. The stream ends after the first read
/// error (the terminal went away).
pub(crate) fn terminal_events() -> impl futures_util::Stream<Item = std::io::Result<Event>> + Unpin
{
    use futures_util::StreamExt;
    let (tx, rx) = tokio::sync::mpsc::channel(INPUT_QUEUE);
    tokio::spawn(async move {
        let mut events = crossterm::event::EventStream::new();
        while let Some(event) = events.next().await {
            let failed = event.is_err();
            if tx.send(event).await.is_err() || failed {
                break;
            }
        }
    });
    Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|event| (event, rx))
    }))
}

/// Input events waiting for the loop before the reader pauses (a paste is one event).
const INPUT_QUEUE: usize = 1024;
