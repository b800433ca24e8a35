//! A saved conversation put back on screen: the branch the file selects, with the other
//! versions of each message (edited prompts, regenerated answers) kept on it to step through,
//! deleted turns hidden, and its model, system prompt and parameters.

use super::branches::Alternatives;
use super::state::{AnswerStatus, ErrorInfo, Message, SessionInfo, Speaker, State};
use crate::models::FamilyId;
use crate::transcript::store::Loaded;
use crate::transcript::{Author, EndStatus, Entry, Transcript};
use std::collections::{HashMap, HashSet};
use std::time::Duration;

/// Versions nested deeper than this (a version of a version of …) are not put on screen.
const NESTING: usize = 64;

/// Replaces the conversation on screen with a loaded session: the branch on screen with its
/// other versions, its model, system prompt and parameters; warnings become notices.
pub(crate) fn apply_loaded(state: &mut State, loaded: &mut Loaded) {
    // The texts move from the transcript to the messages: a large session is not held twice.
    let texts = take_texts(&mut loaded.transcript);
    let t = &loaded.transcript;
    super::turns::clear_conversation(state);
    state.requests.in_flight = None;
    state.screen.focus = super::state::Focus::Editor;
    for warning in &loaded.warnings {
        state.push(
            Speaker::Notice,
            format!("{}: {warning}", loaded.path.display()),
        );
    }
    let mut builder = Builder {
        transcript: t,
        texts,
        children: t.children(),
        on_path: t.path().iter().map(|e| e.id).collect(),
        budget: t.entries.len(),
        too_deep: false,
    };
    let roots = builder.children.get(&0).cloned().unwrap_or_default();
    let messages = builder.line(state, roots, 0);
    if builder.too_deep {
        state.push(
            Speaker::Notice,
            format!("some versions are nested more than {NESTING} deep and are not shown; they stay in the file"),
        );
    }
    for message in messages {
        // Prompts go to the history for Up to recall; a huge one is not kept twice.
        if message.speaker == Speaker::User
            && !message.deleted
            && message.text.len() <= HISTORY_PROMPT_CAP
        {
            state.remember_prompt(&message.text);
        }
        state.chat.messages.push(message);
    }
    // An answer that failed last time: its prompt goes again with the next one, as then.
    if let Some(last) = state
        .chat
        .messages
        .iter_mut()
        .rev()
        .find(|m| m.speaker != Speaker::Notice && !m.deleted)
        && last.left_unanswered()
    {
        last.goes_again = true;
    }
    if let Some(model) = &t.model {
        state.chat.model.clone_from(model);
        state.chat.family_override = t.family.as_deref().and_then(FamilyId::from_name);
    }
    state.chat.system.clone_from(&t.system);
    state.chat.role = None;
    // A saved conversation keeps the title it has.
    state.chat.titled = Some(state.chat.id);
    state.chat.params = t.parameters.clone();
    state.chat.session = Some(SessionInfo {
        id: t.id.clone(),
        title: t.title.clone(),
        path: loaded.path.clone(),
        last_entry: t.last_id(),
    });
    let turns = state
        .chat
        .messages
        .iter()
        .filter(|m| m.speaker == Speaker::User && !m.deleted)
        .count();
    let turns = match turns {
        1 => "1 turn".to_string(),
        n => format!("{n} turns"),
    };
    state.flash(format!("opened “{}” ({turns})", t.title), false);
}

/// Takes the text and reasoning out of every entry, by entry id.
fn take_texts(transcript: &mut Transcript) -> HashMap<u64, (String, String)> {
    transcript
        .entries
        .iter_mut()
        .map(|e| {
            (
                e.id,
                (
                    std::mem::take(&mut e.text),
                    std::mem::take(&mut e.reasoning),
                ),
            )
        })
        .collect()
}

/// The longest prompt of a resumed session kept in the prompt history.
const HISTORY_PROMPT_CAP: usize = 1 << 20;

/// Builds the messages of a transcript's tree.
struct Builder<'a> {
    transcript: &'a Transcript,
    /// Each entry's text and reasoning, taken when its message is built.
    texts: HashMap<u64, (String, String)>,
    children: HashMap<u64, Vec<u64>>,
    /// The entries of the branch the file selects.
    on_path: HashSet<u64>,
    /// Messages still to build: a damaged file (one id twice) cannot make it loop.
    budget: usize,
    too_deep: bool,
}

impl Builder<'_> {
    /// The line of messages from one of `kids` on: at each step the child on the selected
    /// branch (else the newest) is shown, and its siblings become its other versions.
    fn line(&mut self, state: &mut State, mut kids: Vec<u64>, depth: usize) -> Vec<Message> {
        let mut out = Vec::new();
        while !kids.is_empty() && self.budget > 0 {
            let chosen = kids
                .iter()
                .position(|k| self.on_path.contains(k))
                .unwrap_or(kids.len() - 1);
            let mut alternatives = None;
            if kids.len() > 1 {
                if depth >= NESTING {
                    self.too_deep = true;
                } else {
                    let mut versions = Vec::with_capacity(kids.len());
                    for (i, kid) in kids.iter().enumerate() {
                        versions.push(if i == chosen {
                            Vec::new()
                        } else {
                            self.line(state, vec![*kid], depth + 1)
                        });
                    }
                    alternatives = Some(Box::new(Alternatives {
                        versions,
                        current: chosen,
                    }));
                }
            }
            let Some(entry) = self.transcript.get(kids[chosen]) else {
                break;
            };
            self.budget -= 1;
            let (text, reasoning) = self.texts.remove(&entry.id).unwrap_or_default();
            let mut message = message_of(state, entry, text, reasoning);
            message.alternatives = alternatives;
            out.push(message);
            kids = self.children.get(&entry.id).cloned().unwrap_or_default();
        }
        out
    }
}

/// A saved entry as a message, with an id of this run.
fn message_of(state: &mut State, entry: &Entry, text: String, reasoning: String) -> Message {
    let speaker = match entry.author {
        Author::User if !entry.tool_results.is_empty() => Speaker::Tool,
        Author::User => Speaker::User,
        Author::Assistant => Speaker::Assistant,
    };
    let mut message = Message::new(speaker, text);
    message.id = state.chat.next_message_id;
    state.chat.next_message_id += 1;
    message.superseded = entry.superseded;
    message.deleted = entry.deleted;
    message.kept = entry.kept;
    message.saved_as = Some(entry.id);
    message.tool_runs = entry
        .tool_results
        .iter()
        .map(crate::tools::Ran::from)
        .collect();
    if !entry.attachments.is_empty() {
        let mut problems = Vec::new();
        message.attachments = crate::transcript::load_attachments(
            state.settings.attachments_dir.as_deref(),
            &entry.attachments,
            &mut problems,
        );
        message.notes.extend(problems);
    }
    if entry.author == Author::Assistant {
        message.reasoning = reasoning;
        fill_answer(&mut message, entry);
    }
    message
}

fn fill_answer(message: &mut Message, entry: &Entry) {
    message.model.clone_from(&entry.model);
    let end = entry.end.clone().unwrap_or_default();
    let millis = |ms: Option<u64>| ms.map(Duration::from_millis);
    message.stats = crate::exchange::Figures {
        first_byte: millis(end.first_byte_ms),
        first_token: millis(end.first_token_ms),
        total: millis(end.total_ms),
        reported: crate::models::Usage {
            input_tokens: end.input_tokens,
            output_tokens: end.output_tokens,
            ..crate::models::Usage::default()
        },
        cache_read_tokens: end.cache_read_tokens,
        cache_write_tokens: end.cache_write_tokens,
        stop_reason: end.stop_reason.clone(),
        guardrail: end.guardrail.clone(),
        tool_calls: end.tool_calls.clone(),
        signed: end.signed.clone(),
        ..crate::exchange::Figures::default()
    };
    message.stop_reason.clone_from(&end.stop_reason);
    message.status = match end.status {
        EndStatus::Complete => AnswerStatus::Complete,
        EndStatus::Cancelled => AnswerStatus::Cancelled,
        EndStatus::Failed => {
            let e = end.error.unwrap_or_else(|| crate::transcript::SavedError {
                name: "Error".into(),
                message: "the answer failed".into(),
                status: None,
                original_status: None,
                in_stream: false,
            });
            AnswerStatus::Failed(ErrorInfo {
                name: e.name,
                message: e.message,
                status: e.status,
                original_status: e.original_status,
                in_stream: e.in_stream,
            })
        }
        EndStatus::Interrupted => AnswerStatus::Failed(ErrorInfo {
            name: "Interrupted".into(),
            message: "bedrock-tui stopped before this answer ended; the text above is what arrived"
                .into(),
            status: None,
            original_status: None,
            in_stream: true,
        }),
    };
    message.changed();
}
