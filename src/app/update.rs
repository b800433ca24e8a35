//! The pure update: `update(&mut State, Msg) -> Vec<Effect>`. Input goes to `keys`, request
//! news to `turns` (matched to its request by id), news of background tasks to the module that
//! asked for them; nothing here does I/O.

use super::popups::picker::Picker;
use super::state::{AnswerStatus, ConnectionState, ErrorInfo, Speaker, State};
use super::{Effect, Msg, StreamUpdate, keys, turns};
use crate::exchange::Found;

/// Applies one message to the state and returns the I/O it calls for.
pub(crate) fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => keys::on_key(state, key),
        Msg::Paste(text) => keys::on_paste(state, &text, false),
        Msg::PasteMore(text) => keys::on_paste(state, &text, true),
        Msg::Mouse(mouse) => keys::on_mouse(state, mouse),
        // The view's own news (the loop hands a decoded picture to the view).
        Msg::Resize | Msg::PictureDecoded { .. } => Vec::new(),
        Msg::Stream { request_id, update } => {
            // An answer's pictures (the chat's or a compare pane's): their sizes are read.
            let mut effects = match (&update, state.settings.pictures_dir.as_deref()) {
                (StreamUpdate::Pictures(markdown), Some(dir)) => {
                    let paths = crate::pictures::paths_in(markdown, dir);
                    let answer = state
                        .requests
                        .in_flight
                        .filter(|flight| flight.request_id == request_id)
                        .map(|flight| flight.message_id);
                    super::pictures::probe(state, answer, paths)
                }
                _ => Vec::new(),
            };
            // A compare pane's news goes to the pane; the chat's to its answer.
            match super::popups::compare::route(state, request_id, &update) {
                Some(pane) => effects.extend(pane),
                None => effects.extend(turns::on_stream(state, request_id, update)),
            }
            effects
        }
        Msg::PictureProbed { path, probe } => {
            super::pictures::on_probed(state, path, probe);
            Vec::new()
        }
        Msg::Connected(result) => on_connected(state, result),
        Msg::ModelsListed(result) => {
            on_models_listed(state, result);
            Vec::new()
        }
        Msg::ModelLookedUp { model, found } => {
            on_looked_up(state, model, found);
            Vec::new()
        }
        Msg::Session(news) => {
            let opened = matches!(&news, crate::transcript::writer::WriterNews::Loaded(result) if result.is_ok());
            super::popups::sessions::on_news(state, news);
            // A first answer that ended before its session file was open is titled now.
            let mut effects = super::titles::after_answer(state);
            if opened {
                // The pictures of the conversation opened: their sizes are read.
                effects.extend(super::pictures::probe_all(state));
            }
            effects
        }
        Msg::SessionsListed(result) => super::popups::sessions::on_listed(state, result),
        Msg::ToolRan { round, index, ran } => super::tool_round::on_ran(state, round, index, *ran),
        Msg::ToolViewed { round, index } => {
            super::tool_round::on_viewed(state, round, index);
            Vec::new()
        }
        Msg::McpConnected { name, result } => super::mcp::on_mcp(state, &name, result),
        Msg::TitleWritten {
            conversation,
            result,
        } => super::titles::on_written(state, conversation, result),
        Msg::SessionsIndexed(index) => {
            if let super::popups::Overlay::Sessions(browser) = &mut state.screen.overlay {
                browser.set_index(index);
            }
            Vec::new()
        }
        Msg::ClipboardImage(result) => {
            match result.and_then(|bytes| {
                crate::attachments::Attachment::from_bytes("clipboard.png", bytes)
            }) {
                Ok(image) if image.kind() == crate::attachments::Kind::Image => {
                    return super::attach::attach(state, image);
                }
                Ok(other) => state.flash(
                    format!("the clipboard holds {}, not an image", other.media.label()),
                    true,
                ),
                Err(e) => state.flash(format!("no image pasted: {e}"), true),
            }
            Vec::new()
        }
        Msg::AttachmentRead { path, result } => super::attach::on_read(state, &path, result),
        Msg::DraftEdited(Ok(text)) => {
            state.set_draft(&text);
            state.screen.focus = super::state::Focus::Editor;
            Vec::new()
        }
        Msg::DraftEdited(Err(why)) | Msg::ProgramFailed(why) | Msg::AttachmentNotKept(why) => {
            state.flash(why, true);
            Vec::new()
        }
        Msg::PathCompleted {
            partial,
            completed,
            choices,
        } => {
            super::attach::on_completed(state, &partial, &completed, &choices);
            Vec::new()
        }
        Msg::PastedFile { path, pasted } => {
            super::attach::on_pasted_file(state, path, pasted);
            Vec::new()
        }
        Msg::RolesListed(roles, warnings, dir) => {
            super::popups::roles::on_listed(state, roles, warnings, dir);
            Vec::new()
        }
        Msg::SessionTask(result) => {
            match result {
                Ok(done) => {
                    state.flash(done, false);
                    if let super::popups::Overlay::Sessions(_) = state.screen.overlay {
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
            super::popups::matrix::on_outcome(state, run, index, outcome);
            Vec::new()
        }
        Msg::Terminate => {
            state.quit = true;
            turns::cancel(state)
        }
    }
}

fn on_models_listed(state: &mut State, result: Result<Vec<crate::listing::Row>, String>) {
    match result {
        Ok(rows) if !rows.is_empty() => {
            state.requests.listed_models = Some(rows);
            if let super::popups::Overlay::Picker(picker) = &state.screen.overlay {
                let mut fresh = Picker::new(
                    state.requests.listed_models.as_deref(),
                    state.region(),
                    &state.chat.model,
                );
                fresh.filter.clone_from(&picker.filter);
                fresh.compare.clone_from(&picker.compare);
                fresh.refilter();
                state.screen.overlay = super::popups::Overlay::Picker(fresh);
            }
        }
        Ok(_) => {}
        Err(e) => state.flash(
            format!("live model listing unavailable ({e}); the picker shows the built-in catalog"),
            false,
        ),
    }
}

fn on_looked_up(state: &mut State, model: String, found: Found) {
    let text = match &found {
        Found::Family(family, base) => {
            format!("{model} runs {base}: the next turns use the {family} format.")
        }
        Found::Unknown(why) => format!(
            "The request format of {model} is not known: {why}. Start with --family NAME to name it."
        ),
    };
    if model == state.chat.model {
        state.push(Speaker::Notice, text);
    }
    state.requests.looked_up.insert(model, found);
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
            state.requests.connection = ConnectionState::Ready {
                description: info.description,
                region: info.region,
                emulator: info.emulator,
            };
            let mut effects = vec![Effect::ListModels { refresh: false }];
            effects.extend(turns::look_up_if_needed(state));
            effects
        }
        Err(e) => {
            let failed_flight = state.requests.in_flight.take();
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
                m.goes_again = true;
                m.changed();
            }
            state.push(Speaker::Notice, format!("cannot connect: {e}"));
            state.requests.connection = ConnectionState::Failed(e);
            Vec::new()
        }
    }
}
