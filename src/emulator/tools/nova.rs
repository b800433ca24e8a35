//! Nova's tool use in the emulator: `toolConfig.tools[].toolSpec` checked, `toolUse` and
//! `toolResult` blocks paired in Converse's words (which Invoke shares [unverified wording]),
//! and the answer's `toolUse` blocks, whole and streamed (`contentBlockStart.start.toolUse`,
//! then `delta.toolUse.input` pieces, as recorded).

use super::{
    Given, IdStyle, Offered, Step, ToolUse, Unpaired, call_id, content_text, pair, pieces,
};
use crate::emulator::family::{Answer, malformed, to_bytes};
use serde_json::{Map, Value, json};

/// Reads the offered tools and the last message's results, checking their pairing.
pub(crate) fn read(object: &Map<String, Value>, messages: &[Value]) -> Result<ToolUse, String> {
    let mut offered = Vec::new();
    if let Some(config) = object.get("toolConfig") {
        let tools = config
            .get("tools")
            .and_then(Value::as_array)
            .ok_or_else(|| malformed("#/toolConfig: required key [tools] not found"))?;
        for (i, tool) in tools.iter().enumerate() {
            let at = format!("#/toolConfig/tools/{i}/toolSpec");
            let spec = tool.get("toolSpec").ok_or_else(|| {
                malformed(&format!(
                    "#/toolConfig/tools/{i}: required key [toolSpec] not found"
                ))
            })?;
            let name = spec
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| malformed(&format!("{at}: required key [name] not found")))?;
            let schema = spec
                .pointer("/inputSchema/json")
                .filter(|s| s.is_object())
                .ok_or_else(|| {
                    malformed(&format!("{at}/inputSchema: required key [json] not found"))
                })?;
            offered.push(Offered {
                name: name.to_string(),
                schema: schema.clone(),
            });
        }
    }
    let mut steps = Vec::new();
    let mut last = Vec::new();
    for (i, message) in messages.iter().enumerate() {
        let assistant = message.get("role").and_then(Value::as_str) == Some("assistant");
        let mut step = Step {
            index: i,
            assistant,
            ..Step::default()
        };
        let mut results = Vec::new();
        let blocks = message.get("content").and_then(Value::as_array);
        for (j, block) in blocks.into_iter().flatten().enumerate() {
            if let Some(call) = block.get("toolUse") {
                let id = call
                    .get("toolUseId")
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        malformed(&format!(
                            "#/messages/{i}/content/{j}/toolUse: required key [toolUseId] not found"
                        ))
                    })?;
                let name = call.get("name").and_then(Value::as_str).unwrap_or("");
                step.calls.push((id.to_string(), name.to_string()));
            } else if let Some(result) = block.get("toolResult") {
                let id = result.get("toolUseId").and_then(Value::as_str).ok_or_else(|| {
                    malformed(&format!("#/messages/{i}/content/{j}/toolResult: required key [toolUseId] not found"))
                })?;
                step.results.push((j, id.to_string()));
                results.push((
                    id.to_string(),
                    content_text(result.get("content")),
                    result.get("status").and_then(Value::as_str) == Some("error"),
                ));
            }
        }
        if !assistant {
            last = results;
        }
        steps.push(step);
    }
    let uses_tools = steps
        .iter()
        .any(|s| !s.calls.is_empty() || !s.results.is_empty());
    if uses_tools && object.get("toolConfig").is_none() {
        return Err("The toolConfig field must be defined when using toolUse and toolResult content blocks.".to_string());
    }
    pair(&steps).map_err(|e| match e {
        Unpaired::Unanswered { next, ids, .. } => format!(
            "Expected toolResult blocks at messages.{next}.content for the following Ids: {}",
            ids.join(", ")
        ),
        Unpaired::Unexpected { index, .. } => format!(
            "The number of toolResult blocks at messages.{index}.content exceeds the number of toolUse blocks of previous turn."
        ),
    })?;
    let given = last
        .into_iter()
        .map(|(id, content, is_error)| Given {
            name: super::name_of(&steps, &id),
            content,
            is_error,
        })
        .collect();
    Ok(ToolUse { offered, given })
}

/// The answer's `toolUse` blocks.
pub(crate) fn blocks(answer: &Answer, request_id: &str) -> Vec<Value> {
    answer
        .tool_calls
        .iter()
        .enumerate()
        .map(|(n, call)| {
            json!({"toolUse": {"name": call.name,
                "toolUseId": call_id(IdStyle::Nova, request_id, n), "input": call.input}})
        })
        .collect()
}

/// The answer's `toolUse` blocks as stream chunks, from content block `first` on.
pub(crate) fn chunks(answer: &Answer, request_id: &str, first: usize) -> Vec<Vec<u8>> {
    let mut chunks = Vec::new();
    for (n, call) in answer.tool_calls.iter().enumerate() {
        let index = first + n;
        chunks.push(to_bytes(
            &json!({"contentBlockStart": {"start": {"toolUse": {
            "toolUseId": call_id(IdStyle::Nova, request_id, n), "name": call.name}},
            "contentBlockIndex": index}}),
        ));
        for piece in pieces(&call.input) {
            chunks.push(to_bytes(
                &json!({"contentBlockDelta": {"delta": {"toolUse": {
                "input": piece}}, "contentBlockIndex": index}}),
            ));
        }
        chunks.push(to_bytes(
            &json!({"contentBlockStop": {"contentBlockIndex": index}}),
        ));
    }
    chunks
}
