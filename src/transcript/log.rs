//! One turn of `bedrock-tui ask --session`: the prompt, then the answer's pieces written as
//! they arrive (each chunk is on disk before the next is read), then its end.

use super::store::{self, Loaded, SessionFile, StoreError};
use super::{End, EndStatus, Record, SavedError, Transcript, now, title_from_prompt};
use crate::attachments::Attachment;
use crate::bedrock::BedrockError;
use crate::models::{Conversation, Parameters};

/// A session open for one more turn.
pub(crate) struct SessionLog {
    file: SessionFile,
    history: Transcript,
    prompt: String,
    answer: u64,
    /// The model of this turn's answers.
    model_asked: Option<String>,
}

impl SessionLog {
    /// Opens `spec` (`new`, `last`, an id, a prefix or a path) in the sessions directory;
    /// `prompt` titles a new session.
    pub fn open(spec: &str, prompt: &str) -> Result<SessionLog, StoreError> {
        let dir = store::sessions_dir()?;
        if spec == "new" {
            let file = SessionFile::create(&dir, &store::new_id(), &title_from_prompt(prompt))?;
            return Ok(SessionLog {
                history: Transcript {
                    id: file.id().to_string(),
                    ..Transcript::default()
                },
                file,
                prompt: String::new(),
                answer: 0,
                model_asked: None,
            });
        }
        let path = store::resolve(&dir, spec)?;
        let file = SessionFile::open(&path)?;
        let Loaded { transcript, .. } = store::load(&path)?;
        Ok(SessionLog {
            file,
            history: transcript,
            prompt: String::new(),
            answer: 0,
            model_asked: None,
        })
    }

    /// Keeps the prompt of this turn (read once, from the argument or standard input).
    pub(crate) fn with_prompt(mut self, prompt: String) -> SessionLog {
        self.prompt = prompt;
        self
    }

    /// The prompt of this turn.
    pub fn prompt(&self) -> &str {
        &self.prompt
    }

    /// The session id.
    pub fn id(&self) -> &str {
        self.file.id()
    }

    /// The saved model, for when `--model` is not given.
    pub fn model(&self) -> Option<&str> {
        self.history.model.as_deref()
    }

    /// The conversation so far plus `prompt` and its files, as a model gets it: the branch on
    /// screen, its partial answers only when kept; and the saved files that could not be read.
    pub fn conversation(
        &self,
        system: Option<String>,
        prompt: &str,
        attachments: &[Attachment],
    ) -> (Conversation, Vec<String>) {
        let (mut conversation, problems) = self.history.conversation_with(system, prompt);
        if let Some(last) = conversation.turns.last_mut() {
            last.attachments = attachments.to_vec();
        }
        (conversation, problems)
    }

    /// Writes the model, parameters, the prompt and the start of the answer.
    pub fn begin(
        &mut self,
        model: &str,
        system: Option<String>,
        parameters: &Parameters,
        prompt: &str,
        attachments: &[Attachment],
    ) -> Result<(), StoreError> {
        if !attachments.is_empty() {
            let dir = crate::attachments::store::attachments_dir().ok_or(StoreError::NoDataDir)?;
            for attachment in attachments {
                crate::attachments::store::keep(&dir, attachment)
                    .map_err(store::io_error(&dir.join(attachment.sha256())))?;
            }
        }
        let next = self.history.last_id() + 1;
        let parent = self.history.head.unwrap_or(0);
        self.answer = next + 1;
        self.model_asked = Some(model.to_string());
        let mut records = Vec::new();
        if self.history.model.as_deref() != Some(model) {
            records.push(Record::Model {
                at: now(),
                model: model.to_string(),
                family: None,
            });
        }
        let system = system.or_else(|| self.history.system.clone());
        if system != self.history.system || *parameters != self.history.parameters {
            records.push(Record::Parameters {
                at: now(),
                system,
                parameters: parameters.clone(),
            });
        }
        records.push(Record::User {
            at: now(),
            id: next,
            text: prompt.to_string(),
            parent: Some(parent),
            attachments: attachments.iter().map(Attachment::reference).collect(),
            tool_results: Vec::new(),
        });
        records.push(Record::AssistantStart {
            at: now(),
            id: self.answer,
            model: model.to_string(),
            parent: Some(next),
        });
        self.file.append(&records)
    }

    /// An answer that called tools ended: its end (with the calls), a prompt of their results,
    /// and the start of the answer that goes on from them.
    pub fn round(
        &mut self,
        mut end: End,
        results: Vec<super::SavedToolRun>,
    ) -> Result<(), StoreError> {
        end.status = EndStatus::Complete;
        let given = self.answer + 1;
        let next = given + 1;
        let model = self.history.model.clone().unwrap_or_default();
        self.file.append(&[
            Record::AssistantEnd {
                at: now(),
                id: self.answer,
                end,
            },
            Record::User {
                at: now(),
                id: given,
                text: String::new(),
                parent: Some(self.answer),
                attachments: Vec::new(),
                tool_results: results,
            },
            Record::AssistantStart {
                at: now(),
                id: next,
                model: self.model_asked.clone().unwrap_or(model),
                parent: Some(given),
            },
        ])?;
        self.answer = next;
        Ok(())
    }

    /// Writes a piece of the answer.
    pub fn text(&mut self, text: &str, reasoning: &str) -> Result<(), StoreError> {
        let mut records = Vec::new();
        if !reasoning.is_empty() {
            records.push(Record::Reasoning {
                id: self.answer,
                text: reasoning.to_string(),
            });
        }
        if !text.is_empty() {
            records.push(Record::Text {
                id: self.answer,
                text: text.to_string(),
            });
        }
        if records.is_empty() {
            return Ok(());
        }
        self.file.append(&records)
    }

    /// Writes the end of the answer and syncs the file; `error` is the error that ended it and
    /// whether the stream had begun.
    pub fn end(
        &mut self,
        mut end: End,
        error: Option<(&BedrockError, bool)>,
    ) -> Result<(), StoreError> {
        if let Some((error, in_stream)) = error {
            end.status = EndStatus::Failed;
            end.error = Some(SavedError::from_error(error, in_stream));
        } else {
            end.status = EndStatus::Complete;
        }
        self.file.append(&[Record::AssistantEnd {
            at: now(),
            id: self.answer,
            end,
        }])?;
        self.file.sync()
    }
}

impl SavedError {
    /// A wire error as saved; `in_stream` says whether the stream had begun.
    pub(crate) fn from_error(error: &BedrockError, in_stream: bool) -> SavedError {
        let info = crate::exchange::ErrorInfo::from_error(error, in_stream);
        SavedError {
            name: info.name,
            message: info.message,
            status: info.status,
            original_status: info.original_status,
            in_stream: info.in_stream,
        }
    }
}
