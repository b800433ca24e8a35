//! User configuration: the TOML config file (every field optional), themes, and the platform
//! directories they live in.

mod lenient;
pub mod paths;
pub mod roles;
pub mod theme;
pub mod tool_config;

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
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    pub top_p: Option<f64>,
    /// Top-k sampling.
    pub top_k: Option<u32>,
    /// Stop sequences.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stop_sequences: Vec<String>,
    /// Reasoning budget in tokens.
    pub thinking: Option<u32>,
}

/// Request options as written in the config file (`[request]`): a guardrail, latency and tier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestConfig {
    /// `X-Amzn-Bedrock-GuardrailIdentifier`: the guardrail's id or ARN.
    pub guardrail_id: Option<String>,
    /// Its version (a number or `DRAFT`).
    pub guardrail_version: Option<String>,
    /// `X-Amzn-Bedrock-Trace`: `ENABLED` (the default with a guardrail), `ENABLED_FULL` or
    /// `DISABLED`.
    pub trace: Option<String>,
    /// `X-Amzn-Bedrock-PerformanceConfig-Latency`: `standard` or `optimized`.
    pub latency: Option<String>,
    /// `X-Amzn-Bedrock-Service-Tier`: `priority`, `default`, `flex` or `reserved`.
    pub service_tier: Option<String>,
}

impl RequestConfig {
    /// The options for requests: with a guardrail, trace on unless set otherwise.
    pub fn options(&self) -> crate::bedrock::InvokeOptions {
        let trace = self
            .trace
            .clone()
            .or_else(|| self.guardrail_id.as_ref().map(|_| "ENABLED".to_string()));
        crate::bedrock::InvokeOptions {
            guardrail_identifier: self.guardrail_id.clone(),
            guardrail_version: self.guardrail_version.clone(),
            trace,
            performance_latency: self.latency.clone(),
            service_tier: self.service_tier.clone(),
            ..crate::bedrock::InvokeOptions::default()
        }
    }
}

impl ParametersConfig {
    /// Every number in range; errors name the setting as `{table}.name`.
    pub(crate) fn check(&self, table: &str) -> Result<(), ConfigError> {
        in_range(&format!("{table}.temperature"), self.temperature, 0.0, 2.0)?;
        in_range(&format!("{table}.top_p"), self.top_p, 0.0, 1.0)?;
        for (name, value) in [("max_tokens", self.max_tokens), ("top_k", self.top_k)] {
            if value == Some(0) {
                return Err(ConfigError(format!(
                    "{table}.{name} = 0: a whole number from 1"
                )));
            }
        }
        Ok(())
    }
}

/// How answers are drawn, as written in the config file (`[display]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisplayConfig {
    /// Headings keep their `#` marks (default false: styled by level without them).
    pub heading_marks: Option<bool>,
    /// Links as OSC 8 hyperlinks: `auto` (in terminals known to show them), `always`, `never`.
    pub hyperlinks: Option<Hyperlinks>,
    /// How pictures are drawn: `auto` (ask the terminal), `kitty`, `iterm2`, `sixel`,
    /// `halfblocks` or `off`.
    pub images: Option<crate::tui::graphics::Graphics>,
    /// A single newline inside an answer's paragraph: `auto` (joined when the paragraph looks
    /// hard-wrapped, kept otherwise), `keep` (always a line break) or `soft` (always a space,
    /// as CommonMark has it).
    pub breaks: Option<Breaks>,
}

/// How terminal input is read, as written in the config file (`[input]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputConfig {
    /// Milliseconds the start of a key sequence waits for its rest (default 40): an Esc alone
    /// is the Esc key after it, and an Esc with a key within it is Alt and that key.
    pub escape_wait_ms: Option<u64>,
}

/// The wait of an Esc for the rest of a sequence, when config.toml sets none.
pub const DEFAULT_ESCAPE_WAIT_MS: u64 = 40;

/// When links are OSC 8 hyperlinks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Hyperlinks {
    /// In terminals known to show them (by their environment).
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl Hyperlinks {
    /// The name in config.toml.
    pub fn name(self) -> &'static str {
        match self {
            Hyperlinks::Auto => "auto",
            Hyperlinks::Always => "always",
            Hyperlinks::Never => "never",
        }
    }
}

/// The fastest pace the emulator may be set to, in tokens a second (`demo_tokens_per_second`,
/// and the emulator's own flags and header).
pub const MAX_DEMO_PACE: f64 = crate::emulator::MAX_TOKENS_PER_SECOND;

/// The API an `api` setting names; an error names the setting and the values it takes.
pub(crate) fn check_api(
    setting: &str,
    name: Option<&str>,
) -> Result<Option<crate::bedrock::Api>, ConfigError> {
    let Some(name) = name else {
        return Ok(None);
    };
    crate::bedrock::Api::from_name(name)
        .map(Some)
        .ok_or_else(|| {
            ConfigError(format!(
                "{setting} must be \"invoke\" or \"converse\", not {:?}",
                crate::text::sanitize_for_terminal(name)
            ))
        })
}

/// How answers are drawn (from the config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MarkdownOptions {
    /// Headings keep their `#` marks.
    pub heading_marks: bool,
    /// Links are OSC 8 hyperlinks (where the terminal supports them).
    pub hyperlinks: bool,
    /// Pictures this program saved are drawn, with cells of this many pixels (width,
    /// height); `None`: shown as their caption only.
    pub pictures: Option<(u16, u16)>,
    /// The most rows a picture takes (the view's height less its caption; 0: the default).
    pub picture_rows: u16,
    /// What a single newline inside a paragraph becomes.
    pub breaks: Breaks,
}

/// What a single newline inside a paragraph of an answer becomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Breaks {
    /// A line break, unless the paragraph's lines look wrapped at a width (then a space).
    #[default]
    Auto,
    /// Always a line break, as the model wrote it.
    Keep,
    /// Always a space: the paragraph flows to the terminal's width.
    Soft,
}

impl Breaks {
    /// The name in config.toml.
    pub fn name(self) -> &'static str {
        match self {
            Breaks::Auto => "auto",
            Breaks::Keep => "keep",
            Breaks::Soft => "soft",
        }
    }
}

/// A number that must be finite and within `low..=high`.
fn in_range(name: &str, value: Option<f64>, low: f64, high: f64) -> Result<(), ConfigError> {
    match value {
        Some(v) if !(v.is_finite() && (low..=high).contains(&v)) => Err(ConfigError(format!(
            "{name} = {v}: a number from {low} to {high}"
        ))),
        _ => Ok(()),
    }
}

/// The config file. Every field is optional; what is absent takes its default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Model to start with (default: the catalog's default model).
    pub model: Option<String>,
    /// The API requests go through: `invoke` (each model's native body, the default) or
    /// `converse`.
    pub api: Option<String>,
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
    /// A model that writes each saved conversation's title after its first answer (off by
    /// default: it costs a request).
    pub title_model: Option<String>,
    /// Place prompt-cache breakpoints where the model caches prompts and the prefix is long
    /// enough (default true).
    pub prompt_caching: Option<bool>,
    /// Inference parameters.
    #[serde(default)]
    pub parameters: ParametersConfig,
    /// Guardrail, latency and service tier of every request.
    #[serde(default, skip_serializing_if = "is_default_request")]
    pub request: RequestConfig,
    /// How answers are drawn.
    #[serde(default, skip_serializing_if = "is_default_display")]
    pub display: DisplayConfig,
    /// How terminal input is read.
    #[serde(default, skip_serializing_if = "is_default_input")]
    pub input: InputConfig,
    /// Tools offered to models: built-ins, which run without asking, limits.
    #[serde(default, skip_serializing_if = "is_default_tools")]
    pub tools: tool_config::ToolsConfig,
    /// MCP servers whose tools are offered to models, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub mcp: BTreeMap<String, tool_config::McpServerConfig>,
    /// Key bindings per context, merged over the defaults: `[keys.chat] "ctrl+p" = "open_model_picker"`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub keys: BTreeMap<String, BTreeMap<String, String>>,
}

fn is_default_request(request: &RequestConfig) -> bool {
    *request == RequestConfig::default()
}

fn is_default_tools(tools: &tool_config::ToolsConfig) -> bool {
    *tools == tool_config::ToolsConfig::default()
}

fn is_default_display(display: &DisplayConfig) -> bool {
    *display == DisplayConfig::default()
}

fn is_default_input(input: &InputConfig) -> bool {
    *input == InputConfig::default()
}

/// A config file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl Config {
    /// Parses config text; the error names the line and column.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let config: Config =
            toml::from_str(text).map_err(|e| ConfigError(describe_toml_error(text, &e)))?;
        config.check()?;
        Ok(config)
    }

    /// Every number in range: each error names the setting and the range it takes. (Each model
    /// family narrows the parameters further when a request is prepared.)
    fn check(&self) -> Result<(), ConfigError> {
        self.parameters.check("parameters")?;
        check_api("api", self.api.as_deref())?;
        tool_config::check_servers(&self.mcp)?;
        self.tools.check(&self.mcp)?;
        if let Some(ms) = self.input.escape_wait_ms
            && !(5..=1000).contains(&ms)
        {
            return Err(ConfigError(format!(
                "input.escape_wait_ms = {ms}: a whole number of milliseconds from 5 to 1000"
            )));
        }
        in_range(
            "demo_tokens_per_second",
            self.demo_tokens_per_second,
            0.0,
            MAX_DEMO_PACE,
        )
    }

    /// Reads the config file at `path` as far as it is valid: each key that cannot be used is
    /// left out with a warning naming the file, the key and its line, and the rest applies. A
    /// missing file is the default config; an unreadable file, or text that is not TOML, is an
    /// error that names the file (and the line).
    pub fn load_lenient(path: &Path) -> Result<(Config, Vec<String>), ConfigError> {
        match crate::files::read_capped_text(path, crate::files::SETTINGS_FILE_CAP) {
            Ok(text) => lenient::parse(&text)
                .map(|(config, warnings)| {
                    let warnings = warnings
                        .into_iter()
                        .map(|w| format!("{}: {w}", path.display()))
                        .collect();
                    (config, warnings)
                })
                .map_err(|ConfigError(e)| ConfigError(format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok((Config::default(), Vec::new()))
            }
            Err(e) => Err(ConfigError(format!("cannot read {}: {e}", path.display()))),
        }
    }

    /// Reads the config file at `path`. A missing file is the default config; an unreadable or
    /// broken one is an error that names the file and line.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        match crate::files::read_capped_text(path, crate::files::SETTINGS_FILE_CAP) {
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
    fn numbers_out_of_range_are_refused_with_their_name() {
        for (text, says) in [
            (
                "[parameters]\ntemperature = nan\n",
                "parameters.temperature = NaN",
            ),
            (
                "[parameters]\ntemperature = inf\n",
                "parameters.temperature = inf",
            ),
            (
                "[parameters]\ntop_p = 1.5\n",
                "parameters.top_p = 1.5: a number from 0 to 1",
            ),
            (
                "demo_tokens_per_second = -1.0\n",
                "demo_tokens_per_second = -1",
            ),
            (
                "[parameters]\nmax_tokens = 0\n",
                "parameters.max_tokens = 0",
            ),
            (
                "[parameters]\nmax_tokens = 99999999999\n",
                "line 2, column 14",
            ),
        ] {
            let error = Config::parse(text).unwrap_err().to_string();
            assert!(error.contains(says), "{text}: {error}");
        }
        assert!(Config::parse("[parameters]\ntemperature = 0.7\ntop_p = 1.0\n").is_ok());
    }

    #[test]
    fn a_config_that_is_a_device_or_too_large_is_an_error() {
        #[cfg(unix)]
        {
            let error = Config::load(Path::new("/dev/zero"))
                .unwrap_err()
                .to_string();
            assert!(error.contains("a device"), "{error}");
        }
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("config.toml");
        std::fs::write(&big, "#".repeat(2 << 20)).unwrap();
        let error = Config::load(&big).unwrap_err().to_string();
        assert!(error.contains("larger than the 1.0 MiB"), "{error}");
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
