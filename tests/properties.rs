//! Bounded property runs of what the fuzz targets in `fuzz/` explore without bound: the chunk
//! decoder of every family and the response parsers never panic on any input, and reject what
//! they cannot read with a typed error; text is only ever appended; a chunk whose shape tells a
//! family is read by that family.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

use bedrock_tui::models::{FamilyId, StreamDecoder, detect};
use proptest::prelude::*;
use serde_json::{Value, json};

fn words(text: &'static str) -> Vec<&'static str> {
    text.split_whitespace().collect()
}

/// Arbitrary JSON, biased toward the shapes model chunks have (objects with the member names
/// the decoders look for, strings, numbers where strings are expected and so on).
fn json_value() -> impl Strategy<Value = Value> {
    let names = prop::sample::select(words(
        "type delta text completion outputText generation outputs choices content \
         contentBlockDelta messageStop stop_reason stopReason is_finished finish_reason index \
         usage metadata amazon-bedrock-invocationMetrics inputTokenCount outputTokenCount \
         reasoningContent reasoning_content thinking event_type message role tokens data x",
    ));
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,12}".prop_map(Value::String),
        prop::sample::select(words(
            "content_block_delta text_delta thinking_delta message_delta message_stop \
             text-generation stream-end </think> <think> end_turn",
        ))
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((names.clone(), inner), 0..5).prop_map(|members| {
                Value::Object(
                    members
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect(),
                )
            }),
        ]
    })
}

fn run_decoder(family: FamilyId, chunks: &[Vec<u8>]) {
    let mut decoder = StreamDecoder::new(family);
    let mut text = String::new();
    for chunk in chunks {
        if let Ok(delta) = decoder.decode(chunk) {
            text.push_str(&delta.text);
        }
    }
    text.push_str(&decoder.finish().text);
    // Whatever came out is bounded by what went in (no invented text).
    let input: usize = chunks.iter().map(Vec::len).sum();
    assert!(
        text.len() <= input + 16,
        "{} bytes of text from {input}",
        text.len()
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn chunk_decoders_take_any_bytes(
        family in prop::sample::select(FamilyId::ALL.to_vec()),
        chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..96), 0..6),
    ) {
        run_decoder(family, &chunks);
    }

    #[test]
    fn chunk_decoders_take_any_json(
        family in prop::sample::select(FamilyId::ALL.to_vec()),
        values in prop::collection::vec(json_value(), 1..6),
    ) {
        let chunks: Vec<Vec<u8>> = values.iter().map(|v| v.to_string().into_bytes()).collect();
        run_decoder(family, &chunks);
    }

    #[test]
    fn response_parsers_take_any_json(
        family in prop::sample::select(FamilyId::ALL.to_vec()),
        value in json_value(),
    ) {
        let _ = family.adapter().parse_response(value.to_string().as_bytes());
    }

    #[test]
    fn response_parsers_take_any_bytes(
        family in prop::sample::select(FamilyId::ALL.to_vec()),
        bytes in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        let _ = family.adapter().parse_response(&bytes);
    }

    #[test]
    fn a_chunk_told_by_its_shape_is_read_by_that_family(value in json_value()) {
        let bytes = value.to_string().into_bytes();
        let _ = (detect::of_request(&value), detect::of_response(&value));
        // The call path switches readers only to a family that reads the chunk, and never
        // passes over one that would.
        let told = detect::json_object(&bytes).and_then(|v| detect::of_chunk(&v));
        let readable = told.filter(|family| StreamDecoder::new(*family).decode(&bytes).is_ok());
        prop_assert_eq!(detect::reader_of_chunk(&bytes), readable, "for {}", value);
    }
}
