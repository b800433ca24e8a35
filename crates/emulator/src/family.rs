//! The seam between the emulator's server and the model families it emulates: a family checks
//! a request body the way Bedrock does and renders an answer as its response body and as its
//! stream chunks.

use super::corpus;
use super::faults;
use bedrock_tui_models::InvocationMetrics;
use bedrock_tui_models::catalog::ModelInfo;
use serde_json::Value;

/// A request as a family sees it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The catalog entry of the model invoked.
    pub model: &'a ModelInfo,
    /// The parsed JSON body.
    pub body: &'a Value,
    /// InvokeModelWithResponseStream rather than InvokeModel.
    pub streaming: bool,
    /// Refuse prompts that lack the model's chat-template markers (Bedrock itself accepts
    /// them and the model answers poorly; the tests want the mistake loud).
    pub strict_templates: bool,
}

/// What the server needs from a valid request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Prompt {
    /// The last user message (seeds the answer; may hold fault markers).
    pub last_user_text: String,
    /// Estimated input tokens.
    pub input_tokens: u64,
    /// `max_tokens` or the family's equivalent.
    pub max_tokens: u32,
    /// Stop sequences.
    pub stop_sequences: Vec<String>,
    /// The request asked for reasoning (Claude thinking, Nova 2 reasoning).
    pub reasoning: bool,
    /// Family-specific choices read from the request (image size, embedding dimensions, …).
    pub options: Value,
    /// The files the request carried, described (the answer begins by naming them).
    pub received: super::media::Received,
    /// What the request did with the prompt cache.
    pub cache: super::cache::CacheUse,
    /// The tools it offers and the results it gives back.
    pub tool_use: super::tool_use::ToolUse,
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
    /// Reasoning in token-sized pieces (empty unless the request asked for it).
    pub reasoning: Vec<String>,
    /// The text in token-sized pieces.
    pub tokens: Vec<String>,
    /// Why it ended.
    pub stop: Stop,
    /// Input tokens.
    pub input_tokens: u64,
    /// Invocation metrics to attach to the last chunk (or headers).
    pub metrics: InvocationMetrics,
    /// The reasoning was cut by `max_tokens` before it ended (a model whose reasoning is part
    /// of its output, DeepSeek-R1, then never closes it).
    pub reasoning_cut: bool,
    /// What the request did with the prompt cache.
    pub(crate) cache: super::cache::CacheUse,
    /// The guardrail's verdict, when the request named one.
    pub(crate) guardrail: Option<super::guardrail::Verdict>,
    /// Response headers naming the latency and tier the request was served at.
    pub(crate) served: Vec<(&'static str, String)>,
    /// The tools the answer calls (after the text; the family's stop reason for tool use).
    pub(crate) tool_calls: Vec<super::tool_use::Call>,
}

impl Answer {
    /// The whole text.
    pub fn text(&self) -> String {
        self.tokens.concat()
    }

    /// The whole reasoning.
    pub(crate) fn reasoning_text(&self) -> String {
        self.reasoning.concat()
    }

    /// Output tokens.
    pub fn output_tokens(&self) -> u64 {
        (self.tokens.len() + self.reasoning.len()) as u64
    }
}

/// Generates the deterministic answer to a prompt, honouring `max_tokens`, stop sequences and
/// an `[[emulator:tokens=N]]`, `[[emulator:echo]]` or `[[emulator:hostile]]` marker.
pub(crate) fn generate(prompt: &Prompt) -> Answer {
    let requested = faults::requested_tokens(&prompt.last_user_text).unwrap_or(0);
    let seed_text = faults::strip_markers(&prompt.last_user_text);
    let tool_calls = super::tool_use::decide(
        &prompt.tool_use.offered,
        &prompt.tool_use.given,
        &prompt.last_user_text,
    );
    let mut tokens = if !tool_calls.is_empty() {
        corpus::tokenize(&super::tool_use::preface(&tool_calls))
    } else if faults::hostile_requested(&prompt.last_user_text) {
        corpus::tokenize(faults::HOSTILE_ANSWER)
    } else if faults::echo_requested(&prompt.last_user_text) {
        corpus::tokenize(&seed_text)
    } else {
        corpus::answer_tokens(&seed_text, requested)
    };
    let mut received = prompt.received.clone();
    received
        .files
        .extend(super::media::inline_documents(&prompt.last_user_text));
    if let Some(sentence) = received.sentence() {
        let mut named = corpus::tokenize(&sentence);
        named.append(&mut tokens);
        tokens = named;
    }
    if !prompt.tool_use.given.is_empty() {
        // An answer to results quotes them and ends there.
        tokens = corpus::tokenize(&format!(
            "{}That is what the tools said.",
            super::tool_use::quoted(&prompt.tool_use.given)
        ));
    }
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
    let mut reasoning = if prompt.reasoning {
        reasoning_tokens(&seed_text)
    } else {
        Vec::new()
    };
    // DeepSeek-R1 writes its reasoning as output: `max_tokens` covers it, then the answer.
    let mut reasoning_cut = false;
    if prompt.options["reasoning_in_output"] == Value::Bool(true) {
        if reasoning.len() >= max {
            reasoning.truncate(max);
            reasoning_cut = true;
            tokens.clear();
            stop = Stop::MaxTokens;
        } else if tokens.len() > max - reasoning.len() {
            tokens.truncate(max - reasoning.len());
            stop = Stop::MaxTokens;
        }
    }
    let output = (tokens.len() + reasoning.len()) as u64;
    // Cached and newly cached prompt tokens are not counted as input.
    let cache = prompt.cache;
    let input = prompt
        .input_tokens
        .saturating_sub(cache.read + cache.write)
        .max(1);
    Answer {
        reasoning,
        tokens,
        stop,
        input_tokens: input,
        metrics: InvocationMetrics {
            input_token_count: Some(input),
            output_token_count: Some(output),
            invocation_latency: Some(200 + output * 10),
            first_byte_latency: Some(150),
            cache_read_input_token_count: cache.marked.then_some(cache.read),
            cache_write_input_token_count: cache.marked.then_some(cache.write),
        },
        reasoning_cut,
        cache,
        guardrail: None,
        served: Vec::new(),
        tool_calls,
    }
}

/// Deterministic reasoning about a prompt, in token-sized pieces.
pub(crate) fn reasoning_tokens(prompt: &str) -> Vec<String> {
    let topic: String = prompt
        .split_whitespace()
        .take(8)
        .collect::<Vec<_>>()
        .join(" ");
    corpus::tokenize(&format!(
        "The user asks: \"{topic}\". I should answer from what I know, plainly and in order, then check the answer once."
    ))
}

/// A model family as the emulator serves it.
pub(crate) trait EmulatedFamily: Send + Sync {
    /// Validates a request body; `Err` is the ValidationException message.
    fn parse_request(&self, request: &Request<'_>) -> Result<Prompt, String>;
    /// The non-streamed response body.
    fn response_body(
        &self,
        model: &ModelInfo,
        prompt: &Prompt,
        answer: &Answer,
        request_id: &str,
    ) -> Vec<u8>;
    /// The model JSON of each stream chunk, in order; the last carries the metrics. Families
    /// that do not stream never get here (the server refuses first).
    fn stream_chunks(
        &self,
        model: &ModelInfo,
        prompt: &Prompt,
        answer: &Answer,
        request_id: &str,
    ) -> Vec<Vec<u8>> {
        let _ = (model, prompt, answer, request_id);
        Vec::new()
    }
}

/// Serialises a JSON value compactly (Bedrock sends compact JSON).
pub(crate) fn to_bytes(value: &Value) -> Vec<u8> {
    value.to_string().into_bytes()
}

/// The invocation metrics as a JSON value.
pub(crate) fn metrics_json(answer: &Answer) -> Value {
    serde_json::to_value(answer.metrics).unwrap_or(Value::Null)
}

/// The Bedrock wording of a schema violation.
pub fn malformed(detail: &str) -> String {
    format!("Malformed input request: {detail}, please reformat your input and try again.")
}
