//! The Unix reader thread: level-triggered `poll` on the terminal and a wake pipe, reads until
//! nothing is left, decodes, and forwards events; waits out a pause with a handshake so no
//! key meant for another program (the editor) is read while it runs.

use super::decode::{Decoder, Waiting};
use super::{INPUT_QUEUE, PASTE_SILENCE, TerminalEvents, take_read_ahead, timespec};
use crossterm::event::Event;
use rustix::event::{PollFd, PollFlags};
use std::io::{IsTerminal, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::Sender;

/// How long [`pause`] waits for the reader to stop reading.
const PAUSE_WAIT: Duration = Duration::from_millis(500);

/// The bytes read at once (the kernel's terminal buffer is 4 KiB; a paste comes in pieces).
const READ_SIZE: usize = 64 * 1024;

/// The reader that is running, for [`pause`] and [`resume`].
static CURRENT: Mutex<Option<Arc<Control>>> = Mutex::new(None);

/// What the chat and the reader thread tell each other.
#[derive(Debug, Default)]
struct Flags {
    /// Stop reading until resumed.
    paused: bool,
    /// The reader has stopped reading for the pause.
    parked: bool,
    /// The stream was dropped: end.
    stopped: bool,
}

struct Control {
    flags: Mutex<Flags>,
    changed: Condvar,
    /// Wakes the reader from `poll`.
    wake: std::io::PipeWriter,
}

impl Control {
    fn flags(&self) -> MutexGuard<'_, Flags> {
        self.flags.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wake(&self) {
        let _ = (&self.wake).write(&[0]);
    }

    /// Waits while paused (saying so); `false` once stopped.
    fn wait_while_paused(&self) -> bool {
        let mut flags = self.flags();
        if flags.paused {
            flags.parked = true;
            self.changed.notify_all();
            while flags.paused && !flags.stopped {
                flags = self
                    .changed
                    .wait(flags)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            flags.parked = false;
        }
        !flags.stopped
    }
}

/// Stops the reader when the event stream is dropped.
struct StopOnDrop(Arc<Control>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.flags().stopped = true;
        self.0.changed.notify_all();
        self.0.wake();
        let mut current = CURRENT.lock().unwrap_or_else(PoisonError::into_inner);
        if current.as_ref().is_some_and(|c| Arc::ptr_eq(c, &self.0)) {
            *current = None;
        }
    }
}

/// Stops reading the terminal (another program is about to have it) and waits until the
/// reader has stopped.
pub(crate) fn pause() {
    let Some(control) = CURRENT
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
    else {
        return;
    };
    let mut flags = control.flags();
    flags.paused = true;
    control.wake();
    let deadline = Instant::now() + PAUSE_WAIT;
    while !flags.parked && !flags.stopped {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            break;
        };
        flags = control
            .changed
            .wait_timeout(flags, left)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
}

/// Reads the terminal again after [`pause`].
pub(crate) fn resume() {
    if let Some(control) = CURRENT
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
    {
        control.flags().paused = false;
        control.changed.notify_all();
    }
}

/// The terminal the chat reads: stdin when it is one, else the controlling terminal.
enum Tty {
    Stdin(std::io::Stdin),
    Device(std::fs::File),
}

impl AsFd for Tty {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            Tty::Stdin(stdin) => stdin.as_fd(),
            Tty::Device(file) => file.as_fd(),
        }
    }
}

fn open_tty() -> std::io::Result<Tty> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        Ok(Tty::Stdin(stdin))
    } else {
        std::fs::File::open("/dev/tty").map(Tty::Device)
    }
}

/// Terminal events as a stream the chat loop may poll however it likes (a channel, whose
/// receiver registers the latest waker every time). Needs a tokio runtime (for SIGWINCH).
pub(crate) fn terminal_events(sequence_wait: std::time::Duration) -> TerminalEvents {
    let (tx, rx) = tokio::sync::mpsc::channel(INPUT_QUEUE);
    let started = open_tty().and_then(|tty| {
        let (wake_reader, wake) = std::io::pipe()?;
        let control = Arc::new(Control {
            flags: Mutex::new(Flags::default()),
            changed: Condvar::new(),
            wake,
        });
        let reader = Arc::clone(&control);
        let events = tx.clone();
        std::thread::Builder::new()
            .name("terminal-input".to_string())
            .spawn(move || read_terminal(&tty, wake_reader, &reader, &events, sequence_wait))?;
        forward_resizes(tx.clone(), Arc::clone(&control));
        *CURRENT.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&control));
        Ok(control)
    });
    let guard: Box<dyn std::any::Any + Send> = match started {
        Ok(control) => Box::new(StopOnDrop(control)),
        Err(e) => {
            let _ = tx.try_send(Err(e));
            Box::new(())
        }
    };
    TerminalEvents {
        events: rx,
        _reader: guard,
    }
}

/// The reader thread's loop; returns when stopped, when the terminal fails, or when nobody
/// listens any more.
fn read_terminal(
    tty: &Tty,
    mut wake: std::io::PipeReader,
    control: &Control,
    tx: &Sender<std::io::Result<Event>>,
    sequence_wait: std::time::Duration,
) {
    let mut decoder = Decoder::default();
    let mut events = Vec::new();
    let mut buffer = vec![0u8; READ_SIZE];
    // When the sequence still waiting for its end began, and when input last came.
    let mut sequence_since: Option<Instant> = None;
    let mut last_input = Instant::now();
    // Keys typed while the terminal was asked about pictures come first.
    decoder.feed(&take_read_ahead(), &mut events);
    loop {
        for event in events.drain(..) {
            if tx.blocking_send(Ok(event)).is_err() {
                return;
            }
        }
        let paused = control.flags().paused;
        if !control.wait_while_paused() {
            return;
        }
        if paused {
            // What was cut short before another program had the terminal is stale.
            decoder = Decoder::default();
            sequence_since = None;
        }
        let deadline = match decoder.waiting() {
            Waiting::Nothing => None,
            Waiting::Sequence => Some(sequence_since.unwrap_or(last_input) + sequence_wait),
            Waiting::Paste => Some(last_input + PASTE_SILENCE),
        };
        let timeout = deadline.map(|at| timespec(at.saturating_duration_since(Instant::now())));
        let mut fds = [
            PollFd::new(tty, PollFlags::IN),
            PollFd::new(&wake, PollFlags::IN),
        ];
        match rustix::event::poll(&mut fds, timeout.as_ref()) {
            // A signal (SIGWINCH): poll again.
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => {
                let _ = tx.blocking_send(Err(e.into()));
                return;
            }
            Ok(0) => {
                decoder.flush(&mut events);
                sequence_since = None;
            }
            Ok(_) if !fds[1].revents().is_empty() => {
                // Told to pause or stop: the loop's top sees which.
                let _ = wake.read(&mut [0u8; 64]);
            }
            Ok(_) => match rustix::io::read(tty, &mut buffer) {
                Ok(0) => {
                    let _ = tx.blocking_send(Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the terminal closed",
                    )));
                    return;
                }
                Ok(read) => {
                    let now = Instant::now();
                    last_input = now;
                    decoder.feed(&buffer[..read], &mut events);
                    if decoder.waiting() == Waiting::Sequence {
                        // The wait counts from the read the waiting bytes began in, so input
                        // that keeps coming does not hold a sequence open for ever.
                        if decoder.pending_len() <= read {
                            sequence_since = Some(now);
                        }
                        let since = *sequence_since.get_or_insert(now);
                        if now.duration_since(since) >= sequence_wait {
                            decoder.flush(&mut events);
                            sequence_since = None;
                        }
                    } else {
                        sequence_since = None;
                    }
                }
                Err(rustix::io::Errno::INTR | rustix::io::Errno::AGAIN) => {}
                Err(e) => {
                    let _ = tx.blocking_send(Err(e.into()));
                    return;
                }
            },
        }
    }
}

/// Sends a resize event on each SIGWINCH (none while paused: the chat redraws whole when it
/// takes the terminal back).
fn forward_resizes(tx: Sender<std::io::Result<Event>>, control: Arc<Control>) {
    tokio::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut resized) = signal(SignalKind::window_change()) else {
            return;
        };
        loop {
            tokio::select! {
                () = tx.closed() => return,
                signal = resized.recv() => {
                    if signal.is_none() {
                        return;
                    }
                    if control.flags().paused {
                        continue;
                    }
                    if let Ok((columns, rows)) = crossterm::terminal::size()
                        && tx.send(Ok(Event::Resize(columns, rows))).await.is_err()
                    {
                        return;
                    }
                }
            }
        }
    });
}
