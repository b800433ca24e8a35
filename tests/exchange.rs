//! One exchange path for every screen and command: the chat, `ask`, the matrix and models side
//! by side send byte-identical bodies for the same request (as the emulator received them) and
//! report the same figures; answers are read in the format they came in (a Text Completions
//! body sent to Claude 2.1, an application inference profile found by a lookup or told by the
//! answer's shape); DeepSeek-R1 gives the same text and reasoning streamed and invoked.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use bedrock_tui::app::state::{AnswerStatus, Overlay};
use bedrock_tui::emulator::{Emulator, EmulatorConfig, ReceivedLog};
use common::cli::*;
use common::tui::{Harness, Setup};
use crossterm::event::{KeyCode, KeyModifiers};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const HAIKU: &str = "global.anthropic.claude-haiku-4-5-20251001-v1:0";
const CLAUDE_2_PROFILE: &str =
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/btclaude2app";
const TEXT_COMPLETIONS_BODY: &str =
    r#"{"prompt":"\n\nHuman: Tell me about lakes\n\nAssistant:","max_tokens_to_sample":200}"#;

/// Where an emulator is and what it accepts, apart from the emulator itself.
struct Target {
    endpoint: String,
    credentials: bedrock_tui::emulator::EmulatorCredentials,
    log: ReceivedLog,
}

impl Target {
    fn of(emulator: &Emulator) -> Target {
        Target {
            endpoint: emulator.endpoint(),
            credentials: emulator.config().credentials.clone(),
            log: emulator.received_log(),
        }
    }
}

fn aim(target: &Target, home: &Path) -> Command {
    aimed(&target.endpoint, &target.credentials, home)
}

fn json_line(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", text(&out.stdout), text(&out.stderr)))
}

/// The body of the last request the emulator received for a path ending in `suffix`.
fn last_body(log: &ReceivedLog, suffix: &str) -> bytes::Bytes {
    log.list()
        .into_iter()
        .rev()
        .find(|r| r.path.ends_with(suffix))
        .unwrap_or_else(|| panic!("no request to …{suffix}"))
        .body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_ask_the_matrix_and_side_by_side_send_the_same_body_and_count_the_same() {
    let home = tempfile::tempdir().unwrap();
    // The same parameters for everyone, from config.toml (the chat reads them at start).
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!("model = \"{HAIKU}\"\n[parameters]\nmax_tokens = 77\ntemperature = 0.25\n"),
    )
    .unwrap();
    let cli = {
        use clap::Parser;
        bedrock_tui::cli::Cli::parse_from(["bedrock-tui", "--config", config.to_str().unwrap()])
    };
    let startup = bedrock_tui::cli::chat::startup(&cli.chat, &cli.global);
    assert_eq!(startup.state.chat.model, HAIKU);
    assert_eq!(startup.state.chat.params.max_tokens, Some(77));

    let mut h = Harness::start(Setup {
        width: 150,
        height: 40,
        ..Setup::default()
    })
    .await;
    h.app.state.chat.params = startup.state.chat.params.clone();
    let prompt = "Same request everywhere [[emulator:tokens=9]]";
    let stream_path = "/invoke-with-response-stream";
    h.send(prompt).await;
    h.finish_answer().await;
    let chat = h.last_answer().clone();
    assert_eq!(chat.status, AnswerStatus::Complete);
    let target = Target::of(h.app.connection().unwrap().emulator.as_ref().unwrap());
    let chat_body = last_body(&target.log, stream_path);
    let sent: Value = serde_json::from_slice(&chat_body).unwrap();
    assert_eq!(sent["max_tokens"], 77, "{sent}");
    assert_eq!(sent["temperature"], 0.25, "{sent}");

    // `ask`, reading the same config file.
    let out = run(aim(&target, home.path()).args(["ask", "--json", prompt]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(last_body(&target.log, stream_path), chat_body, "ask's body");
    let asked = json_line(&out);
    assert_eq!(asked["text"], chat.text.as_str());
    assert_eq!(
        asked["usage"]["input_tokens"],
        chat.stats.input_tokens().unwrap()
    );
    assert_eq!(
        asked["usage"]["output_tokens"],
        chat.stats.output_tokens().unwrap()
    );
    assert_eq!(
        asked["stop_reason"],
        chat.stats.stop_reason.as_deref().unwrap()
    );
    assert_eq!(asked["cost_usd"].as_f64(), chat.cost());
    assert_eq!(asked["family"], "anthropic");

    // The matrix (F4) on a new conversation with the same prompt as the draft.
    h.ctrl('n');
    h.type_text(prompt);
    h.press(KeyCode::F(4));
    h.until("the matrix rows", |h| {
        matches!(&h.app.state.screen.overlay, Overlay::Matrix(v) if v.rows.iter().all(|(_, o)| o.is_some()))
    })
    .await;
    let Overlay::Matrix(view) = &h.app.state.screen.overlay else {
        unreachable!()
    };
    let row = view
        .rows
        .iter()
        .filter_map(|(_, o)| o.as_deref())
        .find(|o| {
            o.combination.stream
                && o.combination.accept == "application/json"
                && o.combination.content_type == "application/json"
        })
        .expect("the plain streamed row");
    assert_eq!(
        row.exchange.requests[0].body, chat_body,
        "the matrix's body"
    );
    assert_eq!(row.figures.output_tokens(), chat.stats.output_tokens());
    assert_eq!(row.figures.input_tokens(), chat.stats.input_tokens());
    assert_eq!(row.figures.stop_reason, chat.stats.stop_reason);
    h.press(KeyCode::Esc);
    h.settle().await;

    // Side by side (F5): the same model and another.
    h.press(KeyCode::F(5));
    h.settle().await;
    h.ctrl('u');
    h.type_text("nova micro");
    h.press(KeyCode::Tab);
    h.press(KeyCode::Enter);
    h.until("both panes", |h| match &h.app.state.screen.overlay {
        Overlay::Compare(view) => view.panes.iter().all(|p| !p.answer.in_flight()),
        _ => false,
    })
    .await;
    let Overlay::Compare(view) = &h.app.state.screen.overlay else {
        unreachable!()
    };
    let pane = view
        .panes
        .iter()
        .find(|p| p.model == HAIKU)
        .expect("a Haiku pane");
    let haiku_path = format!(
        "/model/{}{stream_path}",
        bedrock_tui::bedrock::request::encode_model_id(HAIKU)
    );
    let pane_body = target
        .log
        .list()
        .into_iter()
        .rev()
        .find(|r| r.path == haiku_path)
        .unwrap()
        .body;
    assert_eq!(pane_body, chat_body, "side by side's body");
    assert_eq!(pane.answer.text, chat.text);
    assert_eq!(
        pane.answer.stats.output_tokens(),
        chat.stats.output_tokens()
    );
    assert_eq!(pane.answer.stats.input_tokens(), chat.stats.input_tokens());
    assert_eq!(pane.answer.cost(), chat.cost());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_completions_body_to_claude_2_is_read_as_text_completions() {
    let home = tempfile::tempdir().unwrap();
    let body = home.path().join("body.json");
    std::fs::write(&body, TEXT_COMPLETIONS_BODY).unwrap();
    for mode in [None, Some("--no-stream")] {
        let mut cmd = demo(home.path());
        cmd.args(["ask", "-m", "anthropic.claude-v2:1", "--body"])
            .arg(&body);
        cmd.args(mode);
        let out = run(&mut cmd);
        assert!(out.status.success(), "{mode:?}: {}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(
            stdout.trim().len() > 20,
            "{mode:?}: an answer, not nothing: {stdout:?}"
        );
        assert!(!stdout.contains("\"completion\""), "not raw JSON: {stdout}");
        assert!(
            text(&out.stderr).contains("the body is in the anthropic-text format"),
            "{}",
            text(&out.stderr)
        );
    }
    // The same with `--family anthropic-text` and a conversation: the model's limits apply.
    let emulator = common::emulator().await;
    let out = run(against(&emulator, home.path()).args([
        "ask",
        "-m",
        "anthropic.claude-v2",
        "--family",
        "anthropic-text",
        "--max-tokens",
        "99999",
        "hi",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("max tokens lowered from 99999"),
        "{}",
        text(&out.stderr)
    );
    let sent: Value = serde_json::from_slice(&last_body(
        &emulator.received_log(),
        "/invoke-with-response-stream",
    ))
    .unwrap();
    assert_eq!(sent["max_tokens_to_sample"], 4096, "{sent}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_profile_is_looked_up_or_its_answer_tells_its_format() {
    let home = tempfile::tempdir().unwrap();
    // The built-in emulator has sample profiles; a prompt needs no --family.
    let out = run(demo(home.path()).args(["ask", "-m", CLAUDE_2_PROFILE, "Tell me about lakes"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("runs anthropic.claude-v2:1; using the anthropic format"),
        "{stderr}"
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.trim().len() > 20 && !stdout.contains("{\""),
        "{stdout}"
    );
    // A verbatim body to a profile whose lookup is denied: the answer's shape decides.
    let emulator = Emulator::start(EmulatorConfig {
        deny_lookups: true,
        ..EmulatorConfig::with_random_credentials("us-east-1")
    })
    .await
    .unwrap();
    let body = home.path().join("body.json");
    std::fs::write(&body, TEXT_COMPLETIONS_BODY).unwrap();
    let app_profile = CLAUDE_2_PROFILE;
    for mode in [None, Some("--no-stream")] {
        let mut cmd = against(&emulator, home.path());
        cmd.args(["ask", "-m", app_profile, "--body"])
            .arg(&body)
            .args(mode);
        let out = run(&mut cmd);
        assert!(out.status.success(), "{mode:?}: {}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(stderr.contains("AccessDeniedException"), "{stderr}");
        assert!(stderr.contains("anthropic-text"), "{stderr}");
        let stdout = text(&out.stdout);
        assert!(
            stdout.trim().len() > 20 && !stdout.contains("{\""),
            "{mode:?}: {stdout}"
        );
    }
    // A JSON body of a shape nothing tells, read by its answer's shape.
    let messages = home.path().join("messages.json");
    std::fs::write(
        &messages,
        r#"{"anthropic_version":"bedrock-2023-05-31","max_tokens":50,"messages":[{"role":"user","content":"hi"}]}"#,
    )
    .unwrap();
    let out = run(against(&emulator, home.path())
        .args(["ask", "--json", "-m", app_profile, "--body"])
        .arg(&messages));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(json_line(&out)["family"], "anthropic");
    // Without a body there is nothing to encode: a usage error that says why and what to do.
    let out = run(against(&emulator, home.path()).args(["ask", "-m", app_profile, "hi"]));
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("could not be looked up") && stderr.contains("--family"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deepseek_streamed_and_invoked_give_the_same_text_and_reasoning() {
    let home = tempfile::tempdir().unwrap();
    let emulator = common::emulator().await;
    // A whole answer, and one cut inside its reasoning (no `</think>` ever comes).
    for max_tokens in ["2000", "6"] {
        let ask = |mode: Option<&str>| {
            let mut cmd = against(&emulator, home.path());
            cmd.args([
                "ask",
                "--json",
                "-m",
                "us.deepseek.r1-v1:0",
                "--max-tokens",
                max_tokens,
            ])
            .args(mode)
            .arg("Why is the sky blue?");
            json_line(&run(&mut cmd))
        };
        let streamed = ask(None);
        let invoked = ask(Some("--no-stream"));
        assert_eq!(streamed["text"], invoked["text"], "max {max_tokens}");
        assert_eq!(
            streamed["reasoning"], invoked["reasoning"],
            "max {max_tokens}"
        );
        assert!(
            streamed["reasoning"]
                .as_str()
                .is_some_and(|r| !r.is_empty())
        );
        if max_tokens == "6" {
            assert_eq!(streamed["text"], "", "cut inside the reasoning");
            assert_eq!(streamed["stop_reason"], "length");
        } else {
            assert!(!streamed["text"].as_str().unwrap().is_empty());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_looks_an_application_profile_up_and_answers_through_it() {
    let mut h = Harness::start(Setup {
        model: CLAUDE_2_PROFILE.to_string(),
        ..Setup::default()
    })
    .await;
    h.until("the lookup", |h| {
        h.app
            .state
            .requests
            .looked_up
            .contains_key(CLAUDE_2_PROFILE)
    })
    .await;
    assert!(
        h.screen().contains("runs anthropic.claude-v2:1"),
        "{}",
        h.screen()
    );
    h.send("Tell me about lakes").await;
    h.finish_answer().await;
    assert_eq!(h.status_of_last(), AnswerStatus::Complete);
    assert!(!h.last_answer().text.is_empty());
    h.key(KeyCode::Char('c'), KeyModifiers::CONTROL);
}
