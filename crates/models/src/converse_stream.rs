//! ConverseStream events read into deltas. An event comes as boto3 hands it over, one object
//! keyed by its type (`{"contentBlockDelta": {…}}`). The common ones (text and reasoning
//! deltas, tool-call pieces, block starts and stops, the stop) are read into borrowed typed
//! shapes, the rest, and anything of another shape, by a tolerant reader of JSON values; an
//! object with more than one event in it is refused.

use super::converse::{metrics_of, usage_of};
use super::turns::{parse, string_at};
use super::{ChunkDelta, ModelError};
use crate::tool_use::{SignedThinking, ToolCallDelta};
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;

/// The events read on the fast path.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
enum Event<'a> {
    MessageStart(serde::de::IgnoredAny),
    ContentBlockStart(#[serde(borrow)] BlockStart<'a>),
    ContentBlockDelta(#[serde(borrow)] BlockDelta<'a>),
    ContentBlockStop(serde::de::IgnoredAny),
    MessageStop(#[serde(borrow)] Stop<'a>),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BlockStart<'a> {
    #[serde(default)]
    content_block_index: u64,
    #[serde(borrow, default)]
    start: Option<Start<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Start<'a> {
    #[serde(borrow, default)]
    tool_use: Option<ToolStart<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ToolStart<'a> {
    #[serde(borrow, default)]
    tool_use_id: Option<Text<'a>>,
    #[serde(borrow, default)]
    name: Option<Text<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BlockDelta<'a> {
    #[serde(default)]
    content_block_index: u64,
    #[serde(borrow)]
    delta: Delta<'a>,
}

/// One delta; members it does not name (citations, images, tool results) are skipped.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Delta<'a> {
    #[serde(borrow, default)]
    text: Option<Text<'a>>,
    #[serde(borrow, default)]
    tool_use: Option<ToolInput<'a>>,
    #[serde(borrow, default)]
    reasoning_content: Option<Reasoning<'a>>,
}

#[derive(Deserialize)]
struct ToolInput<'a> {
    #[serde(borrow)]
    input: Text<'a>,
}

/// A string borrowed from the event when it has no escapes (serde borrows a bare `Cow` only).
#[derive(Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

impl Text<'_> {
    fn owned(self) -> String {
        self.0.into_owned()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reasoning<'a> {
    #[serde(borrow, default)]
    text: Option<Text<'a>>,
    #[serde(borrow, default)]
    signature: Option<Text<'a>>,
    #[serde(borrow, default)]
    redacted_content: Option<Text<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stop<'a> {
    #[serde(borrow, default)]
    stop_reason: Option<Text<'a>>,
}

/// Reads one event.
pub(crate) fn read_event(chunk: &[u8]) -> Result<ChunkDelta, ModelError> {
    match serde_json::from_slice::<Event<'_>>(chunk) {
        Ok(event) => Ok(typed(event)),
        Err(_) => read_value(chunk),
    }
}

/// An event read on the fast path.
fn typed(event: Event<'_>) -> ChunkDelta {
    let mut delta = ChunkDelta::default();
    match event {
        Event::MessageStart(_) | Event::ContentBlockStop(_) => {}
        Event::ContentBlockStart(start) => {
            if let Some(tool) = start.start.and_then(|s| s.tool_use) {
                delta.tool_calls.push(ToolCallDelta {
                    index: start.content_block_index,
                    id: tool.tool_use_id.map(Text::owned),
                    name: tool.name.map(Text::owned),
                    input: String::new(),
                });
            }
        }
        Event::ContentBlockDelta(BlockDelta {
            content_block_index,
            delta: piece,
        }) => {
            if let Some(tool) = piece.tool_use {
                delta.tool_calls.push(ToolCallDelta {
                    index: content_block_index,
                    input: tool.input.owned(),
                    ..ToolCallDelta::default()
                });
            } else if let Some(reasoning) = piece.reasoning_content {
                delta.reasoning = reasoning.text.map(Text::owned).unwrap_or_default();
                delta.signed = SignedThinking {
                    signature: reasoning.signature.map(Text::owned).unwrap_or_default(),
                    redacted: reasoning
                        .redacted_content
                        .map(Text::owned)
                        .into_iter()
                        .collect(),
                };
            } else {
                delta.text = piece.text.map(Text::owned).unwrap_or_default();
            }
        }
        Event::MessageStop(stop) => {
            delta.stop_reason = stop.stop_reason.map(Text::owned);
        }
    }
    delta
}

/// An event read as a JSON value: `metadata`, and any event whose members have other types than
/// the fast path expects (read as far as they can be). One event to an object.
fn read_value(chunk: &[u8]) -> Result<ChunkDelta, ModelError> {
    let value = parse(chunk)?;
    if value.as_object().is_none_or(|o| o.len() != 1) {
        return Err(ModelError::Response(
            "a ConverseStream event is one object keyed by its type".into(),
        ));
    }
    let mut delta = ChunkDelta::default();
    let index = |event: &Value| {
        event
            .get("contentBlockIndex")
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    if let Some(start) = value.get("contentBlockStart") {
        if let Some(tool) = start.pointer("/start/toolUse") {
            delta.tool_calls.push(ToolCallDelta {
                index: index(start),
                id: string_at(tool, "/toolUseId"),
                name: string_at(tool, "/name"),
                input: String::new(),
            });
        }
    } else if let Some(event) = value.get("contentBlockDelta") {
        let piece = event.get("delta").unwrap_or(&Value::Null);
        if let Some(input) = piece.pointer("/toolUse/input") {
            delta.tool_calls.push(ToolCallDelta {
                index: index(event),
                input: input
                    .as_str()
                    .map_or_else(|| input.to_string(), str::to_string),
                ..ToolCallDelta::default()
            });
        } else if let Some(reasoning) = piece.get("reasoningContent") {
            delta.reasoning = string_at(reasoning, "/text").unwrap_or_default();
            delta.signed = SignedThinking {
                signature: string_at(reasoning, "/signature").unwrap_or_default(),
                redacted: string_at(reasoning, "/redactedContent")
                    .into_iter()
                    .collect(),
            };
        } else {
            delta.text = string_at(piece, "/text").unwrap_or_default();
        }
    } else if let Some(stop) = value.get("messageStop") {
        delta.stop_reason = string_at(stop, "/stopReason");
    } else if let Some(metadata) = value.get("metadata") {
        delta.usage = usage_of(metadata.get("usage").unwrap_or(&Value::Null));
        delta.metrics = Some(metrics_of(metadata));
        delta.ended = true;
    }
    Ok(delta)
}
