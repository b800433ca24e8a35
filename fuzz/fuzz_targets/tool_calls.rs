//! What a model and an MCP server can send about tools, on arbitrary bytes: a tool call's
//! arguments as its approval shows them and as its summary, and an MCP server's output through
//! the guard. No panic; nothing a terminal acts on or hides is shown; the summary is short; no
//! message passed on is over the cap, and a JSON message stays JSON.
#![no_main]

use bedrock_tui::fuzzing;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (name, input) = text.split_once('\u{0}').unwrap_or(("run_shell", &text));
    for input in [input.to_string(), serde_json::json!({ "command": input }).to_string()] {
        let (shown, summary) = fuzzing::tool_call_shown(name, &input);
        assert!(!shown.chars().any(|c| (c.is_control() && c != '\n') || c == '\u{a0}'));
        assert!(summary.chars().count() <= 400);
    }
    for line in fuzzing::mcp_messages(data) {
        assert!(line.len() <= bedrock_tui::tools::mcp::MESSAGE_CAP + 1);
    }
    if !data.contains(&b'\n') && serde_json::from_slice::<serde_json::Value>(data).is_ok() {
        let mut message = data.to_vec();
        message.push(b'\n');
        for line in fuzzing::mcp_messages(&message) {
            if !line.is_empty() {
                assert!(serde_json::from_slice::<serde_json::Value>(&line).is_ok());
            }
        }
    }
});
