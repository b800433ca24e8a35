//! Anthropic Claude legacy Text Completions (Claude Instant, v2, v2.1): a `\n\nHuman: … \n\nAssistant:`
//! prompt with `max_tokens_to_sample`; text in `completion` both whole and per chunk.

use super::turns::{delta_with_metrics, history_and_last, parse, string_at, system};
use super::{
    ChunkDelta, Completion, Conversation, FamilyId, ModelError, ModelFamily, Parameters, Role,
};
use serde_json::{Value, json};

/// `max_tokens_to_sample` when the user sets none (the field is required).
pub(crate) const DEFAULT_MAX_TOKENS: u32 = 2048;
/// The stop sequence the model always honours.
pub const HUMAN: &str = "\n\nHuman:";
/// The turn marker the prompt must end with.
pub const ASSISTANT: &str = "\n\nAssistant:";

/// The Text Completions adapter.
#[derive(Debug, Clone, Copy)]
pub struct AnthropicText;

/// Renders `{system}\n\nHuman: q1\n\nAssistant: a1\n\nHuman: q2\n\nAssistant:`.
pub(crate) fn render_prompt(conversation: &Conversation) -> Result<String, ModelError> {
    let (history, last) = history_and_last(conversation)?;
    let mut prompt = String::new();
    if let Some(system) = system(conversation) {
        prompt.push_str(system.trim());
    }
    let mut turn = |marker: &str, text: &str| {
        prompt.push_str(marker);
        prompt.push(' ');
        prompt.push_str(text.trim());
    };
    for t in &history {
        turn(
            match t.role {
                Role::User => HUMAN,
                Role::Assistant => ASSISTANT,
            },
            &t.text,
        );
    }
    turn(HUMAN, &last);
    prompt.push_str(ASSISTANT);
    Ok(prompt)
}

fn completion_fields(value: &Value) -> (String, Option<String>) {
    (
        string_at(value, "/completion").unwrap_or_default(),
        string_at(value, "/stop_reason"),
    )
}

impl ModelFamily for AnthropicText {
    fn id(&self) -> FamilyId {
        FamilyId::AnthropicText
    }

    fn build_body(
        &self,
        conversation: &Conversation,
        params: &Parameters,
        _streaming: bool,
    ) -> Result<Value, ModelError> {
        let mut body = json!({
            "prompt": render_prompt(conversation)?,
            "max_tokens_to_sample": params.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
        });
        if let Some(t) = params.temperature {
            body["temperature"] = json!(t);
        }
        if let Some(p) = params.top_p {
            body["top_p"] = json!(p);
        }
        if let Some(k) = params.top_k {
            body["top_k"] = json!(k);
        }
        if !params.stop_sequences.is_empty() {
            body["stop_sequences"] = json!(params.stop_sequences);
        }
        Ok(body)
    }

    fn parse_response(&self, body: &[u8]) -> Result<Completion, ModelError> {
        let value = parse(body)?;
        let (text, stop_reason) = completion_fields(&value);
        Ok(Completion {
            text,
            stop_reason,
            ..Completion::default()
        })
    }

    fn parse_chunk(&self, chunk: &[u8]) -> Result<ChunkDelta, ModelError> {
        let value = parse(chunk)?;
        let (text, stop_reason) = completion_fields(&value);
        let mut delta = delta_with_metrics(&value);
        delta.text = text;
        delta.stop_reason = stop_reason;
        Ok(delta)
    }
}
