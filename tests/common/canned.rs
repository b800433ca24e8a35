//! A local HTTP server that gives every request the same canned answer and records what it
//! received: for what a hostile or broken server does (redirects, odd headers, trickles).
#![allow(dead_code, clippy::unwrap_used)]

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A request as the canned server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// The answer: status, headers, body, and optionally a pause between body pieces of `piece`
/// bytes (a trickle).
#[derive(Debug, Clone)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub trickle: Option<(usize, Duration)>,
}

impl Canned {
    pub fn new(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Canned {
        Canned {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: body.into(),
            trickle: None,
        }
    }
}

/// Serves `canned` on loopback; returns its URL and what it received.
pub async fn serve(canned: Canned) -> (String, Arc<Mutex<Vec<Received>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let log = received.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (canned, log) = (canned.clone(), log.clone());
            tokio::spawn(async move {
                let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let (canned, log) = (canned.clone(), log.clone());
                    async move {
                        let path = request.uri().to_string();
                        let headers = request
                            .headers()
                            .iter()
                            .map(|(n, v)| {
                                (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into())
                            })
                            .collect();
                        let body = request.into_body().collect().await.unwrap().to_bytes();
                        log.lock().unwrap().push(Received {
                            path,
                            headers,
                            body: body.to_vec(),
                        });
                        let pieces: Vec<Bytes> = match canned.trickle {
                            Some((size, _)) => canned
                                .body
                                .chunks(size)
                                .map(Bytes::copy_from_slice)
                                .collect(),
                            None => vec![Bytes::from(canned.body.clone())],
                        };
                        let pause = canned.trickle.map(|(_, pause)| pause);
                        let stream = futures_util::stream::unfold(
                            (pieces.into_iter(), pause, true),
                            |(mut pieces, pause, first)| async move {
                                let piece = pieces.next()?;
                                if let Some(pause) = pause.filter(|_| !first) {
                                    tokio::time::sleep(pause).await;
                                }
                                Some((
                                    Ok::<_, std::convert::Infallible>(Frame::data(piece)),
                                    (pieces, pause, false),
                                ))
                            },
                        );
                        let mut response = hyper::Response::new(StreamBody::new(stream));
                        *response.status_mut() =
                            hyper::StatusCode::from_u16(canned.status).unwrap();
                        for (name, value) in &canned.headers {
                            response.headers_mut().append(
                                hyper::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                                hyper::header::HeaderValue::from_bytes(value.as_bytes()).unwrap(),
                            );
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
    (format!("http://{addr}"), received)
}

/// Serves the same raw bytes (status line, headers, body as written) to every request, after
/// reading the request's head and body; for what hyper would refuse to send (controls in header
/// values). Returns the URL and how many requests arrived.
pub async fn serve_raw(answer: Vec<u8>) -> (String, Arc<Mutex<usize>>) {
    let count = Arc::new(Mutex::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let (answer, seen) = (answer.clone(), seen.clone());
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 8192];
                loop {
                    let Ok(n) = stream.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    request.extend_from_slice(&buf[..n]);
                    if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
                        let length: usize = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0);
                        if request.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                *seen.lock().unwrap() += 1;
                let _ = stream.write_all(&answer).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (format!("http://{addr}"), count)
}

/// Event-stream bytes of chunk frames carrying these model JSON events, as Bedrock frames them.
pub fn chunk_stream(events: &[serde_json::Value]) -> Vec<u8> {
    use base64::Engine;
    use bedrock_tui::bedrock::eventstream::{Header, encode_message};
    let mut out = Vec::new();
    for event in events {
        let bytes = base64::engine::general_purpose::STANDARD.encode(event.to_string());
        let payload = serde_json::json!({ "bytes": bytes, "p": "abcd" }).to_string();
        let headers = [
            Header::string(":event-type", "chunk"),
            Header::string(":content-type", "application/json"),
            Header::string(":message-type", "event"),
        ];
        encode_message(&headers, payload.as_bytes(), &mut out).unwrap();
    }
    out
}

/// A Claude Messages stream saying `text`, with or without its closing events.
pub fn claude_events(text: &str, complete: bool) -> Vec<serde_json::Value> {
    use serde_json::json;
    let mut events = vec![
        json!({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[],"stop_reason":null,"usage":{"input_tokens":3,"output_tokens":1}}}),
        json!({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}),
        json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":text}}),
    ];
    if complete {
        events.push(json!({"type":"content_block_stop","index":0}));
        events.push(json!({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}));
        events.push(json!({"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":3,"outputTokenCount":2,"invocationLatency":10,"firstByteLatency":5}}));
    }
    events
}
