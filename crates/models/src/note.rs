//! A note on a request: something the client changed, left out or chose for the user, said
//! under the answer (and on standard error by `ask`). Its kind is named where it is made, so
//! that the chat can say each kind once a conversation without reading its words.

use std::fmt;

/// One note: what kind it is, and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// What it is about (`no stream`, `left out top_k`, `prompt cache`): notes of one kind say
    /// the same thing of different figures or files.
    pub kind: String,
    /// What it says.
    pub text: String,
}

impl Note {
    /// A note of `kind` saying `text`.
    pub fn new(kind: impl Into<String>, text: impl Into<String>) -> Note {
        Note {
            kind: kind.into(),
            text: text.into(),
        }
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// What notes say, in order.
pub fn texts(notes: &[Note]) -> Vec<String> {
    notes.iter().map(|note| note.text.clone()).collect()
}
