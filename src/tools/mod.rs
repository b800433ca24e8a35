//! Tools bedrock-tui runs for a model: the toolbox of tools offered (the built-ins config.toml
//! turns on), which run without asking, and the running of one call within its time limit,
//! its result cut to a size a model can take. The chat asks before a call; `ask` runs only the
//! allowed ones.

mod builtin;
pub mod mcp;
mod private;
mod shell;
pub mod shown;

use crate::config::tool_config::{ALWAYS_ASK, AllowEntry, ToolsConfig};
use crate::models::tool_use::{ToolCall, ToolResult, ToolSpec};
use std::time::{Duration, Instant};

/// Tool calls one prompt may lead to, when config.toml sets none.
pub const DEFAULT_MAX_CALLS: u32 = 10;
/// Seconds a call may take, when config.toml sets none.
pub const DEFAULT_TIMEOUT_SECS: u64 = 60;
/// The most of a result given back to the model (the rest is cut, and that is said).
pub const RESULT_CAP: usize = 64 * 1024;

/// Whether a call may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    /// Allowed in config.toml (or for the rest of the session): it runs.
    Allowed,
    /// The user is asked first.
    Ask,
    /// No tool of this name was offered.
    Unknown,
}

/// A call that was handled: its result, how long it took, and whether it ran at all (denied
/// or refused calls did not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    /// What goes back to the model.
    pub result: ToolResult,
    /// How long it took.
    pub elapsed: Duration,
    /// It ran (else it was denied, cancelled or named no tool).
    pub ran: bool,
}

impl Ran {
    /// A call of a tool that is not offered.
    pub fn unknown(call: &ToolCall) -> Ran {
        Ran::refused(call, &unknown_tool(&call.name))
    }

    /// A call that did not run, with the reason the model is given.
    pub fn refused(call: &ToolCall, why: &str) -> Ran {
        Ran {
            result: refused(call, why),
            elapsed: Duration::ZERO,
            ran: false,
        }
    }

    /// One line for people: `read_file {"path":"x"} → 1.2 KiB in 3 ms`, or why it did not run.
    pub fn summary(&self) -> String {
        let what = crate::models::tool_use::summary(&self.result.name, &self.result.input);
        let first = crate::text::cut_chars(
            &crate::text::sanitize_for_terminal(self.result.content.lines().next().unwrap_or("")),
            crate::models::tool_use::SUMMARY_CAP,
        );
        let millis = self.elapsed.as_millis();
        if !self.ran {
            format!("{what} · {first}")
        } else if self.result.is_error {
            format!("{what} → failed: {first} ({millis} ms)")
        } else {
            format!(
                "{what} → {} in {millis} ms",
                crate::files::human_size(self.result.content.len() as u64)
            )
        }
    }
}

/// The tools offered to models, with what may run unasked.
#[derive(Debug, Clone, PartialEq)]
pub struct Toolbox {
    builtins: Vec<&'static builtin::Builtin>,
    /// The tools of MCP servers, as offered.
    mcp: Vec<mcp::McpTool>,
    /// Tools withdrawn because their server stopped, with that server, until it is back.
    withdrawn: Vec<(String, String)>,
    /// What runs unasked, as read once from `allow` (and added to by "always").
    allowed: Vec<Allowed>,
    /// Allowed by the user for this run, even if they otherwise always ask.
    explicit: Vec<Allowed>,
    max_calls: u32,
    timeout: Duration,
}

/// An entry of `allow`, read once: a built-in by its name, or an MCP server's tool by its
/// name on the server (any name it has, spaces and dots too), or all of a server's tools.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Allowed {
    Builtin(String),
    Mcp {
        server: String,
        tool: Option<String>,
    },
}

impl Allowed {
    /// A checked entry of config.toml or `--allow-tool` (one that does not read names nothing).
    fn read(entry: &str) -> Option<Allowed> {
        Some(match AllowEntry::parse(entry).ok()? {
            AllowEntry::Builtin(name) => Allowed::Builtin(name.to_string()),
            AllowEntry::Mcp { server, tool } => Allowed::Mcp {
                server: server.to_string(),
                tool: tool.map(str::to_string),
            },
        })
    }

    /// Whether it names the tool `remote` of the MCP server `of` (`None`: a built-in), by
    /// config's own rule.
    fn names(&self, of: Option<&str>, remote: &str) -> bool {
        let entry = match self {
            Allowed::Builtin(name) => AllowEntry::Builtin(name),
            Allowed::Mcp { server, tool } => AllowEntry::Mcp {
                server,
                tool: tool.as_deref(),
            },
        };
        entry.names(of, remote)
    }
}

impl Default for Toolbox {
    /// No tools, with the default limits.
    fn default() -> Self {
        Toolbox::from_config(&ToolsConfig::default())
    }
}

impl Toolbox {
    /// The toolbox config.toml describes (a checked config: names are known).
    pub fn from_config(config: &ToolsConfig) -> Toolbox {
        Toolbox {
            builtins: config
                .builtin
                .iter()
                .filter_map(|name| builtin::find(name))
                .collect(),
            mcp: Vec::new(),
            withdrawn: Vec::new(),
            allowed: config
                .allow
                .iter()
                .filter_map(|entry| Allowed::read(entry))
                .collect(),
            explicit: Vec::new(),
            max_calls: config.max_calls_per_turn.unwrap_or(DEFAULT_MAX_CALLS),
            timeout: Duration::from_secs(config.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS)),
        }
    }

    /// No tool is offered.
    pub fn is_empty(&self) -> bool {
        self.builtins.is_empty() && self.mcp.is_empty()
    }

    /// The definitions offered to the model.
    pub fn specs(&self) -> Vec<ToolSpec> {
        self.builtins
            .iter()
            .map(|b| b.spec())
            .chain(self.mcp.iter().map(|t| t.spec.clone()))
            .collect()
    }

    /// Where a tool offered comes from: `built-in` or `MCP server NAME`.
    pub fn source(&self, name: &str) -> Option<String> {
        if self.builtin(name).is_some() {
            return Some("built-in".to_string());
        }
        self.mcp_tool(name)
            .map(|t| format!("MCP server {}", t.server.name))
    }

    /// The name `allow` gives the tool offered as `name`: the built-in's own, or
    /// `mcp.SERVER.TOOL` with the tool's name on its server.
    pub fn allow_name(&self, name: &str) -> Option<String> {
        if self.builtin(name).is_some() {
            return Some(name.to_string());
        }
        self.mcp_tool(name)
            .map(|t| format!("mcp.{}.{}", t.server.name, t.remote))
    }

    fn builtin(&self, name: &str) -> Option<&'static builtin::Builtin> {
        self.builtins.iter().copied().find(|b| b.name == name)
    }

    fn mcp_tool(&self, name: &str) -> Option<&mcp::McpTool> {
        self.mcp.iter().find(|t| t.spec.name == name)
    }

    /// Offers an MCP server's tools under names every model takes (letters, digits, `_` and
    /// `-`, at most 64): a name that is not one is made one, a name another tool has already is
    /// offered as `SERVER__NAME`, and a tool whose name leaves nothing is not offered. Returns
    /// a note for each tool renamed or left out.
    pub fn add_mcp(&mut self, tools: Vec<mcp::McpTool>) -> Vec<String> {
        let mut notes = Vec::new();
        self.withdrawn
            .retain(|(_, server)| !tools.iter().any(|t| t.server.name == *server));
        // Tools whose names are fine keep them; those made fine give way on a clash.
        let (fine, odd): (Vec<_>, Vec<_>) = tools
            .into_iter()
            .partition(|t| offered_name(&t.remote) == t.remote);
        for mut tool in fine.into_iter().chain(odd) {
            let server = tool.server.name.clone();
            let shown = crate::text::sanitize_for_terminal(&tool.remote)
                .chars()
                .take(80)
                .collect::<String>();
            let base = offered_name(&tool.remote);
            if base.is_empty() {
                notes.push(format!(
                    "the MCP server {server}'s tool {shown:?} is not offered: its name has no letter or digit a model takes"
                ));
                continue;
            }
            let mut name = base.clone();
            if self.source(&name).is_some() {
                let prefixed = offered_name(&format!("{server}__{base}"));
                name.clone_from(&prefixed);
                let mut n = 2;
                while self.source(&name).is_some() {
                    let suffix = format!("_{n}");
                    let kept: String = prefixed
                        .chars()
                        .take(MAX_TOOL_NAME - suffix.len())
                        .collect();
                    name = format!("{kept}{suffix}");
                    n += 1;
                }
            }
            if name != tool.remote {
                notes.push(format!(
                    "the MCP server {server}'s tool {shown} is offered as {name} ({})",
                    if offered_name(&tool.remote) == tool.remote {
                        "another tool has its name"
                    } else {
                        "models take only letters, digits, _ and - in a tool's name, at most 64"
                    }
                ));
            }
            tool.spec.name = name;
            self.mcp.push(tool);
        }
        notes
    }

    /// The MCP servers whose tools are offered, with how many, in the order they came.
    pub fn servers(&self) -> Vec<(String, usize)> {
        let mut servers: Vec<(String, usize)> = Vec::new();
        for tool in &self.mcp {
            match servers
                .iter_mut()
                .find(|(name, _)| *name == tool.server.name)
            {
                Some((_, count)) => *count += 1,
                None => servers.push((tool.server.name.clone(), 1)),
            }
        }
        servers
    }

    /// The servers that are gone (their process exited, their connection closed).
    pub fn gone_servers(&self) -> Vec<String> {
        let mut gone: Vec<String> = Vec::new();
        for tool in &self.mcp {
            if !gone.contains(&tool.server.name) && tool.server.is_gone() {
                gone.push(tool.server.name.clone());
            }
        }
        gone
    }

    /// Stops offering the tools of MCP server `name`; the names they were offered under.
    pub fn withdraw(&mut self, name: &str) -> Vec<String> {
        let (gone, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.mcp)
            .into_iter()
            .partition(|t| t.server.name == name);
        self.mcp = kept;
        let names: Vec<String> = gone.into_iter().map(|t| t.spec.name).collect();
        self.withdrawn
            .extend(names.iter().map(|tool| (tool.clone(), name.to_string())));
        names
    }

    /// The server of `tool` when it was withdrawn because that server stopped (and is not
    /// back): a call to it is answered with that, not as a call to a tool never offered.
    pub fn withdrawn_from(&self, tool: &str) -> Option<&str> {
        self.withdrawn
            .iter()
            .rev()
            .find(|(name, _)| name == tool)
            .map(|(_, server)| server.as_str())
    }

    /// Tool calls one prompt may lead to.
    pub fn max_calls(&self) -> u32 {
        self.max_calls
    }

    /// Whether a call to `name` runs unasked, is asked about, or names no tool offered. An
    /// entry of `allow` names a tool by its source, so an MCP server's `read_file` is not
    /// allowed by a `read_file` that means the built-in.
    pub fn approval(&self, name: &str) -> Approval {
        let source = if self.builtin(name).is_some() {
            None
        } else if let Some(tool) = self.mcp_tool(name) {
            Some((tool.server.name.as_str(), tool.remote.as_str()))
        } else {
            return Approval::Unknown;
        };
        let (server, remote) = source.map_or((None, name), |(s, r)| (Some(s), r));
        let names = |entries: &[Allowed]| entries.iter().any(|entry| entry.names(server, remote));
        let always_asks = server.is_none() && ALWAYS_ASK.contains(&name);
        if names(&self.explicit) || (names(&self.allowed) && !always_asks) {
            Approval::Allowed
        } else {
            Approval::Ask
        }
    }

    /// Offers the built-in `name` too (false when there is none of that name).
    pub fn offer(&mut self, name: &str) -> bool {
        let Some(tool) = builtin::find(name) else {
            return false;
        };
        if !self.builtins.iter().any(|b| b.name == name) {
            self.builtins.push(tool);
        }
        true
    }

    /// Lets the tools `entry` names (a built-in's name, `mcp.SERVER.TOOL`) run unasked, even a
    /// tool that otherwise always asks: the user said so for this run (`ask --allow-tool`).
    pub fn allow_explicitly(&mut self, entry: &str) {
        let Some(entry) = Allowed::read(entry) else {
            return;
        };
        if !self.allowed.contains(&entry) {
            self.allowed.push(entry.clone());
        }
        self.explicit.push(entry);
    }

    /// Lets the tool offered as `name` run unasked for as long as this toolbox lives ("always
    /// for this tool"); false for the tools that always ask.
    pub fn allow(&mut self, name: &str) -> bool {
        if self.builtin(name).is_some() && ALWAYS_ASK.contains(&name) {
            return false;
        }
        let entry = if self.builtin(name).is_some() {
            Allowed::Builtin(name.to_string())
        } else if let Some(tool) = self.mcp_tool(name) {
            Allowed::Mcp {
                server: tool.server.name.clone(),
                tool: Some(tool.remote.clone()),
            }
        } else {
            return false;
        };
        if !self.allowed.contains(&entry) {
            self.allowed.push(entry);
        }
        true
    }

    /// Runs a call (approval is the caller's business): a tool error, a timeout or an unknown
    /// tool comes back as an error result for the model.
    pub async fn run(&self, call: &ToolCall) -> Ran {
        let started = Instant::now();
        let arguments = call.arguments();
        let running = async {
            if let Some(tool) = self.builtins.iter().find(|b| b.name == call.name) {
                tool.run(&arguments).await
            } else if let Some(tool) = self.mcp.iter().find(|t| t.spec.name == call.name) {
                tool.call(&arguments).await
            } else {
                Err(unknown_tool(&call.name))
            }
        };
        let outcome = match tokio::time::timeout(self.timeout, Box::pin(running)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(format!(
                "the call did not finish within {} s and was stopped",
                self.timeout.as_secs()
            )),
        };
        // Secrets never go on: a file or an environment the tool read may hold them.
        let safe = |text: String| cut(crate::bedrock::scrub::scrub_tool_output(&text).into_owned());
        let (content, is_error) = match outcome {
            Ok(text) => (safe(text), false),
            Err(why) => (safe(why), true),
        };
        Ran {
            result: ToolResult {
                id: call.id.clone(),
                name: call.name.clone(),
                input: call.input.clone(),
                content,
                is_error,
            },
            elapsed: started.elapsed(),
            ran: true,
        }
    }
}

/// An answer that called tools, as it goes back: its text, reasoning and signed thinking.
#[derive(Debug, Clone, Default)]
pub struct Answered {
    /// Its text.
    pub text: String,
    /// Its reasoning.
    pub reasoning: String,
    /// Its thinking's signature and redacted blocks.
    pub signed: crate::models::tool_use::SignedThinking,
}

impl Answered {
    /// What an exchange's outcome answered.
    pub fn of(outcome: &crate::exchange::Outcome) -> Answered {
        Answered {
            text: outcome.text.clone(),
            reasoning: outcome.reasoning.clone(),
            signed: outcome.figures.signed.clone(),
        }
    }
}

/// Adds a round of tool use to a conversation: the answer with its calls, then a prompt of
/// their results.
pub fn append_round(
    conversation: &mut crate::models::Conversation,
    answer: Answered,
    calls: Vec<ToolCall>,
    results: Vec<ToolResult>,
) {
    use crate::models::{Role, Turn};
    let mut turn = Turn::new(Role::Assistant, answer.text);
    if !answer.signed.is_empty() {
        turn.thinking = Some((answer.reasoning, answer.signed));
    }
    turn.tool_calls = calls;
    let mut given = Turn::new(Role::User, "");
    given.tool_results = results;
    conversation.turns.push(turn);
    conversation.turns.push(given);
}

/// The longest tool name models take.
const MAX_TOOL_NAME: usize = 64;

/// `name` as a name every model takes: a name of ASCII letters, digits, `_` and `-`, at most
/// [`MAX_TOOL_NAME`] long, as it is; another has each run of other characters made one `_`
/// and is cut to the length. Empty when it has no letter or digit at all.
fn offered_name(name: &str) -> String {
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if !name.is_empty() && name.len() <= MAX_TOOL_NAME && name.chars().all(allowed) {
        return name.to_string();
    }
    let mut out = String::new();
    for c in name.chars() {
        if allowed(c) {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out: String = out.trim_matches('_').chars().take(MAX_TOOL_NAME).collect();
    if out.chars().any(|c| c.is_ascii_alphanumeric()) {
        out
    } else {
        String::new()
    }
}

/// The result of a call that did not run, for the model.
pub fn refused(call: &ToolCall, why: &str) -> ToolResult {
    ToolResult {
        id: call.id.clone(),
        name: call.name.clone(),
        input: call.input.clone(),
        content: why.to_string(),
        is_error: true,
    }
}

/// What the model is told of a call to a tool that is not offered.
fn unknown_tool(name: &str) -> String {
    format!("there is no tool named {name:?}")
}

/// Text cut to [`RESULT_CAP`] bytes on a character boundary, with the cut said.
fn cut(text: String) -> String {
    if text.len() <= RESULT_CAP {
        return text;
    }
    let mut end = RESULT_CAP;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}\n[cut: {} in all, the first {} shown]",
        &text[..end],
        crate::files::human_size(text.len() as u64),
        crate::files::human_size(end as u64)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toolbox(builtin: &[&str], allow: &[&str]) -> Toolbox {
        Toolbox::from_config(&ToolsConfig {
            builtin: builtin.iter().map(ToString::to_string).collect(),
            allow: allow.iter().map(ToString::to_string).collect(),
            timeout_secs: Some(1),
            ..ToolsConfig::default()
        })
    }

    #[test]
    fn approval_follows_the_config_and_the_shell_always_asks() {
        let mut tools = toolbox(&["read_file", "run_shell"], &["read_file"]);
        assert_eq!(tools.approval("read_file"), Approval::Allowed);
        assert_eq!(tools.approval("run_shell"), Approval::Ask);
        assert_eq!(tools.approval("list_directory"), Approval::Unknown);
        assert!(!tools.allow("run_shell"));
        assert_eq!(tools.approval("run_shell"), Approval::Ask);
        assert_eq!(tools.specs().len(), 2);
    }

    #[tokio::test]
    async fn errors_and_timeouts_come_back_as_error_results() {
        let tools = toolbox(&["read_file", "run_shell"], &[]);
        let call = |name: &str, input: &str| ToolCall {
            id: "t1".into(),
            name: name.into(),
            input: input.into(),
            index: 0,
        };
        let ran = tools
            .run(&call("read_file", r#"{"path":"/no/such/file"}"#))
            .await;
        assert!(ran.result.is_error, "{ran:?}");
        let ran = tools.run(&call("nothing", "{}")).await;
        assert!(ran.result.is_error);
        let ran = tools
            .run(&call("run_shell", r#"{"command":"sleep 5"}"#))
            .await;
        assert!(ran.result.is_error);
        assert!(ran.result.content.contains("within 1 s"), "{ran:?}");
        assert!(ran.elapsed < Duration::from_secs(4));
        let long = cut("é".repeat(RESULT_CAP));
        assert!(long.len() < RESULT_CAP + 100 && long.contains("[cut:"));
    }
}
