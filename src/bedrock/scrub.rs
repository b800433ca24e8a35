//! Removes secrets from text a server sends back: AWS echoes the canonical request (with the
//! session token) in `InvalidSignatureException`, and a proxy may echo a bearer token or API key.
//! Applied to every service message before it is shown, logged or saved.

use super::wire::REDACTED;
use std::borrow::Cow;

/// Markers after which the next token is a secret (compared without regard to case).
const SECRET_AFTER: &[&str] = &[
    "x-amz-security-token:",
    "x-amz-security-token=",
    "x-amz-security-token\":\"",
    "x-amz-signature=",
    "signature=",
    "bearer ",
    "aws_secret_access_key=",
    "aws_secret_access_key:",
    "aws_secret_access_key\":\"",
    "secretaccesskey=",
    "secretaccesskey:",
    "secretaccesskey\":\"",
    "aws_session_token=",
    "aws_session_token:",
    "sessiontoken=",
    "sessiontoken:",
    "sessiontoken\":\"",
    "x-api-key:",
    "aws_bearer_token_bedrock=",
];

/// Prefixes of Bedrock API keys (long-term `ABSK…`, short-term `bedrock-api-key-…`).
const KEY_PREFIXES: &[&str] = &["ABSK", "bedrock-api-key-"];

/// A run of base64 characters this long in an error message is a token, never prose.
const LONG_TOKEN: usize = 80;

/// `text` with every secret it carries replaced by `[redacted]`. Text without any is returned
/// as is.
pub(crate) fn scrub_secrets(text: &str) -> Cow<'_, str> {
    let spans = secret_spans(text);
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in spans {
        if start < at {
            // Overlapping finds: the redaction reaches to the end of the longer one.
            at = at.max(end);
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(REDACTED);
        at = end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_' | b'%' | b'.')
}

/// Byte ranges of secrets in `text`, sorted by start.
fn secret_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let lower = text.to_ascii_lowercase();
    let token_end = |from: usize| {
        let mut end = from;
        while end < bytes.len() && is_token_byte(bytes[end]) {
            end += 1;
        }
        end
    };
    let mut spans = Vec::new();
    for marker in SECRET_AFTER {
        let mut from = 0;
        while let Some(found) = lower[from..].find(marker) {
            let start = from + found + marker.len();
            // `x-amz-security-token: value` as a header line has a space after the colon.
            let start = start + bytes[start..].iter().take_while(|b| **b == b' ').count();
            let end = token_end(start);
            if end > start {
                spans.push((start, end));
            }
            from = start.max(from + found + 1);
        }
    }
    // Bare API keys and long base64 runs, on token boundaries.
    let mut i = 0;
    while i < bytes.len() {
        if !is_token_byte(bytes[i]) || (i > 0 && is_token_byte(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let end = token_end(i);
        let token = &text[i..end];
        let api_key = KEY_PREFIXES
            .iter()
            .any(|p| token.starts_with(p) && token.len() >= p.len() + 16);
        if api_key || end - i >= LONG_TOKEN {
            spans.push((i, end));
        }
        i = end.max(i + 1);
    }
    spans.sort_unstable();
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_canonical_request_echo_loses_its_token() {
        let message = "The request signature we calculated does not match the signature you provided.\n\nThe Canonical String for this request should have been\n'POST\n/model/x/invoke\n\nhost:bedrock-runtime.us-east-1.amazonaws.com\nx-amz-date:20261201T000000Z\nx-amz-security-token:IQoJb3JpZ2luX2VjEXAMPLETOKEN/abc+def==\n\nhost;x-amz-date;x-amz-security-token\n9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'";
        let scrubbed = scrub_secrets(message);
        assert!(!scrubbed.contains("IQoJ"), "{scrubbed}");
        assert!(scrubbed.contains("x-amz-security-token:[redacted]\n"));
        assert!(scrubbed.contains("host;x-amz-date;x-amz-security-token\n9f86d0"));
        assert!(scrubbed.starts_with("The request signature we calculated"));
    }

    #[test]
    fn bearer_tokens_keys_and_signatures_go() {
        let cases = [
            ("Authorization: Bearer abc.def-ghi rejected", "abc.def-ghi"),
            ("key ABSKQmVkcm9ja0FQSUtleS1leGFtcGxl is bad", "ABSKQmVk"),
            (
                "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t was sent",
                "YmVk",
            ),
            (
                "X-Amz-Signature=5d672d79c15b13162d9279b0 failed",
                "5d672d79",
            ),
            (
                "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "wJalr",
            ),
            ("SessionToken: FwoGZXIvYXdzEXAMPLE", "FwoGZX"),
        ];
        for (message, secret) in cases {
            let scrubbed = scrub_secrets(message);
            assert!(!scrubbed.contains(secret), "{message} -> {scrubbed}");
            assert!(scrubbed.contains(REDACTED));
        }
        let long = "x".repeat(LONG_TOKEN);
        assert_eq!(scrub_secrets(&format!("a {long} b")), "a [redacted] b");
    }

    #[test]
    fn ordinary_messages_are_kept_as_is() {
        for message in [
            "Malformed input request: #: extraneous key [foo] is not permitted",
            "The security token included in the request is expired",
            "Too many requests, please wait before trying again.",
            "",
        ] {
            assert!(
                matches!(scrub_secrets(message), Cow::Borrowed(_)),
                "{message}"
            );
        }
    }
}
