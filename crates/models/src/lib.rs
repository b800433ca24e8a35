//! The model families of bedrock-tui, a crate of its own and pure (no I/O): one adapter per
//! family turns a conversation into the family's native request body and decodes its responses
//! and stream chunks. Also resolves any model id (base id, inference-profile id, ARN) to its
//! family, tells attachments apart by their bytes, and holds the one sanitizer for text from
//! outside.

pub mod ai21;
pub mod anthropic;
pub mod anthropic_text;
pub mod attachment_rules;
pub mod attachments;
pub mod cache;
pub mod capabilities;
pub mod catalog;
pub(crate) mod chat_completions;
pub mod cohere;
pub mod converse;
mod converse_stream;
pub mod deepseek;
pub mod detect;
pub mod embeddings;
pub mod guardrail;
pub mod images;
pub mod llama;
pub mod mistral;
pub mod model_id;
pub mod note;
pub mod nova;
pub mod reasoning;
pub mod stop_reason;
mod stream_decoder;
pub use stream_decoder::StreamDecoder;
mod ids;
pub mod titan;
pub use ids::family_of;
pub use ids::{base_model_id, parse_model_ref};
pub mod text;
pub mod tool_text;
pub mod tool_use;
pub mod turns;

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
    /// Files attached to it (prompts only).
    pub attachments: Vec<crate::attachments::Attachment>,
    /// The tools the model called in it (answers only).
    pub tool_calls: Vec<tool_use::ToolCall>,
    /// Results of the previous answer's tool calls, given back (prompts only).
    pub tool_results: Vec<tool_use::ToolResult>,
    /// The answer's reasoning, with what Claude needs to take it back (given back only with
    /// tool calls: a tool turn must begin with its thinking block).
    pub thinking: Option<(String, tool_use::SignedThinking)>,
}

impl Turn {
    /// A turn of text alone.
    pub fn new(role: Role, text: impl Into<String>) -> Turn {
        Turn {
            role,
            text: text.into(),
            attachments: Vec::new(),
            tool_calls: Vec::new(),
            tool_results: Vec::new(),
            thinking: None,
        }
    }

    /// Whether the turn carries nothing to send.
    pub(crate) fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
            && self.attachments.is_empty()
            && self.tool_calls.is_empty()
            && self.tool_results.is_empty()
    }
}

/// A conversation as sent to a model: a system prompt and alternating turns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conversation {
    /// The system prompt.
    pub system: Option<String>,
    /// The turns, oldest first; the last one is the user's.
    pub turns: Vec<Turn>,
    /// The tools offered to the model (families that take none get them left out, with a note).
    pub tools: Vec<tool_use::ToolSpec>,
}

impl Conversation {
    /// A conversation of one user prompt.
    pub fn single(prompt: impl Into<String>) -> Self {
        Conversation {
            system: None,
            turns: vec![Turn::new(Role::User, prompt)],
            tools: Vec::new(),
        }
    }

    /// Whether any turn called a tool or gave a result back.
    pub fn has_tool_turns(&self) -> bool {
        self.turns
            .iter()
            .any(|t| !t.tool_calls.is_empty() || !t.tool_results.is_empty())
    }
}

/// Inference parameters; `None` leaves the model's default.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, Deserialize)]
#[serde(default)]
pub struct Parameters {
    /// Largest number of tokens to generate.
    pub max_tokens: Option<u32>,
    /// Sampling temperature.
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    pub top_p: Option<f64>,
    /// Top-k sampling.
    pub top_k: Option<u32>,
    /// Stop sequences.
    pub stop_sequences: Vec<String>,
    /// Reasoning budget in tokens (Claude extended thinking, Nova 2 reasoning effort).
    pub reasoning_budget: Option<u32>,
}

/// Token counts reported by the model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Usage {
    /// Prompt tokens.
    pub input_tokens: Option<u64>,
    /// Generated tokens.
    pub output_tokens: Option<u64>,
    /// Prompt tokens read from the prompt cache.
    pub cache_read_tokens: Option<u64>,
    /// Prompt tokens written to the prompt cache.
    pub cache_write_tokens: Option<u64>,
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
    /// Prompt tokens read from the prompt cache (Nova, Claude with caching).
    #[serde(
        default,
        deserialize_with = "lenient_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub cache_read_input_token_count: Option<u64>,
    /// Prompt tokens written to the prompt cache.
    #[serde(
        default,
        deserialize_with = "lenient_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub cache_write_input_token_count: Option<u64>,
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
    /// This chunk is the family's own last event (Claude's `message_stop`). Families whose
    /// stop reason comes on the last chunk need not set it: [`StreamDecoder`] counts a stop
    /// reason or Bedrock's invocation metrics as the end.
    pub ended: bool,
    /// A guardrail's action and trace, when the chunk carried them.
    pub guardrail: Option<Box<guardrail::Guardrail>>,
    /// Pieces of tool calls.
    pub tool_calls: Vec<tool_use::ToolCallDelta>,
    /// A thinking block's signature, or a redacted thinking block (Claude).
    pub signed: tool_use::SignedThinking,
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
    /// Embedding vectors (embedding models).
    pub embeddings: Vec<Vec<f64>>,
    /// Decoded images, PNG or JPEG bytes (image models).
    pub images: Vec<Vec<u8>>,
    /// Tool calls, whole.
    pub tool_calls: Vec<tool_use::ToolCallDelta>,
    /// The thinking's signature and redacted blocks (Claude).
    pub signed: tool_use::SignedThinking,
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

/// What a family produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// Text (a chat or completion model).
    Text,
    /// Embedding vectors.
    Embedding,
    /// Images.
    Image,
}

macro_rules! families {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// The request/response formats bedrock-tui speaks, one per model family.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum FamilyId {
            $($(#[$doc])* #[serde(rename = $name)] $variant,)*
        }

        impl FamilyId {
            /// Every family.
            pub const ALL: &'static [FamilyId] = &[$(FamilyId::$variant,)*];

            /// The family's name in the catalog and on the command line (`--family`).
            pub fn name(self) -> &'static str {
                match self {
                    $(FamilyId::$variant => $name,)*
                }
            }
        }
    };
}

families! {
    /// Anthropic Claude, Messages API.
    Anthropic = "anthropic",
    /// Anthropic Claude, legacy Text Completions (`\n\nHuman:` prompts).
    AnthropicText = "anthropic-text",
    /// Amazon Titan Text (`inputText`).
    TitanText = "titan-text",
    /// Amazon Nova 1 and 2 (`messages` with content blocks).
    Nova = "nova",
    /// Meta Llama 2 chat template.
    Llama2 = "llama2",
    /// Meta Llama 3.x chat template.
    Llama3 = "llama3",
    /// Meta Llama 4 chat template (InvokeModel only).
    Llama4 = "llama4",
    /// Mistral / Mixtral text completion (`<s>[INST] … [/INST]`).
    Mistral = "mistral",
    /// Mistral chat completion (`messages`, `choices`).
    MistralChat = "mistral-chat",
    /// Cohere Command (legacy, `prompt`).
    Cohere = "cohere",
    /// Cohere Command R / R+ (`message`, `chat_history`).
    CohereR = "cohere-r",
    /// AI21 Jurassic-2 (InvokeModel only).
    Ai21J2 = "ai21-j2",
    /// AI21 Jamba (OpenAI-like `messages`).
    Ai21Jamba = "ai21-jamba",
    /// DeepSeek-R1 (its chat template; reasoning ends at `</think>`).
    DeepSeek = "deepseek",
    /// OpenAI chat completions (gpt-oss).
    OpenAi = "openai",
    /// Amazon Titan Text Embeddings v1/v2.
    TitanEmbed = "titan-embed",
    /// Cohere Embed v3.
    CohereEmbed = "cohere-embed",
    /// Amazon Titan Image Generator and Nova Canvas (`taskType`).
    TitanImage = "titan-image",
    /// Stability SDXL 1.0 (`text_prompts`, `artifacts`).
    StabilitySdxl = "stability-sdxl",
    /// Stability Stable Image / SD3 (`prompt`, `images`).
    StabilityImage = "stability-image",
    /// Converse and ConverseStream: Bedrock's one format for every text model (a route, not a
    /// model's native body).
    Converse = "converse",
}

impl FamilyId {
    /// The family named `name` (as in the catalog), if any.
    pub fn from_name(name: &str) -> Option<FamilyId> {
        FamilyId::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// What the family produces.
    pub fn output(self) -> OutputKind {
        match self {
            FamilyId::TitanEmbed | FamilyId::CohereEmbed => OutputKind::Embedding,
            FamilyId::TitanImage | FamilyId::StabilitySdxl | FamilyId::StabilityImage => {
                OutputKind::Image
            }
            _ => OutputKind::Text,
        }
    }

    /// Whether InvokeModelWithResponseStream exists for the family at all.
    pub fn streams(self) -> bool {
        self.output() == OutputKind::Text && !matches!(self, FamilyId::Ai21J2 | FamilyId::Llama4)
    }

    /// Whether the family's native body takes tool definitions, calls and results (the others
    /// get earlier calls and results written as text).
    pub fn takes_tools(self) -> bool {
        matches!(
            self,
            FamilyId::Anthropic
                | FamilyId::Nova
                | FamilyId::Converse
                | FamilyId::MistralChat
                | FamilyId::OpenAi
                | FamilyId::CohereR
                | FamilyId::Llama3
        )
    }

    /// Whether `model` of this family takes tools: the family's body does, and the model was
    /// trained for them (Llama 3.0 came before Meta's tool format).
    pub fn takes_tools_for(self, model: &str) -> bool {
        if !self.takes_tools() {
            return false;
        }
        let base = base_model_id(model);
        !(self == FamilyId::Llama3
            && (base.starts_with("meta.llama3-8b") || base.starts_with("meta.llama3-70b")))
    }

    /// Whether the answer begins inside a reasoning section that `</think>` closes.
    pub(crate) fn reasoning_inline(self) -> bool {
        self == FamilyId::DeepSeek
    }

    /// The family's adapter.
    pub fn adapter(self) -> &'static dyn ModelFamily {
        match self {
            FamilyId::Anthropic => &anthropic::Anthropic,
            FamilyId::AnthropicText => &anthropic_text::AnthropicText,
            FamilyId::TitanText => &titan::TitanText,
            FamilyId::Nova => &nova::Nova,
            FamilyId::Llama2 => &llama::Llama::LLAMA2,
            FamilyId::Llama3 => &llama::Llama::LLAMA3,
            FamilyId::Llama4 => &llama::Llama::LLAMA4,
            FamilyId::Mistral => &mistral::MistralText,
            FamilyId::MistralChat => &chat_completions::ChatCompletions::MISTRAL,
            FamilyId::Cohere => &cohere::CohereCommand,
            FamilyId::CohereR => &cohere::CohereCommandR,
            FamilyId::Ai21J2 => &ai21::Jurassic2,
            FamilyId::Ai21Jamba => &chat_completions::ChatCompletions::JAMBA,
            FamilyId::DeepSeek => &deepseek::DeepSeek,
            FamilyId::OpenAi => &chat_completions::ChatCompletions::OPENAI,
            FamilyId::TitanEmbed => &embeddings::TitanEmbed,
            FamilyId::CohereEmbed => &embeddings::CohereEmbed,
            FamilyId::TitanImage => &images::TitanImage,
            FamilyId::StabilitySdxl => &images::StabilitySdxl,
            FamilyId::StabilityImage => &images::StabilityImage,
            FamilyId::Converse => &converse::Converse,
        }
    }
}

impl std::fmt::Display for FamilyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One model family's request and response formats.
pub trait ModelFamily: Send + Sync {
    /// Which family.
    fn id(&self) -> FamilyId;
    /// The native request body for a conversation; `streaming` says which operation it is for
    /// (Cohere Command and OpenAI put that in the body).
    fn build_body(
        &self,
        conversation: &Conversation,
        params: &Parameters,
        streaming: bool,
    ) -> Result<serde_json::Value, ModelError>;
    /// Reads a non-streamed response body.
    fn parse_response(&self, body: &[u8]) -> Result<Completion, ModelError>;
    /// How the family's stream ends, for the message when it does not: what its last event is.
    fn last_event(&self) -> &'static str {
        "a chunk with a stop reason or Bedrock's invocation metrics"
    }
    /// Whether a stop reason comes before the last event (Claude's `message_delta` precedes
    /// `message_stop`), so it does not end the stream by itself.
    fn stop_reason_before_end(&self) -> bool {
        false
    }
    /// Reads one stream chunk (the base64-decoded model JSON).
    fn parse_chunk(&self, chunk: &[u8]) -> Result<ChunkDelta, ModelError> {
        let _ = chunk;
        Err(ModelError::Response(format!(
            "the {} family does not stream",
            self.id()
        )))
    }
}

/// Reads a number that may arrive as an integer, a float with zero fraction (`28.0`), or a
/// numeric string (`"14"`); anything else reads as absent.
pub(crate) fn lenient_u64<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
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

/// Reads an optional member of a known shape; a member of another type (`"usage": false`)
/// reads as absent instead of failing the whole chunk.
pub(crate) fn lenient<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

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
