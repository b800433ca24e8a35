//! The emulator's AI21 Jurassic-2: `prompt` → `completions[0].data.text` with token entries as
//! recorded; no streaming (the catalog marks it invoke-only).

use super::corpus::estimate_tokens;
use super::family::{Answer, EmulatedFamily, Prompt, Request, Stop, to_bytes};
use super::validate::{integer_in, number_in, object, required_str, string_list};
use bedrock_tui_models::catalog::ModelInfo;
use serde_json::{Value, json};

/// Emulated Jurassic-2.
pub(crate) struct Jurassic2;

const KEYS: &[&str] = &[
    "prompt",
    "maxTokens",
    "temperature",
    "topP",
    "stopSequences",
    "countPenalty",
    "presencePenalty",
    "frequencyPenalty",
    "numResults",
    "minTokens",
    "topKReturn",
];

fn tokens_json(pieces: &[String]) -> Value {
    let mut start = 0;
    json!(pieces.iter().map(|piece| {
        let end = start + piece.chars().count();
        let entry = json!({"generatedToken": {"token": piece.replace(' ', "\u{2581}"), "logprob": -0.5,
            "raw_logprob": -0.5}, "topTokens": null, "textRange": {"start": start, "end": end}});
        start = end;
        entry
    }).collect::<Vec<_>>())
}

impl EmulatedFamily for Jurassic2 {
    fn parse_request(&self, request: &Request<'_>) -> Result<Prompt, String> {
        let object = object(request.body, KEYS)?;
        let prompt = required_str(object, "#", "prompt")?;
        let limit = u64::from(request.model.max_output_tokens);
        let max_tokens = integer_in(object, "#", "maxTokens", 0, limit)?.unwrap_or(16);
        number_in(object, "#", "temperature", 0.0, 1.0)?;
        number_in(object, "#", "topP", 0.0, 1.0)?;
        let last_user_text = match prompt.rfind("User:") {
            Some(at) => prompt[at + 5..]
                .trim_end()
                .trim_end_matches("Assistant:")
                .trim()
                .to_string(),
            None => prompt.trim().to_string(),
        };
        Ok(Prompt {
            last_user_text,
            input_tokens: estimate_tokens(prompt),
            max_tokens: max_tokens as u32,
            stop_sequences: string_list(object, "#", "stopSequences", 16)?,
            reasoning: false,
            options: json!({"prompt": prompt}),
            received: super::media::Received::default(),
            cache: super::cache::CacheUse::default(),
            tool_use: super::tool_use::ToolUse::default(),
        })
    }

    fn response_body(
        &self,
        _model: &ModelInfo,
        prompt: &Prompt,
        answer: &Answer,
        _id: &str,
    ) -> Vec<u8> {
        let reason = match answer.stop {
            Stop::MaxTokens => json!({"reason": "length", "length": answer.output_tokens()}),
            Stop::StopSequence(ref s) => json!({"reason": "stop", "sequence": s}),
            Stop::EndTurn => json!({"reason": "endoftext"}),
        };
        let prompt_text = prompt
            .options
            .get("prompt")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let prompt_tokens = super::corpus::tokenize(prompt_text);
        to_bytes(&json!({
            "id": 1234,
            "prompt": {"text": prompt_text, "tokens": tokens_json(&prompt_tokens)},
            "completions": [{"data": {"text": answer.text(), "tokens": tokens_json(&answer.tokens)},
                "finishReason": reason}],
        }))
    }
}
