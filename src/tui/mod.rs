//! The terminal guard: raw mode, alternate screen, bracketed paste, mouse capture and the
//! keyboard-enhancement flags that let Shift+Enter through, all undone on drop, from a chained
//! panic hook, and on SIGTERM/SIGHUP (which end the loop, so the guard drops).

pub mod graphics;
pub(crate) mod input;

pub(crate) use input::terminal_events;

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
/// Whether the chat captures the mouse (to enter the modes again after a suspension).
static MOUSE: AtomicBool = AtomicBool::new(false);

/// Puts the terminal in the chat's modes until dropped.
#[derive(Debug)]
pub(crate) struct TerminalGuard(());

impl TerminalGuard {
    /// Enters raw mode and the alternate screen; `mouse` captures the mouse for the wheel.
    pub(crate) fn enter(mouse: bool) -> std::io::Result<TerminalGuard> {
        install_panic_hook();
        MOUSE.store(mouse, Ordering::SeqCst);
        enter_modes(mouse)?;
        Ok(TerminalGuard(()))
    }
}

/// Enters the chat's modes.
fn enter_modes(mouse: bool) -> std::io::Result<()> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
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
    Ok(())
}

/// Whether the chat's terminal modes are on (a real terminal is in use).
pub(crate) fn active() -> bool {
    ACTIVE.load(Ordering::SeqCst)
}

/// Hands the terminal to another program (`$EDITOR`): input is no longer read and every mode
/// is left, as at exit. [`resume`] takes it back.
pub(crate) fn suspend() {
    input::pause();
    restore();
}

/// Takes the terminal back after [`suspend`]: the chat's modes again, input read again.
pub(crate) fn resume() -> std::io::Result<()> {
    let entered = enter_modes(MOUSE.load(Ordering::SeqCst)).and_then(|()| {
        execute!(
            stdout(),
            crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
        )
    });
    input::resume();
    entered
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
