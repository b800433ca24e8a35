//! MCP servers and the tools list in the chat: `/mcp` (each server and how it is), `/mcp
//! restart NAME`, `/tools`, a server that became ready or failed to start, and the tools of a
//! server that stopped withdrawn (said once).

use super::Effect;
use super::state::{Speaker, State};
use crate::tools::Approval;

/// Withdraws the tools of MCP servers that stopped, saying so once per server (the toolbox
/// remembers which server each withdrawn tool was of).
pub(crate) fn withdraw_gone(state: &mut State) {
    for server in state.tools.toolbox.gone_servers() {
        state.tools.toolbox.withdraw(&server);
        if !state.tools.mcp_stopped.contains(&server) {
            state.tools.mcp_stopped.push(server.clone());
        }
        state.push(
            Speaker::Notice,
            format!(
                "The MCP server {server} has stopped: its tools are withdrawn and no longer offered. /mcp restart {server} starts it again."
            ),
        );
    }
}

/// `/mcp`: the servers config.toml defines and how each is; `/mcp restart NAME` starts one
/// again (its tools withdrawn meanwhile).
pub(crate) fn command(state: &mut State, args: &str) -> Vec<Effect> {
    withdraw_gone(state);
    let words: Vec<&str> = args.split_whitespace().collect();
    match words.as_slice() {
        [] => {
            state.set_draft("");
            let offered = state.tools.toolbox.servers();
            let mut lines = vec!["MCP servers (config.toml's [mcp.NAME]):".to_string()];
            if state.tools.mcp_servers.is_empty() {
                lines = vec![
                    "No MCP servers: add [mcp.NAME] with command or url to config.toml."
                        .to_string(),
                ];
            }
            for name in state.tools.mcp_servers.keys() {
                let status = if let Some((_, count)) = offered.iter().find(|(n, _)| n == name) {
                    format!(
                        "{} offered",
                        crate::text::count(*count as u64, "tool", "tools")
                    )
                } else if state.tools.mcp_starting.contains(name) {
                    "starting…".to_string()
                } else if state.tools.mcp_stopped.contains(name) {
                    format!("stopped (/mcp restart {name})")
                } else {
                    format!("not in use (it did not start; /mcp restart {name} tries again)")
                };
                lines.push(format!("  {name} · {status}"));
            }
            state.push(Speaker::Notice, lines.join("\n"));
            Vec::new()
        }
        ["restart", name] => {
            let Some(config) = state.tools.mcp_servers.get(*name).cloned() else {
                let known: Vec<&str> = state.tools.mcp_servers.keys().map(String::as_str).collect();
                state.flash(
                    format!(
                        "/mcp restart {name}: no MCP server of that name in config.toml ({})",
                        if known.is_empty() {
                            "there is none".to_string()
                        } else {
                            format!("there is {}", known.join(", "))
                        }
                    ),
                    true,
                );
                return Vec::new();
            };
            if state.tools.mcp_starting.iter().any(|n| n == name) {
                state.flash(format!("the MCP server {name} is starting already"), true);
                return Vec::new();
            }
            state.set_draft("");
            state.tools.toolbox.withdraw(name);
            state.tools.mcp_stopped.retain(|n| n != name);
            state.tools.mcp_starting.push((*name).to_string());
            state.flash(format!("starting the MCP server {name}…"), false);
            vec![Effect::StartMcp {
                name: (*name).to_string(),
                config: Box::new(config),
            }]
        }
        _ => {
            state.flash(
                "/mcp lists the MCP servers; /mcp restart NAME starts one again",
                true,
            );
            Vec::new()
        }
    }
}

/// `/tools`: the tools offered, where they come from and whether they ask.
pub(crate) fn list(state: &mut State) {
    let toolbox = &state.tools.toolbox;
    let mut lines = Vec::new();
    if toolbox.is_empty() {
        lines.push("No tools are offered to models. Turn built-ins on in config.toml: [tools] builtin = [\"read_file\", \"list_directory\", \"run_shell\"]; [mcp.NAME] adds an MCP server's; allow = [\"read_file\"] lets a tool run without asking.".to_string());
    } else {
        lines.push(format!(
            "Tools offered to models (at most {} calls per prompt):",
            toolbox.max_calls()
        ));
        for spec in toolbox.specs() {
            let asks = match toolbox.approval(&spec.name) {
                Approval::Allowed => "runs without asking",
                _ => "asks first",
            };
            let source = toolbox.source(&spec.name).unwrap_or_default();
            let allow = toolbox.allow_name(&spec.name).unwrap_or_default();
            lines.push(format!(
                "  {} · {source} · {asks} (allow = [\"{allow}\"])",
                spec.name
            ));
        }
    }
    for name in &state.tools.mcp_starting {
        lines.push(format!("  MCP server {name} · starting…"));
    }
    state.push(Speaker::Notice, lines.join("\n"));
}

/// An MCP server is ready (its tools are offered from now on) or failed (said, not fatal);
/// once none is starting, a prompt that waited for them is sent.
pub(crate) fn on_mcp(
    state: &mut State,
    name: &str,
    result: Result<Vec<crate::tools::mcp::McpTool>, String>,
) -> Vec<Effect> {
    state.tools.mcp_starting.retain(|n| n != name);
    match result {
        Ok(tools) => {
            let count = tools.len();
            let notes = state.tools.toolbox.add_mcp(tools);
            for note in notes {
                state.push(Speaker::Notice, format!("MCP: {note}."));
            }
            state.flash(
                format!(
                    "MCP server {name}: {} offered",
                    crate::text::count(count as u64, "tool", "tools")
                ),
                false,
            );
        }
        Err(why) => {
            state.push(
                Speaker::Notice,
                format!("The MCP server {name} is not used: {why}. Its tools are not offered."),
            );
        }
    }
    if state.tools.mcp_starting.is_empty()
        && state.requests.in_flight.is_none()
        && state.tools.tool_round.is_none()
    {
        return super::turns::send_queued(state, true);
    }
    Vec::new()
}
