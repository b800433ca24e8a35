//! Tool calls in the chat, key by key through the real loop against the emulator: a call is
//! asked about and runs once (y), is denied (n), is allowed for the session (a), or the round is
//! cancelled (Esc); the results go back and the answer goes on; the limit of calls per prompt;
//! the session file keeps calls and results, and a resumed conversation goes on with them.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use bedrock_tui::app::state::{Overlay, Speaker};
use bedrock_tui::config::tool_config::ToolsConfig;
use bedrock_tui::tools::Toolbox;
use common::tui::{Harness, Setup, wait_for_file};
use crossterm::event::KeyCode;

/// A chat with `read_file` and `list_directory` offered, `list_directory` allowed.
async fn chat(limit: Option<u32>) -> (Harness, tempfile::TempDir) {
    let mut h = Harness::start(Setup::default()).await;
    h.app.state.tools.toolbox = Toolbox::from_config(&ToolsConfig {
        builtin: vec!["read_file".into(), "list_directory".into()],
        allow: vec!["list_directory".into()],
        max_calls_per_turn: limit,
        ..ToolsConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "launch on friday").unwrap();
    (h, dir)
}

async fn until_asked(h: &mut Harness) {
    h.until_tool_question().await;
}

fn tool_messages(h: &Harness) -> Vec<&bedrock_tui::app::state::Message> {
    h.app
        .state
        .chat
        .messages
        .iter()
        .filter(|m| m.speaker == Speaker::Tool)
        .collect()
}

async fn until_answers(h: &mut Harness, count: usize) {
    h.until("the answers", |h| {
        h.answers().len() == count && h.answer_done() && !h.app.state.tools_pending()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_is_asked_about_runs_once_and_the_answer_goes_on() {
    let (mut h, dir) = chat(None).await;
    let notes = dir.path().join("notes.txt");
    h.send(&format!("Use read_file on {}", notes.display()))
        .await;
    until_asked(&mut h).await;
    let screen = h.screen();
    assert!(
        screen.contains("The model asks to run read_file (built-in):"),
        "{screen}"
    );
    assert!(screen.contains("notes.txt"), "{screen}");
    assert!(
        screen.contains("y run once · a always for read_file · n deny"),
        "{screen}"
    );
    assert_eq!(h.app.state.activity(), "tools");
    h.press(KeyCode::Char('y'));
    until_answers(&mut h, 2).await;
    let tools = tool_messages(&h);
    assert_eq!(tools.len(), 1);
    let run = &tools[0].tool_runs[0];
    assert!(run.ran && !run.result.is_error);
    assert_eq!(run.result.content, "launch on friday");
    // The call's id is the one the answer gave, and the result answers it.
    assert_eq!(run.result.id, h.answers()[0].stats.tool_calls[0].id);
    assert!(
        h.last_answer()
            .text
            .starts_with("Tool read_file returned: «launch on friday»."),
        "{}",
        h.last_answer().text
    );
    // "Once" asks again the next time.
    h.send(&format!("Use read_file on {}", notes.display()))
        .await;
    until_asked(&mut h).await;
    h.press(KeyCode::Char('n'));
    until_answers(&mut h, 4).await;
    let denied = &tool_messages(&h)[1].tool_runs[0];
    assert!(!denied.ran && denied.result.is_error);
    assert_eq!(denied.result.content, "the user denied this call");
    assert!(
        h.last_answer()
            .text
            .starts_with("Tool read_file failed: «the user denied this call»."),
        "{}",
        h.last_answer().text
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn always_lets_the_tool_run_unasked_and_allowed_tools_never_ask() {
    let (mut h, dir) = chat(None).await;
    let notes = dir.path().join("notes.txt");
    h.send(&format!("Use read_file on {}", notes.display()))
        .await;
    until_asked(&mut h).await;
    h.press(KeyCode::Char('a'));
    until_answers(&mut h, 2).await;
    h.send(&format!(
        "Use read_file on {} and list_directory on {}",
        notes.display(),
        dir.path().display()
    ))
    .await;
    until_answers(&mut h, 4).await;
    let runs = &tool_messages(&h)[1].tool_runs;
    assert_eq!(runs.len(), 2);
    assert!(runs.iter().all(|r| r.ran && !r.result.is_error), "{runs:?}");
    assert_eq!(runs[1].result.content, "notes.txt  16 B");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esc_cancels_the_round_and_the_conversation_goes_on_whole() {
    let (mut h, dir) = chat(None).await;
    h.send(&format!(
        "Use read_file on {}",
        dir.path().join("notes.txt").display()
    ))
    .await;
    until_asked(&mut h).await;
    h.press(KeyCode::Esc);
    h.until("the round to end", |h| !h.app.state.tools_pending())
        .await;
    h.settle().await;
    assert_eq!(h.answers().len(), 1, "nothing more was asked of the model");
    let cancelled = &tool_messages(&h)[0].tool_runs[0];
    assert!(!cancelled.ran);
    assert!(
        cancelled
            .result
            .content
            .starts_with("cancelled by the user")
    );
    // The next prompt goes with the calls and their (cancelled) results: the emulator checks
    // that every call has its result.
    h.send("Thanks, that will do").await;
    until_answers(&mut h, 2).await;
    assert!(h.last_answer().stats.tool_calls.is_empty());
    assert!(
        h.last_answer()
            .text
            .starts_with("Tool read_file failed: «cancelled by the user"),
        "{}",
        h.last_answer().text
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_limit_stops_a_model_that_calls_too_many_tools() {
    let (mut h, dir) = chat(Some(1)).await;
    h.send(&format!(
        "Use list_directory on {} and read_file on x",
        dir.path().display()
    ))
    .await;
    h.finish_answer().await;
    h.settle().await;
    assert!(!h.app.state.tools_pending());
    assert!(tool_messages(&h).is_empty());
    let notice = h.last_notice();
    assert!(
        notice.contains("past the limit of 1 for one prompt (tools.max_calls_per_turn"),
        "{notice}"
    );
    // The calls that did not run are not sent with the next prompt.
    h.send("Never mind").await;
    h.finish_answer().await;
    assert!(h.last_answer().status == bedrock_tui::app::state::AnswerStatus::Complete);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_keeps_calls_and_results_and_goes_on_after_a_resume() {
    let (mut h, dir) = chat(None).await;
    h.send(&format!("Use list_directory on {}", dir.path().display()))
        .await;
    until_answers(&mut h, 2).await;
    h.until("the session file", |h| h.app.state.chat.session.is_some())
        .await;
    let path = h.app.state.chat.session.as_ref().unwrap().path.clone();
    let saved = wait_for_file(&path, "the answer after the tool", |t| {
        t.entries.len() == 4
            && t.entries[3]
                .end
                .as_ref()
                .is_some_and(|e| e.status == bedrock_tui::transcript::EndStatus::Complete)
    });
    let calls = &saved.entries[1].end.as_ref().unwrap().tool_calls;
    assert_eq!(calls.len(), 1);
    assert_eq!(saved.entries[2].tool_results[0].result.id, calls[0].id);
    assert_eq!(
        saved.entries[2].tool_results[0].result.content,
        "notes.txt  16 B"
    );
    let markdown = bedrock_tui::transcript::export::markdown(&saved);
    assert!(markdown.contains("## Tools"), "{markdown}");
    assert!(markdown.contains("```\nnotes.txt  16 B\n```"), "{markdown}");

    h.reopen(&path).await;
    assert_eq!(tool_messages(&h).len(), 1);
    assert_eq!(h.answers()[0].stats.tool_calls.len(), 1);
    h.send("And again?").await;
    until_answers(&mut h, 3).await;
    assert_eq!(
        h.last_answer().status,
        bedrock_tui::app::state::AnswerStatus::Complete,
        "the resumed conversation's calls and results pair up"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcp_servers_start_in_the_background_and_their_tools_are_offered() {
    let (mut h, _dir) = chat(None).await;
    let script = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mcp/server.py");
    let mut servers = std::collections::BTreeMap::new();
    servers.insert(
        "calc".to_string(),
        bedrock_tui::config::tool_config::McpServerConfig {
            command: Some("python3".into()),
            args: vec![script.display().to_string()],
            ..Default::default()
        },
    );
    servers.insert(
        "broken".to_string(),
        bedrock_tui::config::tool_config::McpServerConfig {
            command: Some("/no/such/server".into()),
            ..Default::default()
        },
    );
    h.app.start_mcp(servers);
    // A prompt sent while they start waits for them.
    h.type_text("Use echo with hello");
    h.settle().await;
    h.press(KeyCode::Enter);
    until_asked(&mut h).await;
    assert!(h.app.state.tools.mcp_starting.is_empty());
    let notices: Vec<&str> = h
        .app
        .state
        .chat
        .messages
        .iter()
        .filter(|m| m.speaker == Speaker::Notice)
        .map(|m| m.text.as_str())
        .collect();
    assert!(
        notices
            .iter()
            .any(|n| n
                .starts_with("The MCP server broken is not used: cannot start /no/such/server")),
        "{notices:?}"
    );
    h.press(KeyCode::Char('y'));
    until_answers(&mut h, 2).await;
    let run = &tool_messages(&h)[0].tool_runs[0];
    assert_eq!(run.result.content, "hello");
    assert!(
        h.last_answer()
            .text
            .starts_with("Tool echo returned: «hello»."),
        "{}",
        h.last_answer().text
    );
    h.type_text("/tools");
    h.settle().await;
    h.press(KeyCode::Enter);
    h.settle().await;
    let listing = h.last_notice();
    assert!(
        listing.contains("  echo · MCP server calc · asks first"),
        "{listing}"
    );
    assert!(
        listing.contains("  list_directory · built-in · runs without asking"),
        "{listing}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_round_trip_is_inspected_and_a_family_without_tools_gets_them_as_text() {
    let (mut h, dir) = chat(None).await;
    h.send(&format!("Use list_directory on {}", dir.path().display()))
        .await;
    until_answers(&mut h, 2).await;
    // Each answer of the tool turn has its own exchange: the second request carries the call
    // and its result.
    let exchanges: Vec<String> = h
        .answers()
        .iter()
        .map(|m| {
            let request = &m.exchange.as_ref().unwrap().requests[0];
            String::from_utf8_lossy(&request.body).into_owned()
        })
        .collect();
    assert!(!exchanges[0].contains("tool_result"), "{}", exchanges[0]);
    assert!(
        exchanges[1].contains("\"type\":\"tool_result\""),
        "{}",
        exchanges[1]
    );
    assert!(exchanges[1].contains("\"tools\":["), "{}", exchanges[1]);

    h.ctrl('p');
    h.type_text("titan text express");
    h.press(KeyCode::Enter);
    h.settle().await;
    assert_eq!(h.app.state.chat.model, "amazon.titan-text-express-v1");
    let notice = h.last_notice();
    assert!(
        notice.contains("The titan-text format takes no tools: earlier tool calls and results go to it as text. No tools are offered to it."),
        "{notice}"
    );
    h.send("Summarise").await;
    h.finish_answer().await;
    let answer = h.last_answer();
    assert_eq!(
        answer.status,
        bedrock_tui::app::state::AnswerStatus::Complete
    );
    let body = &answer.exchange.as_ref().unwrap().requests[0].body;
    let body: serde_json::Value = serde_json::from_slice(body).unwrap();
    let prompt = body["inputText"].as_str().unwrap();
    assert!(
        prompt.contains("[called tool list_directory with {\"path\":"),
        "{prompt}"
    );
    assert!(
        prompt.contains("[tool list_directory returned: notes.txt  16 B]"),
        "{prompt}"
    );
}

/// A chat that offers `run_shell` (which always asks), at this size.
async fn shell_chat(width: u16, height: u16) -> (Harness, tempfile::TempDir) {
    let mut h = Harness::start(Setup {
        width,
        height,
        ..Setup::default()
    })
    .await;
    h.app.state.tools.toolbox = Toolbox::from_config(&ToolsConfig {
        builtin: vec!["run_shell".into()],
        ..ToolsConfig::default()
    });
    (h, tempfile::tempdir().unwrap())
}

/// Asks the emulator's model to call `run_shell` with `command` (pasted: it may be long).
async fn ask_to_run(h: &mut Harness, command: &str) {
    let marker = format!(
        "Run it [[emulator:tool=run_shell {}]]",
        serde_json::json!({ "command": command })
    );
    h.event(crossterm::event::Event::Paste(marker));
    h.settle().await;
    h.press(KeyCode::Enter);
    h.until("the question", |h| {
        matches!(h.app.state.screen.overlay, Overlay::Tools(_))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_typed_ahead_never_answer_the_question() {
    let (mut h, dir) = shell_chat(80, 24).await;
    let file = dir.path().join("FILE");
    ask_to_run(&mut h, &format!("touch {}", file.display())).await;
    // A reply being typed, Enter to send it, and a stray y: all on their way as it opened.
    h.type_text("yes you are right");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Char('y'));
    h.settle().await;
    assert!(!file.exists(), "a key typed ahead ran the command");
    assert!(matches!(h.app.state.screen.overlay, Overlay::Tools(_)));
    assert_eq!(h.app.state.draft(), "yes you are righty", "typing is kept");
    assert!(h.screen().contains("Not taking keys yet"), "{}", h.screen());
    // Once it has been on screen without a key, a key answers it.
    h.until_tool_question().await;
    assert!(h.screen().contains("y run once"), "{}", h.screen());
    h.press(KeyCode::Char('y'));
    until_answers(&mut h, 2).await;
    assert!(file.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_cannot_hide_its_tail_in_blank_space() {
    for (width, height) in [(80, 24), (40, 12)] {
        let (mut h, dir) = shell_chat(width, height).await;
        let file = dir.path().join("FILE");
        let command = format!(
            "echo hello{}; touch {}",
            "\u{a0}".repeat(12_000),
            file.display()
        );
        ask_to_run(&mut h, &command).await;
        h.until_tool_question().await;
        let screen = h.screen();
        let joined: String = screen.lines().map(|l| l.trim_matches('│').trim()).collect();
        assert!(joined.contains("⟨NBSP ×12000⟩; touch"), "{screen}");
        assert!(
            screen.contains("run once"),
            "the keys are on screen: {screen}"
        );
        h.press(KeyCode::Char('y'));
        until_answers(&mut h, 2).await;
        assert!(file.exists(), "{width}x{height}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_call_runs_only_once_read_to_its_end() {
    let (mut h, dir) = shell_chat(80, 24).await;
    let file = dir.path().join("FILE");
    let command = format!("{}touch {}", "echo line\n".repeat(100), file.display());
    ask_to_run(&mut h, &command).await;
    h.until_tool_question().await;
    assert!(h.screen().contains("to read on"), "{}", h.screen());
    assert!(!h.screen().contains("touch"), "{}", h.screen());
    h.press(KeyCode::Char('y'));
    h.settle().await;
    assert!(
        h.app
            .state
            .screen
            .flash
            .as_ref()
            .is_some_and(|f| f.text.contains("read the whole call before it runs")),
        "{:?}",
        h.app.state.screen.flash
    );
    assert!(matches!(h.app.state.screen.overlay, Overlay::Tools(_)));
    h.press(KeyCode::End);
    h.settle().await;
    assert!(h.screen().contains("touch"), "{}", h.screen());
    assert!(h.screen().contains(": the end"), "{}", h.screen());
    h.press(KeyCode::Char('y'));
    until_answers(&mut h, 2).await;
    assert!(file.exists());

    // A call too long to show is shown cut, and runs only after the pager showed it whole
    // (there is no terminal here to hand it to: it says so).
    let huge = format!("echo {} > /dev/null", "x".repeat(300 * 1024));
    ask_to_run(&mut h, &huge).await;
    h.until_tool_question().await;
    let joined: String = h
        .screen()
        .lines()
        .map(|l| l.trim_matches('│').trim())
        .collect();
    assert!(joined.contains("only its start is shown"), "{}", h.screen());
    h.press(KeyCode::End);
    h.settle().await;
    h.press(KeyCode::Char('y'));
    h.settle().await;
    let flash = h.app.state.screen.flash.clone().unwrap();
    assert!(flash.text.contains("v shows it in the pager"), "{flash:?}");
    h.press(KeyCode::Char('v'));
    h.settle().await;
    let flash = h.app.state.screen.flash.clone().unwrap();
    assert!(
        flash.text.contains("no terminal to hand to a pager"),
        "{flash:?}"
    );
    h.press(KeyCode::Char('n'));
    until_answers(&mut h, 4).await;
    let denied = &tool_messages(&h)[1].tool_runs[0];
    assert!(!denied.ran);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_mcp_server_has_its_tools_withdrawn_and_starts_again_on_mcp_restart() {
    let (mut h, _dir) = chat(None).await;
    let script = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mcp/server.py");
    let mut servers = std::collections::BTreeMap::new();
    servers.insert(
        "calc".to_string(),
        bedrock_tui::config::tool_config::McpServerConfig {
            command: Some("python3".into()),
            args: vec![script.display().to_string()],
            ..Default::default()
        },
    );
    h.app.start_mcp(servers);
    h.until("the server", |h| h.app.state.tools.mcp_starting.is_empty())
        .await;
    // The model calls `die`, then `echo`: the server exits, and the call after it is told so
    // (not taken for a tool never offered).
    h.send("Use die and then echo").await;
    until_asked(&mut h).await;
    h.press(KeyCode::Char('y'));
    until_answers(&mut h, 2).await;
    let runs: Vec<(String, String)> = h
        .app
        .state
        .chat
        .messages
        .iter()
        .flat_map(|m| &m.tool_runs)
        .map(|r| (r.result.name.clone(), r.result.content.clone()))
        .collect();
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert_eq!(runs[0].0, "die");
    assert_eq!(
        runs[1],
        (
            "echo".to_string(),
            "the MCP server calc has stopped; its tools were withdrawn".to_string()
        )
    );
    let notices: Vec<String> = h
        .app
        .state
        .chat
        .messages
        .iter()
        .filter(|m| m.speaker == Speaker::Notice)
        .map(|m| m.text.clone())
        .collect();
    let stopped: Vec<&String> = notices
        .iter()
        .filter(|n| n.contains("The MCP server calc has stopped"))
        .collect();
    assert_eq!(stopped.len(), 1, "said once: {notices:?}");
    assert_eq!(h.app.state.tools.toolbox.source("echo"), None, "withdrawn");
    // Its tools are not asked about any more (they are not offered).
    h.send("Use echo with hi").await;
    h.finish_answer().await;
    assert!(!matches!(h.app.state.screen.overlay, Overlay::Tools(_)));
    // /mcp says how it is; /mcp restart starts it again.
    h.type_text("/mcp");
    h.settle().await;
    h.press(KeyCode::Enter);
    h.settle().await;
    assert!(
        h.last_notice()
            .contains("calc · stopped (/mcp restart calc)"),
        "{}",
        h.last_notice()
    );
    h.type_text("/mcp restart calc");
    h.settle().await;
    h.press(KeyCode::Enter);
    h.until("the server again", |h| {
        h.app.state.tools.toolbox.source("echo").is_some()
    })
    .await;
    h.send("Use echo with again").await;
    until_asked(&mut h).await;
    h.press(KeyCode::Char('y'));
    h.until("the echo", |h| {
        h.app
            .state
            .chat
            .messages
            .iter()
            .any(|m| m.tool_runs.iter().any(|r| r.result.content == "again"))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_words_are_commands_never_prompts() {
    let (mut h, _dir) = chat(None).await;
    h.type_text("/help");
    h.settle().await;
    h.press(KeyCode::Enter);
    h.settle().await;
    assert!(
        matches!(h.app.state.screen.overlay, Overlay::Help(_)),
        "{}",
        h.screen()
    );
    h.press(KeyCode::Esc);
    h.settle().await;
    h.type_text("/frobnicate the thing");
    h.settle().await;
    h.press(KeyCode::Enter);
    h.settle().await;
    assert!(
        h.app
            .state
            .chat
            .messages
            .iter()
            .all(|m| m.speaker != Speaker::User),
        "nothing sent"
    );
    let flash = h.app.state.screen.flash.clone().unwrap();
    assert!(
        flash.text.contains("/frobnicate is no command"),
        "{flash:?}"
    );
    assert!(
        flash.text.contains("/attach PATH, /detach [N], /tools"),
        "{flash:?}"
    );
    assert_eq!(
        h.app.state.draft(),
        "/frobnicate the thing",
        "the draft stays"
    );
    // Two slashes send the prompt with one; a path is a prompt.
    h.app.state.set_draft("");
    h.send("//frobnicate is a word").await;
    h.finish_answer().await;
    h.send("/etc/hosts holds what?").await;
    h.finish_answer().await;
    assert_eq!(
        h.prompts(),
        ["/frobnicate is a word", "/etc/hosts holds what?"]
    );
    // Up brings the escaped prompt back as it must be typed, so Enter sends it again.
    h.press(KeyCode::Up);
    h.press(KeyCode::Up);
    h.settle().await;
    assert_eq!(h.app.state.draft(), "//frobnicate is a word");
}
