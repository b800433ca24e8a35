//! `[tools]` in config.toml: which built-in tools are offered to models, which run without
//! asking, and the limits of a tool turn.

use super::ConfigError;
use serde::{Deserialize, Serialize};

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
