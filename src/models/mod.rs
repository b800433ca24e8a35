//! Model families: one adapter per family turns a conversation into the family's native request
//! body and decodes its responses and stream chunks. Also resolves any model id (base id,
//! inference-profile id, ARN) to its family.

pub mod anthropic;
pub mod catalog;

use serde::{Deserialize, Deserializer};

/// Who said a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The person at the keyboard.
    User,
    /// The model.
    Assistant,
}

/// One turn of a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// Who said it.
    pub role: Role,
    /// What was said.
    pub text: String,
}

/// A conversation as sent to a model: a system prompt and alternating turns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conversation {
    /// The system prompt.
    pub system: Option<String>,
    /// The turns, oldest first; the last one is the user's.
    pub turns: Vec<Turn>,
}

impl Conversation {
    /// A conversation of one user prompt.
    pub fn single(prompt: impl Into<String>) -> Self {
        Conversation {
            system: None,
            turns: vec![Turn {
                role: Role::User,
                text: prompt.into(),
            }],
        }
    }
}

/// Inference parameters; `None` leaves the model's default.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parameters {
    /// Largest number of tokens to generate.
    pub max_tokens: Option<u32>,
    /// Sampling temperature.
    pub temperature: Option<f32>,
    /// Nucleus sampling.
    pub top_p: Option<f32>,
    /// Top-k sampling.
    pub top_k: Option<u32>,
    /// Stop sequences.
    pub stop_sequences: Vec<String>,
}

/// Token counts reported by the model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Usage {
    /// Prompt tokens.
    pub input_tokens: Option<u64>,
    /// Generated tokens.
    pub output_tokens: Option<u64>,
}

/// `amazon-bedrock-invocationMetrics`, sent on the last chunk of a stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvocationMetrics {
    /// Prompt tokens.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub input_token_count: Option<u64>,
    /// Generated tokens.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub output_token_count: Option<u64>,
    /// Milliseconds from request to last token.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub invocation_latency: Option<u64>,
    /// Milliseconds from request to first token.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub first_byte_latency: Option<u64>,
}

/// What one stream chunk contributed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChunkDelta {
    /// Answer text.
    pub text: String,
    /// Reasoning ("thinking") text.
    pub reasoning: String,
    /// Set on the chunk that ends the answer.
    pub stop_reason: Option<String>,
    /// Token counts, when this chunk reports them.
    pub usage: Usage,
    /// Invocation metrics, on the last chunk.
    pub metrics: Option<InvocationMetrics>,
}

/// A whole non-streamed answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Completion {
    /// Answer text.
    pub text: String,
    /// Reasoning text.
    pub reasoning: String,
    /// Why the model stopped.
    pub stop_reason: Option<String>,
    /// Token counts from the body.
    pub usage: Usage,
}

/// A body that a family could not build or a response it could not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// The conversation or parameters do not fit the model.
    #[error("{0}")]
    Request(String),
    /// The response was not what the family sends.
    #[error("unexpected response from the model: {0}")]
    Response(String),
}

/// The model families bedrock-tui knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FamilyId {
    /// Anthropic Claude, Messages API.
    Anthropic,
}

impl FamilyId {
    /// The family's adapter.
    pub fn adapter(self) -> &'static dyn ModelFamily {
        match self {
            FamilyId::Anthropic => &anthropic::Anthropic,
        }
    }
}

/// One model family's request and response formats.
pub trait ModelFamily: Send + Sync {
    /// Which family.
    fn id(&self) -> FamilyId;
    /// The native request body for a conversation.
    fn build_body(
        &self,
        conversation: &Conversation,
        params: &Parameters,
    ) -> Result<serde_json::Value, ModelError>;
    /// Reads a non-streamed response body.
    fn parse_response(&self, body: &[u8]) -> Result<Completion, ModelError>;
    /// Reads one stream chunk (the base64-decoded model JSON).
    fn parse_chunk(&self, chunk: &[u8]) -> Result<ChunkDelta, ModelError>;
}

/// Strips an inference-profile geography prefix and an ARN to the base model id:
/// `us.anthropic.claude-…` and
/// `arn:aws:bedrock:…:inference-profile/eu.anthropic.claude-…` give `anthropic.claude-…`.
pub fn base_model_id(model_id: &str) -> &str {
    let id = match model_id.strip_prefix("arn:") {
        Some(_) => model_id.rsplit('/').next().unwrap_or(model_id),
        None => model_id,
    };
    const GEOS: &[&str] = &[
        "us.", "eu.", "apac.", "jp.", "au.", "ca.", "global.", "us-gov.",
    ];
    GEOS.iter()
        .find_map(|geo| id.strip_prefix(geo))
        .unwrap_or(id)
}

/// The family of a model id, when the id reveals it.
pub fn family_of(model_id: &str) -> Option<FamilyId> {
    let base = base_model_id(model_id);
    if base.starts_with("anthropic.claude") {
        return Some(FamilyId::Anthropic);
    }
    None
}

/// Reads a number that may arrive as an integer, a float with zero fraction (`28.0`), or a
/// numeric string (`"14"`); anything else reads as absent.
pub fn lenient_u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(value.and_then(|v| match v {
        serde_json::Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                .map(|f| f as u64)
        }),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_resolve_through_profiles_and_arns() {
        for id in [
            "anthropic.claude-3-haiku-20240307-v1:0",
            "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
            "global.anthropic.claude-haiku-4-5-20251001-v1:0",
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0",
        ] {
            assert_eq!(family_of(id), Some(FamilyId::Anthropic), "{id}");
        }
        assert_eq!(family_of("meta.llama3-70b-instruct-v1:0"), None);
    }

    #[test]
    fn lenient_numbers() {
        let m: InvocationMetrics = serde_json::from_str(
            r#"{"inputTokenCount":28.0,"outputTokenCount":"14","invocationLatency":5,"firstByteLatency":-1}"#,
        )
        .unwrap();
        assert_eq!(m.input_token_count, Some(28));
        assert_eq!(m.output_token_count, Some(14));
        assert_eq!(m.invocation_latency, Some(5));
        assert_eq!(m.first_byte_latency, None);
    }
}
