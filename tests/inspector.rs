//! The wire inspector in the chat: the request as sent with credentials redacted, the response
//! and every frame, for each answer; exceptions stand out; nothing secret reaches the screen.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

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
    assert!(matches!(
        h.app.state.screen.overlay,
        Overlay::Inspector { .. }
    ));
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
    let secrets = [
        c.access_key_id.clone(),
        c.secret_access_key.clone(),
        c.session_token.clone().unwrap_or_else(|| "no token".into()),
    ];
    for secret in &secrets {
        assert!(!pages.contains(secret.as_str()), "a secret is on screen");
    }
    // Nor in the saved session (or anything else the run wrote).
    h.app.finish();
    let mut files = vec![h.data.path().to_path_buf()];
    let mut checked = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let content = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        for secret in secrets
            .iter()
            .map(String::as_str)
            .chain(["AWS4-HMAC-SHA256", "Signature="])
        {
            assert!(
                !content.contains(secret),
                "{} holds {secret:?}",
                path.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 1, "the session file was checked");
    let mut h = Harness::start(Setup::default()).await;

    // The first answer: a whole stream, ending with the invocation metrics.
    h.send("first [[emulator:tokens=6]]").await;
    h.finish_answer().await;
    h.send("second [[fault:throttling after=4]]").await;
    h.finish_answer().await;
    h.press(KeyCode::F(3));
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
    assert!(matches!(h.app.state.screen.overlay, Overlay::None));

    // An HTTP error shows the attempts and the error; the inspector survives tiny sizes. (A
    // new conversation: the failed second answer is not sent as context, so a third prompt
    // here would follow the second one's in the same user turn.)
    h.ctrl('n');
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
    matches!(&h.app.state.screen.overlay, Overlay::Matrix(v) if v.rows.iter().all(|(_, o)| o.is_some()))
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
        h.screen().contains("accept / content type"),
        "{}",
        h.screen()
    );
    h.press(KeyCode::Esc);
    h.settle().await;
    assert!(matches!(h.app.state.screen.overlay, Overlay::None));

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_is_edited_checked_and_sent_again_outside_the_conversation() {
    let mut h = Harness::start(Setup {
        width: 120,
        height: 40,
        ..Setup::default()
    })
    .await;
    h.send("edit me [[emulator:tokens=5]]").await;
    h.finish_answer().await;
    let conversation = h.app.state.conversation().turns.len();
    h.press(KeyCode::F(3));
    h.press(KeyCode::Char('e'));
    h.settle().await;
    assert!(
        matches!(h.app.state.screen.overlay, Overlay::Resend(_)),
        "{}",
        h.screen()
    );
    let screen = h.screen();
    assert!(
        screen.contains("\"anthropic_version\": \"bedrock-2023-05-31\""),
        "{screen}"
    );
    assert!(screen.contains("Streaming         on"), "{screen}");

    // Broken JSON is refused with its position; nothing is sent.
    h.type_text("x");
    h.ctrl('s');
    h.settle().await;
    assert!(
        h.screen().contains("the body is not JSON: line 1, column "),
        "{}",
        h.screen()
    );
    assert!(matches!(h.app.state.screen.overlay, Overlay::Resend(_)));
    h.press(KeyCode::Backspace);

    // An unknown service tier is refused too.
    for _ in 0..8 {
        h.press(KeyCode::Tab);
    }
    h.type_text("gold");
    h.ctrl('s');
    h.settle().await;
    assert!(h.screen().contains("gold"), "{}", h.screen());
    assert!(matches!(h.app.state.screen.overlay, Overlay::Resend(_)));
    h.ctrl('u');

    // Accept text/plain, not streamed: sent as an edited request.
    h.press(KeyCode::Tab); // back to the body
    h.press(KeyCode::Tab); // Accept
    h.ctrl('u');
    h.type_text("text/plain");
    h.press(KeyCode::Tab);
    h.press(KeyCode::Tab);
    h.press(KeyCode::Char(' ')); // streaming off
    h.ctrl('s');
    h.until("the edited request's answer", |h| {
        h.last_answer().detached && !h.last_answer().in_flight()
    })
    .await;
    let answer = h.last_answer();
    assert!(
        matches!(&answer.status, bedrock_tui::app::state::AnswerStatus::Failed(e) if e.name == "ValidationException"),
        "{:?}",
        answer.status
    );
    assert_eq!(
        h.app.state.conversation().turns.len(),
        conversation,
        "not in the conversation"
    );
    assert!(h.screen().contains("edited request"), "{}", h.screen());
    h.press(KeyCode::F(3));
    let pages = all_pages(&mut h).await;
    assert!(pages.contains("accept: text/plain"), "{pages}");
    assert!(
        pages.contains("/invoke\n") || pages.contains("/invoke "),
        "{pages}"
    );

    // The same body with the defaults answers, and the answer is inspectable.
    h.press(KeyCode::Char('e'));
    h.press(KeyCode::Tab);
    h.ctrl('u');
    h.type_text("application/json");
    h.ctrl('s');
    h.until("the second edited request", |h| {
        h.answers().iter().filter(|m| m.detached).count() == 2 && !h.last_answer().in_flight()
    })
    .await;
    assert_eq!(
        h.last_answer().status,
        bedrock_tui::app::state::AnswerStatus::Complete
    );
    assert!(!h.last_answer().text.is_empty());
}
