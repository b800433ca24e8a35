//! What makes a keymap usable, checked when the user's overrides are merged: the keys the chat
//! screen must always have (quit, send, help), and the line of a key in the config file for
//! the warnings.

use super::{Action, Context, KeyChord, Keymap, defaults::DEFAULTS};

/// What the chat screen must always have a key for.
pub(super) const ESSENTIAL: [Action; 3] = [Action::Quit, Action::Send, Action::ToggleHelp];

/// The line of `key` in the `[keys.<context>]` table of a config file's text, if written there
/// as `key = ...` (bare or quoted).
pub(super) fn key_line(text: &str, context: &str, key: &str) -> Option<usize> {
    let header = format!("keys.{context}");
    let mut inside = false;
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(table) = line.strip_prefix('[') {
            let name: String = table
                .trim_end_matches(']')
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'')
                .collect();
            inside = name == header;
            continue;
        }
        if !inside {
            continue;
        }
        let Some((name, _)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim().trim_matches(|c| c == '"' || c == '\'');
        if name == key {
            return Some(number + 1);
        }
    }
    None
}

impl Keymap {
    /// Whether a key on the chat screen reaches `action`: bound in the chat, or globally on a
    /// key the chat does not take for something else.
    pub(super) fn reachable_from_chat(&self, action: Action) -> bool {
        let chat = self.bindings.get(&Context::Chat);
        if chat.is_some_and(|t| t.values().any(|a| *a == action)) {
            return true;
        }
        self.bindings.get(&Context::Global).is_some_and(|global| {
            global
                .iter()
                .any(|(chord, a)| *a == action && chat.is_none_or(|t| !t.contains_key(chord)))
        })
    }

    /// Puts the default keys of `action` back (taking them from whatever the user gave them
    /// to on the chat screen); returns them as text.
    pub(super) fn restore_defaults(&mut self, action: Action) -> String {
        let mut kept = Vec::new();
        for (context, key, _) in DEFAULTS.iter().filter(|(context, _, a)| {
            *a == action && matches!(context, Context::Global | Context::Chat)
        }) {
            let Ok(chord) = KeyChord::parse(key) else {
                continue;
            };
            self.bindings
                .entry(*context)
                .or_default()
                .insert(chord, action);
            if *context == Context::Global
                && let Some(chat) = self.bindings.get_mut(&Context::Chat)
            {
                chat.remove(&chord);
            }
            kept.push(chord.to_string());
        }
        kept.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn a_key_given_twice_is_reported_with_its_lines() {
        let text = "[keys.chat]\n\"ctrl+o\" = \"open_model_picker\"\n\"control+o\" = \"retry\"\n";
        let config = crate::config::Config::parse(text).unwrap();
        let (keymap, warnings) = Keymap::with_overrides(&config.keys, Some(text));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("\"control+o\" (line 3) and \"ctrl+o\" (line 2) are the same key"),
            "{warnings:?}"
        );
        let ctrl = |c| key(KeyCode::Char(c), KeyModifiers::CONTROL);
        assert_eq!(
            keymap.action(Context::Chat, &ctrl('o')),
            Some(Action::OpenModelPicker)
        );
    }

    #[test]
    fn a_keymap_without_quit_send_or_help_keeps_their_defaults() {
        let text = "[keys.global]\n\"ctrl+c\" = \"none\"\n\"f1\" = \"none\"\n[keys.chat]\nenter = \"newline\"\n";
        let config = crate::config::Config::parse(text).unwrap();
        let (keymap, warnings) = Keymap::with_overrides(&config.keys, Some(text));
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(
            warnings[0].contains("no key to quit; ctrl+c kept"),
            "{warnings:?}"
        );
        assert!(
            warnings[1].contains("no key to send; enter kept"),
            "{warnings:?}"
        );
        assert!(
            warnings[2].contains("no key to toggle help; F1 kept"),
            "{warnings:?}"
        );
        assert_eq!(
            keymap.action(
                Context::Global,
                &key(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            Some(Action::Quit)
        );
        assert_eq!(
            keymap.action(Context::Chat, &key(KeyCode::Enter, KeyModifiers::NONE)),
            Some(Action::Send)
        );
        // Shadowing the global quit key on the chat screen counts as leaving no way out.
        let text = "[keys.chat]\n\"ctrl+c\" = \"retry\"\n";
        let config = crate::config::Config::parse(text).unwrap();
        let (keymap, warnings) = Keymap::with_overrides(&config.keys, Some(text));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(
            keymap.action(
                Context::Chat,
                &key(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            None
        );
    }
}
