//! What a hostile or broken server can do to bedrock-tui, each against a local server: redirects
//! are never followed, codes and headers are sanitized before a terminal sees them, secrets in a
//! server's message are scrubbed, odd media types and compressed bodies are told apart.

// Helpers here are test code too: a failed step should stop the test.
#![allow(clippy::unwrap_used)]

mod common;

use aws_credential_types::Credentials;
use bedrock_tui::bedrock::auth::CredentialsCache;
use bedrock_tui::bedrock::{Auth, BedrockError, Client, ClientConfig, InvokeOptions, Timeouts};
use common::canned::{Canned, chunk_stream, claude_events, serve, serve_raw};
use common::cli::{aimed, run, saved_text, text};
use common::*;
use std::sync::Arc;

const TOKEN: &str = "IQoJb3JpZ2luX2VjSESSIONTOKENEXAMPLE0123456789";

fn client_for(endpoint: &str) -> Client {
    client_with_timeouts(endpoint, Timeouts::default(), Some(TOKEN), 3)
}

/// A SigV4 client for `endpoint` (with a session token when given), these timeouts and
/// attempts.
fn client_with_timeouts(
    endpoint: &str,
    timeouts: Timeouts,
    token: Option<&str>,
    attempts: u32,
) -> Client {
    let credentials = Credentials::new(
        "AKIDEXAMPLE",
        "SECRETEXAMPLE",
        token.map(str::to_string),
        None,
        "t",
    );
    Client::new(ClientConfig {
        endpoint: endpoint.to_string(),
        region: "us-east-1".into(),
        auth: Auth::SigV4(Arc::new(CredentialsCache::fixed(credentials))),
        retry: fast_retry(attempts),
        timeouts,
        control_endpoint: None,
    })
    .expect("client builds")
}

fn emulator_credentials() -> bedrock_tui::emulator::EmulatorCredentials {
    bedrock_tui::emulator::EmulatorCredentials {
        access_key_id: "AKIDEXAMPLE".into(),
        secret_access_key: "SECRETEXAMPLE".into(),
        session_token: Some(TOKEN.into()),
        bearer_token: None,
        region: "us-east-1".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_reported_and_never_followed() {
    let (elsewhere, arrived_elsewhere) = serve(Canned::new(200, &[], "{}")).await;
    for status in [301, 302, 303, 307, 308] {
        let location = format!("{elsewhere}/steal");
        let (endpoint, arrived) =
            serve(Canned::new(status, &[("location", location.as_str())], "")).await;
        for streaming in [false, true] {
            let client = client_for(&endpoint);
            let options = InvokeOptions::default();
            let body = claude_body("secret prompt");
            let error = if streaming {
                client.invoke_stream(HAIKU_3, body, &options).await.err()
            } else {
                client.invoke(HAIKU_3, body, &options).await.err()
            };
            match error {
                Some(BedrockError::Redirect {
                    status: s,
                    location: l,
                }) => {
                    assert_eq!(s, status);
                    assert_eq!(l, location);
                }
                other => panic!("{status}: {other:?}"),
            }
        }
        // One request per call: a redirect is not retried either.
        assert_eq!(arrived.lock().unwrap().len(), 2, "{status}");
        let home = tempfile::tempdir().unwrap();
        let out = run(
            aimed(&endpoint, &emulator_credentials(), home.path()).args([
                "ask",
                "-m",
                HAIKU_3,
                "secret prompt",
            ]),
        );
        assert_eq!(out.status.code(), Some(1));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!(
                "error: Redirect: the endpoint answered HTTP {status} redirecting to {location}"
            )),
            "{stderr}"
        );
    }
    assert!(
        arrived_elsewhere.lock().unwrap().is_empty(),
        "a redirect was followed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_and_locations_from_a_server_reach_the_terminal_sanitized() {
    // C1 CSI (U+009B), a bidi override and a zero-width space in header values.
    let body = "{\"message\":\"bad \u{9b}31m\u{200b}\"}";
    let raw = format!(
        "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nx-amzn-errortype: Evil\u{9b}2J\u{202e}Exception\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let (endpoint, _) = serve_raw(raw.as_bytes().to_vec()).await;
    let home = tempfile::tempdir().unwrap();
    let out =
        run(aimed(&endpoint, &emulator_credentials(), home.path())
            .args(["ask", "-m", HAIKU_3, "hi"]));
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: Evil?2J?Exception: "), "{stderr}");
    assert!(
        !stderr.contains('\u{9b}') && !stderr.contains('\u{202e}') && !stderr.contains('\u{200b}')
    );

    let raw = "HTTP/1.1 302 Found\r\nlocation: http://x/\u{9b}2J\u{2066}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
    let (endpoint, count) = serve_raw(raw.as_bytes().to_vec()).await;
    let out =
        run(aimed(&endpoint, &emulator_credentials(), home.path())
            .args(["ask", "-m", HAIKU_3, "hi"]));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("error: Redirect: "), "{stderr}");
    assert!(
        !stderr.contains('\u{9b}') && !stderr.contains('\u{2066}'),
        "{stderr:?}"
    );
    assert_eq!(*count.lock().unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_in_a_server_message_are_scrubbed_everywhere() {
    let message = format!(
        "The request signature we calculated does not match the signature you provided.\n\nThe Canonical String for this request should have been\n'POST\n/model/x/invoke\n\nhost:localhost\nx-amz-date:20261201T000000Z\nx-amz-security-token:{TOKEN}\n\nhost;x-amz-date;x-amz-security-token\nabc'"
    );
    let body = serde_json::json!({ "message": message }).to_string();
    let (endpoint, _) = serve(Canned::new(
        403,
        &[
            ("x-amzn-errortype", "InvalidSignatureException"),
            ("content-type", "application/json"),
        ],
        body,
    ))
    .await;
    let error = invoke_error(&endpoint).await;
    let service = error.service().unwrap();
    assert!(!service.message.contains(TOKEN), "{}", service.message);
    assert!(service.message.contains("x-amz-security-token:[redacted]"));

    // Through ask, with the conversation saved: neither the screen nor the file has it.
    let home = tempfile::tempdir().unwrap();
    let out = run(
        aimed(&endpoint, &emulator_credentials(), home.path()).args([
            "ask",
            "--session",
            "new",
            "--json",
            "-m",
            HAIKU_3,
            "hi",
        ]),
    );
    assert_eq!(out.status.code(), Some(1));
    let shown = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(shown.contains("InvalidSignatureException"), "{shown}");
    assert!(!shown.contains(TOKEN), "{shown}");
    let saved = saved_text(home.path());
    assert!(saved.contains("InvalidSignatureException"), "nothing saved");
    assert!(!saved.contains(TOKEN));
}

/// The error a one-shot InvokeModel to `endpoint` ends in.
async fn invoke_error(endpoint: &str) -> BedrockError {
    client_for(endpoint)
        .invoke(HAIKU_3, claude_body("hi"), &InvokeOptions::default())
        .await
        .expect_err("the call fails")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_or_odd_messages_are_shortened() {
    let long = "more ".repeat(20_000);
    for (body, starts) in [
        (
            serde_json::json!({ "message": long }).to_string(),
            "more more",
        ),
        (
            serde_json::json!({ "message": { "reason": "nested" } }).to_string(),
            "{\"reason\":\"nested\"}",
        ),
        (serde_json::json!({ "message": 42 }).to_string(), "42"),
    ] {
        let (endpoint, _) = serve(Canned::new(
            400,
            &[("x-amzn-errortype", "ValidationException")],
            body,
        ))
        .await;
        let error = invoke_error(&endpoint).await;
        let message = &error.service().unwrap().message;
        assert!(message.starts_with(starts), "{message}");
        assert!(message.chars().count() < 2_100, "{}", message.len());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_types_are_compared_as_media_types() {
    let stream = chunk_stream(&claude_events("fine", true));
    let (endpoint, _) = serve(Canned::new(
        200,
        &[(
            "content-type",
            "Application/VND.amazon.eventstream; charset=utf-8",
        )],
        stream,
    ))
    .await;
    let mut stream = client_for(&endpoint)
        .invoke_stream(HAIKU_3, claude_body("hi"), &InvokeOptions::default())
        .await
        .expect("a media type with parameters and another case is read");
    assert!(stream.next_chunk().await.unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_compressed_body_is_reported_as_such() {
    let (endpoint, _) = serve(Canned::new(
        200,
        &[
            ("content-type", "application/json"),
            ("content-encoding", "gzip"),
        ],
        vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0],
    ))
    .await;
    let error = invoke_error(&endpoint).await;
    assert_eq!(error.name(), "CompressedResponse");
    assert!(error.to_string().contains("gzip"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_that_ends_before_its_last_event_is_incomplete() {
    let eventstream = [("content-type", "application/vnd.amazon.eventstream")];
    // Claude without content_block_stop, message_delta and message_stop; and an empty stream.
    for (bytes, partial) in [
        (
            chunk_stream(&claude_events("partial answer", false)),
            "partial answer",
        ),
        (Vec::new(), ""),
    ] {
        let (endpoint, _) = serve(Canned::new(200, &eventstream, bytes)).await;
        let home = tempfile::tempdir().unwrap();
        let out = run(
            aimed(&endpoint, &emulator_credentials(), home.path()).args([
                "ask",
                "--session",
                "new",
                "-m",
                HAIKU_3,
                "hi",
            ]),
        );
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(text(&out.stdout).trim_end(), partial);
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("error: IncompleteStream: incomplete stream: "),
            "{stderr}"
        );
        if partial.is_empty() {
            assert!(stderr.contains("without a single chunk"), "{stderr}");
        } else {
            assert!(stderr.contains("(message_stop)"), "{stderr}");
        }
        // The session keeps the partial answer, marked as cut short by that error.
        let saved = saved_text(home.path());
        assert!(saved.contains("IncompleteStream"), "{saved}");
        assert!(saved.contains(partial));
    }
    // The complete stream from the same server is an answer.
    let (endpoint, _) = serve(Canned::new(
        200,
        &eventstream,
        chunk_stream(&claude_events("whole", true)),
    ))
    .await;
    let home = tempfile::tempdir().unwrap();
    let out =
        run(aimed(&endpoint, &emulator_credentials(), home.path())
            .args(["ask", "-m", HAIKU_3, "hi"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "whole\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickle_is_stopped_by_the_idle_and_answer_limits() {
    use std::time::{Duration, Instant};
    // One byte every 20 ms: each read comes well within the idle limit, no frame ever does.
    let mut canned = Canned::new(
        200,
        &[("content-type", "application/vnd.amazon.eventstream")],
        chunk_stream(&claude_events("slow", true)),
    );
    canned.trickle = Some((1, Duration::from_millis(20)));
    let (endpoint, _) = serve(canned).await;
    let timeouts = Timeouts {
        idle: Duration::from_millis(400),
        ..Timeouts::default()
    };
    let started = Instant::now();
    let mut stream = client_with_timeouts(&endpoint, timeouts, None, 1)
        .invoke_stream(HAIKU_3, claude_body("hi"), &InvokeOptions::default())
        .await
        .unwrap();
    let error = stream.next_chunk().await.unwrap_err();
    assert_eq!(error.name(), "IdleTimeout", "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    // A whole body trickled: the answer limit ends it.
    let mut canned = Canned::new(
        200,
        &[("content-type", "application/json")],
        "x".repeat(1000),
    );
    canned.trickle = Some((1, Duration::from_millis(20)));
    let (endpoint, _) = serve(canned).await;
    let timeouts = Timeouts {
        answer: Duration::from_millis(500),
        ..Timeouts::default()
    };
    let started = Instant::now();
    let error = client_with_timeouts(&endpoint, timeouts, None, 1)
        .invoke(HAIKU_3, claude_body("hi"), &InvokeOptions::default())
        .await
        .unwrap_err();
    assert_eq!(error.name(), "AnswerTimeout", "{error}");
    assert!(started.elapsed() < Duration::from_secs(3));

    // The same through ask, and the flag is checked.
    let home = tempfile::tempdir().unwrap();
    let out = run(
        aimed(&endpoint, &emulator_credentials(), home.path()).args([
            "ask",
            "--answer-timeout",
            "0.5",
            "--no-stream",
            "-m",
            HAIKU_3,
            "hi",
        ]),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(
            "error: AnswerTimeout: answer timeout: the answer did not finish within 500 ms"
        ),
        "{}",
        text(&out.stderr)
    );
    for bad in ["inf", "0", "-1", "1e300", "NaN"] {
        let out = run(
            aimed(&endpoint, &emulator_credentials(), home.path()).args([
                "ask",
                &format!("--answer-timeout={bad}"),
                "-m",
                HAIKU_3,
                "hi",
            ]),
        );
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(text(&out.stderr).contains("--answer-timeout"), "{bad}");
    }
}

/// An emulator that keeps at most `max` connections, gives a client `header_read` for its
/// headers and closes connections idle for `idle`; with its address.
async fn limited_emulator(
    max: usize,
    header_read: std::time::Duration,
    idle: std::time::Duration,
) -> (bedrock_tui::emulator::Emulator, String) {
    let mut config = bedrock_tui::emulator::EmulatorConfig::with_random_credentials("us-east-1");
    config.limits = bedrock_tui::emulator::connection::ConnectionLimits {
        max_connections: max,
        header_read,
        idle,
        ..config.limits
    };
    let emulator = bedrock_tui::emulator::Emulator::start(config)
        .await
        .expect("emulator starts");
    let addr = emulator
        .endpoint()
        .trim_start_matches("http://")
        .to_string();
    (emulator, addr)
}

/// Whether the server closes `stream` within `within` (a read returns end of file).
async fn closed_within(stream: &mut tokio::net::TcpStream, within: std::time::Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
            Err(_) => return false,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_drops_slow_and_idle_connections_and_caps_them() {
    use std::time::Duration;
    use tokio::io::AsyncWriteExt;
    let (_emulator, addr) =
        limited_emulator(2, Duration::from_millis(300), Duration::from_millis(600)).await;
    // Headers that never finish: closed after the header-read timeout.
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"POST /model/x/invoke HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    assert!(
        closed_within(&mut slow, Duration::from_secs(3)).await,
        "slow headers kept"
    );
    // A connection that sends nothing: closed after the idle limit.
    let mut idle = tokio::net::TcpStream::connect(&addr).await.unwrap();
    assert!(
        closed_within(&mut idle, Duration::from_secs(3)).await,
        "idle connection kept"
    );

    // Two connections held open fill the cap: a third client waits until one goes.
    let (emulator, addr) =
        limited_emulator(2, Duration::from_secs(10), Duration::from_millis(600)).await;
    let holders = [
        tokio::net::TcpStream::connect(&addr).await.unwrap(),
        tokio::net::TcpStream::connect(&addr).await.unwrap(),
    ];
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = std::time::Instant::now();
    let answer = reqwest_get(&emulator.endpoint()).await;
    assert!(answer.is_some());
    // The holders are dropped by the idle limit (600 ms), not before.
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
    drop(holders);
}

/// A GET of the emulator's model listing path without credentials: its status.
async fn reqwest_get(endpoint: &str) -> Option<u16> {
    let response = reqwest::Client::new()
        .post(format!("{endpoint}/model/{HAIKU_3}/invoke"))
        .body("{}")
        .send()
        .await
        .ok()?;
    Some(response.status().as_u16())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_without_authentication_gets_403_missing_authentication_token() {
    let emulator = emulator().await;
    let response = reqwest::Client::new()
        .post(format!("{}/model/{HAIKU_3}/invoke", emulator.endpoint()))
        .header("content-type", "application/json")
        .body(claude_body("hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let kind = response.headers()["x-amzn-errortype"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        kind.starts_with("MissingAuthenticationTokenException"),
        "{kind}"
    );
    let body: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(body["message"], "Missing Authentication Token");
}

/// CPU seconds a process has used (user and system), from /proc.
#[cfg(target_os = "linux")]
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / 100.0
}

#[cfg(target_os = "linux")]
#[test]
fn the_emulator_pauses_at_file_descriptor_exhaustion_instead_of_spinning() {
    use std::io::{BufRead, BufReader};
    let home = tempfile::tempdir().unwrap();
    // Few descriptors, and the secrets from the environment rather than the command line.
    let script = format!(
        "ulimit -n 48; exec {} emulator --port 0 --tokens-per-second 0",
        common::cli::BIN
    );
    let mut environment = common::cli::bare(home.path());
    environment.env(
        "BEDROCK_TUI_EMULATOR_SECRET_ACCESS_KEY",
        "from-the-environment",
    );
    let mut server = std::process::Command::new("sh")
        .env_clear()
        .envs(environment.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .args(["-c", &script])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let mut endpoint = String::new();
    let mut secret = String::new();
    for _ in 0..6 {
        let line = lines.next().unwrap().unwrap();
        if let Some(url) = line.strip_prefix("export AWS_ENDPOINT_URL_BEDROCK_RUNTIME=") {
            endpoint = url.to_string();
        }
        if let Some(value) = line.strip_prefix("export AWS_SECRET_ACCESS_KEY=") {
            secret = value.to_string();
        }
    }
    assert_eq!(secret, "from-the-environment");
    let addr = endpoint.trim_start_matches("http://").to_string();
    // More connections than it has descriptors for.
    let held: Vec<std::net::TcpStream> = (0..80)
        .filter_map(|_| std::net::TcpStream::connect(&addr).ok())
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let before = cpu_seconds(server.id());
    std::thread::sleep(std::time::Duration::from_secs(1));
    let used = cpu_seconds(server.id()) - before;
    drop(held);
    let _ = server.kill();
    let _ = server.wait();
    assert!(used < 0.3, "the accept loop used {used:.2} s of CPU in 1 s");
}

/// A Claude stream that calls `tool` with `input`, as Bedrock frames it.
fn claude_tool_call(tool: &str, input: &serde_json::Value) -> Vec<u8> {
    use serde_json::json;
    chunk_stream(&[
        json!({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[],"stop_reason":null,"usage":{"input_tokens":3,"output_tokens":1}}}),
        json!({"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":tool,"input":{}}}),
        json!({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":input.to_string()}}),
        json!({"type":"content_block_stop","index":0}),
        json!({"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9}}),
        json!({"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":3,"outputTokenCount":9,"invocationLatency":10,"firstByteLatency":5}}),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_that_asks_for_the_accounts_secrets_gets_none() {
    // A model server that answers every request by calling read_file on this process's
    // environment: what reaches it in the next requests is what a model would see.
    for path in ["/proc/self/environ", "/proc/thread-self/environ"] {
        let (endpoint, received) = serve(Canned::new(
            200,
            &[("content-type", "application/vnd.amazon.eventstream")],
            claude_tool_call("read_file", &serde_json::json!({ "path": path })),
        ))
        .await;
        let home = tempfile::tempdir().unwrap();
        std::fs::write(
            home.path().join("config.toml"),
            "[tools]\nbuiltin = [\"read_file\"]\nallow = [\"read_file\"]\nmax_calls_per_turn = 2\n",
        )
        .unwrap();
        let credentials = emulator_credentials();
        let out = run(aimed(&endpoint, &credentials, home.path()).args([
            "ask",
            "--tools",
            "--session",
            "new",
            "--json",
            "-m",
            HAIKU_3,
            "what is in my environment?",
        ]));
        assert_eq!(out.status.code(), Some(1), "stopped at the limit");
        let received = received.lock().unwrap().clone();
        assert!(received.len() >= 2, "the results went back to the model");
        for request in &received {
            let body = String::from_utf8_lossy(&request.body);
            assert!(!body.contains(TOKEN), "{path}: the token reached the model");
            assert!(!body.contains(&credentials.secret_access_key));
        }
        let results = String::from_utf8_lossy(&received[1].body);
        assert!(results.contains("never read it"), "{results}");
        let shown = format!(
            "{}{}{}",
            text(&out.stdout),
            text(&out.stderr),
            saved_text(home.path())
        );
        assert!(!shown.contains(TOKEN) && !shown.contains(&credentials.secret_access_key));
    }
}
