//! The state of the chat screen, owned by the event loop alone: the transcript, the prompt
//! editor, the open popup, the request in flight and what the status bar shows.

pub(crate) use super::composer::new_editor;
pub use super::composer::{PASTE_BLOCK_BYTES, PASTE_BLOCK_LINES, PastedBlock};
pub use super::message::{
    AnswerStatus, ErrorInfo, FOLD_OVER_LINES, FOLD_SHOWS_LINES, Message, Speaker,
};
pub use super::parts::{Chat, Composer, Requests, Screen, Settings, Tools};
pub use super::popups::Overlay;
use crate::config::theme::Theme;
use crate::exchange::Found;
use crate::keymap::Keymap;
use crate::models::{Conversation, FamilyId, Parameters, Role, Turn};
use std::collections::HashMap;

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
    /// The first row of the scrollable popup's content the last frame showed.
    pub overlay_first: usize,
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

/// Everything the chat screen shows and remembers, in parts.
#[derive(Debug)]
pub struct State {
    /// The conversation: its messages, its session file, and what its next turn is sent with
    /// (model, system prompt, parameters), the prompt being edited again, a delete asked for.
    pub chat: Chat,
    /// What is on screen: the focus, the message cursor and the scroll, the popup, the status bar's
    /// message and its log, the sizes of the pictures shown.
    pub screen: Screen,
    /// The tools: the toolbox offered, a round of calls under way and the calls this prompt made,
    /// and the MCP servers (configured, starting, stopped).
    pub tools: Tools,
    /// The requests: the one in flight and its clock, the connection, what lookups and the live
    /// listing found, a summary under way, the next request's id.
    pub requests: Requests,
    /// The prompt being written: the editor, its undo, pastes, files, history and queue.
    pub composer: Composer,
    /// What the config and the command line set for the run: keys, colours, Markdown, where
    /// pictures and attachments are kept, request options, caching, titles, reasoning shown.
    pub settings: Settings,
    /// A first Ctrl+C was pressed while idle: the next one before this moment quits.
    pub quit_armed: Option<std::time::Instant>,
    /// The loop should end.
    pub quit: bool,
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
        let placeholder = super::composer::placeholder(&keymap);
        State {
            chat: Chat {
                id: 1,
                messages: Vec::new(),
                session: None,
                system: None,
                role: None,
                params: Parameters::default(),
                model,
                family_override: None,
                api: crate::bedrock::Api::Invoke,
                editing: None,
                pending_delete: None,
                pending_title: None,
                titled: None,
                notes_said: std::collections::HashSet::new(),
                next_message_id: 1,
            },
            settings: Settings {
                prompt_cache: true,
                request_options: crate::bedrock::InvokeOptions::default(),
                title_model: None,
                show_reasoning: false,
                markdown: crate::config::MarkdownOptions::default(),
                pictures_dir: None,
                attachments_dir: None,
                keymap,
                theme,
            },
            quit_armed: None,
            quit: false,
            composer: Composer {
                editor: {
                    let mut editor = new_editor();
                    editor.set_placeholder_text(placeholder);
                    editor
                },
                undo: super::undo::Undo::default(),
                pastes: Vec::new(),
                queued_prompt: None,
                queued_note: None,
                attached: Vec::new(),
                offered_path: None,
                attaching: Vec::new(),
                ctrl_x: false,
                history: Vec::new(),
                history_cursor: None,
            },
            requests: Requests {
                in_flight: None,
                in_flight_clock: None,
                connection: ConnectionState::Pending,
                looked_up: HashMap::new(),
                listed_models: None,
                pending_summary: None,
                next_request_id: 1,
            },
            tools: Tools {
                toolbox: crate::tools::Toolbox::default(),
                tool_round: None,
                tool_calls_this_prompt: 0,
                mcp_servers: std::collections::BTreeMap::new(),
                mcp_starting: Vec::new(),
                mcp_stopped: Vec::new(),
            },
            screen: Screen {
                focus: Focus::Editor,
                cursor: None,
                scroll: Scroll::Follow,
                view: ViewMetrics::default(),
                overlay: Overlay::None,
                flash: None,
                status_log: Vec::new(),
                picture_sizes: std::collections::HashMap::new(),
                pictures_probing: HashMap::new(),
            },
        }
    }

    /// The region requests are signed for (picks inference-profile prefixes).
    pub(crate) fn region(&self) -> &str {
        match &self.requests.connection {
            ConnectionState::Ready { region, .. } => region,
            _ => crate::connect::EMULATOR_REGION,
        }
    }

    /// The region requests are signed for, once connected (a request prepared before, which
    /// waits for the connection, is sent by the id it was given).
    pub(crate) fn connected_region(&self) -> Option<String> {
        match &self.requests.connection {
            ConnectionState::Ready { region, .. } => Some(region.clone()),
            _ => None,
        }
    }

    /// Whether an answer's tool calls are being approved or run.
    pub fn tools_pending(&self) -> bool {
        self.tools.tool_round.is_some()
    }

    /// The family of the current model: `--family`, else what a lookup found, else the id's.
    pub fn family(&self) -> Option<FamilyId> {
        self.family_of(&self.chat.model)
    }

    /// The API the next turn goes through: the one chosen, or Converse for a model whose native
    /// body is not known.
    pub fn route(&self) -> crate::bedrock::Api {
        match self.family() {
            Some(FamilyId::Converse) => crate::bedrock::Api::Converse,
            None if crate::models::model_id::names_a_provider_model(&self.chat.model) => {
                crate::bedrock::Api::Converse
            }
            _ => self.chat.api,
        }
    }

    /// The family of `model` as the chat knows it.
    pub fn family_of(&self, model: &str) -> Option<FamilyId> {
        self.given_family(model)
            .or_else(|| self.found_family(model))
            .or_else(|| crate::models::family_of(model))
    }

    /// The family named on the command line (`--family`), for the model it was named for.
    pub(crate) fn given_family(&self, model: &str) -> Option<FamilyId> {
        (model == self.chat.model)
            .then_some(self.chat.family_override)
            .flatten()
    }

    /// The family a lookup of `model` (an opaque ARN) found.
    pub(crate) fn found_family(&self, model: &str) -> Option<FamilyId> {
        match self.requests.looked_up.get(model) {
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
        message.id = self.chat.next_message_id;
        self.chat.next_message_id += 1;
        let id = message.id;
        self.chat.messages.push(message);
        id
    }

    /// The message with this id.
    pub fn message_mut(&mut self, id: u64) -> Option<&mut Message> {
        self.chat.messages.iter_mut().rev().find(|m| m.id == id)
    }

    /// The conversation to send: the prompts and answers on screen that are sent as context
    /// (a cancelled or failed answer only when kept).
    pub fn conversation(&self) -> Conversation {
        self.conversation_until(self.chat.messages.len())
    }

    /// The conversation formed by the first `end` messages.
    pub(crate) fn conversation_until(&self, end: usize) -> Conversation {
        let sent: Vec<&Message> = self.chat.messages[..end.min(self.chat.messages.len())]
            .iter()
            .filter(|m| m.sent_as_context())
            .collect();
        let mut turns: Vec<Turn> = Vec::with_capacity(sent.len());
        for (n, m) in sent.iter().enumerate() {
            let mut turn = Turn::new(Role::User, m.text.clone());
            match m.speaker {
                Speaker::User => turn.attachments.clone_from(&m.attachments),
                Speaker::Tool => {
                    // Results go only right after the calls they answer.
                    let answers_calls = turns.last().is_some_and(|t| !t.tool_calls.is_empty());
                    if !answers_calls {
                        continue;
                    }
                    turn.tool_results = m.tool_runs.iter().map(|r| r.result.clone()).collect();
                }
                Speaker::Assistant => {
                    turn.role = Role::Assistant;
                    // Calls go only with their results (a cancelled round leaves them out).
                    let answered = sent
                        .get(n + 1)
                        .is_some_and(|next| next.speaker == Speaker::Tool);
                    if answered {
                        turn.tool_calls.clone_from(&m.stats.tool_calls);
                        if !m.stats.signed.is_empty() {
                            turn.thinking = Some((m.reasoning.clone(), m.stats.signed.clone()));
                        }
                    } else if m.text.trim().is_empty() {
                        continue;
                    }
                }
                Speaker::Notice => continue,
            }
            turns.push(turn);
        }
        Conversation {
            system: self.chat.system.clone().filter(|s| !s.trim().is_empty()),
            tools: self.tools.toolbox.specs(),
            turns,
        }
    }

    /// Where the message with this id is in the transcript.
    pub(crate) fn index_of(&self, id: u64) -> Option<usize> {
        self.chat.messages.iter().rposition(|m| m.id == id)
    }

    /// The last answer with text.
    pub fn last_answer(&self) -> Option<&Message> {
        self.chat
            .messages
            .iter()
            .rev()
            .find(|m| m.speaker == Speaker::Assistant && !m.text.is_empty())
    }

    /// Whether an answer is streaming; if so, says so in the status bar (what would start
    /// another request waits or is cancelled first).
    pub(crate) fn refuse_while_streaming(&mut self) -> bool {
        if self.tools.tool_round.is_some() {
            self.flash(
                "tool calls are under way: answer them, or Esc to cancel them",
                true,
            );
            return true;
        }
        if self.requests.in_flight.is_none() {
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
        self.requests.in_flight = Some(InFlight {
            request_id,
            message_id,
        });
        let now = std::time::Instant::now();
        self.requests.in_flight_clock = Some((now, now));
        self.screen.scroll = Scroll::Follow;
    }

    /// A fresh request id.
    pub(crate) fn new_request_id(&mut self) -> u64 {
        self.requests.next_request_id += 1;
        self.requests.next_request_id - 1
    }

    /// Sets the status-bar message.
    pub fn flash(&mut self, text: impl Into<String>, error: bool) {
        let text = text.into();
        // Kept for F9 / `/notices`: the status bar may cut a long one.
        if self.screen.status_log.len() >= STATUS_LOG_KEPT {
            self.screen.status_log.remove(0);
        }
        let at = jiff::Zoned::now().strftime("%H:%M:%S").to_string();
        self.screen.status_log.push(format!("{at} {text}"));
        self.screen.flash = Some(Flash { text, error });
    }

    /// The status messages of this run, the latest last, as a notice in the transcript.
    pub(crate) fn show_status_log(&mut self) {
        let text = if self.screen.status_log.is_empty() {
            "No status messages yet.".to_string()
        } else {
            let shown = self.screen.status_log.len().min(STATUS_LOG_SHOWN);
            let mut lines = vec![format!(
                "The last {shown} status messages, the latest last:"
            )];
            lines.extend(
                self.screen.status_log[self.screen.status_log.len() - shown..]
                    .iter()
                    .map(|line| format!("  {line}")),
            );
            lines.join("\n")
        };
        self.push(Speaker::Notice, text);
    }

    /// Ends an armed quit whose time has passed (and its message); true when it did.
    pub(crate) fn expire_quit(&mut self, now: std::time::Instant) -> bool {
        if self.quit_armed.is_some_and(|until| now >= until) {
            self.quit_armed = None;
            if self
                .screen
                .flash
                .as_ref()
                .is_some_and(|f| f.text == QUIT_AGAIN)
            {
                self.screen.flash = None;
            }
            return true;
        }
        false
    }

    /// The state word of the status bar.
    pub fn activity(&self) -> &'static str {
        match (&self.requests.connection, self.requests.in_flight) {
            (_, Some(flight)) => match self
                .chat
                .messages
                .iter()
                .rev()
                .find(|m| m.id == flight.message_id)
            {
                Some(m) if m.status == AnswerStatus::Streaming => "streaming",
                _ => "waiting",
            },
            (_, None) if self.tools.tool_round.is_some() => "tools",
            (ConnectionState::Pending, None) => "connecting",
            (ConnectionState::Failed(_), None) => "error",
            _ => match self
                .chat
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

/// How long a first Ctrl+C waits for the second.
pub const QUIT_WINDOW: std::time::Duration = std::time::Duration::from_secs(2);
/// Status messages kept for the log.
const STATUS_LOG_KEPT: usize = 200;
/// Status messages the log shows.
const STATUS_LOG_SHOWN: usize = 30;

/// What the status bar says after a first Ctrl+C.
pub(crate) const QUIT_AGAIN: &str = "press Ctrl+C again within 2 s to quit";
