//! Claude's tool use in the emulator: `tools` checked, `tool_use` and `tool_result` blocks
//! paired in Anthropic's words, and the answer's `tool_use` blocks, whole and streamed
//! (`content_block_start` then `input_json_delta` pieces).

use super::{IdStyle, Offered, Part, ToolUse, Unpaired, call_id, content_text, pair, pieces};
use crate::family::{Answer, to_bytes};
use serde_json::{Map, Value, json};

/// Reads the offered tools and the last message's results; checks every `tool_use` has its
/// `tool_result` in the next message and every result its call in the message before.
/// Consecutive messages of one role count as one, as Bedrock reads them (recorded: three user
/// messages of one `tool_result` each answering three calls).
pub(crate) fn read(
    object: &Map<String, Value>,
    messages: &[Value],
    thinking: bool,
) -> Result<ToolUse, String> {
    let mut offered = Vec::new();
    if let Some(tools) = object.get("tools") {
        let tools = tools
            .as_array()
            .ok_or_else(|| "tools: Input should be a valid list".to_string())?;
        for (i, tool) in tools.iter().enumerate() {
            let name = tool
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("tools.{i}.custom.name: Field required"))?;
            if name.is_empty()
                || name.len() > 64
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(format!(
                    "tools.{i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'"
                ));
            }
            let schema = tool
                .get("input_schema")
                .filter(|s| s.is_object())
                .ok_or_else(|| format!("tools.{i}.custom.input_schema: Field required"))?;
            offered.push(Offered {
                name: name.to_string(),
                schema: schema.clone(),
            });
        }
    }
    let (steps, given) = super::walk(messages, |i, j, assistant, block| {
        Ok(match block.get("type").and_then(Value::as_str) {
            Some("tool_use") => {
                if !assistant {
                    return Err(format!(
                        "messages.{i}.content.{j}: `tool_use` blocks may only be in assistant messages"
                    ));
                }
                let id = block.get("id").and_then(Value::as_str).ok_or_else(|| {
                    format!("messages.{i}.content.{j}.tool_use.id: Field required")
                })?;
                if !block.get("input").is_some_and(Value::is_object) {
                    return Err(format!(
                        "messages.{i}.content.{j}.tool_use.input: Input should be a valid dictionary"
                    ));
                }
                let name = block.get("name").and_then(Value::as_str).unwrap_or("");
                Part::Call(id.to_string(), name.to_string())
            }
            Some("tool_result") => {
                if assistant {
                    return Err(format!(
                        "messages.{i}.content.{j}: `tool_result` blocks may only be in user messages"
                    ));
                }
                let id = block
                    .get("tool_use_id")
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        format!("messages.{i}.content.{j}.tool_result.tool_use_id: Field required")
                    })?;
                Part::Result(
                    id.to_string(),
                    content_text(block.get("content")),
                    block.get("is_error") == Some(&Value::Bool(true)),
                )
            }
            _ => Part::Other,
        })
    })?;
    if super::uses_tools(&steps) && object.get("tools").is_none() {
        return Err(
            "Requests which include `tool_use` or `tool_result` blocks must define tools."
                .to_string(),
        );
    }
    pair(&steps).map_err(|e| match e {
        Unpaired::Unanswered { next, ids, .. } => format!(
            "messages.{next}: `tool_use` ids were found without `tool_result` blocks immediately after: {}. Each `tool_use` block must have a corresponding `tool_result` block in the next message.",
            ids.join(", ")
        ),
        Unpaired::Unexpected { index, block, id } => format!(
            "messages.{index}.content.{block}: unexpected `tool_use_id` found in `tool_result` blocks: {id}. Each `tool_result` block must have a corresponding `tool_use` block in the previous message."
        ),
    })?;
    if thinking {
        thinking_first(messages)?;
    }
    Ok(ToolUse { offered, given })
}

/// With thinking on, the last answer that called tools must begin with its thinking block when
/// the request goes on from its results (Anthropic's rule and words).
fn thinking_first(messages: &[Value]) -> Result<(), String> {
    let blocks = |m: &Value| {
        m.get("content")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let kind = |b: &Value| {
        b.get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let Some(at) = messages.iter().rposition(|m| {
        m.get("role").and_then(Value::as_str) == Some("assistant")
            && blocks(m).iter().any(|b| kind(b) == "tool_use")
    }) else {
        return Ok(());
    };
    let answered = messages[at + 1..]
        .iter()
        .any(|m| blocks(m).iter().any(|b| kind(b) == "tool_result"));
    let first = blocks(&messages[at]).first().map(kind).unwrap_or_default();
    if !answered || first == "thinking" || first == "redacted_thinking" {
        return Ok(());
    }
    Err(format!(
        "messages.{at}.content.0.type: Expected `thinking` or `redacted_thinking`, but found `{first}`. When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable `thinking`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
    ))
}

/// The answer's `tool_use` blocks.
pub(crate) fn blocks(answer: &Answer, request_id: &str) -> Vec<Value> {
    answer
        .tool_calls
        .iter()
        .enumerate()
        .map(|(n, call)| {
            json!({"type": "tool_use", "id": call_id(IdStyle::Claude, request_id, n),
                "name": call.name, "input": call.input})
        })
        .collect()
}

/// The answer's `tool_use` blocks as stream events, from content block `first` on.
pub(crate) fn chunks(answer: &Answer, request_id: &str, first: usize) -> Vec<Vec<u8>> {
    let mut chunks = Vec::new();
    for (n, call) in answer.tool_calls.iter().enumerate() {
        let index = first + n;
        chunks.push(to_bytes(
            &json!({"type": "content_block_start", "index": index,
            "content_block": {"type": "tool_use", "id": call_id(IdStyle::Claude, request_id, n),
                "name": call.name, "input": {}}}),
        ));
        chunks.push(to_bytes(
            &json!({"type": "content_block_delta", "index": index,
            "delta": {"type": "input_json_delta", "partial_json": ""}}),
        ));
        for piece in pieces(&call.input) {
            chunks.push(to_bytes(
                &json!({"type": "content_block_delta", "index": index,
                "delta": {"type": "input_json_delta", "partial_json": piece}}),
            ));
        }
        chunks.push(to_bytes(
            &json!({"type": "content_block_stop", "index": index}),
        ));
    }
    chunks
}
