//! Turns changes of the chat state into session records, so that `update` stays free of
//! persistence: after each batch of messages the loop asks the recorder what happened since
//! the last time (a prompt, an answer starting, text that arrived, an answer ending, a model or
//! parameter change, another version shown, a turn deleted, a partial answer kept) and hands
//! the result to the session writer in order. Messages are followed by id, so versions taken
//! off the screen and put back are never written twice.

use crate::app::state::{AnswerStatus, Message, Speaker, State};
use crate::models::Parameters;
use crate::transcript::writer::SessionCommand;
use crate::transcript::{End, EndStatus, Record, SavedError, now, title_from_prompt};
use std::collections::HashMap;

/// What has been written of one message.
#[derive(Debug, Clone, Default)]
struct Progress {
    /// Entry number in the session file.
    entry: u64,
    revision: u64,
    text: usize,
    reasoning: usize,
    ended: bool,
    superseded: bool,
    deleted: bool,
    kept: bool,
}

/// Follows one conversation of the state and says what to write.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    conversation: u64,
    /// A session file exists (or has been asked for) for the conversation.
    active: bool,
    /// By message id.
    progress: HashMap<u64, Progress>,
    next_entry: u64,
    /// The last entry of the branch on screen, as the file says it.
    head: u64,
    model: Option<(String, Option<String>)>,
    parameters: Option<(Option<String>, Parameters)>,
}

impl Recorder {
    /// A recorder for the state's conversation; nothing of it is written yet.
    pub fn new(state: &State) -> Recorder {
        Recorder {
            conversation: state.chat.id,
            next_entry: 1,
            ..Recorder::default()
        }
    }

    /// A recorder for a conversation just loaded from its session file: every message on
    /// screen, and in the versions off it, is already on disk.
    pub(crate) fn adopt(state: &State) -> Recorder {
        let mut recorder = Recorder::new(state);
        recorder.active = true;
        let mut last = state.chat.session.as_ref().map_or(0, |s| s.last_entry);
        let mut pending: Vec<&Message> = state.chat.messages.iter().collect();
        while let Some(message) = pending.pop() {
            if let Some(alternatives) = &message.alternatives {
                pending.extend(alternatives.versions.iter().flatten());
            }
            let Some(entry) = message.saved_as else {
                continue;
            };
            last = last.max(entry);
            recorder.progress.insert(
                message.id,
                Progress {
                    entry,
                    revision: message.revision(),
                    text: message.text.len(),
                    reasoning: message.reasoning.len(),
                    ended: !message.in_flight(),
                    superseded: message.superseded || message.detached,
                    deleted: message.deleted,
                    kept: message.kept,
                },
            );
        }
        recorder.next_entry = last + 1;
        recorder.head = leaf(state, &recorder.progress);
        // The model and parameters are written again on the next sync: the command line may
        // have changed them, and a line each costs nothing.
        recorder
    }

    /// What to write since the last call.
    pub fn sync(&mut self, state: &State) -> Vec<SessionCommand> {
        let mut commands = Vec::new();
        let mut records = Vec::new();
        if state.chat.id != self.conversation {
            // Answers still open in the old conversation were cut off by the switch.
            let mut open: Vec<u64> = self
                .progress
                .values()
                .filter(|p| !p.ended)
                .map(|p| p.entry)
                .collect();
            open.sort_unstable();
            for entry in open {
                records.push(Record::AssistantEnd {
                    at: now(),
                    id: entry,
                    end: End {
                        status: EndStatus::Cancelled,
                        ..End::default()
                    },
                });
            }
            if self.active {
                if !records.is_empty() {
                    commands.push(SessionCommand::Append(std::mem::take(&mut records)));
                }
                commands.push(SessionCommand::Close);
            }
            *self = Recorder::new(state);
        }
        if !self.active {
            let Some(first) = state
                .chat
                .messages
                .iter()
                .find(|m| m.speaker == Speaker::User)
            else {
                return commands;
            };
            commands.push(SessionCommand::Begin {
                title: state
                    .chat
                    .pending_title
                    .clone()
                    .unwrap_or_else(|| title_from_prompt(&first.text)),
            });
            self.active = true;
        }
        let model = model_of(state);
        if self.model.as_ref() != Some(&model) {
            records.push(Record::Model {
                at: now(),
                model: model.0.clone(),
                family: model.1.clone(),
            });
            self.model = Some(model);
        }
        let parameters = (state.chat.system.clone(), state.chat.params.clone());
        if self.parameters.as_ref() != Some(&parameters) {
            records.push(Record::Parameters {
                at: now(),
                system: parameters.0.clone(),
                parameters: parameters.1.clone(),
            });
            self.parameters = Some(parameters);
        }
        let mut ended = false;
        // The entry each message follows: the prompt or answer before it on screen.
        let mut parent = 0;
        for message in &state.chat.messages {
            if message.speaker == Speaker::Notice {
                continue;
            }
            if !self.progress.contains_key(&message.id) {
                let started = self.start(message, parent, &mut records);
                self.head = started.entry;
                self.progress.insert(message.id, started);
            }
            let Some(progress) = self.progress.get_mut(&message.id) else {
                continue;
            };
            parent = progress.entry;
            if progress.revision == message.revision() {
                continue;
            }
            progress.revision = message.revision();
            ended |= record_changes(message, progress, &mut records);
        }
        if parent != 0 && parent != self.head {
            records.push(Record::Select { id: parent });
            self.head = parent;
        }
        if !records.is_empty() {
            commands.push(SessionCommand::Append(records));
        }
        if ended {
            commands.push(SessionCommand::Sync);
        }
        commands
    }

    /// The first records of a message the recorder has not seen, after entry `parent`.
    fn start(&mut self, message: &Message, parent: u64, records: &mut Vec<Record>) -> Progress {
        let mut progress = Progress {
            entry: self.take_entry(),
            ..Progress::default()
        };
        if matches!(message.speaker, Speaker::User | Speaker::Tool) {
            progress.revision = message.revision();
            progress.text = message.text.len();
            progress.ended = true;
            records.push(Record::User {
                at: now(),
                id: progress.entry,
                text: message.text.clone(),
                parent: Some(parent),
                attachments: message
                    .attachments
                    .iter()
                    .map(crate::attachments::Attachment::reference)
                    .collect(),
                tool_results: message
                    .tool_runs
                    .iter()
                    .map(crate::transcript::SavedToolRun::from)
                    .collect(),
            });
            // A fork copies deleted or kept marks along with the prompt.
            record_marks(message, &mut progress, records);
        } else {
            // The revision differs, so the text so far is written next.
            progress.revision = message.revision().wrapping_sub(1);
            records.push(Record::AssistantStart {
                at: now(),
                id: progress.entry,
                model: message.model.clone().unwrap_or_default(),
                parent: Some(parent),
            });
        }
        progress
    }

    fn take_entry(&mut self) -> u64 {
        self.next_entry += 1;
        self.next_entry - 1
    }
}

fn model_of(state: &State) -> (String, Option<String>) {
    (
        state.chat.model.clone(),
        state.chat.family_override.map(|f| f.name().to_string()),
    )
}

/// The last prompt or answer on screen that has an entry.
fn leaf(state: &State, progress: &HashMap<u64, Progress>) -> u64 {
    state
        .chat
        .messages
        .iter()
        .rev()
        .find_map(|m| progress.get(&m.id).map(|p| p.entry))
        .unwrap_or(0)
}

/// Records a message deleted, or kept as context, since the last time.
fn record_marks(message: &Message, progress: &mut Progress, records: &mut Vec<Record>) {
    if message.deleted && !progress.deleted {
        records.push(Record::Deleted { id: progress.entry });
        progress.deleted = true;
    }
    if message.kept != progress.kept {
        records.push(Record::Kept {
            id: progress.entry,
            kept: message.kept,
        });
        progress.kept = message.kept;
    }
}

/// Records what changed in a message; true when an answer ended.
fn record_changes(message: &Message, progress: &mut Progress, records: &mut Vec<Record>) -> bool {
    record_marks(message, progress, records);
    if matches!(message.speaker, Speaker::User | Speaker::Tool) {
        return false;
    }
    if let Some(piece) = message.reasoning.get(progress.reasoning..)
        && !piece.is_empty()
    {
        records.push(Record::Reasoning {
            id: progress.entry,
            text: piece.to_string(),
        });
        progress.reasoning = message.reasoning.len();
    }
    if let Some(piece) = message.text.get(progress.text..)
        && !piece.is_empty()
    {
        records.push(Record::Text {
            id: progress.entry,
            text: piece.to_string(),
        });
        progress.text = message.text.len();
    }
    if (message.superseded || message.detached) && !progress.superseded {
        records.push(Record::Superseded { id: progress.entry });
        progress.superseded = true;
    }
    if progress.ended || message.in_flight() {
        return false;
    }
    progress.ended = true;
    records.push(Record::AssistantEnd {
        at: now(),
        id: progress.entry,
        end: end_of(message),
    });
    true
}

fn end_of(message: &Message) -> End {
    let (status, error) = match &message.status {
        AnswerStatus::Cancelled => (EndStatus::Cancelled, None),
        AnswerStatus::Failed(e) => (
            EndStatus::Failed,
            Some(SavedError {
                name: e.name.clone(),
                message: e.message.clone(),
                status: e.status,
                original_status: e.original_status,
                in_stream: e.in_stream,
            }),
        ),
        _ => (EndStatus::Complete, None),
    };
    let millis = |d: Option<std::time::Duration>| d.map(|d| d.as_millis() as u64);
    End {
        status,
        stop_reason: message.stop_reason.clone(),
        error,
        input_tokens: message.stats.input_tokens(),
        output_tokens: message.stats.output_tokens(),
        cache_read_tokens: message.stats.cache_read_tokens,
        cache_write_tokens: message.stats.cache_write_tokens,
        first_byte_ms: millis(message.stats.first_byte),
        first_token_ms: millis(message.stats.first_token),
        total_ms: millis(message.stats.total),
        cost_usd: message.cost(),
        metrics: None,
        guardrail: message.stats.guardrail.clone(),
        tool_calls: message.stats.tool_calls.clone(),
        signed: message.stats.signed.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::theme::Theme;
    use crate::keymap::Keymap;

    fn records(commands: &[SessionCommand]) -> Vec<&Record> {
        commands
            .iter()
            .filter_map(|c| match c {
                SessionCommand::Append(r) => Some(r.iter()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    #[test]
    fn a_turn_becomes_records_in_order_and_only_once() {
        let mut state = State::new("m1".into(), Keymap::default(), Theme::default());
        let mut recorder = Recorder::new(&state);
        state.push(Speaker::Notice, "hello");
        assert!(recorder.sync(&state).is_empty(), "no file before a prompt");
        state.push(Speaker::User, "first prompt\nmore");
        let answer = state.push(Speaker::Assistant, "");
        state.message_mut(answer).unwrap().status = AnswerStatus::Waiting;
        state.message_mut(answer).unwrap().model = Some("m1".into());
        let commands = recorder.sync(&state);
        assert_eq!(
            commands[0],
            SessionCommand::Begin {
                title: "first prompt".into()
            }
        );
        let kinds: Vec<String> = records(&commands)
            .iter()
            .map(|r| {
                serde_json::to_value(r).unwrap()["kind"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(kinds, ["model", "parameters", "user", "assistant_start"]);
        assert!(recorder.sync(&state).is_empty(), "nothing new");

        let m = state.message_mut(answer).unwrap();
        m.text.push_str("Hel");
        m.status = AnswerStatus::Streaming;
        m.changed();
        assert_eq!(
            records(&recorder.sync(&state)),
            [&Record::Text {
                id: 2,
                text: "Hel".into()
            }]
        );
        let m = state.message_mut(answer).unwrap();
        m.text.push_str("lo");
        m.status = AnswerStatus::Complete;
        m.changed();
        let commands = recorder.sync(&state);
        assert_eq!(commands.last(), Some(&SessionCommand::Sync));
        let written = records(&commands);
        assert_eq!(
            written[0],
            &Record::Text {
                id: 2,
                text: "lo".into()
            }
        );
        assert!(
            matches!(written[1], Record::AssistantEnd { id: 2, end, .. } if end.status == EndStatus::Complete)
        );

        // A new conversation closes the file; an answer still open there is cancelled.
        state.push(Speaker::User, "second");
        let open = state.push(Speaker::Assistant, "");
        state.message_mut(open).unwrap().status = AnswerStatus::Waiting;
        recorder.sync(&state);
        state.chat.messages.clear();
        state.chat.id += 1;
        let commands = recorder.sync(&state);
        assert!(matches!(
            records(&commands)[..],
            [Record::AssistantEnd { id: 4, end, .. }] if end.status == EndStatus::Cancelled
        ));
        assert_eq!(commands.last(), Some(&SessionCommand::Close));
        state.push(Speaker::User, "third");
        assert!(matches!(
            recorder.sync(&state).first(),
            Some(SessionCommand::Begin { title }) if title == "third"
        ));
    }
}
