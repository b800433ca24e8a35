//! The accept / content-type matrix in the chat: the prompt (the draft, else the last one) is
//! sent to the current model with each combination; rows fill in as answers arrive, and Enter
//! opens a row's exchange in the inspector.

use super::state::{Overlay, Speaker, State};
use super::{Effect, MatrixSpec};
use crate::compare::{Combination, Outcome, default_combinations};
use crate::keymap::Action;
use crate::models::{Role, Turn, capabilities, catalog};

/// The matrix popup.
#[derive(Debug, Clone)]
pub struct MatrixView {
    /// Which run the rows belong to (a new run drops late answers of the old one).
    pub run: u64,
    /// The model asked.
    pub model: String,
    /// Each combination and, once it has answered, what came back.
    pub rows: Vec<(Combination, Option<Box<Outcome>>)>,
    /// The selected row.
    pub selected: usize,
    /// The selected row's exchange is open in the inspector, scrolled this far.
    pub inspect: Option<usize>,
}

impl MatrixView {
    /// The selected row's outcome, once it has arrived.
    pub fn selected_outcome(&self) -> Option<&Outcome> {
        self.rows.get(self.selected)?.1.as_deref()
    }
}

/// Builds the request bodies and opens the matrix.
pub fn start(state: &mut State) -> Vec<Effect> {
    let draft = state.draft();
    let mut conversation = if draft.trim().is_empty() {
        let Some(last_user) = state
            .messages
            .iter()
            .rposition(|m| m.speaker == Speaker::User && !m.superseded)
        else {
            state.flash(
                "type a prompt first: the matrix sends it with each combination",
                true,
            );
            return Vec::new();
        };
        state.conversation_until(last_user + 1)
    } else {
        state.conversation()
    };
    if !draft.trim().is_empty() {
        conversation.turns.push(Turn {
            role: Role::User,
            text: draft,
        });
    }
    let Some(family) = state.family() else {
        state.flash(
            format!("cannot tell the request format of {:?}", state.model),
            true,
        );
        return Vec::new();
    };
    let info = catalog::lookup(&state.model).filter(|m| m.family == family);
    let streams = info.map_or(family.streams(), |m| m.streaming);
    let body = |stream: bool| -> Result<bytes::Bytes, String> {
        let mut params = state.params.clone();
        let adjusted =
            capabilities::apply(info, family, &mut params, stream).map_err(|e| e.to_string())?;
        family
            .adapter()
            .build_body(&conversation, &params, adjusted.stream)
            .map(|b| bytes::Bytes::from(b.to_string()))
            .map_err(|e| e.to_string())
    };
    let (stream_body, invoke_body) = match (body(streams), body(false)) {
        (Ok(s), Ok(i)) => (s, i),
        (Err(e), _) | (_, Err(e)) => {
            state.flash(e, true);
            return Vec::new();
        }
    };
    let combinations = default_combinations(family, streams);
    let run = state.new_request_id();
    state.overlay = Overlay::Matrix(MatrixView {
        run,
        model: state.model.clone(),
        rows: combinations.iter().map(|c| (c.clone(), None)).collect(),
        selected: 0,
        inspect: None,
    });
    vec![Effect::RunMatrix(Box::new(MatrixSpec {
        run,
        model: state.model.clone(),
        family,
        stream_body,
        invoke_body,
        combinations,
    }))]
}

/// A combination answered.
pub fn on_outcome(state: &mut State, run: u64, index: usize, outcome: Box<Outcome>) {
    if let Overlay::Matrix(view) = &mut state.overlay
        && view.run == run
        && let Some(row) = view.rows.get_mut(index)
    {
        row.1 = Some(outcome);
    }
}

/// An action pressed on the table (the inspector of a row goes through `inspector`).
pub fn perform(state: &mut State, action: Action) {
    let Overlay::Matrix(view) = &mut state.overlay else {
        return;
    };
    let last = view.rows.len().saturating_sub(1);
    match action {
        Action::Close | Action::CompareTypes => state.overlay = Overlay::None,
        Action::SelectPrevious => view.selected = view.selected.saturating_sub(1),
        Action::SelectNext => view.selected = (view.selected + 1).min(last),
        Action::Confirm if view.selected_outcome().is_some() => view.inspect = Some(0),
        _ => {}
    }
}
