//! `[tools]` in config.toml: which built-in tools are offered to models, which run without
//! asking, and the limits of a tool turn.

use super::ConfigError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The built-in tools, by name.
pub const BUILTIN_TOOLS: &[&str] = &["read_file", "list_directory", "run_shell"];

/// Tools that ask every time, whatever `allow` says.
pub const ALWAYS_ASK: &[&str] = &["run_shell"];

/// `[tools]`: every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolsConfig {
    /// Built-in tools offered to models (none unless named): `read_file`, `list_directory`,
    /// `run_shell`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub builtin: Vec<String>,
    /// Tools that run without asking, named by source: a built-in by its name (`read_file`;
    /// `run_shell` always asks), an MCP server's as `mcp.SERVER.TOOL` (`mcp.SERVER.*` for all
    /// of them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<String>,
    /// Tool calls one prompt may lead to before the turn is stopped (default 10).
    pub max_calls_per_turn: Option<u32>,
    /// Seconds a tool call may take (default 60).
    pub timeout_secs: Option<u64>,
}

impl ToolsConfig {
    /// Known names and limits in range; errors name the setting. `servers` are the MCP servers
    /// configured, which `allow` may name.
    pub(crate) fn check(
        &self,
        servers: &BTreeMap<String, McpServerConfig>,
    ) -> Result<(), ConfigError> {
        for name in &self.builtin {
            if !BUILTIN_TOOLS.contains(&name.as_str()) {
                return Err(ConfigError(format!(
                    "tools.builtin: no built-in tool {name:?}{} (there are {})",
                    did_you_mean(name),
                    BUILTIN_TOOLS.join(", ")
                )));
            }
        }
        for name in &self.allow {
            if ALWAYS_ASK.contains(&name.as_str()) {
                return Err(ConfigError(format!(
                    "tools.allow: {name} always asks before it runs; it cannot be allowed"
                )));
            }
            let entry =
                AllowEntry::parse(name).map_err(|e| ConfigError(format!("tools.allow: {e}")))?;
            if let AllowEntry::Mcp { server, .. } = entry
                && !servers.contains_key(server)
            {
                return Err(ConfigError(format!(
                    "tools.allow: {name:?} names the MCP server {server}, which config.toml does not define ([mcp.{server}])"
                )));
            }
        }
        if let Some(n) = self.max_calls_per_turn
            && !(1..=1000).contains(&n)
        {
            return Err(ConfigError(format!(
                "tools.max_calls_per_turn = {n}: a whole number from 1 to 1000"
            )));
        }
        if let Some(s) = self.timeout_secs
            && !(1..=86_400).contains(&s)
        {
            return Err(ConfigError(format!(
                "tools.timeout_secs = {s}: a whole number of seconds from 1 to 86400"
            )));
        }
        Ok(())
    }
}

/// What an entry of `allow` (or of `--allow-tool`) names: a tool by its source, so that an MCP
/// server's tool never runs unasked because a built-in of the same name is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllowEntry<'a> {
    /// A built-in tool, by its name.
    Builtin(&'a str),
    /// An MCP server's tool (`mcp.SERVER.TOOL`), or all of its tools (`mcp.SERVER.*`).
    Mcp {
        /// The server's name in config.toml.
        server: &'a str,
        /// The tool's name on the server; `None` for all.
        tool: Option<&'a str>,
    },
}

impl<'a> AllowEntry<'a> {
    /// Reads an entry; the error says what is wrong and what was likely meant.
    pub fn parse(entry: &'a str) -> Result<AllowEntry<'a>, String> {
        if let Some(rest) = entry.strip_prefix("mcp.") {
            let (server, tool) = rest.split_once('.').ok_or_else(|| {
                format!("{entry:?}: an MCP server's tool is named mcp.SERVER.TOOL (or mcp.SERVER.* for all)")
            })?;
            if server.is_empty() || tool.is_empty() || tool.chars().any(char::is_whitespace) {
                return Err(format!(
                    "{entry:?}: an MCP server's tool is named mcp.SERVER.TOOL (or mcp.SERVER.* for all)"
                ));
            }
            return Ok(AllowEntry::Mcp {
                server,
                tool: (tool != "*").then_some(tool),
            });
        }
        if BUILTIN_TOOLS.contains(&entry) {
            return Ok(AllowEntry::Builtin(entry));
        }
        Err(format!(
            "no built-in tool {entry:?}{}; built-ins are {}, and an MCP server's tool is named mcp.SERVER.TOOL",
            did_you_mean(entry),
            BUILTIN_TOOLS.join(", ")
        ))
    }

    /// Whether it names the tool `remote` of the MCP server `of` (`None`: a built-in).
    pub fn names(&self, of: Option<&str>, remote: &str) -> bool {
        match (self, of) {
            (AllowEntry::Builtin(name), None) => *name == remote,
            (AllowEntry::Mcp { server, tool }, Some(of)) => {
                *server == of && tool.is_none_or(|t| t == remote)
            }
            _ => false,
        }
    }
}

/// ` (did you mean read_file?)` when `name` is a built-in's name but for case or spaces.
fn did_you_mean(name: &str) -> String {
    let plain = name.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    BUILTIN_TOOLS
        .iter()
        .find(|b| **b == plain)
        .map(|b| format!(" (did you mean {b}?)"))
        .unwrap_or_default()
}

/// `[mcp.NAME]`: an MCP server whose tools are offered to models, started as a command that
/// speaks MCP on its standard input and output, or reached at a streamable-HTTP URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct McpServerConfig {
    /// The program to start (stdio).
    pub command: Option<String>,
    /// Its arguments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Environment variables set for it (AWS secrets are never passed on).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// The server's streamable-HTTP endpoint (`https://…/mcp`).
    pub url: Option<String>,
}

/// Names, and one way to reach each server; errors name the setting.
pub(crate) fn check_servers(
    servers: &BTreeMap<String, McpServerConfig>,
) -> Result<(), ConfigError> {
    for (name, server) in servers {
        let ok_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !ok_name {
            return Err(ConfigError(format!(
                "mcp.{name}: a server's name is letters, digits, _ and -"
            )));
        }
        match (&server.command, &server.url) {
            (Some(command), None) if !command.trim().is_empty() => {}
            (None, Some(url)) if url.starts_with("https://") || url.starts_with("http://") => {}
            (None, Some(url)) => {
                return Err(ConfigError(format!(
                    "mcp.{name}.url = {url:?}: an http:// or https:// URL"
                )));
            }
            _ => {
                return Err(ConfigError(format!(
                    "mcp.{name}: give it either command (a program speaking MCP on stdio) or url (streamable HTTP)"
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_limits_are_checked() {
        let ok = ToolsConfig {
            builtin: vec!["read_file".into(), "run_shell".into()],
            allow: vec![
                "read_file".into(),
                "mcp.calc.add".into(),
                "mcp.calc.*".into(),
            ],
            ..ToolsConfig::default()
        };
        let servers: BTreeMap<String, McpServerConfig> =
            [("calc".to_string(), McpServerConfig::default())].into();
        assert!(ok.check(&servers).is_ok());
        for bad in [
            ToolsConfig {
                builtin: vec!["rm_rf".into()],
                ..ToolsConfig::default()
            },
            ToolsConfig {
                allow: vec!["run_shell".into()],
                ..ToolsConfig::default()
            },
            ToolsConfig {
                max_calls_per_turn: Some(0),
                ..ToolsConfig::default()
            },
            ToolsConfig {
                timeout_secs: Some(0),
                ..ToolsConfig::default()
            },
            ToolsConfig {
                allow: vec!["mcp.other.add".into()],
                ..ToolsConfig::default()
            },
            ToolsConfig {
                allow: vec!["add".into()],
                ..ToolsConfig::default()
            },
        ] {
            assert!(bad.check(&servers).is_err(), "{bad:?}");
        }
        for (name, said) in [
            ("RUN_SHELL", "did you mean run_shell?"),
            ("read_file ", "did you mean read_file?"),
            ("mcp.calc", "mcp.SERVER.TOOL"),
        ] {
            let config = ToolsConfig {
                allow: vec![name.into()],
                ..ToolsConfig::default()
            };
            let why = config.check(&servers).unwrap_err().0;
            assert!(why.contains(said), "{name}: {why}");
        }
        let entry = AllowEntry::parse("mcp.calc.*").unwrap();
        assert!(entry.names(Some("calc"), "add"));
        assert!(!entry.names(None, "add"));
        assert!(
            !AllowEntry::parse("read_file")
                .unwrap()
                .names(Some("calc"), "read_file")
        );
    }
}
