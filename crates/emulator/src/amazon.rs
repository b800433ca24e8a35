//! The emulator's Amazon text models: Titan Text (`inputText`, `results`, `outputText`
//! chunks ending in `completionReason: FINISH` as recorded) and Nova (`messages` of content
//! blocks, one content block per streamed delta as recorded, a closing `metadata` chunk).

use super::corpus::estimate_tokens;
use super::family::{
    Answer, EmulatedFamily, Prompt, Request, Stop, malformed, metrics_json, to_bytes,
};
use super::media::{self, Received};
use super::validate::{
    integer_in, keys_allowed, kind, nested, number_in, object, optional_str, required_array,
    required_str, string_list,
};
use bedrock_tui_models::attachments::Kind;
use bedrock_tui_models::catalog::ModelInfo;
use serde_json::{Map, Value, json};

/// The emulated Titan Text family.
pub struct TitanText;

/// The emulated Nova family.
pub struct Nova;

fn titan_reason(stop: &Stop) -> &'static str {
    match stop {
        // Every recorded Titan response says FINISH (the AWS page says FINISHED).
        Stop::EndTurn => "FINISH",
        Stop::MaxTokens => "LENGTH",
        Stop::StopSequence(_) => "STOP_CRITERIA_MET",
    }
}

/// The text after the last `User:` of a `User: …\nBot:` prompt, or the whole prompt.
fn titan_user_text(input: &str) -> String {
    let body = input.trim_end().strip_suffix("Bot:").unwrap_or(input);
    match body.rfind("User:") {
        Some(at) => body[at + 5..].trim().to_string(),
        None => body.trim().to_string(),
    }
}

impl EmulatedFamily for TitanText {
    fn parse_request(&self, request: &Request<'_>) -> Result<Prompt, String> {
        let object = object(request.body, &["inputText", "textGenerationConfig"])?;
        let input = required_str(object, "#", "inputText")?;
        let limit = u64::from(request.model.max_output_tokens);
        let (mut max_tokens, mut stop_sequences) = (512.min(limit), Vec::new());
        if let Some(config) = nested(
            object,
            "#",
            "textGenerationConfig",
            &["temperature", "topP", "maxTokenCount", "stopSequences"],
        )? {
            let at = "#/textGenerationConfig";
            number_in(config, at, "temperature", 0.0, 1.0)?;
            number_in(config, at, "topP", 0.0, 1.0)?;
            if let Some(n) = integer_in(config, at, "maxTokenCount", 0, limit)? {
                max_tokens = n;
            }
            stop_sequences = string_list(config, at, "stopSequences", 4)?;
        }
        Ok(Prompt {
            last_user_text: titan_user_text(input),
            input_tokens: estimate_tokens(input),
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
        _id: &str,
    ) -> Vec<u8> {
        to_bytes(&json!({
            "inputTextTokenCount": answer.input_tokens,
            "results": [{"tokenCount": answer.output_tokens(), "outputText": format!("\n{}", answer.text()),
                "completionReason": titan_reason(&answer.stop)}],
        }))
    }

    fn stream_chunks(
        &self,
        _model: &ModelInfo,
        _prompt: &Prompt,
        answer: &Answer,
        _id: &str,
    ) -> Vec<Vec<u8>> {
        // Recorded Titan chunks leave unused members out rather than sending null.
        let mut chunks: Vec<Vec<u8>> = answer
            .tokens
            .iter()
            .enumerate()
            .map(|(i, token)| {
                if i == 0 {
                    to_bytes(&json!({"outputText": format!("\n{token}"), "index": 0,
                        "inputTextTokenCount": answer.input_tokens}))
                } else {
                    to_bytes(&json!({"outputText": token, "index": 0}))
                }
            })
            .collect();
        chunks.push(to_bytes(&json!({"outputText": "", "index": 0,
            "totalOutputTextTokenCount": answer.output_tokens(),
            "completionReason": titan_reason(&answer.stop),
            "amazon-bedrock-invocationMetrics": metrics_json(answer)})));
        chunks
    }
}

const NOVA_KEYS: &[&str] = &[
    "messages",
    "system",
    "inferenceConfig",
    "schemaVersion",
    "toolConfig",
];
const NOVA_CONFIG_KEYS: &[&str] = &[
    "maxTokens",
    "temperature",
    "topP",
    "topK",
    "stopSequences",
    "reasoningConfig",
    // Widespread in copied samples; accepted [unverified whether honoured].
    "max_new_tokens",
    "top_p",
    "top_k",
];

fn nova_text(content: &Value, at: &str) -> Result<String, String> {
    let blocks = content.as_array().ok_or_else(|| {
        malformed(&format!(
            "{at}/content: expected type: JSONArray, found: {}",
            kind(content)
        ))
    })?;
    let mut text = String::new();
    for (i, block) in blocks.iter().enumerate() {
        let block = block
            .as_object()
            .ok_or_else(|| malformed(&format!("{at}/content/{i}: expected type: JSONObject")))?;
        if let Some(t) = block.get("text") {
            text.push_str(t.as_str().ok_or_else(|| {
                malformed(&format!("{at}/content/{i}/text: expected type: String"))
            })?);
        }
    }
    Ok(text)
}

/// Checks a Nova message's image and video blocks (`{"image": {"format", "source":
/// {"bytes"}}}`) and adds them to `received`; documents go through Converse only, so Invoke's
/// schema has no `document` block [unverified wording].
fn nova_media(
    model: &ModelInfo,
    content: &Value,
    at: &str,
    role: &str,
    received: &mut Received,
) -> Result<(), String> {
    let Some(blocks) = content.as_array() else {
        return Ok(());
    };
    for (i, block) in blocks.iter().enumerate() {
        let at = format!("{at}/content/{i}");
        if block.get("document").is_some() {
            return Err(malformed(&format!(
                "{at}: extraneous key [document] is not permitted"
            )));
        }
        let (name, kind) = if block.get("image").is_some() {
            ("image", Kind::Image)
        } else if block.get("video").is_some() {
            ("video", Kind::Video)
        } else {
            continue;
        };
        if role != "user" {
            return Err(format!(
                "Only user messages can include {name}s. Remove the {name} from the assistant message and try again."
            ));
        }
        let at = format!("{at}/{name}");
        let media = &block[name];
        let format = media
            .get("format")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed(&format!("{at}: required key [format] not found")))?;
        let formats: &[&str] = if kind == Kind::Image {
            &["png", "jpeg", "gif", "webp"]
        } else {
            &[
                "mkv", "mov", "mp4", "webm", "three_gp", "flv", "mpeg", "mpg", "wmv",
            ]
        };
        if !formats.contains(&format) {
            return Err(malformed(&format!(
                "{at}/format: {format} is not a valid enum value"
            )));
        }
        let source = media
            .get("source")
            .ok_or_else(|| malformed(&format!("{at}: required key [source] not found")))?;
        let bytes = source
            .get("bytes")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed(&format!("{at}/source: required key [bytes] not found")))?;
        let bytes = media::decode(bytes).ok_or_else(|| {
            malformed(&format!("{at}/source/bytes: the value is not valid base64"))
        })?;
        received.take(model, &at, kind, format, &bytes)?;
    }
    Ok(())
}

/// `stopReason`: `tool_use` when the answer calls tools.
fn nova_reason(answer: &Answer) -> &'static str {
    if !answer.tool_calls.is_empty() {
        return "tool_use";
    }
    match answer.stop {
        Stop::EndTurn => "end_turn",
        Stop::MaxTokens => "max_tokens",
        Stop::StopSequence(_) => "stop_sequence",
    }
}

fn reasoning_enabled(config: Option<&Map<String, Value>>) -> Result<bool, String> {
    let Some(config) = config else {
        return Ok(false);
    };
    let Some(reasoning) = nested(
        config,
        "#/inferenceConfig",
        "reasoningConfig",
        &["type", "maxReasoningEffort"],
    )?
    else {
        return Ok(false);
    };
    let at = "#/inferenceConfig/reasoningConfig";
    if let Some(effort) = optional_str(reasoning, at, "maxReasoningEffort")?
        && !["low", "medium", "high"].contains(&effort)
    {
        return Err(malformed(&format!(
            "{at}/maxReasoningEffort: {effort} is not a valid enum value"
        )));
    }
    match optional_str(reasoning, at, "type")? {
        Some("enabled") => Ok(true),
        Some("disabled") | None => Ok(false),
        Some(other) => Err(malformed(&format!(
            "{at}/type: {other} is not a valid enum value"
        ))),
    }
}

impl EmulatedFamily for Nova {
    fn parse_request(&self, request: &Request<'_>) -> Result<Prompt, String> {
        let object = object(request.body, NOVA_KEYS)?;
        let messages = required_array(object, "#", "messages")?;
        let mut input = String::new();
        match object.get("system") {
            None | Some(Value::Null) => {}
            Some(Value::Array(blocks)) if !blocks.is_empty() => {
                input.push_str(&nova_text(&json!(blocks), "#/system")?);
            }
            Some(Value::Array(_)) => {
                return Err(malformed(
                    "#/system: expected minimum item count: 1, found: 0",
                ));
            }
            Some(v) => {
                return Err(malformed(&format!(
                    "#/system: expected type: JSONArray, found: {}",
                    kind(v)
                )));
            }
        }
        let mut last_user_text = String::new();
        let mut previous = None;
        let mut received = Received::default();
        for (i, message) in messages.iter().enumerate() {
            let at = format!("#/messages/{i}");
            let message = message
                .as_object()
                .ok_or_else(|| malformed(&format!("{at}: expected type: JSONObject")))?;
            keys_allowed(message, &at, &["role", "content"])?;
            let role = required_str(message, &at, "role")?;
            if role != "user" && role != "assistant" {
                return Err(malformed(&format!(
                    "{at}/role: {role} is not a valid enum value"
                )));
            }
            if i == 0 && role != "user" {
                return Err("A conversation must start with a user message. Try again with a conversation that starts with a user message.".to_string());
            }
            if previous == Some(role) {
                return Err("A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.".to_string());
            }
            previous = Some(role);
            let content = message
                .get("content")
                .ok_or_else(|| malformed(&format!("{at}: required key [content] not found")))?;
            nova_media(request.model, content, &at, role, &mut received)?;
            let text = nova_text(content, &at)?;
            if role == "user" {
                last_user_text.clone_from(&text);
            }
            input.push_str(&text);
        }
        let config = nested(object, "#", "inferenceConfig", NOVA_CONFIG_KEYS)?;
        let limit = u64::from(request.model.max_output_tokens);
        let mut max_tokens = limit.min(5000);
        let mut stop_sequences = Vec::new();
        if let Some(config) = config {
            let at = "#/inferenceConfig";
            for key in ["maxTokens", "max_new_tokens"] {
                if let Some(n) = integer_in(config, at, key, 1, limit)? {
                    max_tokens = n;
                }
            }
            number_in(config, at, "temperature", 0.0, 1.0)?;
            number_in(config, at, "topP", 0.0, 1.0)?;
            number_in(config, at, "top_p", 0.0, 1.0)?;
            integer_in(config, at, "topK", 0, 128)?;
            integer_in(config, at, "top_k", 0, 128)?;
            stop_sequences = string_list(config, at, "stopSequences", 4)?;
        }
        let reasoning = reasoning_enabled(config)?;
        if reasoning && !request.model.reasoning {
            return Err("This model doesn't support the reasoningConfig field. Remove reasoningConfig and try again.".to_string());
        }
        let nova_2 = request.model.id.starts_with("amazon.nova-2");
        received.within(nova_2.then_some(5), 1)?;
        let tool_use = super::tool_use::nova::read(object, messages)?;
        Ok(Prompt {
            last_user_text,
            input_tokens: estimate_tokens(&input) + 4,
            max_tokens: max_tokens as u32,
            stop_sequences,
            reasoning,
            options: Value::Null,
            received,
            cache: super::cache::CacheUse::default(),
            tool_use,
        })
    }

    fn response_body(
        &self,
        _model: &ModelInfo,
        _prompt: &Prompt,
        answer: &Answer,
        id: &str,
    ) -> Vec<u8> {
        let mut content = Vec::new();
        if !answer.reasoning.is_empty() {
            // The Nova 2 page: reasoning text comes back redacted.
            content.push(json!({"reasoningContent": {"reasoningText": {"text": "[REDACTED]"}}}));
        }
        content.push(json!({"text": answer.text()}));
        content.extend(super::tool_use::nova::blocks(answer, id));
        let output = answer.output_tokens();
        to_bytes(&json!({
            "output": {"message": {"content": content, "role": "assistant"}},
            "stopReason": nova_reason(answer),
            "usage": {"inputTokens": answer.input_tokens, "outputTokens": output,
                "totalTokens": answer.input_tokens + output,
                "cacheReadInputTokenCount": answer.cache.read,
                "cacheWriteInputTokenCount": answer.cache.write},
        }))
    }

    fn stream_chunks(
        &self,
        _model: &ModelInfo,
        _prompt: &Prompt,
        answer: &Answer,
        id: &str,
    ) -> Vec<Vec<u8>> {
        let mut chunks = vec![to_bytes(&json!({"messageStart": {"role": "assistant"}}))];
        let mut index = 0;
        if !answer.reasoning.is_empty() {
            chunks.push(to_bytes(&json!({"contentBlockDelta": {"delta": {"reasoningContent": {"text": "[REDACTED]"}}, "contentBlockIndex": index}})));
            chunks.push(to_bytes(
                &json!({"contentBlockStop": {"contentBlockIndex": index}}),
            ));
            index += 1;
        }
        // As recorded: every delta is its own content block, closed right after.
        for token in &answer.tokens {
            chunks.push(to_bytes(&json!({"contentBlockDelta": {"delta": {"text": token}, "contentBlockIndex": index}})));
            chunks.push(to_bytes(
                &json!({"contentBlockStop": {"contentBlockIndex": index}}),
            ));
            index += 1;
        }
        chunks.extend(super::tool_use::nova::chunks(answer, id, index));
        chunks.push(to_bytes(
            &json!({"messageStop": {"stopReason": nova_reason(answer)}}),
        ));
        let output = answer.output_tokens();
        let mut metrics = metrics_json(answer);
        metrics["cacheReadInputTokenCount"] = json!(answer.cache.read);
        metrics["cacheWriteInputTokenCount"] = json!(answer.cache.write);
        chunks.push(to_bytes(&json!({
            "metadata": {"usage": {"inputTokens": answer.input_tokens, "outputTokens": output,
                "cacheReadInputTokenCount": answer.cache.read,
                "cacheWriteInputTokenCount": answer.cache.write},
                "metrics": {}, "trace": {}},
            "amazon-bedrock-invocationMetrics": metrics})));
        chunks
    }
}
