//! The event-stream decoder against the official test vectors (aws-sdk-go, smithy-rs), at every
//! split size, concatenated, round-tripped through the encoder, and differentially against
//! `aws-smithy-eventstream` on random and mutated frames.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

use base64::Engine;
use bedrock_tui::bedrock::eventstream::{
    DecodeError, Decoder, Header, HeaderValue, Message, encode_message,
};
use bytes::Bytes;
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eventstream-vectors")
}

fn b64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

/// Decodes a whole buffer fed in pieces of `split` bytes.
fn decode_all(bytes: &[u8], split: usize) -> Result<Vec<Message>, DecodeError> {
    let mut decoder = Decoder::new();
    let mut messages = Vec::new();
    for piece in bytes.chunks(split.max(1)) {
        decoder.push(Bytes::copy_from_slice(piece));
        while let Some(m) = decoder.next_message()? {
            messages.push(m);
        }
    }
    decoder.finish()?;
    Ok(messages)
}

/// A header value in a form both decoders can be compared in.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Bool(bool),
    Byte(i8),
    Short(i16),
    Int(i32),
    Long(i64),
    Bytes(Vec<u8>),
    Str(String),
    Time(i64),
    Uuid([u8; 16]),
}

fn ours(value: &HeaderValue<'_>) -> Value {
    match *value {
        HeaderValue::Bool(b) => Value::Bool(b),
        HeaderValue::Byte(v) => Value::Byte(v),
        HeaderValue::Int16(v) => Value::Short(v),
        HeaderValue::Int32(v) => Value::Int(v),
        HeaderValue::Int64(v) => Value::Long(v),
        HeaderValue::Bytes(b) => Value::Bytes(b.to_vec()),
        HeaderValue::String(s) => Value::Str(s.to_string()),
        HeaderValue::Timestamp(t) => Value::Time(t),
        HeaderValue::Uuid(u) => Value::Uuid(u),
    }
}

fn headers_of(message: &Message) -> Vec<(String, Value)> {
    message
        .headers()
        .map(|h| (h.name.to_string(), ours(&h.value)))
        .collect()
}

#[test]
fn aws_sdk_go_positive_vectors_decode_exactly() {
    let dir = vectors().join("aws-sdk-go/testdata");
    let mut count = 0;
    for entry in std::fs::read_dir(dir.join("encoded/positive")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let expected: serde_json::Value = serde_json::from_slice(
            &std::fs::read(dir.join("decoded/positive").join(&name)).unwrap(),
        )
        .unwrap();
        for split in 1..=bytes.len() {
            let messages = decode_all(&bytes, split).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(messages.len(), 1, "{name}");
            let m = &messages[0];
            assert_eq!(
                m.frame().len() as u64,
                expected["total_length"].as_u64().unwrap()
            );
            let crc = |at: usize| u32::from_be_bytes(m.frame()[at..at + 4].try_into().unwrap());
            assert_eq!(
                i64::from(crc(8) as i32),
                expected["prelude_crc"].as_i64().unwrap()
            );
            assert_eq!(
                i64::from(crc(m.frame().len() - 4) as i32),
                expected["message_crc"].as_i64().unwrap()
            );
            assert_eq!(m.payload(), b64(expected["payload"].as_str().unwrap_or("")));
            let want: Vec<(String, Value)> = expected["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    let v = &h["value"];
                    let value = match h["type"].as_u64().unwrap() {
                        0 | 1 => Value::Bool(v.as_bool().unwrap()),
                        2 => Value::Byte(v.as_i64().unwrap() as i8),
                        3 => Value::Short(v.as_i64().unwrap() as i16),
                        4 => Value::Int(v.as_i64().unwrap() as i32),
                        5 => Value::Long(v.as_i64().unwrap()),
                        6 => Value::Bytes(b64(v.as_str().unwrap())),
                        7 => Value::Str(String::from_utf8(b64(v.as_str().unwrap())).unwrap()),
                        8 => Value::Time(v.as_i64().unwrap()),
                        9 => Value::Uuid(b64(v.as_str().unwrap()).try_into().unwrap()),
                        t => panic!("type {t}"),
                    };
                    (h["name"].as_str().unwrap().to_string(), value)
                })
                .collect();
            assert_eq!(headers_of(m), want, "{name}");
        }
        count += 1;
    }
    assert_eq!(count, 5);
}

#[test]
fn aws_sdk_go_negative_vectors_are_rejected_with_the_documented_error() {
    let dir = vectors().join("aws-sdk-go/testdata");
    let mut count = 0;
    for entry in std::fs::read_dir(dir.join("encoded/negative")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let expected = std::fs::read_to_string(dir.join("decoded/negative").join(&name)).unwrap();
        for split in 1..=bytes.len() {
            let err = decode_all(&bytes, split).unwrap_err();
            match expected.trim() {
                "Prelude checksum mismatch" => {
                    assert!(
                        matches!(err, DecodeError::PreludeChecksum { offset: 0, .. }),
                        "{name}: {err}"
                    );
                }
                "Message checksum mismatch" => {
                    assert!(
                        matches!(err, DecodeError::MessageChecksum { offset: 0, .. }),
                        "{name}: {err}"
                    );
                }
                other => panic!("unexpected expectation {other}"),
            }
        }
        count += 1;
    }
    assert_eq!(count, 4);
}

#[test]
fn smithy_vectors() {
    let dir = vectors().join("smithy-rs/test_data");
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    let all = read("valid_with_all_headers_and_payload");
    let m = &decode_all(&all, all.len()).unwrap()[0];
    assert_eq!(m.frame().len(), 150);
    assert_eq!(m.payload(), b"some payload");
    assert_eq!(
        headers_of(m),
        vec![
            ("true".into(), Value::Bool(true)),
            ("false".into(), Value::Bool(false)),
            ("byte".into(), Value::Byte(50)),
            ("short".into(), Value::Short(20000)),
            ("int".into(), Value::Int(500_000)),
            ("long".into(), Value::Long(50_000_000_000)),
            ("bytes".into(), Value::Bytes(b"some bytes".to_vec())),
            ("str".into(), Value::Str("some str".into())),
            ("time".into(), Value::Time(5_000_000_000)),
            (
                "uuid".into(),
                Value::Uuid(0xb79b_c914_de21_4e13_b8b2_bc47_e85b_7f0b_u128.to_be_bytes()),
            ),
        ]
    );
    let empty = read("valid_empty_payload");
    let m = &decode_all(&empty, 1).unwrap()[0];
    assert_eq!(
        headers_of(m),
        vec![("some-header".into(), Value::Short(500))]
    );
    assert!(m.payload().is_empty());
    let none = read("valid_no_headers");
    let m = &decode_all(&none, 3).unwrap()[0];
    assert_eq!(headers_of(m), vec![]);
    assert_eq!(m.payload(), b"another test payload");

    assert_eq!(
        decode_all(&read("invalid_prelude_checksum"), 200).unwrap_err(),
        DecodeError::PreludeChecksum {
            offset: 0,
            computed: 0x8BB4_95FB,
            expected: 0xDEAD_BEEF
        }
    );
    assert_eq!(
        decode_all(&read("invalid_message_checksum"), 200).unwrap_err(),
        DecodeError::MessageChecksum {
            offset: 0,
            computed: 0x01A0_5860,
            expected: 0xDEAD_BEEF
        }
    );
    for name in [
        "invalid_header_value_type",
        "invalid_header_name_length",
        "invalid_header_string_value_length",
        "invalid_header_string_length_cut_off",
        "invalid_headers_length",
        "invalid_header_name_length_too_long",
    ] {
        let bytes = read(name);
        for split in 1..=bytes.len() {
            assert!(decode_all(&bytes, split).is_err(), "{name} split {split}");
        }
    }
}

#[test]
fn all_valid_vectors_concatenated_at_every_split() {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(vectors().join("aws-sdk-go/testdata/encoded/positive")).unwrap()
    {
        files.push(entry.unwrap().path());
    }
    for name in [
        "valid_with_all_headers_and_payload",
        "valid_empty_payload",
        "valid_no_headers",
    ] {
        files.push(vectors().join("smithy-rs/test_data").join(name));
    }
    files.push(vectors().join("bedrock-shaped/bedrock_chunk_content_block_delta.bin"));
    files.push(vectors().join("bedrock-shaped/bedrock_exception_throttling.bin"));
    files.sort();
    let mut stream = Vec::new();
    let mut singles = Vec::new();
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        singles.push(decode_all(&bytes, bytes.len()).unwrap().remove(0));
        stream.extend_from_slice(&bytes);
    }
    for split in 1..=stream.len() {
        let messages = decode_all(&stream, split).unwrap();
        assert_eq!(messages, singles, "split {split}");
    }
    // A cut anywhere inside the last frame is a truncation at that frame's offset.
    let last_start = stream.len() - singles.last().unwrap().frame().len();
    for cut in last_start + 1..stream.len() {
        match decode_all(&stream[..cut], 7) {
            Err(DecodeError::Truncated { offset, .. }) => assert_eq!(offset, last_start as u64),
            other => panic!("cut {cut}: {other:?}"),
        }
    }
}

#[test]
fn bedrock_shaped_vectors() {
    let dir = vectors().join("bedrock-shaped");
    let chunk = std::fs::read(dir.join("bedrock_chunk_content_block_delta.bin")).unwrap();
    let m = &decode_all(&chunk, 5).unwrap()[0];
    assert_eq!(m.frame().len(), 215);
    assert_eq!(m.header_str(":event-type"), Some("chunk"));
    assert_eq!(m.header_str(":message-type"), Some("event"));
    let mut out = Vec::new();
    bedrock_tui::bedrock::stream::decode_chunk_payload(m.payload(), &mut out).unwrap();
    assert_eq!(
        out,
        br#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#
    );
    let exc = std::fs::read(dir.join("bedrock_exception_throttling.bin")).unwrap();
    let m = &decode_all(&exc, 1).unwrap()[0];
    assert_eq!(m.header_str(":exception-type"), Some("throttlingException"));
    match bedrock_tui::bedrock::stream::classify(m).unwrap() {
        bedrock_tui::bedrock::StreamEvent::Exception(e) => {
            assert_eq!(e.kind, bedrock_tui::bedrock::ExceptionKind::Throttling);
            assert_eq!(
                e.message,
                "Too many requests, please wait before trying again."
            );
        }
        other => panic!("{other:?}"),
    }
}

// ---- properties and the differential test against aws-smithy-eventstream ----

#[derive(Debug, Clone)]
struct OwnedHeader {
    name: String,
    value: Value,
}

impl OwnedHeader {
    fn borrow(&self) -> Header<'_> {
        let value = match &self.value {
            Value::Bool(b) => HeaderValue::Bool(*b),
            Value::Byte(v) => HeaderValue::Byte(*v),
            Value::Short(v) => HeaderValue::Int16(*v),
            Value::Int(v) => HeaderValue::Int32(*v),
            Value::Long(v) => HeaderValue::Int64(*v),
            Value::Bytes(b) => HeaderValue::Bytes(b),
            Value::Str(s) => HeaderValue::String(s),
            Value::Time(t) => HeaderValue::Timestamp(*t),
            Value::Uuid(u) => HeaderValue::Uuid(*u),
        };
        Header {
            name: &self.name,
            value,
        }
    }
}

fn header_strategy() -> impl Strategy<Value = OwnedHeader> {
    let value = prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<i8>().prop_map(Value::Byte),
        any::<i16>().prop_map(Value::Short),
        any::<i32>().prop_map(Value::Int),
        any::<i64>().prop_map(Value::Long),
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(Value::Bytes),
        "\\PC{0,40}".prop_map(Value::Str),
        any::<i64>().prop_map(Value::Time),
        any::<[u8; 16]>().prop_map(Value::Uuid),
    ];
    ("[:a-zA-Z0-9_\\-é€]{1,40}", value).prop_map(|(name, value)| OwnedHeader { name, value })
}

fn frame_strategy() -> impl Strategy<Value = (Vec<OwnedHeader>, Vec<u8>)> {
    (
        proptest::collection::vec(header_strategy(), 0..8),
        proptest::collection::vec(any::<u8>(), 0..300),
    )
}

fn encode(headers: &[OwnedHeader], payload: &[u8]) -> Vec<u8> {
    let borrowed: Vec<Header<'_>> = headers.iter().map(OwnedHeader::borrow).collect();
    let mut out = Vec::new();
    encode_message(&borrowed, payload, &mut out).unwrap();
    out
}

/// What smithy-rs makes of one frame: its headers and payload, or a rejection.
/// Headers and payload of a decoded frame.
type Decoded = (Vec<(String, Value)>, Vec<u8>);

fn smithy_decode(bytes: &[u8]) -> Option<Decoded> {
    use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder};
    use aws_smithy_types::event_stream::HeaderValue as S;
    let mut decoder = MessageFrameDecoder::new();
    let mut buf = Bytes::copy_from_slice(bytes);
    let Ok(DecodedFrame::Complete(message)) = decoder.decode_frame(&mut buf) else {
        return None;
    };
    let headers = message
        .headers()
        .iter()
        .map(|h| {
            let v = match h.value() {
                S::Bool(b) => Value::Bool(*b),
                S::Byte(v) => Value::Byte(*v),
                S::Int16(v) => Value::Short(*v),
                S::Int32(v) => Value::Int(*v),
                S::Int64(v) => Value::Long(*v),
                S::ByteArray(b) => Value::Bytes(b.to_vec()),
                S::String(s) => Value::Str(s.as_str().to_string()),
                S::Timestamp(t) => Value::Time(t.to_millis().unwrap()),
                S::Uuid(u) => Value::Uuid(u.to_be_bytes()),
                _ => panic!("new header type"),
            };
            (h.name().as_str().to_string(), v)
        })
        .collect();
    Some((headers, message.payload().to_vec()))
}

fn our_decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let mut decoder = Decoder::new();
    decoder.push_slice(bytes);
    match decoder.next_message()? {
        Some(m) => Ok((headers_of(&m), m.payload().to_vec())),
        None => Err(decoder.finish().unwrap_err()),
    }
}

/// Rewrites both CRCs so a mutation reaches the header and payload checks.
fn fix_crcs(bytes: &mut [u8]) {
    if bytes.len() < 16 {
        return;
    }
    let prelude = crc32fast::hash(&bytes[..8]);
    bytes[8..12].copy_from_slice(&prelude.to_be_bytes());
    let end = bytes.len() - 4;
    let message = crc32fast::hash(&bytes[..end]);
    bytes[end..].copy_from_slice(&message.to_be_bytes());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_messages_round_trip_at_any_split((headers, payload) in frame_strategy(), split in 1usize..64) {
        let bytes = encode(&headers, &payload);
        let messages = decode_all(&bytes, split).unwrap();
        prop_assert_eq!(messages.len(), 1);
        let want: Vec<(String, Value)> = headers.iter().map(|h| (h.name.clone(), ours(&h.borrow().value))).collect();
        prop_assert_eq!(headers_of(&messages[0]), want);
        prop_assert_eq!(messages[0].payload(), &payload[..]);
    }

    #[test]
    fn smithy_agrees_on_random_frames((headers, payload) in frame_strategy()) {
        let bytes = encode(&headers, &payload);
        let ours = our_decode(&bytes).unwrap();
        prop_assert_eq!(Some(ours), smithy_decode(&bytes));
    }

    #[test]
    fn smithy_agrees_on_corrupted_frames((headers, payload) in frame_strategy(), at in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let mut bytes = encode(&headers, &payload);
        let i = at.index(bytes.len());
        bytes[i] ^= flip;
        prop_assert!(our_decode(&bytes).is_err());
        prop_assert!(smithy_decode(&bytes).is_none());
    }

    #[test]
    fn smithy_agrees_on_mutated_frames_with_valid_crcs((headers, payload) in frame_strategy(), at in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let mut bytes = encode(&headers, &payload);
        // Mutate the headers or payload (not the prelude lengths), then make the CRCs right.
        // A frame with neither has nothing to mutate.
        prop_assume!(bytes.len() > 16);
        let i = 12 + at.index(bytes.len() - 16);
        bytes[i] ^= flip;
        fix_crcs(&mut bytes);
        match (our_decode(&bytes), smithy_decode(&bytes)) {
            (Ok(a), Some(b)) => prop_assert_eq!(a, b),
            (Err(_), None) => {}
            // The one deliberate difference: a zero-length header name, which smithy-rs
            // accepts and this decoder refuses (names are 1..=255 bytes).
            (Err(DecodeError::EmptyHeaderName { .. }), Some((h, _))) => {
                prop_assert!(h.iter().any(|(name, _)| name.is_empty()));
            }
            (a, b) => prop_assert!(false, "ours {:?} vs smithy {:?}", a, b),
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048), split in 1usize..300) {
        let _ = decode_all(&bytes, split);
    }
}
