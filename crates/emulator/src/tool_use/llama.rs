//! Llama 3.1+ tool use in the emulator, in Meta's JSON tool format: the tools are the
//! definitions after the preamble of the first question, the results the `ipython` messages
//! after the last answer that called tools, and an answer's calls its whole generation
//! (`{"name": …, "parameters": {…}}`). Bedrock checks none of this (it is prompt text), so
//! neither does the emulator.

use super::{Given, Offered, ToolUse};
use crate::family::Answer;
use bedrock_tui_models::llama::{TOOLS_PREAMBLE, TOOLS_QUESTION};
use serde_json::{Value, json};

const IPYTHON: &str = "<|start_header_id|>ipython<|end_header_id|>\n\n";
const END: &str = "<|eot_id|>";
const CALLED: &str = "<|eom_id|>";

/// The tools a prompt offers and the results it gives back.
pub(crate) fn read(prompt: &str) -> ToolUse {
    let mut offered = Vec::new();
    if let Some(at) = prompt.find(TOOLS_PREAMBLE) {
        let after = &prompt[at + TOOLS_PREAMBLE.len()..];
        let block = after
            .find(TOOLS_QUESTION)
            .map_or(after, |end| &after[..end]);
        for value in serde_json::Deserializer::from_str(block)
            .into_iter::<Value>()
            .flatten()
        {
            let function = value.get("function").unwrap_or(&value);
            if let Some(name) = function.get("name").and_then(Value::as_str) {
                offered.push(Offered {
                    name: name.to_string(),
                    schema: function
                        .get("parameters")
                        .cloned()
                        .unwrap_or_else(|| json!({"type": "object"})),
                });
            }
        }
    }
    let mut given = Vec::new();
    if let Some(at) = prompt.rfind(CALLED) {
        let calls = prompt[..at]
            .rsplit("<|end_header_id|>\n\n")
            .next()
            .and_then(bedrock_tui_models::tool_text::calls_in)
            .unwrap_or_default();
        let mut rest = &prompt[at + CALLED.len()..];
        while let Some(start) = rest.strip_prefix(IPYTHON) {
            let end = start.find(END).unwrap_or(start.len());
            let name = calls
                .get(given.len())
                .and_then(|c| c.name.clone())
                .unwrap_or_default();
            given.push(Given {
                name,
                content: start[..end].trim().to_string(),
                is_error: false,
            });
            rest = start.get(end + END.len()..).unwrap_or("");
        }
        // Results count only when the answer asked for goes on from them.
        if rest != "<|start_header_id|>assistant<|end_header_id|>\n\n" {
            given.clear();
        }
    }
    ToolUse { offered, given }
}

/// The question without the tools' preamble (the definitions name every tool).
pub(crate) fn question(text: &str) -> String {
    match (text.find(TOOLS_PREAMBLE), text.rfind(TOOLS_QUESTION)) {
        (Some(_), Some(at)) => text[at + TOOLS_QUESTION.len()..].trim().to_string(),
        _ => text.to_string(),
    }
}

/// The generation of an answer that calls tools: the calls as JSON, one a line, in pieces.
pub(crate) fn generation(answer: &Answer) -> Option<Vec<String>> {
    if answer.tool_calls.is_empty() {
        return None;
    }
    let text = answer
        .tool_calls
        .iter()
        .map(|c| json!({"name": c.name, "parameters": c.input}).to_string())
        .collect::<Vec<_>>()
        .join("\n");
    Some(crate::corpus::tokenize(&text))
}
