//! The session writer: a thread that owns the open session file and appends what the chat
//! loop sends it, so that the loop never waits for the disk. Each batch is written as soon as
//! it arrives (one write per batch), so a process killed mid-stream leaves everything up to
//! the last batch on disk; the file is synced to the disk when an answer ends.

use super::Record;
use super::store::{self, Loaded, SessionFile, StoreError};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

/// What the writer is asked to do, in order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SessionCommand {
    /// Start a new session file with this title.
    Begin {
        /// From the first prompt.
        title: String,
    },
    /// Append records to the current file.
    Append(Vec<Record>),
    /// Put what was written on the disk (after an answer ends).
    Sync,
    /// The conversation is over: close the file (the next prompt begins a new one).
    Close,
}

/// News from the writer.
#[derive(Debug, Clone)]
pub(crate) enum WriterNews {
    /// A session file was created or opened.
    Opened {
        /// Its id.
        id: String,
        /// Its title.
        title: String,
        /// The file.
        path: PathBuf,
    },
    /// A session asked for with `open` was loaded (and is now the one written to).
    Loaded(Box<Result<Loaded, String>>),
    /// Writing failed; the conversation goes on unsaved from here.
    Failed(String),
}

enum Command {
    Session(SessionCommand),
    Open(PathBuf),
    Then(Job),
    Shutdown,
}

/// Work to run on the writer thread once everything queued before it is written.
pub(crate) type Job = Box<dyn FnOnce() + Send>;

/// The handle of the writer thread.
pub(crate) struct Writer {
    tx: mpsc::Sender<Command>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Writer {
    /// Starts the writer for sessions in `dir`; `current` is a session already open (resume).
    /// `news` is called from the writer thread.
    pub fn start(
        dir: PathBuf,
        current: Option<SessionFile>,
        news: impl Fn(WriterNews) + Send + 'static,
    ) -> Writer {
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("session-writer".into())
            .spawn(move || run(&dir, current, &rx, news))
            .ok();
        Writer { tx, thread }
    }

    /// Queues commands.
    pub fn send(&self, commands: Vec<SessionCommand>) {
        for command in commands {
            let _ = self.tx.send(Command::Session(command));
        }
    }

    /// Opens another session (after what was queued is written): the current file is closed
    /// once the new one is locked and loaded; if it cannot be, the current one stays.
    pub fn open(&self, path: PathBuf) {
        let _ = self.tx.send(Command::Open(path));
    }

    /// Runs `job` on the writer thread after everything queued so far is written (an export
    /// of the session being written sees all of it).
    pub fn then(&self, job: Job) {
        let _ = self.tx.send(Command::Then(job));
    }

    /// Writes everything queued and closes the file.
    pub fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let _ = self.tx.send(Command::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run(
    dir: &Path,
    mut current: Option<SessionFile>,
    rx: &mpsc::Receiver<Command>,
    news: impl Fn(WriterNews),
) {
    // After a failure the conversation's records are dropped until the next one begins, and
    // the failure is reported once.
    let mut failed = false;
    let mut report = |e: StoreError, failed: &mut bool| {
        if !*failed {
            news(WriterNews::Failed(e.to_string()));
        }
        *failed = true;
    };
    while let Ok(command) = rx.recv() {
        // Everything already queued goes out in one write.
        let mut batch = vec![command];
        batch.extend(rx.try_iter());
        let mut pending: Vec<Record> = Vec::new();
        for command in batch {
            if !matches!(command, Command::Session(SessionCommand::Append(_))) {
                flush(&mut current, &mut pending, &mut failed, &mut report);
            }
            match command {
                Command::Session(SessionCommand::Append(records)) => pending.extend(records),
                Command::Session(SessionCommand::Begin { title }) => {
                    current = None;
                    failed = false;
                    match SessionFile::create(dir, &store::new_id(), &title) {
                        Ok(file) => {
                            news(WriterNews::Opened {
                                id: file.id().to_string(),
                                title,
                                path: file.path().to_path_buf(),
                            });
                            current = Some(file);
                        }
                        Err(e) => report(e, &mut failed),
                    }
                }
                Command::Session(SessionCommand::Sync) => {
                    if let Some(file) = &current
                        && let Err(e) = file.sync()
                    {
                        report(e, &mut failed);
                    }
                }
                Command::Session(SessionCommand::Close) => current = None,
                Command::Open(path) => {
                    let opened = SessionFile::open(&path).and_then(|file| {
                        let loaded = store::load(&path)?;
                        Ok((file, loaded))
                    });
                    match opened {
                        Ok((file, loaded)) => {
                            current = Some(file);
                            failed = false;
                            news(WriterNews::Loaded(Box::new(Ok(loaded))));
                        }
                        Err(e) => news(WriterNews::Loaded(Box::new(Err(e.to_string())))),
                    }
                }
                Command::Then(job) => job(),
                Command::Shutdown => {
                    flush(&mut current, &mut pending, &mut failed, &mut report);
                    if let Some(file) = &current {
                        let _ = file.sync();
                    }
                    return;
                }
            }
        }
        flush(&mut current, &mut pending, &mut failed, &mut report);
    }
}

fn flush(
    current: &mut Option<SessionFile>,
    pending: &mut Vec<Record>,
    failed: &mut bool,
    report: &mut impl FnMut(StoreError, &mut bool),
) {
    if pending.is_empty() {
        return;
    }
    if let Some(file) = current.as_mut()
        && !*failed
        && let Err(e) = file.append(pending)
    {
        report(e, failed);
    }
    pending.clear();
}
