//! Latency modes and service tiers: `compare-types --tiers` sends the prompt at standard and
//! optimized latency, each at the default, priority and flex tiers, and reports what each was
//! served at (the response headers); values outside the enumerations are refused; the chat's
//! F6 opens the same rows.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use bedrock_tui::app::state::Overlay;
use common::cli::{demo, run, text};
use common::tui::{Harness, Setup};
use crossterm::event::KeyCode;
use serde_json::Value;

#[test]
fn compare_types_tiers_reports_what_each_row_was_served_at() {
    let home = tempfile::tempdir().unwrap();
    let out = run(demo(home.path()).args([
        "compare-types",
        "--tiers",
        "--json",
        "-m",
        "us.amazon.nova-pro-v1:0",
        "hi [[emulator:tokens=5]]",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 6);
    for row in &rows {
        assert_eq!(row["status"], 200, "{row}");
        let asked = format!(
            "{} {}",
            row["latency"].as_str().unwrap(),
            row["service_tier"].as_str().unwrap()
        );
        assert_eq!(row["served"], asked.as_str(), "{row}");
        assert!(row["first_token_ms"].as_u64().is_some(), "{row}");
    }
    let table =
        run(demo(home.path()).args(["compare-types", "--tiers", "hi [[emulator:tokens=3]]"]));
    let table = text(&table.stdout);
    assert!(table.contains("stream optimized priority"), "{table}");
    assert!(table.contains("200 optimized priority"), "{table}");
    // ask --json says what the answer was served at.
    let ask = run(demo(home.path()).args(["ask", "--json", "--latency", "optimized", "hi"]));
    let summary: Value = serde_json::from_slice(&ask.stdout).unwrap();
    assert_eq!(summary["served"]["latency"], "optimized", "{summary}");
    // --tiers and --accept do not go together.
    let both = run(demo(home.path()).args(["compare-types", "--tiers", "--accept", "*/*", "hi"]));
    assert_eq!(both.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_response_names_the_tier_and_bad_values_are_refused() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let options = bedrock_tui::bedrock::InvokeOptions {
        service_tier: Some("flex".into()),
        performance_latency: Some("optimized".into()),
        ..bedrock_tui::bedrock::InvokeOptions::default()
    };
    let answer = client
        .invoke(
            "anthropic.claude-3-haiku-20240307-v1:0",
            common::claude_body("hi"),
            &options,
        )
        .await
        .unwrap();
    assert_eq!(
        answer.meta.header("x-amzn-bedrock-service-tier"),
        Some("flex")
    );
    assert_eq!(
        answer
            .meta
            .header("x-amzn-bedrock-performanceconfig-latency"),
        Some("optimized")
    );
    // The client refuses values outside the enumerations before sending.
    let bad = bedrock_tui::bedrock::InvokeOptions {
        service_tier: Some("gold".into()),
        ..bedrock_tui::bedrock::InvokeOptions::default()
    };
    let refused = client
        .invoke(
            "anthropic.claude-3-haiku-20240307-v1:0",
            common::claude_body("hi"),
            &bad,
        )
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("priority, default, flex"),
        "{refused}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn f6_opens_the_latency_and_tier_matrix() {
    let mut h = Harness::start(Setup::default()).await;
    h.type_text("compare the tiers");
    h.settle().await;
    h.press(KeyCode::F(6));
    h.until("every row to answer", |h| {
        matches!(&h.app.state.screen.overlay, Overlay::Matrix(v) if v.rows.iter().all(|(_, o)| o.is_some()))
    })
    .await;
    let Overlay::Matrix(view) = &h.app.state.screen.overlay else {
        panic!("no matrix");
    };
    assert_eq!(view.rows.len(), 6);
    let screen = h.screen();
    assert!(screen.contains("optimized"), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_matrices_keep_their_figures_name_what_they_compare_and_ask_before_billing() {
    let mut h = Harness::start(Setup {
        width: 100,
        height: 30,
        ..Setup::default()
    })
    .await;
    h.type_text("compare the tiers");
    h.settle().await;
    h.press(KeyCode::F(6));
    h.until("every row to answer", |h| {
        matches!(&h.app.state.screen.overlay, Overlay::Matrix(v) if v.rows.iter().all(|(_, o)| o.is_some()))
    })
    .await;
    let screen = h.screen();
    // Titled for what it compares; the accept and content type, the same in every row, are
    // said once in the title rather than in two columns.
    assert!(screen.contains("latency / service tier"), "{screen}");
    assert!(screen.contains("accept application/json"), "{screen}");
    assert!(!screen.contains("CONTENT-TYPE"), "{screen}");
    // At 100 columns the timings stay: the answer is cut first.
    for column in ["RESULT", "BYTES", "FIRST", "TOTAL", "ANSWER"] {
        assert!(screen.contains(column), "{column}: {screen}");
    }
    h.press(KeyCode::Esc);
    h.settle().await;
    h.press(KeyCode::F(4));
    h.until("every row to answer", |h| {
        matches!(&h.app.state.screen.overlay, Overlay::Matrix(v) if v.rows.iter().all(|(_, o)| o.is_some()))
    })
    .await;
    let screen = h.screen();
    assert!(screen.contains("accept / content type"), "{screen}");
    for column in ["ACCEPT", "CONTENT-TYPE", "FIRST", "TOTAL"] {
        assert!(screen.contains(column), "{column}: {screen}");
    }
    h.press(KeyCode::Esc);
    h.settle().await;

    // On a real account, nothing is sent until the user has read how many and what they cost.
    if let bedrock_tui::app::state::ConnectionState::Ready { emulator, .. } =
        &mut h.app.state.requests.connection
    {
        *emulator = false;
    }
    h.press(KeyCode::F(4));
    h.settle().await;
    let screen = h.screen();
    let joined: String = screen
        .lines()
        .map(|l| l.trim_matches('│').trim())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        joined.contains("This sends 8 requests to Claude Haiku 4.5"),
        "{screen}"
    );
    assert!(joined.contains("billed to your AWS account"), "{screen}");
    assert!(joined.contains("at most $"), "{screen}");
    let Overlay::Matrix(view) = &h.app.state.screen.overlay else {
        panic!("no matrix");
    };
    assert!(
        view.rows.iter().all(|(_, o)| o.is_none()),
        "nothing was sent"
    );
    h.press(KeyCode::Enter);
    h.until("every row to answer", |h| {
        matches!(&h.app.state.screen.overlay, Overlay::Matrix(v) if v.rows.iter().all(|(_, o)| o.is_some()))
    })
    .await;
}
