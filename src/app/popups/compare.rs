//! Models side by side: the prompt in the editor goes to 2 to 4 models at once, each answer
//! streams into its own pane (its own request id, cancel, retry and figures), and Enter keeps
//! the focused answer in the conversation, which then goes on with that model.

use crate::app::popups::picker::Picker;
use crate::app::popups::{Popup, Reply};
use crate::app::state::{AnswerStatus, Message, Overlay, Speaker, State};
use crate::app::turns::{apply_update, prepare_turn};
use crate::app::{Effect, RequestSpec, StreamUpdate};
use crate::keymap::{Action, Context};
use crate::models::{Conversation, Role, Turn, catalog};

/// Most models side by side.
pub(crate) const MAX_PANES: usize = 4;

/// One model's pane.
#[derive(Debug, Clone)]
pub struct ComparePane {
    /// Model id.
    pub model: String,
    /// The request filling it.
    pub request_id: u64,
    /// The answer so far.
    pub answer: Message,
}

/// The side-by-side view.
#[derive(Debug, Clone)]
pub struct CompareView {
    /// The prompt all models got.
    pub prompt: String,
    /// One pane per model.
    pub panes: Vec<ComparePane>,
    /// The focused pane.
    pub focus: usize,
}

/// Opens the picker to mark the models to compare (the current one is marked already).
pub(crate) fn choose_models(state: &mut State) -> Vec<Effect> {
    if state.draft().trim().is_empty() {
        state.flash(
            "type the prompt to compare first; then mark 2 to 4 models with Tab",
            true,
        );
        return Vec::new();
    }
    if state.refuse_while_streaming() {
        return Vec::new();
    }
    let mut picker = Picker::new(
        state.requests.listed_models.as_deref(),
        state.region(),
        &state.chat.model,
    );
    let current_chats = state
        .family()
        .is_some_and(|f| f.output() == crate::models::OutputKind::Text);
    picker.compare = Some(if current_chats {
        vec![state.chat.model.clone()]
    } else {
        Vec::new()
    });
    state.screen.overlay = Overlay::Picker(picker);
    Vec::new()
}

/// The conversation so far with `prompt` as the next turn; no tools are offered (the panes
/// compare answers, and their calls would not run).
fn with_prompt(state: &State, prompt: &str) -> Conversation {
    let mut conversation = state.conversation();
    if !conversation.has_tool_turns() {
        conversation.tools.clear();
    }
    conversation.turns.push(Turn {
        role: Role::User,
        text: prompt.to_string(),
        attachments: state.composer.attached.clone(),
        ..Turn::new(Role::User, "")
    });
    conversation
}

/// Sends the prompt in the editor to each model and opens the panes (the picker stays, with a
/// message, when a model refuses it).
pub fn start(state: &mut State, models: &[String]) -> Reply {
    let prompt = state.draft();
    let conversation = with_prompt(state, &prompt);
    let mut prepared = Vec::new();
    for model in models {
        match prepare_turn(state, model, &conversation) {
            Ok(p) => prepared.push(p),
            Err(e) => {
                state.flash(e, true);
                return Reply::stay();
            }
        }
    }
    let mut panes = Vec::new();
    let mut effects = Vec::new();
    for p in prepared {
        let request_id = state.new_request_id();
        let mut answer = Message::answer(&p.model);
        answer.notes = crate::models::note::texts(&p.notes);
        panes.push(ComparePane {
            model: p.model.clone(),
            request_id,
            answer,
        });
        effects.push(Effect::Send(Box::new(RequestSpec {
            request_id,
            prepared: p,
        })));
    }
    Reply::open(Overlay::Compare(CompareView {
        prompt,
        panes,
        focus: 0,
    }))
    .with(effects)
}

/// Gives news of a request to its pane; `None` when no pane has that request.
pub(crate) fn route(
    state: &mut State,
    request_id: u64,
    update: &StreamUpdate,
) -> Option<Vec<Effect>> {
    let Overlay::Compare(view) = &mut state.screen.overlay else {
        return None;
    };
    let pane = view.panes.iter_mut().find(|p| p.request_id == request_id)?;
    if pane.answer.in_flight() {
        apply_update(&mut pane.answer, update.clone());
    }
    Some(Vec::new())
}

impl Popup for CompareView {
    fn context(&self) -> Context {
        Context::Compare
    }

    fn on_action(&mut self, state: &mut State, action: Action) -> Reply {
        let count = self.panes.len().max(1);
        match action {
            Action::SelectPrevious => self.focus = (self.focus + count - 1) % count,
            Action::SelectNext => self.focus = (self.focus + 1) % count,
            Action::Cancel => {
                if let Some(pane) = self.panes.get_mut(self.focus) {
                    return Reply::stay().with(cancel_pane(pane));
                }
            }
            Action::Retry => return Reply::stay().with(self.retry_focused(state)),
            Action::Close => {
                let effects: Vec<Effect> = self.panes.iter_mut().flat_map(cancel_pane).collect();
                if effects.is_empty() {
                    return Reply::close();
                }
                let close = state.settings.keymap.hint(Context::Compare, Action::Close);
                state.flash(format!("cancelled; {close} again closes"), false);
                return Reply::stay().with(effects);
            }
            Action::Confirm => return self.keep_focused(state),
            _ => {}
        }
        Reply::stay()
    }
}

fn cancel_pane(pane: &mut ComparePane) -> Vec<Effect> {
    if !pane.answer.in_flight() {
        return Vec::new();
    }
    pane.answer.status = AnswerStatus::Cancelled;
    pane.answer.changed();
    vec![Effect::Cancel {
        request_id: pane.request_id,
    }]
}

impl CompareView {
    fn retry_focused(&mut self, state: &mut State) -> Vec<Effect> {
        let Some(pane) = self.panes.get(self.focus) else {
            return Vec::new();
        };
        if pane.answer.in_flight() {
            state.flash("that answer is still streaming: cancel it first", true);
            return Vec::new();
        }
        let conversation = with_prompt(state, &self.prompt);
        let prepared = match prepare_turn(state, &pane.model, &conversation) {
            Ok(p) => p,
            Err(e) => {
                state.flash(e, true);
                return Vec::new();
            }
        };
        let request_id = state.new_request_id();
        let Some(pane) = self.panes.get_mut(self.focus) else {
            return Vec::new();
        };
        pane.request_id = request_id;
        pane.answer = Message::answer(&pane.model);
        pane.answer.notes = crate::models::note::texts(&prepared.notes);
        vec![Effect::Send(Box::new(RequestSpec {
            request_id,
            prepared,
        }))]
    }

    /// Keeps the focused answer: the prompt and that answer join the conversation, which goes
    /// on with that model; the other panes are cancelled.
    fn keep_focused(&mut self, state: &mut State) -> Reply {
        let Some(focused) = self.panes.get(self.focus) else {
            return Reply::stay();
        };
        if focused.answer.in_flight() {
            state.flash(
                "that answer is still streaming: wait for it or cancel it",
                true,
            );
            return Reply::stay();
        }
        let mut effects: Vec<Effect> = self.panes.iter_mut().flat_map(cancel_pane).collect();
        let kept = self.panes.swap_remove(self.focus);
        state.push(Speaker::User, self.prompt.clone());
        if state.composer.history.last() != Some(&self.prompt) {
            state.composer.history.push(self.prompt.clone());
        }
        let mut answer = kept.answer;
        answer.changed();
        state.push_message(answer);
        if !crate::app::popups::picker::same_model(&kept.model, &state.chat.model) {
            effects.extend(crate::app::turns::switch_model(state, kept.model.clone()));
        }
        state.set_draft("");
        state.screen.scroll = crate::app::state::Scroll::Follow;
        state.flash(
            format!("kept the answer of {}", catalog::display_name(&kept.model)),
            false,
        );
        Reply::close().with(effects)
    }
}
