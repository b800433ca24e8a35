//! The prompt editor's text as the rest of the chat sees it: the draft (pasted blocks put
//! back in), replacing it, keys and pastes as undo steps, and a paste too large to edit kept
//! aside as a block.

use super::state::State;
use ratatui_textarea::{TextArea, WrapMode};

impl State {
    /// Keeps a sent prompt for Up to recall, as it must be typed to be sent again (see
    /// [`super::commands::as_typed`]); an empty one or the same as the last is not kept.
    pub(crate) fn remember_prompt(&mut self, prompt: &str) {
        let typed = super::commands::as_typed(prompt);
        if !prompt.trim().is_empty()
            && self.composer.history.last().map(String::as_str) != Some(&*typed)
        {
            self.composer.history.push(typed.into_owned());
        }
    }

    /// The text in the prompt editor, with each pasted block's token replaced by its text.
    pub fn draft(&self) -> String {
        let mut text = self.composer.editor.lines().join("\n");
        for block in &self.composer.pastes {
            if let Some(at) = text.find(&block.token) {
                text.replace_range(at..at + block.token.len(), &block.text);
            }
        }
        text
    }

    /// Whether the prompt editor is empty.
    pub(crate) fn draft_is_empty(&self) -> bool {
        self.composer.editor.lines().iter().all(String::is_empty)
    }

    /// Replaces the prompt editor's text (cursor at the end); one undo step brings the old
    /// text back.
    pub fn set_draft(&mut self, text: &str) {
        if self.draft() != text {
            let added = self.composer.undo.before(
                super::undo::Edit::Other,
                &self.composer.editor,
                &self.composer.pastes,
            );
            self.composer.undo.after(added, true);
        }
        let placeholder = self.composer.editor.placeholder_text().to_string();
        self.composer.editor = new_editor();
        self.composer.editor.set_placeholder_text(placeholder);
        self.composer.pastes.clear();
        self.insert_into_editor(text);
    }

    /// A key given to the prompt editor, with its undo step; true when the text changed.
    pub(crate) fn edit_with_key(&mut self, key: crossterm::event::KeyEvent) -> bool {
        let kind = super::undo::kind_of_key(&key);
        let added = kind.is_some_and(|k| {
            self.composer
                .undo
                .before(k, &self.composer.editor, &self.composer.pastes)
        });
        let changed = self.composer.editor.input(key);
        match kind {
            Some(_) => self.composer.undo.after(added, changed),
            None => self.composer.undo.break_group(),
        }
        changed
    }

    /// An edit of the prompt that is one undo step of its own (a newline, a kill); `edit`
    /// says whether it changed the text.
    pub(crate) fn edit_step(&mut self, edit: impl FnOnce(&mut TextArea<'static>) -> bool) {
        let added = self.composer.undo.before(
            super::undo::Edit::Other,
            &self.composer.editor,
            &self.composer.pastes,
        );
        let changed = edit(&mut self.composer.editor);
        self.composer.undo.after(added, changed);
    }

    /// Inserts text at the cursor (a paste) as one undo step, or as part of the step of the
    /// paste before it when it `goes_on` with it; see [`State::insert_into_editor`].
    pub(crate) fn insert_paste(&mut self, text: &str, goes_on: bool) {
        let kind = if goes_on {
            super::undo::Edit::PasteGoesOn
        } else {
            super::undo::Edit::Paste
        };
        let added = self
            .composer
            .undo
            .before(kind, &self.composer.editor, &self.composer.pastes);
        self.insert_into_editor(text);
        self.composer.undo.after(added, !text.is_empty());
    }

    /// Inserts text at the cursor: a text too large to edit comfortably goes in as a pasted
    /// block (a token in the editor, the text kept aside), so the editor stays fast.
    fn insert_into_editor(&mut self, text: &str) {
        let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1;
        if text.len() <= PASTE_BLOCK_BYTES && lines <= PASTE_BLOCK_LINES {
            self.composer.editor.insert_str(text);
            return;
        }
        let number = self.composer.pastes.len() + 1;
        let token = format!(
            "⟦pasted text #{number}: {lines} lines, {}⟧",
            crate::files::human_size(text.len() as u64)
        );
        self.composer.editor.insert_str(&token);
        self.composer.pastes.push(PastedBlock {
            token,
            text: std::sync::Arc::from(text),
        });
    }
}

/// A paste larger than this many bytes or lines becomes a [`PastedBlock`].
pub const PASTE_BLOCK_BYTES: usize = 256 * 1024;
/// See [`PASTE_BLOCK_BYTES`].
pub const PASTE_BLOCK_LINES: usize = 5_000;

/// A large paste kept out of the editor: the editor shows `token`, and the prompt sent has
/// `text` in its place. Deleting the token drops the paste.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastedBlock {
    /// What the editor shows: `⟦pasted text #1: 250000 lines, 19.1 MiB⟧`.
    pub token: String,
    /// The pasted text (shared: undo steps keep it without copying it).
    pub text: std::sync::Arc<str>,
}

/// A prompt editor with soft wrapping and no line highlight.
pub(crate) fn new_editor() -> TextArea<'static> {
    let mut editor = TextArea::default();
    editor.set_wrap_mode(WrapMode::WordOrGlyph);
    editor.set_cursor_line_style(ratatui::style::Style::default());
    // Undo is by edit group (see `undo`), not the editor's per-character history.
    editor.set_max_histories(0);
    editor
}

/// What the empty prompt editor says, with the keys of this keymap: the keys for a newline
/// leave out shift+enter when another is bound (most terminals cannot tell it from enter).
pub(crate) fn placeholder(keymap: &crate::keymap::Keymap) -> String {
    use crate::keymap::{Action, Context};
    let mut newline: Vec<String> = keymap
        .keys_for(Context::Chat, Action::Newline)
        .iter()
        .map(ToString::to_string)
        .collect();
    if newline.len() > 1 {
        newline.retain(|key| key != "shift+enter");
    }
    let newline = if newline.is_empty() {
        "unbound".to_string()
    } else {
        newline.join(" or ")
    };
    format!(
        "Ask anything. {} sends, {newline} for a newline, {} for help",
        keymap.hint(Context::Chat, Action::Send),
        keymap.hint(Context::Chat, Action::ToggleHelp)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn the_empty_editor_names_this_keymaps_keys() {
        let keymap = crate::keymap::Keymap::default();
        assert_eq!(
            placeholder(&keymap),
            "Ask anything. enter sends, ctrl+j or alt+enter for a newline, F1 for help"
        );
        let overrides = BTreeMap::from([(
            "chat".to_string(),
            BTreeMap::from([
                ("ctrl+j".to_string(), "none".to_string()),
                ("alt+enter".to_string(), "none".to_string()),
                ("f2".to_string(), "toggle_help".to_string()),
            ]),
        )]);
        let (keymap, _) = crate::keymap::Keymap::with_overrides(&overrides, None);
        assert_eq!(
            placeholder(&keymap),
            "Ask anything. enter sends, shift+enter for a newline, F2 for help"
        );
    }
}
