//! MCP servers as tool sources, against the tests' own tiny MCP server (`tests/mcp/server.py`,
//! JSON-RPC over stdio, or streamable HTTP on loopback): tools listed and offered, a call and
//! its result, a tool error, a server that dies, a server that does not start, and
//! `ask --mcp` running a whole round trip against the emulator.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use bedrock_tui::config::tools::{McpServerConfig, ToolsConfig};
use bedrock_tui::models::tools::ToolCall;
use bedrock_tui::tools::{Toolbox, mcp};
use common::cli::*;
use common::*;
use serde_json::{Value, json};
use std::path::PathBuf;

fn server_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mcp/server.py")
}

fn stdio_server() -> McpServerConfig {
    McpServerConfig {
        command: Some("python3".into()),
        args: vec![server_script().display().to_string()],
        ..McpServerConfig::default()
    }
}

fn call(name: &str, input: &Value) -> ToolCall {
    ToolCall {
        index: 0,
        id: "call_1".into(),
        name: name.into(),
        input: input.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stdio_server_lists_its_tools_and_answers_calls() {
    let tools = mcp::connect("calc", &stdio_server()).await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.spec.name.as_str()).collect();
    assert_eq!(names, ["add", "echo", "fail", "die"]);
    assert_eq!(tools[0].spec.input_schema["required"], json!(["a", "b"]));
    let mut toolbox = Toolbox::from_config(&ToolsConfig {
        builtin: vec!["read_file".into()],
        ..ToolsConfig::default()
    });
    assert!(toolbox.add_mcp(tools).is_empty());
    assert_eq!(toolbox.specs().len(), 5);
    assert_eq!(toolbox.source("add").as_deref(), Some("MCP server calc"));
    assert_eq!(toolbox.source("read_file").as_deref(), Some("built-in"));

    let ran = toolbox.run(&call("add", &json!({"a": 2, "b": 40}))).await;
    assert!(ran.ran && !ran.result.is_error, "{ran:?}");
    assert_eq!(ran.result.content, "42");
    let ran = toolbox.run(&call("fail", &json!({}))).await;
    assert!(ran.result.is_error);
    assert_eq!(ran.result.content, "the tool failed on purpose");
    // A server that dies: its calls come back as errors that say so, never a hang.
    let ran = toolbox.run(&call("die", &json!({}))).await;
    assert!(ran.result.is_error, "{ran:?}");
    assert!(
        ran.result.content.contains("calc"),
        "{}",
        ran.result.content
    );
    let ran = toolbox.run(&call("add", &json!({"a": 1, "b": 1}))).await;
    assert!(ran.result.is_error, "{ran:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamable_http_server_answers_too() {
    let mut server = std::process::Command::new("python3")
        .arg(server_script())
        .args(["--http", "0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(server.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let port = line.trim().rsplit(' ').next().unwrap().to_string();
    let config = McpServerConfig {
        url: Some(format!("http://127.0.0.1:{port}/mcp")),
        ..McpServerConfig::default()
    };
    let outcome = mcp::connect("web", &config).await;
    let ran = match &outcome {
        Ok(tools) => {
            let mut toolbox = Toolbox::default();
            toolbox.add_mcp(tools.clone());
            Some(toolbox.run(&call("add", &json!({"a": 20, "b": 22}))).await)
        }
        Err(_) => None,
    };
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(outcome.unwrap().len(), 4);
    let ran = ran.unwrap();
    assert!(!ran.result.is_error, "{ran:?}");
    assert_eq!(ran.result.content, "42");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_does_not_start_says_why() {
    let missing = McpServerConfig {
        command: Some("/no/such/mcp-server".into()),
        ..McpServerConfig::default()
    };
    let why = mcp::connect("gone", &missing).await.unwrap_err();
    assert!(why.contains("cannot start /no/such/mcp-server"), "{why}");
    let not_mcp = McpServerConfig {
        command: Some("sh".into()),
        args: vec!["-c".into(), "echo not a server >&2; exit 1".into()],
        ..McpServerConfig::default()
    };
    let why = mcp::connect("sh", &not_mcp).await.unwrap_err();
    assert!(why.contains("did not answer as an MCP server"), "{why}");
    assert!(why.contains("it said: not a server"), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_offers_a_servers_tools_and_runs_the_round_trip() {
    let home = tempfile::tempdir().unwrap();
    let emulator = emulator().await;
    std::fs::write(
        home.path().join("config.toml"),
        format!(
            "[tools]\nallow = [\"mcp.calc.add\"]\n\n[mcp.calc]\ncommand = \"python3\"\nargs = [{:?}]\n",
            server_script().display().to_string()
        ),
    )
    .unwrap();
    let out = run(against(&emulator, home.path()).args([
        "ask",
        "--mcp",
        "calc",
        "--json",
        "--model",
        "amazon.nova-lite-v1:0",
        "Use add for the sum",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    let runs = summary["tool_runs"].as_array().unwrap();
    assert_eq!(runs[0]["name"], "add");
    assert_eq!(runs[0]["result"], "2", "{summary}");
    assert!(
        summary["text"]
            .as_str()
            .unwrap()
            .contains("Tool add returned: «2»."),
        "{summary}"
    );
    let out =
        run(against(&emulator, home.path())
            .args(["ask", "--mcp", "nope", "--model", HAIKU_3, "hi"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .contains("--mcp nope: no MCP server of that name in config.toml (there is calc)"),
        "{}",
        text(&out.stderr)
    );
}
