//! Cohere Command (legacy `prompt`, text in `generations[0].text`, `stream: true` to stream)
//! and Command R / R+ (`message`, `chat_history` of USER/CHATBOT, `preamble`; text in `text`,
//! per chunk in `text` of `text-generation` events, then a `stream-end` event).

use super::tool_use::{ToolCall, ToolCallDelta, ToolResult, ToolSpec};
use super::turns::{
    ParamNames, alternating_with_tools, count_at, delta_with_metrics, parse, put_params, str_at,
    string_at, system, transcript,
};
use super::{
    ChunkDelta, Completion, Conversation, FamilyId, ModelError, ModelFamily, Parameters, Role,
    Usage,
};
use serde_json::{Value, json};

/// The Cohere Command (legacy) adapter.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CohereCommand;

/// The Cohere Command R / R+ adapter.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CohereCommandR;

/// Sampling members shared by both: `max_tokens`, `temperature`, `p`, `k`, `stop_sequences`.
fn sampling(body: &mut Value, params: &Parameters) {
    if let Some(object) = body.as_object_mut() {
        put_params(
            object,
            params,
            ParamNames {
                max_tokens: Some("max_tokens"),
                temperature: Some("temperature"),
                top_p: Some("p"),
                top_k: Some("k"),
                stop: Some("stop_sequences"),
            },
        );
    }
}

fn billed_usage(value: &Value, pointer: &str) -> Usage {
    Usage {
        input_tokens: count_at(value, &format!("{pointer}/billed_units/input_tokens")),
        output_tokens: count_at(value, &format!("{pointer}/billed_units/output_tokens")),
        ..Usage::default()
    }
}

impl ModelFamily for CohereCommand {
    fn id(&self) -> FamilyId {
        FamilyId::Cohere
    }

    fn build_body(
        &self,
        conversation: &Conversation,
        params: &Parameters,
        streaming: bool,
    ) -> Result<Value, ModelError> {
        let mut body = json!({ "prompt": transcript(conversation, "User", "Chatbot", false)? });
        sampling(&mut body, params);
        // Without `stream: true` a stream is a single chunk holding the whole answer.
        if streaming {
            body["stream"] = json!(true);
        }
        Ok(body)
    }

    fn parse_response(&self, body: &[u8]) -> Result<Completion, ModelError> {
        let value = parse(body)?;
        let first = value.pointer("/generations/0").ok_or_else(|| {
            ModelError::Response("no `generations` in the Cohere response".into())
        })?;
        Ok(Completion {
            text: string_at(first, "/text").unwrap_or_default(),
            stop_reason: string_at(first, "/finish_reason"),
            ..Completion::default()
        })
    }

    fn parse_chunk(&self, chunk: &[u8]) -> Result<ChunkDelta, ModelError> {
        let value = parse(chunk)?;
        let mut delta = delta_with_metrics(&value);
        if let Some(text) = str_at(&value, "/text") {
            delta.text = text.to_string();
        } else if let Some(first) = value.pointer("/generations/0") {
            // A stream requested without `stream: true`: one chunk with the whole answer.
            delta.text = string_at(first, "/text").unwrap_or_default();
            delta.stop_reason = string_at(first, "/finish_reason");
        }
        if let Some(reason) = string_at(&value, "/finish_reason") {
            delta.stop_reason = Some(reason);
        }
        Ok(delta)
    }
}

/// A tool as Command R takes it: `parameter_definitions` of `{description, type, required}`
/// from the JSON Schema's properties, the types in Cohere's (Python's) names.
fn tool_definition(tool: &ToolSpec) -> Value {
    let required: Vec<&str> = tool
        .input_schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut parameters = serde_json::Map::new();
    if let Some(properties) = tool
        .input_schema
        .get("properties")
        .and_then(Value::as_object)
    {
        for (name, property) in properties {
            let kind = match property.get("type").and_then(Value::as_str) {
                Some("integer") => "int",
                Some("number") => "float",
                Some("boolean") => "bool",
                Some("array") => "list",
                Some("object") => "dict",
                _ => "str",
            };
            let mut definition =
                json!({"type": kind, "required": required.contains(&name.as_str())});
            if let Some(description) = property.get("description").and_then(Value::as_str) {
                definition["description"] = json!(description);
            }
            parameters.insert(name.clone(), definition);
        }
    }
    json!({"name": tool.name, "description": tool.description,
        "parameter_definitions": parameters})
}

/// Results as Command R takes them: each with the call it answers (`{name, parameters}`) and
/// its outputs, a list of objects (a JSON object result as it is, other text as `result` or
/// `error`).
fn tool_results(results: &[ToolResult], calls: &[&ToolCall]) -> Value {
    results
        .iter()
        .map(|result| {
            let parameters = calls
                .iter()
                .find(|c| c.id == result.id)
                .map_or_else(|| json!({}), |c| c.arguments());
            let output = match (result.json_object(), result.is_error) {
                (Some(object), false) => object,
                (_, true) => json!({"error": result.content}),
                (None, false) => json!({"result": result.content}),
            };
            json!({"call": {"name": result.name, "parameters": parameters}, "outputs": [output]})
        })
        .collect()
}

/// Command R's `tool_calls` (`[{name, parameters}]`, no ids) as call pieces, one per call.
fn command_r_calls(value: &Value) -> Vec<ToolCallDelta> {
    value
        .get("tool_calls")
        .and_then(Value::as_array)
        .map(|calls| {
            calls
                .iter()
                .enumerate()
                .map(|(n, call)| ToolCallDelta {
                    index: n as u64,
                    id: None,
                    name: string_at(call, "/name"),
                    input: call
                        .get("parameters")
                        .map(Value::to_string)
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

impl ModelFamily for CohereCommandR {
    fn id(&self) -> FamilyId {
        FamilyId::CohereR
    }

    fn build_body(
        &self,
        conversation: &Conversation,
        params: &Parameters,
        _streaming: bool,
    ) -> Result<Value, ModelError> {
        let mut turns = alternating_with_tools(conversation)?;
        let last = match turns.pop() {
            Some(last) if last.role == Role::User => last,
            _ => {
                return Err(ModelError::Request(
                    "the conversation must end with a user turn".to_string(),
                ));
            }
        };
        let calls: Vec<&ToolCall> = turns.iter().flat_map(|t| &t.tool_calls).collect();
        let mut body = json!({ "message": last.text });
        if !last.tool_results.is_empty() {
            body["tool_results"] = tool_results(&last.tool_results, &calls);
        }
        let mut history = Vec::new();
        for turn in &turns {
            match turn.role {
                Role::User => {
                    if !turn.tool_results.is_empty() {
                        history.push(json!({"role": "TOOL",
                            "tool_results": tool_results(&turn.tool_results, &calls)}));
                    }
                    if !turn.text.trim().is_empty() {
                        history.push(json!({"role": "USER", "message": turn.text}));
                    }
                }
                Role::Assistant => {
                    let mut entry = json!({"role": "CHATBOT", "message": turn.text});
                    if !turn.tool_calls.is_empty() {
                        entry["tool_calls"] = turn
                            .tool_calls
                            .iter()
                            .map(|c| json!({"name": c.name, "parameters": c.arguments()}))
                            .collect();
                    }
                    history.push(entry);
                }
            }
        }
        if !history.is_empty() {
            body["chat_history"] = json!(history);
        }
        if !conversation.tools.is_empty() {
            body["tools"] = conversation.tools.iter().map(tool_definition).collect();
        }
        if let Some(system) = system(conversation) {
            body["preamble"] = json!(system);
        }
        sampling(&mut body, params);
        Ok(body)
    }

    fn parse_response(&self, body: &[u8]) -> Result<Completion, ModelError> {
        let value = parse(body)?;
        let text = string_at(&value, "/text")
            .ok_or_else(|| ModelError::Response("no `text` in the Command R response".into()))?;
        Ok(Completion {
            text,
            stop_reason: string_at(&value, "/finish_reason"),
            usage: billed_usage(&value, "/meta"),
            tool_calls: command_r_calls(&value),
            ..Completion::default()
        })
    }

    fn parse_chunk(&self, chunk: &[u8]) -> Result<ChunkDelta, ModelError> {
        let value = parse(chunk)?;
        let mut delta = delta_with_metrics(&value);
        match str_at(&value, "/event_type") {
            Some("text-generation") => {
                delta.text = string_at(&value, "/text").unwrap_or_default();
            }
            Some("stream-end") => {
                delta.stop_reason = string_at(&value, "/finish_reason")
                    .or_else(|| string_at(&value, "/response/finish_reason"));
                delta.usage = billed_usage(&value, "/response/meta");
            }
            // The calls whole (the `tool-calls-chunk` events before it carry the same pieces).
            Some("tool-calls-generation") => delta.tool_calls = command_r_calls(&value),
            // stream-start, search-results, citation-generation, tool-calls-chunk, …
            _ => {}
        }
        Ok(delta)
    }
}
