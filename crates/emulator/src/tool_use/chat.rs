//! Tool use of the OpenAI-style chat families in the emulator: `tools` of `{type: "function",
//! function}` checked, assistant `tool_calls` paired with the `tool` messages after them in
//! OpenAI's words (Mistral's ids checked as Mistral does), and the answer's `tool_calls`,
//! whole and streamed (`delta.tool_calls` with the name first, then argument pieces).

use super::{Given, IdStyle, Offered, Step, ToolUse, Unpaired, call_id, pair, pieces};
use crate::family::{Answer, malformed};
use serde_json::{Map, Value, json};

/// Reads the offered tools and the results of the trailing `tool` messages, checking their
/// pairing; `mistral` checks ids as Mistral does (nine letters and digits).
pub(crate) fn read(
    object: &Map<String, Value>,
    messages: &[Value],
    mistral: bool,
) -> Result<ToolUse, String> {
    let mut offered = Vec::new();
    if let Some(tools) = object.get("tools") {
        let tools = tools
            .as_array()
            .ok_or_else(|| malformed("#/tools: expected type: JSONArray"))?;
        for (i, tool) in tools.iter().enumerate() {
            let name = tool
                .pointer("/function/name")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    format!("Missing required parameter: 'tools[{i}].function.name'.")
                })?;
            offered.push(Offered {
                name: name.to_string(),
                schema: tool
                    .pointer("/function/parameters")
                    .cloned()
                    .unwrap_or_else(|| json!({"type": "object", "properties": {}})),
            });
        }
    }
    // Steps: each message, with consecutive `tool` messages taken together as one.
    let mut steps: Vec<Step> = Vec::new();
    let mut trailing: Vec<(String, String, String)> = Vec::new();
    for (i, message) in messages.iter().enumerate() {
        let role = message.get("role").and_then(Value::as_str).unwrap_or("");
        if role == "tool" {
            let id = message
                .get("tool_call_id")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    format!("Missing required parameter: 'messages[{i}].tool_call_id'.")
                })?;
            check_id(id, mistral)?;
            let content = match message.get("content") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            let name = message
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            match steps.last_mut() {
                Some(step) if !step.assistant && !step.results.is_empty() => {
                    step.results.push((step.results.len(), id.to_string()));
                }
                _ => steps.push(Step {
                    index: i,
                    results: vec![(0, id.to_string())],
                    ..Step::default()
                }),
            }
            trailing.push((id.to_string(), name, content));
            continue;
        }
        trailing.clear();
        let mut step = Step {
            index: i,
            assistant: role == "assistant",
            ..Step::default()
        };
        if let Some(calls) = message.get("tool_calls").and_then(Value::as_array) {
            for (j, call) in calls.iter().enumerate() {
                let id = call.get("id").and_then(Value::as_str).ok_or_else(|| {
                    format!("Missing required parameter: 'messages[{i}].tool_calls[{j}].id'.")
                })?;
                check_id(id, mistral)?;
                let name = call
                    .pointer("/function/name")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                step.calls.push((id.to_string(), name.to_string()));
            }
        }
        steps.push(step);
    }
    let uses_tools = steps
        .iter()
        .any(|s| !s.calls.is_empty() || !s.results.is_empty());
    if uses_tools && offered.is_empty() && mistral {
        return Err("Tool calls and tool messages need `tools` in the request.".to_string());
    }
    pair(&steps).map_err(|e| match e {
        Unpaired::Unanswered { ids, .. } => format!(
            "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: {}",
            ids.join(", ")
        ),
        Unpaired::Unexpected { .. } => "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.".to_string(),
    })?;
    let given = trailing
        .into_iter()
        .map(|(id, name, content)| Given {
            name: if name.is_empty() {
                super::name_of(&steps, &id)
            } else {
                name
            },
            content,
            is_error: false,
        })
        .collect();
    Ok(ToolUse { offered, given })
}

/// Mistral takes ids of nine letters and digits only.
fn check_id(id: &str, mistral: bool) -> Result<(), String> {
    if mistral && (id.len() != 9 || !id.chars().all(|c| c.is_ascii_alphanumeric())) {
        return Err(format!(
            "Tool call id was {id} but must be a-z, A-Z, 0-9, with a length of 9."
        ));
    }
    Ok(())
}

fn style(mistral: bool) -> IdStyle {
    if mistral {
        IdStyle::Mistral
    } else {
        IdStyle::OpenAi
    }
}

/// The answer's `tool_calls` for its message (`null` when it calls none).
pub(crate) fn calls(answer: &Answer, request_id: &str, mistral: bool) -> Value {
    if answer.tool_calls.is_empty() {
        return Value::Null;
    }
    answer
        .tool_calls
        .iter()
        .enumerate()
        .map(|(n, call)| {
            json!({"id": call_id(style(mistral), request_id, n), "type": "function",
                "function": {"name": call.name, "arguments": call.input.to_string()}})
        })
        .collect()
}

/// The answer's `tool_calls` as stream deltas: the id and name with empty arguments, then the
/// arguments in pieces.
pub(crate) fn deltas(answer: &Answer, request_id: &str, mistral: bool) -> Vec<Value> {
    let mut deltas = Vec::new();
    for (n, call) in answer.tool_calls.iter().enumerate() {
        deltas.push(json!({"tool_calls": [{"index": n,
            "id": call_id(style(mistral), request_id, n), "type": "function",
            "function": {"name": call.name, "arguments": ""}}]}));
        for piece in pieces(&call.input) {
            deltas.push(json!({"tool_calls": [{"index": n, "function": {"arguments": piece}}]}));
        }
    }
    deltas
}
