//! Event-stream decoding speed against `aws-smithy-eventstream` (the decoder inside the AWS SDK
//! for Rust), in one run: 100,000 Bedrock-shaped chunk frames of about 280 bytes fed in 16 KiB
//! reads, (1) frames only, (2) the whole chunk path to Claude text, and (3) the same for
//! ConverseStream frames (`contentBlockDelta` events, no base64) to text. Prints the ratios.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

use base64::Engine;
use bedrock_tui::bedrock::StreamEvent;
use bedrock_tui::bedrock::eventstream::{Decoder, Header, encode_message};
use bedrock_tui::bedrock::stream::{classify, decode_chunk_payload};
use bedrock_tui::models::ModelFamily;
use bedrock_tui::models::anthropic::Anthropic;
use bedrock_tui::models::converse::Converse;
use bytes::{Bytes, BytesMut};
use criterion::{Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;

const FRAMES: usize = 100_000;
const READ: usize = 16 * 1024;

/// The stream: frames like Bedrock's, with a `p` padding that brings each to about 280 bytes.
fn stream() -> Vec<u8> {
    const ALPHABET: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let words = [
        "Hello", " there", ",", " how", " are", " you", " today", "?\n", " The", " stream",
    ];
    let headers = [
        Header::string(":event-type", "chunk"),
        Header::string(":content-type", "application/json"),
        Header::string(":message-type", "event"),
    ];
    let mut out = Vec::with_capacity(FRAMES * 290);
    for i in 0..FRAMES {
        let event = serde_json::json!({"type": "content_block_delta", "index": 0,
            "delta": {"type": "text_delta", "text": words[i % words.len()]}})
        .to_string();
        let encoded = base64::engine::general_purpose::STANDARD.encode(event);
        let base = format!(r#"{{"bytes":"{encoded}","p":""}}"#).len() + 16 + 71;
        let pad = 280usize.saturating_sub(base).min(62);
        let payload = format!(r#"{{"bytes":"{encoded}","p":"{}"}}"#, &ALPHABET[..pad]);
        encode_message(&headers, payload.as_bytes(), &mut out).unwrap();
    }
    out
}

/// A ConverseStream: `contentBlockDelta` events with their type in `:event-type` and their own
/// JSON (with `p` padding) as the payload, as recorded.
fn converse_stream() -> Vec<u8> {
    const ALPHABET: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let words = [
        "Hello", " there", ",", " how", " are", " you", " today", "?\n", " The", " stream",
    ];
    let headers = [
        Header::string(":event-type", "contentBlockDelta"),
        Header::string(":content-type", "application/json"),
        Header::string(":message-type", "event"),
    ];
    let mut out = Vec::with_capacity(FRAMES * 200);
    for i in 0..FRAMES {
        let payload = serde_json::json!({"contentBlockIndex": 0,
            "delta": {"text": words[i % words.len()]}, "p": &ALPHABET[..2 + (i * 7) % 61]})
        .to_string();
        encode_message(&headers, payload.as_bytes(), &mut out).unwrap();
    }
    out
}

fn ours_converse_text(reads: &[Bytes]) -> usize {
    let mut decoder = Decoder::new();
    let mut text = String::new();
    for read in reads {
        decoder.push(read.clone());
        while let Some(message) = decoder.next_message().unwrap() {
            if let StreamEvent::Chunk(event) = classify(&message).unwrap() {
                text.push_str(&Converse.parse_chunk(&event).unwrap().text);
            }
        }
    }
    text.len()
}

fn smithy_converse_text(reads: &[Bytes]) -> usize {
    use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder};
    let mut decoder = MessageFrameDecoder::new();
    let mut buffer = BytesMut::new();
    let mut text = String::new();
    for read in reads {
        buffer.extend_from_slice(read);
        while let DecodedFrame::Complete(message) = decoder.decode_frame(&mut buffer).unwrap() {
            let is_delta = message.headers().iter().any(|h| {
                h.name().as_str() == ":event-type"
                    && h.value()
                        .as_string()
                        .map(aws_smithy_types::str_bytes::StrBytes::as_str)
                        == Ok("contentBlockDelta")
            });
            if !is_delta {
                continue;
            }
            let event: serde_json::Value = serde_json::from_slice(message.payload()).unwrap();
            text.push_str(event["delta"]["text"].as_str().unwrap_or(""));
        }
    }
    text.len()
}

fn reads(stream: &[u8]) -> Vec<Bytes> {
    stream.chunks(READ).map(Bytes::copy_from_slice).collect()
}

fn ours_frames(reads: &[Bytes]) -> usize {
    let mut decoder = Decoder::new();
    let mut count = 0;
    for read in reads {
        decoder.push(read.clone());
        while let Some(message) = decoder.next_message().unwrap() {
            black_box(message.payload());
            count += 1;
        }
    }
    count
}

fn smithy_frames(reads: &[Bytes]) -> usize {
    use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder};
    let mut decoder = MessageFrameDecoder::new();
    let mut buffer = BytesMut::new();
    let mut count = 0;
    for read in reads {
        buffer.extend_from_slice(read);
        while let DecodedFrame::Complete(message) = decoder.decode_frame(&mut buffer).unwrap() {
            black_box(message.payload());
            count += 1;
        }
    }
    count
}

fn ours_text(reads: &[Bytes]) -> usize {
    let mut decoder = Decoder::new();
    let mut text = String::new();
    let mut json = Vec::with_capacity(256);
    for read in reads {
        decoder.push(read.clone());
        while let Some(message) = decoder.next_message().unwrap() {
            if message.header_str(":event-type") != Some("chunk") {
                continue;
            }
            json.clear();
            decode_chunk_payload(message.payload(), &mut json).unwrap();
            text.push_str(&Anthropic.parse_chunk(&json).unwrap().text);
        }
    }
    text.len()
}

fn smithy_text(reads: &[Bytes]) -> usize {
    use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder};
    let mut decoder = MessageFrameDecoder::new();
    let mut buffer = BytesMut::new();
    let mut text = String::new();
    for read in reads {
        buffer.extend_from_slice(read);
        while let DecodedFrame::Complete(message) = decoder.decode_frame(&mut buffer).unwrap() {
            let is_chunk = message.headers().iter().any(|h| {
                h.name().as_str() == ":event-type"
                    && h.value()
                        .as_string()
                        .map(aws_smithy_types::str_bytes::StrBytes::as_str)
                        == Ok("chunk")
            });
            if !is_chunk {
                continue;
            }
            let part: serde_json::Value = serde_json::from_slice(message.payload()).unwrap();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(part["bytes"].as_str().unwrap())
                .unwrap();
            let event: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            if event["type"] == "content_block_delta" {
                text.push_str(event["delta"]["text"].as_str().unwrap_or(""));
            }
        }
    }
    text.len()
}

fn benches(c: &mut Criterion, reads: &[Bytes], converse: &[Bytes]) {
    assert_eq!(ours_frames(reads), FRAMES);
    assert_eq!(smithy_frames(reads), FRAMES);
    assert_eq!(ours_text(reads), smithy_text(reads));
    let mut group = c.benchmark_group("frames");
    group.throughput(Throughput::Elements(FRAMES as u64));
    group.bench_function("bedrock-tui", |b| b.iter(|| ours_frames(reads)));
    group.bench_function("aws-smithy-eventstream", |b| {
        b.iter(|| smithy_frames(reads));
    });
    group.finish();
    let mut group = c.benchmark_group("chunk-to-text");
    group.throughput(Throughput::Elements(FRAMES as u64));
    group.bench_function("bedrock-tui", |b| b.iter(|| ours_text(reads)));
    group.bench_function("smithy+serde_json-Value", |b| b.iter(|| smithy_text(reads)));
    group.finish();
    assert_eq!(ours_converse_text(converse), smithy_converse_text(converse));
    let mut group = c.benchmark_group("converse-stream-to-text");
    group.throughput(Throughput::Elements(FRAMES as u64));
    group.bench_function("bedrock-tui", |b| b.iter(|| ours_converse_text(converse)));
    group.bench_function("smithy+serde_json-Value", |b| {
        b.iter(|| smithy_converse_text(converse));
    });
    group.finish();
}

/// Mean time of a benchmark from criterion's estimates of this run.
fn mean_ns(group: &str, id: &str) -> Option<f64> {
    let dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".to_string());
    let path = format!("{dir}/criterion/{group}/{id}/new/estimates.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    json["mean"]["point_estimate"].as_f64()
}

fn report(group: &str, ours: &str, reference: &str, target: f64) {
    if let (Some(a), Some(b)) = (mean_ns(group, ours), mean_ns(group, reference)) {
        let rate = |ns: f64| FRAMES as f64 / (ns / 1e9) / 1e6;
        println!(
            "{group}: {ours} {:.2} M msg/s, {reference} {:.2} M msg/s, ratio {:.2}x (target {target}x)",
            rate(a),
            rate(b),
            b / a
        );
    }
}

fn main() {
    let reads = reads(&stream());
    let converse = self::reads(&converse_stream());
    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    benches(&mut criterion, &reads, &converse);
    criterion.final_summary();
    report("frames", "bedrock-tui", "aws-smithy-eventstream", 3.0);
    report(
        "chunk-to-text",
        "bedrock-tui",
        "smithy+serde_json-Value",
        2.0,
    );
    report(
        "converse-stream-to-text",
        "bedrock-tui",
        "smithy+serde_json-Value",
        1.0,
    );
}
