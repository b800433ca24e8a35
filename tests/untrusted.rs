//! Bounded property runs over the parsers of what a server or a file can send, which the
//! `untrusted` fuzz target explores without bound: server error bodies, the secret scrubber,
//! the terminal sanitizer, JSON for a terminal and the session listing never panic, and what
//! they promise holds for any input.
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
}
