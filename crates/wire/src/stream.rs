//! Responses: metadata read from the headers, and the event stream of
//! `InvokeModelWithResponseStream` turned into typed events (chunks, exceptions, errors).

use super::error::{BedrockError, ServiceError, source_chain};
use super::eventstream::{Decoder, Message};
use base64::Engine;
use bytes::Bytes;
use serde::Deserialize;
use std::borrow::Cow;
use std::time::{Duration, Instant};

/// Most bytes read from one event stream. The longest answers Bedrock gives (128,000 tokens)
/// take about 50 MB of frames; a stream past this limit is cut, so a runaway server cannot
/// exhaust memory (the text of an answer is kept in full).
pub(crate) const MAX_STREAM_BYTES: u64 = 128 * 1024 * 1024;

/// Invocation metrics sent as response headers on non-streamed 200s.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HeaderMetrics {
    /// `X-Amzn-Bedrock-Input-Token-Count`.
    pub input_tokens: Option<u64>,
    /// `X-Amzn-Bedrock-Output-Token-Count`.
    pub output_tokens: Option<u64>,
    /// `X-Amzn-Bedrock-Invocation-Latency` (ms).
    pub invocation_latency_ms: Option<u64>,
    /// `X-Amzn-Bedrock-Cache-Read-Input-Token-Count`.
    pub cache_read_input_tokens: Option<u64>,
    /// `X-Amzn-Bedrock-Cache-Write-Input-Token-Count`.
    pub cache_write_input_tokens: Option<u64>,
}

impl HeaderMetrics {
    /// Reads the `X-Amzn-Bedrock-*-Token-Count` and `-Invocation-Latency` headers.
    pub(crate) fn from_headers(headers: &reqwest::header::HeaderMap) -> Self {
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        HeaderMetrics {
            input_tokens: number("x-amzn-bedrock-input-token-count"),
            output_tokens: number("x-amzn-bedrock-output-token-count"),
            invocation_latency_ms: number("x-amzn-bedrock-invocation-latency"),
            cache_read_input_tokens: number("x-amzn-bedrock-cache-read-input-token-count"),
            cache_write_input_tokens: number("x-amzn-bedrock-cache-write-input-token-count"),
        }
    }
}

/// What the response headers said.
#[derive(Debug, Clone, Default)]
pub struct ResponseMeta {
    /// HTTP status.
    pub status: u16,
    /// `x-amzn-RequestId` (or `x-amz-request-id`).
    pub request_id: Option<String>,
    /// The model payload's MIME type: `X-Amzn-Bedrock-Content-Type` on streams, else
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// The HTTP `Content-Type`.
    pub http_content_type: Option<String>,
    /// `X-Amzn-Bedrock-PerformanceConfig-Latency`.
    pub performance_latency: Option<String>,
    /// `X-Amzn-Bedrock-Service-Tier`.
    pub service_tier: Option<String>,
    /// Invocation metrics from headers.
    pub metrics: HeaderMetrics,
    /// Every header, names in lower case, in arrival order.
    pub headers: Vec<(String, String)>,
    /// Time from the start of the call to the response headers.
    pub first_byte: Duration,
    /// Attempts made (1 when the first one succeeded).
    pub attempts: u32,
}

impl ResponseMeta {
    /// Reads the metadata of a response.
    pub(crate) fn from_response(response: &reqwest::Response, first_byte: Duration) -> Self {
        let headers = response.headers();
        let get = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let http_content_type = get("content-type");
        ResponseMeta {
            status: response.status().as_u16(),
            request_id: get("x-amzn-requestid").or_else(|| get("x-amz-request-id")),
            content_type: get("x-amzn-bedrock-content-type").or_else(|| http_content_type.clone()),
            http_content_type,
            performance_latency: get("x-amzn-bedrock-performanceconfig-latency"),
            service_tier: get("x-amzn-bedrock-service-tier"),
            metrics: HeaderMetrics::from_headers(headers),
            headers: headers
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            first_byte,
            attempts: 1,
        }
    }

    /// A header by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What one event-stream frame means.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// A `chunk` event: the base64-decoded model JSON; or a ConverseStream event as one
    /// object keyed by its event type (`{"contentBlockDelta":{…}}`).
    Chunk(Bytes),
    /// An exception frame (`:message-type: exception`).
    Exception(ServiceError),
    /// A generic error frame (`:message-type: error`).
    Error {
        /// `:error-code`.
        code: String,
        /// `:error-message`.
        message: String,
    },
    /// An event or message type this client does not know; skipped.
    Unknown,
}

impl StreamEvent {
    /// The event as an error, for exception and error frames.
    pub fn into_error(self) -> Option<BedrockError> {
        match self {
            StreamEvent::Exception(e) => Some(BedrockError::Service(Box::new(e))),
            StreamEvent::Error { code, message } => {
                Some(BedrockError::StreamError { code, message })
            }
            _ => None,
        }
    }
}

/// A decoded frame with its meaning and arrival time.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The raw message.
    pub message: Message,
    /// Time since the call started.
    pub elapsed: Duration,
    /// What it means.
    pub event: StreamEvent,
}

#[derive(Deserialize)]
struct PayloadPart<'a> {
    #[serde(borrow)]
    bytes: Option<Cow<'a, str>>,
}

/// Decodes a chunk payload `{"bytes":"<base64>", "p": "..."}` into the model JSON bytes,
/// appending to `out`. Unknown members (the `p` padding) are ignored.
pub fn decode_chunk_payload(payload: &[u8], out: &mut Vec<u8>) -> Result<(), BedrockError> {
    if let Some(encoded) = exact_payload_shape(payload) {
        let start = out.len();
        if base64::engine::general_purpose::STANDARD
            .decode_vec(encoded, out)
            .is_ok()
        {
            return Ok(());
        }
        // Not plain base64 after all (an escape in the string): the JSON parser decides.
        out.truncate(start);
    }
    let part: PayloadPart<'_> = serde_json::from_slice(payload)
        .map_err(|e| BedrockError::MalformedResponse(format!("chunk payload is not JSON: {e}")))?;
    let encoded = part.bytes.ok_or_else(|| {
        BedrockError::MalformedResponse("chunk payload has no `bytes` member".to_string())
    })?;
    base64::engine::general_purpose::STANDARD
        .decode_vec(encoded.as_bytes(), out)
        .map_err(|e| BedrockError::MalformedResponse(format!("chunk `bytes` is not base64: {e}")))
}

/// The base64 text of a payload in exactly the compact shape Bedrock sends,
/// `{"bytes":"<base64>"}` or `{"bytes":"<base64>","p":"<letters and digits>"}`; `None` for any
/// other spelling, which then goes through the JSON parser. Base64 never contains `"`, so the
/// value ends at the next quote.
fn exact_payload_shape(payload: &[u8]) -> Option<&[u8]> {
    let rest = payload.strip_prefix(br#"{"bytes":""#)?;
    let end = rest.iter().position(|&b| b == b'"')?;
    let (encoded, tail) = (&rest[..end], &rest[end + 1..]);
    // The base64 decoder checks the characters; an escape makes it fail and the caller falls
    // back to the JSON parser.
    if tail == b"}" {
        return Some(encoded);
    }
    let padding = tail.strip_prefix(br#","p":""#)?.strip_suffix(br#""}"#)?;
    padding
        .iter()
        .all(u8::is_ascii_alphanumeric)
        .then_some(encoded)
}

/// The event members of a ConverseStream (botocore `ConverseStreamOutput`).
pub const CONVERSE_EVENTS: &[&str] = &[
    "messageStart",
    "contentBlockStart",
    "contentBlockDelta",
    "contentBlockStop",
    "messageStop",
    "metadata",
];

/// Classifies a decoded message by its `:message-type`.
pub fn classify(message: &Message) -> Result<StreamEvent, BedrockError> {
    match message.header_str(":message-type") {
        Some("event") => match message.header_str(":event-type") {
            Some("chunk") => {
                let mut out = Vec::new();
                decode_chunk_payload(message.payload(), &mut out)?;
                Ok(StreamEvent::Chunk(Bytes::from(out)))
            }
            // A ConverseStream event: its payload is the member's own JSON, its name only in
            // the header; handed on as one object keyed by it, as boto3 hands it over.
            Some(kind) if CONVERSE_EVENTS.contains(&kind) => {
                // The payload must be one JSON object and nothing after it, or wrapping it could
                // let it carry a second event; checked without building it.
                let payload = message.payload();
                let an_object = payload.trim_ascii_start().first() == Some(&b'{')
                    && serde_json::from_slice::<serde::de::IgnoredAny>(payload).is_ok();
                if !an_object {
                    return Err(BedrockError::MalformedResponse(format!(
                        "a ConverseStream {kind} event whose payload is not one JSON object"
                    )));
                }
                let mut out = Vec::with_capacity(payload.len() + kind.len() + 5);
                out.extend_from_slice(b"{\"");
                out.extend_from_slice(kind.as_bytes());
                out.extend_from_slice(b"\":");
                out.extend_from_slice(payload);
                out.push(b'}');
                Ok(StreamEvent::Chunk(Bytes::from(out)))
            }
            _ => Ok(StreamEvent::Unknown),
        },
        Some("exception") => {
            let code = message
                .header_str(":exception-type")
                .unwrap_or("UnknownException");
            Ok(StreamEvent::Exception(ServiceError::from_body(
                Some(code),
                message.payload(),
            )))
        }
        Some("error") => Ok(StreamEvent::Error {
            code: super::error::server_code(
                message.header_str(":error-code").unwrap_or("UnknownError"),
            ),
            message: super::error::server_text(
                message
                    .header_str(":error-message")
                    .unwrap_or("(no message)"),
            ),
        }),
        _ => Ok(StreamEvent::Unknown),
    }
}

/// The body of an `InvokeModelWithResponseStream` response, read frame by frame.
#[derive(Debug)]
pub struct ResponseStream {
    /// Status and headers.
    pub meta: ResponseMeta,
    response: reqwest::Response,
    decoder: Decoder,
    timeouts: super::Timeouts,
    started: Instant,
    /// When the idle limit runs out: counted from the last whole frame, so a trickle of bytes
    /// that never completes one is a stall.
    idle_end: tokio::time::Instant,
    finished: bool,
}

impl ResponseStream {
    pub fn new(
        response: reqwest::Response,
        meta: ResponseMeta,
        timeouts: super::Timeouts,
        started: Instant,
    ) -> Self {
        ResponseStream {
            meta,
            response,
            decoder: Decoder::new(),
            timeouts,
            started,
            idle_end: tokio::time::Instant::now() + timeouts.idle,
            finished: false,
        }
    }

    /// Time since the call started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Whether `next_frame` has a frame (or the end) without waiting for the network.
    pub fn frame_ready(&self) -> bool {
        self.finished || self.decoder.frame_ready()
    }

    /// The next frame, `Ok(None)` at the clean end of the stream. Exception frames come back as
    /// frames (so they can be shown with their headers); see [`StreamEvent::into_error`].
    pub async fn next_frame(&mut self) -> Result<Option<Frame>, BedrockError> {
        let deadline = tokio::time::Instant::from_std(self.started + self.timeouts.answer);
        loop {
            if let Some(message) = self.decoder.next_message()? {
                self.idle_end = tokio::time::Instant::now() + self.timeouts.idle;
                let event = classify(&message)?;
                return Ok(Some(Frame {
                    message,
                    elapsed: self.started.elapsed(),
                    event,
                }));
            }
            if self.finished {
                return Ok(None);
            }
            let next = super::body::next_read_until(
                self.response.chunk(),
                self.timeouts,
                self.idle_end,
                deadline,
            )
            .await?
            .map_err(|e| {
                BedrockError::Transport(format!(
                    "the stream broke off after {} bytes: {}",
                    self.decoder.offset() + self.decoder.buffered() as u64,
                    source_chain(&e)
                ))
            })?;
            if let Some(bytes) = next {
                let read =
                    self.decoder.offset() + self.decoder.buffered() as u64 + bytes.len() as u64;
                if read > MAX_STREAM_BYTES {
                    return Err(BedrockError::TooLarge(format!(
                        "the stream passed the {} MiB limit; the rest was not read",
                        MAX_STREAM_BYTES >> 20
                    )));
                }
                self.decoder.push(bytes);
            } else {
                self.finished = true;
                self.decoder.finish()?;
            }
        }
    }

    /// The next chunk's model JSON, skipping unknown events; exception and error frames become
    /// errors. `Ok(None)` at the end.
    pub async fn next_chunk(&mut self) -> Result<Option<Bytes>, BedrockError> {
        while let Some(frame) = self.next_frame().await? {
            match frame.event {
                StreamEvent::Chunk(bytes) => return Ok(Some(bytes)),
                StreamEvent::Unknown => {}
                other => {
                    if let Some(error) = other.into_error() {
                        return Err(error);
                    }
                }
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ExceptionKind;
    use crate::eventstream::{Header, encode_message};

    fn message(headers: &[Header<'_>], payload: &[u8]) -> Message {
        let mut out = Vec::new();
        encode_message(headers, payload, &mut out).unwrap();
        let mut decoder = Decoder::new();
        decoder.push(Bytes::from(out));
        decoder.next_message().unwrap().unwrap()
    }

    #[test]
    fn a_converse_event_is_wrapped_by_its_type_and_must_be_one_object() {
        let event = |payload: &[u8]| {
            classify(&message(
                &[
                    Header::string(":event-type", "contentBlockDelta"),
                    Header::string(":content-type", "application/json"),
                    Header::string(":message-type", "event"),
                ],
                payload,
            ))
        };
        match event(br#"{"contentBlockIndex":0,"delta":{"text":"a"},"p":"ab"}"#).unwrap() {
            StreamEvent::Chunk(bytes) => assert_eq!(
                &bytes[..],
                br#"{"contentBlockDelta":{"contentBlockIndex":0,"delta":{"text":"a"},"p":"ab"}}"#
            ),
            other => panic!("{other:?}"),
        }
        // A payload that would carry a second event once wrapped, two objects, or no object.
        for payload in [
            &br#"{"delta":{"text":"a"}},"metadata":{"usage":{}}"#[..],
            br#"{"a":1}{"b":2}"#,
            b"[1]",
            b"",
        ] {
            assert!(
                event(payload).is_err(),
                "{}",
                String::from_utf8_lossy(payload)
            );
        }
    }

    #[test]
    fn chunk_payload_ignores_padding() {
        let mut out = Vec::new();
        decode_chunk_payload(br#"{"bytes":"eyJhIjoxfQ==","p":"abcdef"}"#, &mut out).unwrap();
        assert_eq!(out, br#"{"a":1}"#);
        assert!(decode_chunk_payload(br#"{"p":"x"}"#, &mut out).is_err());
        assert!(decode_chunk_payload(br#"{"bytes":"%%%"}"#, &mut out).is_err());
        assert!(decode_chunk_payload(b"garbage", &mut out).is_err());
        // Other spellings of the same JSON take the parser's path.
        for payload in [
            &br#"{ "bytes" : "eyJhIjoxfQ==" }"#[..],
            br#"{"p":"ab","bytes":"eyJhIjoxfQ=="}"#,
            br#"{"bytes":"eyJhIjoxfQ==","p":"ab"}"#,
        ] {
            out.clear();
            decode_chunk_payload(payload, &mut out).unwrap();
            assert_eq!(out, br#"{"a":1}"#);
        }
        assert!(exact_payload_shape(br#"{"bytes":"eyJh","p":"a-b"}"#).is_none());
        assert!(decode_chunk_payload(br#"{"bytes":"eyJh","p":"x"} trailing"#, &mut out).is_err());
    }

    #[test]
    fn exception_frames_are_typed() {
        let m = message(
            &[
                Header::string(":message-type", "exception"),
                Header::string(":exception-type", "modelStreamErrorException"),
            ],
            br#"{"message":"bad","originalStatusCode":500,"originalMessage":"oops"}"#,
        );
        match classify(&m).unwrap() {
            StreamEvent::Exception(e) => {
                assert_eq!(e.kind, ExceptionKind::ModelStreamError);
                assert_eq!(e.original_status_code, Some(500));
                assert_eq!(e.original_message.as_deref(), Some("oops"));
            }
            other => panic!("{other:?}"),
        }
        let m = message(
            &[
                Header::string(":message-type", "error"),
                Header::string(":error-code", "BadThing"),
                Header::string(":error-message", "it broke"),
            ],
            b"",
        );
        assert_eq!(
            classify(&m).unwrap(),
            StreamEvent::Error {
                code: "BadThing".into(),
                message: "it broke".into()
            }
        );
        let m = message(
            &[
                Header::string(":message-type", "event"),
                Header::string(":event-type", "somethingNew"),
            ],
            b"{}",
        );
        assert_eq!(classify(&m).unwrap(), StreamEvent::Unknown);
    }
}
