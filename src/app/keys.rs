//! Input: a key is looked up in the open popup's context (or the chat's or transcript's), then
//! in the global one (quit, help); the open popup handles its own actions, unbound keys, pastes
//! and wheel steps; the chat's actions are performed here.

use super::Effect;
use super::popups::help::HelpView;
use super::popups::parameters::ParamsForm;
use super::popups::picker::Picker;
use super::popups::{Overlay, dispatch};
use super::state::{Focus, Scroll, State};
use super::turns;
use crate::keymap::{Action, Context};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui_textarea::TextArea;

/// Opens the help over what is open (as `?` and F1 do).
pub(crate) fn open_help(state: &mut State) {
    if !matches!(state.screen.overlay, Overlay::Help(_)) {
        let under = std::mem::take(&mut state.screen.overlay);
        state.screen.overlay = Overlay::Help(HelpView::over(under));
    }
}

/// Lines one mouse-wheel step scrolls.
const WHEEL_LINES: isize = 3;

/// A key press.
pub(crate) fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    state.screen.flash = None;
    // A turn waiting to be deleted: `y` deletes it, any other key keeps it (and does nothing
    // else).
    if state.chat.pending_delete.is_some() {
        let yes = key.code == KeyCode::Char('y') && !key.modifiers.contains(KeyModifiers::CONTROL);
        super::branches::answer_delete(state, yes);
        return Vec::new();
    }
    if let Some(effects) = super::popups::early_key(state, &key) {
        return effects;
    }
    let context = state
        .screen
        .overlay
        .context()
        .unwrap_or(match state.screen.focus {
            Focus::Editor => Context::Chat,
            Focus::Transcript => Context::Transcript,
        });
    // Ctrl+X Ctrl+E, as in bash and zsh: the prompt in the editor.
    let ctrl = |c: char| key.code == KeyCode::Char(c) && key.modifiers == KeyModifiers::CONTROL;
    if context == Context::Chat && std::mem::take(&mut state.composer.ctrl_x) && ctrl('e') {
        return vec![Effect::EditDraft];
    }
    let own = state.settings.keymap.action(context, &key);
    if context == Context::Chat && own.is_none() && ctrl('x') {
        state.composer.ctrl_x = true;
        return Vec::new();
    }
    let mut action = own.or_else(|| state.settings.keymap.action(Context::Global, &key));
    // `?` on an empty prompt opens the help; anywhere else it is just a character.
    if action.is_none()
        && context == Context::Chat
        && key.code == KeyCode::Char('?')
        && state.draft_is_empty()
    {
        action = Some(Action::ToggleHelp);
    }
    if action != Some(Action::Quit) {
        state.quit_armed = None;
    }
    let global = own.is_none() && action.is_some();
    match action {
        // A global action (quit, help) is the chat's, whatever popup is open.
        Some(action) if global || !state.screen.overlay.is_open() => perform(state, action),
        Some(action) => {
            dispatch(state, |popup, state| popup.on_action(state, action)).unwrap_or_default()
        }
        None if state.screen.overlay.is_open() => {
            dispatch(state, |popup, state| popup.on_key(state, &key)).unwrap_or_default()
        }
        None if context == Context::Transcript => typed_in_transcript(state, key),
        None => {
            if context == Context::Chat && state.edit_with_key(key) {
                state.composer.history_cursor = None;
            }
            Vec::new()
        }
    }
}

/// A key transcript focus does not bind: a digit copies that code block of the selected
/// message; any other character goes to the prompt and is typed there, so a word typed in the
/// wrong focus is never taken as commands; a chord the chat binds (Ctrl+O, F2, …) does what
/// it does there.
fn typed_in_transcript(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let chord = key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    let c = match key.code {
        KeyCode::Char(c) if !chord => c,
        _ => {
            return match state.settings.keymap.action(Context::Chat, &key) {
                Some(action) if !is_editing(action) => perform(state, action),
                _ => Vec::new(),
            };
        }
    };
    if let Some(digit) = c.to_digit(10).filter(|d| *d > 0) {
        return super::cursor::copy_code_block(state, digit as usize);
    }
    leave_transcript(state);
    if state.edit_with_key(key) {
        state.composer.history_cursor = None;
    }
    Vec::new()
}

/// Chat actions that edit the prompt: a chord for them in transcript focus does nothing.
fn is_editing(action: Action) -> bool {
    matches!(
        action,
        Action::Send
            | Action::Newline
            | Action::KillToLineStart
            | Action::ClearDraft
            | Action::Undo
            | Action::Redo
            | Action::HistoryPrevious
            | Action::HistoryNext
            | Action::FocusTranscript
            | Action::Attach
            | Action::Detach
            | Action::PasteImage
            | Action::DropOldest
            | Action::SummarizeOldest
    )
}

/// The prompt gets the focus back; a view held on the selected message stays where it is.
fn leave_transcript(state: &mut State) {
    state.screen.focus = Focus::Editor;
    if let Scroll::Message(_) = state.screen.scroll {
        state.screen.scroll = Scroll::Line(state.screen.view.top);
    }
}

/// A mouse event: the wheel scrolls the popup or the transcript.
pub(crate) fn on_mouse(state: &mut State, mouse: MouseEvent) -> Vec<Effect> {
    let delta = match mouse.kind {
        MouseEventKind::ScrollUp => -WHEEL_LINES,
        MouseEventKind::ScrollDown => WHEEL_LINES,
        _ => return Vec::new(),
    };
    if dispatch(state, |popup, state| {
        popup.on_scroll(state, delta);
        super::popups::Reply::stay()
    })
    .is_none()
    {
        scroll_transcript(state, delta);
    }
    Vec::new()
}

/// A bracketed paste: the whole text at once, into the popup's field or the prompt.
pub(crate) fn on_paste(state: &mut State, text: &str, goes_on: bool) -> Vec<Effect> {
    state.quit_armed = None;
    state.screen.flash = None;
    // Terminals send pasted newlines as CR, CRLF or LF.
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    let clean = crate::text::sanitize_for_terminal(&unified);
    if let Some(effects) = dispatch(state, |popup, state| popup.on_paste(state, &clean)) {
        return effects;
    }
    state.screen.focus = Focus::Editor;
    state.insert_paste(clean.as_ref(), goes_on);
    state.composer.history_cursor = None;
    super::attach::offer_pasted_path(&clean)
}

/// An action of the chat or the transcript, or a global one.
fn perform(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Send => return turns::send(state),
        Action::Newline => state.edit_step(|editor| {
            editor.insert_newline();
            true
        }),
        Action::Cancel => {
            // A queued prompt is taken back first; the next Esc cancels the answer.
            if turns::unqueue(state) || super::branches::stop_editing(state) {
                return Vec::new();
            }
            if state.requests.in_flight.is_some() {
                return turns::cancel(state);
            }
            if let Some(effects) = super::tool_round::cancel(state) {
                return effects;
            }
            leave_transcript(state);
        }
        Action::EditInEditor => return vec![Effect::EditDraft],
        Action::ShowStatusLog => state.show_status_log(),
        Action::KillToLineStart => {
            state.edit_step(TextArea::delete_line_by_head);
        }
        Action::ClearDraft => {
            let draft = state.draft();
            if !draft.trim().is_empty() {
                if state.composer.history.last() != Some(&draft) {
                    state.composer.history.push(draft);
                }
                state.set_draft("");
                state.flash("draft cleared (Up brings it back)", false);
            }
        }
        Action::Quit => {
            // While an answer streams, Ctrl+C stops it (as Esc does); idle, it quits when
            // pressed twice within two seconds.
            if state.requests.in_flight.is_some() {
                state.quit_armed = None;
                return turns::cancel(state);
            }
            if let Some(effects) = super::tool_round::cancel(state) {
                state.quit_armed = None;
                return effects;
            }
            let now = std::time::Instant::now();
            if state.quit_armed.is_some_and(|until| now < until) {
                state.quit = true;
                return turns::cancel(state);
            }
            state.quit_armed = Some(now + super::state::QUIT_WINDOW);
            state.flash(super::state::QUIT_AGAIN, false);
        }
        Action::Retry => return turns::retry(state),
        Action::MessagePrevious => super::cursor::step(state, -1),
        Action::MessageNext => super::cursor::step(state, 1),
        Action::PreviousVersion => return super::branches::step(state, -1),
        Action::NextVersion => return super::branches::step(state, 1),
        Action::EditMessage => return super::branches::edit_selected(state),
        Action::Regenerate => return super::branches::regenerate_selected(state),
        Action::Fork => return super::branches::fork(state),
        Action::DeleteTurn => return super::branches::ask_delete(state),
        Action::KeepPartial => return super::branches::toggle_kept(state),
        Action::CopyMessage => return super::cursor::copy_message(state),
        Action::ToggleFold => super::cursor::toggle_fold(state),
        Action::OpenModelPicker => {
            state.screen.overlay = Overlay::Picker(Picker::new(
                state.requests.listed_models.as_deref(),
                state.region(),
                &state.chat.model,
            ));
        }
        Action::OpenRoles => return super::popups::roles::open(state),
        Action::OpenParameters => {
            state.screen.overlay = Overlay::Parameters(ParamsForm::new(
                state.chat.system.as_deref(),
                &state.chat.params,
                &state.settings.request_options,
            ));
        }
        Action::ToggleHelp => {
            let under = std::mem::take(&mut state.screen.overlay);
            state.screen.overlay = match under {
                Overlay::Help(mut help) => help.under.take().map_or(Overlay::None, |u| *u),
                other => Overlay::Help(HelpView::over(other)),
            };
        }
        Action::ToggleReasoning => {
            state.settings.show_reasoning = !state.settings.show_reasoning;
            let shown = if state.settings.show_reasoning {
                "unfolded"
            } else {
                "folded"
            };
            state.flash(format!("reasoning {shown}"), false);
        }
        Action::SwitchApi => {
            state.chat.api = match state.chat.api {
                crate::bedrock::Api::Invoke => crate::bedrock::Api::Converse,
                crate::bedrock::Api::Converse => crate::bedrock::Api::Invoke,
            };
            let said = match state.chat.api {
                crate::bedrock::Api::Invoke => {
                    "the next turn goes through InvokeModel (the model's native body)"
                }
                crate::bedrock::Api::Converse => "the next turn goes through Converse",
            };
            state.flash(said, false);
        }
        Action::CopyLastAnswer => return super::cursor::copy_last_answer(state),
        Action::CopyLastCodeBlock => return super::cursor::copy_code_block(state, 0),
        Action::NewConversation => {
            let mut effects = turns::cancel(state);
            effects.extend(super::tool_round::abandon(state));
            turns::clear_conversation(state);
            state.chat.session = None;
            state.screen.focus = Focus::Editor;
            state.flash("new conversation", false);
            return effects;
        }
        Action::OpenSessions => return super::popups::sessions::open_browser(state),
        Action::ToggleInspector => super::popups::inspector::open(state),
        Action::CompareTypes => return super::popups::matrix::start(state),
        Action::CompareTiers => return super::popups::matrix::start_tiers(state),
        Action::CompareModels => return super::popups::compare::choose_models(state),
        Action::ExportMarkdown => {
            return super::popups::sessions::export_current(
                state,
                crate::transcript::export::Format::Md,
            );
        }
        Action::ExportJson => {
            return super::popups::sessions::export_current(
                state,
                crate::transcript::export::Format::Json,
            );
        }
        // Tab in an `/attach` draft completes the path.
        Action::FocusTranscript if let Some(effects) = super::attach::complete(state) => {
            return effects;
        }
        Action::Attach => return super::attach::attach_key(state),
        Action::Detach => super::attach::detach(state, None),
        Action::PasteImage => return vec![Effect::PasteImage],
        Action::DropOldest => return super::branches::ask_drop_oldest(state),
        Action::SummarizeOldest => return super::summary::summarize_oldest(state),
        Action::FocusTranscript => {
            state.screen.focus = Focus::Transcript;
            super::cursor::select_last(state);
        }
        Action::FocusEditor => leave_transcript(state),
        Action::HistoryPrevious => history(state, true),
        Action::HistoryNext => history(state, false),
        Action::Undo => {
            if !state
                .composer
                .undo
                .undo(&mut state.composer.editor, &mut state.composer.pastes)
            {
                state.flash("nothing to undo", false);
            }
        }
        Action::Redo => {
            if !state
                .composer
                .undo
                .redo(&mut state.composer.editor, &mut state.composer.pastes)
            {
                state.flash("nothing to redo", false);
            }
        }
        Action::ScrollUp => scroll_transcript(state, -1),
        Action::ScrollDown => scroll_transcript(state, 1),
        Action::PageUp => page(state, false),
        Action::PageDown => page(state, true),
        Action::ScrollTop if state.screen.focus == Focus::Transcript => {
            super::cursor::to_end(state, false);
        }
        Action::ScrollBottom if state.screen.focus == Focus::Transcript => {
            super::cursor::to_end(state, true);
        }
        Action::ScrollTop => state.screen.scroll = Scroll::Line(0),
        Action::ScrollBottom => state.screen.scroll = Scroll::Follow,
        // Actions of popups, bound in the chat only by a user's keymap.
        Action::Confirm
        | Action::Close
        | Action::SelectPrevious
        | Action::SelectNext
        | Action::ToggleMark
        | Action::RefreshModels
        | Action::Rename
        | Action::Delete
        | Action::EditRequest
        | Action::AllowOnce
        | Action::ViewWhole
        | Action::AllowAlways
        | Action::Deny
        | Action::None => {}
    }
    Vec::new()
}

/// Up / Down: earlier prompts on an empty prompt (or while recalling); else the cursor moves.
fn history(state: &mut State, back: bool) {
    let browsing = state.composer.history_cursor.is_some();
    if state.composer.history.is_empty()
        || (!browsing && !state.draft_is_empty())
        || (!browsing && !back)
    {
        let code = if back { KeyCode::Up } else { KeyCode::Down };
        state
            .composer
            .editor
            .input(KeyEvent::new(code, KeyModifiers::NONE));
        return;
    }
    let last = state.composer.history.len() - 1;
    let next = match (state.composer.history_cursor, back) {
        (None, _) => Some(last),
        (Some(c), true) => Some(c.saturating_sub(1)),
        (Some(c), false) if c < last => Some(c + 1),
        (Some(_), false) => None,
    };
    state.composer.history_cursor = next;
    let text = next
        .and_then(|i| state.composer.history.get(i))
        .cloned()
        .unwrap_or_default();
    state.set_draft(&text);
}

fn page(state: &mut State, down: bool) {
    let step = state.screen.view.viewport_height.saturating_sub(2).max(1) as isize;
    scroll_transcript(state, if down { step } else { -step });
}

/// Scrolls the transcript; reaching the bottom follows the stream again.
pub fn scroll_transcript(state: &mut State, delta: isize) {
    let max_top = state
        .screen
        .view
        .content_height
        .saturating_sub(state.screen.view.viewport_height);
    let top = match state.screen.scroll {
        Scroll::Follow => max_top,
        Scroll::Line(t) => t.min(max_top),
        Scroll::Message(_) => state.screen.view.top.min(max_top),
    };
    let next = top.saturating_add_signed(delta);
    state.screen.scroll = if next >= max_top {
        Scroll::Follow
    } else {
        Scroll::Line(next)
    };
}
