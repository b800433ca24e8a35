//! Replays the recorded real Bedrock exchanges (`tests/fixtures/bedrock-recordings`) from a
//! loopback server and checks that the client decodes them: the exact text for every family
//! recorded, clean frame decoding for every stream, and typed errors for every error status.

mod common;

use base64::Engine;
use bedrock_tui::bedrock::auth::BearerToken;
use bedrock_tui::bedrock::{Auth, Client, ClientConfig, InvokeOptions, StreamEvent, Timeouts};
use bedrock_tui::models::{FamilyId, StreamDecoder, family_of};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::path::{Path, PathBuf};

struct Recording {
    path: PathBuf,
    json: Value,
}

fn recordings() -> Vec<Recording> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bedrock-recordings");
    let mut out = Vec::new();
    for family in std::fs::read_dir(&root).unwrap() {
        let family = family.unwrap().path();
        if !family.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&family).unwrap() {
            let path = file.unwrap().path();
            let json = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            out.push(Recording { path, json });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(out.len(), 53);
    out
}

/// Serves one recorded response to every request; returns the endpoint.
async fn replay(recording: &Value) -> String {
    let status = recording["status"].as_u64().unwrap() as u16;
    let body = Bytes::from(
        base64::engine::general_purpose::STANDARD
            .decode(recording["response_body_base64"].as_str().unwrap())
            .unwrap(),
    );
    let headers: Vec<(String, String)> = recording["response_headers"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(n, _)| {
            !matches!(
                n.to_ascii_lowercase().as_str(),
                "transfer-encoding" | "content-length" | "connection"
            )
        })
        .map(|(n, v)| (n.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (body, headers) = (body.clone(), headers.clone());
            tokio::spawn(async move {
                let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let (body, headers) = (body.clone(), headers.clone());
                    async move {
                        let _ = request.into_body().collect().await;
                        let mut response = hyper::Response::new(Full::new(body));
                        *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
                        for (name, value) in headers {
                            if let (Ok(n), Ok(v)) = (
                                hyper::header::HeaderName::from_bytes(name.as_bytes()),
                                hyper::header::HeaderValue::from_str(&value),
                            ) {
                                response.headers_mut().append(n, v);
                            }
                        }
                        Ok::<_, std::convert::Infallible>(response)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    format!("http://{addr}")
}

fn client(endpoint: String) -> Client {
    Client::new(ClientConfig {
        endpoint,
        region: "us-east-1".into(),
        auth: Auth::Bearer(BearerToken::new("replay")),
        retry: common::fast_retry(1),
        timeouts: Timeouts::default(),
        control_endpoint: None,
    })
    .unwrap()
}

fn body_of(recording: &Value) -> Bytes {
    Bytes::from(recording["request_body"].to_string())
}

/// The adapter for a recording's family label.
fn family_of_label(label: &str) -> Option<FamilyId> {
    Some(match label {
        "anthropic" => FamilyId::Anthropic,
        "anthropic-text" => FamilyId::AnthropicText,
        "titan" => FamilyId::TitanText,
        "nova" => FamilyId::Nova,
        "llama2" => FamilyId::Llama2,
        "llama3" => FamilyId::Llama3,
        "mistral" => FamilyId::Mistral,
        "mistral-chat" => FamilyId::MistralChat,
        "cohere" => FamilyId::Cohere,
        "cohere-r" => FamilyId::CohereR,
        "j2" => FamilyId::Ai21J2,
        "jamba" => FamilyId::Ai21Jamba,
        "titan-embed" => FamilyId::TitanEmbed,
        "cohere-embed" => FamilyId::CohereEmbed,
        _ => return None,
    })
}

#[tokio::test]
async fn every_family_recording_gives_the_expected_text() {
    let mut checked = std::collections::BTreeMap::<String, usize>::new();
    for r in recordings() {
        let json = &r.json;
        let label = json["family"].as_str().unwrap();
        let Some(family) = family_of_label(label) else {
            continue;
        };
        if json["status"] != 200 {
            continue;
        }
        // The id in the recording resolves to the family it was recorded as.
        let model = json["model_id"].as_str().unwrap();
        if label != "anthropic" || !model.contains("claude-v2") {
            assert_eq!(family_of(model), Some(family), "{}", r.path.display());
        }
        let client = client(replay(json).await);
        let text = if json["operation"] == "invoke" {
            let response = client
                .invoke(model, body_of(json), &InvokeOptions::default())
                .await
                .unwrap();
            assert!(response.meta.request_id.is_some());
            let completion = family.adapter().parse_response(&response.body).unwrap();
            if label.ends_with("-embed") {
                assert!(
                    completion.embeddings[0].len() >= 256,
                    "{}",
                    r.path.display()
                );
            }
            completion.text
        } else {
            let mut stream = client
                .invoke_stream(model, body_of(json), &InvokeOptions::default())
                .await
                .unwrap();
            let mut decoder = StreamDecoder::new(family);
            let mut text = String::new();
            let mut stop = None;
            let mut metrics = None;
            while let Some(frame) = stream.next_frame().await.unwrap() {
                if let StreamEvent::Chunk(bytes) = frame.event {
                    let delta = decoder.decode(&bytes).unwrap();
                    text.push_str(&delta.text);
                    stop = stop.or(delta.stop_reason);
                    metrics = metrics.or(delta.metrics);
                }
            }
            assert!(stop.is_some(), "{}", r.path.display());
            assert!(metrics.is_some(), "{}", r.path.display());
            text
        };
        assert_eq!(
            text,
            json["expected_text"].as_str().unwrap(),
            "{}",
            r.path.display()
        );
        *checked.entry(label.to_string()).or_default() += 1;
    }
    let expected: std::collections::BTreeMap<String, usize> = [
        ("anthropic", 19),
        ("anthropic-text", 1),
        ("cohere", 3),
        ("cohere-embed", 1),
        ("cohere-r", 1),
        ("j2", 1),
        ("llama2", 2),
        ("llama3", 1),
        ("nova", 10),
        ("titan", 8),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(checked, expected);
}

#[tokio::test]
async fn every_recorded_stream_decodes_frame_by_frame() {
    let mut checked = 0;
    for r in recordings() {
        let json = &r.json;
        if json["operation"] != "invoke-with-response-stream" || json["status"] != 200 {
            continue;
        }
        let client = client(replay(json).await);
        let mut stream = client
            .invoke_stream(
                json["model_id"].as_str().unwrap(),
                body_of(json),
                &InvokeOptions::default(),
            )
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", r.path.display()));
        let mut chunks = 0;
        while let Some(frame) = stream.next_frame().await.unwrap() {
            match frame.event {
                StreamEvent::Chunk(bytes) => {
                    serde_json::from_slice::<Value>(&bytes).unwrap();
                    chunks += 1;
                }
                other => panic!("{}: {other:?}", r.path.display()),
            }
        }
        assert!(chunks > 0);
        checked += 1;
    }
    assert!(checked >= 20, "{checked}");
}

#[tokio::test]
async fn recorded_errors_are_typed() {
    let mut checked = 0;
    for r in recordings() {
        let json = &r.json;
        let status = json["status"].as_u64().unwrap();
        if status == 200 {
            continue;
        }
        let client = client(replay(json).await);
        let model = json["model_id"].as_str().unwrap();
        let error = if json["operation"] == "invoke" {
            client
                .invoke(model, body_of(json), &InvokeOptions::default())
                .await
                .err()
        } else {
            client
                .invoke_stream(model, body_of(json), &InvokeOptions::default())
                .await
                .err()
        };
        let error = error.unwrap();
        let service = error.service().unwrap_or_else(|| panic!("{error:?}"));
        let header = json["response_headers"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("x-amzn-errortype"))
            .map(|(_, v)| v.as_str().unwrap().split(':').next().unwrap().to_string())
            .unwrap();
        assert_eq!(service.kind.name(), header, "{}", r.path.display());
        assert_eq!(service.status, Some(status as u16));
        assert!(!service.message.is_empty());
        checked += 1;
    }
    assert_eq!(checked, 5);
}
