//! Tools: golden bodies per family for tool definitions, calls and results (and the text a
//! family without tools gets instead); the recorded Claude and Nova tool requests rebuilt
//! exactly; round trips through the emulator per family, streamed and invoked (the call, its
//! result sent back, the answer that quotes it); the emulator's checks of calls and results in
//! each service's words; and `ask --tools` through the real binary.
//!
//! `BLESS=1 cargo test --test tools` rewrites the golden files after a deliberate change.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use bedrock_tui::exchange::{self, Content, Intent, Outcome};
use bedrock_tui::models::tool_use::{ToolCall, ToolResult, ToolSpec, name_calls};
use bedrock_tui::models::{Conversation, FamilyId, Role, Turn};
use common::cli::*;
use common::*;
use serde_json::{Value, json};
use std::path::PathBuf;

/// One model per family that takes tools.
const TOOL_MODELS: &[(FamilyId, &str)] = &[
    (
        FamilyId::Anthropic,
        "us.anthropic.claude-3-5-haiku-20241022-v1:0",
    ),
    (FamilyId::Nova, "amazon.nova-lite-v1:0"),
    (FamilyId::OpenAi, "openai.gpt-oss-20b-1:0"),
    (FamilyId::MistralChat, "mistral.mistral-large-2407-v1:0"),
    (FamilyId::CohereR, "cohere.command-r-v1:0"),
    (FamilyId::Llama3, "us.meta.llama3-3-70b-instruct-v1:0"),
];

fn weather_tool() -> ToolSpec {
    ToolSpec {
        name: "get_weather".into(),
        description: "The weather now in a city.".into(),
        input_schema: json!({
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "The city"},
                "days": {"type": "integer", "description": "Days ahead"}
            },
            "required": ["city"]
        }),
    }
}

fn call(id: &str, city: &str) -> ToolCall {
    ToolCall {
        index: 0,
        id: id.into(),
        name: "get_weather".into(),
        input: json!({"city": city}).to_string(),
    }
}

fn result(id: &str, content: &str, is_error: bool) -> ToolResult {
    ToolResult {
        id: id.into(),
        name: "get_weather".into(),
        input: json!({"city": "Paris"}).to_string(),
        content: content.into(),
        is_error,
    }
}

/// A conversation with a round of two calls (one result an error), an answer, and a new prompt.
fn conversation(ids: [&str; 2]) -> Conversation {
    let mut asked = Turn::new(Role::Assistant, "I'll look both up.");
    asked.tool_calls = vec![call(ids[0], "Paris"), call(ids[1], "Oslo")];
    let mut given = Turn::new(Role::User, "");
    given.tool_results = vec![
        result(ids[0], r#"{"temperature":18,"sky":"clear"}"#, false),
        result(ids[1], "the weather service timed out", true),
    ];
    Conversation {
        system: Some("Be brief.".into()),
        turns: vec![
            Turn::new(Role::User, "Weather in Paris and Oslo?"),
            asked,
            given,
            Turn::new(
                Role::Assistant,
                "Paris is clear at 18 °C; Oslo did not answer.",
            ),
            Turn::new(Role::User, "And tomorrow?"),
        ],
        tools: vec![weather_tool()],
    }
}

fn intent(model: &str, conversation: Conversation, stream: bool) -> Intent {
    common::conversation_intent(model, conversation, 300, stream)
}

fn body_of(model: &str, conversation: Conversation) -> (Value, Vec<String>) {
    let prepared = exchange::prepare(&intent(model, conversation, false)).unwrap();
    (
        serde_json::from_slice(&prepared.body).unwrap(),
        bedrock_tui::models::note::texts(&prepared.notes),
    )
}

#[test]
fn bodies_match_the_golden_files() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/tools");
    let mut failures = Vec::new();
    let models = TOOL_MODELS
        .iter()
        .copied()
        .chain([(FamilyId::TitanText, "amazon.titan-text-express-v1")]);
    for (family, model) in models {
        // Mistral takes ids of nine letters and digits; the others any.
        let ids = if family == FamilyId::MistralChat {
            ["a1b2c3d4e", "f5g6h7i8j"]
        } else {
            ["call_paris", "call_oslo"]
        };
        let (body, notes) = body_of(model, conversation(ids));
        if family == FamilyId::TitanText {
            assert!(
                notes.iter().any(|n| n.contains("takes no tools")),
                "{notes:?}"
            );
        }
        if let Err(e) = golden(&dir.join(format!("{}.json", family.name())), &body) {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The recorded Claude request (ruby_llm, a multi-turn tool conversation) is what our types
/// give for the same conversation: the same tools, `tool_use` and `tool_result` blocks.
#[test]
fn the_recorded_claude_tool_request_is_rebuilt_exactly() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(
        "tests/fixtures/bedrock-recordings/anthropic/ruby_llm-chat_function_calling_bedrock_claude-3-5-haiku_can_use_tools_in_multi-turn_conversations-2.json",
    );
    let recorded: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let request = &recorded["request_body"];
    let tool = &request["tools"][0];
    let used = &request["messages"][1]["content"][1];
    let answered = &request["messages"][2]["content"][0];
    let mut asked = Turn::new(
        Role::Assistant,
        request["messages"][1]["content"][0]["text"]
            .as_str()
            .unwrap(),
    );
    asked.tool_calls = vec![ToolCall {
        index: 1,
        id: used["id"].as_str().unwrap().into(),
        name: used["name"].as_str().unwrap().into(),
        input: used["input"].to_string(),
    }];
    let mut given = Turn::new(Role::User, "");
    given.tool_results = vec![ToolResult {
        id: answered["tool_use_id"].as_str().unwrap().into(),
        name: "weather".into(),
        input: String::new(),
        content: answered["content"][0]["text"].as_str().unwrap().into(),
        is_error: false,
    }];
    let text = |i: usize| {
        request["messages"][i]["content"][0]["text"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let conversation = Conversation {
        system: None,
        turns: vec![
            Turn::new(Role::User, text(0)),
            asked,
            given,
            Turn::new(Role::Assistant, text(3)),
            Turn::new(Role::User, text(4)),
        ],
        tools: vec![ToolSpec {
            name: tool["name"].as_str().unwrap().into(),
            description: tool["description"].as_str().unwrap().into(),
            input_schema: tool["input_schema"].clone(),
        }],
    };
    let mut asked = intent(recorded["model_id"].as_str().unwrap(), conversation, false);
    if let Content::Conversation { params, .. } = &mut asked.content {
        params.max_tokens = Some(8192);
    }
    let prepared = exchange::prepare(&asked).unwrap();
    let body: Value = serde_json::from_slice(&prepared.body).unwrap();
    assert_eq!(body["messages"], request["messages"]);
    assert_eq!(body["tools"], request["tools"]);
}

/// The recorded Nova request with two `toolResult` blocks of JSON content (opentelemetry).
#[test]
fn the_recorded_nova_tool_results_are_rebuilt_exactly() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(
        "tests/fixtures/bedrock-recordings/nova/opentelemetry-python-contrib-test_invoke_model_with_response_stream_with_content_tool_call-amazon.nova-1.json",
    );
    let recorded: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let request = &recorded["request_body"];
    let messages = request["messages"].as_array().unwrap();
    let mut asked = Turn::new(
        Role::Assistant,
        messages[1]["content"][0]["text"].as_str().unwrap(),
    );
    for block in messages[1]["content"].as_array().unwrap().iter().skip(1) {
        let used = &block["toolUse"];
        asked.tool_calls.push(ToolCall {
            index: 0,
            id: used["toolUseId"].as_str().unwrap().into(),
            name: used["name"].as_str().unwrap().into(),
            input: used["input"].to_string(),
        });
    }
    let mut given = Turn::new(Role::User, "");
    for block in messages[2]["content"].as_array().unwrap() {
        let result = &block["toolResult"];
        given.tool_results.push(ToolResult {
            id: result["toolUseId"].as_str().unwrap().into(),
            name: "get_current_weather".into(),
            input: String::new(),
            content: result["content"][0]["json"].to_string(),
            is_error: false,
        });
    }
    let spec = &request["toolConfig"]["tools"][0]["toolSpec"];
    let conversation = Conversation {
        system: None,
        turns: vec![
            Turn::new(
                Role::User,
                messages[0]["content"][0]["text"].as_str().unwrap(),
            ),
            asked,
            given,
        ],
        tools: vec![ToolSpec {
            name: spec["name"].as_str().unwrap().into(),
            description: spec["description"].as_str().unwrap().into(),
            input_schema: spec["inputSchema"]["json"].clone(),
        }],
    };
    let (body, _) = body_of("amazon.nova-lite-v1:0", conversation);
    assert_eq!(body["messages"], request["messages"]);
    assert_eq!(body["toolConfig"], request["toolConfig"]);
}

async fn answer(client: &bedrock_tui::bedrock::Client, intent: &Intent) -> Outcome {
    let prepared = exchange::prepare(intent).unwrap();
    let outcome = exchange::call(client, &prepared, |_| {}).await;
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    outcome
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tool_family_round_trips_through_the_emulator_streamed_and_invoked() {
    let emulator = emulator().await;
    let client = client(&emulator);
    for (family, model) in TOOL_MODELS {
        for stream in [true, false] {
            let what = format!("{family} stream={stream}");
            let mut conversation =
                Conversation::single("What is the weather? Use get_weather for Lisbon.");
            conversation.tools = vec![weather_tool()];
            let mut asked = intent(model, conversation, stream);
            let first = answer(&client, &asked).await;
            assert_eq!(first.figures.tool_calls.len(), 1, "{what}");
            let mut calls = first.figures.tool_calls.clone();
            name_calls(&mut calls);
            let called = &calls[0];
            assert_eq!(called.name, "get_weather", "{what}");
            assert_eq!(
                serde_json::from_str::<Value>(&called.input).unwrap(),
                json!({"city": "Lisbon"}),
                "{what}: the arguments, put together from their pieces"
            );
            assert!(!called.id.is_empty(), "{what}");
            if !matches!(family, FamilyId::CohereR | FamilyId::Llama3) {
                assert!(
                    first
                        .figures
                        .stop_reason
                        .as_deref()
                        .is_some_and(|r| r.starts_with("tool")),
                    "{what}: {:?}",
                    first.figures.stop_reason
                );
            }
            let results = vec![ToolResult {
                id: called.id.clone(),
                name: called.name.clone(),
                input: called.input.clone(),
                content: "Sunny, 24 degrees".into(),
                is_error: false,
            }];
            if let Content::Conversation { conversation, .. } = &mut asked.content {
                bedrock_tui::tools::append_round(
                    conversation,
                    bedrock_tui::tools::Answered::of(&first),
                    calls,
                    results,
                );
            }
            let second = answer(&client, &asked).await;
            assert!(second.figures.tool_calls.is_empty(), "{what}");
            assert!(
                second
                    .text
                    .starts_with("Tool get_weather returned: «Sunny, 24 degrees»."),
                "{what}: {}",
                second.text
            );
        }
    }
}

/// Sends a verbatim body to the emulator and returns the error message it answers with.
async fn refused(model: &str, body: Value) -> String {
    let emulator = emulator().await;
    let client = client(&emulator);
    let prepared = exchange::prepare(&Intent {
        content: Content::Verbatim(body.to_string().into()),
        ..intent(model, Conversation::single("x"), false)
    })
    .unwrap();
    let outcome = exchange::call(&client, &prepared, |_| {}).await;
    let error = outcome.error.expect("the emulator refuses");
    assert_eq!(error.name(), "ValidationException", "{error}");
    error.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_pairs_calls_and_results_in_each_services_words() {
    let claude = |results: Value, tools: bool| {
        let mut body = json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100,
            "messages": [
                {"role": "user", "content": "weather?"},
                {"role": "assistant", "content": [
                    {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Oslo"}},
                    {"type": "tool_use", "id": "toolu_2", "name": "get_weather", "input": {"city": "Rome"}}]},
                {"role": "user", "content": results}]});
        if tools {
            body["tools"] = json!([{"name": "get_weather", "input_schema": {"type": "object"}}]);
        }
        body
    };
    let one = json!([{"type": "tool_result", "tool_use_id": "toolu_1", "content": "rain"}]);
    let message = refused(HAIKU_3, claude(one.clone(), true)).await;
    assert!(
        message.contains("messages.2: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_2"),
        "{message}"
    );
    let stray = json!([{"type": "tool_result", "tool_use_id": "toolu_1", "content": "rain"},
        {"type": "tool_result", "tool_use_id": "toolu_2", "content": "sun"},
        {"type": "tool_result", "tool_use_id": "toolu_9", "content": "?"}]);
    let message = refused(HAIKU_3, claude(stray, true)).await;
    assert!(
        message.contains(
            "messages.2.content.2: unexpected `tool_use_id` found in `tool_result` blocks: toolu_9"
        ),
        "{message}"
    );
    let message = refused(HAIKU_3, claude(one, false)).await;
    assert!(message.contains("must define tools"), "{message}");

    let nova = json!({"messages": [
        {"role": "user", "content": [{"text": "weather?"}]},
        {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "get_weather", "input": {}}}]},
        {"role": "user", "content": [{"text": "never mind"}]}],
        "toolConfig": {"tools": [{"toolSpec": {"name": "get_weather", "inputSchema": {"json": {"type": "object"}}}}]}});
    let message = refused("amazon.nova-lite-v1:0", nova).await;
    assert!(
        message
            .contains("Expected toolResult blocks at messages.2.content for the following Ids: t1"),
        "{message}"
    );

    let openai = json!({"messages": [
        {"role": "user", "content": "weather?"},
        {"role": "tool", "tool_call_id": "call_1", "content": "rain"}],
        "tools": [{"type": "function", "function": {"name": "get_weather"}}]});
    let message = refused("openai.gpt-oss-20b-1:0", openai).await;
    assert!(
        message.contains(
            "messages with role 'tool' must be a response to a preceeding message with 'tool_calls'"
        ),
        "{message}"
    );

    let mistral = json!({"messages": [
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": "", "tool_calls": [{"id": "call_1", "type": "function",
            "function": {"name": "get_weather", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "rain"}],
        "tools": [{"type": "function", "function": {"name": "get_weather"}}]});
    let message = refused("mistral.mistral-large-2407-v1:0", mistral).await;
    assert!(
        message.contains("Tool call id was call_1 but must be a-z, A-Z, 0-9, with a length of 9."),
        "{message}"
    );
}

/// A config that turns on `read_file` and `list_directory`, with `read_file` allowed.
fn tool_config(home: &std::path::Path, extra: &str) {
    std::fs::write(
        home.join("config.toml"),
        format!("[tools]\nbuiltin = [\"read_file\", \"list_directory\"]\nallow = [\"read_file\"]\n{extra}"),
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_runs_the_allowed_tools_and_refuses_the_rest() {
    let home = tempfile::tempdir().unwrap();
    let emulator = emulator().await;
    let notes = home.path().join("notes.txt");
    std::fs::write(&notes, "launch on friday").unwrap();
    tool_config(home.path(), "");
    let prompt = format!("Use read_file on {}", notes.display());
    let out = run(against(&emulator, home.path())
        .args(["ask", "--tools", "--json", "--model", HAIKU_3, &prompt]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["requests"], 2);
    let runs = summary["tool_runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["name"], "read_file");
    assert_eq!(runs[0]["ran"], true);
    assert_eq!(runs[0]["result"], "launch on friday");
    assert!(
        summary["text"]
            .as_str()
            .unwrap()
            .contains("Tool read_file returned: «launch on friday»."),
        "{summary}"
    );
    assert!(
        text(&out.stderr).contains("⚙ read_file {\"path\":"),
        "{}",
        text(&out.stderr)
    );

    // list_directory is offered but not allowed: refused, and the model is told why.
    let out = run(against(&emulator, home.path()).args([
        "ask",
        "--tools",
        "--model",
        HAIKU_3,
        "Use list_directory on /",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("⚙ list_directory {\"path\":\"/\"} · not run: bedrock-tui ask runs only the tools allowed"),
        "{stderr}"
    );
    assert!(
        text(&out.stdout).contains("Tool list_directory failed: «not run"),
        "{}",
        text(&out.stdout)
    );

    // --allow-tool runs it; the shell too, which config.toml can never allow.
    let out = run(against(&emulator, home.path()).args([
        "ask",
        "--allow-tool",
        "run_shell",
        "--model",
        "amazon.nova-lite-v1:0",
        "Use run_shell for pwd",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Tool run_shell returned: «exit code 0 --- stdout --- "),
        "{}",
        text(&out.stdout)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_stops_at_the_limit_and_refuses_what_it_cannot_do() {
    let home = tempfile::tempdir().unwrap();
    let emulator = emulator().await;
    tool_config(home.path(), "max_calls_per_turn = 1\n");
    let out = run(against(&emulator, home.path()).args([
        "ask",
        "--tools",
        "--model",
        HAIKU_3,
        "Use read_file on a and list_directory on b",
    ]));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("past the limit of 1 for one prompt (tools.max_calls_per_turn)"),
        "{}",
        text(&out.stderr)
    );
    let out = run(against(&emulator, home.path()).args([
        "ask",
        "--allow-tool",
        "format_disk",
        "--model",
        HAIKU_3,
        "hi",
    ]));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--allow-tool no built-in tool \"format_disk\""));
    std::fs::write(home.path().join("config.toml"), "").unwrap();
    let out =
        run(against(&emulator, home.path()).args(["ask", "--tools", "--model", HAIKU_3, "hi"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no tools are turned on"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(
        home.path().join("config.toml"),
        "[tools]\nallow = [\"run_shell\"]\n",
    )
    .unwrap();
    let out =
        run(against(&emulator, home.path()).args(["ask", "--tools", "--model", HAIKU_3, "hi"]));
    assert!(
        text(&out.stderr).contains("run_shell always asks before it runs"),
        "{}",
        text(&out.stderr)
    );
}

/// With extended thinking on, a tool turn goes back beginning with its signed thinking block,
/// as Anthropic requires; without it the emulator refuses in Anthropic's words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claude_thinking_goes_back_signed_with_its_tool_calls() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    for stream in [true, false] {
        let mut conversation = Conversation::single("Use get_weather for Oslo.");
        conversation.tools = vec![weather_tool()];
        let mut asked = intent(model, conversation, stream);
        if let Content::Conversation { params, .. } = &mut asked.content {
            params.max_tokens = Some(4000);
            params.reasoning_budget = Some(1024);
        }
        let first = answer(&client, &asked).await;
        assert!(!first.reasoning.is_empty(), "stream={stream}");
        assert!(
            !first.figures.signed.signature.is_empty(),
            "stream={stream}: the signature is kept"
        );
        let mut calls = first.figures.tool_calls.clone();
        name_calls(&mut calls);
        let results = vec![ToolResult {
            id: calls[0].id.clone(),
            name: calls[0].name.clone(),
            input: calls[0].input.clone(),
            content: "Snow".into(),
            is_error: false,
        }];
        let mut unsigned = asked.clone();
        if let Content::Conversation { conversation, .. } = &mut asked.content {
            bedrock_tui::tools::append_round(
                conversation,
                bedrock_tui::tools::Answered::of(&first),
                calls.clone(),
                results.clone(),
            );
        }
        let prepared = exchange::prepare(&asked).unwrap();
        let body: Value = serde_json::from_slice(&prepared.body).unwrap();
        let answer_blocks = &body["messages"][1]["content"];
        assert_eq!(answer_blocks[0]["type"], "thinking", "{body}");
        assert_eq!(
            answer_blocks[0]["signature"].as_str(),
            Some(first.figures.signed.signature.as_str())
        );
        assert_eq!(
            answer_blocks[0]["thinking"].as_str(),
            Some(first.reasoning.as_str())
        );
        let second = answer(&client, &asked).await;
        assert!(
            second.text.contains("Tool get_weather returned: «Snow»."),
            "{}",
            second.text
        );

        // The same turn without its thinking block is refused.
        if let Content::Conversation { conversation, .. } = &mut unsigned.content {
            bedrock_tui::tools::append_round(
                conversation,
                bedrock_tui::tools::Answered {
                    text: first.text.clone(),
                    ..Default::default()
                },
                calls,
                results,
            );
        }
        let prepared = exchange::prepare(&unsigned).unwrap();
        let outcome = exchange::call(&client, &prepared, |_| {}).await;
        let error = outcome.error.expect("refused").to_string();
        assert!(
            error.contains("messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `text`"),
            "{error}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_session_keeps_the_tool_turn_and_the_next_turn_sends_it() {
    let home = tempfile::tempdir().unwrap();
    let emulator = emulator().await;
    let notes = home.path().join("notes.txt");
    std::fs::write(&notes, "launch on friday").unwrap();
    let prompt = format!("Use read_file on {}", notes.display());
    let out = run(against(&emulator, home.path()).args([
        "ask",
        "--session",
        "new",
        "--allow-tool",
        "read_file",
        "--model",
        HAIKU_3,
        &prompt,
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sessions = home.path().join("data/sessions");
    let file = std::fs::read_dir(&sessions)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .unwrap();
    let loaded = bedrock_tui::transcript::store::load(&file)
        .unwrap()
        .transcript;
    assert_eq!(loaded.entries.len(), 4, "{:?}", loaded.entries);
    let calls = &loaded.entries[1].end.as_ref().unwrap().tool_calls;
    assert_eq!(calls[0].name, "read_file");
    let given = &loaded.entries[2].tool_results[0];
    assert_eq!(given.result.id, calls[0].id);
    assert_eq!(given.result.content, "launch on friday");
    assert!(given.ran);
    assert!(
        loaded.entries[3]
            .text
            .starts_with("Tool read_file returned")
    );
    // The next turn sends the calls and their results again (the emulator checks they pair).
    let out = run(against(&emulator, home.path()).args([
        "ask",
        "--session",
        "last",
        "--tools",
        "--allow-tool",
        "read_file",
        "And when is the launch?",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let loaded = bedrock_tui::transcript::store::load(&file)
        .unwrap()
        .transcript;
    assert_eq!(loaded.entries.len(), 6);
}

/// Llama 3.0 came before Meta's tool format: it is offered no tools, and earlier calls and
/// results go to it as text.
#[test]
fn llama_3_0_is_offered_no_tools() {
    let (body, notes) = body_of("meta.llama3-8b-instruct-v1:0", conversation(["a", "b"]));
    assert!(
        notes
            .iter()
            .any(|n| n.contains("takes no tools; none are offered")),
        "{notes:?}"
    );
    let prompt = body["prompt"].as_str().unwrap();
    assert!(!prompt.contains("Environment: ipython"), "{prompt}");
    assert!(
        prompt.contains("[called tool get_weather with {\"city\":\"Paris\"}]"),
        "{prompt}"
    );
}

/// A conversation with earlier calls and results but no tools offered now (resumed without
/// them): a body with calls must define tools, so they go as text, with a note.
#[test]
fn earlier_calls_go_as_text_when_no_tools_are_offered() {
    let mut without = conversation(["call_paris", "call_oslo"]);
    without.tools.clear();
    let (body, notes) = body_of("us.anthropic.claude-3-5-haiku-20241022-v1:0", without);
    assert!(
        notes
            .iter()
            .any(|n| n == "no tools are offered: earlier tool calls and results go as text"),
        "{notes:?}"
    );
    assert!(body.get("tools").is_none());
    let text = body["messages"].to_string();
    assert!(!text.contains("tool_use"), "{text}");
    assert!(
        text.contains("[called tool get_weather with {\\\"city\\\":\\\"Paris\\\"}]"),
        "{text}"
    );
}

/// `ask` asking the emulator's model to call `tool` with `arguments`, saved in a session.
fn ask_to_call(
    emulator: &bedrock_tui::emulator::Emulator,
    home: &std::path::Path,
    extra: &[&str],
    tool: &str,
    arguments: &Value,
) -> (Value, String) {
    let prompt = format!("go [[emulator:tool={tool} {arguments}]]");
    let mut command = against(emulator, home);
    command.args([
        "ask",
        "--tools",
        "--json",
        "--session",
        "new",
        "--model",
        HAIKU_3,
    ]);
    command.args(extra);
    let out = run(command.arg(&prompt));
    assert!(out.status.success(), "{}", text(&out.stderr));
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        text(&out.stderr),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_never_hand_the_accounts_secrets_to_the_model() {
    let home = tempfile::tempdir().unwrap();
    let emulator = emulator().await;
    tool_config(home.path(), "");
    let secret = emulator.config().credentials.secret_access_key.clone();
    let token = emulator.config().credentials.session_token.clone().unwrap();
    // The README's own config: read_file allowed. Its own environment, through a link too,
    // another process's environment, and the AWS credentials file are refused.
    let link = home.path().join("innocent.txt");
    std::os::unix::fs::symlink("/proc/self/environ", &link).unwrap();
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    std::fs::write(
        aws.join("credentials"),
        format!("[default]\naws_secret_access_key = {secret}\n"),
    )
    .unwrap();
    for path in [
        "/proc/self/environ".to_string(),
        link.display().to_string(),
        "/proc/thread-self/environ".to_string(),
        format!("/proc/{}/environ", std::process::id()),
        aws.join("credentials").display().to_string(),
    ] {
        let (summary, stderr) = ask_to_call(
            &emulator,
            home.path(),
            &[],
            "read_file",
            &json!({ "path": path }),
        );
        let result = summary["tool_runs"][0]["result"].as_str().unwrap();
        assert!(
            summary["tool_runs"][0]["is_error"] == true,
            "{path}: {result}"
        );
        assert!(
            result.contains("the built-in tools never read it"),
            "{path}: {result}"
        );
        for shown in [summary.to_string(), stderr] {
            assert!(
                !shown.contains(&secret) && !shown.contains(&token),
                "{path}"
            );
        }
    }
    // The shell is asked, and runs: what it reads of the parent's environment is scrubbed.
    let (summary, _) = ask_to_call(
        &emulator,
        home.path(),
        &["--allow-tool", "run_shell"],
        "run_shell",
        &json!({ "command": "tr '\\0' '\\n' < /proc/$PPID/environ; echo AWS_SECRET_ACCESS_KEY = $AWS_SECRET_ACCESS_KEY" }),
    );
    let result = summary["tool_runs"][0]["result"].as_str().unwrap();
    assert!(
        result.contains("AWS_SECRET_ACCESS_KEY=[redacted]"),
        "{result}"
    );
    assert!(!result.contains(&secret) && !result.contains(&token));
    let saved = saved_text(home.path());
    assert!(saved.contains("[redacted]"), "the session holds the run");
    assert!(!saved.contains(&secret) && !saved.contains(&token));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_reports_a_call_on_one_short_line() {
    let home = tempfile::tempdir().unwrap();
    let emulator = emulator().await;
    tool_config(home.path(), "");
    let long = "x".repeat(100_000);
    let (summary, stderr) = ask_to_call(
        &emulator,
        home.path(),
        &[],
        "read_file",
        &json!({ "path": long }),
    );
    assert_eq!(summary["tool_runs"][0]["name"], "read_file");
    let line = stderr
        .lines()
        .find(|l| l.contains("⚙ read_file"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(line.chars().count() < 800, "{} characters", line.len());
    assert!(line.contains("more characters)"), "{line}");
    assert!(stderr.lines().all(|l| l.len() < 2_000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_that_are_not_what_they_seem_are_said() {
    let home = tempfile::tempdir().unwrap();
    for pace in ["NaN", "inf", "-1", "1e300", "fast"] {
        let out = run(demo(home.path())
            .env("BEDROCK_TUI_DEMO_TPS", pace)
            .args(["ask", "--model", HAIKU_3, "hi"]));
        assert_eq!(out.status.code(), Some(2), "{pace}");
        assert!(
            text(&out.stderr).contains(&format!(
                "BEDROCK_TUI_DEMO_TPS={pace}: a number of tokens a second from 0"
            )),
            "{pace}: {}",
            text(&out.stderr)
        );
    }
    for (allow, said) in [
        ("RUN_SHELL", "did you mean run_shell?"),
        ("run_shell ", "did you mean run_shell?"),
        ("Read_File", "did you mean read_file?"),
        (
            "mcp.nowhere.x",
            "names the MCP server nowhere, which config.toml does not define",
        ),
    ] {
        std::fs::write(
            home.path().join("config.toml"),
            format!("[tools]\nallow = [{allow:?}]\n"),
        )
        .unwrap();
        let out = run(bare(home.path()).args(["config", "show"]));
        assert!(!out.status.success(), "{allow}");
        let said_all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(said_all.contains(said), "{allow}: {said_all}");
    }

    // The emulator's pacing header: a number from 0 to a million, or a validation error.
    let mut config = bedrock_tui::emulator::EmulatorConfig::with_random_credentials("us-east-1");
    config.verify_auth = false;
    let emulator = bedrock_tui::emulator::Emulator::start(config)
        .await
        .unwrap();
    let client = reqwest::Client::new();
    for pace in ["NaN", "inf", "-3", "1e300"] {
        let response = client
            .post(format!("{}/model/{HAIKU_3}/invoke", emulator.endpoint()))
            .header("content-type", "application/json")
            .header("x-emulator-tokens-per-second", pace)
            .body(r#"{"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{pace}");
        let body = response.text().await.unwrap();
        assert!(
            body.contains("X-Emulator-Tokens-Per-Second"),
            "{pace}: {body}"
        );
    }
}
