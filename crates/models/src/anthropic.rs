//! Anthropic Claude through the Messages API (`anthropic_version: bedrock-2023-05-31`): request
//! body, response body and the stream events (`message_start` … `message_stop`).

use super::tool_use::{ToolResult, ToolSpec};
use super::turns::{alternating_with_tools, system};
use super::{
    ChunkDelta, Completion, Conversation, FamilyId, InvocationMetrics, ModelError, ModelFamily,
    Parameters, Role, Usage, lenient, lenient_u64,
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::borrow::Cow;

/// The `anthropic_version` Bedrock requires.
pub const ANTHROPIC_VERSION: &str = "bedrock-2023-05-31";
/// `max_tokens` when the user sets none (the field is required).
pub(crate) const DEFAULT_MAX_TOKENS: u32 = 4096;

/// The Claude Messages adapter.
#[derive(Debug, Clone, Copy)]
pub struct Anthropic;

/// Turns a conversation into Messages-API turns (alternating, starting with the user): tool
/// results first in their user turn (Anthropic wants them before anything else), then files,
/// then the text; an answer's text before its `tool_use` blocks.
/// With thinking on, an answer that called tools begins with its signed thinking block (and
/// any redacted ones), as Anthropic requires of a tool turn.
fn messages(conversation: &Conversation, thinking: bool) -> Result<Vec<Value>, ModelError> {
    Ok(alternating_with_tools(conversation)?
        .into_iter()
        .map(|turn| {
            let role = match turn.role {
                Role::User => "user",
                Role::Assistant => "assistant",
            };
            let mut content: Vec<Value> = Vec::new();
            if let Some((text, signed)) = turn.thinking.as_ref().filter(|_| thinking) {
                if !signed.signature.is_empty() {
                    content.push(json!({"type": "thinking", "thinking": text,
                        "signature": signed.signature}));
                }
                for data in &signed.redacted {
                    content.push(json!({"type": "redacted_thinking", "data": data}));
                }
            }
            content.extend(turn.tool_results.iter().map(result_block));
            content.extend(turn.attachments.iter().map(media_block));
            if !turn.text.trim().is_empty() {
                content.push(json!({"type": "text", "text": turn.text}));
            }
            content.extend(turn.tool_calls.iter().map(|call| {
                json!({"type": "tool_use", "id": call.id, "name": call.name,
                    "input": call.arguments()})
            }));
            json!({"role": role, "content": content})
        })
        .collect())
}

/// A tool's result as a `tool_result` block (`is_error` when it failed).
fn result_block(result: &ToolResult) -> Value {
    let mut block = json!({
        "type": "tool_result",
        "tool_use_id": result.id,
        "content": [{"type": "text", "text": result.content}],
    });
    if result.is_error {
        block["is_error"] = json!(true);
    }
    block
}

/// The tools as Claude's `tools` member.
fn tool_definitions(tools: &[ToolSpec]) -> Value {
    tools
        .iter()
        .map(|t| json!({"name": t.name, "description": t.description, "input_schema": t.input_schema}))
        .collect()
}

/// An image or PDF as a Messages content block (base64 with its media type); files go before
/// the text, as Anthropic advises.
fn media_block(attachment: &crate::attachments::Attachment) -> Value {
    let kind = match attachment.kind() {
        crate::attachments::Kind::Image => "image",
        _ => "document",
    };
    json!({
        "type": kind,
        "source": {
            "type": "base64",
            "media_type": attachment.media.mime(),
            "data": attachment.base64(),
        }
    })
}

#[derive(Deserialize)]
struct ResponseBody<'a> {
    #[serde(default, borrow)]
    content: Vec<Block<'a>>,
    #[serde(default)]
    stop_reason: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    usage: Option<UsageBody>,
}

#[derive(Deserialize)]
struct Block<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    text: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    thinking: Option<Cow<'a, str>>,
    /// A thinking block's signature, a redacted block's data.
    #[serde(default)]
    signature: Option<String>,
    #[serde(default)]
    data: Option<String>,
    /// A `tool_use` block's id, tool and arguments.
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    input: Option<Value>,
}

/// A whole `tool_use` block as a tool-call piece (its arguments as JSON text; a stream's
/// start block carries `{}` and the arguments follow as deltas).
fn tool_piece(index: u64, block: &Block<'_>, with_input: bool) -> crate::tool_use::ToolCallDelta {
    crate::tool_use::ToolCallDelta {
        index,
        id: block.id.clone(),
        name: block.name.clone(),
        input: if with_input {
            block
                .input
                .as_ref()
                .map(Value::to_string)
                .unwrap_or_default()
        } else {
            String::new()
        },
    }
}

#[derive(Deserialize, Default)]
#[allow(clippy::struct_field_names)] // The names are Anthropic's.
struct UsageBody {
    #[serde(default, deserialize_with = "lenient_u64")]
    input_tokens: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    output_tokens: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    cache_read_input_tokens: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    cache_creation_input_tokens: Option<u64>,
}

impl From<UsageBody> for Usage {
    fn from(u: UsageBody) -> Self {
        Usage {
            input_tokens: u.input_tokens,
            output_tokens: u.output_tokens,
            cache_read_tokens: u.cache_read_input_tokens,
            cache_write_tokens: u.cache_creation_input_tokens,
        }
    }
}

#[derive(Deserialize)]
struct Event<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    delta: Option<EventDelta<'a>>,
    #[serde(default, borrow)]
    content_block: Option<Block<'a>>,
    #[serde(default)]
    message: Option<StartMessage>,
    #[serde(default, deserialize_with = "lenient")]
    usage: Option<UsageBody>,
    #[serde(default)]
    error: Option<Value>,
    #[serde(default)]
    index: Option<u64>,
    #[serde(
        default,
        rename = "amazon-bedrock-invocationMetrics",
        deserialize_with = "lenient"
    )]
    metrics: Option<InvocationMetrics>,
}

#[derive(Deserialize)]
struct EventDelta<'a> {
    #[serde(default, rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    text: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    thinking: Option<Cow<'a, str>>,
    #[serde(default)]
    stop_reason: Option<String>,
    #[serde(default)]
    partial_json: Option<String>,
    #[serde(default)]
    signature: Option<String>,
}

#[derive(Deserialize)]
struct StartMessage {
    #[serde(default, deserialize_with = "lenient")]
    usage: Option<UsageBody>,
}

impl ModelFamily for Anthropic {
    fn id(&self) -> FamilyId {
        FamilyId::Anthropic
    }

    fn build_body(
        &self,
        conversation: &Conversation,
        params: &Parameters,
        _streaming: bool,
    ) -> Result<Value, ModelError> {
        let mut body = json!({
            "anthropic_version": ANTHROPIC_VERSION,
            "max_tokens": params.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
            "messages": messages(conversation, params.reasoning_budget.is_some())?,
        });
        if let Some(system) = system(conversation) {
            body["system"] = json!(system);
        }
        if !conversation.tools.is_empty() {
            body["tools"] = tool_definitions(&conversation.tools);
        }
        if let Some(budget) = params.reasoning_budget {
            body["thinking"] = json!({"type": "enabled", "budget_tokens": budget});
        }
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
        let parsed: ResponseBody<'_> =
            serde_json::from_slice(body).map_err(|e| ModelError::Response(e.to_string()))?;
        let mut completion = Completion {
            stop_reason: parsed.stop_reason,
            usage: parsed.usage.map(Usage::from).unwrap_or_default(),
            ..Completion::default()
        };
        for (index, block) in parsed.content.into_iter().enumerate() {
            match block.kind.as_ref() {
                "tool_use" => completion
                    .tool_calls
                    .push(tool_piece(index as u64, &block, true)),
                "text" => completion
                    .text
                    .push_str(block.text.as_deref().unwrap_or("")),
                "thinking" => {
                    completion
                        .reasoning
                        .push_str(block.thinking.as_deref().unwrap_or(""));
                    completion
                        .signed
                        .signature
                        .push_str(block.signature.as_deref().unwrap_or(""));
                }
                "redacted_thinking" => {
                    completion.reasoning.push_str("[redacted thinking]");
                    completion.signed.redacted.extend(block.data);
                }
                _ => {}
            }
        }
        Ok(completion)
    }

    fn last_event(&self) -> &'static str {
        "message_stop"
    }

    fn stop_reason_before_end(&self) -> bool {
        true
    }

    fn parse_chunk(&self, chunk: &[u8]) -> Result<ChunkDelta, ModelError> {
        let event: Event<'_> =
            serde_json::from_slice(chunk).map_err(|e| ModelError::Response(e.to_string()))?;
        let mut delta = ChunkDelta {
            metrics: event.metrics,
            ended: event.kind == "message_stop",
            ..ChunkDelta::default()
        };
        match event.kind.as_ref() {
            "message_start" => {
                if let Some(usage) = event.message.and_then(|m| m.usage) {
                    delta.usage = usage.into();
                }
            }
            "content_block_start" => {
                if let Some(block) = event.content_block {
                    match block.kind.as_ref() {
                        "text" => delta.text = block.text.unwrap_or_default().into_owned(),
                        "thinking" => {
                            delta.reasoning = block.thinking.unwrap_or_default().into_owned();
                        }
                        "redacted_thinking" => {
                            delta.reasoning = "[redacted thinking]".into();
                            delta.signed.redacted.extend(block.data);
                        }
                        "tool_use" => delta.tool_calls.push(tool_piece(
                            event.index.unwrap_or(0),
                            &block,
                            false,
                        )),
                        _ => {}
                    }
                }
            }
            "content_block_delta" => {
                if let Some(d) = event.delta {
                    match d.kind.as_deref() {
                        Some("text_delta") => delta.text = d.text.unwrap_or_default().into_owned(),
                        Some("thinking_delta") => {
                            delta.reasoning = d.thinking.unwrap_or_default().into_owned();
                        }
                        Some("signature_delta") => {
                            delta.signed.signature = d.signature.unwrap_or_default();
                        }
                        Some("input_json_delta") => {
                            delta.tool_calls.push(crate::tool_use::ToolCallDelta {
                                index: event.index.unwrap_or(0),
                                input: d.partial_json.unwrap_or_default(),
                                ..crate::tool_use::ToolCallDelta::default()
                            });
                        }
                        _ => {}
                    }
                }
            }
            "message_delta" => {
                delta.stop_reason = event.delta.and_then(|d| d.stop_reason);
                if let Some(usage) = event.usage {
                    delta.usage.output_tokens = usage.output_tokens;
                }
            }
            "error" => {
                let detail = event.error.map(|e| e.to_string()).unwrap_or_default();
                return Err(ModelError::Response(format!("error event: {detail}")));
            }
            _ => {}
        }
        Ok(delta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Turn;

    #[test]
    fn body_merges_and_alternates() {
        let conversation = Conversation {
            system: Some("Be brief.".into()),
            tools: Vec::new(),
            turns: vec![
                Turn::new(Role::User, "a"),
                Turn::new(Role::User, "b"),
                Turn::new(Role::Assistant, " "),
            ],
        };
        let params = Parameters {
            max_tokens: Some(100),
            temperature: Some(0.5),
            stop_sequences: vec!["X".into()],
            ..Parameters::default()
        };
        let body = Anthropic.build_body(&conversation, &params, true).unwrap();
        assert_eq!(
            body,
            json!({"anthropic_version":"bedrock-2023-05-31","max_tokens":100,"system":"Be brief.",
                "messages":[{"role":"user","content":[{"type":"text","text":"a\n\nb"}]}],
                "temperature":0.5,"stop_sequences":["X"]})
        );
        let bad = Conversation {
            system: None,
            tools: Vec::new(),
            turns: vec![Turn::new(Role::Assistant, "hi")],
        };
        assert!(Anthropic.build_body(&bad, &params, false).is_err());
    }

    #[test]
    fn stream_events_decode() {
        let d = Anthropic
            .parse_chunk(br#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel\"lo"}}"#)
            .unwrap();
        assert_eq!(d.text, "Hel\"lo");
        let d = Anthropic
            .parse_chunk(br#"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":12}}"#)
            .unwrap();
        assert_eq!(d.stop_reason.as_deref(), Some("end_turn"));
        assert_eq!(d.usage.output_tokens, Some(12));
        let d = Anthropic
            .parse_chunk(br#"{"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":30,"outputTokenCount":12,"invocationLatency":511,"firstByteLatency":358}}"#)
            .unwrap();
        assert_eq!(d.metrics.unwrap().first_byte_latency, Some(358));
        let d = Anthropic
            .parse_chunk(br#"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hmm"}}"#)
            .unwrap();
        assert_eq!(d.reasoning, "hmm");
        assert!(Anthropic.parse_chunk(b"{").is_err());
    }

    #[test]
    fn response_joins_text_blocks() {
        let c = Anthropic
            .parse_response(br#"{"id":"msg_bdrk_1","type":"message","role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"},{"type":"text","text":"Hi"},{"type":"tool_use","id":"x","name":"n","input":{}},{"type":"text","text":"!"}],"stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":4}}"#)
            .unwrap();
        assert_eq!(c.text, "Hi!");
        assert_eq!(c.reasoning, "t");
        assert_eq!(c.usage.output_tokens, Some(4));
    }
}
