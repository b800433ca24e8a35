//! Nova's tool use in the emulator: `toolConfig.tools[].toolSpec` checked, `toolUse` and
//! `toolResult` blocks paired in Converse's words (which Invoke shares [unverified wording]),
//! and the answer's `toolUse` blocks, whole and streamed (`contentBlockStart.start.toolUse`,
//! then `delta.toolUse.input` pieces, as recorded).

use super::{IdStyle, Offered, Part, ToolUse, Unpaired, call_id, content_text, pair, pieces};
use crate::family::{Answer, malformed, to_bytes};
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
            // A tool the service runs itself (`nova_grounding`, a code interpreter) and a
            // cache point among the tools are taken as they are.
            if tool.get("systemTool").is_some() || tool.get("cachePoint").is_some() {
                continue;
            }
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
    let (steps, given) = super::walk(messages, |i, j, _, block| {
        let id_of = |part: &Value, kind: &str| {
            part.get("toolUseId")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| {
                    malformed(&format!(
                        "#/messages/{i}/content/{j}/{kind}: required key [toolUseId] not found"
                    ))
                })
        };
        Ok(if let Some(call) = block.get("toolUse") {
            let name = call.get("name").and_then(Value::as_str).unwrap_or("");
            Part::Call(id_of(call, "toolUse")?, name.to_string())
        } else if let Some(result) = block.get("toolResult") {
            Part::Result(
                id_of(result, "toolResult")?,
                content_text(result.get("content")),
                result.get("status").and_then(Value::as_str) == Some("error"),
            )
        } else {
            Part::Other
        })
    })?;
    if super::uses_tools(&steps) && object.get("toolConfig").is_none() {
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
