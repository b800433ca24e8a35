//! Session files on disk: `sessions/<id>.jsonl` in the data directory (mode 0700), each file
//! mode 0600, appended to by one writer at a time (an exclusive lock on the file, released by
//! the system however the writer ends), and loaded as far as it is valid, with warnings for the
//! rest. Nothing here rewrites or deletes a file unless asked to.

pub use super::listing::{Summary, list, summarize};
use super::{FORMAT_VERSION, Record, Transcript, now};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// What can go wrong with session files.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No data directory is known (no home directory) and none was given.
    #[error("no data directory for sessions: set BEDROCK_TUI_DATA_DIR or HOME")]
    NoDataDir,
    /// Another bedrock-tui holds the session.
    #[error("session {id} is open in another bedrock-tui; close it there first")]
    InUse {
        /// The session id.
        id: String,
    },
    /// No session matches.
    #[error("no session {0:?} (see `bedrock-tui transcripts list`)")]
    NotFound(String),
    /// More than one session matches a prefix.
    #[error("{spec:?} matches several sessions: {matches}")]
    Ambiguous {
        /// What was asked.
        spec: String,
        /// The ids it matches.
        matches: String,
    },
    /// The path is not a session file this program wrote (a symbolic link, a device, a file
    /// without a session header); nothing is appended to it.
    #[error("{path} is not a session file: {why}")]
    NotSession {
        /// The file.
        path: String,
        /// What it is instead.
        why: String,
    },
    /// The session file is larger than a session may be.
    #[error(
        "{path} is {size}, larger than the {cap} a session may be; it is not opened (split it or start a new conversation)"
    )]
    TooLarge {
        /// The file.
        path: String,
        /// Its size.
        size: String,
        /// The limit.
        cap: String,
    },
    /// A file operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

pub(crate) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The sessions directory: `BEDROCK_TUI_DATA_DIR/sessions`, else `sessions` in the platform
/// data directory (`~/.local/share/bedrock-tui/sessions` on Linux).
pub(crate) fn sessions_dir() -> Result<PathBuf, StoreError> {
    let base = crate::config::paths::data_home().ok_or(StoreError::NoDataDir)?;
    Ok(base.join("sessions"))
}

/// Creates the directory (and its parents) with mode 0700 if it does not exist, and makes it
/// 0700 if it does.
pub(crate) fn ensure_private_dir(dir: &Path) -> Result<(), StoreError> {
    crate::files::ensure_private_dir(dir).map_err(io_error(dir))
}

/// A new session id: the UTC creation time and four random hex digits, so that ids sort by
/// age (`20261126-115203-3fa9`).
pub(crate) fn new_id() -> String {
    let stamp: String = now()
        .chars()
        .filter(char::is_ascii_digit)
        .take(14)
        .collect();
    let (date, time) = stamp.split_at(stamp.len().min(8));
    format!("{date}-{time}-{:04x}", fastrand::u16(..))
}

/// The session file of `id` in `dir`.
pub(crate) fn path_of(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.jsonl"))
}

/// A session file open for appending, locked against other writers.
#[derive(Debug)]
pub struct SessionFile {
    path: PathBuf,
    id: String,
    file: File,
}

impl SessionFile {
    /// Creates `dir/<id>.jsonl` (never an existing file) and writes its header.
    pub fn create(dir: &Path, id: &str, title: &str) -> Result<SessionFile, StoreError> {
        ensure_private_dir(dir)?;
        let path = path_of(dir, id);
        let mut options = OpenOptions::new();
        options.append(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&path).map_err(io_error(&path))?;
        let mut session = SessionFile::locked(path, id.to_string(), file)?;
        session.append(&[Record::Session {
            version: FORMAT_VERSION,
            id: id.to_string(),
            created: now(),
            title: title.to_string(),
            app: env!("CARGO_PKG_VERSION").to_string(),
        }])?;
        Ok(session)
    }

    /// Opens an existing session file to append to it. A last line cut short by a crash is
    /// ended with a newline first, so that new records start on a line of their own. Only a
    /// regular file that starts with a session header is appended to, never through a symbolic
    /// link.
    pub fn open(path: &Path) -> Result<SessionFile, StoreError> {
        let not_session = |why: String| StoreError::NotSession {
            path: path.display().to_string(),
            why,
        };
        let mut options = OpenOptions::new();
        options.read(true).append(true);
        let mut file = crate::files::no_follow(&mut options)
            .open(path)
            .map_err(|e| {
                if crate::files::is_symlink_refusal(&e) {
                    not_session("it is a symbolic link".to_string())
                } else {
                    io_error(path)(e)
                }
            })?;
        crate::files::ensure_regular(&file).map_err(|e| not_session(format!("it is {e}")))?;
        if !starts_with_header(&mut file) {
            return Err(not_session(
                "it does not start with a bedrock-tui session header".to_string(),
            ));
        }
        let id = id_of(path);
        let mut session = SessionFile::locked(
            path.to_path_buf(),
            id,
            file.try_clone().map_err(io_error(path))?,
        )?;
        let len = file.metadata().map_err(io_error(path))?.len();
        if len > 0 {
            use std::io::{Seek, SeekFrom};
            let mut last = [0u8; 1];
            file.seek(SeekFrom::Start(len - 1))
                .and_then(|_| file.read_exact(&mut last))
                .map_err(io_error(path))?;
            if last[0] != b'\n' {
                session.file.write_all(b"\n").map_err(io_error(path))?;
            }
        }
        Ok(session)
    }

    fn locked(path: PathBuf, id: String, file: File) -> Result<SessionFile, StoreError> {
        match file.try_lock() {
            Ok(()) => Ok(SessionFile { path, id, file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::InUse { id }),
            Err(std::fs::TryLockError::Error(e)) => Err(io_error(&path)(e)),
        }
    }

    /// Appends records, one line each, in one write.
    pub fn append(&mut self, records: &[Record]) -> Result<(), StoreError> {
        let mut buffer = Vec::with_capacity(128 * records.len());
        for record in records {
            // Records are plain data; serializing them cannot fail.
            if serde_json::to_writer(&mut buffer, record).is_ok() {
                buffer.push(b'\n');
            }
        }
        self.file.write_all(&buffer).map_err(io_error(&self.path))
    }

    /// Asks the system to put what was written on the disk.
    pub fn sync(&self) -> Result<(), StoreError> {
        self.file.sync_data().map_err(io_error(&self.path))
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The session id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// Whether the file's first line is a session header record.
fn starts_with_header(file: &mut File) -> bool {
    use std::io::{Seek, SeekFrom};
    let mut head = Vec::new();
    let read = file
        .seek(SeekFrom::Start(0))
        .and_then(|_| (&mut *file).take(HEADER_CAP).read_to_end(&mut head));
    if read.is_err() {
        return false;
    }
    let first = head.split(|b| *b == b'\n').next().unwrap_or_default();
    matches!(
        serde_json::from_slice::<Record>(first),
        Ok(Record::Session { .. })
    )
}

/// The longest header line read.
const HEADER_CAP: u64 = 64 * 1024;

/// The largest session file opened (a 2,000-turn conversation is about 3 MB).
pub const SESSION_CAP: u64 = 256 << 20;

pub(crate) fn id_of(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A session as loaded: the conversation and what could not be read.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The file.
    pub path: PathBuf,
    /// The conversation, as far as the file is valid.
    pub transcript: Transcript,
    /// What was skipped and why, one line each.
    pub warnings: Vec<String>,
}

/// Warnings listed one by one before the rest is counted.
const WARNINGS_SHOWN: usize = 5;

/// Loads a session file as far as it is valid. Lines that are not JSON, records of kinds this
/// version does not know (written by a newer one) and records that refer to missing entries
/// are skipped with a warning; a last line cut short is reported as such. The file is read a
/// line at a time: what stays in memory is the conversation, not the file besides.
pub fn load(path: &Path) -> Result<Loaded, StoreError> {
    let file = crate::files::open_to_read(path).map_err(io_error(path))?;
    let meta = crate::files::ensure_regular(&file).map_err(io_error(path))?;
    if meta.len() > SESSION_CAP {
        return Err(StoreError::TooLarge {
            path: path.display().to_string(),
            size: crate::files::human_size(meta.len()),
            cap: crate::files::human_size(SESSION_CAP),
        });
    }
    // The file may grow while it is read: never more than the cap.
    let reader = std::io::BufReader::with_capacity(256 * 1024, file.take(SESSION_CAP));
    parse_from(path, reader).map_err(io_error(path))
}

/// `load` on bytes already read.
pub fn parse(path: &Path, bytes: &[u8]) -> Loaded {
    // Reading from memory cannot fail.
    parse_from(path, bytes).unwrap_or_else(|_| Loaded {
        path: path.to_path_buf(),
        transcript: Transcript::default(),
        warnings: Vec::new(),
    })
}

/// The `kind` of a record, read without building the rest.
#[derive(serde::Deserialize)]
struct KindOnly<'a> {
    #[serde(borrow, default)]
    kind: Option<std::borrow::Cow<'a, str>>,
}

/// Loads a session from its lines as they are read.
fn parse_from(path: &Path, mut reader: impl std::io::BufRead) -> std::io::Result<Loaded> {
    let mut transcript = Transcript {
        id: id_of(path),
        ..Transcript::default()
    };
    let mut warnings = Vec::new();
    let mut skipped = 0usize;
    let mut warn = |text: String| {
        skipped += 1;
        if skipped <= WARNINGS_SHOWN {
            warnings.push(text);
        }
    };
    let mut raw = Vec::new();
    let mut number = 0usize;
    loop {
        raw.clear();
        if reader.read_until(b'\n', &mut raw)? == 0 {
            break;
        }
        number += 1;
        // A line without its newline is the last, cut short if it is not a whole record.
        let whole = raw.last() == Some(&b'\n');
        if whole {
            raw.pop();
        }
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        // Most lines are whole records: parsed once. Only a line that is not is looked at
        // again, to say what is wrong with it.
        let record_error = match serde_json::from_slice::<Record>(&raw) {
            Ok(record) => {
                if let Err(e) = transcript.apply(record) {
                    warn(format!("line {number}: {e}; skipped"));
                }
                continue;
            }
            Err(e) => e,
        };
        let kind = match serde_json::from_slice::<KindOnly<'_>>(&raw) {
            Ok(found) => found
                .kind
                .map(std::borrow::Cow::into_owned)
                .unwrap_or_default(),
            Err(e) if e.is_data() => String::new(),
            Err(_) if !whole => {
                warn(format!(
                    "line {number} was cut short (the program stopped while writing it); skipped"
                ));
                continue;
            }
            Err(e) => {
                let problem = crate::parse_error::ParseError::json(&e);
                warn(format!(
                    "line {number} is not a record (column {}: {}); skipped",
                    problem.column, problem.message
                ));
                continue;
            }
        };
        if Record::KINDS.contains(&kind.as_str()) {
            warn(format!(
                "line {number}: a damaged {kind} record ({}); skipped",
                crate::parse_error::ParseError::json(&record_error).message
            ));
        } else {
            warn(format!(
                "line {number}: unknown record kind {kind:?} (written by a newer bedrock-tui?); skipped"
            ));
        }
    }
    if skipped > WARNINGS_SHOWN {
        warnings.push(format!("{} more lines skipped", skipped - WARNINGS_SHOWN));
    }
    if transcript.title.is_empty() {
        transcript.title = transcript.entries.first().map_or_else(
            || "untitled".to_string(),
            |e| super::title_from_prompt(&e.text),
        );
    }
    Ok(Loaded {
        path: path.to_path_buf(),
        transcript,
        warnings,
    })
}

/// Finds a session: `last` (the newest), an id, a unique prefix of an id, or a path.
pub(crate) fn resolve(dir: &Path, spec: &str) -> Result<PathBuf, StoreError> {
    let as_path = Path::new(spec);
    if spec.contains('/')
        || std::path::Path::new(spec)
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("jsonl"))
    {
        return if as_path.is_file() {
            Ok(as_path.to_path_buf())
        } else {
            Err(StoreError::NotFound(spec.to_string()))
        };
    }
    let sessions = list(dir)?;
    if spec == "last" {
        return sessions
            .into_iter()
            .next()
            .map(|s| s.path)
            .ok_or_else(|| StoreError::NotFound("last".to_string()));
    }
    if let Some(exact) = sessions.iter().find(|s| s.id == spec) {
        return Ok(exact.path.clone());
    }
    let matches: Vec<&Summary> = sessions.iter().filter(|s| s.id.starts_with(spec)).collect();
    match matches.as_slice() {
        [one] => Ok(one.path.clone()),
        [] => Err(StoreError::NotFound(spec.to_string())),
        many => Err(StoreError::Ambiguous {
            spec: spec.to_string(),
            matches: many
                .iter()
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// Renames a session by appending a `title` record (the file is not rewritten). Refused while
/// another bedrock-tui has the session open.
pub fn rename(path: &Path, title: &str) -> Result<(), StoreError> {
    let mut session = SessionFile::open(path)?;
    session.append(&[Record::Title {
        title: title.to_string(),
    }])
}

/// Deletes a session file. Refused while another bedrock-tui has the session open.
pub fn delete(path: &Path) -> Result<(), StoreError> {
    let file = OpenOptions::new()
        .read(true)
        .open(path)
        .map_err(io_error(path))?;
    let _guard = SessionFile::locked(path.to_path_buf(), id_of(path), file)?;
    std::fs::remove_file(path).map_err(io_error(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_time() {
        let id = new_id();
        assert_eq!(id.len(), "20261126-115203-3fa9".len(), "{id}");
        assert!(id.as_bytes()[8] == b'-' && id.as_bytes()[15] == b'-');
    }

    #[test]
    fn a_second_writer_is_refused_and_the_first_keeps_writing() {
        let dir = tempfile::tempdir().unwrap();
        let mut first = SessionFile::create(dir.path(), "a", "title").unwrap();
        let second = SessionFile::open(first.path());
        assert!(
            matches!(second, Err(StoreError::InUse { .. })),
            "{second:?}"
        );
        assert!(matches!(
            delete(first.path()),
            Err(StoreError::InUse { .. })
        ));
        first
            .append(&[Record::Title {
                title: "still mine".into(),
            }])
            .unwrap();
        let path = first.path().to_path_buf();
        drop(first);
        assert_eq!(load(&path).unwrap().transcript.title, "still mine");
        // Once the writer is gone the session can be opened again.
        SessionFile::open(&path).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let sessions = dir.path().join("data/sessions");
        let session = SessionFile::create(&sessions, "a", "t").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&sessions), 0o700);
        assert_eq!(mode(session.path()), 0o600);
    }
}
