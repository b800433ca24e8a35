//! The emulator's Converse and ConverseStream, for every text model it serves: the request's
//! messages of content blocks, system list, `inferenceConfig` and the family's own fields in
//! `additionalModelRequestFields` checked; the answer as Converse's `output.message` with
//! `usage` and `metrics`, or as ConverseStream events (`messageStart`, one text block whose
//! deltas share an index, `contentBlockStop`, `messageStop`, `metadata`), as recorded.
//!
//! Wording of shape errors follows the emulator's other families [unverified for Converse];
//! the conversation rules use Bedrock's recorded sentences.

use super::corpus::estimate_tokens;
use super::family::{Answer, EmulatedFamily, Prompt, Request, Stop, malformed, to_bytes};
use super::media::{self, Received};
use super::validate::{integer_in, kind, nested, number_in, object, required_array, string_list};
use bedrock_tui_models::attachments::Kind;
use bedrock_tui_models::catalog::ModelInfo;
use serde_json::{Map, Value, json};

/// The emulated Converse API.
pub struct Converse;

/// The members of a Converse request body (botocore `ConverseRequest`, path member aside).
const REQUEST_KEYS: &[&str] = &[
    "messages",
    "system",
    "inferenceConfig",
    "toolConfig",
    "guardrailConfig",
    "additionalModelRequestFields",
    "additionalModelResponseFieldPaths",
    "promptVariables",
    "requestMetadata",
    "performanceConfig",
    "serviceTier",
    "outputConfig",
];

/// The content blocks a message may hold.
const BLOCK_KEYS: &[&str] = &[
    "text",
    "image",
    "document",
    "video",
    "audio",
    "toolUse",
    "toolResult",
    "reasoningContent",
    "cachePoint",
    "guardContent",
    "citationsContent",
    "searchResult",
    "toolAddition",
    "toolRemoval",
];

/// Document formats Converse takes.
const DOCUMENT_FORMATS: &[&str] = &[
    "pdf", "csv", "doc", "docx", "xls", "xlsx", "html", "txt", "md",
];

/// What Converse says to a model that writes no text.
pub(crate) const NOT_A_TEXT_MODEL: &str = "This action doesn't support the model that you provided. Try again with a supported text or chat model.";

/// The guardrail, latency and tier a Converse body names, where InvokeModel has headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BodyOptions {
    /// `guardrailConfig.guardrailIdentifier`.
    pub guardrail_identifier: Option<String>,
    /// `guardrailConfig.guardrailVersion`.
    pub guardrail_version: Option<String>,
    /// `guardrailConfig.trace` is `enabled` or `enabled_full`.
    pub trace: bool,
    /// `performanceConfig.latency`.
    pub latency: Option<String>,
    /// `serviceTier.type`.
    pub tier: Option<String>,
}

/// Reads the options a Converse body carries.
pub(crate) fn body_options(body: &Value) -> BodyOptions {
    let text = |pointer: &str| {
        body.pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    BodyOptions {
        guardrail_identifier: text("/guardrailConfig/guardrailIdentifier"),
        guardrail_version: text("/guardrailConfig/guardrailVersion"),
        trace: matches!(
            text("/guardrailConfig/trace").as_deref(),
            Some("enabled" | "enabled_full")
        ),
        latency: text("/performanceConfig/latency"),
        tier: text("/serviceTier/type"),
    }
}

/// The text of a message's blocks, and its files checked and counted.
fn read_blocks(
    model: &ModelInfo,
    content: &Value,
    at: &str,
    role: &str,
    received: &mut Received,
) -> Result<String, String> {
    let blocks = content
        .as_array()
        .ok_or_else(|| malformed(&format!("{at}/content: expected type: JSONArray")))?;
    if blocks.is_empty() {
        return Err(format!(
            "The content field in the Message object at {} is empty. Add a ContentBlock object to the content field and try again.",
            at.trim_start_matches("#/").replace('/', ".")
        ));
    }
    let mut text = String::new();
    let mut documents = false;
    let mut texts = false;
    for (i, block) in blocks.iter().enumerate() {
        let at = format!("{at}/content/{i}");
        let block = block
            .as_object()
            .ok_or_else(|| malformed(&format!("{at}: expected type: JSONObject")))?;
        let mut keys = block.keys();
        let (Some(key), None) = (keys.next(), keys.next()) else {
            return Err(malformed(&format!(
                "{at}: a content block must have exactly one member"
            )));
        };
        if !BLOCK_KEYS.contains(&key.as_str()) {
            return Err(malformed(&format!(
                "{at}: extraneous key [{key}] is not permitted"
            )));
        }
        let value = &block[key];
        match key.as_str() {
            "text" => {
                let piece = value
                    .as_str()
                    .ok_or_else(|| malformed(&format!("{at}/text: expected type: String")))?;
                text.push_str(piece);
                texts = true;
            }
            "image" | "video" | "document" => {
                if role != "user" {
                    return Err(format!(
                        "Only user messages can include {key}s. Remove the {key} from the assistant message and try again."
                    ));
                }
                let at = format!("{at}/{key}");
                let format = value
                    .get("format")
                    .and_then(Value::as_str)
                    .ok_or_else(|| malformed(&format!("{at}: required key [format] not found")))?;
                let (file_kind, formats): (Kind, &[&str]) = match key.as_str() {
                    "image" => (Kind::Image, &["png", "jpeg", "gif", "webp"]),
                    "video" => (
                        Kind::Video,
                        &[
                            "mkv", "mov", "mp4", "webm", "three_gp", "flv", "mpeg", "mpg", "wmv",
                        ],
                    ),
                    _ => (Kind::Document, DOCUMENT_FORMATS),
                };
                if !formats.contains(&format) {
                    return Err(malformed(&format!(
                        "{at}/format: {format} is not a valid enum value"
                    )));
                }
                let source = value
                    .get("source")
                    .and_then(Value::as_object)
                    .ok_or_else(|| malformed(&format!("{at}: required key [source] not found")))?;
                // A document may come as text, as text blocks, or from S3; the emulator reads
                // no S3, so such a file is taken unseen.
                if file_kind == Kind::Document
                    && (source.contains_key("text") || source.contains_key("content"))
                    || source.contains_key("s3Location")
                {
                    documents |= file_kind == Kind::Document;
                    continue;
                }
                let bytes = source.get("bytes").and_then(Value::as_str).ok_or_else(|| {
                    malformed(&format!("{at}/source: required key [bytes] not found"))
                })?;
                let bytes = media::decode(bytes).ok_or_else(|| {
                    malformed(&format!("{at}/source/bytes: the value is not valid base64"))
                })?;
                if file_kind == Kind::Document {
                    documents = true;
                    if value.get("name").and_then(Value::as_str).is_none() {
                        return Err(malformed(&format!("{at}: required key [name] not found")));
                    }
                    // Text formats are taken as they are; a binary one is told by its bytes.
                    if !matches!(format, "csv" | "html" | "txt" | "md") {
                        received.take_document(&at, format, &bytes)?;
                    }
                } else {
                    received.take(model, &at, file_kind, format, &bytes)?;
                }
            }
            "reasoningContent" if role != "assistant" => {
                return Err(malformed(&format!(
                    "{at}: reasoningContent is only allowed in assistant messages"
                )));
            }
            _ => {}
        }
    }
    if documents && !texts {
        return Err("A document block must be accompanied by a text block. Add a text block to the message and try again.".to_string());
    }
    Ok(text)
}

/// Whether `additionalModelRequestFields` turn reasoning on: Claude's `reasoning_config` or
/// `thinking`, Nova's `reasoningConfig`.
fn reasoning_asked(fields: Option<&Value>) -> bool {
    let Some(fields) = fields else {
        return false;
    };
    [
        "/reasoning_config/type",
        "/thinking/type",
        "/reasoningConfig/type",
    ]
    .iter()
    .any(|pointer| fields.pointer(pointer).and_then(Value::as_str) == Some("enabled"))
}

fn stop_reason(answer: &Answer) -> &'static str {
    if answer.guardrail.as_ref().is_some_and(|v| v.intervened) {
        return "guardrail_intervened";
    }
    if !answer.tool_calls.is_empty() {
        return "tool_use";
    }
    match answer.stop {
        Stop::EndTurn => "end_turn",
        Stop::MaxTokens => "max_tokens",
        Stop::StopSequence(_) => "stop_sequence",
    }
}

/// Converse's `usage`: input, output, their total and the cache counters.
fn usage(answer: &Answer) -> Value {
    let output = answer.output_tokens();
    json!({
        "inputTokens": answer.input_tokens,
        "outputTokens": output,
        "totalTokens": answer.input_tokens + output + answer.cache.read + answer.cache.write,
        "cacheReadInputTokens": answer.cache.read,
        "cacheWriteInputTokens": answer.cache.write,
        "serverToolUsage": {},
    })
}

/// The guardrail's trace as Converse carries it (`trace.guardrail` with `inputAssessment` by
/// guardrail id), from the assessment InvokeModel's trace would carry.
fn trace(answer: &Answer) -> Option<Value> {
    let input = answer
        .guardrail
        .as_ref()?
        .trace
        .as_ref()?
        .pointer("/guardrail/input")?
        .clone();
    Some(json!({"guardrail": {"inputAssessment": input}}))
}

/// A signature the emulator gives a reasoning block (what it hands back unchanged).
fn signature(request_id: &str) -> String {
    format!("emulator-signature-{request_id}")
}

impl EmulatedFamily for Converse {
    fn parse_request(&self, request: &Request<'_>) -> Result<Prompt, String> {
        let object = object(request.body, REQUEST_KEYS)?;
        let messages = required_array(object, "#", "messages")?;
        let model = request.model;
        let mut input = String::new();
        match object.get("system") {
            None | Some(Value::Null) => {}
            Some(Value::Array(blocks)) => {
                for (i, block) in blocks.iter().enumerate() {
                    if let Some(text) = block.get("text") {
                        input.push_str(text.as_str().ok_or_else(|| {
                            malformed(&format!("#/system/{i}/text: expected type: String"))
                        })?);
                    }
                }
            }
            Some(other) => {
                return Err(malformed(&format!(
                    "#/system: expected type: JSONArray, found: {}",
                    kind(other)
                )));
            }
        }
        let mut last_user_text = String::new();
        let mut received = Received::default();
        for (i, message) in messages.iter().enumerate() {
            let at = format!("#/messages/{i}");
            let message = message
                .as_object()
                .ok_or_else(|| malformed(&format!("{at}: expected type: JSONObject")))?;
            let role = message
                .get("role")
                .and_then(Value::as_str)
                .ok_or_else(|| malformed(&format!("{at}: required key [role] not found")))?;
            // `system` became a role on 2026-05-28.
            if !matches!(role, "user" | "assistant" | "system") {
                return Err(malformed(&format!(
                    "{at}/role: {role} is not a valid enum value"
                )));
            }
            if i == 0 && role != "user" {
                return Err("A conversation must start with a user message. Try again with a conversation that starts with a user message.".to_string());
            }
            // Two user messages in a row are taken (recorded: Titan Text Express through
            // Converse, openllmetry `test_guardrail_converse`).
            let content = message
                .get("content")
                .ok_or_else(|| malformed(&format!("{at}: required key [content] not found")))?;
            let text = read_blocks(model, content, &at, role, &mut received)?;
            if role == "user" {
                last_user_text.clone_from(&text);
            }
            input.push_str(&text);
        }
        received.within(Some(20), 1)?;
        if received.documents > 5 {
            return Err(format!(
                "Too many documents: {} were provided; the maximum is 5.",
                received.documents
            ));
        }
        let limit = u64::from(model.max_output_tokens);
        let mut max_tokens = limit.min(4096);
        let mut stop_sequences = Vec::new();
        if let Some(config) = nested(
            object,
            "#",
            "inferenceConfig",
            &["maxTokens", "temperature", "topP", "stopSequences"],
        )? {
            let at = "#/inferenceConfig";
            if let Some(n) = integer_in(config, at, "maxTokens", 1, limit)? {
                max_tokens = n;
            }
            number_in(config, at, "temperature", 0.0, 1.0)?;
            number_in(config, at, "topP", 0.0, 1.0)?;
            stop_sequences = string_list(config, at, "stopSequences", 2500)?;
        }
        let additional = object.get("additionalModelRequestFields");
        if additional.is_some_and(|v| !v.is_object() && !v.is_null()) {
            return Err(malformed(
                "#/additionalModelRequestFields: expected type: JSONObject",
            ));
        }
        let reasoning = reasoning_asked(additional);
        if reasoning && !model.reasoning {
            return Err("The model returned the following errors: reasoning is not supported by this model.".to_string());
        }
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
            content.push(json!({"reasoningContent": {"reasoningText":
                {"text": answer.reasoning_text(), "signature": signature(id)}}}));
        }
        content.push(json!({"text": answer.text()}));
        content.extend(super::tool_use::nova::blocks(answer, id));
        let mut body = json!({
            "metrics": {"latencyMs": answer.metrics.invocation_latency.unwrap_or(0)},
            "output": {"message": {"content": content, "role": "assistant"}},
            "stopReason": stop_reason(answer),
            "usage": usage(answer),
        });
        if let Some(trace) = trace(answer) {
            body["trace"] = trace;
        }
        to_bytes(&body)
    }

    fn stream_chunks(
        &self,
        _model: &ModelInfo,
        _prompt: &Prompt,
        answer: &Answer,
        id: &str,
    ) -> Vec<Vec<u8>> {
        let mut events = vec![to_bytes(&json!({"messageStart": {"role": "assistant"}}))];
        let mut index = 0;
        if !answer.reasoning.is_empty() {
            for token in &answer.reasoning {
                events.push(to_bytes(
                    &json!({"contentBlockDelta": {"contentBlockIndex": index,
                    "delta": {"reasoningContent": {"text": token}}}}),
                ));
            }
            events.push(to_bytes(
                &json!({"contentBlockDelta": {"contentBlockIndex": index,
                "delta": {"reasoningContent": {"signature": signature(id)}}}}),
            ));
            events.push(to_bytes(
                &json!({"contentBlockStop": {"contentBlockIndex": index}}),
            ));
            index += 1;
        }
        // As recorded: one text block, every delta on its index, no contentBlockStart.
        for token in &answer.tokens {
            events.push(to_bytes(
                &json!({"contentBlockDelta": {"contentBlockIndex": index,
                "delta": {"text": token}}}),
            ));
        }
        events.push(to_bytes(
            &json!({"contentBlockStop": {"contentBlockIndex": index}}),
        ));
        events.extend(super::tool_use::nova::chunks(answer, id, index + 1));
        events.push(to_bytes(
            &json!({"messageStop": {"stopReason": stop_reason(answer)}}),
        ));
        let mut metadata = json!({
            "metrics": {"latencyMs": answer.metrics.invocation_latency.unwrap_or(0)},
            "usage": usage(answer),
        });
        if let Some(trace) = trace(answer) {
            metadata["trace"] = trace;
        }
        events.push(to_bytes(&json!({ "metadata": metadata })));
        events
    }
}

/// A ConverseStream event given as `{"<event type>": {…}}` split into its type and payload.
pub(crate) fn event_parts(event: &[u8]) -> Option<(String, Map<String, Value>)> {
    let Value::Object(object) = serde_json::from_slice(event).ok()? else {
        return None;
    };
    let (kind, payload) = object.into_iter().next()?;
    match payload {
        Value::Object(payload) => Some((kind, payload)),
        _ => None,
    }
}
