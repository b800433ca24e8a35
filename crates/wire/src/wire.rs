//! What a call put on the wire, for the inspector and `ask --verbose`: each attempt's method,
//! URL, headers and body as sent, with credentials redacted before they are kept anywhere.

use bytes::Bytes;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// One attempt of a request as it went out.
#[derive(Debug, Clone, PartialEq)]
pub struct SentRequest {
    /// 1 for the first attempt.
    pub attempt: u32,
    /// Time from the start of the call.
    pub at: Duration,
    /// `POST` or `GET`.
    pub method: String,
    /// The URL, with the model id encoded as one path segment.
    pub url: String,
    /// Every header, names in lower case; secrets redacted.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
}

/// A retry about to happen: which attempt failed, with what, and how long the client waits.
#[derive(Debug, Clone)]
pub struct RetryNotice {
    /// The attempt that failed (1 for the first).
    pub attempt: u32,
    /// Attempts allowed in all.
    pub max_attempts: u32,
    /// Why it failed.
    pub error: super::BedrockError,
    /// The wait before the next attempt.
    pub wait: Duration,
}

/// News of a call as it happens, for whoever watches it live.
#[derive(Debug, Clone)]
pub enum WireNews {
    /// An attempt went out.
    Sent(SentRequest),
    /// An attempt failed before the response began and will be made again.
    Retrying(RetryNotice),
}

/// Collects the attempts of one call and, when asked, reports each as it happens. Cheap to
/// clone; clones share the log.
#[derive(Debug, Clone, Default)]
pub struct WireLog {
    requests: Arc<Mutex<Vec<SentRequest>>>,
    news: Option<UnboundedSender<WireNews>>,
}

impl WireLog {
    /// A new, empty log.
    pub fn new() -> WireLog {
        WireLog::default()
    }

    /// A log that also sends every attempt and retry to `news` as it happens.
    pub fn reporting(news: UnboundedSender<WireNews>) -> WireLog {
        WireLog {
            requests: Arc::default(),
            news: Some(news),
        }
    }

    /// Adds an attempt.
    pub fn push(&self, request: SentRequest) {
        if let Some(news) = &self.news {
            // Nobody listening any more: the log still keeps it.
            let _ = news.send(WireNews::Sent(request.clone()));
        }
        if let Ok(mut requests) = self.requests.lock() {
            requests.push(request);
        }
    }

    /// Reports a retry about to happen.
    pub fn retrying(&self, notice: RetryNotice) {
        if let Some(news) = &self.news {
            let _ = news.send(WireNews::Retrying(notice));
        }
    }

    /// The attempts so far.
    pub fn requests(&self) -> Vec<SentRequest> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

/// What is shown instead of a secret.
pub const REDACTED: &str = "[redacted]";

/// A header value safe to show and keep: the SigV4 signature and access key, session tokens,
/// bearer tokens and API keys are replaced; the rest of an `Authorization` value (algorithm,
/// scope, signed headers) stays, because it explains the request.
pub(crate) fn redact_header(name: &str, value: &str) -> String {
    match name.to_ascii_lowercase().as_str() {
        "authorization" | "proxy-authorization" => redact_authorization(value),
        "x-amz-security-token" | "x-api-key" | "cookie" | "set-cookie" => REDACTED.to_string(),
        _ => value.to_string(),
    }
}

fn redact_authorization(value: &str) -> String {
    let Some((scheme, rest)) = value.split_once(' ') else {
        return REDACTED.to_string();
    };
    if !scheme.starts_with("AWS4-") {
        // Bearer tokens, Basic credentials and anything else.
        return format!("{scheme} {REDACTED}");
    }
    let parts: Vec<String> = rest
        .split(',')
        .map(|part| {
            let part = part.trim();
            match part.split_once('=') {
                Some(("Credential", credential)) => {
                    // AKID/date/region/service/aws4_request: the key id goes, the scope stays.
                    let scope = credential.split_once('/').map_or("", |(_, s)| s);
                    format!("Credential={REDACTED}/{scope}")
                }
                Some(("Signature", _)) => format!("Signature={REDACTED}"),
                _ => part.to_string(),
            }
        })
        .collect();
    format!("{scheme} {}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_and_the_rest_kept() {
        let sigv4 = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
        let shown = redact_header("Authorization", sigv4);
        assert_eq!(
            shown,
            "AWS4-HMAC-SHA256 Credential=[redacted]/20261126/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=[redacted]"
        );
        assert!(!shown.contains("AKIDEXAMPLE") && !shown.contains("5d672d79"));
        assert_eq!(
            redact_header("authorization", "Bearer bedrock-api-key-abc"),
            "Bearer [redacted]"
        );
        assert_eq!(redact_header("X-Amz-Security-Token", "tok"), "[redacted]");
        assert_eq!(redact_header("authorization", "opaque"), "[redacted]");
        assert_eq!(
            redact_header("x-amz-date", "20261126T000000Z"),
            "20261126T000000Z"
        );
    }
}
