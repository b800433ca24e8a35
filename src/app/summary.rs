//! A summary standing in for the older half of the conversation (F8): one request shown as
//! its own turn, and once it is complete the turns it covers are no longer sent (the session
//! file keeps them).

use super::Effect;
use super::state::{Speaker, State};
use super::turns::{begin, prepare_turn};
use crate::models::{Role, Turn};

/// The prompt of a summary request.
fn summary_prompt(turns: usize) -> String {
    format!(
        "Summarize our conversation so far ({turns} turn{}) in a few short paragraphs: the facts, decisions and open questions, so that the summary can stand in for it as context. Answer with the summary only.",
        if turns == 1 { "" } else { "s" }
    )
}

/// Asks the model for a summary of the older half of the conversation: one request, shown as
/// its own turn (and saved); once it is complete, the turns it covers are deleted from the
/// conversation (kept in the session file), so the summary stands in for them.
pub(crate) fn summarize_oldest(state: &mut State) -> Vec<Effect> {
    if state.requests.in_flight.is_some() {
        state.flash("an answer is streaming: summarize when it ends", true);
        return Vec::new();
    }
    let prompts: Vec<usize> = state
        .chat
        .messages
        .iter()
        .enumerate()
        .filter(|(_, m)| m.speaker == Speaker::User && !m.deleted && !m.detached)
        .map(|(at, _)| at)
        .collect();
    if prompts.len() < 2 {
        state.flash(
            "nothing to summarize: the conversation has fewer than two turns",
            true,
        );
        return Vec::new();
    }
    let turns = prompts.len() / 2;
    let cut = prompts[turns];
    let covered: Vec<u64> = state.chat.messages[..cut]
        .iter()
        .filter(|m| m.speaker != Speaker::Notice && !m.deleted)
        .map(|m| m.id)
        .collect();
    let prompt = summary_prompt(turns);
    let mut conversation = state.conversation_until(cut);
    conversation
        .turns
        .push(Turn::new(Role::User, prompt.clone()));
    let prepared = match prepare_turn(state, &state.chat.model, &conversation) {
        Ok(p) => p,
        Err(e) => {
            state.flash(e, true);
            return Vec::new();
        }
    };
    state.push(Speaker::User, prompt);
    let effects = begin(state, prepared);
    if let Some(flight) = state.requests.in_flight {
        state.requests.pending_summary = Some((flight.message_id, covered));
        state.flash(
            format!(
                "summarizing the first {}: they stay sent until the summary is complete",
                crate::text::count(turns as u64, "turn", "turns")
            ),
            false,
        );
    }
    effects
}

/// A summary's answer ended: when complete, the turns it covers are no longer sent.
pub(crate) fn summary_ended(state: &mut State, answer: u64, complete: bool) {
    let Some((summary, covered)) = state.requests.pending_summary.take() else {
        return;
    };
    if summary != answer {
        state.requests.pending_summary = Some((summary, covered));
        return;
    }
    if !complete {
        state.flash(
            "the summary did not complete: the conversation is unchanged",
            true,
        );
        return;
    }
    let mut dropped = 0;
    for message in state
        .chat
        .messages
        .iter_mut()
        .filter(|m| covered.contains(&m.id))
    {
        message.deleted = true;
        message.changed();
        dropped += 1;
    }
    state.flash(
        format!("summarized: {dropped} earlier messages are no longer sent (the session file keeps them)"),
        false,
    );
}
