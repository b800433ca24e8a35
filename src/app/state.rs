//! The state of the chat screen, owned by the event loop alone: the transcript, the prompt
//! editor, the open popup, the request in flight and what the status bar shows.

use super::params::ParamsForm;
use super::picker::Picker;
use crate::bedrock::BedrockError;
use crate::config::theme::Theme;
use crate::keymap::Keymap;
use crate::models::{ChunkDelta, Conversation, FamilyId, Parameters, Role, Turn, catalog};
use ratatui_textarea::{TextArea, WrapMode};
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

/// An error as the transcript shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorInfo {
    /// Exception or error name (`ThrottlingException`, `TruncatedStream`, ...).
    pub name: String,
    /// The message.
    pub message: String,
    /// HTTP status, for errors returned before the stream began.
    pub status: Option<u16>,
    /// A model stream error's original status code.
    pub original_status: Option<i64>,
    /// Whether the error arrived inside the event stream.
    pub in_stream: bool,
}

impl ErrorInfo {
    /// Describes a wire error; `in_stream` says whether the stream had begun.
    pub fn from_error(error: &BedrockError, in_stream: bool) -> ErrorInfo {
        let service = error.service();
        ErrorInfo {
            name: error.name().to_string(),
            // The Display of a service error already carries the original status.
            message: match service {
                Some(s) => s.message.clone(),
                None => error.to_string(),
            },
            status: service.and_then(|s| s.status),
            original_status: service.and_then(|s| s.original_status_code),
            in_stream,
        }
    }
}

/// Figures of one answer, from the stream's own timings.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TurnStats {
    /// Time to the response headers.
    pub first_byte: Option<Duration>,
    /// Time to the first text or reasoning.
    pub first_token: Option<Duration>,
    /// Time to the end of the answer.
    pub total: Option<Duration>,
    /// Prompt tokens.
    pub input_tokens: Option<u64>,
    /// Generated tokens.
    pub output_tokens: Option<u64>,
    /// Estimated cost in USD, when the price is known.
    pub cost: Option<f64>,
}

impl TurnStats {
    /// Output tokens per second after the first token.
    pub fn tokens_per_second(&self) -> Option<f64> {
        let span = self.total?.checked_sub(self.first_token?)?.as_secs_f64();
        let tokens = self.output_tokens? as f64;
        // Too short a span or too few tokens gives a meaningless rate.
        (span >= 0.02 && tokens >= 2.0).then(|| tokens / span)
    }
}

/// One entry of the transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Unique within the run: the view cache's key.
    pub id: u64,
    /// Bumped on every change, so the view cache knows what to lay out again.
    pub revision: u64,
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
    /// Figures of the answer.
    pub stats: TurnStats,
    /// Notes about the request (parameters dropped or clamped, ...).
    pub notes: Vec<String>,
    /// Superseded by a retry: still shown, no longer sent.
    pub superseded: bool,
    /// What went over the wire for this answer (this run only; not saved).
    pub exchange: Option<Box<crate::inspect::Exchange>>,
    /// The answer to an edited request: shown, never part of the conversation.
    pub detached: bool,
}

impl Message {
    /// Whether the answer is still under way.
    pub fn in_flight(&self) -> bool {
        matches!(self.status, AnswerStatus::Waiting | AnswerStatus::Streaming)
    }

    /// Adds a decoded chunk.
    pub fn apply_delta(&mut self, delta: &ChunkDelta, elapsed: Duration) {
        if (!delta.text.is_empty() || !delta.reasoning.is_empty())
            && self.stats.first_token.is_none()
        {
            self.stats.first_token = Some(elapsed);
        }
        if !delta.text.is_empty() || !delta.reasoning.is_empty() {
            self.status = AnswerStatus::Streaming;
        }
        self.text.push_str(&delta.text);
        self.reasoning.push_str(&delta.reasoning);
        if delta.stop_reason.is_some() {
            self.stop_reason = delta.stop_reason.clone();
        }
        let metrics = delta.metrics.unwrap_or_default();
        if let Some(n) = metrics.input_token_count.or(delta.usage.input_tokens) {
            self.stats.input_tokens = Some(n);
        }
        if let Some(n) = metrics.output_token_count.or(delta.usage.output_tokens) {
            self.stats.output_tokens = Some(n);
        }
        self.revision += 1;
    }
}

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The prompt editor.
    Editor,
    /// The transcript (scrolling, copying, retry with single keys).
    Transcript,
}

/// The popup on top of the chat, if any.
#[derive(Debug, Clone, Default)]
pub enum Overlay {
    /// None.
    #[default]
    None,
    /// The model picker.
    Picker(Picker),
    /// The parameters form.
    Parameters(ParamsForm),
    /// The help overlay, scrolled by this many lines.
    Help {
        /// First line shown.
        scroll: usize,
    },
    /// The saved-conversation browser.
    Sessions(super::sessions::SessionBrowser),
    /// The accept / content-type matrix.
    Matrix(super::matrix::MatrixView),
    /// Models side by side.
    Compare(super::compare::CompareView),
    /// Editing a request to send it again.
    Resend(Box<super::resend::ResendForm>),
    /// The wire inspector for one answer.
    Inspector {
        /// The answer's message id.
        message: u64,
        /// First row shown (`usize::MAX`: the end).
        scroll: usize,
    },
}

/// Where the transcript view is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scroll {
    /// Pinned to the bottom: new text scrolls into view.
    #[default]
    Follow,
    /// The first visible line, counted from the top; stays put while text arrives.
    Line(usize),
}

/// Sizes the last frame had, fed back by the loop so scrolling can be computed purely.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ViewMetrics {
    /// Lines of the whole laid-out transcript.
    pub content_height: usize,
    /// Lines the transcript pane shows.
    pub viewport_height: usize,
    /// Rows of the scrollable popup's content (the inspector).
    pub overlay_content: usize,
    /// Rows the scrollable popup shows.
    pub overlay_viewport: usize,
}

/// Whether requests can go out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionState {
    /// Credentials are being resolved.
    Pending,
    /// Ready: where requests go (`emulator` or the endpoint and region).
    Ready {
        /// For the status bar.
        description: String,
        /// The region signed for (picks the inference-profile prefix).
        region: String,
        /// Whether it is the built-in emulator.
        emulator: bool,
    },
    /// Could not connect.
    Failed(String),
}

/// The request in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InFlight {
    /// Its id; events of other requests are dropped.
    pub request_id: u64,
    /// Id of the answer message it fills.
    pub message_id: u64,
}

/// Everything the chat screen shows and remembers.
pub struct State {
    /// The transcript.
    pub messages: Vec<Message>,
    /// Which conversation the transcript holds: changes when a new one starts or a saved one
    /// is opened (the session recorder starts or switches files then).
    pub conversation: u64,
    /// The saved session this conversation is written to, once it has one.
    pub session: Option<SessionInfo>,
    /// System prompt.
    pub system: Option<String>,
    /// Inference parameters.
    pub params: Parameters,
    /// The model the next turn goes to.
    pub model: String,
    /// The request format, when the id does not reveal it (`--family`).
    pub family_override: Option<FamilyId>,
    /// The prompt editor.
    pub editor: TextArea<'static>,
    /// Which pane has the keyboard.
    pub focus: Focus,
    /// The popup.
    pub overlay: Overlay,
    /// Transcript scroll position.
    pub scroll: Scroll,
    /// Sizes of the last frame.
    pub view: ViewMetrics,
    /// The request in flight.
    pub in_flight: Option<InFlight>,
    /// Where requests go.
    pub connection: ConnectionState,
    /// Show reasoning unfolded.
    pub show_reasoning: bool,
    /// Prompts sent, oldest first.
    pub history: Vec<String>,
    /// Position while recalling prompts with Up/Down.
    pub history_cursor: Option<usize>,
    /// A first Ctrl+C was pressed; the next one quits.
    pub quit_armed: bool,
    /// The loop should end.
    pub quit: bool,
    /// A one-line message for the status bar, cleared by the next key.
    pub flash: Option<Flash>,
    /// Models from the live listing, merged with the catalog, once they arrive.
    pub listed_models: Option<Vec<crate::cli::models::Row>>,
    /// Key bindings.
    pub keymap: Keymap,
    /// Colours.
    pub theme: Theme,
    pub(crate) next_message_id: u64,
    pub(crate) next_request_id: u64,
}

/// The session file of the conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The file.
    pub path: std::path::PathBuf,
}

/// A status-bar message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    /// The text.
    pub text: String,
    /// Whether it reports a problem.
    pub error: bool,
}

impl State {
    /// A fresh state for `model`.
    pub fn new(model: String, keymap: Keymap, theme: Theme) -> State {
        State {
            messages: Vec::new(),
            conversation: 1,
            session: None,
            system: None,
            params: Parameters::default(),
            model,
            family_override: None,
            editor: new_editor(),
            focus: Focus::Editor,
            overlay: Overlay::None,
            scroll: Scroll::Follow,
            view: ViewMetrics::default(),
            in_flight: None,
            connection: ConnectionState::Pending,
            show_reasoning: false,
            history: Vec::new(),
            history_cursor: None,
            quit_armed: false,
            quit: false,
            flash: None,
            listed_models: None,
            keymap,
            theme,
            next_message_id: 1,
            next_request_id: 1,
        }
    }

    /// The family of the current model.
    pub fn family(&self) -> Option<FamilyId> {
        self.family_override
            .or_else(|| crate::models::family_of(&self.model))
    }

    /// A short name for a model id: the catalog's display name, else the id.
    pub fn model_name(model: &str) -> String {
        catalog::lookup(model).map_or_else(|| model.to_string(), |m| m.name.clone())
    }

    /// Appends a message and returns its id.
    pub fn push(&mut self, speaker: Speaker, text: impl Into<String>) -> u64 {
        let message = self.new_message(speaker, text);
        let id = message.id;
        self.messages.push(message);
        id
    }

    /// A message with a fresh id, not yet in the transcript.
    pub fn new_message(&mut self, speaker: Speaker, text: impl Into<String>) -> Message {
        let id = self.next_message_id;
        self.next_message_id += 1;
        Message {
            id,
            revision: 0,
            speaker,
            text: text.into(),
            reasoning: String::new(),
            model: None,
            status: AnswerStatus::Complete,
            stop_reason: None,
            stats: TurnStats::default(),
            notes: Vec::new(),
            superseded: false,
            exchange: None,
            detached: false,
        }
    }

    /// The message with this id.
    pub fn message_mut(&mut self, id: u64) -> Option<&mut Message> {
        // Ids grow with the index, so a binary search finds it.
        let index = self.messages.binary_search_by_key(&id, |m| m.id).ok()?;
        self.messages.get_mut(index)
    }

    /// The conversation to send: user turns and answers that are not superseded; a cancelled
    /// or failed answer contributes the text it has.
    pub fn conversation(&self) -> Conversation {
        self.conversation_until(self.messages.len())
    }

    /// The conversation formed by the first `end` messages.
    pub fn conversation_until(&self, end: usize) -> Conversation {
        let turns = self.messages[..end.min(self.messages.len())]
            .iter()
            .filter(|m| !m.superseded && !m.detached)
            .filter_map(|m| match m.speaker {
                Speaker::User => Some(Turn {
                    role: Role::User,
                    text: m.text.clone(),
                }),
                Speaker::Assistant if !m.text.trim().is_empty() => Some(Turn {
                    role: Role::Assistant,
                    text: m.text.clone(),
                }),
                _ => None,
            })
            .collect();
        Conversation {
            system: self.system.clone().filter(|s| !s.trim().is_empty()),
            turns,
        }
    }

    /// The last answer with text.
    pub fn last_answer(&self) -> Option<&Message> {
        self.messages
            .iter()
            .rev()
            .find(|m| m.speaker == Speaker::Assistant && !m.text.is_empty())
    }

    /// The text in the prompt editor.
    pub fn draft(&self) -> String {
        self.editor.lines().join("\n")
    }

    /// Replaces the prompt editor's text (cursor at the end).
    pub fn set_draft(&mut self, text: &str) {
        self.editor = new_editor();
        self.editor.insert_str(text);
    }

    /// Whether an answer is streaming; if so, says so in the status bar (what would start
    /// another request waits or is cancelled first).
    pub fn refuse_while_streaming(&mut self) -> bool {
        if self.in_flight.is_none() {
            return false;
        }
        self.flash(
            "an answer is still streaming: wait for it, or Esc to cancel it",
            true,
        );
        true
    }

    /// Makes `answer` the answer in flight for `request_id`, at the end of the transcript.
    pub fn start_answer(&mut self, mut answer: Message, request_id: u64) {
        answer.status = AnswerStatus::Waiting;
        self.in_flight = Some(InFlight {
            request_id,
            message_id: answer.id,
        });
        self.messages.push(answer);
        self.scroll = Scroll::Follow;
    }

    /// A fresh request id.
    pub fn new_request_id(&mut self) -> u64 {
        self.next_request_id += 1;
        self.next_request_id - 1
    }

    /// Sets the status-bar message.
    pub fn flash(&mut self, text: impl Into<String>, error: bool) {
        self.flash = Some(Flash {
            text: text.into(),
            error,
        });
    }

    /// The state word of the status bar.
    pub fn activity(&self) -> &'static str {
        match (&self.connection, self.in_flight) {
            (_, Some(flight)) => match self
                .messages
                .iter()
                .rev()
                .find(|m| m.id == flight.message_id)
            {
                Some(m) if m.status == AnswerStatus::Streaming => "streaming",
                _ => "waiting",
            },
            (ConnectionState::Pending, None) => "connecting",
            (ConnectionState::Failed(_), None) => "error",
            _ => match self
                .messages
                .iter()
                .rev()
                .find(|m| m.speaker == Speaker::Assistant)
            {
                Some(m) if matches!(m.status, AnswerStatus::Failed(_)) => "error",
                _ => "idle",
            },
        }
    }
}

/// A prompt editor with soft wrapping and no line highlight.
pub fn new_editor() -> TextArea<'static> {
    let mut editor = TextArea::default();
    editor.set_wrap_mode(WrapMode::WordOrGlyph);
    editor.set_cursor_line_style(ratatui::style::Style::default());
    editor.set_max_histories(200);
    editor.set_placeholder_text(
        "Ask anything. Enter sends, Alt+Enter or Ctrl+J for a newline, F1 for help",
    );
    editor
}
