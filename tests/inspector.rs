//! The wire inspector in the chat: the request as sent with credentials redacted, the response
//! and every frame, for each answer; exceptions stand out; nothing secret reaches the screen.

mod common;

use bedrock_tui::app::state::Overlay;
use common::tui::{Harness, Setup};
use crossterm::event::KeyCode;

/// Every screen of the inspector, scrolled from top to bottom.
async fn all_pages(h: &mut Harness) -> String {
    h.press(KeyCode::Char('g'));
    h.settle().await;
    let mut pages = h.screen();
    for _ in 0..200 {
        let before = h.screen();
        h.press(KeyCode::PageDown);
        h.settle().await;
        if h.screen() == before {
            break;
        }
        pages.push_str(&h.screen());
    }
    pages
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inspector_shows_request_response_and_frames_without_secrets() {
    let mut h = Harness::start(Setup::default()).await;
    h.press(KeyCode::F(3));
    h.settle().await;
    assert!(
        h.screen().contains("nothing to inspect yet"),
        "{}",
        h.screen()
    );

    h.send("first [[emulator:tokens=6]]").await;
    h.finish_answer().await;
    h.send("second [[fault:throttling after=4]]").await;
    h.finish_answer().await;

    h.press(KeyCode::F(3));
    h.settle().await;
    assert!(matches!(h.app.state.overlay, Overlay::Inspector { .. }));
    let screen = h.screen();
    assert!(screen.contains("inspector · answer 2 of 2"), "{screen}");
    let pages = all_pages(&mut h).await;
    for expected in [
        "POST http://127.0.0.1:",
        "/invoke-with-response-stream",
        "authorization: AWS4-HMAC-SHA256 Credential=[redacted]/",
        "x-amz-security-token: [redacted]",
        "\"text\": \"second [[fault:throttling after=4]]\"",
        "HTTP 200",
        "x-amzn-requestid: ",
        "Event stream · 5 frames",
        ":message-type=exception",
        ":exception-type=throttlingException",
        "✗ ThrottlingException",
    ] {
        assert!(pages.contains(expected), "{expected}\n{pages}");
    }
    let c = h
        .app
        .connection()
        .and_then(|c| c.emulator.as_ref())
        .map(|e| e.config().credentials.clone())
        .expect("the built-in emulator");
    for secret in [
        c.access_key_id.as_str(),
        c.secret_access_key.as_str(),
        c.session_token.as_deref().unwrap_or("no token"),
    ] {
        assert!(!pages.contains(secret), "a secret is on screen");
    }

    // The first answer: a whole stream, ending with the invocation metrics.
    h.press(KeyCode::Left);
    h.settle().await;
    assert!(h.screen().contains("answer 1 of 2"), "{}", h.screen());
    let pages = all_pages(&mut h).await;
    assert!(
        pages.contains("\"text\": \"first [[emulator:tokens=6]]\""),
        "{pages}"
    );
    assert!(
        pages.contains("amazon-bedrock-invocationMetrics"),
        "{pages}"
    );
    assert!(pages.contains("total "), "{pages}");
    assert!(!pages.contains("exception"), "{pages}");
    h.press(KeyCode::Esc);
    h.settle().await;
    assert!(matches!(h.app.state.overlay, Overlay::None));

    // An HTTP error shows the attempts and the error; the inspector survives tiny sizes.
    h.send("third [[fault:http-validation]]").await;
    h.finish_answer().await;
    h.press(KeyCode::F(3));
    let pages = all_pages(&mut h).await;
    assert!(pages.contains("ValidationException"), "{pages}");
    for (w, hgt) in [(20, 5), (3, 2), (80, 24)] {
        h.terminal.backend_mut().resize(w, hgt);
        h.event(crossterm::event::Event::Resize(w, hgt));
        h.settle().await;
    }
}

fn matrix_done(h: &Harness) -> bool {
    matches!(&h.app.state.overlay, Overlay::Matrix(v) if v.rows.iter().all(|(_, o)| o.is_some()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_matrix_runs_every_combination_and_opens_rows_in_the_inspector() {
    let mut h = Harness::start(Setup {
        width: 120,
        height: 30,
        ..Setup::default()
    })
    .await;
    h.press(KeyCode::F(4));
    h.settle().await;
    assert!(h.screen().contains("type a prompt first"), "{}", h.screen());

    // The draft is the prompt; it stays in the editor.
    h.type_text("matrix prompt [[emulator:tokens=5]]");
    h.press(KeyCode::F(4));
    h.until("every combination", matrix_done).await;
    let screen = h.screen();
    assert!(screen.contains("8/8"), "{screen}");
    assert_eq!(
        screen.matches("400 ValidationException").count(),
        4,
        "{screen}"
    );
    assert_eq!(
        screen.matches(" 200 ").count(),
        4,
        "json content type answers, streamed and not: {screen}"
    );
    assert_eq!(h.app.state.draft(), "matrix prompt [[emulator:tokens=5]]");

    // Row 3 (Content-Type */*, streamed) in the inspector, then back to the table.
    h.press(KeyCode::Down);
    h.press(KeyCode::Down);
    h.press(KeyCode::Enter);
    h.settle().await;
    let pages = all_pages(&mut h).await;
    assert!(pages.contains("content-type: */*"), "{pages}");
    assert!(pages.contains("HTTP 400"), "{pages}");
    assert!(
        pages.contains("ValidationException: The provided Content-Type header value */*"),
        "{pages}"
    );
    h.press(KeyCode::Right);
    h.settle().await;
    assert!(
        h.screen().contains("Accept */* · Content-Type */*"),
        "{}",
        h.screen()
    );
    h.press(KeyCode::Esc);
    h.settle().await;
    assert!(
        h.screen().contains("accept / content-type"),
        "{}",
        h.screen()
    );
    h.press(KeyCode::Esc);
    h.settle().await;
    assert!(matches!(h.app.state.overlay, Overlay::None));

    // Without a draft, the last prompt is used.
    h.app.state.set_draft("");
    h.send("sent prompt [[emulator:tokens=3]]").await;
    h.finish_answer().await;
    h.press(KeyCode::F(4));
    h.until("every combination", matrix_done).await;
    h.press(KeyCode::Enter);
    h.settle().await;
    let pages = all_pages(&mut h).await;
    assert!(
        pages.contains("\"text\": \"sent prompt [[emulator:tokens=3]]\""),
        "{pages}"
    );
}
