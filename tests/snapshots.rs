//! Snapshot tests of rendered screens at 80x24 and 40x12 (insta), driven through the real loop
//! against the emulator. Timings are masked; everything else is deterministic.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use common::tui::{Harness, Setup};
use crossterm::event::KeyCode;

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"\d+\.\d s", "[s]");
    settings.add_filter(r"\d{4}-\d\d-\d\d \d\d:\d\d", "[date]");
    settings.add_filter(
        r"(?m)^( (?:IDLE|ERROR|STREAMING|WAITING) .*?)  +\S.*$",
        "$1 [figures]",
    );
    settings
}

async fn harness(width: u16, height: u16) -> Harness {
    Harness::start(Setup {
        width,
        height,
        ..Setup::default()
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screens_at_80x24_and_40x12() {
    for (width, height) in [(80, 24), (40, 12)] {
        let size = format!("{width}x{height}");
        let mut h = harness(width, height).await;
        h.settle().await;
        settings().bind(|| insta::assert_snapshot!(format!("empty_{size}"), h.screen()));

        h.send("Explain event streams [[emulator:tokens=40]]").await;
        h.finish_answer().await;
        settings().bind(|| insta::assert_snapshot!(format!("answer_{size}"), h.screen()));

        h.send("again [[fault:model-stream-error after=3]]").await;
        h.finish_answer().await;
        settings().bind(|| insta::assert_snapshot!(format!("exception_{size}"), h.screen()));

        h.ctrl('p');
        h.type_text("nova");
        h.settle().await;
        settings().bind(|| insta::assert_snapshot!(format!("picker_{size}"), h.screen()));
        h.press(KeyCode::Esc);

        h.press(KeyCode::F(1));
        h.settle().await;
        settings().bind(|| insta::assert_snapshot!(format!("help_{size}"), h.screen()));
        h.press(KeyCode::Esc);

        h.press(KeyCode::F(2));
        h.settle().await;
        settings().bind(|| insta::assert_snapshot!(format!("parameters_{size}"), h.screen()));
        h.press(KeyCode::Esc);

        // The session browser, with a second conversation, and a delete being confirmed.
        h.ctrl('n');
        h.send("A second conversation").await;
        h.finish_answer().await;
        h.ctrl('o');
        h.until("the session list", |h| {
            matches!(&h.app.state.screen.overlay, bedrock_tui::app::state::Overlay::Sessions(b) if b.items.is_some() && b.index.is_some())
        })
        .await;
        settings().bind(|| insta::assert_snapshot!(format!("sessions_{size}"), h.screen()));
        h.press(KeyCode::Down);
        h.press(KeyCode::Delete);
        h.settle().await;
        settings().bind(|| insta::assert_snapshot!(format!("sessions_delete_{size}"), h.screen()));
        h.press(KeyCode::Char('n'));
        h.press(KeyCode::Esc);

        // The accept / content-type matrix once every combination has answered.
        h.press(KeyCode::F(4));
        h.until("the matrix", |h| {
            matches!(&h.app.state.screen.overlay, bedrock_tui::app::state::Overlay::Matrix(v) if v.rows.iter().all(|(_, o)| o.is_some()))
        })
        .await;
        settings().bind(|| insta::assert_snapshot!(format!("matrix_{size}"), h.screen()));
        h.press(KeyCode::Esc);

        // The message cursor on a regenerated answer, with its versions; then on its prompt.
        h.ctrl('r');
        h.until("the regenerated answer", |h| {
            h.answer_done() && h.last_answer().alternatives.is_some()
        })
        .await;
        h.press(KeyCode::Tab);
        h.settle().await;
        settings().bind(|| insta::assert_snapshot!(format!("cursor_versions_{size}"), h.screen()));
        h.press(KeyCode::Char('k'));
        h.settle().await;
        settings().bind(|| insta::assert_snapshot!(format!("cursor_prompt_{size}"), h.screen()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn layouts_with_wide_characters_at_130x40_and_40x12() {
    for (width, height) in [(130, 40), (40, 12)] {
        let size = format!("{width}x{height}");
        let mut h = harness(width, height).await;
        h.send("東京の天気は？ 🙂 Tell me about the weather [[emulator:tokens=30]]")
            .await;
        h.finish_answer().await;

        h.press(KeyCode::F(2));
        h.settle().await;
        settings().bind(|| insta::assert_snapshot!(format!("wide_parameters_{size}"), h.screen()));
        h.press(KeyCode::Esc);

        h.press(KeyCode::F(4));
        h.until("the matrix", |h| {
            matches!(&h.app.state.screen.overlay, bedrock_tui::app::state::Overlay::Matrix(v) if v.rows.iter().all(|(_, o)| o.is_some()))
        })
        .await;
        // The timings (and so the room left for the answer) differ from run to run.
        let mut matrix = settings();
        matrix.add_filter(r"(?m) +(?:\d+ ms|-) +\d+ ms .*$", " [times] [answer]");
        matrix.bind(|| insta::assert_snapshot!(format!("wide_matrix_{size}"), h.screen()));
        h.press(KeyCode::Esc);

        h.ctrl('o');
        h.until("the session list", |h| {
            matches!(&h.app.state.screen.overlay, bedrock_tui::app::state::Overlay::Sessions(b) if b.items.is_some() && b.index.is_some())
        })
        .await;
        settings().bind(|| insta::assert_snapshot!(format!("wide_sessions_{size}"), h.screen()));
        h.press(KeyCode::Esc);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tool_call_asked_about_and_its_results() {
    for (width, height) in [(80, 24), (40, 12)] {
        let size = format!("{width}x{height}");
        let mut h = harness(width, height).await;
        h.app.state.tools.toolbox = bedrock_tui::tools::Toolbox::from_config(
            &bedrock_tui::config::tool_config::ToolsConfig {
                builtin: vec!["list_directory".into()],
                ..Default::default()
            },
        );
        // A directory of the test's own, at a path that reads the same on every machine.
        let dir = std::path::Path::new("target/snapshot-tools");
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("notes.txt"), "launch on friday").unwrap();
        h.send("Use list_directory on target/snapshot-tools").await;
        h.until_tool_question().await;
        settings().bind(|| insta::assert_snapshot!(format!("tool_approval_{size}"), h.screen()));
        h.press(KeyCode::Char('y'));
        h.until("the answer after the tool", |h| {
            h.answers().len() == 2 && h.answer_done() && !h.app.state.tools_pending()
        })
        .await;
        let mut tools = settings();
        tools.add_filter(r"in \d+ ms", "in [ms]");
        tools.bind(|| insta::assert_snapshot!(format!("tool_results_{size}"), h.screen()));
    }
}
