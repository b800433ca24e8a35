//! Searching the text of saved conversations: the prompts and answers of each session file
//! gathered once (in the background, when the browser opens), then scanned in memory for every
//! keystroke of the filter. Streamed answers are joined first, so a word split across pieces
//! is found; case is ignored for ASCII letters.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A file larger than this is not searched (its title still is).
pub const SEARCH_FILE_CAP: u64 = 64 * 1024 * 1024;
/// The index stops growing at this many bytes of text; later files are not searched.
pub const INDEX_CAP: usize = 512 * 1024 * 1024;

/// The text of saved conversations, ready to search.
#[derive(Debug, Default)]
pub struct SearchIndex {
    docs: Vec<Doc>,
    /// Files left out (too large, unreadable, or past the index's cap).
    pub skipped: usize,
}

#[derive(Debug)]
struct Doc {
    path: PathBuf,
    text: String,
    /// `text` with ASCII letters in lower case: byte offsets are the same.
    lower: String,
}

/// A conversation whose text matches, with the line that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Its file.
    pub path: PathBuf,
    /// The line of the first match, trimmed around it.
    pub line: String,
}

impl SearchIndex {
    /// Reads the prompts and answers of each file.
    pub fn build(paths: &[PathBuf]) -> SearchIndex {
        let mut index = SearchIndex::default();
        let mut bytes = 0;
        for path in paths {
            match text_of(path) {
                Some(text) if bytes + text.len() <= INDEX_CAP => {
                    bytes += text.len();
                    index.docs.push(Doc {
                        path: path.clone(),
                        lower: text.to_ascii_lowercase(),
                        text,
                    });
                }
                _ => index.skipped += 1,
            }
        }
        index
    }

    /// Conversations that contain every word of `query` (ASCII case ignored), in the order the
    /// files were given, each with the line where the first word first occurs.
    pub fn search(&self, query: &str) -> Vec<Hit> {
        let words: Vec<String> = query
            .split_whitespace()
            .map(str::to_ascii_lowercase)
            .collect();
        if words.is_empty() {
            return Vec::new();
        }
        let finders: Vec<memchr::memmem::Finder<'_>> = words
            .iter()
            .map(|w| memchr::memmem::Finder::new(w.as_bytes()))
            .collect();
        let mut hits = Vec::new();
        for doc in &self.docs {
            let haystack = doc.lower.as_bytes();
            let Some(at) = finders[0].find(haystack) else {
                continue;
            };
            if finders[1..].iter().any(|f| f.find(haystack).is_none()) {
                continue;
            }
            hits.push(Hit {
                path: doc.path.clone(),
                line: line_around(&doc.text, at),
            });
        }
        hits
    }

    /// Conversations indexed.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }
}

/// The line of `text` holding byte `at`, cut to about 120 characters around it.
fn line_around(text: &str, at: usize) -> String {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = &text[start..end];
    let before: Vec<char> = text[start..at].chars().collect();
    let keep_before = 40;
    let (lead, from) = if before.len() > keep_before {
        ("…", before.len() - keep_before)
    } else {
        ("", 0)
    };
    let shown: String = line.chars().skip(from).take(120).collect();
    let tail = if line.chars().count() > from + 120 {
        "…"
    } else {
        ""
    };
    crate::text::sanitize_for_terminal(&format!("{lead}{}{tail}", shown.trim())).into_owned()
}

/// The fields of a `user` or `text` record that the search needs.
#[derive(serde::Deserialize)]
struct Piece<'a> {
    id: u64,
    #[serde(borrow)]
    text: Cow<'a, str>,
}

/// The prompts and answers of a session file, one after another (every branch; deleted ones
/// too, which the file still holds), or `None` when it cannot be read or is too large.
fn text_of(path: &Path) -> Option<String> {
    // Regular files only, never more than the cap (the listing already left out links).
    let raw = crate::files::read_capped(path, SEARCH_FILE_CAP).ok()?;
    let mut order: Vec<u64> = Vec::new();
    let mut texts: HashMap<u64, String> = HashMap::new();
    for line in raw.split(|b| *b == b'\n') {
        // Only prompts and answer text are parsed; the other records are skipped by their kind.
        let wanted =
            line.starts_with(br#"{"kind":"user""#) || line.starts_with(br#"{"kind":"text""#);
        if !wanted {
            continue;
        }
        // Both kinds carry `id` and `text`; a plain struct reads them without the tagged
        // enum's buffering, several times faster.
        let Ok(piece) = serde_json::from_slice::<Piece<'_>>(line) else {
            continue;
        };
        let entry = texts.entry(piece.id).or_insert_with(|| {
            order.push(piece.id);
            String::new()
        });
        entry.push_str(&piece.text);
    }
    let mut out = String::new();
    for id in order {
        if let Some(text) = texts.remove(&id) {
            out.push_str(&text);
            out.push('\n');
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::Record;

    fn session(dir: &Path, name: &str, prompt: &str, pieces: &[&str]) -> PathBuf {
        let path = dir.join(format!("{name}.jsonl"));
        let mut lines = vec![
            serde_json::json!({"kind":"session","version":1,"id":name,"created":"t","title":name,"app":"x"})
                .to_string(),
            serde_json::to_string(&Record::User {
                at: "t".into(),
                id: 1,
                text: prompt.into(),
                parent: None,
                attachments: Vec::new(),
                tool_results: Vec::new(),
            })
            .unwrap(),
        ];
        for piece in pieces {
            lines.push(
                serde_json::to_string(&Record::Text {
                    id: 2,
                    text: (*piece).into(),
                })
                .unwrap(),
            );
        }
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        path
    }

    #[test]
    fn words_split_across_streamed_pieces_are_found_with_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let a = session(
            dir.path(),
            "a",
            "How do I retry?",
            &["Use exponential back", "off with jit", "ter.\nSecond line."],
        );
        let b = session(dir.path(), "b", "Lakes of Asia", &["Baikal is deep."]);
        let index = SearchIndex::build(&[a.clone(), b.clone()]);
        assert_eq!(index.len(), 2);
        assert!(index.search("zebra").is_empty());
        // "back" + "off" and "jit" + "ter" arrived in separate pieces.
        assert_eq!(index.search("BACKOFF").len(), 1);
        let hits = index.search("jitter");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].path, a);
        assert_eq!(hits[0].line, "Use exponential backoff with jitter.");
        assert_eq!(index.search("baikal DEEP")[0].path, b);
        assert!(
            index.search("baikal jitter").is_empty(),
            "every word must match"
        );
        assert!(index.search("  ").is_empty());
    }
}
