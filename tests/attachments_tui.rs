//! Attachments in the chat, through the real loop on the test backend: `/attach` with Tab
//! completion, the list above the prompt, `/detach` and Alt+X, a pasted path taken with Alt+A,
//! a refusal at attach time, the files sent with the prompt and saved with the session, a model
//! switch that says which files stay behind, and a reopened conversation that sends them again.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use bedrock_tui::app::state::Speaker;
use bedrock_tui::transcript::store;
use common::png;
use common::tui::{Harness, Setup, wait_for_file};
use crossterm::event::{Event, KeyCode, KeyModifiers};
use std::path::Path;

fn flash(h: &Harness) -> String {
    h.app
        .state
        .screen
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default()
}

/// Types `/attach PATH` and Enter.
async fn attach(h: &mut Harness, path: &Path) {
    h.send(&format!("/attach {}", path.display())).await;
    h.settle().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_attached_listed_sent_saved_and_sent_again_when_reopened() {
    let mut h = Harness::start(Setup::default()).await;
    let files = tempfile::tempdir().unwrap();
    let image = files.path().join("chart.png");
    std::fs::write(&image, png(6, 4)).unwrap();
    std::fs::write(files.path().join("notes.md"), "# Notes\nship it\n").unwrap();

    // Tab completes the path as far as it is unique.
    h.type_text(&format!("/attach {}/ch", files.path().display()));
    h.settle().await;
    h.press(KeyCode::Tab);
    h.settle().await;
    assert_eq!(h.app.state.draft(), format!("/attach {}", image.display()));
    h.press(KeyCode::Enter);
    h.settle().await;
    assert!(
        flash(&h).starts_with("attached chart.png (PNG 6×4, "),
        "{}",
        flash(&h)
    );
    assert_eq!(h.app.state.draft(), "");
    attach(&mut h, &files.path().join("notes.md")).await;
    let screen = h.screen();
    assert!(screen.contains("▣ 1 chart.png · PNG 6×4, "), "{screen}");
    assert!(screen.contains("▤ 2 notes.md · Markdown, "), "{screen}");

    // Sent with the prompt: the emulator names what it received.
    h.send("What do these show?").await;
    h.finish_answer().await;
    let answer = h.last_answer().text.clone();
    assert!(
        answer.starts_with("Received PNG 6×4, ") && answer.contains("notes.md (text/markdown, "),
        "{answer}"
    );
    assert!(
        h.app.state.composer.attached.is_empty(),
        "the files went with the prompt"
    );
    // The prompt shows its files.
    h.press(KeyCode::Tab);
    h.type_text("g");
    h.settle().await;
    let screen = h.screen();
    assert!(screen.contains("chart.png · PNG 6×4, "), "{screen}");
    assert!(screen.contains("notes.md · Markdown, "), "{screen}");
    assert_eq!(screen.matches('📎').count(), 2, "{screen}");
    h.press(KeyCode::Tab);
    h.settle().await;
    // Saved with the session, by content, 0600.
    h.until("the session file", |h| h.app.state.chat.session.is_some())
        .await;
    let path = h.app.state.chat.session.as_ref().unwrap().path.clone();
    let saved = wait_for_file(&path, "the answer's end", |t| {
        t.entries.last().is_some_and(|e| e.end.is_some())
    });
    let reference = &saved.entries[0].attachments[0];
    assert_eq!(reference.name, "chart.png");
    let kept = h.data.path().join("attachments").join(&reference.sha256);
    assert_eq!(std::fs::read(&kept).unwrap(), png(6, 4));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&kept).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Reopened from the browser, the conversation sends its files again.
    h.reopen(&path).await;
    let first = h
        .app
        .state
        .chat
        .messages
        .iter()
        .find(|m| m.speaker == Speaker::User)
        .unwrap();
    assert_eq!(first.attachments.len(), 2);
    h.send("And now?").await;
    h.finish_answer().await;
    assert!(
        h.last_answer().text.starts_with("Received PNG 6×4, "),
        "{}",
        h.last_answer().text
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detach_alt_x_a_pasted_path_and_a_refusal() {
    let mut h = Harness::start(Setup {
        model: "amazon.titan-text-express-v1".into(),
        ..Setup::default()
    })
    .await;
    let files = tempfile::tempdir().unwrap();
    let image = files.path().join("photo.png");
    std::fs::write(&image, png(2, 2)).unwrap();
    let text = files.path().join("log.txt");
    std::fs::write(&text, "line one\n").unwrap();

    // Titan takes no images: refused at attach time, naming models that do.
    attach(&mut h, &image).await;
    assert!(
        flash(&h).contains("Titan Text Express takes no images; models that do: Claude"),
        "{}",
        flash(&h)
    );
    assert!(h.app.state.composer.attached.is_empty());
    // The refused command stays in the prompt to be corrected.
    assert_eq!(h.app.state.draft(), format!("/attach {}", image.display()));
    h.ctrl('g');
    // A text file goes to any text model.
    attach(&mut h, &text).await;
    assert_eq!(h.app.state.composer.attached.len(), 1);
    h.key(KeyCode::Char('x'), KeyModifiers::ALT);
    h.settle().await;
    assert!(h.app.state.composer.attached.is_empty());
    assert_eq!(flash(&h), "removed log.txt");

    // A pasted path (as a terminal pastes a dropped file) is offered; Alt+A takes it.
    h.type_text("look at ");
    h.settle().await;
    h.event(Event::Paste(format!("'{}'", text.display())));
    h.settle().await;
    assert!(
        flash(&h).contains("Alt+A attaches the file instead"),
        "{}",
        flash(&h)
    );
    h.key(KeyCode::Char('a'), KeyModifiers::ALT);
    h.settle().await;
    assert_eq!(h.app.state.composer.attached.len(), 1);
    assert_eq!(h.app.state.draft(), "look at ");
    h.send("this").await;
    h.finish_answer().await;
    assert!(
        h.last_answer()
            .text
            .trim_start()
            .starts_with("Received log.txt (text/plain, "),
        "{}",
        h.last_answer().text
    );
    // /detach with nothing attached says so.
    h.send("/detach").await;
    h.settle().await;
    assert_eq!(flash(&h), "no file is attached");
    // Alt+A on an empty prompt starts the command.
    h.key(KeyCode::Char('a'), KeyModifiers::ALT);
    h.settle().await;
    assert_eq!(h.app.state.draft(), "/attach ");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_switch_says_which_files_stay_behind() {
    let mut h = Harness::start(Setup::default()).await;
    let files = tempfile::tempdir().unwrap();
    let image = files.path().join("red.png");
    std::fs::write(&image, png(3, 3)).unwrap();
    attach(&mut h, &image).await;
    h.send("Describe it").await;
    h.finish_answer().await;
    h.ctrl('p');
    h.type_text("titan text express");
    h.press(KeyCode::Enter);
    h.settle().await;
    assert_eq!(h.app.state.chat.model, "amazon.titan-text-express-v1");
    let notice = h.last_notice().to_string();
    assert!(
        notice.contains("Earlier file left out: red.png: Titan Text Express takes no images"),
        "{notice}"
    );
    h.send("Summarise").await;
    h.finish_answer().await;
    let answer = h.last_answer();
    assert!(!answer.text.starts_with("Received"), "{}", answer.text);
    assert!(
        answer
            .notes
            .iter()
            .any(|n| n.contains("an earlier file stays out")),
        "{:?}",
        answer.notes
    );
    let saved = store::load(&h.app.state.chat.session.as_ref().unwrap().path).unwrap();
    assert_eq!(saved.transcript.entries[0].attachments.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_file_is_not_attached_twice() {
    let mut h = Harness::start(Setup::default()).await;
    let files = tempfile::tempdir().unwrap();
    let notes = files.path().join("notes.md");
    std::fs::write(&notes, "# Notes\nship it\n").unwrap();
    attach(&mut h, &notes).await;
    assert_eq!(h.app.state.composer.attached.len(), 1);
    // The same bytes under another name too.
    let copy = files.path().join("copy.md");
    std::fs::copy(&notes, &copy).unwrap();
    attach(&mut h, &copy).await;
    assert_eq!(h.app.state.composer.attached.len(), 1);
    assert!(flash(&h).contains("is attached already"), "{}", flash(&h));
}

/// Attaching reads the file off the loop: right after the Enter that asks for a 32 MiB file,
/// the loop has taken the command and lists the file as being read, nothing attached yet, and
/// keys typed then go to the prompt; the file arrives after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_loop_stays_responsive_while_a_32_mib_file_attaches() {
    let mut h = Harness::start(Setup::default()).await;
    let files = tempfile::tempdir().unwrap();
    let big = files.path().join("big.txt");
    let line = "a line of a large log file, read off the loop\n";
    let mut text = line.repeat((32 << 20) / line.len());
    text.truncate(32 << 20);
    std::fs::write(&big, &text).unwrap();

    h.type_text(&format!("/attach {}", big.display()));
    h.settle().await;
    h.press(KeyCode::Enter);
    h.until("the command to be taken", |h| {
        h.app.state.draft().is_empty()
    })
    .await;
    assert!(h.app.state.composer.attached.is_empty(), "read on the loop");
    assert!(h.screen().contains("… big.txt · reading"), "{}", h.screen());
    h.type_text("meanwhile");
    h.until("the keys typed meanwhile", |h| {
        h.app.state.draft() == "meanwhile"
    })
    .await;
    h.until("the file read", |h| !h.screen().contains("· reading"))
        .await;
    assert_eq!(
        flash(&h),
        "attached big.txt (text, 32.0 MiB): it goes with the next prompt (Alt+X removes the last)"
    );
    assert_eq!(h.app.state.composer.attached.len(), 1);
    assert_eq!(h.app.state.draft(), "meanwhile");
}
