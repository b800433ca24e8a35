//! MCP servers as tool sources, through the official Rust SDK (`rmcp`): a server from
//! config.toml's `[mcp.NAME]` is started (a stdio command, without AWS secrets in its
//! environment, in a process group of its own) or reached (streamable HTTP), its tools are
//! listed and offered to models, and a call goes to it as `tools/call`; what it answers becomes
//! the text given back. A server that fails to start, or dies, is reported; its tools' calls
//! come back as errors.
//!
//! A server is untrusted: what it sends is bounded before it is parsed (each message at most
//! [`MESSAGE_CAP`], its long strings cut; see [`guard`]), its listing at most [`MAX_PAGES`]
//! pages, [`MAX_TOOLS`] tools and [`MAX_TOOL_BYTES`] of definitions, and a server over a limit
//! is not used, with an error that names it and the limit.

use crate::config::tool_config::McpServerConfig;
use crate::models::tool_use::ToolSpec;
use rmcp::ServiceExt;
use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation, PaginatedRequestParams,
};
use rmcp::service::{RoleClient, RunningService};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncReadExt;

mod guard;
mod process;

pub use guard::{MESSAGE_CAP, STRING_KEEP, guard_lines};
pub use process::stop_all;

/// How long a server may take to start and list its tools.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a failed server's last words are waited for.
const STDERR_WAIT: Duration = Duration::from_millis(500);
/// The most of a server's standard error kept, to say why it failed.
const STDERR_TAIL: usize = 4096;
/// The most pages of tools a server's listing may take.
pub const MAX_PAGES: usize = 32;
/// The most tools one server may offer.
pub const MAX_TOOLS: usize = 256;
/// The most bytes of tool definitions (names, descriptions, schemas) one server may offer.
pub const MAX_TOOL_BYTES: usize = 512 * 1024;

/// A connected server.
pub struct McpServer {
    /// Its name in config.toml.
    pub name: String,
    client: RunningService<RoleClient, ClientConfig>,
    stderr: Arc<std::sync::Mutex<String>>,
    /// What the guard refused of its messages, to say why a call failed.
    refused: Arc<std::sync::Mutex<Vec<String>>>,
    /// Its process (stdio), stopped with its group when the server is dropped.
    process: Option<process::ServerProcess>,
}

impl McpServer {
    /// Whether the server is gone: its process exited or its connection closed.
    pub fn is_gone(&self) -> bool {
        self.client.is_transport_closed()
            || self.client.is_closed()
            || self
                .process
                .as_ref()
                .is_some_and(process::ServerProcess::exited)
    }
}

impl std::fmt::Debug for McpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpServer")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// A tool of a server, as offered.
#[derive(Debug, Clone)]
pub struct McpTool {
    /// The server.
    pub server: Arc<McpServer>,
    /// The tool's name on the server.
    pub remote: String,
    /// Its definition as offered to models (its name may carry the server's, on a clash).
    pub spec: ToolSpec,
}

impl PartialEq for McpTool {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.server, &other.server) && self.spec == other.spec
    }
}

type Client = RunningService<RoleClient, ClientConfig>;

/// Starts (or reaches) a server and lists its tools; the error says why it cannot be used.
pub async fn connect(name: &str, config: &McpServerConfig) -> Result<Vec<McpTool>, String> {
    let stderr = Arc::new(std::sync::Mutex::new(String::new()));
    let info = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("bedrock-tui", env!("CARGO_PKG_VERSION")),
    );
    let mut reader = None;
    let mut server_process = None;
    let started = async {
        match (&config.command, &config.url) {
            (Some(command), None) => {
                let mut std_command = std::process::Command::new(command);
                std_command.args(&config.args);
                crate::child::without_secrets(&mut std_command);
                std_command.envs(&config.env);
                let (running, pipes) = process::ServerProcess::spawn(std_command)
                    .map_err(|e| format!("cannot start {}: {e}", command_text(config)))?;
                server_process = Some(running);
                if let Some(err) = pipes.stderr {
                    reader = Some(tokio::spawn(keep_tail(err, stderr.clone())));
                }
                let guarded = guard::Guarded::new(pipes.stdout);
                let notes = guarded.notes.clone();
                let client = info
                    .serve((guarded, pipes.stdin))
                    .await
                    .map_err(|e| format!("did not answer as an MCP server: {e}"))?;
                Ok((client, Some(notes)))
            }
            (None, Some(url)) => {
                let mut transport_config =
                    rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig::with_uri(
                        url.as_str(),
                    )
                    .max_sse_event_size(MESSAGE_CAP);
                transport_config.max_json_response_size = MESSAGE_CAP;
                let transport =
                    rmcp::transport::StreamableHttpClientTransport::from_config(transport_config);
                let client = info
                    .serve(transport)
                    .await
                    .map_err(|e| format!("{url} did not answer as an MCP server: {e}"))?;
                Ok((client, None))
            }
            _ => Err("give it either command (stdio) or url (streamable HTTP)".to_string()),
        }
    };
    let outcome = tokio::time::timeout(START_TIMEOUT, async {
        let (client, notes) = started.await?;
        let tools = list_tools(&client).await?;
        Ok::<_, String>((client, tools, notes))
    })
    .await
    .unwrap_or_else(|_| {
        Err(format!(
            "did not start and list its tools within {} s",
            START_TIMEOUT.as_secs()
        ))
    });
    if outcome.is_err()
        && let Some(reader) = reader
    {
        // What the server wrote before it failed says why: let it be read to the end (its
        // pipe closes as it exits), briefly.
        let _ = tokio::time::timeout(STDERR_WAIT, reader).await;
    }
    let (client, tools, notes) = outcome.map_err(|why| with_stderr(why, &stderr))?;
    let refused = notes.unwrap_or_default();
    // A message refused while it started and listed its tools: it is not used.
    if let Some(note) = refused.lock().ok().and_then(|n| n.last().cloned()) {
        return Err(format!("{note}; it is not used"));
    }
    let server = Arc::new(McpServer {
        name: name.to_string(),
        client,
        stderr,
        refused,
        process: server_process,
    });
    Ok(offered(&server, tools))
}

/// The server's tools, as offered.
fn offered(server: &Arc<McpServer>, tools: Vec<rmcp::model::Tool>) -> Vec<McpTool> {
    tools
        .into_iter()
        .map(|tool| {
            let mut schema = (*tool.input_schema).clone();
            // Every model takes an object schema only.
            schema.insert("type".to_string(), Value::String("object".to_string()));
            McpTool {
                server: server.clone(),
                remote: tool.name.to_string(),
                spec: ToolSpec {
                    name: tool.name.to_string(),
                    description: tool.description.map(|d| d.to_string()).unwrap_or_default(),
                    input_schema: Value::Object(schema),
                },
            }
        })
        .collect()
}

/// Lists a server's tools page by page, within [`MAX_PAGES`], [`MAX_TOOLS`] and
/// [`MAX_TOOL_BYTES`]; a page that gives the cursor of one before ends the listing as an error
/// (it would go round forever).
async fn list_tools(client: &Client) -> Result<Vec<rmcp::model::Tool>, String> {
    let mut tools = Vec::new();
    let mut bytes = 0usize;
    let mut cursor: Option<String> = None;
    let mut cursors = std::collections::HashSet::new();
    for _ in 0..MAX_PAGES {
        let params = cursor
            .take()
            .map(|c| PaginatedRequestParams::default().with_cursor(Some(c)));
        let page = client
            .list_tools(params)
            .await
            .map_err(|e| format!("cannot list its tools: {e}"))?;
        for tool in page.tools {
            bytes += tool.name.len()
                + tool.description.as_ref().map_or(0, |d| d.len())
                + serde_json::to_string(&*tool.input_schema).map_or(0, |s| s.len());
            if tools.len() >= MAX_TOOLS {
                return Err(format!(
                    "it lists more than {MAX_TOOLS} tools, the most one server may offer"
                ));
            }
            if bytes > MAX_TOOL_BYTES {
                return Err(format!(
                    "its tools' definitions are larger than {}, the most one server may offer",
                    crate::files::human_size(MAX_TOOL_BYTES as u64)
                ));
            }
            tools.push(tool);
        }
        match page.next_cursor {
            None => return Ok(tools),
            Some(next) => {
                if !cursors.insert(next.clone()) {
                    return Err(
                        "its listing of tools goes round: a page names a page before".to_string(),
                    );
                }
                cursor = Some(next);
            }
        }
    }
    Err(format!(
        "its listing of tools takes more than {MAX_PAGES} pages, the most one server may take"
    ))
}

impl McpTool {
    /// Calls the tool: its text, or why it failed.
    pub async fn call(&self, arguments: &Value) -> Result<String, String> {
        let mut params = CallToolRequestParams::new(self.remote.clone());
        params.arguments = arguments.as_object().cloned();
        let refused_before = self.server.refused.lock().map_or(0, |n| n.len());
        let result = self.server.client.call_tool(params).await.map_err(|e| {
            let refused = self
                .server
                .refused
                .lock()
                .ok()
                .filter(|n| n.len() > refused_before)
                .and_then(|n| n.last().cloned());
            match refused {
                Some(note) => format!("the MCP server {}: {note}", self.server.name),
                None => with_stderr(
                    format!("the MCP server {} failed: {e}", self.server.name),
                    &self.server.stderr,
                ),
            }
        })?;
        let content = serde_json::to_value(&result.content).unwrap_or(Value::Null);
        let mut text = content_text(&content);
        if text.is_empty()
            && let Some(structured) = &result.structured_content
        {
            text = structured.to_string();
        }
        if result.is_error == Some(true) {
            Err(text)
        } else {
            Ok(text)
        }
    }
}

/// A result's content as text: text blocks as they are, other blocks named.
fn content_text(content: &Value) -> String {
    let Some(blocks) = content.as_array() else {
        return String::new();
    };
    blocks
        .iter()
        .map(|block| {
            let field = |name: &str| block.get(name).and_then(Value::as_str).unwrap_or("");
            match field("type") {
                "text" => field("text").to_string(),
                "image" | "audio" => {
                    // Data the guard cut says its whole size in its note.
                    let data = field("data");
                    let size = data
                        .rfind("\n[cut: ")
                        .and_then(|at| data[at + 7..].split(" in all").next())
                        .map_or_else(
                            || crate::files::human_size(data.len() as u64),
                            str::to_string,
                        );
                    format!(
                        "[{} {}, {size} of base64 not shown]",
                        field("type"),
                        field("mimeType"),
                    )
                }
                "resource" => block
                    .pointer("/resource/text")
                    .and_then(Value::as_str)
                    .map_or_else(
                        || {
                            format!(
                                "[resource {}]",
                                block
                                    .pointer("/resource/uri")
                                    .and_then(Value::as_str)
                                    .unwrap_or("")
                            )
                        },
                        str::to_string,
                    ),
                "resource_link" => format!("[resource {}]", field("uri")),
                other => format!("[{other} content]"),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn command_text(config: &McpServerConfig) -> String {
    let mut words = vec![config.command.clone().unwrap_or_default()];
    words.extend(config.args.iter().cloned());
    words.join(" ")
}

/// Keeps the last [`STDERR_TAIL`] bytes a server writes to standard error.
async fn keep_tail(mut pipe: tokio::process::ChildStderr, tail: Arc<std::sync::Mutex<String>>) {
    let mut buffer = vec![0u8; 4096];
    while let Ok(n) = pipe.read(&mut buffer).await {
        if n == 0 {
            break;
        }
        if let Ok(mut kept) = tail.lock() {
            kept.push_str(&String::from_utf8_lossy(&buffer[..n]));
            if kept.len() > STDERR_TAIL {
                let mut cut = kept.len() - STDERR_TAIL;
                while !kept.is_char_boundary(cut) {
                    cut += 1;
                }
                kept.drain(..cut);
            }
        }
    }
}

/// A failure with the last line the server wrote to standard error, when it wrote one.
fn with_stderr(why: String, tail: &std::sync::Mutex<String>) -> String {
    let last = tail.lock().ok().and_then(|t| {
        t.lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(str::to_string)
    });
    match last {
        Some(line) => format!(
            "{why} (it said: {})",
            crate::text::sanitize_for_terminal(line.trim())
        ),
        None => why,
    }
}
