//! MCP servers as tool sources, against the tests' own tiny MCP server (`tests/mcp/server.py`,
//! JSON-RPC over stdio, or streamable HTTP on loopback): tools listed and offered, a call and
//! its result, a tool error, a server that dies, a server that does not start, and
//! `ask --mcp` running a whole round trip against the emulator.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use bedrock_tui::config::tool_config::{McpServerConfig, ToolsConfig};
use bedrock_tui::models::tool_use::ToolCall;
use bedrock_tui::tools::{Approval, Toolbox, mcp};
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
    assert_eq!(names, ["add", "die", "echo", "env", "fail"]);
    assert_eq!(tools[0].spec.input_schema["required"], json!(["a", "b"]));
    let mut toolbox = Toolbox::from_config(&ToolsConfig {
        builtin: vec!["read_file".into()],
        ..ToolsConfig::default()
    });
    assert!(toolbox.add_mcp(tools).is_empty());
    assert_eq!(toolbox.specs().len(), 6);
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
    assert_eq!(outcome.unwrap().len(), 5);
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

/// Runs `ask --mcp calc --json` in `home` with the test server as `calc` (its tool `allow`ed,
/// with `extra` config lines under `[mcp.calc]`) and `env` set for bedrock-tui; its JSON
/// summary.
fn ask_calc(
    emulator: &bedrock_tui::emulator::Emulator,
    home: &std::path::Path,
    (allow, extra): (&str, &str),
    env: &[(&str, &str)],
    prompt: &str,
) -> Value {
    std::fs::write(
        home.join("config.toml"),
        format!(
            "[tools]\nallow = [\"mcp.calc.{allow}\"]\n\n[mcp.calc]\ncommand = \"python3\"\nargs = [{:?}]\n{extra}",
            server_script().display().to_string()
        ),
    )
    .unwrap();
    let mut command = against(emulator, home);
    command.envs(env.iter().copied()).args([
        "ask",
        "--mcp",
        "calc",
        "--json",
        "--model",
        "amazon.nova-lite-v1:0",
        prompt,
    ]);
    let out = run(&mut command);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_offers_a_servers_tools_and_runs_the_round_trip() {
    let home = tempfile::tempdir().unwrap();
    let emulator = emulator().await;
    let summary = ask_calc(
        &emulator,
        home.path(),
        ("add", ""),
        &[],
        "Use add for the sum",
    );
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

/// A server's environment: the shell's secrets never reach it, what `[mcp.NAME] env` gives it
/// always does, even under a name the shell holds a secret in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_gets_the_env_its_config_gives_and_none_of_the_shells_secrets() {
    let emulator = emulator().await;
    let env_of = |given: &str| {
        let shell = [("BEDROCK_TUI_TEST_SECRET", "the shell's own")];
        let prompt = "Use env BEDROCK_TUI_TEST_SECRET";
        let home = tempfile::tempdir().unwrap();
        let summary = ask_calc(&emulator, home.path(), ("env", given), &shell, prompt);
        assert_eq!(summary["tool_runs"][0]["name"], "env", "{summary}");
        summary["tool_runs"][0]["result"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(env_of(""), "(unset)");
    assert_eq!(
        env_of("env = { BEDROCK_TUI_TEST_SECRET = \"given to calc\" }\n"),
        "given to calc"
    );
}

fn hostile(mode: &str) -> McpServerConfig {
    McpServerConfig {
        command: Some("python3".into()),
        args: vec![
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/mcp/hostile.py")
                .display()
                .to_string(),
            mode.into(),
        ],
        ..McpServerConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listings_without_end_or_too_large_are_refused_naming_the_limit() {
    for (mode, said) in [
        ("pages-forever", "takes more than 32 pages"),
        ("cursor-loop", "goes round"),
        ("many-tools", "more than 256 tools"),
    ] {
        let started = std::time::Instant::now();
        let why = mcp::connect("bad", &hostile(mode)).await.unwrap_err();
        assert!(why.contains(said), "{mode}: {why}");
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }
}

#[test]
fn ask_stays_small_against_a_server_that_pages_forever() {
    let home = tempfile::tempdir().unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mcp/hostile.py");
    std::fs::write(
        home.path().join("config.toml"),
        format!(
            "[mcp.pager]\ncommand = \"python3\"\nargs = [{:?}, \"pages-forever\"]\n",
            script.display().to_string()
        ),
    )
    .unwrap();
    let (status, peak) =
        peak_memory(demo(home.path()).args(["ask", "--mcp", "pager", "--model", HAIKU_3, "hi"]));
    assert_eq!(status.code(), Some(2), "no tools are left: a usage error");
    assert!(peak < 150 << 20, "peaked at {} MiB", peak >> 20);
    let out = run(demo(home.path()).args(["ask", "--mcp", "pager", "--model", HAIKU_3, "hi"]));
    assert!(
        text(&out.stderr).contains(
            "the MCP server pager is left out: its listing of tools takes more than 32 pages"
        ),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_result_is_cut_at_once_and_a_deep_one_refused() {
    let tools = mcp::connect("big", &hostile("huge-result")).await.unwrap();
    let mut toolbox = Toolbox::from_config(&ToolsConfig {
        timeout_secs: Some(60),
        ..ToolsConfig::default()
    });
    toolbox.add_mcp(tools);
    let started = std::time::Instant::now();
    let ran = toolbox.run(&call("blob", &json!({}))).await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(15),
        "the call waited: {:?}",
        started.elapsed()
    );
    assert!(!ran.result.is_error, "{}", &ran.result.content[..200]);
    assert!(
        ran.result
            .content
            .ends_with("[cut: 20.0 MiB in all, the first 63.8 KiB shown]"),
        "{}",
        &ran.result.content[ran.result.content.len() - 100..]
    );
    assert!(ran.result.content.len() <= bedrock_tui::tools::RESULT_CAP);
    let ran = toolbox.run(&call("deep", &json!({}))).await;
    assert!(ran.result.is_error);
    assert!(
        ran.result.content.contains("nested deeper than 100"),
        "{}",
        ran.result.content
    );
    // The server is still there for the next call.
    let ran = toolbox.run(&call("echo", &json!({"text": "still"}))).await;
    assert_eq!(ran.result.content, "echo: still");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tool_names_no_model_takes_are_renamed_or_left_out_and_requests_go_through() {
    let tools = mcp::connect("odd", &hostile("bad-names")).await.unwrap();
    let mut toolbox = Toolbox::from_config(&ToolsConfig {
        builtin: vec!["read_file".into()],
        ..ToolsConfig::default()
    });
    let notes = toolbox.add_mcp(tools);
    let names: Vec<String> = toolbox.specs().into_iter().map(|s| s.name).collect();
    for name in &names {
        assert!(
            !name.is_empty()
                && name.len() <= 64
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
            "{name:?} in {names:?}"
        );
    }
    assert_eq!(names.len(), 7, "the empty name is left out: {names:?}");
    assert!(names.contains(&"read_file".to_string()));
    assert!(names.contains(&"odd__read_file".to_string()), "{names:?}");
    assert!(names.contains(&"a_b".to_string()), "{names:?}");
    assert!(
        notes.iter().any(|n| n.contains("is not offered")),
        "{notes:?}"
    );
    // Each renamed tool still calls the server's own.
    let ran = toolbox.run(&call("a_b", &json!({"text": "hi"}))).await;
    assert_eq!(ran.result.content, "a:b: hi");
    assert_eq!(toolbox.source("a_b").as_deref(), Some("MCP server odd"));
    assert_eq!(toolbox.allow_name("a_b").as_deref(), Some("mcp.odd.a:b"));
    // "Always" for a tool whose own name has a space holds (the entry is kept as read, not
    // written out and parsed again).
    let spaced = names
        .iter()
        .find(|n| toolbox.allow_name(n).as_deref() == Some("mcp.odd.read file"))
        .expect("the server's \"read file\" is offered")
        .clone();
    assert_eq!(toolbox.approval(&spaced), Approval::Ask);
    assert!(toolbox.allow(&spaced));
    assert_eq!(toolbox.approval(&spaced), Approval::Allowed);
    assert_eq!(
        toolbox.approval("read_file"),
        Approval::Ask,
        "the built-in is not allowed by it"
    );
}

#[test]
fn ask_with_an_odd_server_sends_requests_the_service_takes() {
    let home = tempfile::tempdir().unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mcp/hostile.py");
    // One tool call of `read_file`, with the hostile server's own `read_file` offered beside
    // the built-in one, and `allowed` the one allow-list entry.
    let ask = |allowed: &str, file_text: &str| -> Value {
        std::fs::write(
            home.path().join("config.toml"),
            format!(
                "[tools]\nallow = [{allowed:?}]\n\n[mcp.odd]\ncommand = \"python3\"\nargs = [{:?}, \"bad-names\"]\n",
                script.display().to_string()
            ),
        )
        .unwrap();
        let out = run(demo(home.path()).args([
            "ask",
            "--mcp",
            "odd",
            "--json",
            "--model",
            "us.anthropic.claude-3-5-haiku-20241022-v1:0",
            &format!(r#"go [[emulator:tool=read_file {{"text":"{file_text}"}}]]"#),
        ]));
        assert!(out.status.success(), "{}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // The built-in read_file is allowed, not the server's tool of that name: it is refused.
    let summary = ask("read_file", "secret plans");
    let first = &summary["tool_runs"][0];
    assert_eq!(first["name"], "read_file");
    assert_eq!(first["ran"], false, "{summary}");
    // Named by its source, it runs.
    let summary = ask("mcp.odd.read_file", "plans");
    assert_eq!(summary["tool_runs"][0]["ran"], true, "{summary}");
    assert_eq!(summary["tool_runs"][0]["result"], "read_file: plans");
}

#[test]
fn a_server_that_ignores_the_end_of_its_input_ends_with_ask() {
    let home = tempfile::tempdir().unwrap();
    let pids = home.path().join("pids");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mcp/hostile.py");
    std::fs::write(
        home.path().join("config.toml"),
        format!(
            "[mcp.stubborn]\ncommand = \"python3\"\nargs = [{:?}, \"ignore-eof\", {:?}]\n",
            script.display().to_string(),
            pids.display().to_string()
        ),
    )
    .unwrap();
    let out = run(demo(home.path()).args(["ask", "--mcp", "stubborn", "--model", HAIKU_3, "hi"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let pids: Vec<u32> = std::fs::read_to_string(&pids)
        .unwrap()
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect();
    assert_eq!(pids.len(), 2);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    let alive = |pid: u32| {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|stat| !stat.contains(") Z "))
    };
    while pids.iter().any(|p| alive(*p)) {
        assert!(
            std::time::Instant::now() < deadline,
            "the server or its child outlived ask: {pids:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
