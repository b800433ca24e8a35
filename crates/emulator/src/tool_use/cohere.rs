//! Command R's tool use in the emulator: `tools` with `parameter_definitions`, `tool_results`
//! (each with the call it answers and its outputs, a list of objects) checked against the last
//! CHATBOT turn's `tool_calls`, and the answer's `tool_calls` (no ids: Command R names none),
//! in the body and in a `tool-calls-generation` event. The wording of the checks is the
//! emulator's own [unverified].

use super::{Given, Offered, ToolUse};
use crate::family::Answer;
use serde_json::{Map, Value, json};

/// Reads the offered tools and the results given back.
pub(crate) fn read(object: &Map<String, Value>) -> Result<ToolUse, String> {
    let mut offered = Vec::new();
    if let Some(tools) = object.get("tools").and_then(Value::as_array) {
        for (i, tool) in tools.iter().enumerate() {
            let name = tool
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("invalid request: tools[{i}].name is required"))?;
            offered.push(Offered {
                name: name.to_string(),
                schema: schema_of(tool.get("parameter_definitions")),
            });
        }
    }
    let called: Vec<&str> = object
        .get("chat_history")
        .and_then(Value::as_array)
        .and_then(|turns| {
            turns
                .iter()
                .rev()
                .find(|t| t.get("role").and_then(Value::as_str) == Some("CHATBOT"))
        })
        .and_then(|t| t.get("tool_calls"))
        .and_then(Value::as_array)
        .map(|calls| {
            calls
                .iter()
                .filter_map(|c| c.get("name").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    let mut given = Vec::new();
    if let Some(results) = object.get("tool_results") {
        let results = results
            .as_array()
            .ok_or_else(|| "invalid request: tool_results must be a list".to_string())?;
        if !results.is_empty() && offered.is_empty() {
            return Err("invalid request: tool_results need tools in the request".to_string());
        }
        for (i, result) in results.iter().enumerate() {
            let name = result
                .pointer("/call/name")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    format!("invalid request: tool_results[{i}].call.name is required")
                })?;
            if !called.contains(&name) {
                return Err(format!(
                    "invalid request: tool_results[{i}].call ({name}) answers no tool call of the last CHATBOT message"
                ));
            }
            let outputs = result
                .get("outputs")
                .and_then(Value::as_array)
                .filter(|o| o.iter().all(Value::is_object))
                .ok_or_else(|| {
                    format!("invalid request: tool_results[{i}].outputs must be a list of objects")
                })?;
            let content: Vec<String> = outputs
                .iter()
                .map(|o| match (o.get("result"), o.get("error")) {
                    (Some(Value::String(s)), _) | (_, Some(Value::String(s))) => s.clone(),
                    _ => o.to_string(),
                })
                .collect();
            given.push(Given {
                name: name.to_string(),
                content: content.join("\n"),
                is_error: outputs.iter().any(|o| o.get("error").is_some()),
            });
        }
    }
    Ok(ToolUse { offered, given })
}

/// A JSON Schema from `parameter_definitions` (the required ones and their types), for the
/// arguments the emulator fills in.
fn schema_of(definitions: Option<&Value>) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (name, definition) in definitions.and_then(Value::as_object).into_iter().flatten() {
        let kind = match definition.get("type").and_then(Value::as_str) {
            Some("int") => "integer",
            Some("float") => "number",
            Some("bool") => "boolean",
            Some(t) if t.starts_with("list") || t.starts_with("List") => "array",
            Some(t) if t.starts_with("dict") || t.starts_with("Dict") => "object",
            _ => "string",
        };
        properties.insert(name.clone(), json!({"type": kind}));
        if definition.get("required") == Some(&Value::Bool(true)) {
            required.push(name.clone());
        }
    }
    json!({"type": "object", "properties": properties, "required": required})
}

/// The answer's `tool_calls` (`[{name, parameters}]`), when it makes any.
pub(crate) fn calls(answer: &Answer) -> Option<Value> {
    (!answer.tool_calls.is_empty()).then(|| {
        answer
            .tool_calls
            .iter()
            .map(|c| json!({"name": c.name, "parameters": c.input}))
            .collect()
    })
}
