//! The matrices in the chat (accept / content type on F4, latency and service tier on F6): the
//! prompt (the draft, else the last one) is sent to the current model with each combination;
//! rows fill in as answers arrive, and Enter opens a row's exchange in the inspector. Each
//! row's request is prepared by the exchange layer, as `compare-types` prepares it. On a real
//! account the requests are billed: before any is sent, the matrix says how many and what they
//! may cost, and waits for Enter.

use crate::app::popups::{Popup, Reply};
use crate::app::state::{Overlay, Speaker, State};
use crate::app::{Effect, MatrixSpec};
use crate::compare::{Combination, Outcome, default_combinations, prepare_rows};
use crate::keymap::{Action, Context};
use crate::models::{Role, Turn, catalog};

/// What a matrix compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatrixKind {
    /// Accept and content types, streamed and not (F4).
    Types,
    /// Latency modes and service tiers (F6).
    Tiers,
}

/// The matrix popup.
#[derive(Debug, Clone)]
pub struct MatrixView {
    /// What it compares.
    pub kind: MatrixKind,
    /// Which run the rows belong to (a new run drops late answers of the old one).
    pub run: u64,
    /// The requests, held until the user says to send them (a real account bills them), with
    /// what the question says of them.
    pub pending: Option<(Box<MatrixSpec>, String)>,
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
    pub(crate) fn selected_outcome(&self) -> Option<&Outcome> {
        self.rows.get(self.selected)?.1.as_deref()
    }
}

/// Builds the requests and opens the matrix of accept / content types.
pub fn start(state: &mut State) -> Vec<Effect> {
    start_with(state, false)
}

/// Builds the requests and opens the matrix of latency modes and service tiers.
pub fn start_tiers(state: &mut State) -> Vec<Effect> {
    start_with(state, true)
}

fn start_with(state: &mut State, tiers: bool) -> Vec<Effect> {
    let draft = state.draft();
    let mut conversation = if draft.trim().is_empty() {
        let Some(last_user) = state
            .chat
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
    // The matrix compares how answers come back; tools would only add calls nobody runs (they
    // stay when earlier turns used them: a body with calls must define its tools).
    if !conversation.has_tool_turns() {
        conversation.tools.clear();
    }
    if !draft.trim().is_empty() {
        conversation.turns.push(Turn {
            role: Role::User,
            text: draft,
            attachments: state.composer.attached.clone(),
            ..Turn::new(Role::User, "")
        });
    }
    let Some(family) = state.family() else {
        state.flash(
            format!("cannot tell the request format of {:?}", state.chat.model),
            true,
        );
        return Vec::new();
    };
    let streams =
        catalog::entry_for(&state.chat.model, family).map_or(family.streams(), |m| m.streaming);
    let combinations = if tiers {
        crate::compare::tier_combinations(streams)
    } else {
        default_combinations(family, streams)
    };
    let rows = match prepare_rows(
        &state.chat.model,
        Some(family),
        &conversation,
        &state.chat.params,
        &combinations,
        state.connected_region().as_deref(),
    ) {
        Ok(rows) => rows,
        Err(e) => {
            state.flash(e.to_string(), true);
            return Vec::new();
        }
    };
    let run = state.new_request_id();
    let spec = Box::new(MatrixSpec { run, rows });
    let billed = !matches!(
        state.requests.connection,
        crate::app::state::ConnectionState::Ready { emulator: true, .. }
    );
    let pending = billed.then(|| {
        let question = cost_question(state, &spec);
        (spec.clone(), question)
    });
    state.screen.overlay = Overlay::Matrix(MatrixView {
        kind: if tiers {
            MatrixKind::Tiers
        } else {
            MatrixKind::Types
        },
        run,
        pending: pending.clone(),
        model: state.chat.model.clone(),
        rows: combinations.iter().map(|c| (c.clone(), None)).collect(),
        selected: 0,
        inspect: None,
    });
    if pending.is_some() {
        return Vec::new();
    }
    vec![Effect::RunMatrix(spec)]
}

/// What the user is asked before billed requests go: how many, where, and at most what they
/// cost by the catalog's prices (the prompt's tokens estimated, every answer at its limit).
fn cost_question(state: &State, spec: &MatrixSpec) -> String {
    let count = spec.rows.len();
    let model = catalog::display_name(&state.chat.model);
    let region = match &state.requests.connection {
        crate::app::state::ConnectionState::Ready { region, .. } => format!(" in {region}"),
        _ => String::new(),
    };
    let input = spec.rows.first().map_or(0, |(_, prepared)| {
        crate::exchange::count::estimate(&prepared.body)
    });
    let output = spec
        .rows
        .first()
        .and_then(|(_, prepared)| prepared.params.max_tokens)
        .map_or(4096, u64::from);
    let each = crate::exchange::Tokens {
        input,
        output,
        ..Default::default()
    };
    let cost = crate::exchange::priced(&state.chat.model, each).map(|one| count as f64 * one);
    let cost = match cost {
        Some(cost) => format!(
            "at most {} in all by the catalog's prices",
            crate::exchange::format_cost(cost)
        ),
        None => "the catalog has no price for this model".to_string(),
    };
    format!(
        "This sends {count} requests to {model}{region}, billed to your AWS account: about {input} input tokens each and up to {output} output tokens; {cost}. Enter sends them, Esc cancels."
    )
}

/// A combination answered.
pub(crate) fn on_outcome(state: &mut State, run: u64, index: usize, outcome: Box<Outcome>) {
    if let Overlay::Matrix(view) = &mut state.screen.overlay
        && view.run == run
        && let Some(row) = view.rows.get_mut(index)
    {
        row.1 = Some(outcome);
    }
}

impl Popup for MatrixView {
    fn context(&self) -> Context {
        if self.inspect.is_some() {
            Context::Inspector
        } else {
            Context::Matrix
        }
    }

    fn on_action(&mut self, state: &mut State, action: Action) -> Reply {
        let last = self.rows.len().saturating_sub(1);
        if let Some(scroll) = &mut self.inspect {
            // A row's exchange: Esc goes back to the table, left/right to the other rows.
            match action {
                Action::Close | Action::ToggleInspector => self.inspect = None,
                Action::SelectPrevious => {
                    self.selected = self.selected.saturating_sub(1);
                    *scroll = 0;
                }
                Action::SelectNext => {
                    self.selected = (self.selected + 1).min(last);
                    *scroll = 0;
                }
                other => crate::app::popups::inspector::scroll_exchange(state, scroll, other),
            }
            return Reply::stay();
        }
        if self.pending.is_some() {
            return match action {
                Action::Confirm => {
                    let spec = self.pending.take().map(|(spec, _)| spec);
                    Reply::stay().with(spec.into_iter().map(Effect::RunMatrix).collect())
                }
                Action::Close | Action::CompareTypes => Reply::close(),
                _ => Reply::stay(),
            };
        }
        match action {
            Action::Close | Action::CompareTypes => return Reply::close(),
            Action::SelectPrevious => self.selected = self.selected.saturating_sub(1),
            Action::SelectNext => self.selected = (self.selected + 1).min(last),
            Action::Confirm if self.selected_outcome().is_some() => self.inspect = Some(0),
            _ => {}
        }
        Reply::stay()
    }

    fn on_scroll(&mut self, state: &mut State, delta: isize) {
        if let Some(scroll) = &mut self.inspect {
            crate::app::popups::inspector::wheel_exchange(state, scroll, delta);
        }
    }
}
