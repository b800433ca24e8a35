//! End to end against the official SDK, in one run: a 100,000-chunk Claude stream from the
//! emulator (unpaced, on loopback) consumed by (1) `bedrock-tui ask` with stdout to /dev/null
//! and (2) a small program using `aws-sdk-bedrockruntime` that reads the same stream from the
//! same emulator and extracts the same text (this bench, started again as a child with
//! `BEDROCK_TUI_BENCH_SDK=1`). Both are whole processes: start-up, credentials, the request,
//! decoding, text out. Also reports bedrock-tui's time from the response headers to the first
//! text. The emulator keeps the stream's bytes after the first request and sends them again,
//! so both clients read the same bytes at memory speed. Prints the ratio at the end.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

use bedrock_tui::emulator::{Emulator, EmulatorConfig};
use criterion::Criterion;
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_bedrock-tui");
/// The model with the largest output (128,000 tokens), so that one answer is 100,000 chunks.
const MODEL: &str = "us.anthropic.claude-opus-4-6-v1";
const MAX_TOKENS: &str = "128000";
const CHUNKS: usize = 100_000;

fn prompt() -> String {
    format!("Stream a long answer [[emulator:tokens={CHUNKS}]]")
}

/// The environment that points a client at the emulator (and nowhere else).
fn environment(emulator: &Emulator) -> Vec<(String, String)> {
    let c = &emulator.config().credentials;
    vec![
        (
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME".into(),
            emulator.endpoint(),
        ),
        ("AWS_ACCESS_KEY_ID".into(), c.access_key_id.clone()),
        ("AWS_SECRET_ACCESS_KEY".into(), c.secret_access_key.clone()),
        (
            "AWS_SESSION_TOKEN".into(),
            c.session_token.clone().unwrap_or_default(),
        ),
        ("AWS_REGION".into(), "us-east-1".into()),
        ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ("AWS_CONFIG_FILE".into(), "/nonexistent".into()),
        ("AWS_SHARED_CREDENTIALS_FILE".into(), "/nonexistent".into()),
    ]
}

fn command(program: &str, emulator: &Emulator) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(environment(emulator))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

fn run_ours(emulator: &Emulator) {
    let status = command(BIN, emulator)
        .args([
            "ask",
            "--model",
            MODEL,
            "--max-tokens",
            MAX_TOKENS,
            &prompt(),
        ])
        .status()
        .expect("bedrock-tui runs");
    assert!(status.success());
}

fn run_sdk(emulator: &Emulator) {
    let exe = std::env::current_exe().expect("the bench binary");
    let out = command(exe.to_str().unwrap_or_default(), emulator)
        .env("BEDROCK_TUI_BENCH_SDK", "1")
        .stderr(Stdio::piped())
        .output()
        .expect("the SDK program runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The SDK program: stream the answer and write its text to stdout, like `ask` does.
fn sdk_program() {
    use aws_sdk_bedrockruntime::primitives::Blob;
    use aws_sdk_bedrockruntime::types::ResponseStream;
    use std::io::Write;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let client = aws_sdk_bedrockruntime::Client::new(&config);
        let body = serde_json::json!({
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 128_000,
            "messages": [{"role": "user", "content": [{"type": "text", "text": prompt()}]}]
        });
        let out = client
            .invoke_model_with_response_stream()
            .model_id(MODEL)
            .content_type("application/json")
            .body(Blob::new(body.to_string()))
            .send()
            .await
            .expect("the stream starts");
        let mut stream = out.body;
        let stdout = std::io::stdout();
        let mut lock = stdout.lock();
        while let Some(event) = stream.recv().await.expect("the stream decodes") {
            if let ResponseStream::Chunk(part) = event {
                let Some(bytes) = part.bytes() else { continue };
                let value: serde_json::Value =
                    serde_json::from_slice(bytes.as_ref()).expect("chunk JSON");
                if value["type"] == "content_block_delta"
                    && let Some(text) = value["delta"]["text"].as_str()
                {
                    let _ = lock.write_all(text.as_bytes()).and_then(|()| lock.flush());
                }
            }
        }
    });
}

/// bedrock-tui's time from the response headers to the first text, in ms (from `--json`).
fn headers_to_first_text(emulator: &Emulator) -> f64 {
    let mut samples = Vec::new();
    for _ in 0..20 {
        let out = command(BIN, emulator)
            .stdout(Stdio::piped())
            .args([
                "ask",
                "--json",
                "--model",
                MODEL,
                "hi [[emulator:tokens=20]]",
            ])
            .output()
            .expect("ask runs");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let first_byte = json["first_byte_us"].as_f64().unwrap_or(0.0);
        let first_token = json["first_token_us"].as_f64().unwrap_or(0.0);
        samples.push((first_token - first_byte) / 1000.0);
    }
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn median_ns(group: &str, id: &str) -> Option<f64> {
    let dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".to_string());
    let path = format!("{dir}/criterion/{group}/{id}/new/estimates.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn main() {
    if std::env::var_os("BEDROCK_TUI_BENCH_SDK").is_some() {
        sdk_program();
        return;
    }
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let emulator = runtime
        .block_on(Emulator::start(EmulatorConfig {
            strict_templates: false,
            // The same stream is sent again from memory: the clients are measured, not the
            // emulator building 100,000 chunks.
            replay_streams: true,
            ..EmulatorConfig::with_random_credentials("us-east-1")
        }))
        .expect("emulator");
    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10))
        .configure_from_args();
    let mut group = criterion.benchmark_group("stream-100k-chunks");
    group.bench_function("bedrock-tui-ask", |b| b.iter(|| run_ours(&emulator)));
    group.bench_function("aws-sdk-bedrockruntime", |b| b.iter(|| run_sdk(&emulator)));
    group.finish();
    criterion.final_summary();
    if let (Some(ours), Some(sdk)) = (
        median_ns("stream-100k-chunks", "bedrock-tui-ask"),
        median_ns("stream-100k-chunks", "aws-sdk-bedrockruntime"),
    ) {
        println!(
            "stream-100k-chunks: bedrock-tui ask {:.0} ms, aws-sdk-bedrockruntime {:.0} ms, ratio {:.2}x (target 1.5x)",
            ours / 1e6,
            sdk / 1e6,
            sdk / ours
        );
    }
    println!(
        "bedrock-tui: response headers to first text, median of 20: {:.3} ms (target under 1 ms)",
        headers_to_first_text(&emulator)
    );
}
