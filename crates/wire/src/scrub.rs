//! Removes secrets from text a server or a tool sends back: AWS echoes the canonical request
//! (with the session token) in `InvalidSignatureException`, a proxy may echo a bearer token or
//! API key, and a tool may read a file or an environment that holds them. Applied to every
//! service message and every tool result before it is shown, logged, saved or sent to a model.
//!
//! Two nets: secrets by what comes before them (`aws_secret_access_key = …`,
//! `x-amz-security-token:…`, `Bearer …`) or by their shape (API keys, long base64 runs), and
//! the secret values this process knows (its credentials as loaded, its API key, and the AWS
//! secrets of its environment), wherever they appear.
//!
//! A service's message is short prose, so every rule applies to it ([`scrub_secrets`]). A
//! tool's output is a file or a program's output, where a long path, a base64 blob or a
//! `signature: String` field is the content the user asked for, so it loses only what is a
//! secret for sure: the known values, AWS's own secret names, bearer tokens and Bedrock API keys
//! ([`scrub_tool_output`]).

use super::wire::REDACTED;
use std::borrow::Cow;
use std::ffi::OsStr;
use std::sync::{Mutex, OnceLock};

/// Whether an environment variable holds an AWS or Bedrock secret: the key pair, session and
/// bearer tokens, container credential tokens, and anything of ours or AWS's named as a secret,
/// token or password.
pub fn is_secret(name: &OsStr) -> bool {
    let Some(name) = name.to_str() else {
        return false;
    };
    let upper = name.to_ascii_uppercase();
    let ours = upper.starts_with("AWS_") || upper.starts_with("BEDROCK_");
    ours && (upper.contains("SECRET")
        || upper.contains("PASSWORD")
        || (upper.contains("TOKEN") && !upper.ends_with("_FILE"))
        || upper == "AWS_ACCESS_KEY_ID")
}

/// Names after which (and a `=` or `:`, with spaces or quotes around it) the next token is a
/// secret, compared without regard to case.
const SECRET_NAMES: &[&str] = &[
    "x-amz-security-token",
    "x-amz-signature",
    "aws_secret_access_key",
    "secretaccesskey",
    "aws_session_token",
    "aws_security_token",
    "sessiontoken",
    "x-api-key",
    "aws_bearer_token_bedrock",
    "aws_container_authorization_token",
];

/// Names of a secret only in a service's message (in a file or a program's output they are
/// ordinary words).
const MESSAGE_SECRET_NAMES: &[&str] = &["signature"];

/// Secret values shorter than this are not looked for on their own (they would match ordinary
/// words); real keys and tokens are far longer.
const SHORTEST_KNOWN: usize = 12;

/// Secret values this process has loaded (credentials, API keys), beside those of its
/// environment.
static LOADED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The most loaded secrets kept: credentials refreshed each hour for days add one each time,
/// and the oldest of them have long expired.
const MOST_LOADED: usize = 64;

/// Remembers a secret value this process holds (a secret key, a session token, an API key),
/// so that it is scrubbed wherever it shows up.
pub fn remember(secret: &str) {
    let secret = secret.trim();
    if secret.len() < SHORTEST_KNOWN {
        return;
    }
    if let Ok(mut loaded) = LOADED.lock() {
        keep(&mut loaded, secret);
    }
}

/// Adds `secret` to `loaded` as the newest (moved there when it is known already: a secret
/// key that outlives its session tokens stays), the oldest making room past [`MOST_LOADED`].
fn keep(loaded: &mut Vec<String>, secret: &str) {
    if let Some(at) = loaded.iter().position(|s| s == secret) {
        let known = loaded.remove(at);
        loaded.push(known);
        return;
    }
    if loaded.len() == MOST_LOADED {
        loaded.remove(0);
    }
    loaded.push(secret.to_string());
}

/// The AWS and Bedrock secrets of this process's environment, read once.
fn environment_secrets() -> &'static [String] {
    static SECRETS: OnceLock<Vec<String>> = OnceLock::new();
    SECRETS.get_or_init(|| {
        std::env::vars_os()
            // The access key id names a key; it is no secret (AWS prints it in messages).
            .filter(|(name, _)| is_secret(name) && name != "AWS_ACCESS_KEY_ID")
            .filter_map(|(_, value)| value.into_string().ok())
            .map(|value| value.trim().to_string())
            .filter(|value| value.len() >= SHORTEST_KNOWN)
            .collect()
    })
}

/// Prefixes of Bedrock API keys (long-term `ABSK…`, short-term `bedrock-api-key-…`).
const KEY_PREFIXES: &[&str] = &["ABSK", "bedrock-api-key-"];

/// A run of base64 characters this long in an error message is a token, never prose.
const LONG_TOKEN: usize = 80;

/// Which rules apply: all of them to a service's message, the sure ones to a tool's output.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Net {
    Message,
    ToolOutput,
}

/// A service's message with every secret it carries replaced by `[redacted]`. Text without
/// any is returned as is.
pub fn scrub_secrets(text: &str) -> Cow<'_, str> {
    scrub(text, Net::Message)
}

/// A tool's output (a file, a program's output, an MCP server's result) with the secrets it
/// surely carries replaced by `[redacted]`, and nothing else touched.
pub fn scrub_tool_output(text: &str) -> Cow<'_, str> {
    scrub(text, Net::ToolOutput)
}

fn scrub(text: &str, net: Net) -> Cow<'_, str> {
    let spans = secret_spans(text, net);
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
fn secret_spans(text: &str, net: Net) -> Vec<(usize, usize)> {
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
    let message_names = match net {
        Net::Message => MESSAGE_SECRET_NAMES,
        Net::ToolOutput => &[],
    };
    for name in SECRET_NAMES.iter().chain(message_names) {
        let mut from = 0;
        while let Some(found) = lower[from..].find(name) {
            let after = from + found + name.len();
            from = after;
            if let Some(start) = value_start(bytes, after) {
                let end = token_end(start);
                if end > start {
                    spans.push((start, end));
                }
            }
        }
    }
    // `Bearer TOKEN`.
    let mut from = 0;
    while let Some(found) = lower[from..].find("bearer ") {
        let start = from + found + "bearer ".len();
        let start = start + bytes[start..].iter().take_while(|b| **b == b' ').count();
        let end = token_end(start);
        if end > start {
            spans.push((start, end));
        }
        from = start.max(from + found + 1);
    }
    // The secrets this process knows, wherever they are.
    let mut find_all = |secret: &str| {
        let mut from = 0;
        while let Some(found) = text[from..].find(secret) {
            let start = from + found;
            spans.push((start, start + secret.len()));
            from = start + secret.len();
        }
    };
    for secret in environment_secrets() {
        find_all(secret);
    }
    if let Ok(loaded) = LOADED.lock() {
        for secret in loaded.iter() {
            find_all(secret);
        }
    }
    // Bare API keys (and, in a message, long base64 runs), on token boundaries.
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
        if api_key || (net == Net::Message && end - i >= LONG_TOKEN) {
            spans.push((i, end));
        }
        i = end.max(i + 1);
    }
    spans.sort_unstable();
    spans
}

/// Where the value after a secret's name begins: past spaces, quotes and one `=` or `:`
/// (`name=v`, `name = v`, `name: v`, `"name": "v"`, `name\0`… is not one). `None` when no
/// separator follows.
fn value_start(bytes: &[u8], after: usize) -> Option<usize> {
    let skip = |mut at: usize| {
        while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'"' | b'\'') && at - after < 8
        {
            at += 1;
        }
        at
    };
    // The name must end there: `signatures` or `x-api-keyring` are not it.
    if bytes
        .get(after)
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    {
        return None;
    }
    let at = skip(after);
    if !matches!(bytes.get(at), Some(b'=' | b':')) {
        return None;
    }
    Some(skip(at + 1))
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
            (
                "[work]\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG\n",
                "wJalr",
            ),
            ("{\"SecretAccessKey\": \"wJalrXUtnFEMIK7\"}", "wJalr"),
            (
                "AWS_SESSION_TOKEN=IQoJb3JpZ2luX2Vj\0AWS_REGION=us-east-1",
                "IQoJ",
            ),
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
    fn secrets_this_process_knows_go_wherever_they_are() {
        let secret = "kNoWnSeCrEt/value+42";
        assert!(scrub_secrets(&format!("x {secret} y")).contains(secret));
        remember(secret);
        remember("short");
        let text = format!("x {secret} y{secret}");
        assert_eq!(scrub_secrets(&text), "x [redacted] y[redacted]");
        assert!(matches!(scrub_secrets("short words"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_tools_output_loses_its_secrets_and_keeps_its_content() {
        let path = format!("/srv/{}/build.log", "deeply-nested-directory".repeat(5));
        let blob = "QUJD".repeat(40);
        let file = format!(
            "struct Signed {{ signature: String }}\nlog at {path}\nblob {blob}\n\
             aws_secret_access_key = wJalrXUtnFEMI/K7MDENG\nAuthorization: Bearer abc.def-ghi\n\
             key ABSKQmVkcm9ja0FQSUtleS1leGFtcGxl\n"
        );
        let scrubbed = scrub_tool_output(&file);
        for kept in ["signature: String", path.as_str(), blob.as_str()] {
            assert!(scrubbed.contains(kept), "{kept} in {scrubbed}");
        }
        for gone in ["wJalr", "abc.def-ghi", "ABSKQmVk"] {
            assert!(!scrubbed.contains(gone), "{gone} in {scrubbed}");
        }
        // The same text as a service's message loses the shapes too.
        let message = scrub_secrets(&file);
        assert!(!message.contains(&blob) && !message.contains("signature: String"));
    }

    #[test]
    fn the_oldest_loaded_secrets_make_room() {
        let mut loaded = Vec::new();
        keep(&mut loaded, "first");
        keep(&mut loaded, "first");
        assert_eq!(loaded, ["first"]);
        keep(&mut loaded, "still in use");
        for n in 1..MOST_LOADED {
            keep(&mut loaded, &format!("later {n}"));
            // Remembered again as it is used: it never becomes the oldest.
            keep(&mut loaded, "still in use");
        }
        keep(&mut loaded, &format!("later {MOST_LOADED}"));
        assert_eq!(loaded.len(), MOST_LOADED);
        assert!(loaded.iter().any(|s| s == "still in use"));
        assert!(
            !loaded.iter().any(|s| s == "first"),
            "the oldest unused went"
        );
        assert_eq!(loaded[0], "later 2", "the oldest still there");
        assert_eq!(loaded[MOST_LOADED - 1], format!("later {MOST_LOADED}"));
    }

    #[test]
    fn ordinary_messages_are_kept_as_is() {
        for message in [
            "Malformed input request: #: extraneous key [foo] is not permitted",
            "The security token included in the request is expired",
            "Too many requests, please wait before trying again.",
            "Check the signature of the function: signatures differ",
            "",
        ] {
            assert!(
                matches!(scrub_secrets(message), Cow::Borrowed(_)),
                "{message}"
            );
        }
    }
}
