//! Typed errors of the wire layer: the Bedrock exceptions (HTTP and in-stream), auth errors,
//! timeouts, transport and decoding failures.

use super::eventstream::DecodeError;
use std::fmt;
use std::time::Duration;

/// A Bedrock Runtime exception, or an auth error of the AWS front end.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ExceptionKind {
    /// 403: the caller may not use this model.
    AccessDenied,
    /// 404: the model or resource does not exist.
    ResourceNotFound,
    /// 429: too many requests.
    Throttling,
    /// 429: the model is being loaded; retryable.
    ModelNotReady,
    /// 408: the model took too long.
    ModelTimeout,
    /// 424: the model returned an error.
    ModelError,
    /// 424, stream only: the model failed while streaming.
    ModelStreamError,
    /// 400: a quota is exhausted.
    ServiceQuotaExceeded,
    /// 400: the request is invalid.
    Validation,
    /// 500.
    InternalServer,
    /// 503.
    ServiceUnavailable,
    /// 403: the SigV4 signature is wrong or expired.
    InvalidSignature,
    /// 403: the access key or token is unknown.
    UnrecognizedClient,
    /// 403: the session token has expired.
    ExpiredToken,
    /// Anything else, with the name the service gave.
    Other(String),
}

const KNOWN: &[(ExceptionKind, &str, u16)] = &[
    (ExceptionKind::AccessDenied, "AccessDeniedException", 403),
    (
        ExceptionKind::ResourceNotFound,
        "ResourceNotFoundException",
        404,
    ),
    (ExceptionKind::Throttling, "ThrottlingException", 429),
    (ExceptionKind::ModelNotReady, "ModelNotReadyException", 429),
    (ExceptionKind::ModelTimeout, "ModelTimeoutException", 408),
    (ExceptionKind::ModelError, "ModelErrorException", 424),
    (
        ExceptionKind::ModelStreamError,
        "ModelStreamErrorException",
        424,
    ),
    (
        ExceptionKind::ServiceQuotaExceeded,
        "ServiceQuotaExceededException",
        400,
    ),
    (ExceptionKind::Validation, "ValidationException", 400),
    (
        ExceptionKind::InternalServer,
        "InternalServerException",
        500,
    ),
    (
        ExceptionKind::ServiceUnavailable,
        "ServiceUnavailableException",
        503,
    ),
    (
        ExceptionKind::InvalidSignature,
        "InvalidSignatureException",
        403,
    ),
    (
        ExceptionKind::UnrecognizedClient,
        "UnrecognizedClientException",
        403,
    ),
    (ExceptionKind::ExpiredToken, "ExpiredTokenException", 403),
];

impl ExceptionKind {
    /// Parses an error code as AWS sends it: `ThrottlingException`,
    /// `ValidationException:http://internal.amazon.com/...`, `aws.protocols#ThrottlingException`,
    /// or the lowerCamel union-member spelling of stream frames (`throttlingException`).
    pub(crate) fn from_code(code: &str) -> Self {
        let code = server_code(code);
        let code = code.split(':').next().unwrap_or(&code);
        let code = code.rsplit('#').next().unwrap_or(code).trim();
        for (kind, name, _) in KNOWN {
            if name.eq_ignore_ascii_case(code) {
                return kind.clone();
            }
        }
        // `ExpiredToken` without the suffix is also seen.
        if code.eq_ignore_ascii_case("ExpiredToken") {
            return ExceptionKind::ExpiredToken;
        }
        ExceptionKind::Other(code.to_string())
    }

    /// The exception's name, e.g. `ThrottlingException`.
    pub fn name(&self) -> &str {
        match self {
            ExceptionKind::Other(name) => name,
            known => KNOWN
                .iter()
                .find(|(k, _, _)| k == known)
                .map_or("UnknownException", |(_, name, _)| *name),
        }
    }

    /// The lowerCamel spelling used for `:exception-type` in stream frames.
    pub fn stream_name(&self) -> String {
        let name = self.name();
        let mut chars = name.chars();
        match chars.next() {
            Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
            None => String::new(),
        }
    }

    /// The HTTP status Bedrock uses for this exception.
    pub fn http_status(&self) -> u16 {
        KNOWN
            .iter()
            .find(|(k, _, _)| k == self)
            .map_or(400, |(_, _, status)| *status)
    }

    /// Whether a request that failed with this exception (before any output) may be retried.
    pub(crate) fn is_retryable(&self) -> bool {
        matches!(
            self,
            ExceptionKind::Throttling
                | ExceptionKind::ModelNotReady
                | ExceptionKind::InternalServer
                | ExceptionKind::ServiceUnavailable
        )
    }
}

impl fmt::Display for ExceptionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An exception reported by the service, as an HTTP error or an in-stream exception frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    /// Which exception.
    pub kind: ExceptionKind,
    /// The service's message.
    pub message: String,
    /// HTTP status, for errors returned before the stream began.
    pub status: Option<u16>,
    /// `x-amzn-RequestId` of the response.
    pub request_id: Option<String>,
    /// ModelStreamError / ModelError: the model's own status code.
    pub original_status_code: Option<i64>,
    /// ModelStreamError: the model's own message.
    pub original_message: Option<String>,
    /// Milliseconds the service asked the caller to wait (`x-amz-retry-after`).
    pub retry_after_ms: Option<u64>,
}

impl ServiceError {
    /// A service error with just a kind and message.
    pub fn new(kind: ExceptionKind, message: impl Into<String>) -> Self {
        ServiceError {
            kind,
            message: message.into(),
            status: None,
            request_id: None,
            original_status_code: None,
            original_message: None,
            retry_after_ms: None,
        }
    }

    /// Parses an error body (`{"message": ...}`, `Message`, `errorMessage`, `code`, `__type`,
    /// `originalStatusCode`, `originalMessage`) with an optional code from a header.
    pub fn from_body(code_header: Option<&str>, body: &[u8]) -> Self {
        let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let field = |name: &str| json.get(name).and_then(|v| v.as_str()).map(str::to_string);
        // A message that is not a string (an object, a number) is still worth showing.
        let any_field = |name: &str| {
            json.get(name).filter(|v| !v.is_null()).map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        };
        let code = code_header
            .map(str::to_string)
            .or_else(|| field("code"))
            .or_else(|| field("__type"))
            .unwrap_or_default();
        let message = any_field("message")
            .or_else(|| any_field("Message"))
            .or_else(|| any_field("errorMessage"))
            .unwrap_or_else(|| {
                let text = String::from_utf8_lossy(body);
                let text = text.trim();
                if text.is_empty() {
                    "(no message)".to_string()
                } else {
                    text.to_string()
                }
            });
        let kind = if code.is_empty() {
            ExceptionKind::Other("UnknownError".to_string())
        } else {
            ExceptionKind::from_code(&code)
        };
        ServiceError {
            kind,
            message: server_text(&message),
            status: None,
            request_id: None,
            original_status_code: json
                .get("originalStatusCode")
                .and_then(serde_json::Value::as_i64),
            original_message: field("originalMessage").map(|m| server_text(&m)),
            retry_after_ms: None,
        }
    }
}

/// The longest server message kept, in characters; the rest is cut with a note.
pub const MAX_SERVER_MESSAGE: usize = 2_000;

/// A message from a server as it is kept: secrets scrubbed, cut to [`MAX_SERVER_MESSAGE`].
/// Control characters stay (the inspector shows them); every terminal sink sanitizes.
pub fn server_text(message: &str) -> String {
    let scrubbed = super::scrub::scrub_secrets(message);
    let count = scrubbed.chars().count();
    if count <= MAX_SERVER_MESSAGE {
        return scrubbed.into_owned();
    }
    let kept: String = scrubbed.chars().take(MAX_SERVER_MESSAGE).collect();
    format!("{kept}… ({} more characters)", count - MAX_SERVER_MESSAGE)
}

/// An error code from a header or frame as kept: only the characters AWS error codes use
/// (letters, digits, `.`, `_`, `-`, `#`, `:`, `/`), at most 200 of them; anything else becomes `?`.
pub(crate) fn server_code(code: &str) -> String {
    code.chars()
        .take(200)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '#' | ':' | '/') {
                c
            } else {
                '?'
            }
        })
        .collect()
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(code) = self.original_status_code {
            write!(f, " (original status {code}")?;
            if let Some(original) = &self.original_message
                && original != &self.message
            {
                write!(f, ": {original}")?;
            }
            write!(f, ")")?;
        }
        Ok(())
    }
}

/// Which timeout fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutKind {
    /// Establishing the TCP/TLS connection.
    Connect,
    /// Waiting for the response to begin.
    FirstByte,
    /// Waiting for the next frame (or body bytes) of a response already under way.
    Idle,
    /// The whole answer took longer than allowed.
    Answer,
}

impl TimeoutKind {
    fn describe(self) -> &'static str {
        match self {
            TimeoutKind::Connect => "connect timeout: could not connect",
            TimeoutKind::FirstByte => "first-byte timeout: no response",
            TimeoutKind::Idle => "idle timeout: the stream stalled, no complete frame",
            TimeoutKind::Answer => "answer timeout: the answer did not finish",
        }
    }
}

/// Everything that can go wrong on the wire.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BedrockError {
    /// An exception from the service.
    #[error("{0}")]
    Service(Box<ServiceError>),
    /// A generic `:message-type: error` frame.
    #[error("{message}")]
    StreamError {
        /// `:error-code`.
        code: String,
        /// `:error-message`.
        message: String,
    },
    /// The event stream could not be decoded.
    #[error("malformed event stream: {0}")]
    Decode(#[from] DecodeError),
    /// The stream ended cleanly before the model's last event: the answer may be cut short.
    #[error("incomplete stream: {0}")]
    IncompleteStream(String),
    /// A chunk frame or a response body did not have the expected shape.
    #[error("{0}")]
    MalformedResponse(String),
    /// A response passed a size limit; the rest was not read.
    #[error("{0}")]
    TooLarge(String),
    /// The endpoint answered with a redirect. Bedrock never redirects, so it is not followed:
    /// nothing is sent to the other place.
    #[error(
        "the endpoint answered HTTP {status} redirecting to {location}; redirects are never followed (check the endpoint URL and any proxy)"
    )]
    Redirect {
        /// The 3xx status.
        status: u16,
        /// The `Location` header as sent (secrets scrubbed, at most 2,000 characters), or
        /// `(no Location header)`.
        location: String,
    },
    /// The response body was compressed (`Content-Encoding`), which Bedrock never does and the
    /// client does not decode.
    #[error(
        "the response body is compressed ({0}); Bedrock answers uncompressed, so this is not Bedrock (check the endpoint and any proxy)"
    )]
    Compressed(String),
    /// The response had a content type the client cannot read.
    #[error("unexpected response content type {got:?} (expected {expected})")]
    UnexpectedContentType {
        /// What was expected.
        expected: &'static str,
        /// What arrived.
        got: String,
    },
    /// A timeout fired.
    #[error("{} within {}", .kind.describe(), humanize(*.after))]
    Timeout {
        /// Which one.
        kind: TimeoutKind,
        /// The configured limit.
        after: Duration,
    },
    /// The connection failed or was reset.
    #[error("{0}")]
    Transport(String),
    /// No usable credentials.
    #[error("{0}")]
    Credentials(String),
    /// Bad configuration (region, endpoint, model id, headers).
    #[error("{0}")]
    Config(String),
}

fn humanize(d: Duration) -> String {
    if d.as_millis() < 1000 {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

impl BedrockError {
    /// A short name for the error, used as `error: <name>: <message>`: the exception name for
    /// service errors.
    pub fn name(&self) -> &str {
        match self {
            BedrockError::Service(e) => e.kind.name(),
            BedrockError::StreamError { code, .. } => code,
            BedrockError::Decode(DecodeError::Truncated { .. }) => "TruncatedStream",
            BedrockError::Decode(_) => "EventStreamDecodeError",
            BedrockError::MalformedResponse(_) => "MalformedResponse",
            BedrockError::IncompleteStream(_) => "IncompleteStream",
            BedrockError::TooLarge(_) => "ResponseTooLarge",
            BedrockError::UnexpectedContentType { .. } => "UnexpectedContentType",
            BedrockError::Redirect { .. } => "Redirect",
            BedrockError::Compressed(_) => "CompressedResponse",
            BedrockError::Timeout {
                kind: TimeoutKind::Connect,
                ..
            } => "ConnectTimeout",
            BedrockError::Timeout {
                kind: TimeoutKind::FirstByte,
                ..
            } => "FirstByteTimeout",
            BedrockError::Timeout {
                kind: TimeoutKind::Idle,
                ..
            } => "IdleTimeout",
            BedrockError::Timeout {
                kind: TimeoutKind::Answer,
                ..
            } => "AnswerTimeout",
            BedrockError::Transport(_) => "ConnectionError",
            BedrockError::Credentials(_) => "CredentialsError",
            BedrockError::Config(_) => "ConfigError",
        }
    }

    /// The service exception, if this is one.
    pub fn service(&self) -> Option<&ServiceError> {
        match self {
            BedrockError::Service(e) => Some(e),
            _ => None,
        }
    }
}

/// An error and its sources, deduplicated, on one line.
pub(crate) fn source_chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        let text = inner.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = inner.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_in_every_spelling() {
        for code in [
            "ThrottlingException",
            "throttlingException",
            "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
            "com.amazon.bedrock#ThrottlingException",
        ] {
            assert_eq!(ExceptionKind::from_code(code), ExceptionKind::Throttling);
        }
        assert_eq!(
            ExceptionKind::from_code("modelStreamErrorException").stream_name(),
            "modelStreamErrorException"
        );
        assert_eq!(
            ExceptionKind::from_code("Weird"),
            ExceptionKind::Other("Weird".into())
        );
        assert_eq!(ExceptionKind::ServiceQuotaExceeded.http_status(), 400);
    }

    #[test]
    fn body_fields_are_read() {
        let e = ServiceError::from_body(
            None,
            br#"{"__type":"ModelStreamErrorException","message":"boom","originalStatusCode":500,"originalMessage":"inner"}"#,
        );
        assert_eq!(e.kind, ExceptionKind::ModelStreamError);
        assert_eq!(e.to_string(), "boom (original status 500: inner)");
        let e = ServiceError::from_body(Some("ValidationException:x"), b"not json");
        assert_eq!(e.kind, ExceptionKind::Validation);
        assert_eq!(e.message, "not json");
    }
}
