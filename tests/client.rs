//! The Bedrock client against the emulator on loopback: invoke and stream, headers, every
//! injected fault, retries, timeouts, and authentication failures.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use aws_credential_types::Credentials;
use bedrock_tui::bedrock::auth::{BearerToken, CredentialsCache, sign_sigv4};
use bedrock_tui::bedrock::eventstream::DecodeError;
use bedrock_tui::bedrock::{
    Auth, BedrockError, Client, ExceptionKind, InvokeOptions, ResponseStream, StreamEvent,
    TimeoutKind, Timeouts,
};
use bedrock_tui::models::ModelFamily;
use bedrock_tui::models::anthropic::Anthropic;
use common::*;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// A raw request signed by hand with `sign_sigv4`, so a test can choose the path and the time.
fn signed_request(
    url: &str,
    headers: &[(&str, &str)],
    body: &bytes::Bytes,
    creds: &aws_credential_types::Credentials,
    time: SystemTime,
) -> reqwest::RequestBuilder {
    let signed = sign_sigv4("POST", url, headers, body, creds, "us-east-1", time).unwrap();
    let mut request = reqwest::Client::new().post(url).body(body.clone());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    for (name, value) in signed {
        request = request.header(name, value);
    }
    request
}

/// Reads a whole stream: the text so far, and the error that ended it, if any.
async fn drain(stream: &mut ResponseStream) -> (String, Option<BedrockError>) {
    let mut text = String::new();
    loop {
        match stream.next_frame().await {
            Ok(Some(frame)) => match frame.event {
                StreamEvent::Chunk(bytes) => {
                    text.push_str(&Anthropic.parse_chunk(&bytes).unwrap().text);
                }
                StreamEvent::Unknown => {}
                other => return (text, other.into_error()),
            },
            Ok(None) => return (text, None),
            Err(e) => return (text, Some(e)),
        }
    }
}

async fn stream_with_fault(client: &Client, fault: &str) -> (String, Option<BedrockError>) {
    let mut stream = client
        .invoke_stream(
            HAIKU_3,
            claude_body(&format!("explain [[fault:{fault}]]")),
            &InvokeOptions::default(),
        )
        .await
        .expect("stream starts");
    drain(&mut stream).await
}

#[tokio::test]
async fn invoke_and_stream_agree_and_expose_headers() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let body = claude_body("How do retries work?");
    let response = client
        .invoke(HAIKU_3, body.clone(), &InvokeOptions::default())
        .await
        .unwrap();
    let meta = &response.meta;
    assert_eq!(meta.status, 200);
    assert_eq!(meta.content_type.as_deref(), Some("application/json"));
    assert_eq!(meta.request_id.as_ref().map(String::len), Some(36));
    assert!(meta.metrics.output_tokens.unwrap() > 10);
    assert!(meta.metrics.input_tokens.is_some());
    assert!(meta.metrics.invocation_latency_ms.is_some());
    let whole = Anthropic.parse_response(&response.body).unwrap();

    let arn = format!("arn:aws:bedrock:us-east-1::foundation-model/{HAIKU_3}");
    let mut stream = client
        .invoke_stream(&arn, body, &InvokeOptions::default())
        .await
        .unwrap();
    assert_eq!(
        stream.meta.content_type.as_deref(),
        Some("application/json")
    );
    assert_eq!(
        stream.meta.http_content_type.as_deref(),
        Some("application/vnd.amazon.eventstream")
    );
    let (text, error) = drain(&mut stream).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(text, whole.text);
}

#[tokio::test]
async fn http_faults_become_typed_errors() {
    let emulator = emulator().await;
    let client = sigv4_client(&emulator, fast_retry(1), Timeouts::default());
    let cases = [
        ("http-throttling", ExceptionKind::Throttling, 429),
        ("http-validation", ExceptionKind::Validation, 400),
        ("http-access-denied", ExceptionKind::AccessDenied, 403),
        ("http-not-found", ExceptionKind::ResourceNotFound, 404),
        ("http-model-timeout", ExceptionKind::ModelTimeout, 408),
        ("http-model-error", ExceptionKind::ModelError, 424),
        ("http-quota", ExceptionKind::ServiceQuotaExceeded, 400),
        ("http-not-ready", ExceptionKind::ModelNotReady, 429),
        ("http-internal", ExceptionKind::InternalServer, 500),
        ("http-unavailable", ExceptionKind::ServiceUnavailable, 503),
    ];
    for (fault, kind, status) in cases {
        for streaming in [false, true] {
            let body = claude_body(&format!("hi [[fault:{fault}]]"));
            let options = InvokeOptions::default();
            let error = if streaming {
                client.invoke_stream(HAIKU_3, body, &options).await.err()
            } else {
                client.invoke(HAIKU_3, body, &options).await.err()
            };
            let error = error.unwrap_or_else(|| panic!("{fault} succeeded"));
            let service = error
                .service()
                .unwrap_or_else(|| panic!("{fault}: {error:?}"));
            assert_eq!(service.kind, kind, "{fault}");
            assert_eq!(service.status, Some(status), "{fault}");
            assert!(service.request_id.is_some());
            assert!(!service.message.is_empty());
            assert_eq!(error.name(), kind.name());
        }
    }
}

#[tokio::test]
async fn stream_exceptions_keep_the_partial_text() {
    let emulator = emulator().await;
    let client = client(&emulator);
    for (fault, kind) in [
        ("throttling", ExceptionKind::Throttling),
        ("validation", ExceptionKind::Validation),
        ("model-stream-error", ExceptionKind::ModelStreamError),
        ("internal", ExceptionKind::InternalServer),
        ("model-timeout", ExceptionKind::ModelTimeout),
        ("service-unavailable", ExceptionKind::ServiceUnavailable),
    ] {
        let (text, error) = stream_with_fault(&client, &format!("{fault} after=6")).await;
        // message_start and content_block_start, then four text deltas arrived.
        assert!(!text.is_empty(), "{fault}");
        let error = error.unwrap_or_else(|| panic!("{fault}: no error"));
        let service = error.service().unwrap();
        assert_eq!(service.kind, kind);
        assert_eq!(service.status, None);
        if kind == ExceptionKind::ModelStreamError {
            assert_eq!(service.original_status_code, Some(500));
            assert!(error.to_string().contains("original status 500"));
        }
    }
}

#[tokio::test]
async fn broken_streams_are_reported_as_such() {
    let emulator = emulator().await;
    let client = sigv4_client(
        &emulator,
        fast_retry(1),
        Timeouts {
            idle: Duration::from_millis(400),
            ..Timeouts::default()
        },
    );
    let (text, error) = stream_with_fault(&client, "bad-crc after=4").await;
    assert!(!text.is_empty());
    assert!(matches!(
        error,
        Some(BedrockError::Decode(DecodeError::MessageChecksum { .. }))
    ));
    let (text, error) = stream_with_fault(&client, "truncate after=4").await;
    assert!(!text.is_empty());
    assert!(
        matches!(
            error,
            Some(BedrockError::Decode(DecodeError::Truncated { .. }))
        ),
        "{error:?}"
    );
    let (text, error) = stream_with_fault(&client, "reset after=4").await;
    assert!(!text.is_empty());
    assert!(
        matches!(error, Some(BedrockError::Transport(_))),
        "{error:?}"
    );
    let started = std::time::Instant::now();
    let (text, error) = stream_with_fault(&client, "stall after=4").await;
    assert!(!text.is_empty());
    assert!(
        matches!(
            error,
            Some(BedrockError::Timeout {
                kind: TimeoutKind::Idle,
                ..
            })
        ),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(error.unwrap().to_string().contains("idle timeout"));
}

#[tokio::test]
async fn first_byte_timeout_fires() {
    let emulator = emulator().await;
    let client = sigv4_client(
        &emulator,
        fast_retry(3),
        Timeouts {
            first_byte: Duration::from_millis(300),
            ..Timeouts::default()
        },
    );
    let error = client
        .invoke_stream(
            HAIKU_3,
            claude_body("hi [[fault:slow-first-byte ms=2000]]"),
            &InvokeOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        BedrockError::Timeout {
            kind: TimeoutKind::FirstByte,
            ..
        }
    ));
    assert_eq!(error.name(), "FirstByteTimeout");
}

#[tokio::test]
async fn throttling_before_the_stream_is_retried() {
    let emulator = emulator().await;
    let client = sigv4_client(&emulator, fast_retry(3), Timeouts::default());
    let mut stream = client
        .invoke_stream(
            HAIKU_3,
            claude_body("a [[fault:flaky=2]]"),
            &InvokeOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(stream.meta.attempts, 3);
    assert!(drain(&mut stream).await.1.is_none());
    // One attempt fewer than the failures: the throttling error comes back.
    let client = sigv4_client(&emulator, fast_retry(2), Timeouts::default());
    let error = client
        .invoke(
            HAIKU_3,
            claude_body("b [[fault:flaky=2]]"),
            &InvokeOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(error.service().unwrap().kind, ExceptionKind::Throttling);
    // Validation errors are not retried.
    let error = client
        .invoke(
            HAIKU_3,
            claude_body("c [[fault:http-validation]]"),
            &InvokeOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(error.service().unwrap().kind, ExceptionKind::Validation);
    // A stream that produced text is never replayed: the in-stream throttling surfaces.
    let mut stream = client
        .invoke_stream(
            HAIKU_3,
            claude_body("d [[fault:throttling after=5]]"),
            &InvokeOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(stream.meta.attempts, 1);
    let (text, error) = drain(&mut stream).await;
    assert!(!text.is_empty());
    assert_eq!(
        error.unwrap().service().unwrap().kind,
        ExceptionKind::Throttling
    );
}

#[tokio::test]
async fn authentication_is_checked() {
    let emulator = emulator().await;
    let good = credentials(&emulator);
    let with = |creds: aws_credential_types::Credentials| {
        client_with(
            &emulator,
            Auth::SigV4(Arc::new(CredentialsCache::fixed(creds))),
            fast_retry(1),
            Timeouts::default(),
        )
    };
    let call = |client: Client| async move {
        client
            .invoke(HAIKU_3, claude_body("hi"), &InvokeOptions::default())
            .await
    };
    let wrong_secret = aws_credential_types::Credentials::new(
        good.access_key_id(),
        "not-the-secret",
        good.session_token().map(str::to_string),
        None,
        "t",
    );
    let e = call(with(wrong_secret)).await.unwrap_err();
    assert_eq!(e.service().unwrap().kind, ExceptionKind::InvalidSignature);
    assert_eq!(e.service().unwrap().status, Some(403));
    let unknown = aws_credential_types::Credentials::new("AKIAUNKNOWN", "x", None, None, "t");
    let e = call(with(unknown)).await.unwrap_err();
    assert_eq!(e.service().unwrap().kind, ExceptionKind::UnrecognizedClient);

    let bearer = emulator.config().credentials.bearer_token.clone().unwrap();
    let ok = client_with(
        &emulator,
        Auth::Bearer(BearerToken::new(bearer)),
        fast_retry(1),
        Timeouts::default(),
    );
    assert!(call(ok).await.is_ok());
    let bad = client_with(
        &emulator,
        Auth::Bearer(BearerToken::new("nope")),
        fast_retry(1),
        Timeouts::default(),
    );
    assert_eq!(
        call(bad).await.unwrap_err().service().unwrap().kind,
        ExceptionKind::UnrecognizedClient
    );

    // A request signed 20 minutes ago is refused as expired.
    let url = format!(
        "{}/model/{}/invoke",
        emulator.endpoint(),
        "anthropic.claude-3-haiku-20240307-v1%3A0"
    );
    let body = claude_body("hi");
    let headers = [("content-type", "application/json")];
    let twenty_minutes_ago = SystemTime::now() - Duration::from_mins(20);
    let response = signed_request(&url, &headers, &body, &good, twenty_minutes_ago)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    assert!(
        response.headers()["x-amzn-errortype"]
            .to_str()
            .unwrap()
            .starts_with("InvalidSignatureException:")
    );
    assert!(response.text().await.unwrap().contains("Signature expired"));

    // A literal `:` in the path (as Anthropic's SDK sends it) is signed and accepted too.
    let url = format!("{}/model/{HAIKU_3}/invoke", emulator.endpoint());
    let response = signed_request(&url, &headers, &body, &good, SystemTime::now())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn bedrock_validation_is_emulated() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let opts = InvokeOptions::default();
    let e = client
        .invoke(
            "anthropic.claude-sonnet-4-5-20250929-v1:0",
            claude_body("hi"),
            &opts,
        )
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("with on-demand throughput isn\u{2019}t supported")
    );
    let e = client
        .invoke("nope.model-v1:0", claude_body("hi"), &opts)
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "The provided model identifier is invalid.");
    let e = client
        .invoke(
            HAIKU_3,
            bytes::Bytes::from_static(b"{\"max_tokens\":5}"),
            &opts,
        )
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("Malformed input request: #: required key")
    );
    let both = serde_json::json!({"anthropic_version":"bedrock-2023-05-31","max_tokens":10,
        "temperature":0.2,"top_p":0.9,"messages":[{"role":"user","content":"hi"}]});
    let e = client
        .invoke(
            "global.anthropic.claude-haiku-4-5-20251001-v1:0",
            both.to_string().into(),
            &opts,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("cannot both be specified"));
    let png = InvokeOptions {
        accept: Some("image/png".into()),
        ..InvokeOptions::default()
    };
    let e = client
        .invoke(HAIKU_3, claude_body("hi"), &png)
        .await
        .unwrap_err();
    assert_eq!(e.service().unwrap().kind, ExceptionKind::Validation);
    assert!(e.to_string().contains("image/png"));
}

#[tokio::test]
async fn connection_refused_is_a_clear_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = Client::new(bedrock_tui::bedrock::ClientConfig {
        endpoint: format!("http://127.0.0.1:{port}"),
        region: "us-east-1".into(),
        auth: Auth::Bearer(BearerToken::new("x")),
        retry: fast_retry(2),
        timeouts: Timeouts::default(),
        control_endpoint: None,
    })
    .unwrap();
    let e = client
        .invoke(HAIKU_3, claude_body("hi"), &InvokeOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.name(), "ConnectionError");
    assert!(
        e.to_string()
            .contains(&format!("cannot connect to 127.0.0.1:{port}")),
        "{e}"
    );
}

#[tokio::test]
async fn streams_are_paced_when_asked() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let mut stream = client
        .invoke_stream(
            HAIKU_3,
            claude_body("pace me [[emulator:tokens=20]]"),
            &InvokeOptions::default(),
        )
        .await
        .unwrap();
    // Unpaced: the whole answer arrives at once.
    let started = std::time::Instant::now();
    let (text, error) = drain(&mut stream).await;
    assert!(error.is_none());
    assert!(started.elapsed() < Duration::from_millis(300));
    assert_eq!(bedrock_tui::emulator::corpus::tokenize(&text).len(), 20);
    // 50 tokens/s: 25 chunk frames (20 tokens and 5 framing events) take about half a second,
    // and they arrive one by one.
    let paced = reqwest_paced(&emulator, 50.0).await;
    assert!(paced.len() >= 20, "{}", paced.len());
    let spread = (*paced.last().unwrap()).checked_sub(paced[0]).unwrap();
    assert!(spread >= Duration::from_millis(350), "{spread:?}");
}

/// Arrival times of the frames of a stream paced by the request header.
async fn reqwest_paced(
    emulator: &bedrock_tui::emulator::Emulator,
    tokens_per_second: f64,
) -> Vec<Duration> {
    let url = format!(
        "{}/model/{}/invoke-with-response-stream",
        emulator.endpoint(),
        "anthropic.claude-3-haiku-20240307-v1%3A0"
    );
    let body = claude_body("pace me [[emulator:tokens=20]]");
    let tps = tokens_per_second.to_string();
    let headers = [
        ("content-type", "application/json"),
        ("x-emulator-tokens-per-second", tps.as_str()),
    ];
    let mut response = signed_request(
        &url,
        &headers,
        &body,
        &credentials(emulator),
        SystemTime::now(),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let started = std::time::Instant::now();
    let mut decoder = bedrock_tui::bedrock::eventstream::Decoder::new();
    let mut arrivals = Vec::new();
    while let Some(bytes) = response.chunk().await.unwrap() {
        decoder.push(bytes);
        while decoder.next_message().unwrap().is_some() {
            arrivals.push(started.elapsed());
        }
    }
    arrivals
}

/// A credentials provider whose answer changes, like an STS or SSO session that renews.
#[derive(Debug, Clone)]
struct Rotating {
    current: Arc<std::sync::Mutex<Credentials>>,
    calls: Arc<std::sync::atomic::AtomicUsize>,
}

impl aws_credential_types::provider::ProvideCredentials for Rotating {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let credentials = self.current.lock().unwrap().clone();
        aws_credential_types::provider::future::ProvideCredentials::ready(Ok(credentials))
    }
}

fn to_credentials(c: &bedrock_tui::emulator::EmulatorCredentials) -> Credentials {
    Credentials::new(
        &c.access_key_id,
        &c.secret_access_key,
        c.session_token.clone(),
        None,
        "rotating",
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_credentials_are_refreshed_from_the_provider_without_a_restart() {
    use bedrock_tui::bedrock::{Auth, WireLog};
    let emulator = emulator().await;
    let provider = Rotating {
        current: Arc::new(std::sync::Mutex::new(to_credentials(
            &emulator.config().credentials,
        ))),
        calls: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
    };
    let cache = CredentialsCache::new(
        aws_credential_types::provider::SharedCredentialsProvider::new(provider.clone()),
    );
    let client = client_with(
        &emulator,
        Auth::SigV4(Arc::new(cache)),
        fast_retry(1),
        Timeouts::default(),
    );
    let body = claude_body("before the rotation");
    let first = client
        .invoke(HAIKU_3, body.clone(), &InvokeOptions::default())
        .await;
    assert!(first.is_ok(), "{first:?}");
    assert_eq!(provider.calls.load(std::sync::atomic::Ordering::SeqCst), 1);

    // The credentials expire and the provider has new ones; the cache still holds the old.
    let fresh = emulator.rotate_credentials();
    *provider.current.lock().unwrap() = to_credentials(&fresh);
    let wire = WireLog::new();
    let second = client
        .send_whole(
            bedrock_tui::bedrock::Api::Invoke,
            HAIKU_3,
            claude_body("after the rotation"),
            &InvokeOptions::default(),
            Some(&wire),
        )
        .await;
    assert!(second.is_ok(), "{second:?}");
    assert_eq!(
        provider.calls.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "the provider was asked again"
    );
    let attempts = wire.requests();
    assert_eq!(
        attempts.len(),
        2,
        "the expired attempt, then the refreshed one"
    );

    // A client that cannot refresh (fixed credentials) reports the expiry by name.
    let stale = client_with(
        &emulator,
        Auth::SigV4(Arc::new(CredentialsCache::fixed(credentials(&emulator)))),
        fast_retry(1),
        Timeouts::default(),
    );
    let error = stale
        .invoke(HAIKU_3, body, &InvokeOptions::default())
        .await
        .unwrap_err();
    assert_eq!(error.name(), "ExpiredTokenException", "{error}");
    assert_eq!(error.service().and_then(|s| s.status), Some(403));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replayed_streams_are_the_same_bytes_again() {
    use bedrock_tui::emulator::{Emulator, EmulatorConfig};
    let emulator = Emulator::start(EmulatorConfig {
        replay_streams: true,
        ..EmulatorConfig::with_random_credentials("us-east-1")
    })
    .await
    .unwrap();
    let client = client(&emulator);
    let read = |body: bytes::Bytes| {
        let client = client.clone();
        async move {
            let mut stream = client
                .invoke_stream(HAIKU_3, body, &InvokeOptions::default())
                .await
                .unwrap();
            let mut chunks = Vec::new();
            while let Some(chunk) = stream.next_chunk().await.unwrap() {
                chunks.push(chunk);
            }
            chunks
        }
    };
    let first = read(claude_body("replay me")).await;
    let second = read(claude_body("replay me")).await;
    assert_eq!(first, second, "the kept bytes, ids inside included");
    let other = read(claude_body("something else")).await;
    assert_ne!(first, other);
    // Without the option every stream is built afresh (its message id differs).
    let plain = common::emulator().await;
    let client = common::client(&plain);
    let mut ids = Vec::new();
    for _ in 0..2 {
        let mut stream = client
            .invoke_stream(HAIKU_3, claude_body("replay me"), &InvokeOptions::default())
            .await
            .unwrap();
        ids.push(stream.next_chunk().await.unwrap().unwrap());
    }
    assert_ne!(ids[0], ids[1]);
}
