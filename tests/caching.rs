//! Prompt caching: breakpoints placed where the model caches prompts and the prefix is long
//! enough, none otherwise or when turned off; the emulator's cache written by a first request
//! and read by a second (body usage, stream metrics, response headers), priced at the cache
//! prices; and the chat showing the counts.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use bedrock_tui::bedrock::InvokeOptions;
use bedrock_tui::exchange::{self, Content, Intent};
use bedrock_tui::models::{Conversation, catalog};
use common::*;
use serde_json::Value;

const SONNET: &str = "global.anthropic.claude-sonnet-4-5-20250929-v1:0";
const NOVA: &str = "us.amazon.nova-lite-v1:0";

fn long_system() -> String {
    "You answer questions about the handbook below.\n".to_string() + &"handbook text ".repeat(900)
}

fn intent(model: &str, question: &str, stream: bool, cache: bool) -> Intent {
    let mut conversation = Conversation::single(question);
    conversation.system = Some(long_system());
    Intent {
        prompt_cache: cache,
        api: bedrock_tui::bedrock::Api::Invoke,
        region: None,
        ..common::conversation_intent(model, conversation, 100, stream)
    }
}

#[test]
fn breakpoints_are_placed_only_where_they_cache() {
    let prepared = exchange::prepare(&intent(SONNET, "first?", true, true)).unwrap();
    let body: Value = serde_json::from_slice(&prepared.body).unwrap();
    assert_eq!(body["system"][0]["cache_control"]["type"], "ephemeral");
    assert_eq!(
        body["messages"][0]["content"][0]["cache_control"]["type"],
        "ephemeral"
    );
    assert!(
        prepared.notes.iter().any(|n| n
            .text
            .contains("prompt cache breakpoints after the system prompt")),
        "{:?}",
        prepared.notes
    );
    let off = exchange::prepare(&intent(SONNET, "first?", true, false)).unwrap();
    assert!(!String::from_utf8_lossy(&off.body).contains("cache_control"));
    // A model without caching gets none.
    let titan =
        exchange::prepare(&intent("amazon.titan-text-express-v1", "q", true, true)).unwrap();
    assert!(!String::from_utf8_lossy(&titan.body).contains("cache"));
    let nova = exchange::prepare(&intent(NOVA, "q", true, true)).unwrap();
    let body: Value = serde_json::from_slice(&nova.body).unwrap();
    assert_eq!(body["system"][1]["cachePoint"]["type"], "default");
    // A short prompt is below the minimum.
    let mut short = intent(SONNET, "hi", true, true);
    if let Content::Conversation { conversation, .. } = &mut short.content {
        conversation.system = Some("Be terse.".into());
    }
    assert!(
        !String::from_utf8_lossy(&exchange::prepare(&short).unwrap().body)
            .contains("cache_control")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_request_reads_what_the_first_wrote() {
    let emulator = emulator().await;
    let client = client(&emulator);
    for (model, stream) in [(SONNET, true), (SONNET, false), (NOVA, true), (NOVA, false)] {
        // Each pass asks a fresh question over the same long system prompt.
        let first = exchange::call(
            &client,
            &exchange::prepare(&intent(
                model,
                &format!("{model} {stream} one?"),
                stream,
                true,
            ))
            .unwrap(),
            |_| {},
        )
        .await;
        assert!(first.error.is_none(), "{:?}", first.error);
        let second = exchange::call(
            &client,
            &exchange::prepare(&intent(
                model,
                &format!("{model} {stream} two?"),
                stream,
                true,
            ))
            .unwrap(),
            |_| {},
        )
        .await;
        assert!(second.error.is_none(), "{:?}", second.error);
        let (w, r) = (
            first.figures.cache_write_tokens,
            second.figures.cache_read_tokens,
        );
        if stream || model == NOVA {
            assert!(
                w.unwrap_or(0) > 1000 || first.figures.cache_read_tokens.unwrap_or(0) > 1000,
                "{model} stream {stream}: first {:?}",
                first.figures
            );
        }
        assert!(
            r.unwrap_or(0) > 1000,
            "{model} stream {stream}: second {:?}",
            second.figures
        );
        // Cached tokens cost a tenth (Claude) or a quarter (Nova) of input.
        let price = catalog::lookup(model).unwrap().price_per_1k.unwrap();
        let cost = second.figures.cost(model).unwrap();
        let input = second.figures.input_tokens().unwrap() as f64;
        let output = second.figures.output_tokens().unwrap() as f64;
        let read = r.unwrap() as f64;
        let written = second.figures.cache_write_tokens.unwrap_or(0) as f64;
        let want = (price.input * input
            + price.output * output
            + price.cache_read.unwrap() * read
            + price.cache_write.unwrap() * written)
            / 1000.0;
        assert!((cost - want).abs() < 1e-12, "{cost} vs {want}");
        assert!(
            second.figures.line(model).contains(" read / "),
            "{}",
            second.figures.line(model)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoke_reports_the_cache_in_headers_and_body() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let prepared = exchange::prepare(&intent(SONNET, "headers?", false, true)).unwrap();
    let _ = client
        .invoke(
            &prepared.model,
            prepared.body.clone(),
            &InvokeOptions::default(),
        )
        .await
        .unwrap();
    let again = client
        .invoke(
            &prepared.model,
            prepared.body.clone(),
            &InvokeOptions::default(),
        )
        .await
        .unwrap();
    assert!(again.meta.metrics.cache_read_input_tokens.unwrap() > 1000);
    assert_eq!(again.meta.metrics.cache_write_input_tokens, Some(0));
    let body: Value = serde_json::from_slice(&again.body).unwrap();
    assert!(body["usage"]["cache_read_input_tokens"].as_u64().unwrap() > 1000);
}

#[test]
fn ask_json_carries_the_cache_counts_and_no_cache_turns_it_off() {
    let home = tempfile::tempdir().unwrap();
    let system = long_system();
    let out = cli::run(
        cli::demo(home.path()).args(["ask", "-m", SONNET, "--json", "--system", &system, "hi"]),
    );
    assert!(out.status.success(), "{}", cli::text(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        summary["usage"]["cache_write_input_tokens"]
            .as_u64()
            .unwrap()
            > 1000,
        "{summary}"
    );
    let off = cli::run(cli::demo(home.path()).args([
        "ask",
        "-m",
        SONNET,
        "--json",
        "--no-cache",
        "--system",
        &system,
        "hi",
    ]));
    let summary: Value = serde_json::from_slice(&off.stdout).unwrap();
    assert!(
        summary["usage"]["cache_write_input_tokens"].is_null(),
        "{summary}"
    );
    std::fs::write(home.path().join("config.toml"), "prompt_caching = false\n").unwrap();
    let config_off = cli::run(
        cli::demo(home.path()).args(["ask", "-m", SONNET, "--json", "--system", &system, "hi"]),
    );
    let summary: Value = serde_json::from_slice(&config_off.stdout).unwrap();
    assert!(
        summary["usage"]["cache_write_input_tokens"].is_null(),
        "{summary}"
    );
}
