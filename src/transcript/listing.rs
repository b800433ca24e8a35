//! The list of saved sessions: each file read in one pass in pieces, without loading it. A
//! record's kind is told from its first bytes; only the header, titles, answers' models and the
//! first prompt are parsed, so memory stays small whatever a file's size.

use super::Record;
use super::store::{SESSION_CAP, StoreError, id_of, io_error};
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

/// One line of the session list.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The session id.
    pub id: String,
    /// The file.
    pub path: PathBuf,
    /// Title.
    pub title: String,
    /// Creation time (RFC 3339).
    pub created: String,
    /// Models that answered.
    pub models: Vec<String>,
    /// Prompts sent.
    pub turns: usize,
    /// Lines that could not be read.
    pub damaged: bool,
    /// The file's size, when it is larger than a session may be (listed by its header alone,
    /// not opened).
    pub oversized: Option<u64>,
}

/// Every session in `dir`, newest first. A directory that does not exist yet is empty.
pub fn list(dir: &Path) -> Result<Vec<Summary>, StoreError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error(dir)(e)),
    };
    let mut sessions = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "jsonl") {
            continue;
        }
        if let Ok(summary) = summarize(&path) {
            sessions.push(summary);
        }
    }
    // Newest first: by creation time (fixed-width RFC 3339), then by id.
    sessions.sort_by(|a, b| (&b.created, &b.id).cmp(&(&a.created, &a.id)));
    Ok(sessions)
}

/// A session's line in the list, read without loading it: the header, title records, the
/// models of answers and the count of prompts, from one pass over the file in pieces (memory
/// stays small whatever its size; records of text are recognised by their first bytes, not
/// parsed). A symbolic link or anything but a regular file is left out.
pub fn summarize(path: &Path) -> Result<Summary, StoreError> {
    let mut options = OpenOptions::new();
    options.read(true);
    let file = crate::files::no_follow(&mut options)
        .open(path)
        .map_err(io_error(path))?;
    let size = crate::files::ensure_regular(&file)
        .map_err(io_error(path))?
        .len();
    let oversized = size > SESSION_CAP;
    let reader = std::io::BufReader::with_capacity(256 * 1024, file);
    let mut scan = scan_listing(reader, oversized).map_err(io_error(path))?;
    let title = if scan.title.is_empty() {
        scan.first_prompt
            .as_deref()
            .map_or_else(|| "untitled".to_string(), super::title_from_prompt)
    } else {
        scan.title
    };
    if !scan.header {
        scan.damaged = true;
    }
    Ok(Summary {
        id: id_of(path),
        title,
        created: scan.created,
        models: scan.models,
        turns: scan.turns,
        damaged: scan.damaged,
        oversized: oversized.then_some(size),
        path: path.to_path_buf(),
    })
}

/// Reads the lines a listing needs (all of them, or the header alone when `header_only`).
pub(crate) fn scan_listing(
    mut reader: impl std::io::BufRead,
    header_only: bool,
) -> std::io::Result<ListingScan> {
    let mut scan = ListingScan::default();
    let mut line = Vec::new();
    loop {
        line.clear();
        let first_prompt_missing = scan.first_prompt.is_none();
        let (complete, too_long) = read_line_capped(
            &mut reader,
            &mut line,
            LISTED_LINE_CAP,
            |head| match kind_of_line(head) {
                Some(b"user") => first_prompt_missing,
                Some(b"session" | b"title" | b"assistant_start" | b"model") | None => true,
                Some(_) => false,
            },
        )?;
        if line.is_empty() && !complete {
            break;
        }
        scan.line(&line, too_long, complete);
        if !complete || header_only {
            break;
        }
    }
    Ok(scan)
}

/// The longest line a listing keeps whole (longer ones are only told by their first bytes).
const LISTED_LINE_CAP: usize = 64 * 1024;

/// Reads one line into `line`, keeping at most `cap` bytes of it (the rest is skipped), and
/// only its first [`KIND_PREFIX`] bytes when `whole` says, from those, the rest is not needed:
/// `(ended with a newline, was cut)`.
fn read_line_capped(
    reader: &mut impl std::io::BufRead,
    line: &mut Vec<u8>,
    cap: usize,
    whole: impl Fn(&[u8]) -> bool,
) -> std::io::Result<(bool, bool)> {
    let mut cut = false;
    let mut keep: Option<usize> = None;
    loop {
        let buffer = match reader.fill_buf() {
            Ok(buffer) => buffer,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buffer.is_empty() {
            return Ok((false, cut));
        }
        let (piece, newline) = match memchr::memchr(b'\n', buffer) {
            Some(at) => (&buffer[..at], true),
            None => (buffer, false),
        };
        let limit = keep.unwrap_or(KIND_PREFIX);
        let room = limit.saturating_sub(line.len());
        line.extend_from_slice(&piece[..piece.len().min(room)]);
        if piece.len() > room {
            if keep.is_none() {
                // The first bytes tell the kind: keep the whole line only if it is needed.
                let more = if whole(line) { cap } else { KIND_PREFIX };
                keep = Some(more);
                let extra = more.saturating_sub(line.len()).min(piece.len() - room);
                line.extend_from_slice(&piece[room..room + extra]);
                cut |= room + extra < piece.len();
            } else {
                cut = true;
            }
        }
        let used = piece.len() + usize::from(newline);
        reader.consume(used);
        if newline {
            return Ok((true, cut));
        }
    }
}

/// How many first bytes of a line tell its kind (`{"kind":"assistant_start"` is 26).
const KIND_PREFIX: usize = 40;

/// The kind of a record line, from its first bytes (`None` when it does not look like one).
fn kind_of_line(raw: &[u8]) -> Option<&[u8]> {
    let rest = raw.strip_prefix(br#"{"kind":""#)?;
    let end = memchr::memchr(b'"', rest)?;
    Some(&rest[..end])
}

/// What a listing gathers from the lines of one file.
#[derive(Debug, Default)]
pub(crate) struct ListingScan {
    header: bool,
    lines: usize,
    created: String,
    title: String,
    first_prompt: Option<String>,
    models: Vec<String>,
    turns: usize,
    damaged: bool,
}

impl ListingScan {
    /// Turns, title, models and whether anything looked damaged.
    pub(crate) fn summary_fields(self) -> (usize, String, Vec<String>, bool) {
        (
            self.turns,
            self.title,
            self.models,
            self.damaged || !self.header,
        )
    }

    fn line(&mut self, raw: &[u8], too_long: bool, complete: bool) {
        if raw.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        self.lines += 1;
        if !complete {
            // A last line cut short by a crash.
            self.damaged = true;
            return;
        }
        match kind_of_line(raw) {
            Some(b"user") => {
                self.turns += 1;
                if self.first_prompt.is_none() {
                    // Only its first words make a title: a long prompt's head is enough.
                    self.first_prompt = match serde_json::from_slice::<Record>(raw) {
                        Ok(Record::User { text, .. }) => Some(text),
                        _ => String::from_utf8_lossy(raw)
                            .split_once(r#""text":""#)
                            .map(|(_, t)| t.chars().take(200).collect()),
                    };
                }
            }
            Some(
                b"text" | b"reasoning" | b"parameters" | b"assistant_end" | b"superseded"
                | b"select" | b"deleted" | b"kept",
            ) => {}
            _ if too_long => self.damaged = true,
            // The kinds the list needs, and records written with `kind` elsewhere than first.
            _ => match serde_json::from_slice::<Record>(raw) {
                Ok(Record::Session { created, title, .. }) if self.lines == 1 => {
                    self.header = true;
                    self.created = created;
                    self.title = title;
                }
                Ok(Record::Title { title }) => self.title = title,
                Ok(Record::AssistantStart { model, .. }) => {
                    if !self.models.contains(&model) {
                        self.models.push(model);
                    }
                }
                Ok(Record::User { text, .. }) => {
                    self.turns += 1;
                    self.first_prompt.get_or_insert(text);
                }
                Ok(
                    Record::Model { .. }
                    | Record::Parameters { .. }
                    | Record::Text { .. }
                    | Record::Reasoning { .. }
                    | Record::AssistantEnd { .. }
                    | Record::Superseded { .. }
                    | Record::Select { .. }
                    | Record::Deleted { .. }
                    | Record::Kept { .. },
                ) => {}
                _ => self.damaged = true,
            },
        }
    }
}
