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
    let turns = scan.turns_on_screen();
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
        turns,
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
        let (complete, too_long) = read_line_capped(
            &mut reader,
            &mut line,
            LISTED_LINE_CAP,
            |head| match kind_of_line(head) {
                Some(
                    b"user" | b"session" | b"title" | b"assistant_start" | b"model" | b"select"
                    | b"deleted",
                )
                | None => true,
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
    damaged: bool,
    /// Each entry in the order of the file: its number, the entry it follows (`None`: the one
    /// before it in the file), and whether it is a prompt (not a prompt of tool results).
    entries: Vec<(u64, Option<u64>, bool)>,
    /// Entries deleted.
    deleted: std::collections::HashSet<u64>,
    /// The entry a `select` record made the last of the branch on screen, until an entry
    /// after it (which is then the last, as when the session is opened).
    head: Option<u64>,
}

/// The members of a prompt record a listing needs (its text is skipped, not kept).
#[derive(serde::Deserialize)]
struct PromptHead {
    id: u64,
    #[serde(default)]
    parent: Option<u64>,
    #[serde(default)]
    tool_results: Option<serde::de::IgnoredAny>,
}

/// A record that names one entry (`select`, `deleted`).
#[derive(serde::Deserialize)]
struct EntryOnly {
    id: u64,
}

impl ListingScan {
    /// Notes an entry: its number, the entry it follows and whether it is a prompt. As when
    /// the session is opened, the newest entry is the last of the branch on screen.
    fn note_entry(&mut self, id: u64, parent: Option<u64>, prompt: bool) {
        self.entries.push((id, parent, prompt));
        self.head = None;
    }

    /// Notes a prompt record's entry: from the record, or, for one too long to keep whole, its
    /// number from its head (its parent is then the entry before it; a record of tool results
    /// has no text of its own).
    fn prompt_entry(&mut self, raw: &[u8], too_long: bool) {
        if !too_long && let Ok(head) = serde_json::from_slice::<PromptHead>(raw) {
            self.note_entry(head.id, head.parent, head.tool_results.is_none());
            return;
        }
        let text = String::from_utf8_lossy(&raw[..raw.len().min(256)]);
        let id = text.split_once(r#""id":"#).and_then(|(_, rest)| {
            rest.split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|n| n.parse::<u64>().ok())
        });
        match id {
            Some(id) => self.note_entry(id, None, !text.contains(r#""text":"""#)),
            None => self.damaged = true,
        }
    }

    /// The prompts of the branch on screen, as opening the session shows it: from the head
    /// (the last selected entry, else the last one) back to the first, deleted ones left out.
    fn turns_on_screen(&self) -> usize {
        let mut index: std::collections::HashMap<u64, (Option<u64>, bool)> =
            std::collections::HashMap::with_capacity(self.entries.len());
        let mut previous = None;
        for &(id, parent, prompt) in &self.entries {
            // As opening the session reads it (`Transcript::add`): parent 0 is the start of the
            // conversation; none, or one the file does not have before it, the entry before.
            let parent = match parent {
                Some(0) => None,
                Some(parent) if parent < id && index.contains_key(&parent) => Some(parent),
                _ => previous,
            };
            index.insert(id, (parent, prompt));
            previous = Some(id);
        }
        // A select of an entry the file does not have is passed over, as when it is opened.
        let mut next = self
            .head
            .filter(|head| index.contains_key(head))
            .or(previous);
        let mut turns = 0;
        let mut steps = 0;
        while let Some(id) = next {
            let Some(&(parent, prompt)) = index.get(&id) else {
                break;
            };
            if prompt && !self.deleted.contains(&id) {
                turns += 1;
            }
            steps += 1;
            // A damaged file cannot make it loop.
            if steps > self.entries.len() {
                break;
            }
            next = parent;
        }
        turns
    }

    /// Turns, title, models and whether anything looked damaged.
    pub(crate) fn summary_fields(self) -> (usize, String, Vec<String>, bool) {
        (
            self.turns_on_screen(),
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
                self.prompt_entry(raw, too_long);
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
            Some(b"select") => match serde_json::from_slice::<EntryOnly>(raw) {
                Ok(entry) => self.head = Some(entry.id),
                Err(_) => self.damaged = true,
            },
            Some(b"deleted") => match serde_json::from_slice::<EntryOnly>(raw) {
                Ok(entry) => {
                    self.deleted.insert(entry.id);
                }
                Err(_) => self.damaged = true,
            },
            Some(
                b"text" | b"reasoning" | b"parameters" | b"assistant_end" | b"superseded" | b"kept",
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
                Ok(Record::AssistantStart {
                    model, id, parent, ..
                }) => {
                    self.note_entry(id, parent, false);
                    if !self.models.contains(&model) {
                        self.models.push(model);
                    }
                }
                Ok(Record::User {
                    text,
                    id,
                    parent,
                    tool_results,
                    ..
                }) => {
                    self.note_entry(id, parent, tool_results.is_empty());
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A session's lines from `user ID [PARENT]`, `answer ID [PARENT]` and `select ID`.
    fn session(records: &[&str]) -> String {
        let at = "2026-12-01T00:00:00Z";
        let mut file = format!(
            r#"{{"kind":"session","version":1,"id":"s","created":"{at}","title":"t","app":"0.1.0"}}"#
        );
        for record in records {
            file.push('\n');
            let (kind, rest) = record.split_once(' ').unwrap_or((record, ""));
            let numbers: Vec<u64> = rest.split(' ').filter_map(|n| n.parse().ok()).collect();
            let parent = numbers
                .get(1)
                .map_or(String::new(), |p| format!(r#","parent":{p}"#));
            file.push_str(&match kind {
                "user" => format!(
                    r#"{{"kind":"user","at":"{at}","id":{}{parent},"text":"q"}}"#,
                    numbers[0]
                ),
                "answer" => format!(
                    r#"{{"kind":"assistant_start","at":"{at}","id":{}{parent},"model":"m"}}"#,
                    numbers[0]
                ),
                _ => format!(r#"{{"kind":"select","id":{}}}"#, numbers[0]),
            });
        }
        file.push('\n');
        file
    }

    #[test]
    fn the_listing_counts_the_turns_opening_the_session_shows() {
        let dir = tempfile::tempdir().unwrap();
        let shapes: [&[&str]; 6] = [
            &["user 1", "answer 2", "user 3", "answer 4"],
            // Back to the first answer: one turn on screen.
            &["user 1", "answer 2", "user 3", "answer 4", "select 2"],
            // Back to it, then a new prompt after it: that branch, two turns.
            &[
                "user 1",
                "answer 2",
                "user 3",
                "answer 4",
                "select 2",
                "user 5 2",
                "answer 6 5",
            ],
            // A fork at the start: the newest entry's branch.
            &["user 1", "answer 2", "select 1", "user 3 0", "answer 4 3"],
            // A parent the file does not have before it: the entry before it in the file.
            &["user 1", "answer 2", "user 3 9", "answer 4 3"],
            // A select of an entry the file does not have is passed over.
            &["user 1", "answer 2", "user 3", "answer 4", "select 7"],
        ];
        let mut counted = Vec::new();
        for (n, records) in shapes.iter().enumerate() {
            let path = dir.path().join(format!("{n}.jsonl"));
            std::fs::write(&path, session(records)).unwrap();
            let listed = summarize(&path).unwrap();
            let opened = crate::transcript::store::load(&path).unwrap().transcript;
            assert_eq!(listed.turns, opened.on_screen().turns(), "{records:?}");
            counted.push(listed.turns);
        }
        assert_eq!(counted, [2, 1, 2, 1, 2, 2]);
    }
}
