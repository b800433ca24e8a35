//! MCP servers as tool sources, through the official Rust SDK (`rmcp`): a server from
//! config.toml's `[mcp.NAME]` is started (a stdio command, without AWS secrets in its
//! environment) or reached (streamable HTTP), its tools are listed and offered to models, and a
//! call goes to it as `tools/call`; what it answers becomes the text given back. A server that
//! fails to start, or dies, is reported; its tools' calls come back as errors.

use crate::config::tools::McpServerConfig;
use crate::models::tools::ToolSpec;
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation};
use rmcp::service::{RoleClient, RunningService};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncReadExt;

/// How long a server may take to start and list its tools.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a failed server's last words are waited for.
const STDERR_WAIT: Duration = Duration::from_millis(500);
/// The most of a server's standard error kept, to say why it failed.
const STDERR_TAIL: usize = 4096;

/// A connected server.
pub struct McpServer {
    /// Its name in config.toml.
    pub name: String,
    client: RunningService<RoleClient, ClientConfig>,
    stderr: Arc<std::sync::Mutex<String>>,
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

/// Starts (or reaches) a server and lists its tools; the error says why it cannot be used.
pub async fn connect(name: &str, config: &McpServerConfig) -> Result<Vec<McpTool>, String> {
    let stderr = Arc::new(std::sync::Mutex::new(String::new()));
    let info = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("bedrock-tui", env!("CARGO_PKG_VERSION")),
    );
    let mut reader = None;
    let started = async {
        match (&config.command, &config.url) {
            (Some(command), None) => {
                let mut std_command = std::process::Command::new(command);
                std_command.args(&config.args);
                crate::child::without_secrets(&mut std_command);
                std_command.envs(&config.env);
                let command = tokio::process::Command::from(std_command);
                let (transport, err) = rmcp::transport::TokioChildProcess::builder(command)
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .map_err(|e| format!("cannot start {}: {e}", command_text(config)))?;
                if let Some(err) = err {
                    reader = Some(tokio::spawn(keep_tail(err, stderr.clone())));
                }
                info.serve(transport)
                    .await
                    .map_err(|e| format!("did not answer as an MCP server: {e}"))
            }
            (None, Some(url)) => {
                let transport =
                    rmcp::transport::StreamableHttpClientTransport::from_uri(url.as_str());
                info.serve(transport)
                    .await
                    .map_err(|e| format!("{url} did not answer as an MCP server: {e}"))
            }
            _ => Err("give it either command (stdio) or url (streamable HTTP)".to_string()),
        }
    };
    let outcome = tokio::time::timeout(START_TIMEOUT, async {
        let client = started.await?;
        let tools = client
            .list_all_tools()
            .await
            .map_err(|e| format!("cannot list its tools: {e}"))?;
        Ok::<_, String>((client, tools))
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
    let (client, tools) = outcome.map_err(|why| with_stderr(why, &stderr))?;
    let server = Arc::new(McpServer {
        name: name.to_string(),
        client,
        stderr,
    });
    Ok(tools
        .into_iter()
        .map(|tool| McpTool {
            server: server.clone(),
            remote: tool.name.to_string(),
            spec: ToolSpec {
                name: tool.name.to_string(),
                description: tool.description.map(|d| d.to_string()).unwrap_or_default(),
                input_schema: Value::Object((*tool.input_schema).clone()),
            },
        })
        .collect())
}

impl McpTool {
    /// Calls the tool: its text, or why it failed.
    pub async fn call(&self, arguments: &Value) -> Result<String, String> {
        let mut params = CallToolRequestParams::new(self.remote.clone());
        params.arguments = arguments.as_object().cloned();
        let result = self.server.client.call_tool(params).await.map_err(|e| {
            with_stderr(
                format!("the MCP server {} failed: {e}", self.server.name),
                &self.server.stderr,
            )
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
                "image" | "audio" => format!(
                    "[{} {}, {} of base64 not shown]",
                    field("type"),
                    field("mimeType"),
                    crate::files::human_size(field("data").len() as u64)
                ),
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
