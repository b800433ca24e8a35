//! Tools in a conversation: the definitions offered to a model ([`ToolSpec`]), the calls an
//! answer makes ([`ToolCall`]) and the results given back ([`ToolResult`]). Families write
//! calls in their own shapes (Claude's `tool_use` blocks, in a stream `content_block_start`
//! then `input_json_delta` pieces; Nova's `toolUse`, `contentBlockStart.start.toolUse` then
//! `delta.toolUse.input` pieces; chat completions' `tool_calls` and `delta.tool_calls`;
//! Command R's `tool_calls`); the pieces are put together by index as they arrive.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A tool offered to the model: its name, what it does, and its arguments as a JSON Schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolSpec {
    /// The name the model calls it by.
    pub name: String,
    /// What it does, for the model.
    pub description: String,
    /// The arguments' JSON Schema (an object schema).
    pub input_schema: Value,
}

/// The result of a tool call, given back to the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolResult {
    /// The id of the call it answers.
    pub id: String,
    /// The tool that ran.
    pub name: String,
    /// The call's arguments, JSON text (Command R gives the call back with its result).
    #[serde(default)]
    pub input: String,
    /// What the tool returned, or why it failed.
    pub content: String,
    /// The tool failed, was denied or timed out.
    #[serde(default)]
    pub is_error: bool,
}

impl ToolResult {
    /// The result's JSON, when the tool returned a JSON object (families that take objects
    /// get it as one).
    pub fn json_object(&self) -> Option<Value> {
        serde_json::from_str::<Value>(&self.content)
            .ok()
            .filter(Value::is_object)
    }
}

/// A piece of a tool call: its start (id and name) or more of its JSON arguments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolCallDelta {
    /// The content block it belongs to.
    pub index: u64,
    /// The call's id (`toolu_…`, `tooluse_…`), on its first piece.
    pub id: Option<String>,
    /// The tool's name, on its first piece.
    pub name: Option<String>,
    /// More of the arguments' JSON text.
    pub input: String,
}

/// What Claude needs back of an answer's extended thinking when the answer calls tools: the
/// signature of its thinking block and its redacted blocks, as sent (the next request must
/// begin that answer with them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedThinking {
    /// The thinking block's signature (`signature_delta`, or the block's `signature`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub signature: String,
    /// `redacted_thinking` blocks' data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redacted: Vec<String>,
}

impl SignedThinking {
    /// Nothing to give back.
    pub fn is_empty(&self) -> bool {
        self.signature.is_empty() && self.redacted.is_empty()
    }

    /// Takes in what a chunk carried.
    pub fn add(&mut self, piece: &SignedThinking) {
        self.signature.push_str(&piece.signature);
        self.redacted.extend(piece.redacted.iter().cloned());
    }
}

/// A tool call as put together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCall {
    /// Its content block.
    #[serde(skip)]
    pub index: u64,
    /// Its id.
    pub id: String,
    /// The tool.
    pub name: String,
    /// The arguments, JSON text as the model wrote it.
    pub input: String,
}

impl ToolCall {
    /// The arguments as JSON: the model's text parsed, an empty object when it wrote none or
    /// wrote something that is not a JSON object (families want an object back).
    pub fn arguments(&self) -> Value {
        serde_json::from_str::<Value>(&self.input)
            .ok()
            .filter(Value::is_object)
            .unwrap_or_else(|| Value::Object(serde_json::Map::new()))
    }

    /// `get_weather {"city":"Paris"}` (the arguments compacted when they are JSON).
    pub fn summary(&self) -> String {
        summary(&self.name, &self.input)
    }
}

/// The most characters of a call's one-line summary (the rest is counted, not shown).
pub const SUMMARY_CAP: usize = 300;

/// A call as one line for a terminal: the tool and its arguments, compacted when they are JSON,
/// cut to [`SUMMARY_CAP`] characters with the rest counted.
pub fn summary(name: &str, input: &str) -> String {
    let input = serde_json::from_str::<serde_json::Value>(input)
        .map_or_else(|_| input.to_string(), |v| v.to_string());
    let input = if input.is_empty() {
        "{}".to_string()
    } else {
        input
    };
    let line = crate::text::sanitize_for_terminal(&format!("{name} {input}")).replace('\n', "⏎");
    crate::text::cut_chars(&line, SUMMARY_CAP)
}

/// Takes in a piece: a new call at a new index, more arguments for a known one.
pub fn merge(calls: &mut Vec<ToolCall>, piece: &ToolCallDelta) {
    match calls.iter_mut().find(|c| c.index == piece.index) {
        Some(call) => {
            if let Some(id) = &piece.id {
                call.id.clone_from(id);
            }
            if let Some(name) = &piece.name {
                call.name.clone_from(name);
            }
            call.input.push_str(&piece.input);
        }
        None => calls.push(ToolCall {
            index: piece.index,
            id: piece.id.clone().unwrap_or_default(),
            name: piece.name.clone().unwrap_or_default(),
            input: piece.input.clone(),
        }),
    }
}

/// Gives every call an id: families that name none (Command R, Llama) get `call_N`, unique in
/// the answer.
pub fn name_calls(calls: &mut [ToolCall]) {
    for (n, call) in calls.iter_mut().enumerate() {
        if call.id.is_empty() {
            call.id = format!("call_{n}");
        }
    }
}

/// A call written as text, for a family that takes no tools: `[called weather {"city":"Paris"}]`.
pub(crate) fn call_as_text(call: &ToolCall) -> String {
    format!("[called tool {} with {}]", call.name, call.arguments())
}

/// A result written as text, for a family that takes no tools.
pub(crate) fn result_as_text(result: &ToolResult) -> String {
    let verb = if result.is_error {
        "failed"
    } else {
        "returned"
    };
    format!("[tool {} {verb}: {}]", result.name, result.content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_are_put_together_by_block() {
        let mut calls = Vec::new();
        for piece in [
            ToolCallDelta {
                index: 1,
                id: Some("t1".into()),
                name: Some("weather".into()),
                input: String::new(),
            },
            ToolCallDelta {
                index: 1,
                input: "{\"city\":".into(),
                ..ToolCallDelta::default()
            },
            ToolCallDelta {
                index: 2,
                id: Some("t2".into()),
                name: Some("time".into()),
                input: String::new(),
            },
            ToolCallDelta {
                index: 1,
                input: " \"Paris\"}".into(),
                ..ToolCallDelta::default()
            },
        ] {
            merge(&mut calls, &piece);
        }
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].summary(), "weather {\"city\":\"Paris\"}");
        assert_eq!(calls[1].summary(), "time {}");
    }
}
