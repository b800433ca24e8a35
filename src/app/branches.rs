//! Steering a conversation: an earlier prompt edited and sent again, an answer regenerated,
//! the versions of a message stepped through, a turn deleted, a partial answer kept as
//! context, and a fork into a new saved conversation. A version is the transcript from a
//! message on; the ones not on screen are kept on that message's first version shown.

use super::Effect;
use super::state::{Editing, Focus, Message, Scroll, Speaker, State};
use super::turns;
use crate::keymap::{Action, Context};
use crate::models::{Role, Turn};

/// The versions of the transcript from one message on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Alternatives {
    /// Every version in the order they were made; the one on screen is empty here (its
    /// messages are in the transcript).
    pub versions: Vec<Vec<Message>>,
    /// Which version is on screen.
    pub current: usize,
}

impl Alternatives {
    /// `2/3`: the version on screen and how many there are.
    pub fn position(&self) -> (usize, usize) {
        (self.current + 1, self.versions.len())
    }
}

/// Takes the transcript from `index` on off the screen, as one version among the others kept
/// there; a new version is added (empty) and made current, for the caller to fill.
fn stash_from(state: &mut State, index: usize) -> Alternatives {
    let mut old = state
        .chat
        .messages
        .split_off(index.min(state.chat.messages.len()));
    let mut alternatives = old
        .first_mut()
        .and_then(|m| m.alternatives.take())
        .map_or_else(
            || Alternatives {
                versions: vec![Vec::new()],
                current: 0,
            },
            |a| *a,
        );
    if let Some(slot) = alternatives.versions.get_mut(alternatives.current) {
        *slot = old;
    }
    alternatives.versions.push(Vec::new());
    alternatives.current = alternatives.versions.len() - 1;
    alternatives
}

/// Puts the versions back on the message now at `index` (the first of the new version).
fn attach(state: &mut State, index: usize, alternatives: Alternatives) {
    if let Some(first) = state.chat.messages.get_mut(index) {
        first.alternatives = Some(Box::new(alternatives));
        first.changed();
    }
}

/// The selected message and where it is, or a word in the status bar.
fn selected(state: &mut State) -> Option<(usize, u64)> {
    let found = state
        .screen
        .cursor
        .and_then(|id| state.index_of(id).map(|index| (index, id)));
    if found.is_none() {
        state.flash("no message selected (Tab, then ↑ ↓)", true);
    }
    found
}

/// Shows the previous (`-1`) or next (`1`) version of the selected message.
pub(crate) fn step(state: &mut State, delta: isize) -> Vec<Effect> {
    let Some((index, _)) = selected(state) else {
        return Vec::new();
    };
    let Some((current, count)) = state.chat.messages[index]
        .alternatives
        .as_ref()
        .map(|a| (a.current, a.versions.len()))
    else {
        state.flash("this message has no other versions", true);
        return Vec::new();
    };
    let Some(next) = current
        .checked_add_signed(delta)
        .filter(|&next| next < count)
    else {
        let end = if delta < 0 { "first" } else { "last" };
        state.flash(
            format!("this is the {end} version ({}/{count})", current + 1),
            false,
        );
        return Vec::new();
    };
    if state.refuse_while_streaming() {
        return Vec::new();
    }
    let mut alternatives = state.chat.messages[index]
        .alternatives
        .take()
        .map_or_else(Alternatives::default, |a| *a);
    let shown = state.chat.messages.split_off(index);
    alternatives.versions[current] = shown;
    let coming = std::mem::take(&mut alternatives.versions[next]);
    alternatives.current = next;
    state.chat.messages.extend(coming);
    let first = state.chat.messages.get(index).map(|m| m.id);
    attach(state, index, alternatives);
    state.screen.cursor = first;
    state.screen.scroll = first.map_or(Scroll::Follow, Scroll::Message);
    state.flash(format!("version {}/{count}", next + 1), false);
    // The version now on screen may show pictures not measured yet.
    let shown: Vec<u64> = state.chat.messages[index..].iter().map(|m| m.id).collect();
    super::pictures::probe_messages(state, &shown)
}

/// Regenerates the selected answer (or the answer of the selected prompt): the old one stays
/// as another version.
pub(crate) fn regenerate_selected(state: &mut State) -> Vec<Effect> {
    let Some((index, _)) = selected(state) else {
        return Vec::new();
    };
    let answer_at = match state.chat.messages[index].speaker {
        Speaker::Assistant => index,
        Speaker::User => state.chat.messages[index + 1..]
            .iter()
            .position(|m| m.speaker != Speaker::Notice)
            .map_or(state.chat.messages.len(), |i| index + 1 + i),
        Speaker::Notice | Speaker::Tool => {
            state.flash("select a prompt or an answer to regenerate", true);
            return Vec::new();
        }
    };
    regenerate(state, answer_at)
}

/// Asks again for the answer at `answer_at` (the transcript's length: the last prompt has
/// none): everything from there becomes another version, and a new answer streams in.
pub(crate) fn regenerate(state: &mut State, answer_at: usize) -> Vec<Effect> {
    if state.refuse_while_streaming() {
        return Vec::new();
    }
    state.tools.tool_calls_this_prompt = 0;
    let has_prompt = state.chat.messages[..answer_at.min(state.chat.messages.len())]
        .iter()
        .rev()
        .find(|m| m.speaker != Speaker::Notice)
        .is_some_and(|m| m.speaker == Speaker::User && !m.deleted);
    if !has_prompt {
        state.flash("that answer has no prompt before it to send again", true);
        return Vec::new();
    }
    let conversation = state.conversation_until(answer_at);
    let prepared = match turns::prepare_turn(state, &state.chat.model, &conversation) {
        Ok(p) => p,
        Err(e) => {
            state.flash(e, true);
            return Vec::new();
        }
    };
    // Which model answers: the current one, which may not be the old answer's.
    let before = state
        .chat
        .messages
        .get(answer_at)
        .filter(|m| m.speaker == Speaker::Assistant)
        .and_then(|m| m.model.clone());
    let now = crate::models::catalog::display_name(&state.chat.model);
    let said = match before {
        Some(old) if !crate::app::popups::picker::same_model(&old, &state.chat.model) => format!(
            "asking {now} again (the answer it replaces was {}'s; another model: {} first)",
            crate::models::catalog::display_name(&old),
            state
                .settings
                .keymap
                .hint(Context::Chat, Action::OpenModelPicker)
        ),
        _ => format!("asking {now} again"),
    };
    let alternatives =
        (answer_at < state.chat.messages.len()).then(|| stash_from(state, answer_at));
    let effects = turns::begin(state, prepared);
    state.flash(said, false);
    if let Some(alternatives) = alternatives {
        attach(state, answer_at, alternatives);
    }
    state.screen.cursor = None;
    effects
}

/// Puts the selected prompt (or the prompt of the selected answer) into the editor: sending
/// it starts a new branch there.
pub(crate) fn edit_selected(state: &mut State) -> Vec<Effect> {
    let Some((index, _)) = selected(state) else {
        return Vec::new();
    };
    let Some(prompt) = state.chat.messages[..=index]
        .iter()
        .rev()
        .find(|m| m.speaker == Speaker::User && !m.deleted)
    else {
        state.flash("no prompt to edit there", true);
        return Vec::new();
    };
    let (id, text) = (prompt.id, prompt.text.clone());
    let draft_before = match &state.chat.editing {
        Some(editing) => editing.draft_before.clone(),
        None => state.draft(),
    };
    state.chat.editing = Some(Editing {
        message: id,
        draft_before,
    });
    state.set_draft(&super::commands::as_typed(&text));
    state.screen.focus = Focus::Editor;
    let send = state.settings.keymap.hint(Context::Chat, Action::Send);
    let stop = state.settings.keymap.hint(Context::Chat, Action::Cancel);
    state.flash(
        format!(
            "editing an earlier prompt: {send} sends it as a new branch (the old one stays), {stop} stops"
        ),
        false,
    );
    Vec::new()
}

/// Stops editing an earlier prompt; the draft from before comes back. True when there was an
/// edit to stop.
pub(crate) fn stop_editing(state: &mut State) -> bool {
    let Some(editing) = state.chat.editing.take() else {
        return false;
    };
    state.set_draft(&editing.draft_before);
    state.flash("edit abandoned; the prompt is as it was", false);
    true
}

/// Sends `text` in place of the prompt being edited: the transcript from that prompt on
/// becomes another version, and the new prompt's answer streams in.
pub(crate) fn send_edited(state: &mut State, editing: &Editing, text: String) -> Vec<Effect> {
    state.tools.tool_calls_this_prompt = 0;
    let Some(index) = state.index_of(editing.message) else {
        // The prompt is no longer on screen (another version was shown): send normally.
        state.chat.editing = None;
        return turns::send_prompt(state, text);
    };
    let mut conversation = state.conversation_until(index);
    // The edited prompt keeps its files, with any attached since.
    let mut files = state.chat.messages[index].attachments.clone();
    files.extend(state.composer.attached.iter().cloned());
    conversation.turns.push(Turn {
        role: Role::User,
        text: text.clone(),
        attachments: files.clone(),
        ..Turn::new(Role::User, "")
    });
    let prepared = match turns::prepare_turn(state, &state.chat.model, &conversation) {
        Ok(p) => p,
        Err(e) => {
            state.flash(e, true);
            return Vec::new();
        }
    };
    let alternatives = stash_from(state, index);
    state.remember_prompt(&text);
    let prompt = state.push(Speaker::User, text);
    if let Some(message) = state.message_mut(prompt) {
        message.attachments = files;
    }
    state.composer.attached.clear();
    attach(state, index, alternatives);
    state.composer.history_cursor = None;
    state.set_draft(&editing.draft_before);
    state.screen.cursor = None;
    // The edit is sent: the prompt is the prompt again.
    state.chat.editing = None;
    turns::begin(state, prepared)
}

/// The messages of the turn the selected message belongs to: its prompt and what follows up
/// to the next prompt.
fn turn_of(state: &State, index: usize) -> std::ops::Range<usize> {
    let start = state.chat.messages[..=index]
        .iter()
        .rposition(|m| m.speaker == Speaker::User)
        .unwrap_or(index);
    let end = state.chat.messages[start + 1..]
        .iter()
        .position(|m| m.speaker == Speaker::User)
        .map_or(state.chat.messages.len(), |i| start + 1 + i);
    start..end
}

/// Asks before deleting the selected turn: the next key `y` deletes it.
pub(crate) fn ask_delete(state: &mut State) -> Vec<Effect> {
    let Some((index, id)) = selected(state) else {
        return Vec::new();
    };
    if state.chat.messages[index].speaker == Speaker::Notice {
        state.flash("select a prompt or an answer to delete its turn", true);
        return Vec::new();
    }
    let turn = turn_of(state, index);
    if state.chat.messages[turn.clone()]
        .iter()
        .any(Message::in_flight)
    {
        state.flash(
            "this turn's answer is still streaming: cancel it first (Esc)",
            true,
        );
        return Vec::new();
    }
    if state.chat.messages[turn.clone()]
        .iter()
        .any(|m| m.alternatives.is_some())
    {
        state.flash(
            "this turn has other versions ([ ]): fork (f) to keep one alone, or delete a turn after it",
            true,
        );
        return Vec::new();
    }
    state.chat.pending_delete = Some(id);
    state.flash(
        "delete this turn (the prompt and its answer)? y deletes, any other key keeps it",
        true,
    );
    Vec::new()
}

/// Asks before deleting the oldest turn still shown (to make room in the context window); the
/// next key `y` deletes it.
pub(crate) fn ask_drop_oldest(state: &mut State) -> Vec<Effect> {
    let Some(index) = state
        .chat
        .messages
        .iter()
        .position(|m| m.speaker == Speaker::User && !m.deleted && !m.detached)
    else {
        state.flash("there is no turn to drop", true);
        return Vec::new();
    };
    state.screen.cursor = Some(state.chat.messages[index].id);
    ask_delete(state)
}

/// The key after [`ask_delete`]: `y` deletes the turn (kept in the session file, no longer
/// shown or sent); anything else keeps it.
pub(crate) fn answer_delete(state: &mut State, confirmed: bool) {
    let Some(id) = state.chat.pending_delete.take() else {
        return;
    };
    let Some(index) = state.index_of(id).filter(|_| confirmed) else {
        state.flash("kept", false);
        return;
    };
    let turn = turn_of(state, index);
    let end = turn.end;
    for message in &mut state.chat.messages[turn] {
        if message.speaker != Speaker::Notice {
            message.deleted = true;
            message.changed();
        }
    }
    // The cursor goes to the next message still shown, else the one before.
    state.screen.cursor = super::cursor::shown_from(state, end, true)
        .or_else(|| super::cursor::shown_from(state, index, false));
    state.flash("turn deleted: no longer shown or sent", false);
}

/// Keeps the selected partial answer as context, or stops keeping it.
pub(crate) fn toggle_kept(state: &mut State) -> Vec<Effect> {
    let Some((index, _)) = selected(state) else {
        return Vec::new();
    };
    let message = &mut state.chat.messages[index];
    if !message.is_partial() {
        state.flash(
            "only a cancelled or failed answer with text can be kept as context",
            true,
        );
        return Vec::new();
    }
    message.kept = !message.kept;
    message.changed();
    let word = if message.kept {
        "kept: this partial answer is sent as context"
    } else {
        "no longer sent as context"
    };
    state.flash(word, false);
    Vec::new()
}

/// Forks the conversation at the selected message: a new saved conversation with the branch
/// on screen up to that message (deleted turns left out); the old one stays as it was. A fork
/// at a prompt ends before it, with the prompt (and its files) in the editor to send or
/// change: a conversation never holds two prompts in a row.
pub(crate) fn fork(state: &mut State) -> Vec<Effect> {
    let Some((index, _)) = selected(state) else {
        return Vec::new();
    };
    if state.refuse_while_streaming() {
        return Vec::new();
    }
    let mut copies: Vec<Message> = state.chat.messages[..=index]
        .iter()
        .filter(|m| m.speaker != Speaker::Notice && !m.deleted && !m.superseded && !m.detached)
        .map(Message::fresh_copy)
        .collect();
    if !copies.iter().any(|m| m.speaker == Speaker::User) {
        state.flash("nothing to fork yet: select a message after a prompt", true);
        return Vec::new();
    }
    let title = state
        .chat
        .session
        .as_ref()
        .map_or_else(|| "fork".to_string(), |s| format!("{} (fork)", s.title));
    let prompt = copies
        .pop_if(|m| m.speaker == Speaker::User)
        .map(|m| (m.text, m.attachments));
    let count = copies.len();
    turns::clear_conversation(state);
    state.chat.session = None;
    for message in copies {
        state.push_message(message);
    }
    state.chat.pending_title = Some(title);
    // A fork keeps the title it was given.
    state.chat.titled = Some(state.chat.id);
    state.screen.cursor = state.chat.messages.last().map(|m| m.id);
    state.screen.scroll = Scroll::Follow;
    let kept = crate::text::count(count as u64, "message", "messages");
    let sessions = state
        .settings
        .keymap
        .hint(Context::Chat, Action::OpenSessions);
    let said = match prompt {
        Some((text, files)) => {
            // Files attached since stay attached, after the prompt's own.
            let mut attached = files;
            for file in std::mem::take(&mut state.composer.attached) {
                if !attached.iter().any(|a| a.sha256() == file.sha256()) {
                    attached.push(file);
                }
            }
            state.composer.attached = attached;
            turns::put_back(state, &text);
            state.screen.focus = super::state::Focus::Editor;
            format!(
                "forked before this prompt: a new conversation with {kept}, the prompt is in the editor to send or change; the old one is unchanged ({sessions})"
            )
        }
        None => format!(
            "forked: a new saved conversation with {kept}; the old one is unchanged ({sessions})"
        ),
    };
    state.flash(said, false);
    Vec::new()
}
