//! The pure update: `update(&mut State, Msg) -> Vec<Effect>`. Keys become actions through the
//! keymap; stream news is matched to its request by id; nothing here does I/O.

use super::params::ParamsForm;
use super::picker::Picker;
use super::state::{
    AnswerStatus, ConnectionState, ErrorInfo, Focus, Message, Overlay, Scroll, Speaker, State,
};
use super::{Effect, Msg, RequestSpec, StreamUpdate, WireUpdate};
use crate::keymap::{Action, Context};
use crate::models::{OutputKind, capabilities, catalog};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind};

/// Lines one mouse-wheel step scrolls.
const WHEEL_LINES: isize = 3;

/// Applies one message to the state and returns the I/O it calls for.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => on_key(state, key),
        Msg::Paste(text) => on_paste(state, &text),
        Msg::Mouse(mouse) => {
            match mouse.kind {
                MouseEventKind::ScrollUp => scroll_target(state, -WHEEL_LINES),
                MouseEventKind::ScrollDown => scroll_target(state, WHEEL_LINES),
                _ => {}
            }
            Vec::new()
        }
        Msg::Resize => Vec::new(),
        Msg::Stream { request_id, update } => on_stream(state, request_id, update),
        Msg::Connected(result) => on_connected(state, result),
        Msg::ModelsListed(result) => {
            match result {
                Ok(rows) if !rows.is_empty() => {
                    state.listed_models = Some(rows);
                    if let Overlay::Picker(picker) = &state.overlay {
                        let filter = picker.filter.clone();
                        let mut fresh = Picker::new(
                            state.listed_models.as_deref(),
                            region(state),
                            &state.model,
                        );
                        fresh.filter = filter;
                        fresh.refilter();
                        state.overlay = Overlay::Picker(fresh);
                    }
                }
                Ok(_) => {}
                Err(e) => state.flash(
                    format!("live model listing unavailable ({e}); the picker shows the built-in catalog"),
                    false,
                ),
            }
            Vec::new()
        }
        Msg::Session(news) => {
            super::sessions::on_news(state, news);
            Vec::new()
        }
        Msg::SessionsListed(result) => {
            super::sessions::on_listed(state, result);
            Vec::new()
        }
        Msg::SessionTask(result) => {
            match result {
                Ok(done) => {
                    state.flash(done, false);
                    if let Overlay::Sessions(_) = state.overlay {
                        return vec![Effect::ListSessions];
                    }
                }
                Err(e) => state.flash(e, true),
            }
            Vec::new()
        }
        Msg::MatrixOutcome {
            run,
            index,
            outcome,
        } => {
            super::matrix::on_outcome(state, run, index, outcome);
            Vec::new()
        }
        Msg::Terminate => {
            state.quit = true;
            cancel(state)
        }
    }
}

/// The region requests are signed for (picks inference-profile prefixes).
pub(crate) fn region(state: &State) -> &str {
    match &state.connection {
        ConnectionState::Ready { region, .. } => region,
        _ => crate::connect::EMULATOR_REGION,
    }
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    state.flash = None;
    let context = match (&state.overlay, state.focus) {
        (Overlay::Help { .. }, _) => Context::Help,
        (Overlay::Picker(_), _) => Context::Picker,
        (Overlay::Parameters(_), _) => Context::Parameters,
        (Overlay::Sessions(_), _) => Context::Sessions,
        (Overlay::Inspector { .. }, _) => Context::Inspector,
        (Overlay::Matrix(view), _) if view.inspect.is_some() => Context::Inspector,
        (Overlay::Matrix(_), _) => Context::Matrix,
        (Overlay::Compare(_), _) => Context::Compare,
        (Overlay::Resend(_), _) => Context::Resend,
        (Overlay::None, Focus::Editor) => Context::Chat,
        (Overlay::None, Focus::Transcript) => Context::Transcript,
    };
    let mut action = state.keymap.action(context, &key);
    // `?` on an empty prompt opens the help; anywhere else it is just a character.
    if action.is_none()
        && context == Context::Chat
        && key.code == KeyCode::Char('?')
        && state.draft().is_empty()
    {
        action = Some(Action::ToggleHelp);
    }
    if action != Some(Action::Quit) {
        state.quit_armed = false;
    }
    match action {
        Some(Action::EditRequest) if context == Context::Inspector => {
            super::resend::open(state);
            Vec::new()
        }
        Some(action) if context == Context::Resend && action != Action::Quit => {
            super::resend::perform(state, action)
        }
        None if context == Context::Resend => {
            super::resend::edit(state, key);
            Vec::new()
        }
        Some(action) if context == Context::Inspector && action != Action::Quit => {
            super::inspector::perform(state, action);
            Vec::new()
        }
        Some(action) if context == Context::Compare && action != Action::Quit => {
            super::compare::perform(state, action)
        }
        Some(action) if context == Context::Matrix && action != Action::Quit => {
            super::matrix::perform(state, action);
            Vec::new()
        }
        Some(action) if context == Context::Sessions => {
            if action == Action::Quit {
                return perform(state, context, action, key);
            }
            super::sessions::perform(state, action)
        }
        Some(action) => perform(state, context, action, key),
        None => unbound_key(state, context, key),
    }
}

/// A key no binding claims: it edits the prompt, the picker filter or the form field.
fn unbound_key(state: &mut State, context: Context, key: KeyEvent) -> Vec<Effect> {
    let plain_char = match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    };
    let clear = key.code == KeyCode::Char('u') && key.modifiers == KeyModifiers::CONTROL;
    if context == Context::Sessions {
        return super::sessions::unbound_key(
            state,
            plain_char,
            key.code == KeyCode::Backspace,
            clear,
        );
    }
    match (&mut state.overlay, context) {
        (Overlay::Picker(picker), _) => {
            let changed = match (plain_char, key.code) {
                (Some(c), _) => {
                    picker.filter.push(c);
                    true
                }
                (None, KeyCode::Backspace) => picker.filter.pop().is_some(),
                _ if clear => {
                    picker.filter.clear();
                    true
                }
                _ => false,
            };
            if changed {
                picker.refilter();
            }
        }
        (Overlay::Parameters(form), _) => {
            if let Some(field) = form.field_mut() {
                match (plain_char, key.code) {
                    (Some(c), _) => field.push(c),
                    (None, KeyCode::Backspace) => {
                        field.pop();
                    }
                    _ if clear => field.clear(),
                    _ => {}
                }
            }
        }
        (Overlay::None, Context::Chat) if state.editor.input(key) => {
            state.history_cursor = None;
        }
        _ => {}
    }
    Vec::new()
}

fn perform(state: &mut State, context: Context, action: Action, key: KeyEvent) -> Vec<Effect> {
    match action {
        Action::Send => return send(state),
        Action::Newline => state.editor.insert_newline(),
        Action::Cancel => {
            if state.in_flight.is_some() {
                return cancel(state);
            }
            state.focus = Focus::Editor;
        }
        Action::Quit => {
            if state.quit_armed {
                state.quit = true;
                return cancel(state);
            }
            state.quit_armed = true;
            state.flash("press Ctrl+C again to quit", false);
        }
        Action::Retry => return retry(state),
        Action::OpenModelPicker => {
            state.overlay = Overlay::Picker(Picker::new(
                state.listed_models.as_deref(),
                region(state),
                &state.model,
            ));
        }
        Action::OpenParameters => {
            state.overlay =
                Overlay::Parameters(ParamsForm::new(state.system.as_deref(), &state.params));
        }
        Action::ToggleHelp => {
            state.overlay = match state.overlay {
                Overlay::Help { .. } => Overlay::None,
                _ => Overlay::Help { scroll: 0 },
            };
        }
        Action::ToggleReasoning => {
            state.show_reasoning = !state.show_reasoning;
            let shown = if state.show_reasoning {
                "unfolded"
            } else {
                "folded"
            };
            state.flash(format!("reasoning {shown}"), false);
        }
        Action::CopyLastAnswer => {
            return match state.last_answer() {
                Some(m) => {
                    let text = m.text.clone();
                    state.flash(
                        format!("copied the last answer ({} chars)", text.chars().count()),
                        false,
                    );
                    vec![Effect::Copy(text)]
                }
                None => {
                    state.flash("no answer to copy yet", true);
                    Vec::new()
                }
            };
        }
        Action::CopyLastCodeBlock => {
            let block = state
                .last_answer()
                .and_then(|m| crate::ui::markdown::last_code_block(&m.text));
            return match block {
                Some(code) => {
                    state.flash(
                        format!("copied a code block ({} lines)", code.lines().count()),
                        false,
                    );
                    vec![Effect::Copy(code)]
                }
                None => {
                    state.flash("the last answer has no code block", true);
                    Vec::new()
                }
            };
        }
        Action::NewConversation => {
            let effects = cancel(state);
            state.messages.clear();
            state.conversation += 1;
            state.session = None;
            state.scroll = Scroll::Follow;
            state.flash("new conversation", false);
            return effects;
        }
        Action::OpenSessions => return super::sessions::open_browser(state),
        Action::ToggleInspector => super::inspector::toggle(state),
        Action::CompareTypes => return super::matrix::start(state),
        Action::CompareModels => return super::compare::choose_models(state),
        Action::ToggleMark => {
            if let Overlay::Picker(picker) = &mut state.overlay
                && let Err(e) = picker.toggle_mark(super::compare::MAX_PANES)
            {
                state.flash(e, true);
            }
        }
        Action::ExportMarkdown => {
            return super::sessions::export_current(state, crate::transcript::export::Format::Md);
        }
        Action::ExportJson => {
            return super::sessions::export_current(state, crate::transcript::export::Format::Json);
        }
        Action::FocusTranscript => state.focus = Focus::Transcript,
        Action::FocusEditor => state.focus = Focus::Editor,
        Action::HistoryPrevious => history(state, key, true),
        Action::HistoryNext => history(state, key, false),
        Action::Undo => {
            state.editor.undo();
        }
        Action::Redo => {
            state.editor.redo();
        }
        Action::ScrollUp => scroll_target(state, -1),
        Action::ScrollDown => scroll_target(state, 1),
        Action::PageUp => page(state, context, false),
        Action::PageDown => page(state, context, true),
        Action::ScrollTop => state.scroll = Scroll::Line(0),
        Action::ScrollBottom => state.scroll = Scroll::Follow,
        Action::Confirm => return confirm(state),
        Action::Close => state.overlay = Overlay::None,
        Action::SelectPrevious | Action::SelectNext => {
            let forward = action == Action::SelectNext;
            match &mut state.overlay {
                Overlay::Picker(p) => p.move_selection(if forward { 1 } else { -1 }),
                Overlay::Parameters(f) => f.move_field(forward),
                _ => {}
            }
        }
        // Only the session browser renames and deletes; only the inspector edits requests.
        Action::Rename | Action::Delete | Action::EditRequest | Action::None => {}
    }
    Vec::new()
}

fn history(state: &mut State, key: KeyEvent, back: bool) {
    let browsing = state.history_cursor.is_some();
    if state.history.is_empty() || (!browsing && !state.draft().is_empty()) || (!browsing && !back)
    {
        state.editor.input(key);
        return;
    }
    let last = state.history.len() - 1;
    let next = match (state.history_cursor, back) {
        (None, _) => Some(last),
        (Some(c), true) => Some(c.saturating_sub(1)),
        (Some(c), false) if c < last => Some(c + 1),
        (Some(_), false) => None,
    };
    state.history_cursor = next;
    let text = next
        .and_then(|i| state.history.get(i))
        .cloned()
        .unwrap_or_default();
    state.set_draft(&text);
}

fn page(state: &mut State, context: Context, down: bool) {
    let step = state.view.viewport_height.saturating_sub(2).max(1) as isize;
    let step = if down { step } else { -step };
    match (&mut state.overlay, context) {
        (Overlay::Picker(p), _) => p.move_selection(step),
        _ => scroll_target(state, step),
    }
}

/// Scrolls whatever the wheel or arrows point at: the help, the picker or the transcript.
fn scroll_target(state: &mut State, delta: isize) {
    match &mut state.overlay {
        Overlay::Help { scroll } => *scroll = scroll.saturating_add_signed(delta),
        Overlay::Picker(p) => p.move_selection(delta.signum()),
        Overlay::Matrix(super::matrix::MatrixView {
            inspect: Some(scroll),
            ..
        })
        | Overlay::Inspector { scroll, .. } => {
            let bottom = state
                .view
                .overlay_content
                .saturating_sub(state.view.overlay_viewport);
            *scroll = scroll.saturating_add_signed(delta).min(bottom);
        }
        _ => scroll_transcript(state, delta),
    }
}

/// Scrolls the transcript; reaching the bottom follows the stream again.
pub fn scroll_transcript(state: &mut State, delta: isize) {
    let max_top = state
        .view
        .content_height
        .saturating_sub(state.view.viewport_height);
    let top = match state.scroll {
        Scroll::Follow => max_top,
        Scroll::Line(t) => t.min(max_top),
    };
    let next = top.saturating_add_signed(delta);
    state.scroll = if next >= max_top {
        Scroll::Follow
    } else {
        Scroll::Line(next)
    };
}

fn on_paste(state: &mut State, text: &str) -> Vec<Effect> {
    state.quit_armed = false;
    // Terminals send pasted newlines as CR, CRLF or LF.
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    let clean = crate::text::sanitize_for_terminal(&unified);
    match &mut state.overlay {
        Overlay::Picker(p) => {
            p.filter.push_str(clean.lines().next().unwrap_or_default());
            p.refilter();
        }
        Overlay::Parameters(form) => {
            if let Some(field) = form.field_mut() {
                field.push_str(&clean.replace('\n', " "));
            }
        }
        Overlay::Sessions(browser) => {
            let line = clean.lines().next().unwrap_or_default();
            match &mut browser.mode {
                super::sessions::BrowserMode::Rename(title) => title.push_str(line),
                super::sessions::BrowserMode::Browse => {
                    browser.filter.push_str(line);
                    browser.refilter();
                }
                super::sessions::BrowserMode::ConfirmDelete => {}
            }
        }
        Overlay::Help { .. }
        | Overlay::Inspector { .. }
        | Overlay::Matrix(_)
        | Overlay::Compare(_) => {}
        Overlay::Resend(form) => match form.field_mut() {
            Some(field) => field.push_str(clean.lines().next().unwrap_or_default()),
            None => {
                form.body.insert_str(clean.as_ref());
            }
        },
        Overlay::None => {
            state.focus = Focus::Editor;
            state.editor.insert_str(clean.as_ref());
            state.history_cursor = None;
        }
    }
    Vec::new()
}

fn confirm(state: &mut State) -> Vec<Effect> {
    match std::mem::take(&mut state.overlay) {
        Overlay::Picker(mut picker) if picker.compare.is_some() => {
            let marked = picker.compare.take().unwrap_or_default();
            if marked.len() < 2 {
                let mark = state.keymap.hint(Context::Picker, Action::ToggleMark);
                state.flash(format!("mark 2 to 4 models with {mark}"), true);
                picker.compare = Some(marked);
                state.overlay = Overlay::Picker(picker);
                return Vec::new();
            }
            return super::compare::start(state, marked);
        }
        Overlay::Picker(picker) => {
            let Some(item) = picker.selected_item().cloned() else {
                state.overlay = Overlay::Picker(picker);
                return Vec::new();
            };
            if !item.chats() {
                let what = match item.family.map(|f| f.output()) {
                    Some(OutputKind::Embedding) => "makes embeddings",
                    Some(OutputKind::Image) => "makes images",
                    _ => "has a request format bedrock-tui does not know",
                };
                state.flash(
                    format!(
                        "{} {what}; the chat needs a text model (try `bedrock-tui ask --model {}`)",
                        item.name, item.id
                    ),
                    true,
                );
                state.overlay = Overlay::Picker(picker);
                return Vec::new();
            }
            switch_model(state, item.id);
        }
        Overlay::Parameters(mut form) => match form.parse(&state.model, state.family()) {
            Ok((system, params, notes)) => {
                state.system = system;
                state.params = params;
                let mut text = "parameters applied".to_string();
                if !notes.is_empty() {
                    text = format!("{text}; {}", notes.join("; "));
                }
                state.flash(text, false);
            }
            Err(e) => {
                form.error = Some(e);
                state.overlay = Overlay::Parameters(form);
            }
        },
        other => state.overlay = other,
    }
    Vec::new()
}

/// Switches the model for the next turn; the conversation is re-encoded for its family then.
pub fn switch_model(state: &mut State, model: String) {
    if model == state.model {
        return;
    }
    let family = crate::models::family_of(&model).map_or("unknown", |f| f.name());
    let mut text = format!(
        "Next turns go to {} ({model}, {family} format); the conversation so far is re-encoded for it.",
        State::model_name(&model)
    );
    if state.in_flight.is_some() {
        text.push_str(" The answer in flight finishes from the previous model; Esc cancels it.");
    }
    state.model = model;
    state.family_override = None;
    state.push(Speaker::Notice, text);
}

/// Everything a request needs, checked before anything changes on screen.
pub(crate) struct Prepared {
    pub(crate) family: crate::models::FamilyId,
    pub(crate) body: bytes::Bytes,
    pub(crate) stream: bool,
    pub(crate) notes: Vec<String>,
}

fn prepare(state: &State, conversation: &crate::models::Conversation) -> Result<Prepared, String> {
    prepare_for(state, &state.model, state.family(), conversation)
}

/// `prepare` for another model than the current one (compare mode).
pub(crate) fn prepare_for(
    state: &State,
    model: &str,
    family: Option<crate::models::FamilyId>,
    conversation: &crate::models::Conversation,
) -> Result<Prepared, String> {
    let family = family.ok_or_else(|| {
        format!(
            "cannot tell the request format of {:?}; pick a model with {}",
            model,
            state.keymap.hint(Context::Chat, Action::OpenModelPicker)
        )
    })?;
    if family.output() != OutputKind::Text {
        return Err(format!(
            "{} is not a text model; pick one with {}",
            model,
            state.keymap.hint(Context::Chat, Action::OpenModelPicker)
        ));
    }
    let info =
        catalog::lookup(model).filter(|m| m.family == family || m.also_accepts.contains(&family));
    let mut params = state.params.clone();
    let adjusted =
        capabilities::apply(info, family, &mut params, true).map_err(|e| e.to_string())?;
    let mut notes = adjusted.notes;
    if let Some(hint) = info.and_then(|m| capabilities::profile_hint(model, m)) {
        notes.push(hint);
    }
    let body = family
        .adapter()
        .build_body(conversation, &params, adjusted.stream)
        .map_err(|e| e.to_string())?;
    Ok(Prepared {
        family,
        body: bytes::Bytes::from(body.to_string()),
        stream: adjusted.stream,
        notes,
    })
}

fn send(state: &mut State) -> Vec<Effect> {
    let text = state.draft();
    if text.trim().is_empty() {
        return Vec::new();
    }
    if state.refuse_while_streaming() {
        return Vec::new();
    }
    let mut conversation = state.conversation();
    conversation.turns.push(crate::models::Turn {
        role: crate::models::Role::User,
        text: text.clone(),
    });
    let prepared = match prepare(state, &conversation) {
        Ok(p) => p,
        Err(e) => {
            // The draft stays in the editor.
            state.flash(e, true);
            return Vec::new();
        }
    };
    state.push(Speaker::User, text.clone());
    if state.history.last() != Some(&text) {
        state.history.push(text);
    }
    state.history_cursor = None;
    state.set_draft("");
    begin(state, prepared)
}

fn retry(state: &mut State) -> Vec<Effect> {
    if state.refuse_while_streaming() {
        return Vec::new();
    }
    let Some(last_user) = state
        .messages
        .iter()
        .rposition(|m| m.speaker == Speaker::User && !m.superseded)
    else {
        state.flash("nothing to retry yet", true);
        return Vec::new();
    };
    // Answers after the last prompt stay on screen but are no longer sent.
    let conversation = state.conversation_until(last_user + 1);
    let superseded: Vec<u64> = state.messages[last_user + 1..]
        .iter()
        .filter(|m| m.speaker == Speaker::Assistant && !m.superseded)
        .map(|m| m.id)
        .collect();
    let prepared = match prepare(state, &conversation) {
        Ok(p) => p,
        Err(e) => {
            state.flash(e, true);
            return Vec::new();
        }
    };
    for id in superseded {
        if let Some(m) = state.message_mut(id) {
            m.superseded = true;
            m.revision += 1;
        }
    }
    begin(state, prepared)
}

fn begin(state: &mut State, prepared: Prepared) -> Vec<Effect> {
    let request_id = state.new_request_id();
    let model = state.model.clone();
    let mut answer = state.new_message(Speaker::Assistant, "");
    answer.model = Some(model.clone());
    answer.notes = prepared.notes;
    state.start_answer(answer, request_id);
    vec![Effect::Send(RequestSpec {
        request_id,
        model,
        family: prepared.family,
        body: prepared.body,
        stream: prepared.stream,
        options: Default::default(),
    })]
}

/// Cancels the answer in flight, if any.
pub(crate) fn cancel(state: &mut State) -> Vec<Effect> {
    let Some(flight) = state.in_flight.take() else {
        return Vec::new();
    };
    if let Some(m) = state.message_mut(flight.message_id) {
        m.status = AnswerStatus::Cancelled;
        m.revision += 1;
    }
    vec![Effect::Cancel {
        request_id: flight.request_id,
    }]
}

fn on_stream(state: &mut State, request_id: u64, update: StreamUpdate) -> Vec<Effect> {
    if let Some(effects) = super::compare::route(state, request_id, &update) {
        return effects;
    }
    let Some(flight) = state.in_flight.filter(|f| f.request_id == request_id) else {
        // A cancelled or superseded request: its news is dropped.
        return Vec::new();
    };
    let Some(message) = state.message_mut(flight.message_id) else {
        state.in_flight = None;
        return Vec::new();
    };
    if apply_update(message, update) {
        state.in_flight = None;
    }
    Vec::new()
}

/// Applies news of a request to the answer it fills; true when the answer has ended.
pub(crate) fn apply_update(message: &mut Message, update: StreamUpdate) -> bool {
    let mut finished = false;
    match update {
        StreamUpdate::Wire(wire) => {
            let exchange = message.exchange.get_or_insert_default();
            match *wire {
                WireUpdate::Sent(requests) => exchange.requests = requests,
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
        StreamUpdate::Started { first_byte } => message.stats.first_byte = Some(first_byte),
        StreamUpdate::Delta { delta, elapsed } => message.apply_delta(&delta, elapsed),
        StreamUpdate::Finished { elapsed } => {
            message.status = AnswerStatus::Complete;
            message.stats.total = Some(elapsed);
            finished = true;
        }
        StreamUpdate::Failed { error, elapsed } => {
            message.status = AnswerStatus::Failed(error);
            message.stats.total = Some(elapsed);
            finished = true;
        }
    }
    if finished {
        if let Some(exchange) = &mut message.exchange {
            exchange.total = message.stats.total;
        }
        message.revision += 1;
        let price = message
            .model
            .as_deref()
            .and_then(catalog::lookup)
            .and_then(|m| m.price_per_1k);
        if let (Some(price), Some(i), Some(o)) = (
            price,
            message.stats.input_tokens,
            message.stats.output_tokens,
        ) {
            message.stats.cost =
                Some(price.input * i as f64 / 1000.0 + price.output * o as f64 / 1000.0);
        }
    }
    finished
}

fn on_connected(state: &mut State, result: Result<super::ConnectionInfo, String>) -> Vec<Effect> {
    match result {
        Ok(info) => {
            if let Some(reason) = &info.fallback_reason {
                state.push(
                    Speaker::Notice,
                    format!(
                        "{reason}: answering from the built-in Bedrock emulator (offline demo). \
                         Put a fault marker such as [[fault:throttling]] in a prompt to see an inline exception."
                    ),
                );
            }
            state.connection = ConnectionState::Ready {
                description: info.description,
                region: info.region,
                emulator: info.emulator,
            };
            vec![Effect::ListModels]
        }
        Err(e) => {
            let failed_flight = state.in_flight.take();
            if let Some(flight) = failed_flight
                && let Some(m) = state.message_mut(flight.message_id)
            {
                m.status = AnswerStatus::Failed(ErrorInfo {
                    name: "ConnectionError".into(),
                    message: e.clone(),
                    status: None,
                    original_status: None,
                    in_stream: false,
                });
                m.revision += 1;
            }
            state.push(Speaker::Notice, format!("cannot connect: {e}"));
            state.connection = ConnectionState::Failed(e);
            Vec::new()
        }
    }
}
