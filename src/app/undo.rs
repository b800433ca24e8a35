//! Undo by edit group for the prompt editor, as readline and editors do it: a typed word (with
//! the spaces before it) is one step, a run of deletions is one, and a paste, a kill, a newline
//! or a replaced draft is one each. Moving the cursor ends a group. The editor's own
//! per-character history is off; each group keeps a snapshot of the draft from before it.

use super::state::PastedBlock;
use ratatui_textarea::{CursorMove, TextArea};

/// Snapshots kept at most …
const MOST_STEPS: usize = 200;
/// … and at most this many bytes of them.
const MOST_BYTES: usize = 64 * 1024 * 1024;

/// What an edit is, for grouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// A character of a word typed.
    Word,
    /// A space (or tab) typed.
    Space,
    /// A character deleted (Backspace, Delete).
    Delete,
    /// A paste.
    Paste,
    /// More of a paste that arrived in pieces: it goes on with the paste before it.
    PasteGoesOn,
    /// Anything else that changes the text: a kill, a newline, a new draft.
    Other,
}

impl Edit {
    /// Whether this edit goes on with the group `last` started.
    fn continues(self, last: Edit) -> bool {
        match (last, self) {
            // A paste read in pieces is one; a word goes with the spaces typed before it.
            (Edit::Paste | Edit::PasteGoesOn, Edit::PasteGoesOn) | (Edit::Space, Edit::Word) => {
                true
            }
            (Edit::Other | Edit::Paste | Edit::PasteGoesOn, _)
            | (_, Edit::Other | Edit::Paste | Edit::PasteGoesOn) => false,
            (last, this) => last == this,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Snapshot {
    lines: Vec<String>,
    cursor: (usize, usize),
    pastes: Vec<PastedBlock>,
}

impl Snapshot {
    fn of(editor: &TextArea<'_>, pastes: &[PastedBlock]) -> Snapshot {
        Snapshot {
            lines: editor.lines().to_vec(),
            cursor: {
                let ratatui_textarea::DataCursor(row, col) = editor.cursor();
                (row, col)
            },
            pastes: pastes.to_vec(),
        }
    }

    /// Bytes the snapshot holds of its own (pasted blocks are shared with the draft).
    fn bytes(&self) -> usize {
        self.lines.iter().map(String::len).sum::<usize>()
    }

    fn restore(self, editor: &mut TextArea<'static>, pastes: &mut Vec<PastedBlock>) {
        let mut fresh = super::state::new_editor();
        fresh.set_placeholder_text(editor.placeholder_text());
        fresh.insert_str(self.lines.join("\n"));
        let (row, col) = self.cursor;
        fresh.move_cursor(CursorMove::Jump(
            u16::try_from(row).unwrap_or(u16::MAX),
            u16::try_from(col).unwrap_or(u16::MAX),
        ));
        *editor = fresh;
        *pastes = self.pastes;
    }
}

/// The undo and redo steps of the prompt editor.
#[derive(Debug, Clone, Default)]
pub struct Undo {
    back: Vec<Snapshot>,
    forward: Vec<Snapshot>,
    /// The kind of the last edit, while its group is open.
    last: Option<Edit>,
    bytes: usize,
}

impl Undo {
    /// Before an edit of `kind`: when it starts a new group, the draft as it is becomes an undo
    /// step. Returns whether a step was added (to be dropped if the edit changed nothing).
    pub fn before(&mut self, kind: Edit, editor: &TextArea<'_>, pastes: &[PastedBlock]) -> bool {
        let open = self.last.is_some_and(|last| kind.continues(last));
        self.last = Some(kind);
        if open {
            return false;
        }
        let snapshot = Snapshot::of(editor, pastes);
        self.bytes += snapshot.bytes();
        self.back.push(snapshot);
        while self.back.len() > MOST_STEPS || (self.bytes > MOST_BYTES && self.back.len() > 1) {
            let dropped = self.back.remove(0);
            self.bytes -= dropped.bytes();
        }
        true
    }

    /// After an edit: when it changed nothing, the step [`Undo::before`] added is dropped; when
    /// it changed the text, what could be redone is gone.
    pub fn after(&mut self, added: bool, changed: bool) {
        if changed {
            self.forward.clear();
        } else if added && let Some(dropped) = self.back.pop() {
            self.bytes -= dropped.bytes();
            self.last = None;
        }
    }

    /// The cursor moved (or the focus left): the next edit starts a new group.
    pub fn break_group(&mut self) {
        self.last = None;
    }

    /// Goes back one group; false when there is nothing to undo.
    pub fn undo(&mut self, editor: &mut TextArea<'static>, pastes: &mut Vec<PastedBlock>) -> bool {
        let Some(step) = self.back.pop() else {
            return false;
        };
        self.bytes -= step.bytes();
        self.forward.push(Snapshot::of(editor, pastes));
        step.restore(editor, pastes);
        self.last = None;
        true
    }

    /// Goes forward one group again; false when there is nothing to redo.
    pub fn redo(&mut self, editor: &mut TextArea<'static>, pastes: &mut Vec<PastedBlock>) -> bool {
        let Some(step) = self.forward.pop() else {
            return false;
        };
        let now = Snapshot::of(editor, pastes);
        self.bytes += now.bytes();
        self.back.push(now);
        step.restore(editor, pastes);
        self.last = None;
        true
    }
}

/// What a key given to the editor would do, for grouping: `None` for keys that do not edit.
pub(crate) fn kind_of_key(key: &crossterm::event::KeyEvent) -> Option<Edit> {
    use crossterm::event::{KeyCode, KeyModifiers};
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    Some(match key.code {
        KeyCode::Char(c) if !ctrl && !alt => {
            if c.is_whitespace() {
                Edit::Space
            } else {
                Edit::Word
            }
        }
        KeyCode::Backspace | KeyCode::Delete if !ctrl && !alt => Edit::Delete,
        KeyCode::Char('h' | 'd') if ctrl && !alt => Edit::Delete,
        KeyCode::Tab => Edit::Space,
        // Kills, word deletions, yanks, newlines: a step each.
        KeyCode::Char('k' | 'w' | 'y' | 'm' | 'j') if ctrl => Edit::Other,
        KeyCode::Backspace | KeyCode::Delete | KeyCode::Char('d') if alt => Edit::Other,
        KeyCode::Enter => Edit::Other,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::app::state::State;
    use crate::config::theme::Theme;
    use crate::keymap::Keymap;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn state() -> State {
        State::new("m".into(), Keymap::default(), Theme::default())
    }

    fn key(s: &mut State, code: KeyCode, modifiers: KeyModifiers) {
        crate::app::keys::on_key(s, KeyEvent::new(code, modifiers));
    }

    fn type_text(s: &mut State, text: &str) {
        for c in text.chars() {
            key(s, KeyCode::Char(c), KeyModifiers::NONE);
        }
    }

    fn undo(s: &mut State) {
        key(s, KeyCode::Char('_'), KeyModifiers::CONTROL);
    }

    #[test]
    fn words_deletions_pastes_and_kills_are_one_step_each() {
        let mut s = state();
        type_text(&mut s, "hello world again");
        undo(&mut s);
        assert_eq!(s.draft(), "hello world");
        undo(&mut s);
        assert_eq!(s.draft(), "hello");
        // Redo goes forward a word at a time.
        key(&mut s, KeyCode::Char('z'), KeyModifiers::ALT);
        assert_eq!(s.draft(), "hello world");
        // Deleting is a step of its own, however many characters.
        for _ in 0..3 {
            key(&mut s, KeyCode::Backspace, KeyModifiers::NONE);
        }
        assert_eq!(s.draft(), "hello wo");
        undo(&mut s);
        assert_eq!(s.draft(), "hello world");
        // A paste is one step, with the pieces that go on with it; so is a kill.
        crate::app::keys::on_paste(&mut s, "\nline one", false);
        crate::app::keys::on_paste(&mut s, "\nline two", true);
        key(&mut s, KeyCode::Char('u'), KeyModifiers::CONTROL);
        assert_eq!(s.draft(), "hello world\nline one\n");
        undo(&mut s);
        assert_eq!(s.draft(), "hello world\nline one\nline two");
        undo(&mut s);
        assert_eq!(s.draft(), "hello world");
        // Two pastes are two steps.
        crate::app::keys::on_paste(&mut s, " one", false);
        crate::app::keys::on_paste(&mut s, " two", false);
        undo(&mut s);
        assert_eq!(s.draft(), "hello world one");
        undo(&mut s);
        assert_eq!(s.draft(), "hello world");
        // Moving the cursor ends a word: what is typed after it is a step of its own.
        key(&mut s, KeyCode::Left, KeyModifiers::NONE);
        type_text(&mut s, "X");
        key(&mut s, KeyCode::End, KeyModifiers::NONE);
        type_text(&mut s, "Y");
        assert_eq!(s.draft(), "hello worlXdY");
        undo(&mut s);
        assert_eq!(s.draft(), "hello worlXd");
        undo(&mut s);
        assert_eq!(s.draft(), "hello world");
        // Clearing the draft can be undone.
        key(&mut s, KeyCode::Char('g'), KeyModifiers::CONTROL);
        assert_eq!(s.draft(), "");
        undo(&mut s);
        assert_eq!(s.draft(), "hello world");
        // Undo with nothing left says so and changes nothing.
        for _ in 0..10 {
            undo(&mut s);
        }
        assert_eq!(s.draft(), "");
    }
}
