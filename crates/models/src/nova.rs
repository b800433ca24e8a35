//! Amazon Nova 1 and 2 through the native Invoke API: `messages` of content blocks, `system`
//! as a list, camelCase `inferenceConfig`; the stream is `messageStart`, `contentBlockDelta`
//! (one block per delta in recordings), `messageStop` and a `metadata` chunk.
//!
//! Reasoning deltas (`delta.reasoningContent.text`) follow Converse's shape; no recording shows
//! them on Invoke, so they are read where they appear and ignored otherwise.

use super::turns::{
    ParamNames, alternating_with_tools, delta_with_metrics, parse, put_params, str_at, string_at,
    system,
};
use super::{
    ChunkDelta, Completion, Conversation, FamilyId, ModelError, ModelFamily, Parameters, Role,
};
use serde_json::{Map, Value, json};

/// The Nova adapter.
#[derive(Debug, Clone, Copy)]
pub struct Nova;

/// Nova 2 reasoning effort for a token budget.
pub(crate) fn reasoning_effort(budget: u32) -> &'static str {
    match budget {
        0..=2048 => "low",
        2049..=8192 => "medium",
        _ => "high",
    }
}

/// An image or a video as a Nova content block: `{"image": {"format", "source": {"bytes"}}}`,
/// the bytes base64 as the Invoke API wants them.
fn media_block(attachment: &crate::attachments::Attachment) -> Value {
    let kind = match attachment.kind() {
        crate::attachments::Kind::Video => "video",
        _ => "image",
    };
    json!({kind: {"format": attachment.media.format(), "source": {"bytes": attachment.base64()}}})
}

impl ModelFamily for Nova {
    fn id(&self) -> FamilyId {
        FamilyId::Nova
    }

    fn build_body(
        &self,
        conversation: &Conversation,
        params: &Parameters,
        _streaming: bool,
    ) -> Result<Value, ModelError> {
        let messages: Vec<Value> = alternating_with_tools(conversation)?
            .into_iter()
            .map(|turn| {
                let role = match turn.role {
                    Role::User => "user",
                    Role::Assistant => "assistant",
                };
                let mut content: Vec<Value> = turn
                    .tool_results
                    .iter()
                    .map(super::converse::result_block)
                    .collect();
                content.extend(turn.attachments.iter().map(media_block));
                if !turn.text.trim().is_empty() {
                    content.push(json!({"text": turn.text}));
                }
                content.extend(turn.tool_calls.iter().map(|call| {
                    json!({"toolUse": {"toolUseId": call.id, "name": call.name,
                        "input": call.arguments()}})
                }));
                json!({"role": role, "content": content})
            })
            .collect();
        let mut body = json!({ "messages": messages });
        if !conversation.tools.is_empty() {
            let tools: Vec<Value> = conversation
                .tools
                .iter()
                .map(|t| {
                    json!({"toolSpec": {"name": t.name, "description": t.description,
                        "inputSchema": {"json": t.input_schema}}})
                })
                .collect();
            body["toolConfig"] = json!({ "tools": tools });
        }
        // Invoke rejects an empty `system` list, so it is left out when there is none.
        if let Some(system) = system(conversation) {
            body["system"] = json!([{ "text": system }]);
        }
        let mut config = Map::new();
        put_params(
            &mut config,
            params,
            ParamNames {
                max_tokens: Some("maxTokens"),
                temperature: Some("temperature"),
                top_p: Some("topP"),
                top_k: Some("topK"),
                stop: Some("stopSequences"),
            },
        );
        if let Some(budget) = params.reasoning_budget {
            config.insert(
                "reasoningConfig".into(),
                json!({"type": "enabled", "maxReasoningEffort": reasoning_effort(budget)}),
            );
        }
        if !config.is_empty() {
            body["inferenceConfig"] = Value::Object(config);
        }
        Ok(body)
    }

    /// Nova's answer is Converse's shape (`output.message.content`, `stopReason`, `usage`,
    /// with Invoke's cache counters): read by the one reader of it.
    fn parse_response(&self, body: &[u8]) -> Result<Completion, ModelError> {
        super::converse::Converse
            .parse_response(body)
            .map_err(|e| ModelError::Response(e.to_string().replace("Converse", "Nova")))
    }

    fn parse_chunk(&self, chunk: &[u8]) -> Result<ChunkDelta, ModelError> {
        let value = parse(chunk)?;
        let mut delta = delta_with_metrics(&value);
        let index = value
            .pointer("/contentBlockStart/contentBlockIndex")
            .or_else(|| value.pointer("/contentBlockDelta/contentBlockIndex"))
            .and_then(Value::as_u64)
            .unwrap_or(0);
        if let Some(tool) = value.pointer("/contentBlockStart/start/toolUse") {
            delta.tool_calls.push(crate::tool_use::ToolCallDelta {
                index,
                id: string_at(tool, "/toolUseId"),
                name: string_at(tool, "/name"),
                input: String::new(),
            });
        } else if let Some(input) = value.pointer("/contentBlockDelta/delta/toolUse/input") {
            delta.tool_calls.push(crate::tool_use::ToolCallDelta {
                index,
                input: input
                    .as_str()
                    .map_or_else(|| input.to_string(), str::to_string),
                ..crate::tool_use::ToolCallDelta::default()
            });
        } else if let Some(d) = value.pointer("/contentBlockDelta/delta") {
            delta.text = string_at(d, "/text").unwrap_or_default();
            delta.reasoning = str_at(d, "/reasoningContent/text")
                .or_else(|| str_at(d, "/reasoningContent/reasoningText/text"))
                .unwrap_or_default()
                .to_string();
        } else if let Some(stop) = value.pointer("/messageStop") {
            delta.stop_reason = string_at(stop, "/stopReason");
        } else if value.get("metadata").is_some() {
            delta.usage =
                super::converse::usage_of(value.pointer("/metadata/usage").unwrap_or(&Value::Null));
        }
        Ok(delta)
    }
}
