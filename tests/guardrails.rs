//! Guardrails: the recorded guardrail answers read (action and the policy that acted, never the
//! matched text), the emulator's guardrail blocking a denied word and an e-mail address with
//! Bedrock's shapes, streamed and invoked, `ask` reporting it on stderr and in `--json`, and the
//! chat showing the intervention inline, with the guardrail set in config.toml or in F2.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use base64::Engine;
use bedrock_tui::bedrock::InvokeOptions;
use bedrock_tui::exchange::{self, Content, Intent};
use bedrock_tui::models::{Conversation, Parameters, guardrail};
use common::tui::{Harness, Setup};
use common::*;
use crossterm::event::KeyCode;
use serde_json::Value;
use std::path::Path;

const NOVA: &str = "amazon.nova-lite-v1:0";

fn guarded() -> InvokeOptions {
    InvokeOptions {
        guardrail_identifier: Some("gr7demo".into()),
        guardrail_version: Some("DRAFT".into()),
        trace: Some("ENABLED".into()),
        ..InvokeOptions::default()
    }
}

#[test]
fn the_recorded_guardrail_answers_are_read() {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bedrock-recordings/titan");
    let recording: Value = serde_json::from_slice(
        &std::fs::read(root.join("openllmetry-test_titan_invoke_model_guardrail-0.json")).unwrap(),
    )
    .unwrap();
    let body = base64::engine::general_purpose::STANDARD
        .decode(recording["response_body_base64"].as_str().unwrap())
        .unwrap();
    let news = guardrail::read(&body).unwrap();
    assert!(news.intervened());
    assert_eq!(
        news.policies,
        ["output: sensitive information pattern Account Number (ANONYMIZED)"]
    );
    assert!(
        !news.summary().contains("1234561666"),
        "the match is never repeated"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_blocks_and_traces_streamed_and_invoked() {
    let emulator = emulator().await;
    let client = client(&emulator);
    for stream in [true, false] {
        for (prompt, policy) in [
            (
                "Tell me the forbidden recipe",
                "input: denied word (BLOCKED)",
            ),
            (
                "Write to ana@example.org",
                "input: sensitive information EMAIL (BLOCKED)",
            ),
        ] {
            let intent = Intent {
                model: NOVA.into(),
                family: None,
                looked_up: None,
                content: Content::Conversation {
                    conversation: Conversation::single(prompt),
                    params: Parameters::default(),
                },
                options: guarded(),
                stream,
                text_only: false,
                prompt_cache: false,
                api: bedrock_tui::bedrock::Api::Invoke,
                region: None,
            };
            let outcome =
                exchange::call(&client, &exchange::prepare(&intent).unwrap(), |_| {}).await;
            assert!(outcome.error.is_none(), "{:?}", outcome.error);
            assert_eq!(
                outcome.text,
                "Sorry, the model cannot answer this question."
            );
            let news = outcome.figures.guardrail.unwrap();
            assert!(news.intervened());
            assert_eq!(news.policies, [policy], "stream {stream}");
        }
    }
    // A guardrail without a version is refused before anything is sent.
    let half = InvokeOptions {
        guardrail_identifier: Some("gr7demo".into()),
        ..InvokeOptions::default()
    };
    let body = br#"{"messages":[{"role":"user","content":[{"text":"hi"}]}]}"#.to_vec();
    let refused = client.invoke(NOVA, body.into(), &half).await.unwrap_err();
    assert!(refused.to_string().contains("version"), "{refused}");
}

#[test]
fn ask_reports_the_intervention_on_stderr_and_in_json() {
    let home = tempfile::tempdir().unwrap();
    let out = cli::run(cli::demo(home.path()).args([
        "ask",
        "-m",
        NOVA,
        "--guardrail-id",
        "gr7demo",
        "--guardrail-version",
        "1",
        "the forbidden thing",
    ]));
    assert!(out.status.success(), "{}", cli::text(&out.stderr));
    assert_eq!(
        cli::text(&out.stdout).trim(),
        "Sorry, the model cannot answer this question."
    );
    assert!(
        cli::text(&out.stderr)
            .contains("bedrock-tui: guardrail INTERVENED: input: denied word (BLOCKED)"),
        "{}",
        cli::text(&out.stderr)
    );
    // From config.toml's [request], in --json.
    std::fs::write(
        home.path().join("config.toml"),
        "[request]\nguardrail_id = \"gr7demo\"\nguardrail_version = \"DRAFT\"\n",
    )
    .unwrap();
    let out =
        cli::run(cli::demo(home.path()).args(["ask", "-m", NOVA, "--json", "mail me: x@y.io"]));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["guardrail"]["action"], "INTERVENED");
    assert_eq!(
        summary["guardrail"]["policies"][0],
        "input: sensitive information EMAIL (BLOCKED)"
    );
    // Passed prompts have no intervention.
    let out = cli::run(cli::demo(home.path()).args(["ask", "-m", NOVA, "--json", "hello"]));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(summary["guardrail"]["action"].is_null(), "{summary}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_shows_the_intervention_inline_with_the_guardrail_set_in_f2() {
    let mut h = Harness::start(Setup {
        model: NOVA.into(),
        ..Setup::default()
    })
    .await;
    // F2: the guardrail fields, after the seven parameters.
    h.press(KeyCode::F(2));
    h.settle().await;
    for _ in 0..7 {
        h.press(KeyCode::Tab);
    }
    h.type_text("gr7demo");
    h.press(KeyCode::Tab);
    h.type_text("DRAFT");
    h.press(KeyCode::Enter);
    h.settle().await;
    let options = &h.app.state.settings.request_options;
    assert_eq!(options.guardrail_identifier.as_deref(), Some("gr7demo"));
    assert_eq!(options.trace.as_deref(), Some("ENABLED"));
    h.send("Say something forbidden").await;
    h.finish_answer().await;
    assert_eq!(
        h.last_answer().text,
        "Sorry, the model cannot answer this question."
    );
    let screen = h.screen();
    assert!(
        screen.contains("guardrail INTERVENED: input: denied word (BLOCKED)"),
        "{screen}"
    );
}

#[test]
fn a_stream_a_guardrail_ends_after_one_chunk_is_a_whole_answer() {
    // As Bedrock blocks a Titan prompt: one chunk with the message and the verdict, no
    // completion reason, no metrics.
    let home = tempfile::tempdir().unwrap();
    for model in ["amazon.titan-text-express-v1", NOVA] {
        let out = cli::run(cli::demo(home.path()).args([
            "ask",
            "-m",
            model,
            "--guardrail-id",
            "gr7demo",
            "--guardrail-version",
            "1",
            "--json",
            "the forbidden thing",
        ]));
        assert!(out.status.success(), "{model}: {}", cli::text(&out.stderr));
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            summary["text"], "Sorry, the model cannot answer this question.",
            "{model}: {summary}"
        );
        assert_eq!(summary["guardrail"]["action"], "INTERVENED", "{model}");
        assert!(summary["error"].is_null(), "{model}: {summary}");
    }
}
