//! The OpenAI-style chat formats: OpenAI gpt-oss (chat completions), AI21 Jamba and Mistral
//! chat (Mistral Large 2407, Pixtral). All take `messages` of `{role, content}` and answer in
//! `choices[0].message.content`, per chunk in `choices[0].delta.content`.
//!
//! Unverified shapes are read tolerantly: Mistral chat's stream may carry `message` instead of
//! `delta` and `stop_reason` instead of `finish_reason`; gpt-oss reasoning may arrive as
//! `reasoning_content` or `reasoning`.

use super::tool_use::ToolCallDelta;
use super::turns::{
    alternating, alternating_with_tools, count_at, delta_with_metrics, parse, str_at, string_at,
    system,
};
use super::{
    ChunkDelta, Completion, Conversation, FamilyId, ModelError, ModelFamily, Parameters, Role,
    Usage,
};
use serde_json::{Value, json};

/// How one chat-completions dialect names things.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChatCompletions {
    family: FamilyId,
    /// The body member for the output limit.
    max_tokens_key: &'static str,
    /// Whether `stop` is sent.
    sends_stop: bool,
    /// Whether the body states streaming (`stream`, `stream_options`).
    states_stream: bool,
}

impl ChatCompletions {
    /// OpenAI gpt-oss: `max_completion_tokens`, and `stream` must match the operation.
    pub(crate) const OPENAI: ChatCompletions = ChatCompletions {
        family: FamilyId::OpenAi,
        max_tokens_key: "max_completion_tokens",
        sends_stop: true,
        states_stream: true,
    };
    /// AI21 Jamba: the fields AI21's own Bedrock client sends.
    pub(crate) const JAMBA: ChatCompletions = ChatCompletions {
        family: FamilyId::Ai21Jamba,
        max_tokens_key: "max_tokens",
        sends_stop: true,
        states_stream: false,
    };
    /// Mistral chat completion.
    pub(crate) const MISTRAL: ChatCompletions = ChatCompletions {
        family: FamilyId::MistralChat,
        max_tokens_key: "max_tokens",
        sends_stop: false,
        states_stream: false,
    };
}

fn content_text(content: Option<&Value>) -> String {
    match content {
        Some(Value::String(s)) => s.clone(),
        // Content given as parts: [{"type":"text","text":…}].
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| str_at(p, "/text"))
            .collect::<Vec<_>>()
            .concat(),
        _ => String::new(),
    }
}

fn reasoning_text(message: &Value) -> String {
    str_at(message, "/reasoning_content")
        .or_else(|| str_at(message, "/reasoning"))
        .unwrap_or_default()
        .to_string()
}

fn usage_of(value: &Value) -> Usage {
    Usage {
        input_tokens: count_at(value, "/usage/prompt_tokens"),
        output_tokens: count_at(value, "/usage/completion_tokens"),
        ..Usage::default()
    }
}

fn stop_of(choice: &Value) -> Option<String> {
    string_at(choice, "/finish_reason").or_else(|| string_at(choice, "/stop_reason"))
}

/// The `tool_calls` of a message or a stream delta: `{index?, id?, function: {name?,
/// arguments?}}`, the arguments JSON text (an object, as some servers send, is written out).
fn tool_calls(message: &Value) -> Vec<ToolCallDelta> {
    let Some(calls) = message.get("tool_calls").and_then(Value::as_array) else {
        return Vec::new();
    };
    calls
        .iter()
        .enumerate()
        .map(|(n, call)| ToolCallDelta {
            index: call
                .get("index")
                .and_then(Value::as_u64)
                .unwrap_or(n as u64),
            id: string_at(call, "/id"),
            name: string_at(call, "/function/name"),
            input: match call.pointer("/function/arguments") {
                Some(Value::String(s)) => s.clone(),
                None | Some(Value::Null) => String::new(),
                Some(other) => other.to_string(),
            },
        })
        .collect()
}

impl ModelFamily for ChatCompletions {
    fn id(&self) -> FamilyId {
        self.family
    }

    fn build_body(
        &self,
        conversation: &Conversation,
        params: &Parameters,
        streaming: bool,
    ) -> Result<Value, ModelError> {
        let mut messages = Vec::new();
        if let Some(system) = system(conversation) {
            messages.push(json!({"role": "system", "content": system}));
        }
        let tools = self.family.takes_tools();
        let turns = if tools {
            alternating_with_tools(conversation)?
        } else {
            alternating(conversation)?
        };
        for turn in turns {
            let role = match turn.role {
                Role::User => "user",
                Role::Assistant => "assistant",
            };
            // Results go first, one `tool` message each, right after the calls they answer.
            for result in &turn.tool_results {
                let mut message = json!({"role": "tool", "tool_call_id": result.id,
                    "content": result.content});
                if self.family == FamilyId::MistralChat {
                    message["name"] = json!(result.name);
                }
                messages.push(message);
            }
            if !turn.tool_calls.is_empty() {
                let calls: Vec<Value> = turn
                    .tool_calls
                    .iter()
                    .map(|call| {
                        json!({"id": call.id, "type": "function", "function": {
                            "name": call.name, "arguments": call.arguments().to_string()}})
                    })
                    .collect();
                messages.push(json!({"role": role, "content": turn.text, "tool_calls": calls}));
                continue;
            }
            if turn.text.trim().is_empty() && turn.attachments.is_empty() {
                // A turn of tool results alone.
                continue;
            }
            if turn.attachments.is_empty() {
                messages.push(json!({"role": role, "content": turn.text}));
                continue;
            }
            // Pixtral: the text and each image as parts, images as `data:` URIs.
            let mut parts = Vec::new();
            if !turn.text.is_empty() {
                parts.push(json!({"type": "text", "text": turn.text}));
            }
            for attachment in &turn.attachments {
                parts.push(
                    json!({"type": "image_url", "image_url": {"url": attachment.data_uri()}}),
                );
            }
            messages.push(json!({"role": role, "content": parts}));
        }
        let mut body = json!({ "messages": messages });
        if tools && !conversation.tools.is_empty() {
            let definitions: Vec<Value> = conversation
                .tools
                .iter()
                .map(|t| {
                    json!({"type": "function", "function": {"name": t.name,
                        "description": t.description, "parameters": t.input_schema}})
                })
                .collect();
            body["tools"] = json!(definitions);
        }
        if let Some(n) = params.max_tokens {
            body[self.max_tokens_key] = json!(n);
        }
        if let Some(t) = params.temperature {
            body["temperature"] = json!(t);
        }
        if let Some(p) = params.top_p {
            body["top_p"] = json!(p);
        }
        if self.sends_stop && !params.stop_sequences.is_empty() {
            body["stop"] = json!(params.stop_sequences);
        }
        if self.states_stream && streaming {
            body["stream"] = json!(true);
            body["stream_options"] = json!({"include_usage": true});
        }
        Ok(body)
    }

    fn parse_response(&self, body: &[u8]) -> Result<Completion, ModelError> {
        let value = parse(body)?;
        let choice = value
            .pointer("/choices/0")
            .ok_or_else(|| ModelError::Response("no `choices` in the response".into()))?;
        let message = choice.get("message").unwrap_or(&Value::Null);
        Ok(Completion {
            text: content_text(message.get("content")),
            reasoning: reasoning_text(message),
            stop_reason: stop_of(choice),
            usage: usage_of(&value),
            tool_calls: tool_calls(message),
            ..Completion::default()
        })
    }

    fn parse_chunk(&self, chunk: &[u8]) -> Result<ChunkDelta, ModelError> {
        let value = parse(chunk)?;
        let mut delta = delta_with_metrics(&value);
        delta.usage = usage_of(&value);
        if let Some(choice) = value.pointer("/choices/0") {
            let part = choice
                .get("delta")
                .or_else(|| choice.get("message"))
                .unwrap_or(&Value::Null);
            delta.text = content_text(part.get("content"));
            delta.reasoning = reasoning_text(part);
            delta.tool_calls = tool_calls(part);
            delta.stop_reason = stop_of(choice);
        }
        Ok(delta)
    }
}
