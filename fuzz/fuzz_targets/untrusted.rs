//! What a server or a file can send, on arbitrary bytes: error bodies and codes, the secret
//! scrubber, the terminal sanitizer, JSON for a terminal and the session listing. No panic, and
//! nothing a terminal acts on survives the sanitizer.
#![no_main]

use bedrock_tui::fuzzing;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (code, body) = text.split_once('\u{0}').unwrap_or(("", &text));
    let _ = fuzzing::service_error(Some(code), body.as_bytes());
    let _ = fuzzing::service_error(None, data);
    let _ = fuzzing::scrub(&text);
    let shown = fuzzing::sanitize(&text);
    assert!(!shown.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
    let _ = fuzzing::json_for_terminal(&text);
    let _ = fuzzing::listing(data);
});
