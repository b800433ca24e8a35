//! The wire inspector: which answer it shows and where it is scrolled. It opens on the last
//! answer that has an exchange; left and right step through the others.

use super::state::{Overlay, State};
use crate::keymap::Action;

/// Answers (message ids) that have an exchange to show, oldest first.
fn inspectable(state: &State) -> Vec<u64> {
    state
        .messages
        .iter()
        .filter(|m| m.exchange.is_some())
        .map(|m| m.id)
        .collect()
}

/// Opens the inspector on the latest answer, or closes it.
pub fn toggle(state: &mut State) {
    if matches!(state.overlay, Overlay::Inspector { .. }) {
        state.overlay = Overlay::None;
        return;
    }
    match inspectable(state).last() {
        Some(&message) => state.overlay = Overlay::Inspector { message, scroll: 0 },
        None => state.flash("nothing to inspect yet: send a prompt first", true),
    }
}

/// An action pressed in the inspector.
pub fn perform(state: &mut State, action: Action) {
    let page = state.view.overlay_viewport.saturating_sub(2).max(1);
    let bottom = state
        .view
        .overlay_content
        .saturating_sub(state.view.overlay_viewport);
    let answers = inspectable(state);
    if let Overlay::Matrix(view) = &mut state.overlay {
        // A row of the matrix: Esc goes back to the table, left/right to the other rows.
        let last = view.rows.len().saturating_sub(1);
        let Some(scroll) = &mut view.inspect else {
            return;
        };
        match action {
            Action::Close | Action::ToggleInspector => view.inspect = None,
            Action::SelectPrevious => {
                view.selected = view.selected.saturating_sub(1);
                *scroll = 0;
            }
            Action::SelectNext => {
                view.selected = (view.selected + 1).min(last);
                *scroll = 0;
            }
            other => scroll_by(scroll, other, page, bottom),
        }
        return;
    }
    let Overlay::Inspector { message, scroll } = &mut state.overlay else {
        return;
    };
    let position = answers.iter().position(|id| id == message);
    match action {
        Action::Close | Action::ToggleInspector => state.overlay = Overlay::None,
        Action::SelectPrevious | Action::SelectNext => {
            let next = match (position, action == Action::SelectNext) {
                (Some(p), true) => answers.get(p + 1),
                (Some(p), false) if p > 0 => answers.get(p - 1),
                _ => None,
            };
            if let Some(&id) = next {
                *message = id;
                *scroll = 0;
            }
        }
        other => scroll_by(scroll, other, page, bottom),
    }
}

fn scroll_by(scroll: &mut usize, action: Action, page: usize, bottom: usize) {
    match action {
        Action::ScrollUp => *scroll = (*scroll).min(bottom).saturating_sub(1),
        Action::ScrollDown => *scroll = (*scroll + 1).min(bottom),
        Action::PageUp => *scroll = (*scroll).min(bottom).saturating_sub(page),
        Action::PageDown => *scroll = (*scroll + page).min(bottom),
        Action::ScrollTop => *scroll = 0,
        Action::ScrollBottom => *scroll = bottom,
        _ => {}
    }
}
