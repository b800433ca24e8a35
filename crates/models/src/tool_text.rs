//! Tool calls written as text, as Llama 3.1+ writes them in Meta's JSON tool format: the
//! answer is `{"name": …, "parameters": {…}}` (several separated by `;` or new lines) and
//! nothing else. Offered tools turn the answer's text into calls when it is wholly such JSON;
//! while streaming, text that may be a call is held back until the answer ends, so that a call
//! is never shown as text first.

use super::tool_use::ToolCallDelta;
use serde_json::Value;

/// The marker Llama may put before a call.
const PYTHON_TAG: &str = "<|python_tag|>";

/// Where a streamed answer stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Mode {
    /// Nothing but white space yet.
    #[default]
    Deciding,
    /// It began like a call: held back until the end.
    Holding,
    /// It is text.
    Text,
}

/// Holds back a streamed answer that may be a tool call.
#[derive(Debug, Default)]
pub(crate) struct ToolText {
    mode: Mode,
    held: String,
}

impl ToolText {
    /// Takes a piece of the answer; returns the text to show now.
    pub(crate) fn push(&mut self, text: &str) -> String {
        if self.mode == Mode::Text {
            return text.to_string();
        }
        self.held.push_str(text);
        if self.mode == Mode::Holding {
            return String::new();
        }
        let start = self.held.trim_start();
        if start.is_empty() {
            return String::new();
        }
        if start.starts_with('{') || start.starts_with(PYTHON_TAG) || PYTHON_TAG.starts_with(start)
        {
            self.mode = Mode::Holding;
            return String::new();
        }
        self.mode = Mode::Text;
        std::mem::take(&mut self.held)
    }

    /// The end of the answer: what was held is calls, or text after all.
    pub(crate) fn finish(&mut self) -> (String, Vec<ToolCallDelta>) {
        let held = std::mem::take(&mut self.held);
        if self.mode != Mode::Holding {
            return (held, Vec::new());
        }
        match calls_in(&held) {
            Some(calls) => (String::new(), calls),
            None => (held, Vec::new()),
        }
    }
}

/// The calls an answer's text is made of, if it is wholly calls.
pub fn calls_in(text: &str) -> Option<Vec<ToolCallDelta>> {
    let mut rest = text.trim();
    rest = rest.strip_prefix(PYTHON_TAG).unwrap_or(rest).trim();
    for end in ["<|eom_id|>", "<|eot_id|>"] {
        rest = rest.strip_suffix(end).unwrap_or(rest).trim_end();
    }
    let mut calls = Vec::new();
    while !rest.is_empty() {
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        let value = values.next()?.ok()?;
        let used = values.byte_offset();
        let name = value.get("name")?.as_str()?;
        let arguments = value
            .get("parameters")
            .or_else(|| value.get("arguments"))
            .filter(|a| a.is_object())?;
        calls.push(ToolCallDelta {
            index: calls.len() as u64,
            id: None,
            name: Some(name.to_string()),
            input: arguments.to_string(),
        });
        rest = rest[used..].trim_start_matches(|c: char| c.is_whitespace() || c == ';');
    }
    (!calls.is_empty()).then_some(calls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_told_from_text() {
        let calls =
            calls_in(r#"{"name": "get_weather", "parameters": {"city": "Oslo"}}<|eom_id|>"#)
                .unwrap();
        assert_eq!(calls[0].name.as_deref(), Some("get_weather"));
        assert_eq!(calls[0].input, r#"{"city":"Oslo"}"#);
        let two = calls_in(
            "<|python_tag|>{\"name\": \"a\", \"parameters\": {}}; {\"name\": \"b\", \"arguments\": {\"x\": 1}}",
        )
        .unwrap();
        assert_eq!(two.len(), 2);
        assert_eq!(two[1].index, 1);
        for text in [
            "",
            "The weather is fine.",
            r#"{"name": "a"}"#,
            r#"{"name": "a", "parameters": {}} and then some words"#,
            r#"{"temperature": 18}"#,
        ] {
            assert!(calls_in(text).is_none(), "{text}");
        }
    }

    #[test]
    fn a_stream_that_may_be_a_call_is_held_back() {
        let mut text = ToolText::default();
        assert_eq!(text.push("  "), "");
        assert_eq!(text.push("{\"name\": \"a\", "), "");
        assert_eq!(text.push("\"parameters\": {}}"), "");
        let (rest, calls) = text.finish();
        assert_eq!((rest.as_str(), calls.len()), ("", 1));
        let mut text = ToolText::default();
        assert_eq!(text.push("\nSure"), "\nSure");
        assert_eq!(text.push(", here"), ", here");
        assert_eq!(text.finish(), (String::new(), Vec::new()));
        let mut json = ToolText::default();
        assert_eq!(json.push("{\"a\": 1}"), "");
        assert_eq!(json.finish().0, "{\"a\": 1}");
    }
}
