//! Bounded property runs over the parsers of what a server or a file can send, which the
//! `untrusted` and `tool_calls` fuzz targets explore without bound: server error bodies, the
//! secret scrubber, the terminal sanitizer, JSON for a terminal, the session listing, a tool
//! call as its approval shows it and an MCP server's messages through the guard never panic,
//! and what they promise holds for any input.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

use bedrock_tui::fuzzing;
use proptest::prelude::*;

/// Text with the characters that matter here: controls, C1, bidi, invisibles, secrets' markers.
fn hostile_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "\u{1b}[2J",
        "\u{9b}31m",
        "\u{1b}]52;c;eA==\u{7}",
        "\u{202e}",
        "\u{2066}",
        "\u{200b}",
        "\u{feff}",
        "\u{200d}",
        "\u{a0}",
        "\u{ad}",
        "\u{2028}",
        "\u{e0041}",
        "\u{e0100}",
        "\r\n",
        "\t",
        "x-amz-security-token:",
        "Bearer ",
        "ABSK",
        "Signature=",
        "\"",
        "\\",
        "é",
        "日本",
        "🙂",
        " ",
        "a",
        "0",
    ]);
    prop_oneof![
        ".{0,64}",
        prop::collection::vec(pieces, 0..24).prop_map(|p| p.concat()),
    ]
}

fn is_dangerous(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}' | '\u{200b}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
        // What hides text: soft hyphens, separators, tag characters, variation selectors.
        || matches!(c, '\u{ad}' | '\u{34f}' | '\u{180e}' | '\u{2028}' | '\u{2029}' | '\u{e0000}'..='\u{e007f}' | '\u{e0100}'..='\u{e01ef}')
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn sanitized_text_has_nothing_a_terminal_acts_on(text in hostile_text()) {
        let shown = fuzzing::sanitize(&text);
        prop_assert!(!shown.chars().any(is_dangerous), "{shown:?}");
    }

    #[test]
    fn json_for_a_terminal_reads_back_the_same(text in hostile_text()) {
        let json = serde_json::json!({ "text": text }).to_string();
        let shown = fuzzing::json_for_terminal(&json);
        prop_assert!(!shown.chars().any(is_dangerous));
        let back: serde_json::Value = serde_json::from_str(&shown).unwrap();
        prop_assert_eq!(back["text"].as_str().unwrap(), text.as_str());
    }

    #[test]
    fn scrubbing_never_leaves_a_marked_secret(text in hostile_text(), secret in "[A-Za-z0-9/+]{8,40}") {
        for marker in ["x-amz-security-token:", "Bearer ", "X-Amz-Signature="] {
            let message = format!("{text} {marker}{secret} {text}");
            let scrubbed = fuzzing::scrub(&message);
            prop_assert!(!scrubbed.contains(&format!("{marker}{secret}")), "{scrubbed:?}");
        }
        let _ = fuzzing::scrub(&text);
    }

    #[test]
    fn error_bodies_of_any_shape_give_a_short_message(
        code in prop::option::of(hostile_text()),
        body in prop_oneof![
            hostile_text().prop_map(String::into_bytes),
            hostile_text().prop_map(|m| serde_json::json!({ "message": m }).to_string().into_bytes()),
            prop::collection::vec(any::<u8>(), 0..256),
        ],
    ) {
        let (name, message) = fuzzing::service_error(code.as_deref(), &body);
        prop_assert!(message.chars().count() <= 2_100);
        prop_assert!(!name.chars().any(is_dangerous), "{name:?}");
    }

    #[test]
    fn the_session_listing_reads_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = fuzzing::listing(&bytes);
    }

    #[test]
    fn the_listing_counts_the_prompts_of_a_well_formed_file(prompts in prop::collection::vec(hostile_text(), 0..8)) {
        let mut file = serde_json::json!({"kind":"session","version":1,"id":"x","created":"2026-12-01T00:00:00Z","title":"t","app":"0"}).to_string();
        file.push('\n');
        for (i, text) in prompts.iter().enumerate() {
            file.push_str(&serde_json::json!({"kind":"user","at":"2026-12-01T00:00:00Z","id":i,"text":text}).to_string());
            file.push('\n');
        }
        let (turns, title, _, damaged) = fuzzing::listing(file.as_bytes());
        prop_assert_eq!(turns, prompts.len());
        prop_assert_eq!(title, "t");
        prop_assert!(!damaged);
    }

    #[test]
    fn a_tool_call_shows_every_character_and_a_short_summary(
        name in prop_oneof![Just("run_shell".to_string()), hostile_text()],
        command in hostile_text(),
        runs in 0usize..3_000,
    ) {
        let command = format!("{command}{}{command}", "\u{a0}".repeat(runs));
        let input = serde_json::json!({ "command": command, "path": command }).to_string();
        let (shown, summary) = fuzzing::tool_call_shown(&name, &input);
        prop_assert!(!shown.chars().any(|c| is_dangerous(c) || c == '\u{a0}' || c == '\u{e0041}'), "{shown:?}");
        prop_assert!(summary.chars().count() <= 400, "{}", summary.len());
        prop_assert!(!summary.chars().any(is_dangerous));
    }

    #[test]
    fn the_mcp_guard_passes_json_as_json_and_nothing_over_the_cap(
        text in hostile_text(),
        long in 0usize..80_000,
        bytes in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        let message = serde_json::json!({
            "jsonrpc": "2.0",
            "id": 7,
            "result": { "content": [{ "type": "text", "text": format!("{text}{}", "é".repeat(long)) }] },
        });
        let line = format!("{message}\n");
        let passed = fuzzing::mcp_messages(line.as_bytes());
        prop_assert_eq!(passed.len(), 1);
        let back: serde_json::Value = serde_json::from_slice(&passed[0]).unwrap();
        prop_assert_eq!(&back["id"], 7);
        let kept = back["result"]["content"][0]["text"].as_str().unwrap();
        prop_assert!(kept.len() <= bedrock_tui::tools::RESULT_CAP);
        if line.len() < bedrock_tui::tools::mcp::STRING_KEEP {
            prop_assert_eq!(&passed[0], line.as_bytes());
        }
        for passed in fuzzing::mcp_messages(&bytes) {
            prop_assert!(passed.len() <= bedrock_tui::tools::mcp::MESSAGE_CAP + 1);
        }
    }
}
