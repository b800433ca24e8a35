//! Saved conversations in the chat: each conversation is written to its own session file as it
//! happens; the browser lists, filters, opens, renames, deletes and exports them. The real loop
//! on a `TestBackend` against the emulator, with a private data directory.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use bedrock_tui::app::state::Overlay;
use bedrock_tui::transcript::store;
use bedrock_tui::transcript::{EndStatus, Transcript};
use common::tui::{Harness, Setup, wait_for_file};
use crossterm::event::{KeyCode, KeyModifiers};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const HAIKU: &str = "global.anthropic.claude-haiku-4-5-20251001-v1:0";
const NOVA_MICRO: &str = "amazon.nova-micro-v1:0";

/// Sends a prompt, waits for the answer and for the session file to be known.
async fn turn(h: &mut Harness, prompt: &str) -> PathBuf {
    h.send(prompt).await;
    h.finish_answer().await;
    h.until("the session file", |h| h.app.state.chat.session.is_some())
        .await;
    h.app.state.chat.session.as_ref().unwrap().path.clone()
}

async fn open_browser(h: &mut Harness) {
    h.ctrl('o');
    h.until(
        "the session list",
        |h| matches!(&h.app.state.screen.overlay, Overlay::Sessions(b) if b.items.is_some()),
    )
    .await;
}

fn browser_count(h: &Harness) -> usize {
    match &h.app.state.screen.overlay {
        Overlay::Sessions(b) => b.items.as_ref().map_or(0, Vec::len),
        _ => 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversations_are_saved_browsed_opened_and_continued_with_another_model() {
    let mut h = Harness::start(Setup::default()).await;
    let rivers = turn(&mut h, "Rivers of Europe").await;
    let saved = wait_for_file(&rivers, "the first answer's end", |t| {
        t.entries
            .last()
            .and_then(|e| e.end.as_ref())
            .is_some_and(|e| e.status == EndStatus::Complete)
    });
    assert_eq!(saved.title, "Rivers of Europe");
    assert_eq!(saved.entries[1].text, h.last_answer().text);

    // A new conversation gets a file of its own from its first prompt.
    h.ctrl('n');
    h.settle().await;
    assert!(h.app.state.chat.session.is_none());
    let lakes = turn(&mut h, "Lakes of Asia").await;
    assert_ne!(rivers, lakes);

    open_browser(&mut h).await;
    let screen = h.screen();
    assert!(screen.contains("saved conversations · 2/2"), "{screen}");
    assert!(screen.contains("Rivers of Europe") && screen.contains("Lakes of Asia"));
    h.type_text("rivers");
    h.settle().await;
    assert!(
        h.screen().contains("saved conversations · 1/2"),
        "{}",
        h.screen()
    );
    h.press(KeyCode::Enter);
    h.until("the opened conversation", |h| {
        h.app
            .state
            .chat
            .session
            .as_ref()
            .is_some_and(|s| s.path == rivers)
    })
    .await;
    let screen = h.screen();
    assert!(screen.contains("Rivers of Europe"), "{screen}");
    assert!(!screen.contains("Lakes of Asia"), "{screen}");
    assert_eq!(h.app.state.chat.model, HAIKU);

    // It goes on with another model; the new turns land in the same file.
    h.ctrl('p');
    h.type_text("nova micro");
    h.press(KeyCode::Enter);
    h.settle().await;
    assert_eq!(h.app.state.chat.model, NOVA_MICRO);
    h.send("And their lengths?").await;
    h.finish_answer().await;
    let answer = h.last_answer().text.clone();
    let t = wait_for_file(&rivers, "the continued turn", |t| {
        t.turns() == 2
            && t.entries
                .last()
                .is_some_and(|e| e.end.is_some() && e.text == answer)
    });
    assert_eq!(t.models_used(), [HAIKU, NOVA_MICRO]);
    assert_eq!(t.model.as_deref(), Some(NOVA_MICRO));
    assert_eq!(store::load(&lakes).unwrap().transcript.turns(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_renames_deletes_with_confirmation_and_exports() {
    let mut h = Harness::start(Setup::default()).await;
    let rivers = turn(&mut h, "Rivers of Europe").await;
    h.ctrl('n');
    let lakes = turn(&mut h, "Lakes of Asia").await;

    open_browser(&mut h).await;
    // The newest (the one on screen) is selected first and cannot be deleted.
    h.press(KeyCode::Delete);
    h.settle().await;
    assert!(h.screen().contains("the one on screen"), "{}", h.screen());
    assert!(lakes.exists());

    h.press(KeyCode::Down);
    h.press(KeyCode::F(2));
    h.ctrl('u');
    h.type_text("Renamed rivers");
    h.settle().await;
    assert!(
        h.screen().contains("new title: Renamed rivers"),
        "{}",
        h.screen()
    );
    h.press(KeyCode::Enter);
    h.until("the new title in the list", |h| {
        h.screen().contains("Renamed rivers") && !h.screen().contains("Rivers of Europe")
    })
    .await;
    assert_eq!(
        store::load(&rivers).unwrap().transcript.title,
        "Renamed rivers"
    );

    // Delete asks first; any key but y keeps the session.
    h.press(KeyCode::Delete);
    h.settle().await;
    assert!(h.screen().contains("for good?"), "{}", h.screen());
    h.press(KeyCode::Char('n'));
    h.settle().await;
    assert!(rivers.exists());
    // Enter is not a yes either.
    h.press(KeyCode::Delete);
    h.press(KeyCode::Enter);
    h.settle().await;
    assert!(rivers.exists());
    assert!(!h.screen().contains("for good?"), "{}", h.screen());
    h.press(KeyCode::Delete);
    h.press(KeyCode::Char('y'));
    h.until("the list without it", |h| browser_count(h) == 1)
        .await;
    assert!(!rivers.exists());
    h.press(KeyCode::Esc);
    h.settle().await;

    // Export the conversation on screen as Markdown and JSON.
    h.ctrl('s');
    h.until("the Markdown export", |h| {
        h.app
            .state
            .screen
            .flash
            .as_ref()
            .is_some_and(|f| f.text.contains("exported to"))
    })
    .await;
    // Where it went, in full.
    let said = h.app.state.screen.flash.clone().unwrap().text;
    let exports_dir = std::fs::canonicalize(h.data.path().join("exports")).unwrap();
    assert!(
        said.starts_with(&format!("exported to {}/", exports_dir.display())),
        "{said}"
    );
    h.key(KeyCode::Char('s'), KeyModifiers::ALT);
    let exports = h.data.path().join("exports");
    let deadline = Instant::now() + Duration::from_secs(10);
    let files = loop {
        h.settle().await;
        // An export being written is a hidden temporary file until it is renamed into place.
        let files: Vec<PathBuf> = std::fs::read_dir(&exports)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
            .collect();
        if files.len() == 2 || Instant::now() > deadline {
            break files;
        }
    };
    assert_eq!(files.len(), 2, "{files:?}");
    let md = files
        .iter()
        .find(|f| f.extension().unwrap() == "md")
        .unwrap();
    let json = files
        .iter()
        .find(|f| f.extension().unwrap() == "json")
        .unwrap();
    assert!(
        md.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("lakes-of-asia-")
    );
    let md = std::fs::read_to_string(md).unwrap();
    assert!(md.starts_with("# Lakes of Asia"), "{md}");
    // The answer whole, its headings nested two levels under the message's own.
    for line in h.last_answer().text.lines() {
        let nested = if line.starts_with('#') {
            format!("##{line}")
        } else {
            line.to_string()
        };
        assert!(md.contains(&nested), "{nested:?} in {md}");
    }
    let back: Transcript = serde_json::from_slice(&std::fs::read(json).unwrap()).unwrap();
    assert_eq!(
        serde_json::to_value(&back).unwrap(),
        serde_json::to_value(store::load(&lakes).unwrap().transcript.on_screen()).unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_answer_and_a_new_conversation_mid_stream_are_recorded_as_cancelled() {
    let mut h = Harness::start(Setup {
        tokens_per_second: 200.0,
        ..Setup::default()
    })
    .await;
    h.send("long answer please [[emulator:tokens=2000]]").await;
    h.until("text", |h| h.last_answer().text.len() > 20).await;
    h.until("the session file", |h| h.app.state.chat.session.is_some())
        .await;
    let first = h.app.state.chat.session.as_ref().unwrap().path.clone();
    // Ctrl+N while streaming: the answer is cancelled and recorded so in its own file.
    h.ctrl('n');
    h.settle().await;
    let t = wait_for_file(&first, "the cancelled end", |t| {
        t.entries
            .last()
            .and_then(|e| e.end.as_ref())
            .is_some_and(|e| e.status == EndStatus::Cancelled)
    });
    assert!(
        t.entries.last().unwrap().text.len() > 20,
        "the partial text is kept"
    );
    h.app.finish();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_saving_nothing_is_written() {
    let mut h = Harness::start(Setup {
        save: false,
        ..Setup::default()
    })
    .await;
    h.send("not saved").await;
    h.finish_answer().await;
    h.settle().await;
    assert!(h.app.state.chat.session.is_none());
    assert!(!h.data.path().join("sessions").exists());
    h.ctrl('o');
    h.settle().await;
    // The browser does not open on a list that can never come; the status bar says why.
    assert!(matches!(h.app.state.screen.overlay, Overlay::None));
    let flash = h
        .app
        .state
        .screen
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(flash.contains("saving conversations is off"), "{flash}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_searches_the_text_of_conversations_and_shows_the_line() {
    let mut h = Harness::start(Setup {
        width: 100,
        height: 24,
        ..Setup::default()
    })
    .await;
    let rivers = turn(&mut h, "Rivers of Europe\nand one in zanzibar please").await;
    h.ctrl('n');
    h.settle().await;
    let lakes = turn(&mut h, "Lakes of Asia").await;
    let answer = h.last_answer().text.clone();
    for path in [&rivers, &lakes] {
        wait_for_file(path, "the answer", |t| {
            t.entries.last().is_some_and(|e| e.end.is_some())
        });
    }
    open_browser(&mut h).await;
    h.until(
        "the text to be gathered",
        |h| matches!(&h.app.state.screen.overlay, Overlay::Sessions(b) if b.index.is_some()),
    )
    .await;
    // A word of a prompt's second line (not in any title).
    h.type_text("zanzibar");
    h.settle().await;
    let screen = h.screen();
    assert!(screen.contains("saved conversations · 1/2"), "{screen}");
    assert!(screen.contains("“and one in zanzibar please”"), "{screen}");
    // A word of an answer, streamed in pieces.
    let word = answer
        .split(|c: char| !c.is_ascii_alphabetic())
        .rfind(|w| w.len() >= 9)
        .unwrap()
        .to_string();
    h.ctrl('u');
    h.type_text(&word);
    h.settle().await;
    let Overlay::Sessions(browser) = &h.app.state.screen.overlay else {
        panic!("the browser")
    };
    assert!(
        browser.selected_item().is_some_and(|s| s.path == lakes),
        "{word}: {}",
        h.screen()
    );
    h.press(KeyCode::Enter);
    h.until("the found conversation", |h| {
        h.app
            .state
            .chat
            .session
            .as_ref()
            .is_some_and(|s| s.path == lakes)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_title_model_titles_the_conversation_after_its_first_answer() {
    let mut h = Harness::start(Setup::default()).await;
    h.app.state.settings.title_model = Some(NOVA_MICRO.to_string());
    let path = turn(&mut h, "Rivers of Europe [[emulator:tokens=12]]").await;
    h.until("the model's title", |h| {
        h.app
            .state
            .chat
            .session
            .as_ref()
            .is_some_and(|s| !s.title.starts_with("Rivers of Europe"))
    })
    .await;
    let title = h.app.state.chat.session.as_ref().unwrap().title.clone();
    assert!(!title.is_empty() && title.chars().count() <= 61, "{title}");
    let saved = wait_for_file(&path, "the title record", |t| t.title == title);
    assert_eq!(
        saved.turns(),
        1,
        "the title request is not part of the conversation"
    );
    assert_eq!(h.answers().len(), 1);
    // Only the first answer asks for a title.
    turn(&mut h, "And lakes?").await;
    h.settle().await;
    assert_eq!(h.app.state.chat.session.as_ref().unwrap().title, title);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_session_resumes_with_its_rows_bounded_and_a_huge_answer_cut_with_a_note() {
    let mut h = Harness::start(Setup {
        width: 100,
        height: 30,
        ..Setup::default()
    })
    .await;
    let path = h.data.path().join("sessions/20261201-000000-b16e.jsonl");
    // 300 answers of 24 KiB: more rows than are kept laid out.
    common::big_session::write(&path, 300, 24 << 10, 2048);
    h.reopen(&path).await;
    h.until("the layout to settle", |h| !h.app.cache.pending())
        .await;
    let held = h.app.cache.rows_held();
    let total = h.app.cache.metrics().content_height;
    assert!(
        total > bedrock_tui::ui::ROWS_KEPT + 20_000,
        "{total} rows in all"
    );
    assert!(
        held <= bedrock_tui::ui::ROWS_KEPT + 1_000,
        "{held} of {total} rows held"
    );
    // Rows dropped come back when they are in view again, at the height counted.
    h.press(KeyCode::Tab);
    h.settle().await;
    h.press(KeyCode::Home);
    h.until("the top", |h| h.screen().contains("question 0"))
        .await;
    assert_eq!(h.app.cache.metrics().content_height, total);

    // An answer of more than a MiB shows its start and says so.
    let huge = h.data.path().join("sessions/20261201-000001-b16f.jsonl");
    common::big_session::write(&huge, 1, 3 << 20, 4096);
    h.press(KeyCode::Esc);
    h.reopen(&huge).await;
    h.press(KeyCode::Esc);
    h.until("the layout to settle", |h| !h.app.cache.pending())
        .await;
    let screen = h.screen();
    let joined: String = screen.lines().map(str::trim).collect::<Vec<_>>().join(" ");
    assert!(
        joined.contains("the message goes on: 3.0 MiB in all, the first"),
        "{screen}"
    );
    assert!(h.app.cache.rows_held() <= bedrock_tui::ui::ROWS_KEPT + 1_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumed_conversation_keeps_every_figure_of_its_answers() {
    let mut h = Harness::start(Setup {
        model: "global.anthropic.claude-sonnet-4-5-20250929-v1:0".into(),
        width: 140,
        ..Setup::default()
    })
    .await;
    // A long system prompt: the first answer writes the cache, the second reads it.
    h.app.state.chat.system = Some(
        "You answer questions about the handbook below.\n".to_string()
            + &"handbook text ".repeat(900),
    );
    let path = turn(&mut h, "What is in the handbook?").await;
    turn(&mut h, "And then?").await;
    let live = h.last_answer().stats.clone();
    assert!(live.cache_read_tokens.unwrap_or(0) > 1000, "{live:?}");
    let status = |h: &Harness| {
        h.screen()
            .lines()
            .last()
            .map(|l| l.trim().to_string())
            .unwrap_or_default()
    };
    let before = status(&h);
    assert!(before.contains("ctx "), "{before}");
    wait_for_file(&path, "the second answer's end", |t| {
        t.entries.len() == 4 && t.entries[3].end.is_some()
    });
    h.reopen(&path).await;
    h.settle().await;
    let resumed = h.last_answer().stats.clone();
    assert_eq!(resumed.cache_read_tokens, live.cache_read_tokens);
    assert_eq!(resumed.cache_write_tokens, live.cache_write_tokens);
    assert_eq!(resumed.input_tokens(), live.input_tokens());
    // A key clears the "opened" notice from the status bar: the figures are back.
    h.press(KeyCode::Right);
    h.settle().await;
    let after = status(&h);
    let figures = |line: &str| {
        line.split(" · ")
            .skip(1)
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let (before_figures, after_figures) = (figures(&before), figures(&after));
    for part in before_figures
        .iter()
        .filter(|p| p.starts_with("ctx ") || p.starts_with('$') || p.contains("cache"))
    {
        assert!(
            after_figures.contains(part),
            "{part:?} lost: {before} / {after}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_counts_the_turns_opening_shows_and_names_a_model_once() {
    let mut h = Harness::start(Setup {
        width: 150,
        ..Setup::default()
    })
    .await;
    let path = turn(&mut h, "first question").await;
    turn(&mut h, "second question").await;
    // The same model under another id (its base model id).
    h.ctrl('p');
    h.type_text("anthropic.claude-haiku-4-5-20251001-v1:0");
    h.settle().await;
    h.app.state.chat.model = "anthropic.claude-haiku-4-5-20251001-v1:0".into();
    h.press(KeyCode::Esc);
    h.settle().await;
    turn(&mut h, "third question").await;
    // Edit the first prompt: the branch on screen has one turn.
    h.press(KeyCode::Tab);
    h.settle().await;
    for _ in 0..10 {
        h.press(KeyCode::Up);
    }
    h.settle().await;
    h.press(KeyCode::Char('e'));
    h.settle().await;
    h.ctrl('g');
    turn(&mut h, "first question, edited").await;
    wait_for_file(&path, "the edited branch", |t| {
        t.entries.len() == 8 && t.entries[7].end.is_some()
    });
    let summary = store::summarize(&path).unwrap();
    assert_eq!(summary.turns, 1, "the branch on screen");
    h.reopen(&path).await;
    let flash = h.app.state.screen.flash.clone().unwrap();
    assert!(flash.text.contains("(1 turn)"), "{flash:?}");
    h.ctrl('o');
    h.until(
        "the session list",
        |h| matches!(&h.app.state.screen.overlay, Overlay::Sessions(b) if b.items.is_some()),
    )
    .await;
    let screen = h.screen();
    let row = screen
        .lines()
        .find(|l| l.contains("first question"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert_eq!(row.matches("Claude Haiku 4.5").count(), 1, "{row}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_whose_last_answer_failed_says_its_prompt_goes_again_when_opened() {
    let mut h = Harness::start(Setup::default()).await;
    let path = turn(&mut h, "Tell me about rivers [[fault:throttling]]").await;
    wait_for_file(&path, "the failed answer", |t| {
        t.entries.len() == 2 && t.entries[1].end.is_some()
    });
    h.reopen(&path).await;
    h.settle().await;
    let joined: String = h
        .screen()
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        joined.contains("its prompt goes again with your next one"),
        "{}",
        h.screen()
    );
    // And it does: the next prompt goes with it.
    h.send("And about lakes").await;
    h.finish_answer().await;
    let request = &h.last_answer().exchange.as_ref().unwrap().requests[0].body;
    let body = String::from_utf8_lossy(request);
    assert!(body.contains("rivers") && body.contains("lakes"), "{body}");
    assert!(!h.screen().contains("goes again"), "{}", h.screen());
}
