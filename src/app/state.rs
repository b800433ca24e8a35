//! The state of the chat screen, owned by the event loop alone: the transcript, the prompt
//! editor, the open popup, the request in flight and what the status bar shows.

pub use super::popup::Overlay;
use crate::config::theme::Theme;
pub use crate::exchange::ErrorInfo;
use crate::exchange::{Figures, Found};
use crate::keymap::Keymap;
use crate::models::{ChunkDelta, Conversation, FamilyId, Parameters, Role, Turn};
use ratatui_textarea::{TextArea, WrapMode};
use std::collections::HashMap;
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
    /// The entry number of the session file this message was loaded from.
    pub saved_as: Option<u64>,
    /// A long prompt shown whole (long prompts are folded to their first lines).
    pub unfolded: bool,
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
            saved_as: None,
            unfolded: false,
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
        self.revision += 1;
    }

    /// Whether the message goes to the model as part of the conversation: prompts, and
    /// answers that completed or that the user keeps; never deleted, superseded, detached or
    /// empty ones, nor notices.
    pub fn sent_as_context(&self) -> bool {
        if self.superseded || self.detached || self.deleted || self.text.trim().is_empty() {
            return false;
        }
        match self.speaker {
            Speaker::User => true,
            Speaker::Assistant => self.kept || self.status == AnswerStatus::Complete,
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

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The prompt editor.
    Editor,
    /// The transcript (scrolling, copying, retry with single keys).
    Transcript,
}

/// Where the transcript view is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scroll {
    /// Pinned to the bottom: new text scrolls into view.
    #[default]
    Follow,
    /// Keeps the message with this id (the message cursor's) in view.
    Message(u64),
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
    /// The first transcript row the last frame showed.
    pub top: usize,
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
    /// The role whose prompt `system` is, while it is unchanged.
    pub role: Option<String>,
    /// Inference parameters.
    pub params: Parameters,
    /// The model the next turn goes to.
    pub model: String,
    /// The request format, when the id does not reveal it (`--family`).
    pub family_override: Option<FamilyId>,
    /// What lookups of opaque model ARNs found, by model.
    pub looked_up: HashMap<String, Found>,
    /// The prompt editor.
    pub editor: TextArea<'static>,
    /// When the answer in flight was asked for, and when news of it last came: the status bar
    /// counts the time, the tokens so far and a silence from them.
    pub in_flight_clock: Option<(std::time::Instant, std::time::Instant)>,
    /// Ctrl+X was pressed in the prompt: a Ctrl+E next opens the editor.
    pub(crate) ctrl_x: bool,
    /// A prompt sent while an answer streamed: it goes when that answer ends.
    pub queued_prompt: Option<String>,
    /// Pastes too large to edit as text, shown in the editor as a token and put back in their
    /// place when the prompt is sent (see [`PastedBlock`]).
    pub pastes: Vec<PastedBlock>,
    /// Which pane has the keyboard.
    pub focus: Focus,
    /// The message cursor (transcript focus): the id of the selected message.
    pub cursor: Option<u64>,
    /// An earlier prompt being edited: sending the draft starts a new branch there.
    pub editing: Option<Editing>,
    /// A turn waiting for `y` to be deleted (the id of a message of it).
    pub pending_delete: Option<u64>,
    /// The title the next saved conversation gets (a fork's), instead of its first prompt.
    pub pending_title: Option<String>,
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
    /// A first Ctrl+C was pressed while idle: the next one before this moment quits.
    pub quit_armed: Option<std::time::Instant>,
    /// The loop should end.
    pub quit: bool,
    /// A one-line message for the status bar, cleared by the next key.
    pub flash: Option<Flash>,
    /// Models from the live listing, merged with the catalog, once they arrive.
    pub listed_models: Option<Vec<crate::listing::Row>>,
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
    /// The largest entry number in the file when it was opened (0 for a new file).
    pub last_entry: u64,
}

/// An earlier prompt being edited in the prompt editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editing {
    /// The prompt's message id.
    pub message: u64,
    /// The draft that was in the editor before, put back if the edit is abandoned.
    pub draft_before: String,
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
            role: None,
            params: Parameters::default(),
            model,
            family_override: None,
            looked_up: HashMap::new(),
            editor: new_editor(),
            pastes: Vec::new(),
            queued_prompt: None,
            ctrl_x: false,
            in_flight_clock: None,
            focus: Focus::Editor,
            cursor: None,
            editing: None,
            pending_delete: None,
            pending_title: None,
            overlay: Overlay::None,
            scroll: Scroll::Follow,
            view: ViewMetrics::default(),
            in_flight: None,
            connection: ConnectionState::Pending,
            show_reasoning: false,
            history: Vec::new(),
            history_cursor: None,
            quit_armed: None,
            quit: false,
            flash: None,
            listed_models: None,
            keymap,
            theme,
            next_message_id: 1,
            next_request_id: 1,
        }
    }

    /// The family of the current model: `--family`, else what a lookup found, else the id's.
    pub fn family(&self) -> Option<FamilyId> {
        self.family_of(&self.model)
    }

    /// The family of `model` as the chat knows it.
    pub fn family_of(&self, model: &str) -> Option<FamilyId> {
        self.given_family(model)
            .or_else(|| self.found_family(model))
            .or_else(|| crate::models::family_of(model))
    }

    /// The family named on the command line (`--family`), for the model it was named for.
    pub(crate) fn given_family(&self, model: &str) -> Option<FamilyId> {
        (model == self.model)
            .then_some(self.family_override)
            .flatten()
    }

    /// The family a lookup of `model` (an opaque ARN) found.
    pub(crate) fn found_family(&self, model: &str) -> Option<FamilyId> {
        match self.looked_up.get(model) {
            Some(Found::Family(family, _)) => Some(*family),
            _ => None,
        }
    }

    /// Appends a message and returns its id.
    pub fn push(&mut self, speaker: Speaker, text: impl Into<String>) -> u64 {
        self.push_message(Message::new(speaker, text))
    }

    /// Appends a message, giving it its id (ids are unique in the run, and say nothing about
    /// the order of the transcript).
    pub(crate) fn push_message(&mut self, mut message: Message) -> u64 {
        message.id = self.next_message_id;
        self.next_message_id += 1;
        let id = message.id;
        self.messages.push(message);
        id
    }

    /// The message with this id.
    pub fn message_mut(&mut self, id: u64) -> Option<&mut Message> {
        self.messages.iter_mut().rev().find(|m| m.id == id)
    }

    /// The conversation to send: the prompts and answers on screen that are sent as context
    /// (a cancelled or failed answer only when kept).
    pub fn conversation(&self) -> Conversation {
        self.conversation_until(self.messages.len())
    }

    /// The conversation formed by the first `end` messages.
    pub(crate) fn conversation_until(&self, end: usize) -> Conversation {
        let turns = self.messages[..end.min(self.messages.len())]
            .iter()
            .filter(|m| m.sent_as_context())
            .map(|m| Turn {
                role: if m.speaker == Speaker::User {
                    Role::User
                } else {
                    Role::Assistant
                },
                text: m.text.clone(),
            })
            .collect();
        Conversation {
            system: self.system.clone().filter(|s| !s.trim().is_empty()),
            turns,
        }
    }

    /// Where the message with this id is in the transcript.
    pub(crate) fn index_of(&self, id: u64) -> Option<usize> {
        self.messages.iter().rposition(|m| m.id == id)
    }

    /// The last answer with text.
    pub fn last_answer(&self) -> Option<&Message> {
        self.messages
            .iter()
            .rev()
            .find(|m| m.speaker == Speaker::Assistant && !m.text.is_empty())
    }

    /// The text in the prompt editor, with each pasted block's token replaced by its text.
    pub fn draft(&self) -> String {
        let mut text = self.editor.lines().join("\n");
        for block in &self.pastes {
            if let Some(at) = text.find(&block.token) {
                text.replace_range(at..at + block.token.len(), &block.text);
            }
        }
        text
    }

    /// Whether the prompt editor is empty.
    pub(crate) fn draft_is_empty(&self) -> bool {
        self.editor.lines().iter().all(String::is_empty)
    }

    /// Replaces the prompt editor's text (cursor at the end).
    pub fn set_draft(&mut self, text: &str) {
        self.editor = new_editor();
        self.pastes.clear();
        self.insert_text(text);
    }

    /// Inserts text at the cursor: a text too large to edit comfortably goes in as a pasted
    /// block (a token in the editor, the text kept aside), so the editor stays fast.
    pub(crate) fn insert_text(&mut self, text: &str) {
        let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1;
        if text.len() <= PASTE_BLOCK_BYTES && lines <= PASTE_BLOCK_LINES {
            self.editor.insert_str(text);
            return;
        }
        let number = self.pastes.len() + 1;
        let token = format!(
            "⟦pasted text #{number}: {lines} lines, {}⟧",
            crate::files::human_size(text.len() as u64)
        );
        self.editor.insert_str(&token);
        self.pastes.push(PastedBlock {
            token,
            text: text.to_string(),
        });
    }

    /// Whether an answer is streaming; if so, says so in the status bar (what would start
    /// another request waits or is cancelled first).
    pub(crate) fn refuse_while_streaming(&mut self) -> bool {
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
    pub(crate) fn start_answer(&mut self, mut answer: Message, request_id: u64) {
        answer.status = AnswerStatus::Waiting;
        let message_id = self.push_message(answer);
        self.in_flight = Some(InFlight {
            request_id,
            message_id,
        });
        let now = std::time::Instant::now();
        self.in_flight_clock = Some((now, now));
        self.scroll = Scroll::Follow;
    }

    /// A fresh request id.
    pub(crate) fn new_request_id(&mut self) -> u64 {
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

    /// Ends an armed quit whose time has passed (and its message); true when it did.
    pub(crate) fn expire_quit(&mut self, now: std::time::Instant) -> bool {
        if self.quit_armed.is_some_and(|until| now >= until) {
            self.quit_armed = None;
            if self.flash.as_ref().is_some_and(|f| f.text == QUIT_AGAIN) {
                self.flash = None;
            }
            return true;
        }
        false
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

/// A prompt of more lines than this is folded in the transcript …
pub const FOLD_OVER_LINES: usize = 40;
/// … to its first lines.
pub const FOLD_SHOWS_LINES: usize = 6;

/// How long a first Ctrl+C waits for the second.
pub const QUIT_WINDOW: std::time::Duration = std::time::Duration::from_secs(2);
/// What the status bar says meanwhile.
pub(crate) const QUIT_AGAIN: &str = "press Ctrl+C again within 2 s to quit";

/// A paste larger than this many bytes or lines becomes a [`PastedBlock`].
pub const PASTE_BLOCK_BYTES: usize = 256 * 1024;
/// See [`PASTE_BLOCK_BYTES`].
pub const PASTE_BLOCK_LINES: usize = 5_000;

/// A large paste kept out of the editor: the editor shows `token`, and the prompt sent has
/// `text` in its place. Deleting the token drops the paste.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastedBlock {
    /// What the editor shows: `⟦pasted text #1: 250000 lines, 19.1 MiB⟧`.
    pub token: String,
    /// The pasted text.
    pub text: String,
}

/// A prompt editor with soft wrapping and no line highlight.
pub(crate) fn new_editor() -> TextArea<'static> {
    let mut editor = TextArea::default();
    editor.set_wrap_mode(WrapMode::WordOrGlyph);
    editor.set_cursor_line_style(ratatui::style::Style::default());
    editor.set_max_histories(200);
    editor.set_placeholder_text(
        "Ask anything. Enter sends, Alt+Enter or Ctrl+J for a newline, F1 for help",
    );
    editor
}
