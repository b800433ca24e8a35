//! `ask --tools`: the tool loop without a terminal. The tools config.toml turns on (and those
//! named by `--allow-tool`, a built-in by its name, an MCP server's as `mcp.SERVER.TOOL`) are
//! offered; after an answer that calls tools, the allowed calls
//! run, the others are refused (the model is told why), each is reported on stderr, and the
//! conversation goes on with the results until an answer calls none or the limit of calls is
//! reached.

use crate::cli::AskArgs;
use crate::config::Config;
use crate::config::tool_config::AllowEntry;
use crate::models::tool_use::{ToolCall, name_calls};
use crate::tools::{Approval, Ran, Toolbox};
use serde_json::{Value, json};

/// The tool loop's state across the rounds of one `ask`.
pub(super) struct ToolLoop {
    toolbox: Toolbox,
    calls: u32,
    /// Every call so far, in order.
    handled: Vec<Ran>,
}

/// What comes after an answer.
pub(super) enum Next {
    /// Go on: the answer's calls (ids given) and what became of each.
    Continue(Vec<ToolCall>, Vec<Ran>),
    /// The answer calls no tools: it is the last.
    Done,
    /// The calls would pass the limit: stop, saying so.
    Limit(String),
}

impl ToolLoop {
    /// The loop `--tools`, `--mcp` and `--allow-tool` ask for, if any: the MCP servers named
    /// are started (a server that fails is said and left out); an unknown tool or server name
    /// is an error.
    pub(super) async fn new(args: &AskArgs, config: &Config) -> Result<Option<ToolLoop>, String> {
        if !args.tools && args.allow_tool.is_empty() && args.mcp.is_empty() {
            return Ok(None);
        }
        let mut toolbox = if args.tools || !args.allow_tool.is_empty() {
            Toolbox::from_config(&config.tools)
        } else {
            Toolbox::from_config(&crate::config::tool_config::ToolsConfig {
                builtin: Vec::new(),
                ..config.tools.clone()
            })
        };
        for name in &args.mcp {
            if !config.mcp.contains_key(name) {
                let known: Vec<&str> = config.mcp.keys().map(String::as_str).collect();
                return Err(format!(
                    "--mcp {name}: no MCP server of that name in config.toml ({})",
                    if known.is_empty() {
                        "there is none: add [mcp.NAME] with command or url".to_string()
                    } else {
                        format!("there is {}", known.join(", "))
                    }
                ));
            }
        }
        let servers = config
            .mcp
            .iter()
            .filter(|(name, _)| args.tools || args.mcp.contains(name));
        for (name, server) in servers {
            match crate::tools::mcp::connect(name, server).await {
                Ok(tools) => {
                    for note in toolbox.add_mcp(tools) {
                        crate::cli::term::err_line(&format!("bedrock-tui: {note}"));
                    }
                }
                Err(why) => crate::cli::term::err_line(&format!(
                    "bedrock-tui: the MCP server {name} is left out: {why}"
                )),
            }
        }
        for name in &args.allow_tool {
            match AllowEntry::parse(name) {
                Ok(AllowEntry::Builtin(builtin)) => {
                    toolbox.offer(builtin);
                }
                Ok(AllowEntry::Mcp { server, .. }) if config.mcp.contains_key(server) => {}
                Ok(AllowEntry::Mcp { server, .. }) => {
                    return Err(format!(
                        "--allow-tool {name}: no MCP server {server} in config.toml ([mcp.{server}])"
                    ));
                }
                Err(why) => return Err(format!("--allow-tool {why}")),
            }
            toolbox.allow_explicitly(name);
        }
        if toolbox.is_empty() {
            return Err("--tools: no tools are turned on; name built-ins in config.toml ([tools] builtin = [\"read_file\"]), MCP servers ([mcp.NAME]), or use --allow-tool NAME".to_string());
        }
        Ok(Some(ToolLoop {
            toolbox,
            calls: 0,
            handled: Vec::new(),
        }))
    }

    /// The definitions to offer.
    pub(super) fn specs(&self) -> Vec<crate::models::tool_use::ToolSpec> {
        self.toolbox.specs()
    }

    /// Runs (or refuses) the calls of an answer, reporting each on stderr.
    pub(super) async fn answer(&mut self, calls: &[ToolCall]) -> Next {
        if calls.is_empty() {
            return Next::Done;
        }
        let limit = self.toolbox.max_calls();
        if self.calls + calls.len() as u32 > limit {
            return Next::Limit(format!(
                "stopped: the answer asks for {} more tool call(s), past the limit of {limit} for one prompt (tools.max_calls_per_turn)",
                calls.len()
            ));
        }
        self.calls += calls.len() as u32;
        let mut calls = calls.to_vec();
        name_calls(&mut calls);
        let mut runs = Vec::new();
        for call in &calls {
            let handled = match self.toolbox.approval(&call.name) {
                Approval::Allowed => self.toolbox.run(call).await,
                Approval::Ask => Ran::refused(
                    call,
                    "not run: bedrock-tui ask runs only the tools allowed in config.toml ([tools] allow) or with --allow-tool",
                ),
                Approval::Unknown => Ran::unknown(call),
            };
            crate::cli::term::err_line(&format!("bedrock-tui: ⚙ {}", handled.summary()));
            runs.push(handled.clone());
            self.handled.push(handled);
        }
        Next::Continue(calls, runs)
    }

    /// The calls for `--json`: each with its arguments, result and time.
    pub(super) fn json(&self) -> Value {
        self.handled
            .iter()
            .map(|h| {
                json!({
                    "id": h.result.id,
                    "name": h.result.name,
                    "input": serde_json::from_str::<Value>(&h.result.input).unwrap_or(Value::Null),
                    "ran": h.ran,
                    "is_error": h.result.is_error,
                    "result": h.result.content,
                    "ms": h.elapsed.as_millis(),
                })
            })
            .collect()
    }
}
