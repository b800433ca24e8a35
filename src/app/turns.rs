//! The conversation's turns: sending the draft, retrying the last prompt, cancelling, switching
//! models, and the news of a request filling its answer. Requests are prepared by the exchange
//! layer, so the chat sends what `ask` would for the same conversation.

use super::state::{AnswerStatus, ConnectionState, Message, Speaker, State};
use super::{Effect, RequestSpec, StreamUpdate, WireUpdate};
use crate::exchange::{self, Content, Intent, Prepared, Refusal};
use crate::keymap::{Action, Context};
use crate::models::{Conversation, Role, Turn, catalog};

/// Prepares a turn of `conversation` for `model` with the chat's parameters; the refusal is
/// worded for the chat (it says how to pick another model).
pub(crate) fn prepare_turn(
    state: &State,
    model: &str,
    conversation: &Conversation,
) -> Result<Prepared, String> {
    let intent = Intent {
        model: model.to_string(),
        family: state.given_family(model),
        looked_up: state.found_family(model),
        content: Content::Conversation {
            conversation: conversation.clone(),
            params: state.chat.params.clone(),
        },
        options: state.settings.request_options.clone(),
        stream: true,
        text_only: false,
        prompt_cache: state.settings.prompt_cache,
        api: state.chat.api,
        region: state.connected_region(),
    };
    let prepared = exchange::prepare(&intent);
    // A request that cannot fit the model's context window is not sent.
    if let Ok(prepared) = &prepared {
        let count = exchange::count::TokenCount {
            tokens: exchange::count::estimate(&prepared.body),
            exact: false,
        };
        // Room is kept for the answer when its length is set.
        let answer_room = prepared.params.max_tokens.unwrap_or(0);
        if let Err(why) = exchange::count::fits(model, count, answer_room) {
            let drop = state
                .settings
                .keymap
                .hint(Context::Chat, Action::DropOldest);
            let summarize = state
                .settings
                .keymap
                .hint(Context::Chat, Action::SummarizeOldest);
            return Err(format!(
                "not sent: {why}; {drop} drops the oldest turn, {summarize} summarizes the older half (or start a new conversation)"
            ));
        }
    }
    // Text and pictures are shown; embeddings are not for a chat.
    if let Ok(prepared) = &prepared
        && prepared
            .reader
            .is_some_and(|f| f.output() == crate::models::OutputKind::Embedding)
    {
        let picker = state
            .settings
            .keymap
            .hint(Context::Chat, Action::OpenModelPicker);
        return Err(format!(
            "{} makes embeddings, not text; pick a model with {picker}",
            catalog::display_name(model)
        ));
    }
    prepared.map_err(|refusal| {
        let picker = state
            .settings
            .keymap
            .hint(Context::Chat, Action::OpenModelPicker);
        match refusal {
            Refusal::UnknownFormat { .. } if crate::exchange::needs_lookup(model) => {
                match state.requests.looked_up.get(model) {
                    Some(crate::exchange::Found::Unknown(why)) => format!(
                        "{refusal}: {why}; start with --family NAME or pick a model with {picker}"
                    ),
                    _ => format!("{refusal} yet: it is being looked up; try again in a moment"),
                }
            }
            Refusal::UnknownFormat { .. } | Refusal::NotText { .. } => {
                format!("{refusal}; pick a model with {picker}")
            }
            Refusal::Invalid(reason) => reason,
        }
    })
}

/// Sends the draft as the next turn.
pub(crate) fn send(state: &mut State) -> Vec<Effect> {
    let draft = state.draft();
    match super::commands::run(state, draft) {
        super::commands::Command::Done(effects) => effects,
        super::commands::Command::Prompt(text) => send_prompt(state, text),
    }
}

/// Sends `text` as the prompt (never read as a command: it is one already told apart), or
/// queues it while an answer streams or MCP servers start; on a refusal the draft stays.
pub(crate) fn send_prompt(state: &mut State, text: String) -> Vec<Effect> {
    if text.trim().is_empty() && state.composer.attached.is_empty() {
        return Vec::new();
    }
    // A file still being read goes with this prompt: it waits for it, the draft kept.
    if let Some((path, _)) = state.composer.attaching.first() {
        let name = path
            .file_name()
            .unwrap_or(path.as_os_str())
            .to_string_lossy();
        state.flash(
            format!(
                "{name} is still being read: send when it is attached (Alt+X removes it after)"
            ),
            true,
        );
        return Vec::new();
    }
    if let Some(editing) = state.chat.editing.clone() {
        if state.requests.in_flight.is_some() || state.tools.tool_round.is_some() {
            state.flash(
                "an answer is still streaming: send the edited prompt when it ends (Esc stops editing)",
                true,
            );
            return Vec::new();
        }
        return super::branches::send_edited(state, &editing, text);
    }
    if state.requests.in_flight.is_some()
        || state.tools.tool_round.is_some()
        || !state.tools.mcp_starting.is_empty()
    {
        // Queued: sent when the answer ends well (or the MCP servers are ready); Esc takes it
        // back into the editor.
        let when = if state.tools.mcp_starting.is_empty() {
            "this answer ends".to_string()
        } else {
            format!(
                "the MCP servers are ready ({})",
                state.tools.mcp_starting.join(", ")
            )
        };
        // In the transcript too, where it will go, until it is sent or taken back.
        let note = state.push(
            Speaker::Notice,
            format!(
                "⏳ queued, sent when {when} (Esc takes it back):\n{}",
                crate::text::cut_chars(&text, 400)
            ),
        );
        state.composer.queued_note = Some(note);
        state.composer.queued_prompt = Some(text);
        state.set_draft("");
        state.flash(
            format!("queued: sent when {when} (Esc takes it back)"),
            false,
        );
        return Vec::new();
    }
    let mut conversation = state.conversation();
    conversation.turns.push(Turn {
        role: Role::User,
        text: text.clone(),
        attachments: state.composer.attached.clone(),
        ..Turn::new(Role::User, "")
    });
    let prepared = match prepare_turn(state, &state.chat.model, &conversation) {
        Ok(p) => p,
        Err(e) => {
            // The draft stays in the editor; the refusal is in the status bar and, whole (it
            // may be longer than the bar), in the transcript.
            if state.chat.messages.last().is_none_or(|m| m.text != e) {
                state.push(Speaker::Notice, e.clone());
            }
            state.flash(e, true);
            return Vec::new();
        }
    };
    // A prompt whose answer failed went with this one: its note is done.
    for message in state.chat.messages.iter_mut().filter(|m| m.goes_again) {
        message.goes_again = false;
        message.changed();
    }
    let prompt = state.push(Speaker::User, text.clone());
    let attached = std::mem::take(&mut state.composer.attached);
    if let Some(message) = state.message_mut(prompt) {
        message.attachments = attached;
    }
    state.composer.offered_path = None;
    state.remember_prompt(&text);
    state.composer.history_cursor = None;
    state.set_draft("");
    state.tools.tool_calls_this_prompt = 0;
    // Its attached pictures are shown under it: their sizes are read.
    let mut effects = super::pictures::probe_message(state, prompt);
    effects.extend(begin(state, prepared));
    effects
}

/// Asks again for the last answer (or for the last prompt's, when it has none); the old
/// answer stays as another version of it.
pub(crate) fn retry(state: &mut State) -> Vec<Effect> {
    let Some(last_user) =
        state.chat.messages.iter().rposition(|m| {
            m.speaker == Speaker::User && !m.superseded && !m.detached && !m.deleted
        })
    else {
        state.flash("nothing to retry yet", true);
        return Vec::new();
    };
    let answer_at = state.chat.messages[last_user + 1..]
        .iter()
        .position(|m| m.speaker == Speaker::Assistant && !m.superseded && !m.detached)
        .map_or(state.chat.messages.len(), |i| last_user + 1 + i);
    super::branches::regenerate(state, answer_at)
}

/// Starts the answer to a prepared request at the end of the transcript.
pub(crate) fn begin(state: &mut State, prepared: Prepared) -> Vec<Effect> {
    let request_id = state.new_request_id();
    let mut answer = Message::answer(&prepared.model);
    // A kind of note is said once a conversation (the cache's breakpoints, a file that stays
    // out): under every answer it would be noise. Its kind is named where it is made.
    let conversation = state.chat.id;
    answer.notes = prepared
        .notes
        .iter()
        // Per model: another model's note of the same kind says something new.
        .filter(|note| {
            let kind = format!("{} {}", prepared.model, note.kind);
            state.chat.notes_said.insert((conversation, kind))
        })
        .map(|note| note.text.clone())
        .collect();
    state.start_answer(answer, request_id);
    vec![Effect::Send(Box::new(RequestSpec {
        request_id,
        prepared,
    }))]
}

/// Cancels the answer in flight, if any.
pub(crate) fn cancel(state: &mut State) -> Vec<Effect> {
    let Some(flight) = state.requests.in_flight.take() else {
        return Vec::new();
    };
    if let Some(m) = state.message_mut(flight.message_id) {
        m.status = AnswerStatus::Cancelled;
        m.goes_again = true;
        m.changed();
    }
    vec![Effect::Cancel {
        request_id: flight.request_id,
    }]
}

/// Switches the model for the next turn; the conversation is re-encoded for its family then.
pub fn switch_model(state: &mut State, model: String) -> Vec<Effect> {
    if model == state.chat.model {
        return Vec::new();
    }
    let family = state
        .family_of(&model)
        .map_or("unknown", |f| f.name())
        .to_string();
    let mut text = format!(
        "Next turns go to {} ({model}, {family} format); the conversation so far is re-encoded for it.",
        catalog::display_name(&model)
    );
    if state.requests.in_flight.is_some() {
        text.push_str(" The answer in flight finishes from the previous model; Esc cancels it.");
    }
    state.chat.model = model;
    state.chat.family_override = None;
    text.push_str(&files_that_stay_behind(state));
    text.push_str(&tools_that_stay_behind(state));
    state.push(Speaker::Notice, text);
    look_up_if_needed(state)
}

/// What a model switch means for the conversation's files: the ones the new model cannot take
/// (earlier prompts' stay out of its requests; attached ones cannot be sent to it).
fn files_that_stay_behind(state: &State) -> String {
    let Some(family) = state.family() else {
        return String::new();
    };
    let earlier = state
        .chat
        .messages
        .iter()
        .filter(|m| !m.deleted && !m.superseded)
        .flat_map(|m| &m.attachments);
    let mut left = Vec::new();
    for file in earlier {
        if let Err(why) =
            crate::models::attachment_rules::check_one(&state.chat.model, family, file)
        {
            left.push(format!(" Earlier file left out: {why}."));
        }
    }
    for file in &state.composer.attached {
        if let Err(why) =
            crate::models::attachment_rules::check_one(&state.chat.model, family, file)
        {
            left.push(format!(
                " Attached file cannot go to it (Alt+X removes it): {why}."
            ));
        }
    }
    let carried = state
        .chat
        .messages
        .iter()
        .filter(|m| !m.deleted)
        .map(|m| m.attachments.len())
        .sum::<usize>();
    if carried > 0 && left.is_empty() {
        left.push(if carried == 1 {
            " The conversation's file goes in its format.".to_string()
        } else {
            format!(" The conversation's {carried} files go in its format.")
        });
    }
    left.concat()
}

/// What a model switch means for tools: a family whose body takes none gets the earlier calls
/// and results as text, and no tools are offered to it.
fn tools_that_stay_behind(state: &State) -> String {
    let Some(family) = state.family() else {
        return String::new();
    };
    if family.takes_tools() {
        return String::new();
    }
    let earlier = state
        .chat
        .messages
        .iter()
        .any(|m| m.speaker == Speaker::Tool && !m.deleted && !m.superseded);
    let mut text = String::new();
    if earlier {
        text.push_str(&format!(
            " The {family} format takes no tools: earlier tool calls and results go to it as text."
        ));
    }
    if !state.tools.toolbox.is_empty() {
        text.push_str(" No tools are offered to it.");
    }
    text
}

/// Asks for the format behind the current model when only a lookup can tell it.
pub(crate) fn look_up_if_needed(state: &State) -> Vec<Effect> {
    let ready = matches!(state.requests.connection, ConnectionState::Ready { .. });
    if ready
        && state.family().is_none()
        && crate::exchange::needs_lookup(&state.chat.model)
        && !state.requests.looked_up.contains_key(&state.chat.model)
    {
        vec![Effect::LookUpModel(state.chat.model.clone())]
    } else {
        Vec::new()
    }
}

/// News of the chat's request, given to the answer in flight (`update` gives a side-by-side
/// pane its own); the news of a cancelled or superseded request is dropped.
pub(crate) fn on_stream(state: &mut State, request_id: u64, update: StreamUpdate) -> Vec<Effect> {
    let Some(flight) = state
        .requests
        .in_flight
        .filter(|f| f.request_id == request_id)
    else {
        return Vec::new();
    };
    if let Some((_, news)) = state.requests.in_flight_clock.as_mut() {
        *news = std::time::Instant::now();
    }
    let Some(message) = state.message_mut(flight.message_id) else {
        state.requests.in_flight = None;
        return Vec::new();
    };
    if apply_update(message, update) {
        let complete = message.status == AnswerStatus::Complete;
        state.requests.in_flight = None;
        super::summary::summary_ended(state, flight.message_id, complete);
        let mut effects = super::titles::after_answer(state);
        effects.extend(super::tool_round::after_answer(state, flight.message_id));
        if state.tools.tool_round.is_none() && state.requests.in_flight.is_none() {
            effects.extend(send_queued(state, complete));
        }
        return effects;
    }
    Vec::new()
}

/// After an answer ends: a queued prompt is sent if the answer completed, else it goes back
/// into the editor (in front of any draft) so that nothing is sent after a failure unasked.
pub(crate) fn send_queued(state: &mut State, complete: bool) -> Vec<Effect> {
    let Some(queued) = state.composer.queued_prompt.take() else {
        return Vec::new();
    };
    drop_queued_note(state);
    if complete && state.draft_is_empty() {
        // The "queued" message has done its work.
        state.screen.flash = None;
        state.set_draft(&super::commands::as_typed(&queued));
        return send_prompt(state, queued);
    }
    put_back(state, &queued);
    state.flash(
        "the queued prompt is back in the editor: the answer did not complete",
        true,
    );
    Vec::new()
}

/// Takes the transcript's note of a queued prompt away: it was sent or taken back.
fn drop_queued_note(state: &mut State) {
    if let Some(note) = state.composer.queued_note.take() {
        state.chat.messages.retain(|m| m.id != note);
    }
}

/// Puts a prompt back into the editor, in front of any draft.
pub(crate) fn put_back(state: &mut State, queued: &str) {
    let queued = super::commands::as_typed(queued);
    let draft = state.draft();
    if draft.is_empty() {
        state.set_draft(&queued);
    } else {
        state.set_draft(&format!("{queued}\n{draft}"));
    }
}

/// Empties the transcript for another conversation (new, forked or loaded): a prompt queued
/// for the old one goes back into the editor, never into the next one unasked.
pub(crate) fn clear_conversation(state: &mut State) {
    unqueue(state);
    state.chat.messages.clear();
    state.chat.id += 1;
    state.chat.editing = None;
    state.screen.cursor = None;
    state.screen.scroll = super::state::Scroll::Follow;
}

/// Takes a queued prompt back into the editor; true when there was one.
pub(crate) fn unqueue(state: &mut State) -> bool {
    let Some(queued) = state.composer.queued_prompt.take() else {
        return false;
    };
    drop_queued_note(state);
    put_back(state, &queued);
    state.flash("the queued prompt is back in the editor", false);
    true
}

/// Applies news of a request to the answer it fills; true when the answer has ended.
pub(crate) fn apply_update(message: &mut Message, update: StreamUpdate) -> bool {
    let finished = match update {
        StreamUpdate::Wire(wire) => {
            let exchange = message.exchange.get_or_insert_default();
            match *wire {
                WireUpdate::Sent(request) => exchange.requests.push(*request),
                WireUpdate::Response(meta) => exchange.response(&meta),
                WireUpdate::Body(body) => {
                    exchange.response_bytes = body.len();
                    exchange.response_body = Some(body);
                }
                WireUpdate::Frame(frame) => exchange.keep(*frame),
                WireUpdate::Failed(error) => exchange.error = Some(error),
            }
            return false;
        }
        StreamUpdate::Started { first_byte } => {
            message.stats.first_byte = Some(first_byte);
            message.retrying = None;
            false
        }
        StreamUpdate::Retrying { text } => {
            message.retrying = Some(text);
            false
        }
        StreamUpdate::Note(note) => {
            message.notes.push(note);
            false
        }
        StreamUpdate::Delta { delta, elapsed } => {
            message.apply_delta(&delta, elapsed);
            return false;
        }
        StreamUpdate::Pictures(markdown) => {
            if !message.text.is_empty() && !message.text.ends_with("\n\n") {
                message.text.push_str("\n\n");
            }
            message.text.push_str(&markdown);
            false
        }
        StreamUpdate::Finished { figures } => {
            message.status = AnswerStatus::Complete;
            message.stats = *figures;
            true
        }
        StreamUpdate::Failed { error, figures } => {
            message.status = AnswerStatus::Failed(error);
            message.stats = *figures;
            message.goes_again = true;
            true
        }
    };
    if finished {
        message.retrying = None;
        if let Some(exchange) = &mut message.exchange {
            exchange.total = message.stats.total;
        }
    }
    message.changed();
    finished
}
