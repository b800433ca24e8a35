//! Tool calls in answers, as the families write them: Claude's `tool_use` blocks (in a stream,
//! `content_block_start` then `input_json_delta` pieces of the arguments) and Nova's `toolUse`
//! (`contentBlockStart.start.toolUse` then `delta.toolUse.input` pieces). The pieces are put
//! together by block index as they arrive. bedrock-tui does not run tools yet: the calls are
//! shown, with the stop reason that asks for their results.

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

/// A tool call as put together.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
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
    /// `get_weather {"city":"Paris"}` (the arguments compacted when they are JSON).
    pub fn summary(&self) -> String {
        let input = serde_json::from_str::<serde_json::Value>(&self.input)
            .map_or_else(|_| self.input.clone(), |v| v.to_string());
        let input = if input.is_empty() {
            "{}".to_string()
        } else {
            input
        };
        crate::text::sanitize_for_terminal(&format!("{} {input}", self.name)).into_owned()
    }
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
