//! The popups over the chat, one module each (their views are `ui/popups/` of the same
//! names), dispatched in one place: [`Overlay`] names the open one, and each
//! popup module implements [`Popup`] (its key context, what its actions, unbound keys, pastes
//! and wheel steps do). While a handler runs, the popup is taken out of the state, so a
//! handler reads its own fields and the rest of the state without aliasing; its [`Reply`] says
//! whether it stays, closes or gives way to another popup.

pub mod compare;
mod field;
pub(crate) use field::edit_field;
pub mod help;
pub mod inspector;
pub mod matrix;
pub mod parameters;
pub mod picker;
pub(crate) mod resend;
pub mod roles;
pub mod sessions;

use crate::app::Effect;
use crate::app::state::State;
use crate::keymap::{Action, Context};
use crossterm::event::KeyEvent;

/// The popup on top of the chat, if any.
#[derive(Debug, Clone, Default)]
pub enum Overlay {
    /// None.
    #[default]
    None,
    /// The model picker.
    Picker(crate::app::popups::picker::Picker),
    /// The parameters form.
    Parameters(crate::app::popups::parameters::ParamsForm),
    /// The help overlay.
    Help(crate::app::popups::help::HelpView),
    /// The saved-conversation browser.
    Sessions(crate::app::popups::sessions::SessionBrowser),
    /// The accept / content-type matrix.
    Matrix(crate::app::popups::matrix::MatrixView),
    /// Models side by side.
    Compare(crate::app::popups::compare::CompareView),
    /// Editing a request to send it again.
    Resend(Box<crate::app::popups::resend::ResendForm>),
    /// The wire inspector for one answer.
    Inspector(crate::app::popups::inspector::InspectorView),
    /// The role picker.
    Roles(crate::app::popups::roles::RolePicker),
    /// A tool call waits for approval.
    Tools(Box<crate::app::tool_round::ToolApproval>),
}

/// What happens to a popup after it handled something.
#[derive(Debug)]
pub enum After {
    /// It stays open.
    Stay,
    /// It closes.
    Close,
    /// Another popup takes its place.
    Open(Overlay),
}

/// A popup handler's answer: what becomes of the popup, and the I/O it asks for.
#[derive(Debug)]
pub struct Reply {
    /// What becomes of the popup.
    pub after: After,
    /// I/O to run.
    pub effects: Vec<Effect>,
}

impl Reply {
    /// The popup stays, nothing to run.
    pub fn stay() -> Reply {
        Reply {
            after: After::Stay,
            effects: Vec::new(),
        }
    }

    /// The popup closes.
    pub(crate) fn close() -> Reply {
        Reply {
            after: After::Close,
            effects: Vec::new(),
        }
    }

    /// Another popup opens in its place.
    pub fn open(overlay: Overlay) -> Reply {
        Reply {
            after: After::Open(overlay),
            effects: Vec::new(),
        }
    }

    /// The same, with effects to run.
    pub fn with(mut self, effects: Vec<Effect>) -> Reply {
        self.effects = effects;
        self
    }
}

/// What every popup does with input. Unbound keys, pastes and the wheel do nothing unless a
/// popup says otherwise.
pub(crate) trait Popup {
    /// Where its keys are looked up.
    fn context(&self) -> Context;
    /// A key before it is looked up: `Some` when the popup takes it as it is (a question not
    /// yet ready for an answer), `None` to look it up as usual.
    fn early_key(&mut self, state: &mut State, key: &KeyEvent) -> Option<Reply> {
        let _ = (state, key);
        None
    }
    /// A bound key's action.
    fn on_action(&mut self, state: &mut State, action: Action) -> Reply;
    /// A key no binding claims (typing into a filter or a field).
    fn on_key(&mut self, state: &mut State, key: &KeyEvent) -> Reply {
        let _ = (state, key);
        Reply::stay()
    }
    /// A paste, newlines already unified to `\n` and controls made visible.
    fn on_paste(&mut self, state: &mut State, text: &str) -> Reply {
        let _ = (state, text);
        Reply::stay()
    }
    /// A wheel step (negative: up).
    fn on_scroll(&mut self, state: &mut State, delta: isize) {
        let _ = (state, delta);
    }
}

impl Overlay {
    /// The tool question open, on top or under the help read over it.
    pub(crate) fn tool_question(&self) -> Option<&crate::app::ToolApproval> {
        match self {
            Overlay::Tools(question) => Some(question),
            Overlay::Help(help) => help.under.as_deref().and_then(Overlay::tool_question),
            _ => None,
        }
    }

    /// The tool question, on top or under the help, to change it in place.
    pub(crate) fn tool_question_mut(&mut self) -> Option<&mut crate::app::ToolApproval> {
        match self {
            Overlay::Tools(question) => Some(question),
            Overlay::Help(help) => help
                .under
                .as_deref_mut()
                .and_then(Overlay::tool_question_mut),
            _ => None,
        }
    }

    /// Closes the tool question wherever it is (help read over it stays, over nothing).
    pub(crate) fn close_tool_question(&mut self) {
        match self {
            Overlay::Tools(_) => *self = Overlay::None,
            Overlay::Help(help)
                if help
                    .under
                    .as_deref()
                    .is_some_and(|u| u.tool_question().is_some()) =>
            {
                help.under = None;
            }
            _ => {}
        }
    }

    /// The open popup, if any.
    fn popup(&mut self) -> Option<&mut dyn Popup> {
        Some(match self {
            Overlay::None => return None,
            Overlay::Picker(p) => p,
            Overlay::Parameters(p) => p,
            Overlay::Help(p) => p,
            Overlay::Sessions(p) => p,
            Overlay::Matrix(p) => p,
            Overlay::Compare(p) => p,
            Overlay::Resend(p) => p.as_mut(),
            Overlay::Inspector(p) => p,
            Overlay::Roles(p) => p,
            Overlay::Tools(p) => p.as_mut(),
        })
    }

    /// The key context of the open popup.
    pub(crate) fn context(&mut self) -> Option<Context> {
        self.popup().map(|p| p.context())
    }

    /// Whether a popup is open.
    pub(crate) fn is_open(&self) -> bool {
        !matches!(self, Overlay::None)
    }
}

/// Offers a key to the open popup before it is looked up: the effects when the popup took it.
pub(crate) fn early_key(state: &mut State, key: &KeyEvent) -> Option<Vec<Effect>> {
    let mut taken = false;
    let effects = dispatch(state, |popup, state| match popup.early_key(state, key) {
        Some(reply) => {
            taken = true;
            reply
        }
        None => Reply::stay(),
    })?;
    taken.then_some(effects)
}

/// Runs `handle` on the open popup with the rest of the state, and applies its reply. `None`
/// when no popup is open.
pub(crate) fn dispatch(
    state: &mut State,
    handle: impl FnOnce(&mut dyn Popup, &mut State) -> Reply,
) -> Option<Vec<Effect>> {
    let mut overlay = std::mem::take(&mut state.screen.overlay);
    let popup = overlay.popup()?;
    let reply = handle(popup, state);
    match reply.after {
        // A handler that opened nothing else leaves its popup where it was.
        After::Stay if !state.screen.overlay.is_open() => state.screen.overlay = overlay,
        After::Stay | After::Close => {}
        After::Open(next) => state.screen.overlay = next,
    }
    Some(reply.effects)
}
