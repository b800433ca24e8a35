//! The message cursor of transcript focus: which message is selected, moving it from message to
//! message (deleted ones are skipped), keeping it in view, and copying what it points at.

use super::Effect;
use super::state::{Scroll, Speaker, State};

/// The first message shown (not deleted) from `index` on (`forward`), or before `index`.
pub(crate) fn shown_from(state: &State, index: usize, forward: bool) -> Option<u64> {
    let shown = |m: &&super::state::Message| !m.deleted;
    if forward {
        state
            .chat
            .messages
            .iter()
            .skip(index)
            .find(shown)
            .map(|m| m.id)
    } else {
        state.chat.messages[..index.min(state.chat.messages.len())]
            .iter()
            .rev()
            .find(shown)
            .map(|m| m.id)
    }
}

/// Selects the last message (when the transcript gets the focus and nothing is selected).
pub(crate) fn select_last(state: &mut State) {
    let still_there = state
        .screen
        .cursor
        .and_then(|id| state.index_of(id))
        .is_some_and(|i| !state.chat.messages[i].deleted);
    if !still_there {
        state.screen.cursor = shown_from(state, state.chat.messages.len(), false);
    }
    if let Some(id) = state.screen.cursor {
        state.screen.scroll = Scroll::Message(id);
    }
}

/// Moves the cursor to the previous (`-1`) or next (`1`) message shown.
pub(crate) fn step(state: &mut State, delta: isize) {
    let Some(index) = state.screen.cursor.and_then(|id| state.index_of(id)) else {
        select_last(state);
        return;
    };
    let next = if delta < 0 {
        shown_from(state, index, false)
    } else {
        shown_from(state, index + 1, true)
    };
    if let Some(id) = next {
        state.screen.cursor = Some(id);
        state.screen.scroll = Scroll::Message(id);
    }
}

/// Selects the first or the last message shown.
pub(crate) fn to_end(state: &mut State, last: bool) {
    state.screen.cursor = if last {
        shown_from(state, state.chat.messages.len(), false)
    } else {
        shown_from(state, 0, true)
    };
    state.screen.scroll = match (last, state.screen.cursor) {
        (true, _) | (false, None) => Scroll::Follow,
        (false, Some(id)) => Scroll::Message(id),
    };
}

/// Folds or unfolds the selected prompt when it is a long one.
pub(crate) fn toggle_fold(state: &mut State) {
    let Some(index) = state.screen.cursor.and_then(|id| state.index_of(id)) else {
        state.flash("no message selected (Tab, then ↑ ↓)", true);
        return;
    };
    let message = &mut state.chat.messages[index];
    let long = message.unfolded || message.fold().is_some();
    let tools = message.speaker == Speaker::Tool;
    if !tools && (message.speaker != Speaker::User || !long) {
        state.flash("only a long prompt and tool results are folded", true);
        return;
    }
    message.unfolded = !message.unfolded;
    message.changed();
}

/// The text of the selected message, else of the last answer, with a word for it.
fn target(state: &State) -> Option<(String, &'static str)> {
    // The cursor counts in transcript focus only: from the prompt, keys act on the last answer.
    let selected = state
        .screen
        .cursor
        .filter(|_| state.screen.focus == super::state::Focus::Transcript)
        .and_then(|id| state.index_of(id))
        .map(|i| &state.chat.messages[i]);
    match selected {
        Some(m) if m.speaker == Speaker::Tool => Some((
            m.tool_runs
                .iter()
                .map(|r| format!("{}\n{}", r.summary(), r.result.content))
                .collect::<Vec<_>>()
                .join("\n\n"),
            "the tool results",
        )),
        Some(m) => Some((
            m.text.clone(),
            match m.speaker {
                Speaker::User => "the prompt",
                Speaker::Assistant => "the answer",
                Speaker::Notice => "the note",
                Speaker::Tool => "the tool results",
            },
        )),
        None => state
            .last_answer()
            .map(|m| (m.text.clone(), "the last answer")),
    }
}

/// Copies the selected message (the last answer when none is selected).
pub(crate) fn copy_message(state: &mut State) -> Vec<Effect> {
    let found = target(state);
    copy(state, found)
}

/// Copies the last answer, wherever the cursor is.
pub(crate) fn copy_last_answer(state: &mut State) -> Vec<Effect> {
    let found = state
        .last_answer()
        .map(|m| (m.text.clone(), "the last answer"));
    copy(state, found)
}

fn copy(state: &mut State, found: Option<(String, &'static str)>) -> Vec<Effect> {
    if let Some((text, what)) = found.filter(|(text, _)| !text.is_empty()) {
        state.flash(
            format!("copied {what} ({} chars)", text.chars().count()),
            false,
        );
        vec![Effect::Copy(text)]
    } else {
        state.flash("no answer to copy yet", true);
        Vec::new()
    }
}

/// Copies code block `number` (from 1, as numbered on screen; 0: the last) of the selected
/// message, or of the last answer when none is selected.
pub(crate) fn copy_code_block(state: &mut State, number: usize) -> Vec<Effect> {
    let Some((text, what)) = target(state) else {
        state.flash("no answer to copy from yet", true);
        return Vec::new();
    };
    let mut blocks = crate::text::markdown::code_blocks(&text);
    let count = blocks.len();
    let block = match number {
        0 => blocks.pop().filter(|b| !b.is_empty()),
        n => blocks.into_iter().nth(n - 1),
    };
    match block {
        Some(code) => {
            let which = if number == 0 {
                String::new()
            } else {
                format!(" #{number}")
            };
            state.flash(
                format!(
                    "copied code block{which} of {what} ({} lines)",
                    code.lines().count()
                ),
                false,
            );
            vec![Effect::Copy(code)]
        }
        None if count == 0 => {
            state.flash(format!("{what} has no code block"), true);
            Vec::new()
        }
        None => {
            state.flash(format!("{what} has {count} code blocks"), true);
            Vec::new()
        }
    }
}
