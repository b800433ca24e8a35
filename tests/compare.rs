//! Models side by side in the chat: one prompt to several models at once, each streaming in its
//! own pane with its own request, a fault in one pane leaving the others alone, cancel and
//! retry per pane, and keeping one answer in the conversation.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use bedrock_tui::app::state::{AnswerStatus, Overlay, Speaker};
use common::tui::{Harness, Setup};
use crossterm::event::KeyCode;

const HAIKU: &str = "global.anthropic.claude-haiku-4-5-20251001-v1:0";

fn panes(h: &Harness) -> Vec<(String, AnswerStatus, String)> {
    match &h.app.state.screen.overlay {
        Overlay::Compare(view) => view
            .panes
            .iter()
            .map(|p| {
                (
                    p.model.clone(),
                    p.answer.status.clone(),
                    p.answer.text.clone(),
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn all_ended(h: &Harness) -> bool {
    let panes = panes(h);
    !panes.is_empty()
        && panes
            .iter()
            .all(|(_, s, _)| !matches!(s, AnswerStatus::Waiting | AnswerStatus::Streaming))
}

/// Marks a model in the open picker by filtering for it.
fn mark(h: &Harness, filter: &str) {
    h.ctrl('u');
    h.type_text(filter);
    h.press(KeyCode::Tab);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_models_stream_side_by_side_and_a_fault_in_one_leaves_the_others() {
    let mut h = Harness::start(Setup {
        width: 150,
        height: 30,
        tokens_per_second: 300.0,
        ..Setup::default()
    })
    .await;
    h.press(KeyCode::F(5));
    h.settle().await;
    assert!(
        h.screen().contains("type the prompt to compare first"),
        "{}",
        h.screen()
    );

    h.type_text("Side by side [[emulator:tokens=60]] [[fault:throttling after=5 model=llama]]");
    h.press(KeyCode::F(5));
    h.settle().await;
    assert!(
        h.screen().contains("1/4 marked: Claude Haiku 4.5"),
        "{}",
        h.screen()
    );
    // Enter with one model marked asks for more.
    h.press(KeyCode::Enter);
    h.settle().await;
    assert!(h.screen().contains("mark 2 to 4 models"), "{}", h.screen());
    mark(&h, "nova micro");
    mark(&h, "llama 3.3 70b");
    h.settle().await;
    assert!(h.screen().contains("3/4 marked"), "{}", h.screen());
    h.press(KeyCode::Enter);
    h.until("three panes streaming", |h| {
        panes(h).len() == 3 && panes(h).iter().filter(|(_, _, t)| !t.is_empty()).count() >= 2
    })
    .await;
    let screen = h.screen();
    for title in [
        "Claude Haiku 4.5 ·",
        "Nova Micro ·",
        "Llama 3.3 70B Instruct ·",
    ] {
        assert!(screen.contains(title), "{title}\n{screen}");
    }
    h.until("every pane to end", all_ended).await;
    let result = panes(&h);
    assert_eq!(result[0].1, AnswerStatus::Complete, "{result:?}");
    assert_eq!(result[1].1, AnswerStatus::Complete, "{result:?}");
    assert!(
        matches!(&result[2].1, AnswerStatus::Failed(e) if e.name == "ThrottlingException"),
        "{result:?}"
    );
    assert!(
        !result[2].2.is_empty(),
        "the failed pane keeps its partial text"
    );
    assert!(result[0].2.len() > result[2].2.len());
    let screen = h.screen();
    assert!(screen.contains("ThrottlingException"), "{screen}");
    assert!(screen.contains("ttft "), "figures in each pane: {screen}");
    // Nothing joined the conversation yet, and the main view sent nothing.
    assert!(
        h.app
            .state
            .chat
            .messages
            .iter()
            .all(|m| m.speaker == Speaker::Notice)
    );

    // Retry the failed pane: it fails again (the marker is in the prompt), the others stay.
    h.press(KeyCode::Left);
    h.press(KeyCode::Char('r'));
    h.until("the retried pane to end", all_ended).await;
    assert_eq!(panes(&h)[0].2, result[0].2);

    // Keep Nova's answer: prompt and answer join the conversation, which goes on with Nova.
    h.press(KeyCode::Left);
    h.press(KeyCode::Enter);
    h.settle().await;
    assert!(matches!(h.app.state.screen.overlay, Overlay::None));
    assert_eq!(h.app.state.chat.model, "amazon.nova-micro-v1:0");
    let kept: Vec<_> = h
        .app
        .state
        .chat
        .messages
        .iter()
        .filter(|m| m.speaker != Speaker::Notice)
        .collect();
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[1].text, result[1].2);
    assert_eq!(kept[1].model.as_deref(), Some("amazon.nova-micro-v1:0"));
    assert!(h.app.state.draft().is_empty());
    h.send("and now?").await;
    h.finish_answer().await;
    assert_eq!(
        h.last_answer().model.as_deref(),
        Some("amazon.nova-micro-v1:0")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panes_cancel_one_at_a_time_and_esc_cancels_the_rest_then_closes() {
    let mut h = Harness::start(Setup {
        width: 40,
        height: 30,
        tokens_per_second: 50.0,
        ..Setup::default()
    })
    .await;
    h.type_text("slow ones [[emulator:tokens=2000]]");
    h.press(KeyCode::F(5));
    mark(&h, "nova micro");
    h.press(KeyCode::Enter);
    h.until("text in both panes", |h| {
        panes(h).len() == 2 && panes(h).iter().all(|(_, _, t)| !t.is_empty())
    })
    .await;
    // A narrow screen stacks the panes.
    let screen = h.screen();
    assert!(screen.contains("Claude Haiku 4.5 · streaming"), "{screen}");
    assert!(screen.contains("Nova Micro · streaming"), "{screen}");
    h.press(KeyCode::Char('x'));
    h.settle().await;
    assert_eq!(panes(&h)[0].1, AnswerStatus::Cancelled);
    assert_eq!(panes(&h)[1].1, AnswerStatus::Streaming);
    // Enter on a streaming pane is refused; Esc cancels what streams, a second Esc closes.
    h.press(KeyCode::Right);
    h.press(KeyCode::Enter);
    h.settle().await;
    assert!(h.screen().contains("still streaming"), "{}", h.screen());
    h.press(KeyCode::Esc);
    h.settle().await;
    assert!(
        panes(&h)
            .iter()
            .all(|(_, s, _)| *s == AnswerStatus::Cancelled)
    );
    h.press(KeyCode::Esc);
    h.settle().await;
    assert!(matches!(h.app.state.screen.overlay, Overlay::None));
    assert_eq!(h.app.state.chat.model, HAIKU);
    assert_eq!(
        h.app.state.draft(),
        "slow ones [[emulator:tokens=2000]]",
        "the prompt is kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_narrow_pane_keeps_its_cost_and_leaves_out_other_figures() {
    let mut h = Harness::start(Setup {
        width: 60,
        height: 20,
        ..Setup::default()
    })
    .await;
    h.type_text("Narrow panes [[emulator:tokens=20]]");
    h.press(KeyCode::F(5));
    h.settle().await;
    mark(&h, "nova micro");
    h.press(KeyCode::Enter);
    h.until("both panes to end", |h| panes(h).len() == 2 && all_ended(h))
        .await;
    h.settle().await;
    let screen = h.screen();
    let costs = screen.matches(" tok · $").count() + screen.matches(" tok · <$").count();
    assert_eq!(costs, 2, "each pane shows its cost whole: {screen}");
    for line in screen.lines().filter(|l| l.contains(" tok · ")) {
        assert!(!line.contains('…'), "{line}");
    }
}
