//! Helpers shared by the integration tests: an emulator on loopback and clients for it.
#![allow(dead_code)]

use aws_credential_types::Credentials;
use bedrock_tui::bedrock::auth::CredentialsCache;
use bedrock_tui::bedrock::{Auth, Client, ClientConfig, RetryPolicy, Timeouts};
use bedrock_tui::emulator::{Emulator, EmulatorConfig};
use std::sync::Arc;
use std::time::Duration;

pub const HAIKU_3: &str = "anthropic.claude-3-haiku-20240307-v1:0";

/// What a client does with each fault the emulator can inject: (fault spec, exit status, error
/// name or "" for success, whether text before the failure is printed).
pub const FAULT_MATRIX: &[(&str, i32, &str, bool)] = &[
    ("throttling after=3", 1, "ThrottlingException", true),
    ("validation after=3", 1, "ValidationException", true),
    (
        "model-stream-error after=3",
        1,
        "ModelStreamErrorException",
        true,
    ),
    ("internal after=3", 1, "InternalServerException", true),
    ("model-timeout after=3", 1, "ModelTimeoutException", true),
    (
        "service-unavailable after=3",
        1,
        "ServiceUnavailableException",
        true,
    ),
    ("http-throttling", 1, "ThrottlingException", false),
    ("http-validation", 1, "ValidationException", false),
    ("http-access-denied", 1, "AccessDeniedException", false),
    ("http-not-found", 1, "ResourceNotFoundException", false),
    ("http-model-timeout", 1, "ModelTimeoutException", false),
    ("http-model-error", 1, "ModelErrorException", false),
    ("http-quota", 1, "ServiceQuotaExceededException", false),
    ("http-not-ready", 1, "ModelNotReadyException", false),
    ("http-internal", 1, "InternalServerException", false),
    ("http-unavailable", 1, "ServiceUnavailableException", false),
    ("bad-crc after=3", 1, "EventStreamDecodeError", true),
    ("truncate after=3", 1, "TruncatedStream", true),
    ("early-end after=3", 1, "IncompleteStream", true),
    ("reset after=3", 1, "ConnectionError", true),
    ("stall after=3", 1, "IdleTimeout", true),
    ("slow-first-byte ms=50", 0, "", false),
    ("flaky=2", 0, "", false),
    ("wrong-content-type", 1, "UnexpectedContentType", false),
    ("flood after=3", 1, "ResponseTooLarge", true),
    ("big-frame", 0, "", false),
];

/// The emulator's in-stream exception faults and the exception each one sends.
pub const STREAM_EXCEPTIONS: &[(&str, &str)] = &[
    ("throttling", "ThrottlingException"),
    ("validation", "ValidationException"),
    ("model-stream-error", "ModelStreamErrorException"),
    ("internal", "InternalServerException"),
    ("model-timeout", "ModelTimeoutException"),
    ("service-unavailable", "ServiceUnavailableException"),
];

/// Starts an unpaced emulator with fresh credentials.
pub async fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::with_random_credentials("us-east-1"))
        .await
        .expect("emulator starts")
}

pub fn credentials(emulator: &Emulator) -> Credentials {
    let c = &emulator.config().credentials;
    Credentials::new(
        &c.access_key_id,
        &c.secret_access_key,
        c.session_token.clone(),
        None,
        "test",
    )
}

pub fn fast_retry(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
    }
}

/// A `SigV4` client for the emulator with this retry policy and these timeouts.
pub fn sigv4_client(emulator: &Emulator, retry: RetryPolicy, timeouts: Timeouts) -> Client {
    client_with(
        emulator,
        Auth::SigV4(Arc::new(CredentialsCache::fixed(credentials(emulator)))),
        retry,
        timeouts,
    )
}

/// A `SigV4` client for the emulator.
pub fn client(emulator: &Emulator) -> Client {
    client_with(
        emulator,
        Auth::SigV4(Arc::new(CredentialsCache::fixed(credentials(emulator)))),
        fast_retry(3),
        Timeouts::default(),
    )
}

pub fn client_with(
    emulator: &Emulator,
    auth: Auth,
    retry: RetryPolicy,
    timeouts: Timeouts,
) -> Client {
    Client::new(ClientConfig {
        endpoint: emulator.endpoint(),
        region: "us-east-1".to_string(),
        auth,
        retry,
        timeouts,
        control_endpoint: None,
    })
    .expect("client builds")
}

/// A Claude Messages body for one prompt.
pub fn claude_body(prompt: &str) -> bytes::Bytes {
    serde_json::json!({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 512,
        "messages": [{"role": "user", "content": [{"type": "text", "text": prompt}]}],
    })
    .to_string()
    .into()
}
pub mod big_session;
pub mod canned;
pub mod cli;
pub mod tui;

/// A test terminal's screen as text, each row with its trailing spaces cut.
pub fn screen_text(buffer: &ratatui::buffer::Buffer) -> String {
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut line = String::new();
        for x in 0..buffer.area.width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Compares `got` with the golden JSON file at `path`; with `BLESS` set, writes it instead.
/// `Err` names the difference.
pub fn golden(path: &std::path::Path, got: &serde_json::Value) -> Result<(), String> {
    if std::env::var_os("BLESS").is_some() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        let mut text = serde_json::to_string_pretty(got).map_err(|e| e.to_string())?;
        text.push('\n');
        return std::fs::write(path, text).map_err(|e| e.to_string());
    }
    let want: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap_or_default())
        .unwrap_or(serde_json::Value::Null);
    if *got == want {
        Ok(())
    } else {
        Err(format!("{}: got {got}", path.display()))
    }
}

/// A PNG of `w`×`h` pixels of one colour.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(w, h, image::Rgb([200, 30, 30]));
    let mut bytes = Vec::new();
    image
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .expect("a PNG encodes");
    bytes
}

/// An exchange intent for a conversation, with `max_tokens` set and every other choice the
/// default.
pub fn conversation_intent(
    model: &str,
    conversation: bedrock_tui::models::Conversation,
    max_tokens: u32,
    stream: bool,
) -> bedrock_tui::exchange::Intent {
    use bedrock_tui::exchange::{Content, Intent};
    Intent {
        model: model.to_string(),
        family: None,
        looked_up: None,
        content: Content::Conversation {
            conversation,
            params: bedrock_tui::models::Parameters {
                max_tokens: Some(max_tokens),
                ..Default::default()
            },
        },
        options: bedrock_tui::bedrock::InvokeOptions::default(),
        stream,
        text_only: false,
        prompt_cache: false,
        api: bedrock_tui::bedrock::Api::Invoke,
        region: None,
    }
}
