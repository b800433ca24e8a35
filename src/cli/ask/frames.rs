//! `ask --events`: every event-stream frame as a JSON line.

use crate::bedrock::Frame;
use crate::bedrock::StreamEvent;
use crate::bedrock::eventstream::{HeaderValue, format_uuid};
use base64::Engine;
use serde_json::{Value, json};

/// One frame as a JSON line: headers, payload (UTF-8 text or base64) and, for chunks, the
/// decoded model JSON.
pub fn event_json(frame: &Frame) -> Value {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut headers = serde_json::Map::new();
    for header in frame.message.headers() {
        let value = match header.value {
            HeaderValue::Bool(b) => json!(b),
            HeaderValue::Byte(v) => json!(v),
            HeaderValue::Int16(v) => json!(v),
            HeaderValue::Int32(v) => json!(v),
            HeaderValue::Int64(v) | HeaderValue::Timestamp(v) => json!(v),
            HeaderValue::Bytes(b) => json!({ "base64": b64(b) }),
            HeaderValue::String(s) => json!(s),
            HeaderValue::Uuid(u) => json!(format_uuid(&u)),
        };
        headers.insert(header.name.to_string(), value);
    }
    let payload = frame.message.payload();
    let payload = match std::str::from_utf8(payload) {
        Ok(text) => json!(text),
        Err(_) => json!({ "base64": b64(payload) }),
    };
    let mut line =
        json!({ "headers": headers, "payload": payload, "elapsed_ms": frame.elapsed.as_millis() });
    if let StreamEvent::Chunk(bytes) = &frame.event {
        line["decoded"] = serde_json::from_slice::<Value>(bytes)
            .unwrap_or_else(|_| json!(String::from_utf8_lossy(bytes)));
    }
    line
}
