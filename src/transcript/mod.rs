//! Saved conversations: the records a session file is made of (one JSON object per line, each
//! written as it happens), and the conversation rebuilt from them.
//!
//! A session file is append-only. Its first record is the `session` header; a rename appends a
//! `title` record; an answer is an `assistant_start`, its `text` and `reasoning` pieces as they
//! stream, and an `assistant_end` with the stop reason, usage, timings and any error. An answer
//! without its end was cut off (the program was killed): it loads as `interrupted`, with the text
//! that made it to disk.
//!
//! A conversation is a tree: each prompt and answer names the entry it follows (`parent`; a
//! file without parents is one line, each entry following the one before it). Editing a
//! prompt or regenerating an answer starts a sibling; `select` says which branch is on screen,
//! `deleted` drops a turn from it, and `kept` lets a partial answer be sent as context.
//!
//! Tools: an answer's calls are in its `assistant_end` (`tool_calls`, with their ids); the
//! results given back are a `user` record without text whose `tool_results` answer them.

mod end;
pub mod export;
pub(crate) mod listing;
pub mod log;
pub mod search;
pub mod store;
mod title;
mod tree;
pub use end::{End, EndStatus, SavedError, SavedToolRun};
pub(crate) use tree::load_attachments;

pub(crate) use title::title_from_prompt;
pub mod writer;

use crate::models::Parameters;
use serde::{Deserialize, Serialize};

/// The version written in new session headers.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// One line of a session file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
// Records are made, written and read one at a time: boxing the large end would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Record {
    /// The header: the first line of every session file.
    Session {
        /// Format version.
        version: u32,
        /// The session id (the file name without `.jsonl`).
        id: String,
        /// When it was created (RFC 3339, UTC).
        created: String,
        /// Title, from the first prompt.
        title: String,
        /// The bedrock-tui version that created it.
        app: String,
    },
    /// The session was renamed.
    Title {
        /// The new title.
        title: String,
    },
    /// The model for the next turns.
    Model {
        /// When.
        at: String,
        /// Model id, inference-profile id or ARN.
        model: String,
        /// The request format, when the id does not reveal it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        family: Option<String>,
    },
    /// The system prompt and parameters for the next turns.
    Parameters {
        /// When.
        at: String,
        /// System prompt.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        system: Option<String>,
        /// Inference parameters.
        parameters: Parameters,
    },
    /// A prompt.
    User {
        /// When.
        at: String,
        /// Entry number within the session.
        id: u64,
        /// The prompt.
        text: String,
        /// The entry it follows (0: the first turn); absent: the entry before it in the file.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parent: Option<u64>,
        /// Files attached to it, kept by content in the attachments directory.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<crate::attachments::Reference>,
        /// The results of the tool calls of the answer before (a prompt of results).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tool_results: Vec<SavedToolRun>,
    },
    /// An answer began.
    AssistantStart {
        /// When.
        at: String,
        /// Entry number within the session.
        id: u64,
        /// The model asked.
        model: String,
        /// The entry it answers (see `User::parent`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parent: Option<u64>,
    },
    /// Answer text as it arrived.
    Text {
        /// Entry number.
        id: u64,
        /// The piece.
        text: String,
    },
    /// Reasoning text as it arrived.
    Reasoning {
        /// Entry number.
        id: u64,
        /// The piece.
        text: String,
    },
    /// An answer ended.
    AssistantEnd {
        /// When.
        at: String,
        /// Entry number.
        id: u64,
        /// How it ended.
        #[serde(flatten)]
        end: End,
    },
    /// An answer was replaced by a retry: kept, no longer sent to models (files before
    /// branches; an edited request's answer).
    Superseded {
        /// Entry number.
        id: u64,
    },
    /// The branch ending at this entry is the one on screen.
    Select {
        /// Entry number of the branch's last entry.
        id: u64,
    },
    /// The entry was deleted from the conversation: kept in the file, not shown, not sent.
    Deleted {
        /// Entry number.
        id: u64,
    },
    /// A partial (cancelled, failed) answer is sent as context, or no longer.
    Kept {
        /// Entry number.
        id: u64,
        /// Whether it is sent.
        kept: bool,
    },
}

impl Record {
    /// The `kind` tags this version knows.
    pub(crate) const KINDS: &'static [&'static str] = &[
        "session",
        "title",
        "model",
        "parameters",
        "user",
        "assistant_start",
        "text",
        "reasoning",
        "assistant_end",
        "superseded",
        "select",
        "deleted",
        "kept",
    ];
}

/// Who wrote an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    /// The user.
    User,
    /// A model.
    Assistant,
}

/// One prompt or answer of a saved conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Entry number within the session.
    pub id: u64,
    /// Who wrote it.
    pub author: Author,
    /// When it began.
    pub at: String,
    /// Prompt or answer text (markdown for answers).
    pub text: String,
    /// Reasoning (answers).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reasoning: String,
    /// The model that answered (answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// How the answer ended (answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<End>,
    /// Replaced by a retry.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub superseded: bool,
    /// The entry it follows in the conversation tree (0: a first turn).
    #[serde(skip)]
    pub parent: u64,
    /// Deleted from the conversation (kept in the file).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    /// A partial answer the user keeps as context.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub kept: bool,
    /// Files attached to a prompt.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<crate::attachments::Reference>,
    /// Tool results given back (a prompt of results).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_results: Vec<SavedToolRun>,
}

impl Entry {
    /// Whether the entry goes to the model as part of the conversation: prompts, tool results,
    /// and answers that completed (with text or tool calls) or that the user keeps; never
    /// deleted, superseded or empty ones.
    pub fn sent_as_context(&self) -> bool {
        if self.superseded || self.deleted {
            return false;
        }
        let text = !self.text.trim().is_empty();
        match self.author {
            Author::User => text || !self.tool_results.is_empty(),
            Author::Assistant => {
                let complete = self
                    .end
                    .as_ref()
                    .is_some_and(|e| e.status == EndStatus::Complete);
                let calls = self.end.as_ref().is_some_and(|e| !e.tool_calls.is_empty());
                (text && (self.kept || complete)) || (complete && calls)
            }
        }
    }
}

/// A conversation rebuilt from its session file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Transcript {
    /// The session id.
    pub id: String,
    /// Title (the latest rename wins).
    pub title: String,
    /// When it was created.
    pub created: String,
    /// The version that created it.
    pub app: String,
    /// The model for the next turn (the last one chosen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The request format, when the model id does not reveal it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// The system prompt in effect at the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// The parameters in effect at the end.
    pub parameters: Parameters,
    /// Every prompt and answer of every branch, in the order of the file.
    pub entries: Vec<Entry>,
    /// The last entry of the branch on screen.
    #[serde(skip)]
    pub head: Option<u64>,
    /// Where each entry is in `entries`, by id.
    #[serde(skip)]
    index: std::collections::HashMap<u64, usize>,
}

impl Transcript {
    /// The models that answered, in order of first use.
    pub fn models_used(&self) -> Vec<String> {
        let mut models: Vec<String> = Vec::new();
        for model in self.entries.iter().filter_map(|e| e.model.as_ref()) {
            if !models.contains(model) {
                models.push(model.clone());
            }
        }
        models
    }

    /// Prompts sent.
    pub fn turns(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| e.author == Author::User)
            .count()
    }

    /// Applies one record; records that refer to unknown entries are reported, not fatal.
    pub fn apply(&mut self, record: Record) -> Result<(), String> {
        match record {
            Record::Session {
                id,
                created,
                title,
                app,
                ..
            } => {
                self.id = id;
                self.created = created;
                self.title = title;
                self.app = app;
            }
            Record::Title { title } => self.title = title,
            Record::Model { model, family, .. } => {
                self.model = Some(model);
                self.family = family;
            }
            Record::Parameters {
                system, parameters, ..
            } => {
                self.system = system;
                self.parameters = parameters;
            }
            Record::User {
                at,
                id,
                text,
                parent,
                attachments,
                tool_results,
            } => {
                return self.add(
                    Entry {
                        text,
                        attachments,
                        tool_results,
                        ..Entry::new(id, Author::User, at)
                    },
                    parent,
                );
            }
            Record::AssistantStart {
                at,
                id,
                model,
                parent,
            } => {
                return self.add(
                    Entry {
                        model: Some(model),
                        end: Some(End::default()),
                        ..Entry::new(id, Author::Assistant, at)
                    },
                    parent,
                );
            }
            Record::Text { id, text } => self.entry(id)?.text.push_str(&text),
            Record::Reasoning { id, text } => self.entry(id)?.reasoning.push_str(&text),
            Record::AssistantEnd { id, end, .. } => self.entry(id)?.end = Some(end),
            Record::Superseded { id } => self.entry(id)?.superseded = true,
            Record::Select { id } => {
                self.entry(id)?;
                self.head = Some(id);
            }
            Record::Deleted { id } => self.entry(id)?.deleted = true,
            Record::Kept { id, kept } => self.entry(id)?.kept = kept,
        }
        Ok(())
    }

    fn entry(&mut self, id: u64) -> Result<&mut Entry, String> {
        self.index
            .get(&id)
            .and_then(|&at| self.entries.get_mut(at))
            .ok_or_else(|| format!("a record refers to entry {id}, which the file does not have"))
    }
}

impl Entry {
    /// An entry with no text yet.
    fn new(id: u64, author: Author, at: String) -> Entry {
        Entry {
            id,
            author,
            at,
            text: String::new(),
            reasoning: String::new(),
            model: None,
            end: None,
            superseded: false,
            parent: 0,
            deleted: false,
            kept: false,
            attachments: Vec::new(),
            tool_results: Vec::new(),
        }
    }
}

/// The current time as RFC 3339 in UTC, to the millisecond.
pub fn now() -> String {
    timestamp(std::time::SystemTime::now())
}

/// A time as RFC 3339 in UTC, always with three fraction digits, so that times sort as text.
pub(crate) fn timestamp(time: std::time::SystemTime) -> String {
    use aws_smithy_types::date_time::{DateTime, Format};
    let millis = DateTime::from(time).to_millis().unwrap_or(0).max(0);
    let seconds = DateTime::from_secs(millis / 1000)
        .fmt(Format::DateTime)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string());
    format!("{}.{:03}Z", seconds.trim_end_matches('Z'), millis % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_rebuild_the_conversation() {
        let records = vec![
            Record::Session {
                version: FORMAT_VERSION,
                id: "s".into(),
                created: "2026-01-01T00:00:00Z".into(),
                title: "first".into(),
                app: "0.1.0".into(),
            },
            Record::Model {
                at: "t".into(),
                model: "m1".into(),
                family: None,
            },
            Record::User {
                at: "t".into(),
                id: 1,
                text: "hi".into(),
                parent: None,
                attachments: Vec::new(),
                tool_results: Vec::new(),
            },
            Record::AssistantStart {
                at: "t".into(),
                id: 2,
                model: "m1".into(),
                parent: None,
            },
            Record::Text {
                id: 2,
                text: "hel".into(),
            },
            Record::Text {
                id: 2,
                text: "lo".into(),
            },
            Record::AssistantEnd {
                at: "t".into(),
                id: 2,
                end: End {
                    status: EndStatus::Complete,
                    stop_reason: Some("end_turn".into()),
                    output_tokens: Some(2),
                    ..End::default()
                },
            },
            Record::AssistantStart {
                at: "t".into(),
                id: 3,
                model: "m1".into(),
                parent: None,
            },
            Record::Text {
                id: 3,
                text: "cut".into(),
            },
            Record::Title {
                title: "renamed".into(),
            },
        ];
        let mut transcript = Transcript::default();
        for record in records {
            let line = serde_json::to_string(&record).unwrap();
            let back: Record = serde_json::from_str(&line).unwrap();
            assert_eq!(back, record, "{line}");
            transcript.apply(back).unwrap();
        }
        assert_eq!(transcript.title, "renamed");
        assert_eq!(transcript.entries.len(), 3);
        assert_eq!(transcript.entries[1].text, "hello");
        let end = transcript.entries[1].end.as_ref().unwrap();
        assert_eq!(end.status, EndStatus::Complete);
        assert_eq!(
            transcript.entries[2].end.as_ref().unwrap().status,
            EndStatus::Interrupted
        );
        assert_eq!(transcript.models_used(), ["m1"]);
        assert!(
            transcript
                .apply(Record::Text {
                    id: 9,
                    text: "x".into()
                })
                .is_err()
        );
    }

    #[test]
    fn timestamps_are_rfc3339() {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_764_158_000_123);
        assert_eq!(timestamp(t), "2025-11-26T11:53:20.123Z");
        let round = std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_764_158_000_020);
        assert_eq!(timestamp(round), "2025-11-26T11:53:20.020Z");
    }
}
