//! Models side by side: the prompt in the editor goes to 2 to 4 models at once, each answer
//! streams into its own pane (its own request id, cancel, retry and figures), and Enter keeps
//! the focused answer in the conversation, which then goes on with that model.

use super::picker::Picker;
use super::state::{AnswerStatus, Message, Overlay, Speaker, State};
use super::update::{apply_update, prepare_for, region};
use super::{Effect, RequestSpec, StreamUpdate};
use crate::keymap::{Action, Context};
use crate::models::{Role, Turn};

/// Most models side by side.
pub const MAX_PANES: usize = 4;

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
pub fn choose_models(state: &mut State) -> Vec<Effect> {
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
    let mut picker = Picker::new(state.listed_models.as_deref(), region(state), &state.model);
    let current_chats = state
        .family()
        .is_some_and(|f| f.output() == crate::models::OutputKind::Text);
    picker.compare = Some(if current_chats {
        vec![state.model.clone()]
    } else {
        Vec::new()
    });
    state.overlay = Overlay::Picker(picker);
    Vec::new()
}

/// Sends the prompt in the editor to each model and opens the panes.
pub fn start(state: &mut State, models: Vec<String>) -> Vec<Effect> {
    let prompt = state.draft();
    let mut conversation = state.conversation();
    conversation.turns.push(Turn {
        role: Role::User,
        text: prompt.clone(),
    });
    let mut prepared = Vec::new();
    for model in &models {
        let family = if *model == state.model {
            state.family()
        } else {
            crate::models::family_of(model)
        };
        match prepare_for(state, model, family, &conversation) {
            Ok(p) => prepared.push((model.clone(), p)),
            Err(e) => {
                state.flash(e, true);
                return Vec::new();
            }
        }
    }
    let mut panes = Vec::new();
    let mut effects = Vec::new();
    for (model, p) in prepared {
        let request_id = state.new_request_id();
        let mut answer = blank_answer(state, &model);
        answer.notes = p.notes;
        panes.push(ComparePane {
            model: model.clone(),
            request_id,
            answer,
        });
        effects.push(Effect::Send(RequestSpec {
            request_id,
            model,
            family: p.family,
            body: p.body,
            stream: p.stream,
            options: Default::default(),
        }));
    }
    state.overlay = Overlay::Compare(CompareView {
        prompt,
        panes,
        focus: 0,
    });
    effects
}

/// An answer waiting for its first bytes; it joins the transcript only when kept.
fn blank_answer(state: &mut State, model: &str) -> Message {
    let mut answer = state.new_message(Speaker::Assistant, "");
    answer.model = Some(model.to_string());
    answer.status = AnswerStatus::Waiting;
    answer
}

/// Gives news of a request to its pane; `None` when no pane has that request.
pub fn route(state: &mut State, request_id: u64, update: &StreamUpdate) -> Option<Vec<Effect>> {
    let Overlay::Compare(view) = &mut state.overlay else {
        return None;
    };
    let pane = view.panes.iter_mut().find(|p| p.request_id == request_id)?;
    if pane.answer.in_flight() {
        apply_update(&mut pane.answer, update.clone());
    }
    Some(Vec::new())
}

/// An action pressed in compare mode.
pub fn perform(state: &mut State, action: Action) -> Vec<Effect> {
    let Overlay::Compare(view) = &mut state.overlay else {
        return Vec::new();
    };
    let count = view.panes.len();
    match action {
        Action::SelectPrevious => view.focus = (view.focus + count - 1) % count.max(1),
        Action::SelectNext => view.focus = (view.focus + 1) % count.max(1),
        Action::Cancel => {
            if let Some(pane) = view.panes.get_mut(view.focus) {
                return cancel_pane(pane);
            }
        }
        Action::Retry => return retry_focused(state),
        Action::Close => {
            let effects: Vec<Effect> = view.panes.iter_mut().flat_map(cancel_pane).collect();
            if effects.is_empty() {
                state.overlay = Overlay::None;
            } else {
                let close = state.keymap.hint(Context::Compare, Action::Close);
                state.flash(format!("cancelled; {close} again closes"), false);
            }
            return effects;
        }
        Action::Confirm => return keep_focused(state),
        _ => {}
    }
    Vec::new()
}

fn cancel_pane(pane: &mut ComparePane) -> Vec<Effect> {
    if !pane.answer.in_flight() {
        return Vec::new();
    }
    pane.answer.status = AnswerStatus::Cancelled;
    pane.answer.revision += 1;
    vec![Effect::Cancel {
        request_id: pane.request_id,
    }]
}

fn retry_focused(state: &mut State) -> Vec<Effect> {
    let Overlay::Compare(view) = &state.overlay else {
        return Vec::new();
    };
    let Some(pane) = view.panes.get(view.focus) else {
        return Vec::new();
    };
    if pane.answer.in_flight() {
        state.flash("that answer is still streaming: cancel it first", true);
        return Vec::new();
    }
    let model = pane.model.clone();
    let prompt = view.prompt.clone();
    let mut conversation = state.conversation();
    conversation.turns.push(Turn {
        role: Role::User,
        text: prompt,
    });
    let family = if model == state.model {
        state.family()
    } else {
        crate::models::family_of(&model)
    };
    let prepared = match prepare_for(state, &model, family, &conversation) {
        Ok(p) => p,
        Err(e) => {
            state.flash(e, true);
            return Vec::new();
        }
    };
    let request_id = state.new_request_id();
    let answer = blank_answer(state, &model);
    let Overlay::Compare(view) = &mut state.overlay else {
        return Vec::new();
    };
    if let Some(pane) = view.panes.get_mut(view.focus) {
        pane.request_id = request_id;
        pane.answer = answer;
    }
    vec![Effect::Send(RequestSpec {
        request_id,
        model,
        family: prepared.family,
        body: prepared.body,
        stream: prepared.stream,
        options: Default::default(),
    })]
}

/// Keeps the focused answer: the prompt and that answer join the conversation, which goes on
/// with that model; the other panes are cancelled.
fn keep_focused(state: &mut State) -> Vec<Effect> {
    let Overlay::Compare(view) = &mut state.overlay else {
        return Vec::new();
    };
    let Some(focused) = view.panes.get(view.focus) else {
        return Vec::new();
    };
    if focused.answer.in_flight() {
        state.flash(
            "that answer is still streaming: wait for it or cancel it",
            true,
        );
        return Vec::new();
    }
    let Overlay::Compare(mut view) = std::mem::take(&mut state.overlay) else {
        return Vec::new();
    };
    let effects: Vec<Effect> = view.panes.iter_mut().flat_map(cancel_pane).collect();
    let kept = view.panes.swap_remove(view.focus);
    state.push(Speaker::User, view.prompt.clone());
    if state.history.last() != Some(&view.prompt) {
        state.history.push(view.prompt.clone());
    }
    let mut answer = kept.answer;
    answer.revision += 1;
    state.messages.push(answer);
    if kept.model != state.model {
        super::update::switch_model(state, kept.model.clone());
    }
    state.set_draft("");
    state.scroll = super::state::Scroll::Follow;
    state.flash(
        format!("kept the answer of {}", State::model_name(&kept.model)),
        false,
    );
    effects
}
