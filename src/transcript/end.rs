//! How an answer ended, as a session file keeps it: status, stop reason, figures, the error,
//! the tool calls it made and the results given back.

use crate::models::InvocationMetrics;
use serde::{Deserialize, Serialize};

/// How an answer ended, with its figures.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct End {
    /// `complete`, `cancelled`, `failed`, or `interrupted` (no end record on disk).
    pub status: EndStatus,
    /// The model's stop reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<String>,
    /// The error, for failed answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<SavedError>,
    /// Prompt tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<u64>,
    /// Generated tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<u64>,
    /// Prompt tokens read from the prompt cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_read_tokens: Option<u64>,
    /// Prompt tokens written to the prompt cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_write_tokens: Option<u64>,
    /// Milliseconds to the response headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_byte_ms: Option<u64>,
    /// Milliseconds to the first text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_token_ms: Option<u64>,
    /// Milliseconds to the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_ms: Option<u64>,
    /// Estimated cost in USD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
    /// The invocation metrics Bedrock reported, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<InvocationMetrics>,
    /// What a guardrail did, when the answer said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardrail: Option<crate::models::guardrail::Guardrail>,
    /// The tools the answer called, with their ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<crate::models::tool_use::ToolCall>,
    /// Its thinking's signature and redacted blocks (Claude), given back with its tool calls.
    #[serde(
        default,
        skip_serializing_if = "crate::models::tool_use::SignedThinking::is_empty"
    )]
    pub signed: crate::models::tool_use::SignedThinking,
}

/// A tool call's result as saved: what went back to the model, how long the call took, and
/// whether it ran at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedToolRun {
    /// The result.
    #[serde(flatten)]
    pub result: crate::models::tool_use::ToolResult,
    /// Milliseconds it took.
    #[serde(default)]
    pub ms: u64,
    /// It ran (else it was denied or cancelled).
    #[serde(default)]
    pub ran: bool,
}

impl From<&crate::tools::Ran> for SavedToolRun {
    fn from(ran: &crate::tools::Ran) -> Self {
        SavedToolRun {
            result: ran.result.clone(),
            ms: u64::try_from(ran.elapsed.as_millis()).unwrap_or(u64::MAX),
            ran: ran.ran,
        }
    }
}

impl From<&SavedToolRun> for crate::tools::Ran {
    fn from(saved: &SavedToolRun) -> Self {
        crate::tools::Ran {
            result: saved.result.clone(),
            elapsed: std::time::Duration::from_millis(saved.ms),
            ran: saved.ran,
        }
    }
}

/// How an answer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndStatus {
    /// Finished normally.
    Complete,
    /// Cancelled by the user.
    Cancelled,
    /// Ended by an error.
    Failed,
    /// No end on disk: the program stopped first.
    #[default]
    Interrupted,
}

/// An error as saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedError {
    /// Exception or error name.
    pub name: String,
    /// Its message.
    pub message: String,
    /// HTTP status, for errors before the stream began.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// A model stream error's original status code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_status: Option<i64>,
    /// Whether it arrived inside the event stream.
    #[serde(default)]
    pub in_stream: bool,
}
