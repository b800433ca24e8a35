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
    /// Tools that run without asking (`run_shell` always asks).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<String>,
    /// Tool calls one prompt may lead to before the turn is stopped (default 10).
    pub max_calls_per_turn: Option<u32>,
    /// Seconds a tool call may take (default 60).
    pub timeout_secs: Option<u64>,
}

impl ToolsConfig {
    /// Known names and limits in range; errors name the setting.
    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        for name in &self.builtin {
            if !BUILTIN_TOOLS.contains(&name.as_str()) {
                return Err(ConfigError(format!(
                    "tools.builtin: no built-in tool {name:?} (there are {})",
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
            allow: vec!["read_file".into()],
            ..ToolsConfig::default()
        };
        assert!(ok.check().is_ok());
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
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
        }
    }
}
