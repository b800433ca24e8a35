//! The chat application: state, the pure `update` that turns messages into effects, the effects
//! that do I/O (requests, clipboard), and the `select!` loop that owns it all.

pub(crate) mod attach;
pub mod branches;
mod commands;
mod composer;
mod cursor;
mod keys;
mod mcp;
pub mod message;
mod parts;
pub(crate) mod pictures;
pub(crate) mod popups;
mod resume;
pub mod state;
mod summary;
pub mod titles;
mod tool_round;
pub use tool_round::{ARMING, ToolApproval, ToolJob};
mod turns;
pub mod undo;
pub(crate) mod update;
#[cfg(test)]
mod update_tests;

use crate::exchange::{ErrorInfo, Figures, Found, Prepared};
use crate::listing::Row;
use crate::models::ChunkDelta;
use crate::transcript::export::Format;
use crate::transcript::store::Summary;
use crate::transcript::writer::WriterNews;
use crossterm::event::{KeyEvent, MouseEvent};
use std::path::PathBuf;
use std::time::Duration;

/// Something that happened: input from the terminal or news from a background task.
#[derive(Debug, Clone)]
pub(crate) enum Msg {
    /// A key press.
    Key(KeyEvent),
    /// Bracketed paste: the whole pasted text at once.
    Paste(String),
    /// More of a paste that arrived in pieces (a terminal without bracketed paste): inserted
    /// as one undo step with the piece before it.
    PasteMore(String),
    /// A mouse event (the wheel scrolls).
    Mouse(MouseEvent),
    /// The terminal was resized.
    Resize,
    /// News of a request.
    Stream {
        /// Which request.
        request_id: u64,
        /// What happened.
        update: StreamUpdate,
    },
    /// The connection is ready, or failed.
    Connected(Result<ConnectionInfo, String>),
    /// The live model listing arrived, or failed.
    ModelsListed(Result<Vec<Row>, String>),
    /// News from the session writer.
    Session(WriterNews),
    /// The saved sessions, for the browser.
    SessionsListed(Result<Vec<Summary>, String>),
    /// The title model answered.
    TitleWritten {
        /// For which conversation.
        conversation: u64,
        /// The title it wrote, or the error.
        result: Result<String, String>,
    },
    /// The text of the saved sessions, for the browser's search.
    SessionsIndexed(std::sync::Arc<crate::transcript::search::SearchIndex>),
    /// The roles, for the role picker: the roles, what could not be read, the directory.
    RolesListed(
        Vec<crate::config::roles::RoleDef>,
        Vec<String>,
        Option<String>,
    ),
    /// A rename, delete or export finished: what to say, or the error.
    SessionTask(Result<String, String>),
    /// The image on the system clipboard, or why there is none.
    ClipboardImage(Result<Vec<u8>, String>),
    /// A file to attach was read, or could not be.
    AttachmentRead {
        /// The file.
        path: PathBuf,
        /// It, or why not.
        result: Result<crate::attachments::Attachment, String>,
    },
    /// An attached file could not be kept in the attachments directory: why.
    AttachmentNotKept(String),
    /// The completions of a path typed after `/attach`.
    PathCompleted {
        /// What was typed.
        partial: String,
        /// The path as far as it is unique.
        completed: String,
        /// The names that match.
        choices: Vec<String>,
    },
    /// A pasted path is a file.
    PastedFile {
        /// The file.
        path: PathBuf,
        /// The text pasted.
        pasted: String,
    },
    /// A lookup of the format behind an opaque model ARN answered.
    ModelLookedUp {
        /// The model.
        model: String,
        /// What it found.
        found: Found,
    },
    /// A combination of the matrix answered.
    MatrixOutcome {
        /// Which run.
        run: u64,
        /// Which row.
        index: usize,
        /// What came back.
        outcome: Box<crate::compare::Outcome>,
    },
    /// An MCP server started and listed its tools, or failed to.
    McpConnected {
        /// Its name in config.toml.
        name: String,
        /// Its tools, or why it cannot be used.
        result: Result<Vec<crate::tools::mcp::McpTool>, String>,
    },
    /// A tool call ran (or failed to).
    ToolRan {
        /// The round it belongs to.
        round: u64,
        /// Which call of the round.
        index: usize,
        /// Its result.
        ran: Box<crate::tools::Ran>,
    },
    /// The user read a tool call whole in the pager.
    ToolViewed {
        /// The round it belongs to.
        round: u64,
        /// Which call of the round.
        index: usize,
    },
    /// The editor gave the draft back edited, or why not (the draft is then unchanged).
    DraftEdited(Result<String, String>),
    /// A program the terminal was handed to (the pager) failed: why.
    ProgramFailed(String),
    /// A picture the transcript wanted drawn, decoded off the loop (`None`: it could not be).
    PictureDecoded {
        /// The picture file.
        path: PathBuf,
        /// Its pixels.
        image: Option<std::sync::Arc<image::DynamicImage>>,
    },
    /// A picture's size was read off the loop, or why it is not shown.
    PictureProbed {
        /// The picture file.
        path: PathBuf,
        /// What its header said.
        probe: crate::pictures::Probe,
    },
    /// SIGTERM or SIGHUP: quit now.
    Terminate,
}

/// Where requests go, for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConnectionInfo {
    /// `emulator` or the endpoint.
    pub description: String,
    /// The region signed for.
    pub region: String,
    /// Whether it is the built-in emulator.
    pub emulator: bool,
    /// Why the emulator was chosen, when it was not asked for.
    pub fallback_reason: Option<String>,
}

/// News of one request.
#[derive(Debug, Clone)]
pub(crate) enum StreamUpdate {
    /// The response began.
    Started {
        /// Time to the response headers.
        first_byte: Duration,
    },
    /// An attempt failed before the response began; another follows.
    Retrying {
        /// `retrying 2/3 after ThrottlingException in 1.2 s`.
        text: String,
    },
    /// A note on how the answer is read.
    Note(String),
    /// A decoded chunk (or the whole answer of InvokeModel).
    Delta {
        /// What it adds.
        delta: Box<ChunkDelta>,
        /// Time since the request started.
        elapsed: Duration,
    },
    /// Pictures the answer made, saved: Markdown images of their files.
    Pictures(String),
    /// The answer ended normally.
    Finished {
        /// Its figures, as the exchange counted them.
        figures: Box<Figures>,
    },
    /// What went over the wire, for the inspector.
    Wire(Box<WireUpdate>),
    /// The request or the stream failed; text already received stays.
    Failed {
        /// The error.
        error: ErrorInfo,
        /// The figures up to the failure.
        figures: Box<Figures>,
    },
}

/// What the wire carried for a request, as it happens.
#[derive(Debug, Clone)]
pub(crate) enum WireUpdate {
    /// An attempt as sent (secrets redacted).
    Sent(Box<crate::bedrock::SentRequest>),
    /// The response status and headers.
    Response(Box<crate::bedrock::ResponseMeta>),
    /// The body of a non-streamed response.
    Body(bytes::Bytes),
    /// An event-stream frame.
    Frame(Box<crate::inspect::FrameRecord>),
    /// How the exchange failed.
    Failed(String),
}

/// I/O that `update` asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Start a request.
    Send(Box<RequestSpec>),
    /// Abort a request.
    Cancel {
        /// Which.
        request_id: u64,
    },
    /// Put text on the clipboard.
    Copy(String),
    /// Fetch the live model listing: the one kept on disk when it is less than a day old,
    /// unless `refresh`.
    ListModels {
        /// Ask the region again, whatever is kept.
        refresh: bool,
    },
    /// Ask the control plane what format an opaque model ARN speaks.
    LookUpModel(String),
    /// List the saved sessions.
    ListSessions,
    /// Read the roles.
    ListRoles,
    /// Ask the title model for a title.
    WriteTitle(Box<titles::TitleRequest>),
    /// Gather the text of these session files for the browser's search.
    IndexSessions(Vec<PathBuf>),
    /// Make a saved session the conversation on screen.
    OpenSession(PathBuf),
    /// Give a saved session a new title.
    RenameSession {
        /// Its file.
        path: PathBuf,
        /// The title.
        title: String,
    },
    /// Delete a saved session.
    DeleteSession(PathBuf),
    /// Run the accept / content-type matrix.
    RunMatrix(Box<MatrixSpec>),
    /// Open the prompt in `$VISUAL` / `$EDITOR`.
    EditDraft,
    /// Show a tool call whole in the pager.
    ViewToolCall {
        /// The round it belongs to.
        round: u64,
        /// Which call of the round.
        index: usize,
        /// The call, as the pager shows it.
        text: String,
    },
    /// Read an image from the system clipboard and attach it.
    PasteImage,
    /// Read a file to attach.
    ReadAttachment(PathBuf),
    /// Read the sizes of pictures the transcript shows.
    ProbePictures(Vec<PathBuf>),
    /// Keep an attached file in the attachments directory.
    KeepAttachment {
        /// The attachments directory.
        dir: PathBuf,
        /// The file.
        attachment: Box<crate::attachments::Attachment>,
    },
    /// List the choices for a path typed after `/attach`.
    CompletePath(String),
    /// Look whether a pasted path is a file.
    CheckPastedPath {
        /// The path.
        path: PathBuf,
        /// The text pasted.
        pasted: String,
    },
    /// Run a tool call in the background.
    RunTool(Box<ToolJob>),
    /// Start (again) an MCP server of config.toml.
    StartMcp {
        /// Its name.
        name: String,
        /// How to start or reach it.
        config: Box<crate::config::tool_config::McpServerConfig>,
    },
    /// Stop the tool calls of a round that still run.
    CancelTools {
        /// The round.
        round: u64,
    },
    /// Export a session to the current directory.
    Export {
        /// Which.
        what: ExportWhat,
        /// Markdown or JSON.
        format: Format,
    },
}

/// A run of the accept / content-type matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixSpec {
    /// Its id.
    pub run: u64,
    /// Each combination and its request, in order.
    pub rows: Vec<(crate::compare::Combination, Prepared)>,
}

/// The session an export reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportWhat {
    /// The conversation on screen (its file has writes in flight: the writer exports it).
    Current(PathBuf),
    /// Another saved session.
    File(PathBuf),
}

/// A request to start.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestSpec {
    /// Its id.
    pub request_id: u64,
    /// The request, prepared by the exchange layer.
    pub prepared: Prepared,
}
