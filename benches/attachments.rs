//! A prompt with a 3.5 MB photo, in one run: (1) preparing the request (the file checked, the
//! Claude body built with the image base64-encoded, serialized), against base64-encoding the
//! bytes alone (the reference: the least any client sending the file must do); (2) the chat's
//! pre-send check of the body's size in tokens, against parsing that body as JSON (the
//! reference: what reading it at all costs).
#![allow(clippy::unwrap_used)] // In benchmarks a panic is the failure report.

use base64::Engine;
use bedrock_tui::attachments::Attachment;
use bedrock_tui::bedrock::InvokeOptions;
use bedrock_tui::exchange::{self, Content, Intent};
use bedrock_tui::models::{Conversation, Parameters, Role, Turn};
use criterion::Criterion;
use std::time::Duration;

/// A JPEG-headed file of `len` bytes (the check reads the header; the rest is its payload).
fn photo(len: usize) -> Vec<u8> {
    let mut bytes =
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00".to_vec();
    // A baseline frame header: 3000×2000 pixels.
    bytes.extend_from_slice(
        b"\xff\xc0\x00\x11\x08\x07\xd0\x0b\xb8\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01",
    );
    let mut state = 0x2545_f491_u32;
    while bytes.len() < len {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        bytes.push(state as u8);
    }
    bytes
}

fn intent(photo: &Attachment) -> Intent {
    Intent {
        model: "global.anthropic.claude-sonnet-4-5-20250929-v1:0".into(),
        family: None,
        looked_up: None,
        content: Content::Conversation {
            conversation: Conversation {
                system: None,
                tools: Vec::new(),
                turns: vec![Turn {
                    role: Role::User,
                    text: "What is in this photo?".into(),
                    attachments: vec![photo.clone()],
                    ..Turn::new(Role::User, "")
                }],
            },
            params: Parameters::default(),
        },
        options: InvokeOptions::default(),
        stream: true,
        text_only: false,
        prompt_cache: true,
        api: bedrock_tui::bedrock::Api::Invoke,
        region: None,
    }
}

fn main() {
    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let bytes = photo(3_500_000);
    let attachment = Attachment::from_bytes("photo.jpg", bytes.clone()).unwrap();
    let asked = intent(&attachment);
    let prepared = exchange::prepare(&asked).unwrap();
    assert!(prepared.body.len() > 4_600_000);

    let mut group = criterion.benchmark_group("attachment-3.5MB");
    group.bench_function("prepare", |b| b.iter(|| exchange::prepare(&asked).unwrap()));
    group.bench_function("base64-alone (reference)", |b| {
        b.iter(|| base64::engine::general_purpose::STANDARD.encode(&bytes));
    });
    group.bench_function("token-estimate", |b| {
        b.iter(|| exchange::count::estimate(&prepared.body));
    });
    group.bench_function("json-parse (reference)", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(&prepared.body).unwrap());
    });
    group.finish();
    criterion.final_summary();

    let median = |id: &str| median_ns("attachment-3.5MB", id);
    if let (Some(prepare), Some(encode), Some(estimate), Some(parse)) = (
        median("prepare"),
        median("base64-alone (reference)"),
        median("token-estimate"),
        median("json-parse (reference)"),
    ) {
        println!(
            "a prompt with a 3.5 MB photo ({:.1} MB body): preparing the request {:.1} ms ({:.1}x base64-encoding the bytes alone, {:.1} ms); the pre-send token estimate {:.1} ms ({:.1}x parsing the body, {:.1} ms)",
            prepared.body.len() as f64 / 1e6,
            prepare / 1e6,
            prepare / encode,
            encode / 1e6,
            estimate / 1e6,
            estimate / parse,
            parse / 1e6,
        );
    }
}

/// Median time of a benchmark from criterion's estimates of this run.
fn median_ns(group: &str, id: &str) -> Option<f64> {
    let dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".to_string());
    let path = format!("{dir}/criterion/{group}/{id}/new/estimates.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}
