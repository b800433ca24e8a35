//! Key-sequence tests of the chat screen: the real loop on a `TestBackend` against the emulator.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use bedrock_tui::app::state::{AnswerStatus, Focus, Overlay, Scroll, Speaker};
use common::tui::{Harness, Setup};
use crossterm::event::{Event, KeyCode, KeyModifiers};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prompt_streams_token_by_token_and_renders_markdown() {
    let mut h = Harness::start(Setup {
        tokens_per_second: 400.0,
        ..Setup::default()
    })
    .await;
    h.send("Hello there").await;
    h.until_text_streams().await;
    let partial = h.last_answer().text.clone();
    assert!(
        h.screen().contains("streaming"),
        "{}\n{:?}",
        h.screen(),
        h.last_answer()
    );
    h.finish_answer().await;
    let answer = h.last_answer();
    assert_eq!(answer.status, AnswerStatus::Complete);
    assert!(
        answer.text.len() > partial.len(),
        "the answer grew after the first frames"
    );
    assert!(answer.text.starts_with(&partial));
    assert!(answer.stats.first_token.is_some());
    assert!(answer.stats.output_tokens().unwrap_or(0) > 10);
    assert!(answer.cost().is_some(), "Claude Haiku 4.5 has a price");
    let screen = h.screen();
    // The last line of the answer is on screen, and the transcript follows the stream.
    let last_word = answer
        .text
        .split_whitespace()
        .last()
        .unwrap()
        .replace(['`', '*'], "");
    let last_row = screen
        .lines()
        .rev()
        .find(|l| !l.is_empty() && !l.contains("IDLE") && !l.starts_with(['│', '┌', '└']))
        .unwrap();
    assert!(
        last_row.ends_with(&last_word),
        "{last_row:?} {last_word:?}\n{screen}"
    );
    assert_eq!(h.app.state.screen.scroll, Scroll::Follow);
    assert!(screen.contains("IDLE"), "{screen}");
    assert!(screen.contains(" in · "), "status bar figures: {screen}");
    // The prompt went into the transcript and the editor is empty again.
    assert_eq!(h.app.state.chat.messages[0].text, "Hello there");
    assert!(h.app.state.draft().is_empty());
}

/// Faults that break a stream after it began without an exception event: decoding failures.
const STREAM_FAULTS: &[(&str, &str)] = &[
    ("bad-crc", "EventStreamDecodeError"),
    ("truncate", "TruncatedStream"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_in_stream_fault_shows_inline_and_keeps_the_partial_answer() {
    let mut h = Harness::start(Setup {
        width: 100,
        height: 30,
        ..Setup::default()
    })
    .await;
    for (fault, name) in common::STREAM_EXCEPTIONS.iter().chain(STREAM_FAULTS) {
        h.send(&format!("tell me [[fault:{fault} after=4]]")).await;
        h.finish_answer().await;
        let answer = h.last_answer();
        let AnswerStatus::Failed(error) = &answer.status else {
            panic!("{fault}: not failed: {:?}", answer.status);
        };
        assert_eq!(error.name, *name, "{fault}");
        assert!(error.in_stream, "{fault}");
        assert!(!answer.text.is_empty(), "{fault}: the partial text is kept");
        if *fault == "model-stream-error" {
            assert!(error.original_status.is_some(), "original status kept");
        }
        let screen = h.screen();
        assert!(screen.contains(&format!("✗ {name}")), "{fault}\n{screen}");
        assert!(
            screen.contains("partial answer is kept"),
            "{fault}\n{screen}"
        );
        assert!(screen.contains("ctrl+r retries"), "{fault}\n{screen}");
        assert!(screen.contains("ERROR"), "{fault}\n{screen}");
    }
    // The conversation goes on after the errors (the failed answers are not sent, so their
    // prompts go with this one, whose marker says no fault).
    h.send("and now a normal answer [[fault:none]]").await;
    h.finish_answer().await;
    assert_eq!(h.status_of_last(), AnswerStatus::Complete);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_errors_reset_and_stalls_are_inline_too() {
    let mut h = Harness::start(Setup {
        idle_timeout: Duration::from_millis(400),
        ..Setup::default()
    })
    .await;
    for (fault, name, status) in [
        ("http-validation", "ValidationException", Some(400)),
        ("http-throttling", "ThrottlingException", Some(429)),
        ("http-model-error", "ModelErrorException", Some(424)),
        ("reset", "", None),
        ("stall after=2", "", None),
        ("wrong-content-type", "", None),
        ("flood", "", None),
    ] {
        // A new conversation each time: a failed prompt without an answer would otherwise be
        // merged with the next one (the conversation keeps every prompt).
        h.ctrl('n');
        h.settle().await;
        h.send(&format!("go [[fault:{fault}]]")).await;
        h.finish_answer().await;
        let AnswerStatus::Failed(error) = h.status_of_last() else {
            panic!("{fault}: not failed");
        };
        if name.is_empty() {
            assert!(!error.message.is_empty(), "{fault}: {error:?}");
        } else {
            assert_eq!(error.name, name, "{fault}");
            assert_eq!(error.status, status, "{fault}");
            assert!(
                h.screen().contains(&format!("(HTTP {})", status.unwrap())),
                "{}",
                h.screen()
            );
        }
        if fault.starts_with("stall") {
            assert!(error.message.contains("idle timeout"), "{error:?}");
        }
        if fault == "wrong-content-type" {
            assert_eq!(error.name, "UnexpectedContentType", "{error:?}");
            assert!(
                h.screen().contains("UnexpectedContentType"),
                "{}",
                h.screen()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esc_cancels_and_keeps_the_partial_answer_then_retry_answers() {
    let mut h = Harness::start(Setup {
        tokens_per_second: 50.0,
        ..Setup::default()
    })
    .await;
    h.send("a long answer please").await;
    h.until("some text", |h| {
        h.answers().last().is_some_and(|m| m.text.len() > 10)
    })
    .await;
    h.press(KeyCode::Esc);
    h.until("the cancel", |h| {
        h.status_of_last() == AnswerStatus::Cancelled
    })
    .await;
    let kept = h.last_answer().text.clone();
    assert!(!kept.is_empty());
    assert!(h.app.state.requests.in_flight.is_none());
    // Events of the cancelled request that were already in flight are dropped.
    tokio::time::sleep(Duration::from_millis(100)).await;
    h.settle().await;
    assert_eq!(h.last_answer().text, kept);
    assert!(h.screen().contains("■ cancelled"), "{}", h.screen());
    // One key retries; the cancelled answer becomes the other version of the new one.
    h.ctrl('r');
    h.until("the retry to finish", |h| {
        h.answer_done() && h.last_answer().alternatives.is_some()
    })
    .await;
    let answers = h.answers();
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].status, AnswerStatus::Complete);
    assert!(
        answers[0].text.starts_with(&kept),
        "same prompt, same deterministic answer"
    );
    // The conversation sent next has the new answer only.
    let conversation = h.app.state.conversation();
    assert_eq!(conversation.turns.len(), 2);
    // In the transcript the answer is selected, its header in view with its versions.
    h.press(KeyCode::Tab);
    h.settle().await;
    assert!(h.screen().contains("‹2/2› [ ]"), "{}", h.screen());
    // The cancelled one is a key away, and comes back as it was.
    h.press(KeyCode::Char('['));
    h.settle().await;
    assert_eq!(h.last_answer().text, kept);
    assert_eq!(h.status_of_last(), AnswerStatus::Cancelled);
    assert!(h.screen().contains("‹1/2›"), "{}", h.screen());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_an_http_error_succeeds() {
    let mut h = Harness::start(Setup {
        height: 60,
        ..Setup::default()
    })
    .await;
    // The first attempt of this request gets a 429; the client makes one attempt only.
    h.send("please [[fault:flaky=1]]").await;
    h.finish_answer().await;
    assert!(matches!(h.status_of_last(), AnswerStatus::Failed(_)));
    h.ctrl('r');
    h.until("the retry", |h| {
        h.answer_done() && h.last_answer().alternatives.is_some()
    })
    .await;
    assert_eq!(h.status_of_last(), AnswerStatus::Complete);
    assert_eq!(
        h.answers().len(),
        1,
        "the failed answer is the other version"
    );
    assert!(h.screen().contains("‹2/2›"), "{}", h.screen());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_models_mid_conversation_re_encodes_for_the_new_family() {
    let mut h = Harness::start(Setup {
        width: 100,
        height: 30,
        ..Setup::default()
    })
    .await;
    h.send("first question").await;
    h.finish_answer().await;
    assert_eq!(h.status_of_last(), AnswerStatus::Complete);
    // Every text family in turn continues the same conversation; the strict emulator refuses a
    // body in another family's format, so a complete answer proves the re-encoding.
    for (filter, expected) in [
        ("nova micro", "amazon.nova-micro-v1:0"),
        ("llama3-70b", "meta.llama3-70b-instruct-v1:0"),
        ("mistral 7b", "mistral.mistral-7b-instruct-v0:2"),
        ("titan text express", "amazon.titan-text-express-v1"),
        ("command-r-v1", "cohere.command-r-v1:0"),
        ("jamba 1.5 mini", "ai21.jamba-1-5-mini-v1:0"),
    ] {
        h.ctrl('p');
        h.type_text(filter);
        h.settle().await;
        let Overlay::Picker(picker) = &h.app.state.screen.overlay else {
            panic!("picker not open");
        };
        let picked = picker.selected_item().expect("a match").id.clone();
        assert!(picked.ends_with(expected), "{filter}: picked {picked}");
        h.press(KeyCode::Enter);
        h.send(&format!("next question for {filter}")).await;
        h.finish_answer().await;
        let answer = h.last_answer();
        assert_eq!(
            answer.status,
            AnswerStatus::Complete,
            "{filter}: {:?}",
            answer.status
        );
        assert!(answer.model.as_deref().unwrap().ends_with(expected));
        assert!(!answer.text.is_empty());
    }
    // The transcript records which model answered each turn.
    let models: Vec<String> = h.answers().iter().filter_map(|m| m.model.clone()).collect();
    assert_eq!(models.len(), 7);
    assert!(models[0].contains("claude-haiku-4-5"));
    let notices = h
        .app
        .state
        .chat
        .messages
        .iter()
        .filter(|m| m.speaker == Speaker::Notice)
        .count();
    assert_eq!(notices, 6);
    assert!(h.screen().contains("Jamba 1.5 Mini"), "{}", h.screen());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn picker_filters_and_refuses_non_text_models() {
    let mut h = Harness::start(Setup::default()).await;
    h.ctrl('p');
    h.type_text("llama 70");
    h.settle().await;
    let Overlay::Picker(picker) = &h.app.state.screen.overlay else {
        panic!()
    };
    assert!(!picker.matches.is_empty());
    // Scattered matches are allowed; contiguous ones come first.
    for &i in &picker.matches[..3] {
        let id = &picker.items[i].id;
        assert!(id.contains("llama") && id.contains("70b"), "{id}");
    }
    let screen = h.screen();
    assert!(screen.contains("> llama 70"), "{screen}");
    // Backspace widens the filter again; Ctrl+U clears it.
    h.press(KeyCode::Backspace);
    h.settle().await;
    let Overlay::Picker(picker) = &h.app.state.screen.overlay else {
        panic!()
    };
    assert_eq!(picker.filter, "llama 7");
    h.ctrl('u');
    h.type_text("titan embed");
    h.press(KeyCode::Enter);
    h.settle().await;
    assert!(
        matches!(h.app.state.screen.overlay, Overlay::Picker(_)),
        "an embedding model is refused"
    );
    assert!(h.screen().contains("makes embeddings"), "{}", h.screen());
    h.press(KeyCode::Esc);
    h.settle().await;
    assert!(matches!(h.app.state.screen.overlay, Overlay::None));
    assert!(
        h.app.state.chat.model.contains("claude-haiku-4-5"),
        "the model did not change"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_paste_lands_in_the_editor_at_once_and_is_sent_as_one_prompt() {
    let mut h = Harness::start(Setup::default()).await;
    let paste = (0..20_000).fold(String::new(), |mut paste, i| {
        paste.push_str(&format!("line {i} of a large paste\r\n"));
        paste
    });
    assert!(paste.len() > 500_000);
    let started = std::time::Instant::now();
    h.event(Event::Paste(paste.clone()));
    h.settle().await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    assert!(h.app.state.chat.messages.is_empty(), "a paste never sends");
    // Too large to edit as text: one token in the editor, the text kept aside.
    assert_eq!(h.app.state.composer.editor.lines().len(), 1);
    assert!(
        h.screen().contains("⟦pasted text #1: 20001 lines"),
        "{}",
        h.screen()
    );
    assert!(h.screen().contains("1 pasted block"), "{}", h.screen());
    // Typing around it is kept around it.
    h.key(KeyCode::Home, KeyModifiers::NONE);
    h.type_text("Review this: ");
    h.key(KeyCode::End, KeyModifiers::NONE);
    h.type_text(" Thanks.");
    h.settle().await;
    h.press(KeyCode::Enter);
    h.finish_answer().await;
    let sent = &h.app.state.chat.messages[0].text;
    assert_eq!(
        sent,
        &format!("Review this: {} Thanks.", paste.replace("\r\n", "\n"))
    );
    assert!(
        h.app.state.composer.pastes.is_empty(),
        "sent blocks are cleared"
    );
    assert_eq!(h.app.state.composer.editor.lines(), [""]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pasted_block_whose_token_is_deleted_is_not_sent() {
    let mut h = Harness::start(Setup::default()).await;
    h.event(Event::Paste("x\n".repeat(6_000)));
    h.settle().await;
    assert_eq!(h.app.state.composer.pastes.len(), 1);
    // The token erased with Backspace, then a short prompt.
    for _ in 0..80 {
        h.key(KeyCode::Backspace, KeyModifiers::NONE);
    }
    h.settle().await;
    assert_eq!(h.app.state.composer.editor.lines(), [""]);
    h.type_text("just this");
    h.settle().await;
    h.press(KeyCode::Enter);
    h.finish_answer().await;
    assert_eq!(h.app.state.chat.messages[0].text, "just this");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editor_newlines_history_and_undo() {
    let mut h = Harness::start(Setup::default()).await;
    h.type_text("one");
    h.key(KeyCode::Enter, KeyModifiers::ALT);
    h.type_text("two");
    h.key(KeyCode::Enter, KeyModifiers::SHIFT);
    h.type_text("three");
    h.ctrl('j');
    h.type_text("four");
    h.settle().await;
    assert_eq!(h.app.state.draft(), "one\ntwo\nthree\nfour");
    h.ctrl('z');
    h.settle().await;
    assert_ne!(h.app.state.draft(), "one\ntwo\nthree\nfour");
    h.key(KeyCode::Char('z'), KeyModifiers::ALT);
    h.settle().await;
    assert_eq!(h.app.state.draft(), "one\ntwo\nthree\nfour");
    h.press(KeyCode::Enter);
    h.finish_answer().await;
    h.send("second").await;
    h.finish_answer().await;
    // Up on an empty editor recalls the last prompts, Down goes forward again.
    h.press(KeyCode::Up);
    h.settle().await;
    assert_eq!(h.app.state.draft(), "second");
    h.press(KeyCode::Up);
    h.settle().await;
    assert_eq!(h.app.state.draft(), "one\ntwo\nthree\nfour");
    h.press(KeyCode::Down);
    h.press(KeyCode::Down);
    h.settle().await;
    assert_eq!(h.app.state.draft(), "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_draft_survives_errors_refusals_and_model_switches() {
    let mut h = Harness::start(Setup {
        tokens_per_second: 30.0,
        ..Setup::default()
    })
    .await;
    h.send("stream for a while").await;
    h.type_text("my draft");
    h.settle().await;
    h.press(KeyCode::Enter);
    h.settle().await;
    // Enter during a stream queues the prompt; Esc takes it back into the editor.
    assert_eq!(
        h.app.state.composer.queued_prompt.as_deref(),
        Some("my draft")
    );
    assert_eq!(h.app.state.draft(), "");
    assert!(h.screen().contains("queued"), "{}", h.screen());
    h.press(KeyCode::Esc);
    h.settle().await;
    assert_eq!(h.app.state.composer.queued_prompt, None);
    assert_eq!(h.app.state.draft(), "my draft");
    assert!(
        h.app.state.requests.in_flight.is_some(),
        "taking back a prompt cancels nothing"
    );
    h.ctrl('p');
    h.type_text("nova lite");
    h.press(KeyCode::Enter);
    h.settle().await;
    assert_eq!(h.app.state.draft(), "my draft");
    assert!(
        h.app.state.requests.in_flight.is_some(),
        "the stream in flight goes on"
    );
    h.press(KeyCode::Esc);
    h.settle().await;
    assert!(h.app.state.requests.in_flight.is_none());
    assert_eq!(h.app.state.draft(), "my draft");
    // Parameters the model refuses keep the draft too.
    h.app.state.chat.params.top_p = Some(3.0);
    h.press(KeyCode::Enter);
    h.settle().await;
    assert_eq!(h.app.state.draft(), "my draft");
    assert!(h.screen().contains("top_p"), "{}", h.screen());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parameters_form_validates_against_the_model() {
    let mut h = Harness::start(Setup::default()).await;
    h.press(KeyCode::F(2));
    h.type_text("Answer in French.");
    h.press(KeyCode::Down);
    h.type_text("256");
    h.press(KeyCode::Down);
    h.type_text("0.5");
    h.press(KeyCode::Down);
    h.type_text("0.9");
    h.press(KeyCode::Enter);
    h.settle().await;
    // Claude Haiku 4.5 takes temperature or top_p, not both.
    let Overlay::Parameters(form) = &h.app.state.screen.overlay else {
        panic!("the form stays open: {}", h.screen());
    };
    assert!(
        form.error
            .as_deref()
            .unwrap_or_default()
            .contains("temperature"),
        "{form:?}"
    );
    assert!(h.screen().contains("not both"), "{}", h.screen());
    h.press(KeyCode::Backspace);
    h.press(KeyCode::Backspace);
    h.press(KeyCode::Backspace);
    h.press(KeyCode::Enter);
    h.settle().await;
    assert!(
        matches!(h.app.state.screen.overlay, Overlay::None),
        "{}",
        h.screen()
    );
    assert_eq!(
        h.app.state.chat.system.as_deref(),
        Some("Answer in French.")
    );
    assert_eq!(h.app.state.chat.params.max_tokens, Some(256));
    assert_eq!(h.app.state.chat.params.temperature, Some(0.5));
    h.send("bonjour").await;
    h.finish_answer().await;
    assert_eq!(h.status_of_last(), AnswerStatus::Complete);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transcript_scrolls_with_keys_and_wheel_and_sticks_only_at_the_bottom() {
    let mut h = Harness::start(Setup {
        width: 60,
        height: 14,
        ..Setup::default()
    })
    .await;
    h.send("first").await;
    h.finish_answer().await;
    h.press(KeyCode::Tab);
    // Ctrl+Y scrolls by lines (k and j move the message cursor).
    h.ctrl('y');
    h.ctrl('y');
    h.settle().await;
    assert_eq!(h.app.state.screen.focus, Focus::Transcript);
    let Scroll::Line(top) = h.app.state.screen.scroll else {
        panic!("scrolled: {:?}", h.app.state.screen.scroll)
    };
    h.event(Event::Mouse(crossterm::event::MouseEvent {
        kind: crossterm::event::MouseEventKind::ScrollUp,
        column: 1,
        row: 1,
        modifiers: KeyModifiers::NONE,
    }));
    h.settle().await;
    assert_eq!(h.app.state.screen.scroll, Scroll::Line(top - 3));
    // g selects the first message and brings it into view.
    h.press(KeyCode::Char('g'));
    h.settle().await;
    let first = h.app.state.chat.messages[0].id;
    assert_eq!(h.app.state.screen.scroll, Scroll::Message(first));
    assert_eq!(h.app.state.screen.cursor, Some(first));
    assert!(
        h.screen().contains("▶ You"),
        "the top of the transcript, selected: {}",
        h.screen()
    );
    // New text while scrolled up does not move the view.
    h.press(KeyCode::Char('i'));
    h.app.state.screen.scroll = Scroll::Line(0);
    h.send("second").await;
    h.app.state.screen.scroll = Scroll::Line(0);
    h.until("the answer", |h| h.answers().len() == 2 && h.answer_done())
        .await;
    h.press(KeyCode::Tab);
    h.press(KeyCode::Char('G'));
    h.settle().await;
    assert_eq!(h.app.state.screen.scroll, Scroll::Follow);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resizing_to_tiny_sizes_never_panics() {
    let mut h = Harness::start(Setup::default()).await;
    h.send("some text to lay out [[emulator:tokens=80]]").await;
    h.finish_answer().await;
    for (w, hgt) in [
        (20, 5),
        (1, 1),
        (3, 2),
        (0, 0),
        (200, 60),
        (40, 12),
        (80, 24),
    ] {
        h.terminal.backend_mut().resize(w, hgt);
        h.event(Event::Resize(w, hgt));
        h.settle().await;
        for open in [KeyCode::F(1), KeyCode::F(2)] {
            h.press(open);
            h.settle().await;
            h.press(KeyCode::Esc);
            h.settle().await;
        }
        h.ctrl('p');
        h.settle().await;
        h.press(KeyCode::Esc);
        h.settle().await;
    }
    assert!(h.screen().contains("You"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_help_reasoning_and_quit() {
    let mut h = Harness::start(Setup::default()).await;
    h.send("show me some code").await;
    h.finish_answer().await;
    h.ctrl('y');
    h.key(KeyCode::Char('y'), KeyModifiers::ALT);
    h.settle().await;
    let copied = h.clipboard.0.lock().unwrap().clone();
    assert_eq!(copied.len(), 2);
    assert_eq!(copied[0], h.last_answer().text);
    assert!(!copied[1].contains("```") && h.last_answer().text.contains(&copied[1]));
    // `?` on an empty prompt opens the help; the help lists the bindings.
    h.type_text("?");
    h.settle().await;
    assert!(matches!(h.app.state.screen.overlay, Overlay::Help { .. }));
    assert!(h.screen().contains("Send the prompt."), "{}", h.screen());
    h.press(KeyCode::Esc);
    // `?` inside a prompt is just a character.
    h.type_text("why?");
    h.settle().await;
    assert_eq!(h.app.state.draft(), "why?");
    // Ctrl+C once warns, another key disarms it, twice quits.
    h.ctrl('c');
    h.settle().await;
    assert!(h.screen().contains("to quit"));
    assert!(h.running);
    h.type_text("x");
    h.ctrl('c');
    h.settle().await;
    assert!(h.running);
    // The warning expires after two seconds: the next Ctrl+C warns again.
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    h.settle().await;
    assert!(!h.screen().contains("to quit"), "{}", h.screen());
    assert!(h.app.state.quit_armed.is_none());
    h.ctrl('c');
    h.settle().await;
    assert!(h.running && h.screen().contains("to quit"));
    h.ctrl('c');
    h.settle().await;
    assert!(!h.running && h.app.state.quit);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_during_an_answer_cancels_it_and_does_not_quit() {
    let mut h = Harness::start(Setup {
        tokens_per_second: 50.0,
        ..Setup::default()
    })
    .await;
    h.send("Tell me a long story").await;
    h.until_text_streams().await;
    h.ctrl('c');
    h.settle().await;
    assert_eq!(h.status_of_last(), AnswerStatus::Cancelled);
    assert!(h.running);
    assert!(
        h.app.state.quit_armed.is_none(),
        "a cancel does not arm the quit"
    );
    assert!(!h.last_answer().text.is_empty(), "the partial text is kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reasoning_is_folded_and_unfolds() {
    let mut h = Harness::start(Setup {
        width: 100,
        height: 40,
        model: "us.deepseek.r1-v1:0".into(),
        ..Setup::default()
    })
    .await;
    h.send("think about it").await;
    h.finish_answer().await;
    let answer = h.last_answer();
    assert_eq!(answer.status, AnswerStatus::Complete, "{:?}", answer.status);
    assert!(!answer.reasoning.is_empty());
    assert!(h.screen().contains("▸ thinking"), "{}", h.screen());
    h.ctrl('t');
    h.settle().await;
    assert!(h.screen().contains("▾ thinking"), "{}", h.screen());
    assert!(h.app.state.settings.show_reasoning);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escape_sequences_in_model_output_are_shown_not_executed() {
    let mut h = Harness::start(Setup::default()).await;
    // CSI (clear screen, colour), OSC 52 (set the clipboard), OSC 8 (hyperlink), DCS, a C1
    // CSI, a bare CR and BEL: the emulator echoes them back as the model's answer. The prompt
    // goes into the editor directly, as a paste would be sanitised on the way in.
    let hostile = "[[emulator:echo]] before \x1b[2J\x1b[31mred \x1b]52;c;ZXZpbA==\x07 \
                   \x1b]8;;https://example.invalid\x1b\\link\x1b]8;;\x1b\\ \x1bP1$qm\x1b\\ \
                   \u{9b}31m over\rwrite \x7f after";
    h.app.state.composer.editor.insert_str(hostile);
    h.press(KeyCode::Enter);
    h.finish_answer().await;
    let answer = h.last_answer();
    assert_eq!(answer.status, AnswerStatus::Complete);
    assert!(
        answer.text.contains("\x1b]52;c;"),
        "the model's text is kept as it came: {:?}",
        answer.text
    );
    let buffer = h.terminal.backend().buffer();
    for cell in buffer.content() {
        assert!(
            !cell.symbol().chars().any(char::is_control),
            "a control character reached the terminal buffer: {:?}\n{}",
            cell.symbol(),
            h.screen()
        );
    }
    let screen = h.screen();
    assert!(screen.contains("␛[2J"), "{screen}");
    assert!(screen.contains("␛]52;c;ZXZpbA==␇"), "{screen}");
    assert!(screen.contains("after"), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_frame_does_not_wait_for_credentials_and_an_early_prompt_is_kept() {
    let started = std::time::Instant::now();
    let mut h = Harness::start(Setup {
        connect_delay: Duration::from_millis(800),
        ..Setup::default()
    })
    .await;
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "first frame after {:?}",
        started.elapsed()
    );
    let screen = h.screen();
    assert!(screen.contains("CONNECTING"), "{screen}");
    assert!(screen.contains("resolving credentials"), "{screen}");
    // A prompt typed meanwhile waits for the connection instead of failing.
    h.send("sent before the credentials were there").await;
    assert_eq!(h.last_answer().status, AnswerStatus::Waiting);
    h.finish_answer().await;
    assert_eq!(h.last_answer().status, AnswerStatus::Complete);
    assert!(!h.last_answer().text.is_empty());
    assert!(started.elapsed() >= Duration::from_millis(800));
    assert!(h.screen().contains("emulator"), "{}", h.screen());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_is_shown_inline_with_the_text_before_it() {
    let mut h = Harness::start(Setup {
        width: 100,
        height: 30,
        max_attempts: 3,
        idle_timeout: Duration::from_millis(500),
        ..Setup::default()
    })
    .await;
    for &(spec, status, name, partial) in common::FAULT_MATRIX {
        h.ctrl('n');
        h.settle().await;
        h.send(&format!("Explain the matrix [[fault:{spec}]]"))
            .await;
        h.finish_answer().await;
        let answer = h.last_answer().clone();
        if status == 0 {
            assert_eq!(answer.status, AnswerStatus::Complete, "{spec}");
            assert!(!answer.text.is_empty(), "{spec}");
            continue;
        }
        let AnswerStatus::Failed(error) = &answer.status else {
            panic!("{spec}: {:?}", answer.status);
        };
        assert_eq!(error.name, name, "{spec}");
        assert_eq!(
            !answer.text.is_empty(),
            partial,
            "{spec}: {:?}",
            answer.text
        );
        assert!(h.screen().contains(name), "{spec}\n{}", h.screen());
        assert!(
            h.screen().contains("retries"),
            "a retry key is offered: {}",
            h.screen()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paste_without_bracketed_paste_never_sends_a_prompt() {
    let mut h = Harness::start(Setup::default()).await;
    // What a terminal without bracketed paste sends for three pasted lines: the text with an
    // Enter for each newline, all at once.
    for line in ["first line", "second line", "third line"] {
        h.type_text(line);
        h.press(KeyCode::Enter);
    }
    h.settle().await;
    assert!(
        h.app.state.chat.messages.is_empty(),
        "a prompt was sent from inside a paste"
    );
    assert_eq!(h.app.state.draft(), "first line\nsecond line\nthird line\n");
    // The user's own Enter after it sends the whole paste as one prompt.
    h.key(KeyCode::Backspace, KeyModifiers::NONE);
    h.settle().await;
    h.press(KeyCode::Enter);
    h.finish_answer().await;
    let prompts = h.prompts();
    assert_eq!(prompts, ["first line\nsecond line\nthird line"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_typed_by_a_program_then_enter_sends_as_a_shell_would() {
    let mut h = Harness::start(Setup::default()).await;
    // `tmux send-keys 'question' ; tmux send-keys Enter`, vim-slime, a text expander: the
    // text and its Enter in one burst, no newline in the text.
    h.type_text("What is a burst?");
    h.press(KeyCode::Enter);
    h.until("the prompt to be sent", |h| h.prompts().len() == 1)
        .await;
    assert_eq!(h.prompts(), ["What is a burst?"]);
    assert_eq!(h.app.state.draft(), "");
    h.finish_answer().await;
    // A burst that holds lines keeps its Enters, the last one too: the user's Enter sends.
    h.type_text("one");
    h.press(KeyCode::Enter);
    h.type_text("two");
    h.press(KeyCode::Enter);
    h.settle().await;
    assert_eq!(h.prompts().len(), 1, "nothing more was sent");
    assert_eq!(h.app.state.draft(), "one\ntwo\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_paste_without_bracketed_paste_goes_in_as_one_edit() {
    let mut h = Harness::start(Setup::default()).await;
    h.type_text("before: ");
    h.settle().await;
    // 2,000 lines of 40 characters with an Enter each (80 KB of keys), all at once. Key by key
    // each character would wrap the whole prompt anew: minutes for this much.
    let line = "0123456789 abcdefghij 0123456789 ABCDEF";
    for _ in 0..2000 {
        h.type_text(line);
        h.press(KeyCode::Enter);
    }
    let started = std::time::Instant::now();
    h.until("the paste in the prompt", |h| {
        h.app.state.draft().len() == "before: ".len() + 2000 * (line.len() + 1)
    })
    .await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "the paste took {took:?}");
    assert!(h.app.state.chat.messages.is_empty(), "nothing was sent");
    assert!(h.app.state.draft().starts_with("before: 0123456789 abc"));
    // Undo takes the paste back in one step, leaving what was typed before it.
    h.ctrl('z');
    h.settle().await;
    let draft = h.app.state.draft();
    assert!(draft == "before: ", "undo left {} bytes", draft.len());
    // A few keys typed quickly are still keys: `?` on an empty prompt opens the help.
    h.ctrl('g');
    h.settle().await;
    h.type_text("?");
    h.settle().await;
    assert!(h.screen().contains("help · Esc closes"), "{}", h.screen());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enter_during_an_answer_queues_the_prompt_until_it_ends() {
    let mut h = Harness::start(Setup {
        tokens_per_second: 40.0,
        ..Setup::default()
    })
    .await;
    h.send("first question").await;
    h.until_text_streams().await;
    h.type_text("second question");
    h.settle().await;
    h.press(KeyCode::Enter);
    h.settle().await;
    assert_eq!(
        h.app.state.composer.queued_prompt.as_deref(),
        Some("second question")
    );
    let queued_note = |h: &Harness| {
        h.app
            .state
            .chat
            .messages
            .iter()
            .any(|m| m.speaker == Speaker::Notice && m.text.starts_with("⏳ queued"))
    };
    assert!(queued_note(&h), "the transcript shows the queued prompt");
    h.until("the queued prompt to be sent", |h| h.prompts().len() == 2)
        .await;
    assert!(!queued_note(&h), "the note goes once the prompt is sent");
    h.finish_answer().await;
    let prompts = h.prompts();
    assert_eq!(prompts, ["first question", "second question"]);
    assert_eq!(h.status_of_last(), AnswerStatus::Complete);
    assert_eq!(h.app.state.composer.queued_prompt, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_escaped_prompt_is_sent_as_a_prompt_never_run_as_a_command() {
    let mut h = Harness::start(Setup {
        tokens_per_second: 20.0,
        ..Setup::default()
    })
    .await;
    h.send("first question").await;
    h.until_text_streams().await;
    // `//help` asks the model about `/help`; queued, it must not open the help when the
    // answer ends.
    h.send("//help").await;
    assert_eq!(h.app.state.composer.queued_prompt.as_deref(), Some("/help"));
    h.until("the queued prompt to be sent", |h| h.prompts().len() == 2)
        .await;
    h.finish_answer().await;
    assert_eq!(h.prompts(), ["first question", "/help"]);
    assert!(matches!(h.app.state.screen.overlay, Overlay::None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_conversation_gives_a_queued_prompt_back_instead_of_sending_it_there() {
    let mut h = Harness::start(Setup {
        tokens_per_second: 20.0,
        ..Setup::default()
    })
    .await;
    h.send("first question").await;
    h.until_text_streams().await;
    h.send("second question").await;
    assert!(h.app.state.composer.queued_prompt.is_some());
    h.ctrl('n');
    h.settle().await;
    assert_eq!(h.app.state.composer.queued_prompt, None);
    assert_eq!(h.app.state.draft(), "second question");
    assert!(
        h.app.state.chat.messages.is_empty(),
        "no note of it is left"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esc_takes_a_queued_prompt_back_into_the_editor_and_off_the_transcript() {
    let mut h = Harness::start(Setup {
        tokens_per_second: 20.0,
        ..Setup::default()
    })
    .await;
    h.send("first question").await;
    h.until_text_streams().await;
    h.type_text("second question");
    h.press(KeyCode::Enter);
    h.settle().await;
    assert!(h.app.state.composer.queued_prompt.is_some());
    h.press(KeyCode::Esc);
    h.settle().await;
    assert_eq!(h.app.state.composer.queued_prompt, None);
    assert_eq!(h.app.state.draft(), "second question");
    assert!(
        !h.app
            .state
            .chat
            .messages
            .iter()
            .any(|m| m.text.starts_with("⏳ queued")),
        "the transcript no longer shows it"
    );
    assert_eq!(h.prompts(), ["first question"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readline_keys_kill_to_the_line_start_and_clear_the_draft_into_history() {
    let mut h = Harness::start(Setup::default()).await;
    // Ctrl+A / Ctrl+E move to the start / end of the line, Alt+B a word back.
    h.type_text("world");
    h.ctrl('a');
    h.type_text("hello ");
    h.ctrl('e');
    h.type_text(" again");
    h.key(KeyCode::Char('b'), KeyModifiers::ALT);
    h.type_text("and ");
    h.settle().await;
    assert_eq!(h.app.state.draft(), "hello world and again");
    h.ctrl('w');
    h.ctrl('g');
    h.settle().await;
    h.type_text("keep this");
    h.key(KeyCode::Enter, KeyModifiers::ALT);
    h.type_text("drop this");
    h.ctrl('u');
    h.settle().await;
    assert_eq!(h.app.state.draft(), "keep this\n");
    h.type_text("and more");
    h.ctrl('g');
    h.settle().await;
    assert_eq!(h.app.state.draft(), "");
    h.press(KeyCode::Up);
    h.settle().await;
    assert_eq!(
        h.app.state.draft(),
        "keep this\nand more",
        "Up brings the cleared draft back"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_bar_counts_tokens_time_and_silence_while_an_answer_streams() {
    let mut h = Harness::start(Setup {
        tokens_per_second: 20.0,
        idle_timeout: Duration::from_secs(10),
        ..Setup::default()
    })
    .await;
    h.send("Tell me about streams [[emulator:tokens=400]]")
        .await;
    h.until_text_streams().await;
    h.until("live figures", |h| {
        let screen = h.screen();
        screen.contains(" tok ·") && screen.contains("tok/s")
    })
    .await;
    h.press(KeyCode::Esc);
    h.settle().await;
    // A stream that goes quiet says for how long.
    h.send("Now stall [[fault:stall after=2]]").await;
    h.until("the silence to show", |h| h.screen().contains("silent 2 s"))
        .await;
    assert!(h.app.state.requests.in_flight.is_some());
    h.press(KeyCode::Esc);
    h.settle().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_picker_matches_like_fzf_and_keeps_the_id_of_the_model_in_use() {
    let mut h = Harness::start(Setup::default()).await;
    let before = h.app.state.chat.model.clone();
    h.ctrl('p');
    h.type_text("hk45");
    h.settle().await;
    let Overlay::Picker(picker) = &h.app.state.screen.overlay else {
        panic!("the picker is open: {}", h.screen());
    };
    let picked = picker.selected_item().expect("a match").id.clone();
    assert!(picked.contains("claude-haiku-4-5"), "{picked}");
    h.press(KeyCode::Enter);
    h.settle().await;
    assert_eq!(h.app.state.chat.model, before, "the id in use is kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wide_characters_never_break_popup_borders() {
    let mut h = Harness::start(Setup {
        width: 40,
        height: 12,
        ..Setup::default()
    })
    .await;
    h.send("東京の天気を教えてください。東京の天気を教えてください。 🙂🙂🙂 [[emulator:echo]]")
        .await;
    h.finish_answer().await;
    for open in [KeyCode::F(3), KeyCode::Char('o')] {
        if open == KeyCode::Char('o') {
            h.ctrl('o');
            h.until(
                "the session list",
                |h| matches!(&h.app.state.screen.overlay, Overlay::Sessions(b) if b.items.is_some()),
            )
            .await;
        } else {
            h.press(open);
        }
        h.settle().await;
        let buffer = h.terminal.backend().buffer().clone();
        // The popup's corners, then every row between them has both borders where the frame
        // put them, and nothing wide just left of it.
        let corner = (0..buffer.area.height).find_map(|y| {
            (0..buffer.area.width)
                .find(|&x| {
                    buffer[(x, y)].symbol() == "┌"
                        && x + 1 < buffer.area.width
                        && buffer[(x + 1, y)].symbol() != "│"
                })
                .map(|x| (x, y))
        });
        let (left, top) = corner.unwrap_or_else(|| panic!("a popup: {}", h.screen()));
        let right = (left + 1..buffer.area.width)
            .find(|&x| buffer[(x, top)].symbol() == "┐")
            .unwrap_or_else(|| panic!("its top right corner: {}", h.screen()));
        let bottom = (top + 1..buffer.area.height)
            .find(|&y| buffer[(left, y)].symbol() == "└")
            .unwrap_or_else(|| panic!("its bottom: {}", h.screen()));
        for y in top + 1..bottom {
            assert_eq!(buffer[(left, y)].symbol(), "│", "row {y}: {}", h.screen());
            assert_eq!(buffer[(right, y)].symbol(), "│", "row {y}: {}", h.screen());
            if left > 0 {
                let before = buffer[(left - 1, y)].symbol();
                assert!(
                    unicode_width::UnicodeWidthStr::width(before) <= 1,
                    "row {y}: {before:?} covers the border: {}",
                    h.screen()
                );
            }
        }
        h.press(KeyCode::Esc);
        h.settle().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_matrix_gives_the_answer_column_the_room_there_is() {
    let mut h = Harness::start(Setup {
        width: 130,
        height: 30,
        ..Setup::default()
    })
    .await;
    h.send("Explain event streams").await;
    h.finish_answer().await;
    let first_line = h.last_answer().text.lines().next().unwrap().to_string();
    h.press(KeyCode::F(4));
    h.until("the matrix", |h| {
        matches!(&h.app.state.screen.overlay, Overlay::Matrix(v) if v.rows.iter().all(|(_, o)| o.is_some()))
    })
    .await;
    let screen = h.screen();
    // Every figure stays; the answer has the rest of the row.
    let shown: String = first_line.chars().take(24).collect();
    assert!(screen.contains(&shown), "{shown:?}\n{screen}");
    assert!(
        screen.contains("BYTES") && screen.contains("TOTAL"),
        "{screen}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hints_and_refusals_are_shown_whole_when_there_is_room() {
    let mut h = Harness::start(Setup {
        width: 130,
        height: 30,
        ..Setup::default()
    })
    .await;
    h.press(KeyCode::F(2));
    h.settle().await;
    let screen = h.screen();
    // The popup is as wide as the screen allows, and what is still too long wraps.
    assert!(
        screen.contains("top_p 0-1, top_k, stop, thinking"),
        "{screen}"
    );
    assert!(screen.contains("both)"), "{screen}");
    h.press(KeyCode::Esc);
    // A refusal longer than the status bar is in the transcript whole; the draft stays.
    h.app.state.chat.model = "amazon.titan-embed-text-v2:0".to_string();
    h.send("embed this").await;
    h.settle().await;
    let refusal = h.app.state.screen.flash.as_ref().unwrap().text.clone();
    assert!(
        h.app
            .state
            .chat
            .messages
            .iter()
            .any(|m| m.speaker == Speaker::Notice && m.text == refusal),
        "{refusal}"
    );
    assert_eq!(h.app.state.draft(), "embed this");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_words_on_screen_read_right() {
    let mut h = Harness::start(Setup::default()).await;
    // One long line: "1 line", not "1 lines".
    h.type_text(&"word ".repeat(50));
    h.settle().await;
    assert!(h.screen().contains("prompt · 1 line ·"), "{}", h.screen());
    h.ctrl('g');
    // An HTTP validation error never streamed; it does not say so.
    h.send("check [[fault:http-validation]]").await;
    h.finish_answer().await;
    let AnswerStatus::Failed(error) = h.status_of_last() else {
        panic!("failed")
    };
    assert!(
        !error.message.contains("while streaming"),
        "{}",
        error.message
    );
    // A status message goes after the model name when both fit.
    h.app
        .state
        .flash("exported to /home/someone/conversations/rivers.md", false);
    h.event(Event::Resize(80, 24));
    h.settle().await;
    let status = h.screen().lines().last().unwrap_or_default().to_string();
    assert!(
        status.contains("Claude Haiku 4.5") && status.contains("exported to /home/someone"),
        "{status}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_marker_acts_on_its_own_turn_and_the_rejoined_prompt_is_said() {
    let mut h = Harness::start(Setup::default()).await;
    // The welcome text's own suggestion.
    h.send("Tell me about rivers [[fault:throttling]]").await;
    h.finish_answer().await;
    assert!(matches!(h.status_of_last(), AnswerStatus::Failed(_)));
    let screen = h.screen();
    let joined: String = screen.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    assert!(
        joined.contains("its prompt goes again with your next one, and the model answers both"),
        "{screen}"
    );
    // The next prompt goes with it, and is answered: the marker acted on its own turn.
    h.send("And about lakes").await;
    h.finish_answer().await;
    assert_eq!(h.status_of_last(), AnswerStatus::Complete);
    let request = &h.last_answer().exchange.as_ref().unwrap().requests[0].body;
    let body = String::from_utf8_lossy(request);
    assert!(body.contains("rivers") && body.contains("lakes"), "{body}");
    assert!(!h.screen().contains("goes again"), "{}", h.screen());
    // Ctrl+R after it works too.
    h.ctrl('r');
    h.finish_answer().await;
    assert_eq!(h.status_of_last(), AnswerStatus::Complete);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_40x12_the_parameters_form_scrolls_to_its_last_field_and_popups_hide_the_boxes_beside_them()
 {
    let mut h = Harness::start(Setup {
        width: 40,
        height: 12,
        ..Setup::default()
    })
    .await;
    h.press(KeyCode::F(2));
    h.settle().await;
    assert!(!h.screen().contains("Service tier"), "{}", h.screen());
    // The last field, eleventh.
    for _ in 0..10 {
        h.press(KeyCode::Down);
    }
    h.settle().await;
    let screen = h.screen();
    assert!(screen.contains("Service tier: ▏"), "{screen}");
    assert!(screen.contains("↑ more"), "{screen}");
    // No corner of the prompt box shows beside the popup.
    for line in screen.lines() {
        let first = line.chars().next().unwrap_or(' ');
        let last = line.chars().nth(39).unwrap_or(' ');
        assert!(first == ' ' && last == ' ', "{screen}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_message_cut_by_the_bar_is_read_whole_on_f9() {
    let mut h = Harness::start(Setup {
        width: 40,
        height: 12,
        ..Setup::default()
    })
    .await;
    h.type_text("/nosuchthing");
    h.settle().await;
    h.press(KeyCode::Enter);
    h.settle().await;
    assert!(!h.screen().contains("/notices, /help"), "cut in the bar");
    h.press(KeyCode::F(9));
    h.settle().await;
    let log = h.last_notice().to_string();
    assert!(log.contains("/nosuchthing is no command"), "{log}");
    assert!(
        log.contains("start with // to send a prompt that begins with /"),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_picker_shows_ids_whole_when_the_names_can_give_room() {
    // Just wide enough for ids: names give up what the ids need.
    let mut h = Harness::start(Setup {
        width: 118,
        height: 40,
        ..Setup::default()
    })
    .await;
    h.ctrl('p');
    h.type_text("llama 3.2");
    h.settle().await;
    let screen = h.screen();
    let rows: Vec<&str> = screen.lines().filter(|l| l.contains("Meta")).collect();
    assert!(!rows.is_empty(), "{screen}");
    for row in rows {
        let id = row
            .trim_end_matches('│')
            .trim_end()
            .rsplit(' ')
            .next()
            .unwrap();
        assert!(id.ends_with(":0"), "the id is whole: {row}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_is_said_once_a_conversation() {
    let mut h = Harness::start(Setup {
        model: "global.anthropic.claude-sonnet-4-5-20250929-v1:0".into(),
        ..Setup::default()
    })
    .await;
    h.app.state.chat.system = Some(
        "You answer questions about the handbook below.\n".to_string()
            + &"handbook text ".repeat(900),
    );
    h.send("What is in it?").await;
    h.finish_answer().await;
    let first = h.last_answer().notes.clone();
    assert!(
        first.iter().any(|n| n.contains("prompt cache breakpoints")),
        "{first:?}"
    );
    h.send("And then?").await;
    h.finish_answer().await;
    let second = h.last_answer().notes.clone();
    assert!(
        !second
            .iter()
            .any(|n| n.contains("prompt cache breakpoints")),
        "said again: {second:?}"
    );
    // A new conversation says it again.
    h.ctrl('n');
    h.settle().await;
    h.send("What is in it?").await;
    h.finish_answer().await;
    assert!(
        h.last_answer()
            .notes
            .iter()
            .any(|n| n.contains("prompt cache breakpoints"))
    );
}
