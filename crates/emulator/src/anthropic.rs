//! The emulator's Anthropic Claude: the Messages API (validation in Bedrock's wording, the
//! response body, the `message_start` … `message_stop` chunks, thinking blocks) and the legacy
//! Text Completions API (`\n\nHuman:` prompts, `completion` chunks).

use super::corpus::estimate_tokens;
use super::family::{
    Answer, EmulatedFamily, Prompt, Request, Stop, malformed, metrics_json, to_bytes,
};
use super::media::{self, Received};
use super::validate::{
    integer_in, number_in, object, optional_str, required, required_str, string_list,
};
use bedrock_tui_models::anthropic::ANTHROPIC_VERSION;
use bedrock_tui_models::anthropic_text::{ASSISTANT, HUMAN};
use bedrock_tui_models::attachments::Kind;
use bedrock_tui_models::catalog::ModelInfo;
use serde_json::{Value, json};

/// The emulated Claude Messages family.
pub(crate) struct AnthropicMessages;

/// The emulated Claude Text Completions family.
pub struct AnthropicText;

const ALLOWED_KEYS: &[&str] = &[
    "anthropic_version",
    "max_tokens",
    "messages",
    "system",
    "temperature",
    "top_p",
    "top_k",
    "stop_sequences",
    "tools",
    "tool_choice",
    "anthropic_beta",
    "thinking",
    "metadata",
];

/// The `model` member of responses: `claude-3-haiku-20240307` for
/// `anthropic.claude-3-haiku-20240307-v1:0`.
fn response_model_name(model: &ModelInfo) -> String {
    let name = model.id.strip_prefix("anthropic.").unwrap_or(&model.id);
    match name.rfind("-v") {
        Some(at) if name[at..].contains(':') => name[..at].to_string(),
        _ => name.to_string(),
    }
}

fn text_of(content: &Value) -> Result<String, String> {
    match content {
        Value::String(s) => Ok(s.clone()),
        Value::Array(blocks) => {
            let mut text = String::new();
            for (i, block) in blocks.iter().enumerate() {
                let kind = block.get("type").and_then(Value::as_str).ok_or_else(|| {
                    format!("messages: content block {i} is missing the required field `type`")
                })?;
                if kind == "text" {
                    let t = block.get("text").and_then(Value::as_str).ok_or_else(|| {
                        format!("messages: text content block {i} is missing `text`")
                    })?;
                    text.push_str(t);
                }
            }
            Ok(text)
        }
        _ => Err(malformed(
            "#/messages/content: expected type: String or JSONArray",
        )),
    }
}

/// A message's text, its image and document blocks checked and added to `received` (user
/// turns only, as Bedrock allows).
fn message_content(
    model: &ModelInfo,
    i: usize,
    role: &str,
    content: &Value,
    received: &mut Received,
) -> Result<String, String> {
    if let Value::Array(blocks) = content {
        for (j, block) in blocks.iter().enumerate() {
            let kind = match block.get("type").and_then(Value::as_str) {
                Some("image") => Kind::Image,
                Some("document") => Kind::Document,
                _ => continue,
            };
            let at = format!("messages.{i}.content.{j}");
            if role != "user" {
                return Err(format!(
                    "{at}: images and documents may only be in user messages"
                ));
            }
            let name = if kind == Kind::Image {
                "image"
            } else {
                "document"
            };
            let source = block
                .get("source")
                .and_then(Value::as_object)
                .ok_or_else(|| format!("{at}.{name}.source: Field required"))?;
            let source_type = source.get("type").and_then(Value::as_str).unwrap_or("");
            let media_type = source
                .get("media_type")
                .and_then(Value::as_str)
                .unwrap_or("");
            let data = source.get("data").and_then(Value::as_str).unwrap_or("");
            let allowed: &[&str] = if kind == Kind::Image {
                &["image/jpeg", "image/png", "image/gif", "image/webp"]
            } else {
                &["application/pdf"]
            };
            if source_type != "base64" {
                return Err(format!("{at}.{name}.source.type: Input should be 'base64'"));
            }
            if !allowed.contains(&media_type) {
                let quoted: Vec<String> = allowed.iter().map(|a| format!("'{a}'")).collect();
                return Err(format!(
                    "{at}.{name}.source.base64.media_type: Input should be {}",
                    quoted.join(", ")
                ));
            }
            let bytes = media::decode(data)
                .ok_or_else(|| format!("{at}.{name}.source.base64: invalid base64 data"))?;
            if kind == Kind::Image && bytes.len() > 3_750_000 {
                return Err(format!(
                    "{at}.image.source.base64: image exceeds 3.75 MB maximum: {} bytes > 3750000 bytes",
                    bytes.len()
                ));
            }
            received.take(
                model,
                &format!("{at}.{name}.source.base64"),
                kind,
                media_type,
                &bytes,
            )?;
            if kind == Kind::Document {
                received.pdf_pages +=
                    bedrock_tui_models::attachments::pdf_pages(&bytes).unwrap_or(0);
            }
        }
    }
    text_of(content)
}

impl EmulatedFamily for AnthropicMessages {
    fn parse_request(&self, request: &Request<'_>) -> Result<Prompt, String> {
        let model = request.model;
        let object = object(request.body, ALLOWED_KEYS)?;
        for key in ["anthropic_version", "max_tokens", "messages"] {
            required(object, "#", key)?;
        }
        match required_str(object, "#", "anthropic_version")? {
            ANTHROPIC_VERSION => {}
            other => {
                return Err(malformed(&format!(
                    "#/anthropic_version: {other} is not a valid enum value"
                )));
            }
        }
        let max_tokens = integer_in(object, "#", "max_tokens", 1, u64::MAX)?.unwrap_or(1);
        if max_tokens > u64::from(model.max_output_tokens) {
            return Err(format!(
                "max_tokens: {max_tokens} > {}, which is the maximum allowed number of output tokens for {}",
                model.max_output_tokens,
                response_model_name(model)
            ));
        }
        let temperature = number_in(object, "#", "temperature", 0.0, 1.0)?;
        let top_p = number_in(object, "#", "top_p", 0.0, 1.0)?;
        let top_k = number_in(object, "#", "top_k", 0.0, 500.0)?;
        if model.params.temperature_xor_top_p && temperature.is_some() && top_p.is_some() {
            return Err("The model returned the following errors: `temperature` and `top_p` cannot both be specified for this model. Please use only one.".to_string());
        }
        let thinking = thinking_budget(object, max_tokens)?;
        if thinking.is_some() {
            if !model.reasoning {
                return Err(format!(
                    "thinking: extended thinking is not supported by {}",
                    response_model_name(model)
                ));
            }
            if temperature.is_some_and(|t| (t - 1.0).abs() > f64::EPSILON)
                || top_p.is_some()
                || top_k.is_some()
            {
                return Err("`temperature` may only be set to 1 when thinking is enabled; `top_p` and `top_k` must be unset.".to_string());
            }
        }
        let stop_sequences = string_list(object, "#", "stop_sequences", 8191)?;
        let mut input = String::new();
        match object.get("system") {
            None | Some(Value::Null) => {}
            Some(system) => input.push_str(&text_of(system)?),
        }
        let messages = object
            .get("messages")
            .and_then(Value::as_array)
            .ok_or_else(|| malformed("#/messages: expected type: JSONArray"))?;
        if messages.is_empty() {
            return Err("messages: at least one message is required".to_string());
        }
        let mut last_user_text = String::new();
        let mut received = Received::default();
        for (i, message) in messages.iter().enumerate() {
            let role = message.get("role").and_then(Value::as_str).ok_or_else(|| {
                malformed(&format!("#/messages/{i}: required key [role] not found"))
            })?;
            if role != "user" && role != "assistant" {
                return Err(malformed(&format!(
                    "#/messages/{i}/role: {role} is not a valid enum value"
                )));
            }
            if i == 0 && role != "user" {
                return Err("messages: first message must use the \"user\" role".to_string());
            }
            // Consecutive turns of one role are accepted and read as one (recorded: a Claude 3.5
            // Sonnet stream after a tool result and a user message in a row).
            let content = message.get("content").ok_or_else(|| {
                malformed(&format!("#/messages/{i}: required key [content] not found"))
            })?;
            let text = message_content(model, i, role, content, &mut received)?;
            if role == "user" {
                last_user_text.clone_from(&text);
            }
            input.push_str(&text);
        }
        let tool_use = super::tool_use::claude::read(object, messages, thinking.is_some())?;
        received.within(Some(20), 0)?;
        if received.pdf_pages > 100 {
            return Err("A maximum of 100 PDF pages may be provided.".to_string());
        }
        Ok(Prompt {
            last_user_text,
            input_tokens: estimate_tokens(&input) + 8,
            max_tokens: max_tokens.min(u64::from(u32::MAX)) as u32,
            stop_sequences,
            reasoning: thinking.is_some(),
            options: Value::Null,
            received,
            cache: super::cache::CacheUse::default(),
            tool_use,
        })
    }

    fn response_body(
        &self,
        model: &ModelInfo,
        _prompt: &Prompt,
        answer: &Answer,
        request_id: &str,
    ) -> Vec<u8> {
        let (stop_reason, stop_sequence) = stop_fields(answer);
        let mut content = Vec::new();
        if !answer.reasoning.is_empty() {
            content.push(
                json!({"type": "thinking", "thinking": answer.reasoning_text(),
                "signature": signature(request_id)}),
            );
        }
        if !answer.tokens.is_empty() {
            content.push(json!({"type": "text", "text": answer.text()}));
        }
        content.extend(super::tool_use::claude::blocks(answer, request_id));
        to_bytes(&json!({
            "id": message_id(request_id),
            "type": "message",
            "role": "assistant",
            "model": response_model_name(model),
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": stop_sequence,
            "usage": claude_usage(answer, answer.output_tokens()),
        }))
    }

    fn stream_chunks(
        &self,
        model: &ModelInfo,
        _prompt: &Prompt,
        answer: &Answer,
        request_id: &str,
    ) -> Vec<Vec<u8>> {
        let (stop_reason, stop_sequence) = stop_fields(answer);
        let mut chunks = Vec::with_capacity(answer.tokens.len() + answer.reasoning.len() + 9);
        let start = json!({"type": "message_start", "message": {
            "id": message_id(request_id), "type": "message", "role": "assistant",
            "model": response_model_name(model), "content": [], "stop_reason": null,
            "stop_sequence": null,
            "usage": claude_usage(answer, 1)}});
        chunks.push(to_bytes(&start));
        let mut index = 0;
        if !answer.reasoning.is_empty() {
            chunks.push(to_bytes(
                &json!({"type": "content_block_start", "index": index,
                "content_block": {"type": "thinking", "thinking": ""}}),
            ));
            for token in &answer.reasoning {
                chunks.push(to_bytes(
                    &json!({"type": "content_block_delta", "index": index,
                    "delta": {"type": "thinking_delta", "thinking": token}}),
                ));
            }
            chunks.push(to_bytes(
                &json!({"type": "content_block_delta", "index": index,
                "delta": {"type": "signature_delta", "signature": signature(request_id)}}),
            ));
            chunks.push(to_bytes(
                &json!({"type": "content_block_stop", "index": index}),
            ));
            index += 1;
        }
        chunks.push(to_bytes(
            &json!({"type": "content_block_start", "index": index,
            "content_block": {"type": "text", "text": ""}}),
        ));
        for token in &answer.tokens {
            chunks.push(to_bytes(
                &json!({"type": "content_block_delta", "index": index,
                "delta": {"type": "text_delta", "text": token}}),
            ));
        }
        chunks.push(to_bytes(
            &json!({"type": "content_block_stop", "index": index}),
        ));
        chunks.extend(super::tool_use::claude::chunks(
            answer,
            request_id,
            index + 1,
        ));
        chunks.push(to_bytes(&json!({"type": "message_delta",
            "delta": {"stop_reason": stop_reason, "stop_sequence": stop_sequence},
            "usage": {"output_tokens": answer.output_tokens()}})));
        chunks.push(to_bytes(&json!({"type": "message_stop",
            "amazon-bedrock-invocationMetrics": metrics_json(answer)})));
        chunks
    }
}

/// `thinking: {"type": "enabled", "budget_tokens": N}` with `1024 <= N < max_tokens`.
fn thinking_budget(
    object: &serde_json::Map<String, Value>,
    max_tokens: u64,
) -> Result<Option<u64>, String> {
    let Some(thinking) =
        super::validate::nested(object, "#", "thinking", &["type", "budget_tokens"])?
    else {
        return Ok(None);
    };
    match optional_str(thinking, "#/thinking", "type")? {
        Some("disabled") => return Ok(None),
        Some("enabled") => {}
        Some(other) => {
            return Err(malformed(&format!(
                "#/thinking/type: {other} is not a valid enum value"
            )));
        }
        None => return Err(malformed("#/thinking: required key [type] not found")),
    }
    let budget = integer_in(thinking, "#/thinking", "budget_tokens", 1024, u64::MAX)?
        .ok_or_else(|| malformed("#/thinking: required key [budget_tokens] not found"))?;
    if budget >= max_tokens {
        return Err("`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size".to_string());
    }
    Ok(Some(budget))
}

fn signature(request_id: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("emulator-signature:{request_id}"))
}

const TEXT_KEYS: &[&str] = &[
    "prompt",
    "max_tokens_to_sample",
    "temperature",
    "top_p",
    "top_k",
    "stop_sequences",
    "anthropic_version",
];

impl EmulatedFamily for AnthropicText {
    fn parse_request(&self, request: &Request<'_>) -> Result<Prompt, String> {
        let object = object(request.body, TEXT_KEYS)?;
        let prompt = required_str(object, "#", "prompt")?;
        required(object, "#", "max_tokens_to_sample")?;
        let max_tokens = integer_in(
            object,
            "#",
            "max_tokens_to_sample",
            1,
            u64::from(request.model.max_output_tokens),
        )?
        .unwrap_or(1);
        number_in(object, "#", "temperature", 0.0, 1.0)?;
        number_in(object, "#", "top_p", 0.0, 1.0)?;
        number_in(object, "#", "top_k", 0.0, 500.0)?;
        let mut stop_sequences = string_list(object, "#", "stop_sequences", 8191)?;
        // Anthropic's own checks of the prompt, quoted as the service words them.
        let human = prompt.find(HUMAN).ok_or_else(|| {
            "prompt must start with \"\\n\\nHuman:\" turn after an optional system prompt"
                .to_string()
        })?;
        if prompt[..human].contains(ASSISTANT) {
            return Err(
                "prompt must start with \"\\n\\nHuman:\" turn after an optional system prompt"
                    .to_string(),
            );
        }
        // The last turn is the assistant's; text after its marker is a prefill the answer
        // continues (recorded: a Claude Instant prompt ending `\n\nAssistant: What makes…`).
        let last_human = prompt.rfind(HUMAN).unwrap_or(human) + HUMAN.len();
        let last_assistant = match prompt.rfind(ASSISTANT) {
            Some(at) if at >= last_human => at,
            _ => return Err("prompt must end with \"\\n\\nAssistant:\" turn".to_string()),
        };
        let last_user_text = prompt
            .get(last_human..last_assistant.max(last_human))
            .unwrap_or_default()
            .trim()
            .to_string();
        // The model always stops before a new human turn.
        stop_sequences.push(HUMAN.to_string());
        Ok(Prompt {
            last_user_text,
            input_tokens: estimate_tokens(prompt) + 2,
            max_tokens: max_tokens as u32,
            stop_sequences,
            reasoning: false,
            options: Value::Null,
            received: super::media::Received::default(),
            cache: super::cache::CacheUse::default(),
            tool_use: super::tool_use::ToolUse::default(),
        })
    }

    fn response_body(
        &self,
        _model: &ModelInfo,
        _prompt: &Prompt,
        answer: &Answer,
        _request_id: &str,
    ) -> Vec<u8> {
        let (stop_reason, stop) = text_stop(&answer.stop);
        to_bytes(
            &json!({"type": "completion", "completion": format!(" {}", answer.text()),
            "stop_reason": stop_reason, "stop": stop}),
        )
    }

    fn stream_chunks(
        &self,
        _model: &ModelInfo,
        _prompt: &Prompt,
        answer: &Answer,
        _request_id: &str,
    ) -> Vec<Vec<u8>> {
        let mut chunks: Vec<Vec<u8>> = answer
            .tokens
            .iter()
            .enumerate()
            .map(|(i, token)| {
                let text = if i == 0 {
                    format!(" {token}")
                } else {
                    token.clone()
                };
                to_bytes(&json!({"completion": text, "stop_reason": null, "stop": null}))
            })
            .collect();
        let (stop_reason, stop) = text_stop(&answer.stop);
        chunks.push(to_bytes(
            &json!({"completion": "", "stop_reason": stop_reason, "stop": stop,
            "amazon-bedrock-invocationMetrics": metrics_json(answer)}),
        ));
        chunks
    }
}

fn text_stop(stop: &Stop) -> (&'static str, Value) {
    match stop {
        Stop::MaxTokens => ("max_tokens", Value::Null),
        Stop::StopSequence(s) => ("stop_sequence", json!(s)),
        // A finished answer ends at the next human turn.
        Stop::EndTurn => ("stop_sequence", json!(HUMAN)),
    }
}

/// `stop_reason` and `stop_sequence`: `tool_use` when the answer calls tools.
fn stop_fields(answer: &Answer) -> (&'static str, Value) {
    if !answer.tool_calls.is_empty() {
        return ("tool_use", Value::Null);
    }
    match &answer.stop {
        Stop::EndTurn => ("end_turn", Value::Null),
        Stop::MaxTokens => ("max_tokens", Value::Null),
        Stop::StopSequence(s) => ("stop_sequence", json!(s)),
    }
}

/// A Messages `usage`: with the cache counters when the request had breakpoints.
fn claude_usage(answer: &Answer, output: u64) -> Value {
    let mut usage = json!({"input_tokens": answer.input_tokens, "output_tokens": output});
    if answer.cache.marked {
        usage["cache_creation_input_tokens"] = json!(answer.cache.write);
        usage["cache_read_input_tokens"] = json!(answer.cache.read);
    }
    usage
}

fn message_id(request_id: &str) -> String {
    let compact: String = request_id.chars().filter(|c| *c != '-').take(24).collect();
    format!("msg_bdrk_01{compact}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use bedrock_tui_models::catalog::lookup;

    fn model() -> &'static ModelInfo {
        lookup("anthropic.claude-3-haiku-20240307-v1:0").unwrap()
    }

    fn parse(model: &ModelInfo, body: &Value) -> Result<Prompt, String> {
        AnthropicMessages.parse_request(&Request {
            model,
            body,
            streaming: false,
            strict_templates: true,
        })
    }

    #[test]
    fn validates_like_bedrock() {
        let ok = json!({"anthropic_version":"bedrock-2023-05-31","max_tokens":10,
            "messages":[{"role":"user","content":"hi"}]});
        assert_eq!(parse(model(), &ok).unwrap().last_user_text, "hi");
        let cases = [
            (
                json!({"max_tokens":10,"messages":[]}),
                "required key [anthropic_version]",
            ),
            (
                json!({"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":[],"model":"x"}),
                "extraneous key [model]",
            ),
            (
                json!({"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":[]}),
                "at least one message",
            ),
            (
                json!({"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"temperature":2,
                    "messages":[{"role":"user","content":"a"}]}),
                "not less or equal to 1",
            ),
            (
                json!({"anthropic_version":"bedrock-2023-05-31","max_tokens":100_000,
                    "messages":[{"role":"user","content":"a"}]}),
                "maximum allowed number of output tokens for claude-3-haiku-20240307",
            ),
        ];
        for (body, expected) in cases {
            let err = parse(model(), &body).unwrap_err();
            assert!(err.contains(expected), "{err}");
        }
        let twice = json!({"anthropic_version":"bedrock-2023-05-31","max_tokens":10,
            "messages":[{"role":"user","content":"a"},{"role":"user","content":"b"}]});
        assert!(
            parse(model(), &twice).is_ok(),
            "two user turns in a row are accepted"
        );
        let xor = lookup("anthropic.claude-haiku-4-5-20251001-v1:0").unwrap();
        let both = json!({"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"temperature":0.5,
            "top_p":0.5,"messages":[{"role":"user","content":"a"}]});
        assert!(
            parse(xor, &both)
                .unwrap_err()
                .contains("cannot both be specified")
        );
    }
}
