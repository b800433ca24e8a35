//! Converse and ConverseStream as a user reaches them: `ask --api converse` (streamed and not,
//! `--json`, `--events`, a verbatim `--body`), `api = "converse"` in config.toml, and a model
//! whose native body bedrock-tui does not know, reached through Converse with a note instead
//! of a refusal. The real binary against the emulator on loopback.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use common::cli::*;
use common::*;

const QWEN: &str = "qwen.qwen3-32b-v1:0";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converse_streams_and_answers_the_text_invoke_gives() {
    let home = tempfile::tempdir().unwrap();
    let emulator = emulator().await;
    let ask = |extra: &[&str]| {
        let mut cmd = against(&emulator, home.path());
        cmd.args(["ask", "--model", HAIKU_3]).args(extra);
        cmd.arg("Tell me about Converse");
        run(&mut cmd)
    };
    let native = ask(&[]);
    assert!(native.status.success(), "{}", text(&native.stderr));
    for extra in [
        &["--api", "converse"][..],
        &["--api", "converse", "--no-stream"],
    ] {
        let out = ask(extra);
        assert!(out.status.success(), "{extra:?}: {}", text(&out.stderr));
        assert!(out.stderr.is_empty(), "{extra:?}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), text(&native.stdout), "{extra:?}");
    }
    // The emulator saw the Converse routes.
    let paths: Vec<String> = emulator.received().iter().map(|r| r.path.clone()).collect();
    assert!(
        paths.iter().any(|p| p.ends_with("/converse-stream")),
        "{paths:?}"
    );
    assert!(paths.iter().any(|p| p.ends_with("/converse")), "{paths:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn converse_reports_figures_and_events_like_invoke() {
    let home = tempfile::tempdir().unwrap();
    let emulator = emulator().await;
    let out = run(against(&emulator, home.path()).args([
        "ask",
        "--api",
        "converse",
        "--json",
        "--model",
        HAIKU_3,
        "--max-tokens",
        "7",
        "hello",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["stop_reason"], "max_tokens");
    assert_eq!(summary["usage"]["output_tokens"], 7);
    assert!(!summary["text"].as_str().unwrap().is_empty());

    let out = run(against(&emulator, home.path()).args([
        "ask", "--api", "converse", "--events", "--model", HAIKU_3, "hello",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let events = text(&out.stdout);
    for kind in [
        "messageStart",
        "contentBlockDelta",
        "messageStop",
        "metadata",
    ] {
        assert!(events.contains(kind), "{kind} in {events}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_converse_body_is_sent_verbatim() {
    let home = tempfile::tempdir().unwrap();
    let emulator = emulator().await;
    let body = home.path().join("body.json");
    std::fs::write(
        &body,
        r#"{"messages":[{"role":"user","content":[{"text":"Count from 1 to 3"}]}],"inferenceConfig":{"maxTokens":5}}"#,
    )
    .unwrap();
    for stream in [&[][..], &["--no-stream"]] {
        let out = run(against(&emulator, home.path())
            .args([
                "ask",
                "--api",
                "converse",
                "--model",
                "us.amazon.nova-lite-v1:0",
            ])
            .args(stream)
            .arg("--body")
            .arg(&body));
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(!out.stdout.is_empty());
    }
    // A body Converse refuses gets Bedrock's words, and exit 1.
    std::fs::write(
        &body,
        r#"{"messages":[{"role":"assistant","content":[{"text":"hi"}]}]}"#,
    )
    .unwrap();
    let out = run(against(&emulator, home.path())
        .args([
            "ask",
            "--api",
            "converse",
            "--model",
            "us.amazon.nova-lite-v1:0",
            "--body",
        ])
        .arg(&body));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("must start with a user message"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_of_a_provider_without_an_adapter_answers_through_converse() {
    let home = tempfile::tempdir().unwrap();
    let emulator = emulator().await;
    for stream in [&[][..], &["--no-stream"]] {
        let out = run(against(&emulator, home.path())
            .args(["ask", "--model", QWEN])
            .args(stream)
            .arg("What is Qwen?"));
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).len() > 50);
        let said = text(&out.stderr);
        assert!(said.contains("sent through Converse"), "{said}");
        assert!(!said.contains("--family"), "{said}");
    }
    // The emulator serves it through Converse only, as its body is not documented.
    let out =
        run(against(&emulator, home.path())
            .args(["ask", "--model", QWEN, "--family", "openai", "hi"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("through Converse only"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_config_and_a_role_choose_the_api() {
    let home = tempfile::tempdir().unwrap();
    let emulator = emulator().await;
    std::fs::write(home.path().join("config.toml"), "api = \"converse\"\n").unwrap();
    let out = run(against(&emulator, home.path()).args(["ask", "--model", HAIKU_3, "hi"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let last = emulator.received().last().unwrap().path.clone();
    assert!(last.ends_with("/converse-stream"), "{last}");
    // The command line wins.
    let out =
        run(against(&emulator, home.path())
            .args(["ask", "--api", "invoke", "--model", HAIKU_3, "hi"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let last = emulator.received().last().unwrap().path.clone();
    assert!(last.ends_with("/invoke-with-response-stream"), "{last}");
    // A name that is no API is said, naming the setting, and left out (as every bad setting).
    std::fs::write(home.path().join("config.toml"), "api = \"chat\"\n").unwrap();
    let out = run(against(&emulator, home.path()).args(["ask", "--model", HAIKU_3, "hi"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("api must be \"invoke\" or \"converse\""),
        "{}",
        text(&out.stderr)
    );
    let last = emulator.received().last().unwrap().path.clone();
    assert!(last.ends_with("/invoke-with-response-stream"), "{last}");
    // A role's `api` is read and checked like the config's.
    let roles = home.path().join("roles");
    std::fs::create_dir_all(&roles).unwrap();
    std::fs::write(
        roles.join("brief.toml"),
        "prompt = \"Be brief.\"\napi = \"converse\"\n",
    )
    .unwrap();
    let role = bedrock_tui::config::roles::find(Some(&roles), "brief").unwrap();
    assert_eq!(role.api, Some(bedrock_tui::bedrock::Api::Converse));
    std::fs::write(roles.join("odd.toml"), "prompt = \"x\"\napi = \"rest\"\n").unwrap();
    let odd = bedrock_tui::config::roles::find(Some(&roles), "odd").unwrap_err();
    assert!(odd.contains("api must be"), "{odd}");
}
