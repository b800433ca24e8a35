//! Replays the 368 recorded real Bedrock exchanges (`tests/fixtures/bedrock-recordings`) from a
//! loopback server through the exchange layer, as `ask --body` (and `ask --api converse
//! --body`) sends them: the exact text for every text recording of InvokeModel, Converse and
//! their streams (its format told by its id and body, as for any verbatim body), the vectors of
//! every embedding, clean frame decoding for every stream (an exception frame only at the end,
//! with the text before it kept), typed errors for every error status, and CountTokens. The
//! server answers only on the recorded operation's path. (ApplyGuardrail and the OpenAI-
//! compatible routes are not requests bedrock-tui makes yet.)
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use base64::Engine;
use bedrock_tui::bedrock::auth::BearerToken;
use bedrock_tui::bedrock::{Api, Auth, Client, ClientConfig, InvokeOptions, StreamEvent, Timeouts};
use bedrock_tui::exchange::{self, Content, Intent, Outcome};
use bedrock_tui::models::{FamilyId, family_of};
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
    assert_eq!(out.len(), 368);
    out
}

/// The recorded streams with status 200 (InvokeModelWithResponseStream and ConverseStream).
const STREAMS: usize = 117;

/// The operations on a model this client makes, as recordings name them.
const MODEL_OPERATIONS: &[&str] = &[
    "invoke",
    "invoke-with-response-stream",
    "converse",
    "converse-stream",
];

/// The API and the streaming of a recorded model operation.
fn api_of(json: &Value) -> (Api, bool) {
    let operation = json["operation"].as_str().unwrap();
    let api = if operation.starts_with("converse") {
        Api::Converse
    } else {
        Api::Invoke
    };
    (api, operation.ends_with("stream"))
}

/// Serves one recorded response to every request on the recorded operation's path (anything
/// else gets a 404); returns the endpoint.
async fn replay(recording: &Value) -> String {
    let operation = format!("/{}", recording["operation"].as_str().unwrap());
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
    // A recorder that replaced every header value leaves the operation to tell the type.
    let mut headers = headers;
    if !headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("content-type") && !v.is_empty())
    {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
        let streamed = recording["operation"]
            .as_str()
            .is_some_and(|op| op.ends_with("stream"));
        headers.push((
            "content-type".to_string(),
            if streamed {
                "application/vnd.amazon.eventstream"
            } else {
                "application/json"
            }
            .to_string(),
        ));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (body, headers, operation) = (body.clone(), headers.clone(), operation.clone());
            tokio::spawn(async move {
                let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let (body, headers) = (body.clone(), headers.clone());
                    let on_path = request.uri().path().ends_with(&operation);
                    async move {
                        let _ = request.into_body().collect().await;
                        if !on_path {
                            let mut response = hyper::Response::new(Full::new(Bytes::from_static(
                                b"{\"message\":\"not the recorded operation\"}",
                            )));
                            *response.status_mut() = hyper::StatusCode::NOT_FOUND;
                            return Ok::<_, std::convert::Infallible>(response);
                        }
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
        "deepseek" => FamilyId::DeepSeek,
        "openai" => FamilyId::OpenAi,
        _ => return None,
    })
}

/// Sends a recording's request body verbatim through the exchange layer, as `ask --body` (with
/// `--api converse` for Converse) does.
async fn replayed(json: &Value) -> Outcome {
    let model = json["model_id"].as_str().unwrap();
    let (api, stream) = api_of(json);
    let mut prepared = exchange::prepare(&Intent {
        model: model.to_string(),
        family: None,
        looked_up: None,
        content: Content::Verbatim(body_of(json)),
        options: InvokeOptions::default(),
        stream,
        text_only: false,
        prompt_cache: false,
        api,
        region: None,
    })
    .unwrap();
    // The operation as recorded, whatever the catalog says of the model.
    prepared.stream = stream;
    exchange::call(&client(replay(json).await), &prepared, |_| {}).await
}

#[tokio::test]
async fn every_recorded_answer_gives_its_text_through_the_exchange() {
    let mut checked = std::collections::BTreeMap::<String, usize>::new();
    for r in recordings() {
        let json = &r.json;
        let label = json["family"].as_str().unwrap();
        if json["status"] != 200 || !MODEL_OPERATIONS.contains(&json["operation"].as_str().unwrap())
        {
            continue;
        }
        let model = json["model_id"].as_str().unwrap();
        let family = family_of_label(label);
        let (api, _) = api_of(json);
        // The id in the recording resolves to the family it was recorded as (Claude 2 takes
        // both Claude formats).
        if let Some(family) = family
            && !model.contains("claude-v2")
        {
            assert_eq!(family_of(model), Some(family), "{}", r.path.display());
        }
        let outcome = replayed(json).await;
        let name = r.path.display();
        match label {
            "titan-embed" | "cohere-embed" => {
                assert!(outcome.error.is_none(), "{name}: {:?}", outcome.error);
                assert!(outcome.embeddings[0].len() >= 256, "{name}");
            }
            // A rerank answer is no format bedrock-tui reads: shown as it came.
            "other" => assert!(outcome.text.contains("relevance_score"), "{name}"),
            _ => {
                let ends_in_exception = outcome
                    .error
                    .as_ref()
                    .is_some_and(|e| e.name() == "ModelStreamErrorException");
                assert!(
                    outcome.error.is_none() || ends_in_exception,
                    "{name}: {:?}",
                    outcome.error
                );
                // Mistral's text completion writes one space after `[/INST]`; it is not part
                // of the answer shown and saved (the frames keep it).
                let recorded_text = json["expected_text"].as_str().unwrap();
                let with_citations = cited_text(json);
                let expected = with_citations.as_deref().unwrap_or(recorded_text);
                let expected = if api == Api::Invoke && family == Some(FamilyId::Mistral) {
                    expected.strip_prefix(' ').unwrap_or(expected)
                } else {
                    expected
                };
                assert_eq!(outcome.text, expected, "{name}");
                // A guardrail's block, in Converse's words, is read as the guardrail's.
                let raw = base64::engine::general_purpose::STANDARD
                    .decode(json["response_body_base64"].as_str().unwrap())
                    .unwrap();
                if api == Api::Converse
                    && memchr::memmem::find(&raw, b"guardrail_intervened").is_some()
                {
                    let guardrail = outcome.figures.guardrail.as_ref();
                    assert!(
                        guardrail.is_some_and(|g| g.intervened() && !g.policies.is_empty()),
                        "{name}: {guardrail:?}"
                    );
                }
                let reader = match api {
                    Api::Converse => Some(FamilyId::Converse),
                    Api::Invoke => family.map(family_reader),
                };
                assert_eq!(
                    outcome.reader.map(family_reader),
                    reader,
                    "{name}: read as {:?}",
                    outcome.reader
                );
                if !ends_in_exception {
                    assert!(outcome.figures.stop_reason.is_some(), "{name}");
                    assert!(outcome.figures.output_tokens().is_some(), "{name}");
                }
            }
        }
        let key = match api {
            Api::Converse => format!("{label} (converse)"),
            Api::Invoke => label.to_string(),
        };
        *checked.entry(key).or_default() += 1;
    }
    let expected: std::collections::BTreeMap<String, usize> = [
        ("anthropic", 121),
        ("anthropic (converse)", 94),
        ("anthropic-text", 3),
        ("cohere", 4),
        ("cohere-embed", 2),
        ("cohere-r", 2),
        ("cohere-r (converse)", 1),
        ("deepseek (converse)", 1),
        ("j2", 1),
        ("jamba", 1),
        ("llama2", 3),
        ("llama3", 4),
        ("llama3 (converse)", 2),
        ("mistral", 1),
        ("mistral (converse)", 2),
        ("nova", 23),
        ("nova (converse)", 49),
        ("openai (converse)", 1),
        ("other", 1),
        ("titan", 14),
        ("titan (converse)", 7),
        ("titan-embed", 5),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(checked, expected);
}

/// A Converse answer's text with its cited passages in their place: the recordings' expected
/// text leaves out `citationsContent` blocks, but what a model cites is part of its answer
/// (`According to the policy, employees get 20 days.`, not `According to the policy, .`).
/// `None` when the answer cites nothing.
fn cited_text(json: &Value) -> Option<String> {
    if json["operation"] != "converse" {
        return None;
    }
    let body: Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(json["response_body_base64"].as_str()?)
            .ok()?,
    )
    .ok()?;
    let blocks = body.pointer("/output/message/content")?.as_array()?;
    if !blocks.iter().any(|b| b.get("citationsContent").is_some()) {
        return None;
    }
    let mut text = String::new();
    let mut without = String::new();
    for block in blocks {
        if let Some(piece) = block["text"].as_str() {
            text.push_str(piece);
            without.push_str(piece);
        }
        for piece in block["citationsContent"]["content"]
            .as_array()
            .into_iter()
            .flatten()
        {
            text.push_str(piece["text"].as_str().unwrap_or_default());
        }
    }
    // The recorded text is the same answer without the cited passages.
    assert_eq!(without, json["expected_text"].as_str().unwrap());
    Some(text)
}

/// Families whose answers one reader reads (the Llamas; the chat-completions formats).
fn family_reader(family: FamilyId) -> FamilyId {
    match family {
        FamilyId::Llama2 | FamilyId::Llama4 => FamilyId::Llama3,
        FamilyId::MistralChat | FamilyId::Ai21Jamba => FamilyId::OpenAi,
        other => other,
    }
}

#[tokio::test]
async fn every_recorded_stream_decodes_frame_by_frame() {
    let mut checked = 0;
    for r in recordings() {
        let json = &r.json;
        let (api, stream) = api_of(json);
        if !stream || json["status"] != 200 {
            continue;
        }
        let client = client(replay(json).await);
        let mut stream = client
            .send_streamed(
                api,
                json["model_id"].as_str().unwrap(),
                body_of(json),
                &InvokeOptions::default(),
                None,
            )
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", r.path.display()));
        let mut chunks = 0;
        let mut exception = None;
        while let Some(frame) = stream.next_frame().await.unwrap() {
            assert!(
                exception.is_none(),
                "{}: a frame after the exception",
                r.path.display()
            );
            match frame.event {
                StreamEvent::Chunk(bytes) => {
                    serde_json::from_slice::<Value>(&bytes).unwrap();
                    chunks += 1;
                }
                StreamEvent::Exception(e) => exception = Some(e),
                other => panic!("{}: {other:?}", r.path.display()),
            }
        }
        assert!(chunks > 0);
        checked += 1;
    }
    assert_eq!(checked, STREAMS);
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
        if !MODEL_OPERATIONS.contains(&json["operation"].as_str().unwrap()) {
            continue;
        }
        let outcome = replayed(json).await;
        let error = outcome.error.unwrap();
        let service = error.service().unwrap_or_else(|| panic!("{error:?}"));
        // A recorder that dropped the headers leaves the status and the message to go by.
        let header = json["response_headers"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("x-amzn-errortype"))
            .map(|(_, v)| v.as_str().unwrap().split(':').next().unwrap().to_string());
        if let Some(header) = header {
            assert_eq!(service.kind.name(), header, "{}", r.path.display());
        }
        assert_eq!(service.status, Some(status as u16));
        assert!(!service.message.is_empty());
        assert!(outcome.text.is_empty());
        checked += 1;
    }
    assert_eq!(checked, 18);
}

/// The top-level members of a JSON object, sorted, without the guardrail's members (present by
/// the request's settings) and the invocation metrics (on the last chunk only).
fn members(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    keys.retain(|k| {
        !matches!(
            k.as_str(),
            "amazon-bedrock-guardrailAction"
                | "amazon-bedrock-trace"
                | "amazon-bedrock-invocationMetrics"
        )
    });
    keys.sort();
    keys
}

/// The shapes the real service answered with, per family label: invoke bodies' members and
/// stream chunks' members.
type Shapes = std::collections::BTreeMap<String, std::collections::BTreeSet<Vec<String>>>;

fn decode_frames(body: &[u8]) -> Vec<bedrock_tui::bedrock::eventstream::Message> {
    let mut decoder = bedrock_tui::bedrock::eventstream::Decoder::new();
    decoder.push(Bytes::copy_from_slice(body));
    let mut out = Vec::new();
    while let Some(message) = decoder.next_message().unwrap() {
        out.push(message);
    }
    out
}

fn chunk_json(message: &bedrock_tui::bedrock::eventstream::Message) -> Option<Value> {
    let mut out = Vec::new();
    bedrock_tui::bedrock::stream::decode_chunk_payload(message.payload(), &mut out).ok()?;
    serde_json::from_slice(&out).ok()
}

/// An event's shape as JSON: a `chunk`'s model JSON; a ConverseStream event's own object
/// without its padding, its type kept as a member `:event-type=<type>`.
fn event_json(message: &bedrock_tui::bedrock::eventstream::Message) -> Option<Value> {
    match message.header_str(":event-type")? {
        "chunk" => chunk_json(message),
        kind => {
            let mut value: Value = serde_json::from_slice(message.payload()).ok()?;
            let object = value.as_object_mut()?;
            object.remove("p");
            object.insert(format!(":event-type={kind}"), Value::Null);
            Some(value)
        }
    }
}

/// The shape label of a recording: its family, and the API when it is Converse.
fn shape_label(json: &Value) -> String {
    let label = json["family"].as_str().unwrap();
    match api_of(json).0 {
        Api::Converse => format!("{label} (converse)"),
        Api::Invoke => label.to_string(),
    }
}

#[tokio::test]
async fn the_emulator_answers_every_recorded_request_in_the_recorded_shapes() {
    let recorded = recordings();
    let mut bodies = Shapes::new();
    let mut chunks = Shapes::new();
    for r in &recorded {
        let json = &r.json;
        if json["status"] != 200 || !MODEL_OPERATIONS.contains(&json["operation"].as_str().unwrap())
        {
            continue;
        }
        let label = shape_label(json);
        let body = base64::engine::general_purpose::STANDARD
            .decode(json["response_body_base64"].as_str().unwrap())
            .unwrap();
        if api_of(json).1 {
            for frame in decode_frames(&body) {
                if let Some(value) = event_json(&frame) {
                    chunks
                        .entry(label.clone())
                        .or_default()
                        .insert(members(&value));
                }
            }
        } else if let Ok(value) = serde_json::from_slice::<Value>(&body) {
            bodies.entry(label).or_default().insert(members(&value));
        }
    }
    // Bedrock takes prompts without their chat template: the emulator does too by default.
    let emulator = bedrock_tui::emulator::Emulator::start(bedrock_tui::emulator::EmulatorConfig {
        strict_templates: false,
        ..bedrock_tui::emulator::EmulatorConfig::with_random_credentials("us-east-1")
    })
    .await
    .unwrap();
    let client = common::client(&emulator);
    let mut problems = Vec::new();
    let mut compared = 0;
    for r in &recorded {
        let json = &r.json;
        let family = json["family"].as_str().unwrap();
        if json["status"] != 200
            || family == "other"
            || !MODEL_OPERATIONS.contains(&json["operation"].as_str().unwrap())
        {
            continue;
        }
        let label = shape_label(json);
        let (api, stream) = api_of(json);
        let model = json["model_id"].as_str().unwrap();
        let name = r.path.file_name().unwrap().to_string_lossy().into_owned();
        if stream {
            match client
                .send_streamed(api, model, body_of(json), &InvokeOptions::default(), None)
                .await
            {
                Ok(mut stream) => {
                    if api == Api::Invoke
                        && stream.meta.content_type.as_deref() != Some("application/json")
                    {
                        problems.push(format!("{name}: {:?}", stream.meta.content_type));
                    }
                    while let Some(frame) = stream.next_frame().await.unwrap() {
                        let headers: Vec<&str> = frame.message.headers().map(|h| h.name).collect();
                        if headers != [":event-type", ":content-type", ":message-type"] {
                            problems.push(format!("{name}: frame headers {headers:?}"));
                        }
                        if let Some(value) = event_json(&frame.message)
                            && !chunks[&label].contains(&members(&value))
                        {
                            problems.push(format!("{name}: chunk members {:?}", members(&value)));
                        }
                    }
                }
                Err(e) => problems.push(format!("{name}: {}: {e}", e.name())),
            }
        } else {
            match client
                .send_whole(api, model, body_of(json), &InvokeOptions::default(), None)
                .await
            {
                Ok(response) => {
                    let value: Value = serde_json::from_slice(&response.body).unwrap();
                    if !bodies[&label].contains(&members(&value)) {
                        problems.push(format!("{name}: body members {:?}", members(&value)));
                    }
                    // InvokeModel says its token counts in headers; Converse in its body.
                    let counted = response.meta.metrics.input_tokens.is_some();
                    if counted != (api == Api::Invoke) {
                        problems.push(format!("{name}: token-count headers: {counted}"));
                    }
                }
                Err(e) => problems.push(format!("{name}: {}: {e}", e.name())),
            }
        }
        compared += 1;
    }
    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "{} of {compared}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Every recorded answer that calls a tool (Claude `tool_use`, Nova `toolUse`), streamed or
/// not, gives its calls whole: id, tool and arguments that parse as JSON.
#[tokio::test]
async fn every_recorded_tool_call_is_put_together() {
    let mut found = 0;
    for recording in recordings() {
        let json = &recording.json;
        let raw = base64::engine::general_purpose::STANDARD
            .decode(json["response_body_base64"].as_str().unwrap_or(""))
            .unwrap_or_default();
        if !MODEL_OPERATIONS.contains(&json["operation"].as_str().unwrap()) {
            continue;
        }
        let decoded = if api_of(json).1 {
            // Some recorded streams are damaged on purpose: those are not about tools.
            let Ok(frames) = std::panic::catch_unwind(|| decode_frames(&raw)) else {
                continue;
            };
            frames
                .iter()
                .filter_map(event_json)
                .map(|c| c.to_string())
                .collect::<String>()
        } else {
            String::from_utf8_lossy(&raw).into_owned()
        };
        let calls_tool = decoded.contains("\"tool_use\"") || decoded.contains("\"toolUse\"");
        if json["status"] != 200 || !calls_tool {
            continue;
        }
        let outcome = replayed(json).await;
        let calls = &outcome.figures.tool_calls;
        assert!(
            !calls.is_empty(),
            "{}: no tool call read",
            recording.path.display()
        );
        for call in calls {
            assert!(
                !call.id.is_empty() && !call.name.is_empty(),
                "{}: {call:?}",
                recording.path.display()
            );
            let input = if call.input.is_empty() {
                "{}"
            } else {
                &call.input
            };
            assert!(
                serde_json::from_str::<Value>(input).is_ok(),
                "{}: arguments {:?}",
                recording.path.display(),
                call.input
            );
        }
        found += 1;
    }
    assert!(found >= 5, "only {found} recordings with tool calls");
}

/// The recorded CountTokens exchanges: the InvokeModel body inside the recorded request is
/// counted through the client's own `count_tokens`, on the recorded path, and gives the
/// recorded count (or the recorded error, typed).
#[tokio::test]
async fn recorded_token_counts_are_read() {
    let mut checked = 0;
    for r in recordings() {
        let json = &r.json;
        if json["operation"] != "count-tokens" {
            continue;
        }
        let input = json["request_body"]["input"].clone();
        let client = client(replay(json).await);
        let counted = client
            .count_tokens_of(json["model_id"].as_str().unwrap(), input)
            .await;
        let answer: Value = serde_json::from_slice(
            &base64::engine::general_purpose::STANDARD
                .decode(json["response_body_base64"].as_str().unwrap())
                .unwrap(),
        )
        .unwrap();
        match counted {
            Ok(tokens) => assert_eq!(Some(tokens), answer["inputTokens"].as_u64()),
            Err(e) => {
                assert_ne!(json["status"], 200, "{}: {e}", r.path.display());
                assert!(e.service().is_some(), "{e:?}");
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 2);
}
