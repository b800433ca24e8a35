//! What went over the wire for one call, kept and described as plain lines: the request as
//! sent (secrets already redacted by the wire log), the response status and headers, and every
//! event-stream frame with its headers, raw payload, decoded chunk JSON and arrival time. Used
//! by `ask --verbose` and by the chat's inspector; knows nothing of terminals.

use crate::bedrock::eventstream::{HeaderValue, format_uuid};
use crate::bedrock::{Frame, ResponseMeta, SentRequest, StreamEvent};
use base64::Engine;
use bytes::Bytes;
use std::time::Duration;

/// Frames kept per exchange; later ones are counted, not kept.
pub(crate) const FRAMES_KEPT: usize = 5_000;

/// Payload bytes kept per exchange; frames past it are counted, not kept.
pub(crate) const BYTES_KEPT: usize = 8 * 1024 * 1024;

/// What a frame was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// A `chunk` event.
    Chunk,
    /// An exception frame.
    Exception,
    /// An error frame.
    Error,
    /// Any other event.
    Other,
}

/// One event-stream frame as kept.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameRecord {
    /// Arrival, from the start of the call.
    pub elapsed: Duration,
    /// What it was.
    pub kind: FrameKind,
    /// Its headers, as text.
    pub headers: Vec<(String, String)>,
    /// The raw payload.
    pub payload: Bytes,
    /// For chunks: the model JSON inside.
    pub decoded: Option<Bytes>,
}

impl FrameRecord {
    /// Keeps a frame.
    pub(crate) fn from_frame(frame: &Frame) -> FrameRecord {
        let headers = frame
            .message
            .headers()
            .map(|h| (h.name.to_string(), header_text(&h.value)))
            .collect();
        let (kind, decoded) = match &frame.event {
            StreamEvent::Chunk(bytes) => (FrameKind::Chunk, Some(bytes.clone())),
            StreamEvent::Exception(_) => (FrameKind::Exception, None),
            StreamEvent::Error { .. } => (FrameKind::Error, None),
            StreamEvent::Unknown => (FrameKind::Other, None),
        };
        FrameRecord {
            elapsed: frame.elapsed,
            kind,
            headers,
            payload: frame.message.payload_bytes(),
            decoded,
        }
    }
}

/// One header value as text.
pub(crate) fn header_text(value: &HeaderValue<'_>) -> String {
    match value {
        HeaderValue::Bool(b) => b.to_string(),
        HeaderValue::Byte(v) => v.to_string(),
        HeaderValue::Int16(v) => v.to_string(),
        HeaderValue::Int32(v) => v.to_string(),
        HeaderValue::Int64(v) | HeaderValue::Timestamp(v) => v.to_string(),
        HeaderValue::Bytes(b) => format!(
            "base64:{}",
            base64::engine::general_purpose::STANDARD.encode(b)
        ),
        HeaderValue::String(s) => s.to_string(),
        HeaderValue::Uuid(u) => format_uuid(u),
    }
}

/// Everything kept of one call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exchange {
    /// Each attempt as sent.
    pub requests: Vec<SentRequest>,
    /// Status and headers of the final response, when one arrived.
    pub status: Option<u16>,
    /// Its headers.
    pub response_headers: Vec<(String, String)>,
    /// Time to the response headers.
    pub first_byte: Option<Duration>,
    /// The body of a non-streamed response (or of an error response), when kept.
    pub response_body: Option<Bytes>,
    /// Frames of a stream, in order.
    pub frames: Vec<FrameRecord>,
    /// Frames past `FRAMES_KEPT` or `BYTES_KEPT`.
    pub frames_dropped: usize,
    /// Payload bytes of the frames kept.
    pub kept_bytes: usize,
    /// Bytes of the response body or stream.
    pub response_bytes: usize,
    /// How it ended, when it failed.
    pub error: Option<String>,
    /// Time to the end.
    pub total: Option<Duration>,
}

impl Exchange {
    /// Takes the response's status and headers.
    pub fn response(&mut self, meta: &ResponseMeta) {
        self.status = Some(meta.status);
        self.response_headers.clone_from(&meta.headers);
        self.first_byte = Some(meta.first_byte);
    }

    /// Keeps what a call reports: the attempts, the response, its body or frames.
    pub fn record(&mut self, event: &crate::exchange::Event<'_>) {
        use crate::exchange::Event;
        match event {
            Event::Sent(request) => self.requests.push((*request).clone()),
            Event::Response(meta) => self.response(meta),
            Event::Body(body) => {
                self.response_bytes = body.len();
                self.response_body = Some((*body).clone());
            }
            Event::Frame(frame) => self.frame(frame),
            Event::Retrying(_) | Event::Note(_) | Event::Delta(..) | Event::Drained => {}
        }
    }

    /// Keeps a frame (or counts it past the limit).
    pub fn frame(&mut self, frame: &Frame) {
        self.keep(FrameRecord::from_frame(frame));
    }

    /// Keeps a frame record (or counts it past the limit).
    pub fn keep(&mut self, frame: FrameRecord) {
        self.response_bytes += frame.payload.len();
        let size = frame.payload.len() + frame.decoded.as_ref().map_or(0, bytes::Bytes::len);
        if self.frames.len() < FRAMES_KEPT && self.kept_bytes + size <= BYTES_KEPT {
            self.kept_bytes += size;
            self.frames.push(frame);
        } else {
            self.frames_dropped += 1;
        }
    }
}

/// The role of a described line, for styling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineKind {
    /// A section title.
    Section,
    /// The request line or the status line.
    Start,
    /// A header.
    Header,
    /// Body or payload text.
    Body,
    /// A frame's first line.
    Frame,
    /// An exception or error frame, or a failure.
    Problem,
    /// A note (dropped frames, timings).
    Note,
}

/// Base64 strings longer than this (an attached file, a picture) are elided in the view.
const LONG_BASE64: usize = 4096;

/// `value` with its long base64 strings (and `data:` URIs) replaced by what they are:
/// `<base64: 1.2 MiB, elided in this view>`.
fn elide_base64(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) if s.len() > LONG_BASE64 => {
            let payload = s
                .strip_prefix("data:")
                .and_then(|rest| rest.split_once(";base64,").map(|(_, b)| b))
                .unwrap_or(s);
            let is_base64 = payload.len() % 4 == 0
                && payload
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
                && base64::Engine::decode(
                    &base64::engine::general_purpose::STANDARD,
                    &payload[..payload.len().min(LONG_BASE64)],
                )
                .is_ok();
            if is_base64 {
                let bytes = payload.len() as u64 / 4 * 3;
                *s = format!(
                    "<base64: {}, elided in this view>",
                    crate::files::human_size(bytes)
                );
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(elide_base64),
        serde_json::Value::Object(map) => map.values_mut().for_each(elide_base64),
        _ => {}
    }
}

/// A body to read: as [`body_text`], with long base64 strings (attached files, pictures)
/// elided, so a request with a 4 MB image stays a page of text. Never for a body to send.
pub(crate) fn body_view(bytes: &[u8]) -> String {
    if let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(bytes)
        && let Ok(pretty) = {
            elide_base64(&mut value);
            serde_json::to_string_pretty(&value)
        }
    {
        return pretty;
    }
    body_text(bytes)
}

/// Pretty-prints JSON exactly; anything else as UTF-8 (lossy) or base64 for binary.
pub(crate) fn body_text(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "(empty)".to_string();
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes)
        && let Ok(pretty) = serde_json::to_string_pretty(&value)
    {
        return pretty;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => format!(
            "({} bytes, base64) {}",
            bytes.len(),
            base64::engine::general_purpose::STANDARD.encode(bytes)
        ),
    }
}

fn compact(bytes: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(value) => value.to_string(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The exchange as lines: request (every attempt), response, frames.
pub(crate) fn describe(exchange: &Exchange) -> Vec<(LineKind, String)> {
    let mut lines = Vec::new();
    let mut push = |kind, text: String| {
        for line in text.split('\n') {
            lines.push((kind, line.to_string()));
        }
    };
    let attempts = exchange.requests.len();
    for request in &exchange.requests {
        push(
            LineKind::Section,
            if attempts > 1 {
                format!(
                    "Request · attempt {} of {attempts} · sent at +{}",
                    request.attempt,
                    ms(request.at)
                )
            } else {
                "Request".to_string()
            },
        );
        push(
            LineKind::Start,
            format!("{} {}", request.method, request.url),
        );
        for (name, value) in &request.headers {
            push(LineKind::Header, format!("{name}: {value}"));
        }
        push(LineKind::Body, body_view(&request.body));
        push(LineKind::Note, String::new());
    }
    push(LineKind::Section, "Response".to_string());
    match exchange.status {
        Some(status) => {
            let first_byte = exchange
                .first_byte
                .map(|d| format!(" · headers after {}", ms(d)))
                .unwrap_or_default();
            push(LineKind::Start, format!("HTTP {status}{first_byte}"));
            for (name, value) in &exchange.response_headers {
                push(LineKind::Header, format!("{name}: {value}"));
            }
        }
        None => push(LineKind::Note, "(no response yet)".to_string()),
    }
    if let Some(body) = &exchange.response_body {
        push(LineKind::Body, body_view(body));
    }
    if !exchange.frames.is_empty() {
        push(LineKind::Note, String::new());
        push(
            LineKind::Section,
            format!(
                "Event stream · {} frames{}",
                exchange.frames.len() + exchange.frames_dropped,
                if exchange.frames_dropped > 0 {
                    format!(" ({} not kept)", exchange.frames_dropped)
                } else {
                    String::new()
                }
            ),
        );
    }
    for (index, frame) in exchange.frames.iter().enumerate() {
        let kind = match frame.kind {
            FrameKind::Exception | FrameKind::Error => LineKind::Problem,
            _ => LineKind::Frame,
        };
        let headers: Vec<String> = frame
            .headers
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        push(
            kind,
            format!(
                "#{} +{} · {}",
                index + 1,
                ms(frame.elapsed),
                headers.join(" ")
            ),
        );
        push(
            LineKind::Body,
            format!("  payload {}", compact(&frame.payload)),
        );
        if let Some(decoded) = &frame.decoded {
            push(LineKind::Body, format!("  decoded {}", compact(decoded)));
        }
    }
    if exchange.frames_dropped > 0 {
        push(
            LineKind::Note,
            format!("… {} more frames not kept", exchange.frames_dropped),
        );
    }
    if let Some(error) = &exchange.error {
        push(LineKind::Problem, format!("✗ {error}"));
    }
    if let Some(total) = exchange.total {
        push(
            LineKind::Note,
            format!(
                "total {} · {} bytes received",
                ms(total),
                exchange.response_bytes
            ),
        );
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_frames_are_bounded_in_count_and_bytes() {
        let frame = |size: usize| FrameRecord {
            elapsed: Duration::ZERO,
            kind: FrameKind::Chunk,
            headers: Vec::new(),
            payload: Bytes::from(vec![b'a'; size]),
            decoded: None,
        };
        let mut exchange = Exchange::default();
        for _ in 0..20 {
            exchange.keep(frame(1 << 20));
        }
        assert_eq!(exchange.frames.len(), 8);
        assert_eq!(exchange.frames_dropped, 12);
        assert_eq!(exchange.response_bytes, 20 << 20);
        let mut many = Exchange::default();
        for _ in 0..FRAMES_KEPT + 3 {
            many.keep(frame(1));
        }
        assert_eq!(many.frames.len(), FRAMES_KEPT);
        assert_eq!(many.frames_dropped, 3);
    }

    #[test]
    fn bodies_are_pretty_and_binary_is_base64() {
        assert_eq!(body_text(br#"{"a":1}"#), "{\n  \"a\": 1\n}");
        let text = "a sentence of prose. ".repeat(300);
        let image = format!(r#"{{"data":"{}","text":"{text}"}}"#, "QUJD".repeat(2000));
        let shown = body_view(image.as_bytes());
        assert!(
            shown.contains("<base64: 5.9 KiB, elided in this view>"),
            "{shown}"
        );
        assert!(shown.contains(&text), "prose is never elided");
        assert!(
            body_text(image.as_bytes()).contains(&"QUJD".repeat(2000)),
            "exact for sending"
        );
        assert_eq!(body_text(b"plain"), "plain");
        assert!(body_text(&[0xff, 0x00]).starts_with("(2 bytes, base64) "));
        assert_eq!(body_text(b""), "(empty)");
    }
}
