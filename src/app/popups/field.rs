//! A popup's one-line text field (a filter, a title, a parameter): typed into, erased, cleared.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Typing into a one-line field of a popup: characters, Backspace, Ctrl+U clears. Returns
/// whether the text changed.
pub(crate) fn edit_field(field: &mut String, key: &KeyEvent) -> bool {
    match key.code {
        KeyCode::Char('u') if key.modifiers == KeyModifiers::CONTROL => {
            let changed = !field.is_empty();
            field.clear();
            changed
        }
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            field.push(c);
            true
        }
        KeyCode::Backspace => field.pop().is_some(),
        _ => false,
    }
}
