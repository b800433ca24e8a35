//! The emulator's event-stream answers: chunks paced at the requested rate, written through a
//! channel-backed body with faults injected, and a kept stream sent again for benchmarks.

use super::EmulatorState;
use super::family::{Answer, EmulatedFamily, Prompt};
use super::faults::Fault;
use super::response::{
    Body, BodyItem, abort, channel_body, chunk_frame, converse_frame, exception_frame, insert,
    padded_frame, send, stall, stream_exception_message,
};
use bedrock_tui_models::catalog::ModelInfo;
use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Unpaced streams coalesce frames into writes of about this size.
const COALESCE_BYTES: usize = 32 * 1024;

/// The stream kept under `key`, if it is the one kept.
pub(super) fn replayed(state: &EmulatorState, key: u64) -> Option<Arc<Vec<Bytes>>> {
    let kept = state
        .replay
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    kept.as_ref()
        .filter(|(k, _)| *k == key)
        .map(|(_, pieces)| pieces.clone())
}

/// A stream sent again from the kept bytes.
pub(super) fn replay_response(pieces: Arc<Vec<Bytes>>, request_id: &str) -> Response<Body> {
    let (tx, body) = channel_body();
    tokio::spawn(async move {
        for piece in pieces.iter() {
            if tx
                .send(Ok(hyper::body::Frame::data(piece.clone())))
                .await
                .is_err()
            {
                return;
            }
        }
    });
    stream_headers(Response::new(body), request_id, &[])
}

#[allow(clippy::too_many_arguments)]
pub(super) fn stream_response(
    family: &dyn EmulatedFamily,
    model: &ModelInfo,
    prompt: &Prompt,
    answer: &Answer,
    fault: Option<Fault>,
    tokens_per_second: f64,
    request_id: &str,
    keep: Option<(u64, Arc<EmulatorState>)>,
    framing: Framing,
) -> Response<Body> {
    let mut chunks = family.stream_chunks(model, prompt, answer, request_id);
    if framing == Framing::Chunk
        && model.family == bedrock_tui_models::FamilyId::TitanText
        && answer.guardrail.as_ref().is_some_and(|v| v.intervened)
    {
        // A blocked Titan stream is one chunk with the blocked text and the guardrail's
        // members: no completion reason, no metrics (recorded: openllmetry
        // `test_guardrail_invoke_stream.yaml`).
        chunks = vec![
            serde_json::json!({"outputText": super::guardrail::BLOCKED, "index": 0})
                .to_string()
                .into_bytes(),
        ];
    }
    if let Some(verdict) = answer
        .guardrail
        .as_ref()
        .filter(|_| framing == Framing::Chunk)
    {
        for chunk in &mut chunks {
            *chunk = super::guardrail::decorate(chunk, verdict);
        }
    }
    let (tx, body) = channel_body();
    tokio::spawn(produce(tx, chunks, fault, tokens_per_second, keep, framing));
    stream_headers(Response::new(body), request_id, &answer.served)
}

fn stream_headers(
    mut response: Response<Body>,
    request_id: &str,
    served: &[(&'static str, String)],
) -> Response<Body> {
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    for (name, value) in served {
        insert(headers, name, value);
    }
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/vnd.amazon.eventstream"),
    );
    headers.insert(
        "x-amzn-bedrock-content-type",
        HeaderValue::from_static("application/json"),
    );
    insert(headers, "x-amzn-requestid", request_id);
    response
}

/// How a stream's events are framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Framing {
    /// InvokeModelWithResponseStream: `chunk` events of `{"bytes": base64(model JSON)}`.
    Chunk,
    /// ConverseStream: the event's type in `:event-type`, its own JSON as the payload.
    Converse,
}

/// The gap between two chunks at `tokens_per_second`: none for 0, anything not a number or
/// above a million a second; at most a minute (a rate below one a minute).
fn pace(tokens_per_second: f64) -> Option<Duration> {
    if !tokens_per_second.is_finite() || tokens_per_second <= 0.0 || tokens_per_second > 1e6 {
        return None;
    }
    Some(Duration::from_secs_f64((1.0 / tokens_per_second).min(60.0)))
}

/// Writes the chunk frames, paced, and breaks the stream where the fault says.
async fn produce(
    tx: mpsc::Sender<BodyItem>,
    chunks: Vec<Vec<u8>>,
    fault: Option<Fault>,
    tokens_per_second: f64,
    keep: Option<(u64, Arc<EmulatorState>)>,
    framing: Framing,
) {
    // What a fault breaks when it comes after the last event.
    let filler: &[u8] = match framing {
        Framing::Chunk => b"{}",
        Framing::Converse => {
            br#"{"contentBlockDelta":{"contentBlockIndex":0,"delta":{"text":""}}}"#
        }
    };
    let write_event = |chunk: &[u8], index: usize, out: &mut Vec<u8>| match framing {
        Framing::Chunk => chunk_frame(chunk, index, out),
        Framing::Converse => converse_frame(chunk, index, out),
    };
    let mut kept: Vec<Bytes> = Vec::new();
    let interval = pace(tokens_per_second);
    let break_at = match &fault {
        Some(
            Fault::StreamException { after, .. }
            | Fault::BadCrc { after }
            | Fault::Truncate { after }
            | Fault::EarlyEnd { after }
            | Fault::Reset { after }
            | Fault::Stall { after },
        ) => Some(*after),
        _ => None,
    };
    let started = Instant::now();
    let mut pending = Vec::with_capacity(COALESCE_BYTES + 1024);
    for (index, chunk) in chunks.iter().enumerate() {
        if Some(index) == break_at {
            break;
        }
        if let Some(interval) = interval {
            tokio::time::sleep_until((started + interval.mul_f64(index as f64)).into()).await;
        }
        match (&fault, index) {
            // The largest frame the format allows, carrying this chunk.
            (Some(Fault::BigFrame), 1) if framing == Framing::Chunk => padded_frame(
                "chunk",
                chunk,
                i16::MAX as usize,
                bedrock_tui_wire::eventstream::MAX_PAYLOAD_LEN,
                &mut pending,
            ),
            _ => write_event(chunk, index, &mut pending),
        }
        if matches!(fault, Some(Fault::Flood { after }) if after == index) {
            // 1 GiB of 1 MiB frames of an event type clients skip, until the client leaves.
            for _ in 0..1024 {
                padded_frame("x-emulator-flood", b"{}", 16, 1 << 20, &mut pending);
                if !send(&tx, std::mem::take(&mut pending)).await {
                    return;
                }
            }
        }
        if interval.is_some() || pending.len() >= COALESCE_BYTES {
            let piece = Bytes::from(std::mem::take(&mut pending));
            if keep.is_some() {
                kept.push(piece.clone());
            }
            if tx.send(Ok(hyper::body::Frame::data(piece))).await.is_err() {
                return;
            }
        }
    }
    if let Some(fault) = fault.filter(|_| break_at.is_some_and(|at| at <= chunks.len())) {
        match fault {
            Fault::StreamException { kind, .. } => {
                exception_frame(&kind, stream_exception_message(&kind), &mut pending);
            }
            Fault::BadCrc { after } => {
                let mut frame = Vec::new();
                write_event(
                    chunks.get(after).map_or(filler, Vec::as_slice),
                    after,
                    &mut frame,
                );
                if let Some(last) = frame.last_mut() {
                    *last ^= 0xff;
                }
                pending.extend_from_slice(&frame);
            }
            Fault::Truncate { after } => {
                let mut frame = Vec::new();
                write_event(
                    chunks.get(after).map_or(filler, Vec::as_slice),
                    after,
                    &mut frame,
                );
                pending.extend_from_slice(&frame[..frame.len() / 2]);
            }
            Fault::Reset { .. } => {
                if !pending.is_empty() && !send(&tx, std::mem::take(&mut pending)).await {
                    return;
                }
                abort(&tx).await;
                return;
            }
            Fault::Stall { .. } => {
                if !pending.is_empty() && !send(&tx, std::mem::take(&mut pending)).await {
                    return;
                }
                stall(&tx).await;
                return;
            }
            _ => {}
        }
    }
    if !pending.is_empty() {
        let piece = Bytes::from(pending);
        if keep.is_some() {
            kept.push(piece.clone());
        }
        if tx.send(Ok(hyper::body::Frame::data(piece))).await.is_err() {
            return;
        }
    }
    if let Some((key, state)) = keep {
        *state
            .replay
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((key, Arc::new(kept)));
    }
}
