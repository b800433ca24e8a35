//! The parts of the chat's [`State`](super::state::State): the conversation, the screen, the
//! tools, the requests, the prompt being written and the run's settings, each a struct of its
//! own so a rule names the part it touches.

use super::state::{
    ConnectionState, Editing, Flash, Focus, InFlight, Message, Overlay, PastedBlock, Scroll,
    SessionInfo, ViewMetrics,
};
use crate::config::theme::Theme;
use crate::exchange::Found;
use crate::keymap::Keymap;
use crate::models::{FamilyId, Parameters};
use ratatui_textarea::TextArea;
use std::collections::HashMap;

/// The conversation: its messages, its session file, and what its next turn is sent with
/// (model, system prompt, parameters), the prompt being edited again, a delete asked for.
#[derive(Debug)]
pub struct Chat {
    /// Which conversation the transcript holds: changes when a new one starts or a saved one
    /// is opened (the session recorder starts or switches files then).
    pub id: u64,
    /// The transcript.
    pub messages: Vec<Message>,
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
    /// The API the next turn goes through (`--api`, config `api`, Alt+C).
    pub api: crate::bedrock::Api,
    /// An earlier prompt being edited: sending the draft starts a new branch there.
    pub editing: Option<Editing>,
    /// A turn waiting for `y` to be deleted (the id of a message of it).
    pub pending_delete: Option<u64>,
    /// The title the next saved conversation gets (a fork's), instead of its first prompt.
    pub pending_title: Option<String>,
    /// The conversation a title was last asked for.
    pub titled: Option<u64>,
    /// The notes under answers said so far, by conversation (each is said once in one).
    pub(crate) notes_said: std::collections::HashSet<(u64, String)>,
    /// The id the next message gets.
    pub(crate) next_message_id: u64,
}

/// What the config and the command line set for the run: keys, colours, Markdown, where
/// pictures and attachments are kept, request options, caching, titles, reasoning shown.
#[derive(Debug)]
pub struct Settings {
    /// Place prompt-cache breakpoints (config `prompt_caching`).
    pub prompt_cache: bool,
    /// Guardrail, latency and tier of every request (config `[request]`, F2).
    pub request_options: crate::bedrock::InvokeOptions,
    /// The model that writes titles (config.toml `title_model`; none: the first prompt's).
    pub title_model: Option<String>,
    /// Show reasoning unfolded.
    pub show_reasoning: bool,
    /// How Markdown is drawn (config).
    pub markdown: crate::config::MarkdownOptions,
    /// Where pictures of image models are saved (and the only place the transcript draws
    /// pictures from).
    pub pictures_dir: Option<std::path::PathBuf>,
    /// Where attached files are kept by content (`attachments/` beside `sessions/`).
    pub attachments_dir: Option<std::path::PathBuf>,
    /// Key bindings.
    pub keymap: Keymap,
    /// Colours.
    pub theme: Theme,
}

/// What is on screen: the focus, the message cursor and the scroll, the popup, the status bar's
/// message and its log, the sizes of the pictures shown.
#[derive(Debug)]
pub struct Screen {
    /// Which pane has the keyboard.
    pub focus: Focus,
    /// The message cursor (transcript focus): the id of the selected message.
    pub cursor: Option<u64>,
    /// Transcript scroll position.
    pub scroll: Scroll,
    /// Sizes of the last frame.
    pub view: ViewMetrics,
    /// The popup.
    pub overlay: Overlay,
    /// A one-line message for the status bar, cleared by the next key.
    pub flash: Option<Flash>,
    /// Every status message of the run, with its time (the latest last).
    pub status_log: Vec<String>,
    /// The sizes of the pictures the transcript shows, as read off the loop.
    pub picture_sizes: std::collections::HashMap<std::path::PathBuf, crate::pictures::Probe>,
    /// Pictures whose size is being read, with the messages that wait for it.
    pub(crate) pictures_probing: HashMap<std::path::PathBuf, Vec<u64>>,
}

/// The tools: the toolbox offered, a round of calls under way and the calls this prompt made,
/// and the MCP servers (configured, starting, stopped).
#[derive(Debug)]
pub struct Tools {
    /// The tools offered to models (config.toml's `[tools]`), and what runs unasked.
    pub toolbox: crate::tools::Toolbox,
    /// An answer's tool calls being approved and run.
    pub(crate) tool_round: Option<super::tool_round::ToolRound>,
    /// Tool calls since the last prompt the user sent (the loop limit counts them).
    pub(crate) tool_calls_this_prompt: u32,
    /// The MCP servers config.toml defines, to start again (`/mcp restart NAME`).
    pub mcp_servers:
        std::collections::BTreeMap<String, crate::config::tool_config::McpServerConfig>,
    /// MCP servers still starting (a prompt waits for them).
    pub mcp_starting: Vec<String>,
    /// MCP servers that stopped (their tools withdrawn), by name.
    pub mcp_stopped: Vec<String>,
}

/// The requests: the one in flight and its clock, the connection, what lookups and the live
/// listing found, a summary under way, the next request's id.
#[derive(Debug)]
pub struct Requests {
    /// The request in flight.
    pub in_flight: Option<InFlight>,
    /// When the answer in flight was asked for, and when news of it last came: the status bar
    /// counts the time, the tokens so far and a silence from them.
    pub in_flight_clock: Option<(std::time::Instant, std::time::Instant)>,
    /// Where requests go.
    pub connection: ConnectionState,
    /// What lookups of opaque model ARNs found, by model.
    pub looked_up: HashMap<String, Found>,
    /// Models from the live listing, merged with the catalog, once they arrive.
    pub listed_models: Option<Vec<crate::listing::Row>>,
    /// A summary being written: its answer's message id, and the messages it replaces once it
    /// completes.
    pub(crate) pending_summary: Option<(u64, Vec<u64>)>,
    pub(crate) next_request_id: u64,
}

/// The prompt being written and what goes with it: the editor and its undo, large pastes, the
/// files attached (and being read), the history Up recalls, and a prompt queued behind an
/// answer.
#[derive(Debug)]
pub struct Composer {
    /// The prompt editor.
    pub editor: TextArea<'static>,
    /// Undo and redo of the prompt editor, by edit group.
    pub undo: super::undo::Undo,
    /// Ctrl+X was pressed in the prompt: a Ctrl+E next opens the editor.
    pub(crate) ctrl_x: bool,
    /// A prompt sent while an answer streamed: it goes when that answer ends.
    pub queued_prompt: Option<String>,
    /// The transcript's note of the queued prompt (taken away when it is sent).
    pub(crate) queued_note: Option<u64>,
    /// Files attached to the draft: they go with the next prompt.
    pub attached: Vec<crate::attachments::Attachment>,
    /// A pasted file path Alt+A would attach, with the text the paste inserted.
    pub(crate) offered_path: Option<(std::path::PathBuf, String)>,
    /// Files being read to attach, each with the text of its pasted path (taken out of the
    /// draft once the file is attached).
    pub(crate) attaching: Vec<(std::path::PathBuf, Option<String>)>,
    /// Pastes too large to edit as text, shown in the editor as a token and put back in their
    /// place when the prompt is sent (see [`PastedBlock`]).
    pub pastes: Vec<PastedBlock>,
    /// Prompts sent, oldest first.
    pub history: Vec<String>,
    /// Position while recalling prompts with Up/Down.
    pub history_cursor: Option<usize>,
}
