//! The seam between the emulator's server and the model families it emulates: a family checks
//! a request body the way Bedrock does and renders an answer as its response body and as its
//! stream chunks.

use super::corpus;
use super::faults;
use crate::models::InvocationMetrics;
use crate::models::catalog::ModelInfo;

/// What the server needs from a valid request.
#[derive(Debug, Clone, Default)]
pub struct Prompt {
    /// The last user message (seeds the answer; may hold fault markers).
    pub last_user_text: String,
    /// Estimated input tokens.
    pub input_tokens: u64,
    /// `max_tokens` or the family's equivalent.
    pub max_tokens: u32,
    /// Stop sequences.
    pub stop_sequences: Vec<String>,
}

/// Why the model stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The answer is complete.
    EndTurn,
    /// `max_tokens` was reached.
    MaxTokens,
    /// A stop sequence matched.
    StopSequence(String),
}

/// A generated answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The text in token-sized pieces.
    pub tokens: Vec<String>,
    /// Why it ended.
    pub stop: Stop,
    /// Input tokens.
    pub input_tokens: u64,
    /// Invocation metrics to attach to the last chunk (or headers).
    pub metrics: InvocationMetrics,
}

impl Answer {
    /// The whole text.
    pub fn text(&self) -> String {
        self.tokens.concat()
    }

    /// Output tokens.
    pub fn output_tokens(&self) -> u64 {
        self.tokens.len() as u64
    }
}

/// Generates the deterministic answer to a prompt, honouring `max_tokens`, stop sequences and
/// an `[[emulator:tokens=N]]` marker.
pub fn generate(prompt: &Prompt) -> Answer {
    let requested = faults::requested_tokens(&prompt.last_user_text).unwrap_or(0);
    let seed_text = faults::strip_markers(&prompt.last_user_text);
    let mut tokens = corpus::answer_tokens(&seed_text, requested);
    let mut stop = Stop::EndTurn;
    let text = tokens.concat();
    let earliest = prompt
        .stop_sequences
        .iter()
        .filter(|s| !s.is_empty())
        .filter_map(|s| text.find(s.as_str()).map(|at| (at, s)))
        .min_by_key(|(at, _)| *at);
    if let Some((at, sequence)) = earliest {
        tokens = corpus::tokenize(&text[..at]);
        stop = Stop::StopSequence(sequence.clone());
    }
    let max = prompt.max_tokens.max(1) as usize;
    if tokens.len() > max {
        tokens.truncate(max);
        stop = Stop::MaxTokens;
    }
    let output = tokens.len() as u64;
    Answer {
        tokens,
        stop,
        input_tokens: prompt.input_tokens,
        metrics: InvocationMetrics {
            input_token_count: Some(prompt.input_tokens),
            output_token_count: Some(output),
            invocation_latency: Some(200 + output * 10),
            first_byte_latency: Some(150),
        },
    }
}

/// A model family as the emulator serves it.
pub trait EmulatedFamily: Send + Sync {
    /// Validates a request body for `model`; `Err` is the ValidationException message.
    fn parse_request(&self, model: &ModelInfo, body: &serde_json::Value) -> Result<Prompt, String>;
    /// The non-streamed response body.
    fn response_body(&self, model: &ModelInfo, answer: &Answer, request_id: &str) -> Vec<u8>;
    /// The model JSON of each stream chunk, in order; the last carries the metrics.
    fn stream_chunks(&self, model: &ModelInfo, answer: &Answer, request_id: &str) -> Vec<Vec<u8>>;
}

/// The Bedrock wording of a schema violation.
pub fn malformed(detail: &str) -> String {
    format!("Malformed input request: {detail}, please reformat your input and try again.")
}
