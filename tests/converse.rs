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

/// A prepared Converse request for `conversation`, with `options`.
fn converse_intent(
    model: &str,
    conversation: bedrock_tui::models::Conversation,
    stream: bool,
) -> bedrock_tui::exchange::Intent {
    bedrock_tui::exchange::Intent {
        api: bedrock_tui::bedrock::Api::Converse,
        ..conversation_intent(model, conversation, 300, stream)
    }
}

/// A conversation whose last answer called a tool, and its result.
fn with_a_tool_round() -> bedrock_tui::models::Conversation {
    use bedrock_tui::models::tool_use::{ToolCall, ToolResult, ToolSpec};
    use bedrock_tui::models::{Conversation, Role, Turn};
    let mut answer = Turn::new(Role::Assistant, "");
    answer.tool_calls.push(ToolCall {
        index: 0,
        id: "tooluse_1".into(),
        name: "weather".into(),
        input: r#"{"city":"Oslo"}"#.into(),
    });
    let mut results = Turn::new(Role::User, "");
    results.tool_results.push(ToolResult {
        id: "tooluse_1".into(),
        name: "weather".into(),
        input: String::new(),
        content: "sunny".into(),
        is_error: false,
    });
    Conversation {
        system: Some("Be brief.".into()),
        turns: vec![Turn::new(Role::User, "Weather in Oslo?"), answer, results],
        tools: vec![ToolSpec {
            name: "weather".into(),
            description: "The weather in a city".into(),
            input_schema: serde_json::json!({"type": "object",
                "properties": {"city": {"type": "string"}}}),
        }],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tool_round_goes_through_converse_and_is_counted_exactly() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let model = "global.anthropic.claude-haiku-4-5-20251001-v1:0";
    for stream in [false, true] {
        let prepared =
            bedrock_tui::exchange::prepare(&converse_intent(model, with_a_tool_round(), stream))
                .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&prepared.body).unwrap();
        assert_eq!(
            body["messages"][1]["content"][0]["toolUse"]["name"],
            "weather"
        );
        assert_eq!(
            body["messages"][2]["content"][0]["toolResult"]["toolUseId"],
            "tooluse_1"
        );
        let outcome = bedrock_tui::exchange::call(&client, &prepared, |_| {}).await;
        assert!(outcome.error.is_none(), "{:?}", outcome.error);
        assert!(!outcome.text.is_empty());
        // CountTokens' Converse input carries the tools a history of calls needs.
        let counted = bedrock_tui::exchange::count::input_tokens(&client, &prepared)
            .await
            .unwrap();
        assert!(counted.exact && counted.tokens > 5, "{counted:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn office_files_go_through_converse_and_are_refused_on_invoke_with_the_way_there() {
    use bedrock_tui::attachments::Attachment;
    use bedrock_tui::models::{Conversation, Role, Turn};
    let emulator = emulator().await;
    let client = client(&emulator);
    let docx = Attachment::from_bytes(
        "plan v2.docx",
        b"PK\x03\x04\x14\x00\x00\x00....[Content_Types].xml....word/document.xml....".to_vec(),
    )
    .unwrap();
    let mut prompt = Turn::new(Role::User, "Summarize the plan.");
    prompt.attachments.push(docx);
    let conversation = Conversation {
        system: None,
        turns: vec![prompt],
        tools: Vec::new(),
    };
    let model = "us.amazon.nova-lite-v1:0";
    let refused = bedrock_tui::exchange::prepare(&conversation_intent(
        model,
        conversation.clone(),
        300,
        true,
    ))
    .unwrap_err();
    assert!(refused.to_string().contains("--api converse"), "{refused}");
    let prepared =
        bedrock_tui::exchange::prepare(&converse_intent(model, conversation, true)).unwrap();
    let body: serde_json::Value = serde_json::from_slice(&prepared.body).unwrap();
    let document = &body["messages"][0]["content"][0]["document"];
    assert_eq!(document["format"], "docx");
    assert_eq!(document["name"], "plan v2 docx");
    let outcome = bedrock_tui::exchange::call(&client, &prepared, |_| {}).await;
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert!(
        outcome.text.starts_with("Received Word"),
        "{}",
        outcome.text
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guardrail_goes_in_the_converse_body_and_its_block_and_trace_are_read() {
    let emulator = emulator().await;
    let client = client(&emulator);
    for stream in [false, true] {
        let mut intent = converse_intent(
            HAIKU_3,
            bedrock_tui::models::Conversation::single("Tell me the FORBIDDEN thing"),
            stream,
        );
        intent.options.guardrail_identifier = Some("g1".into());
        intent.options.guardrail_version = Some("1".into());
        intent.options.trace = Some("ENABLED".into());
        let prepared = bedrock_tui::exchange::prepare(&intent).unwrap();
        let body: serde_json::Value = serde_json::from_slice(&prepared.body).unwrap();
        assert_eq!(
            body["guardrailConfig"],
            serde_json::json!({"guardrailIdentifier": "g1", "guardrailVersion": "1",
                "trace": "enabled"})
        );
        let outcome = bedrock_tui::exchange::call(&client, &prepared, |_| {}).await;
        assert!(outcome.error.is_none(), "{:?}", outcome.error);
        assert_eq!(
            outcome.figures.stop_reason.as_deref(),
            Some("guardrail_intervened")
        );
        let guardrail = outcome.figures.guardrail.expect("the guardrail's word");
        assert!(guardrail.intervened(), "{guardrail:?}");
        assert!(
            guardrail.summary().contains("input: denied word (BLOCKED)"),
            "{}",
            guardrail.summary()
        );
    }
    // A trace left unset stays off, as InvokeModel's header does.
    let mut intent = converse_intent(
        HAIKU_3,
        bedrock_tui::models::Conversation::single("hi"),
        true,
    );
    intent.options.guardrail_identifier = Some("g1".into());
    intent.options.guardrail_version = Some("1".into());
    let body: serde_json::Value =
        serde_json::from_slice(&bedrock_tui::exchange::prepare(&intent).unwrap().body).unwrap();
    assert!(body["guardrailConfig"].get("trace").is_none(), "{body}");
}
