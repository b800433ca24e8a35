//! Roles: named system prompts in `roles/` beside the config file, used with `--role` by `ask`
//! and picked in the chat, each checked in what goes over the wire to the emulator.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use bedrock_tui::app::state::Overlay;
use common::cli::{demo, run, text};
use common::tui::{Harness, Setup};
use crossterm::event::{KeyCode, KeyModifiers};
use std::path::Path;

const NOVA_MICRO: &str = "amazon.nova-micro-v1:0";

fn write_roles(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("terse.md"), "Answer in one sentence.\n").unwrap();
    std::fs::write(
        dir.join("reviewer.toml"),
        format!(
            "prompt = \"You review code for bugs.\"\ndescription = \"code review\"\nmodel = \"{NOVA_MICRO}\"\n[parameters]\ntemperature = 0.1\n"
        ),
    )
    .unwrap();
}

#[test]
fn ask_takes_a_role_and_names_the_roles_there_are() {
    let home = tempfile::tempdir().unwrap();
    write_roles(&home.path().join("roles"));
    let out = run(demo(home.path()).args(["ask", "--verbose", "--role", "terse", "hi"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("\"system\": \"Answer in one sentence.\""),
        "{stderr}"
    );
    // A TOML role brings its model and parameters; flags still win.
    let out = run(demo(home.path()).args(["ask", "--verbose", "--role", "reviewer", "hi"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("/model/amazon.nova-micro-v1%3A0/"),
        "{stderr}"
    );
    assert!(stderr.contains("You review code for bugs."), "{stderr}");
    assert!(stderr.contains("\"temperature\": 0.1"), "{stderr}");
    let out = run(demo(home.path()).args([
        "ask",
        "--verbose",
        "--role",
        "reviewer",
        "--system",
        "Be brief.",
        "--temperature",
        "0.5",
        "hi",
    ]));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("Be brief.") && !stderr.contains("You review code"));
    assert!(stderr.contains("\"temperature\": 0.5"), "{stderr}");
    // An unknown role is a usage error that lists the roles.
    let out = run(demo(home.path()).args(["ask", "--role", "poet", "hi"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("there are: reviewer, terse"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_picks_a_role_and_shows_it() {
    let mut h = Harness::start(Setup {
        width: 100,
        height: 30,
        ..Setup::default()
    })
    .await;
    let dir = h.data.path().join("roles");
    write_roles(&dir);
    std::fs::write(dir.join("broken.toml"), "prompt = 3\n").unwrap();
    h.app.roles_dir = Some(dir);
    h.key(KeyCode::Char('r'), KeyModifiers::ALT);
    h.until(
        "the roles",
        |h| matches!(&h.app.state.screen.overlay, Overlay::Roles(p) if p.roles.is_some()),
    )
    .await;
    let screen = h.screen();
    assert!(screen.contains("roles · 2 roles"), "{screen}");
    assert!(
        screen.contains("(no role)") && screen.contains("code review"),
        "{screen}"
    );
    assert!(
        screen.contains("broken.toml"),
        "a bad file is named: {screen}"
    );
    h.type_text("ters");
    h.press(KeyCode::Enter);
    h.settle().await;
    assert_eq!(h.app.state.chat.role.as_deref(), Some("terse"));
    assert!(h.screen().contains("role terse"), "{}", h.screen());
    h.send("hello").await;
    h.finish_answer().await;
    let exchange = h.last_answer().exchange.as_ref().unwrap();
    let body = String::from_utf8_lossy(&exchange.requests[0].body).into_owned();
    assert!(
        body.contains("\"system\":\"Answer in one sentence.\""),
        "{body}"
    );

    // A role with a model switches to it, with its parameters.
    h.key(KeyCode::Char('r'), KeyModifiers::ALT);
    h.until(
        "the roles",
        |h| matches!(&h.app.state.screen.overlay, Overlay::Roles(p) if p.roles.is_some()),
    )
    .await;
    h.type_text("review");
    h.press(KeyCode::Enter);
    h.settle().await;
    assert_eq!(h.app.state.chat.model, NOVA_MICRO);
    assert_eq!(h.app.state.chat.params.temperature, Some(0.1));
    // No role: no system prompt.
    h.key(KeyCode::Char('r'), KeyModifiers::ALT);
    h.until(
        "the roles",
        |h| matches!(&h.app.state.screen.overlay, Overlay::Roles(p) if p.roles.is_some()),
    )
    .await;
    // The role in use is selected; "no role" is the row above it.
    h.press(KeyCode::Up);
    h.press(KeyCode::Enter);
    h.settle().await;
    assert_eq!(h.app.state.chat.role, None);
    assert_eq!(h.app.state.chat.system, None);
    assert!(!h.screen().contains("role "), "{}", h.screen());
}
