//! The conversation tree of a session file: entries linked to the entry they follow, the
//! branch on screen (from the first turn to the selected head), and what of it is sent.

use super::{Author, Entry, Transcript};
use crate::models::{Conversation, Role, Turn};
use std::collections::HashMap;

impl Transcript {
    /// Adds a prompt or an answer after `parent` (the entry before it in the file when the
    /// record names none); the new entry becomes the head of the branch on screen. A parent
    /// the file does not have (or one written after the entry) is reported, and the entry
    /// follows the one before it.
    pub(super) fn add(&mut self, mut entry: Entry, parent: Option<u64>) -> Result<(), String> {
        let previous = self.entries.last().map_or(0, |e| e.id);
        let known = |p: u64| p == 0 || (p < entry.id && self.index.contains_key(&p));
        let mut problem = None;
        entry.parent = match parent {
            None => previous,
            Some(p) if known(p) => p,
            Some(p) => {
                problem = Some(format!(
                    "entry {} follows entry {p}, which the file does not have before it; it is shown after entry {previous}",
                    entry.id
                ));
                previous
            }
        };
        self.head = Some(entry.id);
        self.index.insert(entry.id, self.entries.len());
        self.entries.push(entry);
        problem.map_or(Ok(()), Err)
    }

    /// The entry with this id.
    pub fn get(&self, id: u64) -> Option<&Entry> {
        self.index.get(&id).and_then(|&at| self.entries.get(at))
    }

    /// Whether the entries were put together by hand (or read back from a JSON export) rather
    /// than applied from records: they are one line then.
    fn built_by_hand(&self) -> bool {
        self.index.is_empty() && !self.entries.is_empty()
    }

    /// The branch on screen, first turn first: the head and the entries it follows, deleted
    /// ones included.
    pub fn path(&self) -> Vec<&Entry> {
        if self.built_by_hand() {
            return self.entries.iter().collect();
        }
        let mut path = Vec::new();
        let mut next = self.head.or_else(|| self.entries.last().map(|e| e.id));
        // Each step goes to an earlier entry; the bound keeps a damaged file from looping.
        while let Some(entry) = next.and_then(|id| self.get(id)) {
            path.push(entry);
            if path.len() > self.entries.len() {
                break;
            }
            next = (entry.parent != 0).then_some(entry.parent);
        }
        path.reverse();
        path
    }

    /// The conversation as it is on screen: the branch's entries that are not deleted (for
    /// exports and `transcripts show`).
    #[must_use]
    pub fn on_screen(&self) -> Transcript {
        let entries: Vec<Entry> = self
            .path()
            .into_iter()
            .filter(|e| !e.deleted)
            .cloned()
            .collect();
        let mut shown = Transcript {
            entries: Vec::new(),
            head: None,
            index: HashMap::new(),
            ..self.clone()
        };
        for entry in entries {
            shown.index.insert(entry.id, shown.entries.len());
            shown.head = Some(entry.id);
            shown.entries.push(entry);
        }
        shown
    }

    /// The turns of the branch on screen that are sent to a model, their files read back
    /// from the attachments directory; a file that cannot be read is left out and said in the
    /// second list.
    pub fn context(&self) -> (Vec<Turn>, Vec<String>) {
        let dir = crate::attachments::store::attachments_dir();
        let mut problems = Vec::new();
        let sent: Vec<&Entry> = self
            .path()
            .into_iter()
            .filter(|e| e.sent_as_context())
            .collect();
        let mut turns: Vec<Turn> = Vec::with_capacity(sent.len());
        for (n, e) in sent.iter().enumerate() {
            let mut turn = Turn::new(Role::User, e.text.clone());
            turn.attachments = load_attachments(dir.as_deref(), &e.attachments, &mut problems);
            turn.tool_results = e.tool_results.iter().map(|r| r.result.clone()).collect();
            if e.author == Author::Assistant {
                turn.role = Role::Assistant;
                // Calls go only with their results, which the next entry gives.
                let answered = sent.get(n + 1).is_some_and(|next| {
                    next.author == Author::User && !next.tool_results.is_empty()
                });
                if answered {
                    let end = e.end.clone().unwrap_or_default();
                    turn.tool_calls = end.tool_calls;
                    if !end.signed.is_empty() {
                        turn.thinking = Some((e.reasoning.clone(), end.signed));
                    }
                } else if e.text.trim().is_empty() {
                    continue;
                }
            } else if !turn.tool_results.is_empty()
                && turns.last().is_none_or(|t| t.tool_calls.is_empty())
            {
                // Results without the calls before them are not sent.
                turn.tool_results.clear();
                if turn.text.trim().is_empty() {
                    continue;
                }
            }
            turns.push(turn);
        }
        (turns, problems)
    }

    /// The conversation so far plus `prompt` (and the files that could not be read back).
    pub fn conversation_with(
        &self,
        system: Option<String>,
        prompt: &str,
    ) -> (Conversation, Vec<String>) {
        let (mut turns, problems) = self.context();
        turns.push(Turn::new(Role::User, prompt));
        let conversation = Conversation {
            system: system.or_else(|| self.system.clone()),
            tools: Vec::new(),
            turns,
        };
        (conversation, problems)
    }

    /// The entries that follow each entry (0: the first turns), in the order of the file.
    pub fn children(&self) -> HashMap<u64, Vec<u64>> {
        let mut children: HashMap<u64, Vec<u64>> = HashMap::new();
        for entry in &self.entries {
            children.entry(entry.parent).or_default().push(entry.id);
        }
        children
    }

    /// The largest entry id.
    pub fn last_id(&self) -> u64 {
        self.entries.iter().map(|e| e.id).max().unwrap_or(0)
    }
}

/// Reads back the files a session entry names; each one that cannot be read is a problem.
pub(crate) fn load_attachments(
    dir: Option<&std::path::Path>,
    references: &[crate::attachments::Reference],
    problems: &mut Vec<String>,
) -> Vec<crate::attachments::Attachment> {
    if references.is_empty() {
        return Vec::new();
    }
    let Some(dir) = dir else {
        problems.push("no data directory to read attached files from".to_string());
        return Vec::new();
    };
    references
        .iter()
        .filter_map(|r| {
            crate::attachments::store::load(dir, r)
                .map_err(|e| problems.push(format!("not sent: {e}")))
                .ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{End, EndStatus, Record};
    use super::*;

    fn user(id: u64, text: &str, parent: Option<u64>) -> Record {
        Record::User {
            at: "t".into(),
            id,
            text: text.into(),
            parent,
            attachments: Vec::new(),
            tool_results: Vec::new(),
        }
    }

    fn answer(t: &mut Transcript, id: u64, parent: Option<u64>, text: &str, status: EndStatus) {
        t.apply(Record::AssistantStart {
            at: "t".into(),
            id,
            model: "m".into(),
            parent,
        })
        .unwrap();
        t.apply(Record::Text {
            id,
            text: text.into(),
        })
        .unwrap();
        t.apply(Record::AssistantEnd {
            at: "t".into(),
            id,
            end: End {
                status,
                ..End::default()
            },
        })
        .unwrap();
    }

    fn texts(entries: &[&Entry]) -> Vec<String> {
        entries.iter().map(|e| e.text.clone()).collect()
    }

    #[test]
    fn a_file_without_parents_is_one_line() {
        let mut t = Transcript::default();
        t.apply(user(1, "a", None)).unwrap();
        answer(&mut t, 2, None, "b", EndStatus::Complete);
        t.apply(user(3, "c", None)).unwrap();
        assert_eq!(texts(&t.path()), ["a", "b", "c"]);
        assert_eq!(t.context().0.len(), 3);
    }

    #[test]
    fn branches_select_and_what_is_sent() {
        let mut t = Transcript::default();
        t.apply(user(1, "q", Some(0))).unwrap();
        answer(&mut t, 2, Some(1), "first", EndStatus::Complete);
        t.apply(user(3, "follow", Some(2))).unwrap();
        answer(&mut t, 4, Some(3), "partial", EndStatus::Cancelled);
        // Regenerated: a sibling of 2; the new answer is on screen.
        answer(&mut t, 5, Some(1), "second", EndStatus::Complete);
        assert_eq!(texts(&t.path()), ["q", "second"]);
        assert_eq!(t.children()[&1], [2, 5]);
        // Back to the first branch.
        t.apply(Record::Select { id: 4 }).unwrap();
        assert_eq!(texts(&t.path()), ["q", "first", "follow", "partial"]);
        // The cancelled answer is not sent unless kept.
        assert_eq!(t.context().0.len(), 3);
        t.apply(Record::Kept { id: 4, kept: true }).unwrap();
        assert_eq!(t.context().0.len(), 4);
        // A deleted turn is neither shown nor sent.
        t.apply(Record::Deleted { id: 3 }).unwrap();
        t.apply(Record::Deleted { id: 4 }).unwrap();
        assert_eq!(texts(&t.path()).len(), 4);
        assert_eq!(
            texts(&t.on_screen().entries.iter().collect::<Vec<_>>()),
            ["q", "first"]
        );
        assert_eq!(t.context().0.len(), 2);
        // An edited first prompt is a second root.
        t.apply(user(6, "q edited", Some(0))).unwrap();
        assert_eq!(texts(&t.path()), ["q edited"]);
        assert_eq!(t.children()[&0], [1, 6]);
    }

    #[test]
    fn damaged_links_are_reported_and_do_not_loop() {
        let mut t = Transcript::default();
        t.apply(user(1, "a", Some(0))).unwrap();
        assert!(t.apply(user(2, "b", Some(7))).is_err(), "unknown parent");
        assert!(t.apply(user(3, "c", Some(3))).is_err(), "its own parent");
        assert_eq!(texts(&t.path()), ["a", "b", "c"]);
        assert!(t.apply(Record::Select { id: 9 }).is_err());
        // Ids out of order cannot make a cycle either.
        let mut t = Transcript::default();
        t.apply(user(5, "x", None)).unwrap();
        t.apply(user(2, "y", None)).unwrap();
        t.apply(user(6, "z", Some(2))).unwrap();
        assert!(t.path().len() <= 3);
    }
}
