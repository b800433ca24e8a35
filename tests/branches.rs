//! Steering a conversation through the real loop against the emulator: the message cursor,
//! editing an earlier prompt, regenerating, stepping through versions, deleting a turn,
//! keeping a partial answer, forking, and all of it saved and restored from the session file.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use bedrock_tui::app::state::{AnswerStatus, Focus, Overlay, Speaker};
use bedrock_tui::transcript::store;
use bedrock_tui::transcript::{Author, Transcript};
use common::tui::{Harness, Setup, wait_for_file};
use crossterm::event::KeyCode;
use std::path::PathBuf;

async fn turn(h: &mut Harness, prompt: &str) {
    h.send(prompt).await;
    h.finish_answer().await;
}

/// The prompts on screen (deleted ones left out).
fn shown_prompts(h: &Harness) -> Vec<String> {
    h.app
        .state
        .chat
        .messages
        .iter()
        .filter(|m| m.speaker == Speaker::User && !m.deleted)
        .map(|m| m.text.clone())
        .collect()
}

/// The body of the last request sent, as text.
fn last_request(h: &Harness) -> String {
    let exchange = h.last_answer().exchange.as_ref().expect("an exchange");
    String::from_utf8_lossy(&exchange.requests.last().expect("a request").body).into_owned()
}

/// Moves the message cursor to the message with this id, with k and j.
async fn select(h: &mut Harness, id: u64) {
    if h.app.state.screen.focus != Focus::Transcript {
        h.press(KeyCode::Tab);
        h.settle().await;
    }
    let index = |h: &Harness, id: u64| h.app.state.chat.messages.iter().position(|m| m.id == id);
    for _ in 0..=h.app.state.chat.messages.len() {
        let Some(cursor) = h.app.state.screen.cursor else {
            break;
        };
        if cursor == id {
            return;
        }
        let up = index(h, id) < index(h, cursor);
        h.press(KeyCode::Char(if up { 'k' } else { 'j' }));
        h.settle().await;
    }
    let messages: Vec<(u64, Speaker, &str, bool)> = h
        .app
        .state
        .chat
        .messages
        .iter()
        .map(|m| {
            (
                m.id,
                m.speaker,
                m.text.get(..20).unwrap_or(&m.text),
                m.deleted,
            )
        })
        .collect();
    panic!(
        "message {id} could not be selected (cursor {:?}): {messages:?}\n{}",
        h.app.state.screen.cursor,
        h.screen()
    );
}

fn id_of(h: &Harness, text: &str) -> u64 {
    h.app
        .state
        .chat
        .messages
        .iter()
        .rfind(|m| m.text == text)
        .map(|m| m.id)
        .expect("the message")
}

fn session_path(h: &Harness) -> PathBuf {
    h.app
        .state
        .chat
        .session
        .as_ref()
        .expect("saved")
        .path
        .clone()
}

fn path_texts(t: &Transcript) -> Vec<String> {
    t.on_screen()
        .entries
        .iter()
        .map(|e| e.text.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edited_prompts_and_regenerated_answers_are_versions_that_survive_a_resume() {
    let mut h = Harness::start(Setup {
        width: 90,
        height: 40,
        ..Setup::default()
    })
    .await;
    turn(&mut h, "first question").await;
    turn(&mut h, "second question").await;
    let file = session_path(&h);

    // Edit the first prompt: the draft is its text; sending starts a new branch there.
    let first = id_of(&h, "first question");
    select(&mut h, first).await;
    assert!(h.screen().contains("▶ You"), "{}", h.screen());
    h.press(KeyCode::Char('e'));
    h.settle().await;
    assert_eq!(h.app.state.screen.focus, Focus::Editor);
    assert_eq!(h.app.state.draft(), "first question");
    h.ctrl('g');
    turn(&mut h, "first question, edited").await;
    assert_eq!(shown_prompts(&h), ["first question, edited"]);
    // Sent: the prompt no longer says it edits an earlier one.
    assert!(h.app.state.chat.editing.is_none());
    assert!(
        !h.screen().contains("editing an earlier prompt"),
        "{}",
        h.screen()
    );
    let sent = last_request(&h);
    assert!(sent.contains("first question, edited"), "{sent}");
    assert!(
        !sent.contains("second question"),
        "the old branch is not sent: {sent}"
    );
    let versions = h.app.state.chat.messages[0].alternatives.as_ref().unwrap();
    assert_eq!(versions.position(), (2, 2));

    // [ shows the old branch whole, ] comes back.
    let edited = id_of(&h, "first question, edited");
    select(&mut h, edited).await;
    assert!(h.screen().contains("‹2/2› [ ]"), "{}", h.screen());
    h.press(KeyCode::Char('['));
    h.settle().await;
    assert_eq!(shown_prompts(&h), ["first question", "second question"]);
    assert!(h.screen().contains("‹1/2›"), "{}", h.screen());
    h.press(KeyCode::Char('['));
    h.settle().await;
    assert_eq!(
        h.app.state.screen.flash.as_ref().unwrap().text,
        "this is the first version (1/2)"
    );
    h.press(KeyCode::Char(']'));
    h.settle().await;
    assert_eq!(shown_prompts(&h), ["first question, edited"]);

    // Regenerate the answer: the old one is its other version.
    let old_answer = h.last_answer().text.clone();
    let answer = h.last_answer().id;
    select(&mut h, answer).await;
    h.press(KeyCode::Char('r'));
    h.until("the regenerated answer", |h| {
        h.answer_done() && h.last_answer().alternatives.is_some()
    })
    .await;
    assert_eq!(h.answers().len(), 1);
    assert_eq!(
        h.last_answer().alternatives.as_ref().unwrap().versions[0][0].text,
        old_answer
    );

    // All of it is in the file, and comes back from it.
    let t = wait_for_file(&file, "the regenerated answer", |t| {
        t.entries.len() == 7 && t.entries.last().is_some_and(|e| e.end.is_some())
    });
    assert_eq!(path_texts(&t)[0], "first question, edited");
    h.reopen(&file).await;
    assert_eq!(shown_prompts(&h), ["first question, edited"]);
    let first_shown = h
        .app
        .state
        .chat
        .messages
        .iter()
        .find(|m| m.speaker == Speaker::User)
        .unwrap();
    assert_eq!(
        first_shown.alternatives.as_ref().unwrap().position(),
        (2, 2)
    );
    assert_eq!(
        h.last_answer().alternatives.as_ref().unwrap().position(),
        (2, 2)
    );
    // The resumed conversation goes on from the branch on screen, written once.
    turn(&mut h, "third question").await;
    let t = wait_for_file(&file, "the third turn", |t| {
        t.entries.len() == 9 && t.entries.last().is_some_and(|e| e.end.is_some())
    });
    let path = path_texts(&t);
    assert_eq!(path.len(), 4, "{path:?}");
    assert_eq!(path[0], "first question, edited");
    assert_eq!(path[2], "third question");
    let sent = last_request(&h);
    assert!(sent.contains("first question, edited") && !sent.contains("second question"));
    // Stepping back to the old branch after the resume is saved as the branch on screen.
    let edited = id_of(&h, "first question, edited");
    select(&mut h, edited).await;
    h.press(KeyCode::Char('['));
    h.settle().await;
    assert_eq!(shown_prompts(&h), ["first question", "second question"]);
    let t = wait_for_file(&file, "the selected branch", |t| {
        path_texts(t).first().is_some_and(|p| p == "first question")
    });
    assert_eq!(path_texts(&t)[2], "second question");
    let exported = bedrock_tui::transcript::export::markdown(&t);
    assert!(exported.contains("second question") && !exported.contains("third question"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_answers_are_sent_only_when_kept_turns_delete_and_forks_save_apart() {
    let mut h = Harness::start(Setup {
        width: 90,
        height: 40,
        ..Setup::default()
    })
    .await;
    turn(&mut h, "alpha").await;
    let file = session_path(&h);
    turn(&mut h, "beta [[fault:throttling after=4]]").await;
    assert!(matches!(h.status_of_last(), AnswerStatus::Failed(_)));
    let partial = h.last_answer().text.clone();
    assert!(!partial.is_empty());
    assert!(h.screen().contains("not sent as context"), "{}", h.screen());

    // Not kept: the next request has the prompt but not the partial answer.
    turn(&mut h, "gamma [[fault:none]]").await;
    let sent = last_request(&h);
    assert!(sent.contains("beta") && sent.contains("gamma"), "{sent}");
    assert!(!sent.contains(partial.trim()), "{sent}");

    // Kept (K): it is sent.
    let partial_id = id_of(&h, &partial);
    select(&mut h, partial_id).await;
    h.press(KeyCode::Char('K'));
    h.settle().await;
    assert!(
        h.screen().contains("kept: sent as context"),
        "{}",
        h.screen()
    );
    h.press(KeyCode::Tab);
    turn(&mut h, "delta").await;
    assert!(last_request(&h).contains(partial.trim()));

    // Delete asks: any key but y keeps the turn, y deletes it.
    let gamma = id_of(&h, "gamma [[fault:none]]");
    select(&mut h, gamma).await;
    h.press(KeyCode::Char('d'));
    h.press(KeyCode::Char('n'));
    h.settle().await;
    assert_eq!(shown_prompts(&h).len(), 4);
    h.press(KeyCode::Char('d'));
    h.press(KeyCode::Char('y'));
    h.settle().await;
    assert_eq!(
        shown_prompts(&h),
        ["alpha", "beta [[fault:throttling after=4]]", "delta"]
    );
    assert!(!h.screen().contains("gamma"), "{}", h.screen());
    h.press(KeyCode::Tab);
    turn(&mut h, "epsilon").await;
    let sent = last_request(&h);
    assert!(!sent.contains("gamma") && sent.contains("delta"), "{sent}");
    let t = wait_for_file(&file, "the deletion and the kept answer", |t| {
        t.entries.iter().any(|e| e.deleted) && t.entries.last().is_some_and(|e| e.end.is_some())
    });
    assert!(t.entries.iter().any(|e| e.kept));
    let kept_in_file: Vec<String> = t.context().0.into_iter().map(|turn| turn.text).collect();
    assert!(kept_in_file.contains(&partial));
    assert!(!kept_in_file.iter().any(|text| text.contains("gamma")));

    // Fork at the first answer: a new saved conversation with the first turn only.
    let alpha_answer = h
        .app
        .state
        .chat
        .messages
        .iter()
        .find(|m| m.speaker == Speaker::Assistant)
        .unwrap()
        .id;
    let before = t.entries.len();
    select(&mut h, alpha_answer).await;
    h.press(KeyCode::Char('f'));
    h.until("the fork's file", |h| {
        h.app
            .state
            .chat
            .session
            .as_ref()
            .is_some_and(|s| s.path != file)
    })
    .await;
    let fork_file = session_path(&h);
    assert_eq!(shown_prompts(&h), ["alpha"]);
    let fork = wait_for_file(&fork_file, "the fork", |t| t.entries.len() == 2);
    assert!(fork.title.ends_with("(fork)"), "{}", fork.title);
    assert_eq!(fork.entries[0].author, Author::User);
    assert_eq!(store::load(&file).unwrap().transcript.entries.len(), before);
    h.press(KeyCode::Tab);
    turn(&mut h, "more on alpha").await;
    let sent = last_request(&h);
    assert!(
        sent.contains("alpha") && !sent.contains("epsilon") && !sent.contains("beta ["),
        "{sent}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cursor_copies_messages_and_code_blocks_and_typing_goes_to_the_prompt() {
    let mut h = Harness::start(Setup {
        width: 90,
        height: 40,
        ..Setup::default()
    })
    .await;
    turn(&mut h, "a long answer please").await;
    let answer = h.last_answer().text.clone();
    let blocks: Vec<String> = answer
        .split("```")
        .skip(1)
        .step_by(2)
        .map(|b| {
            b.split_once('\n')
                .map_or("", |(_, code)| code)
                .trim_end()
                .to_string()
        })
        .collect();
    assert!(!blocks.is_empty(), "the answer has code: {answer}");
    h.press(KeyCode::Tab);
    h.settle().await;
    assert!(
        h.screen().contains("#1"),
        "code blocks are numbered: {}",
        h.screen()
    );
    h.press(KeyCode::Char('1'));
    h.settle().await;
    assert_eq!(h.clipboard.0.lock().unwrap().last(), Some(&blocks[0]));
    h.press(KeyCode::Char('y'));
    h.settle().await;
    assert_eq!(h.clipboard.0.lock().unwrap().last(), Some(&answer));
    // The prompt above it.
    h.press(KeyCode::Char('k'));
    h.press(KeyCode::Char('y'));
    h.settle().await;
    assert_eq!(
        h.clipboard.0.lock().unwrap().last().map(String::as_str),
        Some("a long answer please")
    );
    // The inspector opens on the selected answer.
    h.press(KeyCode::Tab);
    turn(&mut h, "and a short one").await;
    let first_answer = h.answers()[0].id;
    select(&mut h, first_answer).await;
    h.press(KeyCode::Char('w'));
    h.settle().await;
    assert!(
        matches!(&h.app.state.screen.overlay, Overlay::Inspector(v) if v.message == first_answer),
        "{}",
        h.screen()
    );
    h.press(KeyCode::Esc);
    h.press(KeyCode::Char('k'));
    h.settle().await;
    // A word typed in transcript focus lands in the prompt, not in commands (h is unbound).
    h.type_text("hello");
    h.settle().await;
    assert_eq!(h.app.state.screen.focus, Focus::Editor);
    assert_eq!(h.app.state.draft(), "hello");
    assert!(matches!(h.app.state.screen.overlay, Overlay::None));
    // From the prompt, Alt+Y is about the last answer, wherever the cursor was left.
    h.key(KeyCode::Char('y'), crossterm::event::KeyModifiers::ALT);
    h.settle().await;
    let flash = h
        .app
        .state
        .screen
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(flash.contains("the last answer"), "{flash}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_pasted_prompt_is_folded_in_the_transcript_and_sent_whole() {
    let mut h = Harness::start(Setup {
        width: 90,
        height: 40,
        ..Setup::default()
    })
    .await;
    let mut pasted = String::new();
    for n in 1..=2_000 {
        pasted.push_str(&format!(
            "line {n} of the log
"
        ));
    }
    h.event(crossterm::event::Event::Paste(pasted.clone()));
    h.settle().await;
    h.press(KeyCode::Enter);
    h.finish_answer().await;
    let sent = last_request(&h);
    assert!(
        sent.contains("line 1 of the log") && sent.contains("line 2000 of the log"),
        "sent whole"
    );
    let prompt = h.app.state.chat.messages[0].id;
    select(&mut h, prompt).await;
    h.press(KeyCode::Char('g'));
    h.settle().await;
    let screen = h.screen();
    assert!(screen.contains("a long prompt: 2000 lines"), "{screen}");
    assert!(screen.contains("line 6 of the log") && !screen.contains("line 7 of the log"));
    h.press(KeyCode::Char('z'));
    h.settle().await;
    assert!(h.screen().contains("line 30 of the log"), "{}", h.screen());
    h.press(KeyCode::Char('z'));
    h.settle().await;
    assert!(!h.screen().contains("line 7 of the log"), "{}", h.screen());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regenerating_says_which_model_answers() {
    let mut h = Harness::start(Setup::default()).await;
    turn(&mut h, "a question").await;
    let answer = h.last_answer().id;
    // Another model now: regenerating the old answer asks it, and says so.
    h.app.state.chat.model = "amazon.nova-lite-v1:0".into();
    select(&mut h, answer).await;
    h.press(KeyCode::Char('r'));
    h.settle().await;
    let flash = h.app.state.screen.flash.clone().unwrap().text;
    assert!(
        flash.contains("asking Nova Lite again (the answer it replaces was Claude Haiku 4.5's"),
        "{flash}"
    );
    h.finish_answer().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fork_at_a_prompt_ends_before_it_with_the_prompt_in_the_editor() {
    let mut h = Harness::start(Setup::default()).await;
    turn(&mut h, "alpha").await;
    turn(&mut h, "beta").await;
    let file = session_path(&h);
    let beta = id_of(&h, "beta");
    select(&mut h, beta).await;
    h.press(KeyCode::Char('f'));
    h.settle().await;
    // The fork holds the first turn; the prompt forked at waits in the editor.
    assert_eq!(shown_prompts(&h), ["alpha"]);
    assert_eq!(h.app.state.draft(), "beta");
    assert_eq!(h.app.state.screen.focus, Focus::Editor);
    let flash = h.app.state.screen.flash.clone().unwrap().text;
    assert!(flash.contains("forked before this prompt"), "{flash}");
    // Sending it changed makes one prompt per turn, never two in a row.
    h.ctrl('u');
    turn(&mut h, "beta, differently").await;
    let speakers: Vec<Speaker> = h
        .app
        .state
        .chat
        .messages
        .iter()
        .filter(|m| m.speaker != Speaker::Notice)
        .map(|m| m.speaker)
        .collect();
    assert_eq!(
        speakers,
        [
            Speaker::User,
            Speaker::Assistant,
            Speaker::User,
            Speaker::Assistant
        ]
    );
    let fork_file = session_path(&h);
    assert_ne!(fork_file, file);
    let fork = wait_for_file(&fork_file, "the fork", |t| {
        t.entries.len() == 4 && t.entries[3].end.is_some()
    });
    assert_eq!(
        fork.entries.iter().map(|e| e.author).collect::<Vec<_>>(),
        [
            Author::User,
            Author::Assistant,
            Author::User,
            Author::Assistant
        ]
    );
    assert!(fork.title.ends_with("(fork)"), "{}", fork.title);
    // The old conversation is as it was.
    assert_eq!(
        path_texts(&store::load(&file).unwrap().transcript)[2],
        "beta"
    );
}
