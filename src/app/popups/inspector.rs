//! The wire inspector: which answer it shows and where it is scrolled. It opens on the selected
//! answer (transcript focus) or the last one that has an exchange; left and right step through the others; `e` opens the answer's
//! request in the editor to send it again. A matrix row's exchange scrolls the same way.

use crate::app::popups::{Overlay, Popup, Reply};
use crate::app::state::State;
use crate::keymap::{Action, Context};

/// The inspector popup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InspectorView {
    /// The answer's message id.
    pub message: u64,
    /// First row shown (`usize::MAX`: the end).
    pub scroll: usize,
}

/// Answers (message ids) that have an exchange to show, oldest first.
fn inspectable(state: &State) -> Vec<u64> {
    state
        .chat
        .messages
        .iter()
        .filter(|m| m.exchange.is_some())
        .map(|m| m.id)
        .collect()
}

/// Opens the inspector on the selected answer in transcript focus (what was sent for it,
/// exactly), else on the latest answer.
pub fn open(state: &mut State) {
    let answers = inspectable(state);
    let selected = state
        .screen
        .cursor
        .filter(|_| state.screen.focus == crate::app::state::Focus::Transcript)
        .filter(|id| answers.contains(id));
    match selected.or_else(|| answers.last().copied()) {
        Some(message) => {
            state.screen.overlay = Overlay::Inspector(InspectorView { message, scroll: 0 });
        }
        None => state.flash("nothing to inspect yet: send a prompt first", true),
    }
}

/// The last row the scroll may start at, and a page, for the popup's last frame.
fn bounds(state: &State) -> (usize, usize) {
    let page = state.screen.view.overlay_viewport.saturating_sub(2).max(1);
    let bottom = state
        .screen
        .view
        .overlay_content
        .saturating_sub(state.screen.view.overlay_viewport);
    (bottom, page)
}

impl Popup for InspectorView {
    fn context(&self) -> Context {
        Context::Inspector
    }

    fn on_action(&mut self, state: &mut State, action: Action) -> Reply {
        match action {
            Action::Close | Action::ToggleInspector => return Reply::close(),
            Action::EditRequest => {
                return match crate::app::popups::resend::form_for(state, self.message) {
                    Ok(form) => Reply::open(Overlay::Resend(Box::new(form))),
                    Err(e) => {
                        state.flash(e, true);
                        Reply::stay()
                    }
                };
            }
            Action::SelectPrevious | Action::SelectNext => {
                let answers = inspectable(state);
                let position = answers.iter().position(|id| *id == self.message);
                let next = match (position, action == Action::SelectNext) {
                    (Some(p), true) => answers.get(p + 1),
                    (Some(p), false) if p > 0 => answers.get(p - 1),
                    _ => None,
                };
                if let Some(&id) = next {
                    self.message = id;
                    self.scroll = 0;
                }
            }
            other => {
                let (bottom, page) = bounds(state);
                scroll_by(&mut self.scroll, other, page, bottom);
            }
        }
        Reply::stay()
    }

    fn on_scroll(&mut self, state: &mut State, delta: isize) {
        let (bottom, _) = bounds(state);
        self.scroll = self.scroll.saturating_add_signed(delta).min(bottom);
    }
}

/// Scrolls an exchange view by an action; `bottom` is the last first row.
pub(crate) fn scroll_exchange(state: &State, scroll: &mut usize, action: Action) {
    let (bottom, page) = bounds(state);
    scroll_by(scroll, action, page, bottom);
}

/// A wheel step over an exchange view.
pub(crate) fn wheel_exchange(state: &State, scroll: &mut usize, delta: isize) {
    let (bottom, _) = bounds(state);
    *scroll = scroll.saturating_add_signed(delta).min(bottom);
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
