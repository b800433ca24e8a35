//! Building the emulator's responses: AWS-shaped errors, JSON bodies, and event-stream frames
//! sent through a channel-backed body with pacing and injected faults.

use base64::Engine;
use bedrock_tui_wire::ExceptionKind;
use bedrock_tui_wire::eventstream::{Header, encode_message};
use bytes::Bytes;
use futures_util::stream;
use http::{HeaderValue, Response, StatusCode};
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::Frame;
use std::time::Duration;
use tokio::sync::mpsc;

/// The body type of every emulator response.
pub(crate) type Body = BoxBody<Bytes, std::io::Error>;

/// A whole body.
pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// A random version-4 UUID, for request ids.
pub fn request_id() -> String {
    let mut bytes = [0u8; 16];
    fastrand::fill(&mut bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    bedrock_tui_wire::eventstream::format_uuid(&bytes)
}

/// An AWS error response: status, `x-amzn-ErrorType`, JSON `{"message": ...}`.
pub(crate) fn error_response(
    kind: &ExceptionKind,
    message: &str,
    request_id: &str,
) -> Response<Body> {
    let namespace = match kind {
        ExceptionKind::InvalidSignature
        | ExceptionKind::UnrecognizedClient
        | ExceptionKind::ExpiredToken
        | ExceptionKind::Other(_) => "com.amazon.coral.service",
        _ => "com.amazon.bedrock",
    };
    let mut body = serde_json::json!({ "message": message });
    if *kind == ExceptionKind::ModelError {
        body["originalStatusCode"] = serde_json::json!(500);
        body["resourceName"] = serde_json::json!("emulator");
    }
    let status = match kind {
        ExceptionKind::Other(name) if name == "UnknownOperationException" => 404,
        // AWS answers a request without any authentication with 403.
        ExceptionKind::Other(name) if name == "MissingAuthenticationTokenException" => 403,
        other => other.http_status(),
    };
    let mut response = Response::new(full(body.to_string()));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    insert(headers, "x-amzn-requestid", request_id);
    insert(
        headers,
        "x-amzn-errortype",
        &format!(
            "{}:http://internal.amazon.com/coral/{namespace}/",
            kind.name()
        ),
    );
    response
}

/// Inserts a header, skipping values that are not valid header text.
pub fn insert(headers: &mut http::HeaderMap, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

/// The padding Bedrock adds beside `bytes`: a prefix of `a…zA…Z0…9`.
fn padding(index: usize) -> &'static str {
    const ALPHABET: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    &ALPHABET[..2 + (index * 7) % 61]
}

/// The event-stream frame of one chunk: `{"bytes": base64(model JSON), "p": padding}`.
pub(crate) fn chunk_frame(model_json: &[u8], index: usize, out: &mut Vec<u8>) {
    let encoded = base64::engine::general_purpose::STANDARD.encode(model_json);
    let payload = format!(r#"{{"bytes":"{encoded}","p":"{}"}}"#, padding(index));
    let headers = [
        Header::string(":event-type", "chunk"),
        Header::string(":content-type", "application/json"),
        Header::string(":message-type", "event"),
    ];
    // Chunks are far below the frame limits, so encoding cannot fail; skip it if it did.
    let _ = encode_message(&headers, payload.as_bytes(), out);
}

/// The event-stream frame of one ConverseStream event given as `{"<event type>": {…}}`: the
/// type in `:event-type`, the member's own object (with `p` padding) as the payload, as
/// recorded.
pub(crate) fn converse_frame(event: &[u8], index: usize, out: &mut Vec<u8>) {
    let Some((kind, mut payload)) = super::converse::event_parts(event) else {
        return;
    };
    payload.insert(
        "p".to_string(),
        serde_json::Value::String(padding(index).to_string()),
    );
    let payload = serde_json::Value::Object(payload).to_string();
    let headers = [
        Header::string(":event-type", &kind),
        Header::string(":content-type", "application/json"),
        Header::string(":message-type", "event"),
    ];
    let _ = encode_message(&headers, payload.as_bytes(), out);
}

/// A large frame: an event of `event_type` carrying `model_json` with `p` padding up to
/// `payload_len` bytes, and `header_len` bytes of an extra string header.
pub(crate) fn padded_frame(
    event_type: &str,
    model_json: &[u8],
    header_len: usize,
    payload_len: usize,
    out: &mut Vec<u8>,
) {
    let encoded = base64::engine::general_purpose::STANDARD.encode(model_json);
    let start = format!(r#"{{"bytes":"{encoded}","p":""#);
    let fill = payload_len.saturating_sub(start.len() + 2);
    let mut payload = Vec::with_capacity(payload_len);
    payload.extend_from_slice(start.as_bytes());
    payload.resize(payload.len() + fill, b'a');
    payload.extend_from_slice(br#""}"#);
    let padding = "h".repeat(header_len);
    let headers = [
        Header::string(":event-type", event_type),
        Header::string(":content-type", "application/json"),
        Header::string(":message-type", "event"),
        Header::string("x-emulator-padding", &padding),
    ];
    let _ = encode_message(&headers, &payload, out);
}

/// An exception frame (`:message-type: exception`).
pub(crate) fn exception_frame(kind: &ExceptionKind, message: &str, out: &mut Vec<u8>) {
    let mut payload = serde_json::json!({ "message": message });
    if *kind == ExceptionKind::ModelStreamError {
        payload["originalStatusCode"] = serde_json::json!(500);
        payload["originalMessage"] = serde_json::json!("The model server returned an error.");
    }
    let payload = payload.to_string();
    let name = kind.stream_name();
    let headers = [
        Header::string(":exception-type", &name),
        Header::string(":content-type", "application/json"),
        Header::string(":message-type", "exception"),
    ];
    let _ = encode_message(&headers, payload.as_bytes(), out);
}

/// The message of an exception frame in the middle of a stream.
pub(crate) fn stream_exception_message(kind: &ExceptionKind) -> &'static str {
    match kind {
        ExceptionKind::Validation => {
            "The model returned the following errors: input validation failed while streaming (emulated fault)."
        }
        other => exception_message(other),
    }
}

/// The message Bedrock sends with each exception the emulator can inject, as an HTTP error
/// (see [`stream_exception_message`] for one inside a stream).
pub(crate) fn exception_message(kind: &ExceptionKind) -> &'static str {
    match kind {
        ExceptionKind::Throttling => "Too many requests, please wait before trying again.",
        ExceptionKind::Validation => {
            "The model returned the following errors: input validation failed (emulated fault)."
        }
        ExceptionKind::ModelStreamError => "The model stream ended with an error (emulated fault).",
        ExceptionKind::InternalServer => {
            "The system encountered an unexpected error during processing. Try your request again."
        }
        ExceptionKind::ModelTimeout => {
            "Model has timed out in processing the request. Try your request again."
        }
        ExceptionKind::ServiceUnavailable => "Bedrock is unable to process your request.",
        ExceptionKind::AccessDenied => {
            "You don't have access to the model with the specified model ID."
        }
        ExceptionKind::ResourceNotFound => "The specified model could not be found.",
        ExceptionKind::ModelError => "The model encountered an error processing the request.",
        ExceptionKind::ServiceQuotaExceeded => {
            "Your request exceeds the service quota for your account. You can view your quotas at https://docs.aws.amazon.com/servicequotas/latest/userguide/gs-request-quota.html."
        }
        ExceptionKind::ModelNotReady => {
            "Model is not ready to serve inference requests. The AWS SDK will automatically retry the operation up to 5 times."
        }
        _ => "The request could not be processed.",
    }
}

/// One item sent to a streamed body.
pub(crate) type BodyItem = Result<Frame<Bytes>, std::io::Error>;

/// A streamed body and the sender that feeds it.
pub(crate) fn channel_body() -> (mpsc::Sender<BodyItem>, Body) {
    let (tx, rx) = mpsc::channel::<BodyItem>(16);
    let body = StreamBody::new(stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }));
    (tx, BodyExt::boxed(body))
}

/// Sends bytes as one data frame; false when the client has gone.
pub async fn send(tx: &mpsc::Sender<BodyItem>, bytes: Vec<u8>) -> bool {
    tx.send(Ok(Frame::data(Bytes::from(bytes)))).await.is_ok()
}

/// Aborts the connection, after giving the bytes already sent time to reach the client.
pub(crate) async fn abort(tx: &mpsc::Sender<BodyItem>) {
    tokio::time::sleep(Duration::from_millis(100)).await;
    let _ = tx
        .send(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "emulated connection reset",
        )))
        .await;
}

/// Holds the response open without sending anything until the client leaves (or ten minutes).
pub async fn stall(tx: &mpsc::Sender<BodyItem>) {
    let _ = tokio::time::timeout(Duration::from_mins(10), tx.closed()).await;
}
