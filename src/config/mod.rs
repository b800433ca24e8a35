//! User configuration: the TOML config file (every field optional), themes, and the platform
//! directories they live in.

pub mod paths;
pub mod theme;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Inference parameters as written in the config file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParametersConfig {
    /// System prompt.
    pub system: Option<String>,
    /// Largest number of tokens to generate.
    pub max_tokens: Option<u32>,
    /// Sampling temperature.
    pub temperature: Option<f32>,
    /// Nucleus sampling.
    pub top_p: Option<f32>,
    /// Top-k sampling.
    pub top_k: Option<u32>,
    /// Stop sequences.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stop_sequences: Vec<String>,
    /// Reasoning budget in tokens.
    pub thinking: Option<u32>,
}

/// The config file. Every field is optional; what is absent takes its default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Model to start with (default: the catalog's default model).
    pub model: Option<String>,
    /// AWS region.
    pub region: Option<String>,
    /// AWS profile.
    pub profile: Option<String>,
    /// Bedrock Runtime endpoint.
    pub endpoint_url: Option<String>,
    /// Theme name or path.
    pub theme: Option<String>,
    /// Capture the mouse for wheel scrolling (default true; hold Shift to select text).
    pub mouse: Option<bool>,
    /// Answer from the built-in emulator, whatever AWS settings exist (as `--demo`).
    pub demo: Option<bool>,
    /// Pacing of the built-in emulator in tokens per second (default 60; 0 = unpaced).
    pub demo_tokens_per_second: Option<f64>,
    /// Save every conversation as a session in the data directory (default true).
    pub save_conversations: Option<bool>,
    /// Inference parameters.
    #[serde(default)]
    pub parameters: ParametersConfig,
    /// Key bindings per context, merged over the defaults: `[keys.chat] "ctrl+p" = "open_model_picker"`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub keys: BTreeMap<String, BTreeMap<String, String>>,
}

/// A config file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl Config {
    /// Parses config text; the error names the line and column.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError(describe_toml_error(text, &e)))
    }

    /// Reads the config file at `path`. A missing file is the default config; an unreadable or
    /// broken one is an error that names the file and line.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&text)
                .map_err(|ConfigError(e)| ConfigError(format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(ConfigError(format!("cannot read {}: {e}", path.display()))),
        }
    }

    /// The config as TOML text.
    pub(crate) fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_else(|e| format!("# cannot show the config: {e}\n"))
    }
}

/// A TOML error as `line L, column C: message`.
pub(crate) fn describe_toml_error(text: &str, error: &toml::de::Error) -> String {
    crate::parse_error::ParseError::toml(text, error).to_string()
}

/// The sample config shipped in `assets/config.toml`.
pub(crate) const SAMPLE_CONFIG: &str = include_str!("../../assets/config.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_sample_configs_parse() {
        assert_eq!(Config::parse("").unwrap(), Config::default());
        let sample = Config::parse(SAMPLE_CONFIG).unwrap();
        assert_eq!(sample.theme.as_deref(), Some("dark"));
    }

    #[test]
    fn errors_name_the_line() {
        let err = Config::parse("theme = \"dark\"\nmodle = \"x\"\n").unwrap_err();
        assert!(err.0.starts_with("line 2, column 1"), "{err}");
        assert!(err.0.contains("modle"), "{err}");
        let err = Config::parse("[parameters]\ntemperature = \"hot\"\n").unwrap_err();
        assert!(err.0.starts_with("line 2"), "{err}");
    }

    #[test]
    fn round_trips_through_toml() {
        let mut config = Config {
            model: Some("amazon.nova-micro-v1:0".into()),
            ..Config::default()
        };
        config.parameters.temperature = Some(0.5);
        config
            .keys
            .entry("chat".into())
            .or_default()
            .insert("ctrl+p".into(), "open_model_picker".into());
        assert_eq!(Config::parse(&config.to_toml()).unwrap(), config);
    }
}
