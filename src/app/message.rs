//! One entry of the transcript: a prompt, an answer or a notice, with where an answer stands,
//! its figures, its other versions and the marks the user put on it.

pub use crate::exchange::ErrorInfo;
use crate::exchange::Figures;
use crate::models::ChunkDelta;
use std::time::Duration;

/// Who wrote an entry of the transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker {
    /// The user.
    User,
    /// A model.
    Assistant,
    /// bedrock-tui itself: warnings, notes, connection news. Never sent to a model.
    Notice,
    /// The results of an answer's tool calls, given back to the model (as the user's turn).
    Tool,
}

/// Where an assistant answer stands.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerStatus {
    /// Sent; nothing back yet.
    Waiting,
    /// Text is arriving.
    Streaming,
    /// Finished normally.
    Complete,
    /// Cancelled by the user; the partial text is kept.
    Cancelled,
    /// Ended by an error; the partial text is kept above it.
    Failed(ErrorInfo),
}

/// One entry of the transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Unique within the run: the view cache's key.
    pub id: u64,
    /// Bumped on every change ([`Message::changed`], the one way to say so), so the view cache
    /// knows what to lay out again and the recorder what to write.
    revision: u64,
    /// Who wrote it.
    pub speaker: Speaker,
    /// The text (markdown for answers).
    pub text: String,
    /// Reasoning text (answers).
    pub reasoning: String,
    /// The model that answered (answers).
    pub model: Option<String>,
    /// Where the answer stands (answers; `Complete` for the others).
    pub status: AnswerStatus,
    /// Stop reason reported by the model.
    pub stop_reason: Option<String>,
    /// Figures of the answer (live while it streams; the exchange's own count once it ends).
    pub stats: Figures,
    /// A retry under way before the answer began: what failed and the wait.
    pub retrying: Option<String>,
    /// Notes about the request (parameters dropped or clamped, ...).
    pub notes: Vec<String>,
    /// Superseded by a retry: still shown, no longer sent.
    pub superseded: bool,
    /// What went over the wire for this answer (this run only; not saved).
    pub exchange: Option<Box<crate::inspect::Exchange>>,
    /// The answer to an edited request: shown, never part of the conversation.
    pub detached: bool,
    /// The other versions of the transcript from this message on (an edited prompt, a
    /// regenerated answer), with the one on screen counted; only on the first message of a
    /// version.
    pub alternatives: Option<Box<super::branches::Alternatives>>,
    /// Deleted from the conversation: not shown, not sent (kept in the session file).
    pub deleted: bool,
    /// A partial answer (cancelled, failed) the user keeps as context.
    pub kept: bool,
    /// An answer that failed or was cancelled whose prompt goes again with the next one (until
    /// the next prompt is sent).
    pub goes_again: bool,
    /// The entry number of the session file this message was loaded from.
    pub saved_as: Option<u64>,
    /// A long prompt shown whole (long prompts are folded to their first lines).
    pub unfolded: bool,
    /// Files attached to a prompt.
    pub attachments: Vec<crate::attachments::Attachment>,
    /// The tool calls of the answer before, as handled (tool messages).
    pub tool_runs: Vec<crate::tools::Ran>,
}

impl Message {
    /// Whether the answer is still under way.
    pub fn in_flight(&self) -> bool {
        matches!(self.status, AnswerStatus::Waiting | AnswerStatus::Streaming)
    }

    /// A message not yet in the transcript (its id is given when it is inserted).
    pub fn new(speaker: Speaker, text: impl Into<String>) -> Message {
        Message {
            id: 0,
            revision: 0,
            speaker,
            text: text.into(),
            reasoning: String::new(),
            model: None,
            status: AnswerStatus::Complete,
            stop_reason: None,
            stats: Figures::default(),
            retrying: None,
            notes: Vec::new(),
            superseded: false,
            exchange: None,
            detached: false,
            alternatives: None,
            deleted: false,
            kept: false,
            goes_again: false,
            saved_as: None,
            unfolded: false,
            attachments: Vec::new(),
            tool_runs: Vec::new(),
        }
    }

    /// An answer of `model` waiting for its first bytes.
    pub fn answer(model: &str) -> Message {
        let mut answer = Message::new(Speaker::Assistant, "");
        answer.model = Some(model.to_string());
        answer.status = AnswerStatus::Waiting;
        answer
    }

    /// Adds a decoded chunk.
    pub(crate) fn apply_delta(&mut self, delta: &ChunkDelta, elapsed: Duration) {
        self.stats.add_delta(delta, elapsed);
        if !delta.text.is_empty() || !delta.reasoning.is_empty() {
            self.status = AnswerStatus::Streaming;
            self.retrying = None;
        }
        self.text.push_str(&delta.text);
        self.reasoning.push_str(&delta.reasoning);
        if delta.stop_reason.is_some() {
            self.stop_reason.clone_from(&delta.stop_reason);
        }
        self.changed();
    }

    /// Says that the message changed: the transcript lays it out again, the session recorder
    /// looks at it again. Every change to a message shown goes through here.
    pub fn changed(&mut self) {
        self.revision = self.revision.wrapping_add(1);
    }

    /// A copy that starts out as a new message (a fork's): no other versions, not from a
    /// session file, never changed.
    pub(crate) fn fresh_copy(&self) -> Message {
        Message {
            alternatives: None,
            saved_as: None,
            revision: 0,
            ..self.clone()
        }
    }

    /// How many times it changed: what the view cache and the recorder compare.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// An answer that failed or was cancelled and is not kept, still on the branch: its prompt
    /// goes again with the next one.
    pub(crate) fn left_unanswered(&self) -> bool {
        self.speaker == Speaker::Assistant
            && matches!(
                self.status,
                AnswerStatus::Cancelled | AnswerStatus::Failed(_)
            )
            && !(self.kept || self.superseded || self.detached || self.deleted)
    }

    /// Whether the message goes to the model as part of the conversation: prompts, tool
    /// results, and answers that completed (with text or tool calls) or that the user keeps;
    /// never deleted, superseded, detached or empty ones, nor notices.
    pub fn sent_as_context(&self) -> bool {
        if self.superseded || self.detached || self.deleted {
            return false;
        }
        let text = !self.text.trim().is_empty();
        match self.speaker {
            Speaker::User => text,
            Speaker::Tool => !self.tool_runs.is_empty(),
            Speaker::Assistant => {
                let complete = self.status == AnswerStatus::Complete;
                (text && (self.kept || complete)) || (complete && !self.stats.tool_calls.is_empty())
            }
            Speaker::Notice => false,
        }
    }

    /// Where a long prompt is cut when folded (the end of its first lines), and how many lines
    /// it has; `None` when it is short or unfolded.
    pub fn fold(&self) -> Option<(usize, usize)> {
        if self.speaker != Speaker::User || self.unfolded {
            return None;
        }
        let newlines = memchr::memchr_iter(b'\n', self.text.as_bytes()).count();
        let lines = newlines + usize::from(!self.text.ends_with('\n'));
        if lines <= FOLD_OVER_LINES {
            return None;
        }
        let cut = memchr::memchr_iter(b'\n', self.text.as_bytes())
            .nth(FOLD_SHOWS_LINES - 1)
            .map_or(self.text.len(), |i| i + 1);
        Some((cut, lines))
    }

    /// A partial answer: one that did not complete (and is not under way).
    pub fn is_partial(&self) -> bool {
        self.speaker == Speaker::Assistant
            && matches!(
                self.status,
                AnswerStatus::Cancelled | AnswerStatus::Failed(_)
            )
            && !self.text.trim().is_empty()
    }

    /// Estimated cost of the answer, from the catalog's price of its model.
    pub fn cost(&self) -> Option<f64> {
        self.stats.cost(self.model.as_deref()?)
    }
}

/// A prompt of more lines than this is folded in the transcript …
pub const FOLD_OVER_LINES: usize = 40;
/// … to its first lines.
pub const FOLD_SHOWS_LINES: usize = 6;
