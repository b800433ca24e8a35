//! Token counts before sending: the emulator's CountTokens (our client and the official SDK),
//! its refusals (inference profiles, models without counting), `ask --count-tokens` exact and
//! estimated, and the chat refusing a request that cannot fit the context window, with the key
//! that drops the oldest turn.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use aws_sdk_bedrockruntime::config::{BehaviorVersion, Region};
use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::{CountTokensInput, InvokeModelTokensRequest};
use bedrock_tui::app::state::Speaker;
use common::tui::{Harness, Setup};
use common::*;
use crossterm::event::{Event, KeyCode};
use serde_json::Value;

const HAIKU: &str = "anthropic.claude-haiku-4-5-20251001-v1:0";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn count_tokens_answers_our_client_and_the_official_sdk() {
    let emulator = emulator().await;
    let ours = client(&emulator);
    let body = claude_body("How many tokens is this prompt, more or less?");
    let counted = ours.count_tokens(HAIKU, &body).await.unwrap();
    assert!(counted > 5, "{counted}");
    // A profile id is counted as its foundation model.
    let profile = format!("global.{HAIKU}");
    assert_eq!(
        ours.count_tokens(bedrock_tui::models::base_model_id(&profile), &body)
            .await
            .unwrap(),
        counted
    );
    let nova = ours
        .count_tokens(
            "amazon.nova-lite-v1:0",
            br#"{"messages":[{"role":"user","content":[{"text":"hi"}]}]}"#,
        )
        .await
        .unwrap_err();
    assert!(
        nova.to_string().contains("doesn't support counting tokens"),
        "{nova}"
    );
    // The body is checked as InvokeModel checks it.
    let bad = ours
        .count_tokens(HAIKU, br#"{"messages":[]}"#)
        .await
        .unwrap_err();
    assert!(bad.to_string().contains("anthropic_version"), "{bad}");

    let sdk = aws_sdk_bedrockruntime::Client::from_conf(
        aws_sdk_bedrockruntime::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(emulator.endpoint())
            .credentials_provider(credentials(&emulator))
            .build(),
    );
    let answer = sdk
        .count_tokens()
        .model_id(HAIKU)
        .input(CountTokensInput::InvokeModel(
            InvokeModelTokensRequest::builder()
                .body(Blob::new(body.to_vec()))
                .build()
                .unwrap(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.input_tokens(), i32::try_from(counted).unwrap());
}

#[test]
fn ask_counts_exactly_or_estimates_and_sends_nothing() {
    let home = tempfile::tempdir().unwrap();
    let out = cli::run(cli::demo(home.path()).args([
        "ask",
        "-m",
        HAIKU,
        "--count-tokens",
        "--json",
        "Count me",
    ]));
    assert!(out.status.success(), "{}", cli::text(&out.stderr));
    let counted: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(counted["exact"], true);
    assert_eq!(counted["counted_by"], "CountTokens");
    assert_eq!(counted["context_window"], 200_000);
    assert!(counted["input_tokens"].as_u64().unwrap() > 2);
    let out = cli::run(cli::demo(home.path()).args([
        "ask",
        "-m",
        "amazon.nova-lite-v1:0",
        "--count-tokens",
        "Count me",
    ]));
    assert!(out.status.success());
    let line = cli::text(&out.stdout);
    assert!(
        line.starts_with('~') && line.contains("a local estimate"),
        "{line}"
    );
    // Nothing was invoked: no session, no answer.
    assert!(!home.path().join("data/sessions").exists());
    // Too long for the model's window: said, and a failure status.
    let long = "word ".repeat(30_000);
    let over = cli::run_with_stdin(
        cli::demo(home.path()).args(["ask", "-m", "amazon.titan-text-lite-v1", "--count-tokens"]),
        long.as_bytes(),
    );
    assert_eq!(over.status.code(), Some(1));
    let said = cli::text(&over.stderr);
    assert!(
        said.contains("over the 4096 that Titan Text Lite leaves for input (4096 context)"),
        "{said}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_refuses_what_cannot_fit_and_drops_the_oldest_turn() {
    let mut h = Harness::start(Setup {
        model: "amazon.titan-text-lite-v1".into(),
        ..Setup::default()
    })
    .await;
    h.send("A first question").await;
    h.finish_answer().await;
    let screen = h.screen();
    assert!(screen.contains("ctx "), "the gauge: {screen}");
    // A paste too long for Titan Text Lite's 4,096 tokens is not sent.
    h.event(Event::Paste("lorem ipsum ".repeat(2000)));
    h.settle().await;
    h.press(KeyCode::Enter);
    h.settle().await;
    let flash = h.app.state.screen.flash.clone().unwrap().text;
    assert!(
        flash.starts_with("not sent: the conversation is ~"),
        "{flash}"
    );
    assert!(
        flash.contains("F7 drops the oldest turn, F8 summarizes the older half"),
        "{flash}"
    );
    assert_eq!(h.prompts().len(), 1);
    // F7 asks, y drops the oldest turn.
    h.press(KeyCode::F(7));
    h.settle().await;
    h.type_text("y");
    h.settle().await;
    let first = h
        .app
        .state
        .chat
        .messages
        .iter()
        .find(|m| m.speaker == Speaker::User)
        .unwrap();
    assert!(first.deleted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_summary_stands_in_for_the_older_half_once_it_is_complete() {
    let mut h = Harness::start(Setup::default()).await;
    for prompt in [
        "First question",
        "Second question",
        "Third question",
        "Fourth question",
    ] {
        h.send(prompt).await;
        h.finish_answer().await;
    }
    assert_eq!(h.app.state.conversation().turns.len(), 8);
    h.press(KeyCode::F(8));
    h.settle().await;
    h.finish_answer().await;
    let prompts = h.prompts();
    assert!(
        prompts
            .last()
            .unwrap()
            .starts_with("Summarize our conversation so far (2 turns)")
    );
    // The first two turns are no longer sent: the last two, the summary's prompt and the summary
    // are.
    let sent = h.app.state.conversation();
    assert_eq!(
        sent.turns.len(),
        6,
        "{:?}",
        sent.turns.iter().map(|t| &t.text).collect::<Vec<_>>()
    );
    assert_eq!(sent.turns[0].text, "Third question");
    let flash = h.app.state.screen.flash.clone().unwrap().text;
    assert!(
        flash.starts_with("summarized: 4 earlier messages"),
        "{flash}"
    );
    // The session file keeps them, marked deleted.
    let path = h.app.state.chat.session.as_ref().unwrap().path.clone();
    let saved = common::tui::wait_for_file(&path, "the deleted marks", |t| {
        t.entries.iter().filter(|e| e.deleted).count() == 4
    });
    assert_eq!(saved.entries[0].text, "First question");
}
