//! The pure update driven by message sequences, checked by the effects it returns and the state
//! it leaves: no terminal, no network.

use super::state::{AnswerStatus, ConnectionState, Speaker, State};
use super::update::update;
use super::{ConnectionInfo, Effect, Msg, StreamUpdate};
use crate::config::theme::Theme;
use crate::exchange::{ErrorInfo, Figures};
use crate::keymap::Keymap;
use crate::models::ChunkDelta;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::Duration;

const HAIKU: &str = "global.anthropic.claude-haiku-4-5-20251001-v1:0";

fn state() -> State {
    State::new(HAIKU.to_string(), Keymap::default(), Theme::default())
}

fn connected(state: &mut State) {
    update(
        state,
        Msg::Connected(Ok(ConnectionInfo {
            description: "emulator".into(),
            region: "us-east-1".into(),
            emulator: true,
            fallback_reason: None,
        })),
    );
}

fn key(state: &mut State, code: KeyCode, modifiers: KeyModifiers) -> Vec<Effect> {
    update(state, Msg::Key(KeyEvent::new(code, modifiers)))
}

fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        key(state, KeyCode::Char(c), KeyModifiers::NONE);
    }
}

/// Types `text` and presses Enter; returns the request ids sent.
fn send(state: &mut State, text: &str) -> Vec<u64> {
    type_text(state, text);
    sent(&key(state, KeyCode::Enter, KeyModifiers::NONE))
}

fn sent(effects: &[Effect]) -> Vec<u64> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(spec) => Some(spec.request_id),
            _ => None,
        })
        .collect()
}

fn news(state: &mut State, request_id: u64, update_: StreamUpdate) -> Vec<Effect> {
    update(
        state,
        Msg::Stream {
            request_id,
            update: update_,
        },
    )
}

fn text(delta: &str) -> StreamUpdate {
    StreamUpdate::Delta {
        delta: Box::new(ChunkDelta {
            text: delta.to_string(),
            ..ChunkDelta::default()
        }),
        elapsed: Duration::from_millis(5),
    }
}

fn finished() -> StreamUpdate {
    StreamUpdate::Finished {
        figures: Box::default(),
    }
}

fn answers(state: &State) -> Vec<&super::state::Message> {
    state
        .chat
        .messages
        .iter()
        .filter(|m| m.speaker == Speaker::Assistant)
        .collect()
}

#[test]
fn news_of_a_cancelled_request_is_dropped() {
    let mut s = state();
    connected(&mut s);
    let [first] = send(&mut s, "hello")[..] else {
        panic!("one request")
    };
    news(&mut s, first, text("Hel"));
    let effects = key(&mut s, KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(effects, vec![Effect::Cancel { request_id: first }]);
    assert_eq!(answers(&s)[0].status, AnswerStatus::Cancelled);
    let [second] = sent(&key(&mut s, KeyCode::Char('r'), KeyModifiers::CONTROL))[..] else {
        panic!("the retry sends")
    };
    assert_ne!(first, second);
    // The old stream's late news changes nothing; the new one fills the new answer.
    news(&mut s, first, text("lo from the past"));
    news(&mut s, first, finished());
    news(&mut s, second, text("Fresh"));
    // The retry's answer is on screen; the cancelled one is its other version.
    let all = answers(&s);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].text, "Fresh");
    let versions = all[0].alternatives.as_ref().expect("two versions");
    assert_eq!(versions.position(), (2, 2));
    assert_eq!(versions.versions[0][0].text, "Hel");
    assert_eq!(s.requests.in_flight.map(|f| f.request_id), Some(second));
}

#[test]
fn keeping_a_side_by_side_answer_then_retrying_makes_it_another_version() {
    let mut s = state();
    connected(&mut s);
    // An earlier turn, so the kept answer is not the first message.
    let [first] = send(&mut s, "warm up")[..] else {
        panic!()
    };
    news(&mut s, first, text("ok"));
    news(&mut s, first, finished());
    type_text(&mut s, "compare this");
    key(&mut s, KeyCode::F(5), KeyModifiers::NONE);
    key(&mut s, KeyCode::Char('u'), KeyModifiers::CONTROL);
    type_text(&mut s, "nova micro");
    key(&mut s, KeyCode::Tab, KeyModifiers::NONE);
    let panes = sent(&key(&mut s, KeyCode::Enter, KeyModifiers::NONE));
    assert_eq!(panes.len(), 2, "{:?}", s.screen.flash);
    for (request, answer) in panes.iter().zip(["from haiku", "from nova"]) {
        news(&mut s, *request, text(answer));
        news(&mut s, *request, finished());
    }
    // The first pane is the current model's; keep it.
    key(&mut s, KeyCode::Enter, KeyModifiers::NONE);
    let kept = answers(&s).last().map(|m| (m.id, m.text.clone()));
    assert_eq!(kept.as_ref().map(|k| k.1.as_str()), Some("from haiku"));
    let ids: Vec<u64> = s.chat.messages.iter().map(|m| m.id).collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids, unique, "every message has its own id");
    let retried = sent(&key(&mut s, KeyCode::Char('r'), KeyModifiers::CONTROL));
    assert_eq!(retried.len(), 1);
    let (kept_id, _) = kept.unwrap();
    assert!(
        s.chat.messages.iter().all(|m| m.id != kept_id),
        "the kept answer is off screen, another version of the retry's"
    );
    assert_eq!(
        s.chat.messages.last().unwrap().status,
        AnswerStatus::Waiting
    );
    // The retry's news reaches the new answer, not the kept one.
    news(&mut s, retried[0], text("again"));
    let last = s.chat.messages.last().unwrap();
    assert_eq!(last.text, "again");
    let versions = last
        .alternatives
        .as_ref()
        .expect("the kept answer as a version");
    let old = versions.versions[0].first().unwrap();
    assert_eq!((old.id, old.text.as_str()), (kept_id, "from haiku"));
}

#[test]
fn a_failed_connection_fails_the_request_that_waited_for_it() {
    let mut s = state();
    assert_eq!(s.requests.connection, ConnectionState::Pending);
    let waiting = send(&mut s, "are you there?");
    assert_eq!(waiting.len(), 1, "the request waits for the connection");
    assert_eq!(answers(&s)[0].status, AnswerStatus::Waiting);
    update(&mut s, Msg::Connected(Err("no route to host".into())));
    assert!(s.requests.in_flight.is_none());
    match &answers(&s)[0].status {
        AnswerStatus::Failed(e) => {
            assert_eq!(e.name, "ConnectionError");
            assert!(e.message.contains("no route"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(s.requests.connection, ConnectionState::Failed(_)));
    assert!(
        s.chat
            .messages
            .iter()
            .any(|m| m.speaker == Speaker::Notice && m.text.contains("cannot connect"))
    );
    // Its prompt goes again with the next one, and says so.
    assert!(answers(&s)[0].goes_again);
}

/// The body of the one request `effects` send.
fn body_sent(effects: &[Effect]) -> String {
    let bodies: Vec<String> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(spec) => Some(String::from_utf8_lossy(&spec.prepared.body).into_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(bodies.len(), 1, "{effects:?}");
    bodies[0].clone()
}

/// Sends `prompt` and gives it `answer`, whole.
fn turn(s: &mut State, prompt: &str, answer: &str) {
    let [request] = send(s, prompt)[..] else {
        panic!("one request for {prompt}")
    };
    news(s, request, text(answer));
    news(s, request, finished());
}

#[test]
fn an_edited_earlier_prompt_is_sent_as_a_new_branch_without_the_turns_after_it() {
    let mut s = state();
    connected(&mut s);
    turn(&mut s, "first question", "first answer");
    turn(&mut s, "second question", "second answer");
    // To the transcript, up to the first prompt, and edit it.
    key(&mut s, KeyCode::Tab, KeyModifiers::NONE);
    for _ in 0..8 {
        key(&mut s, KeyCode::Up, KeyModifiers::NONE);
    }
    key(&mut s, KeyCode::Char('e'), KeyModifiers::NONE);
    assert_eq!(s.draft(), "first question");
    type_text(&mut s, ", edited");
    let body = body_sent(&key(&mut s, KeyCode::Enter, KeyModifiers::NONE));
    assert!(body.contains("first question, edited"), "{body}");
    assert!(
        !body.contains("second"),
        "the turns after it stay on the old branch: {body}"
    );
    // On screen: the edited prompt, with the old one as its other version.
    let prompts: Vec<&str> = s
        .chat
        .messages
        .iter()
        .filter(|m| m.speaker == Speaker::User)
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(prompts, ["first question, edited"]);
    let versions = s
        .chat
        .messages
        .iter()
        .find(|m| m.speaker == Speaker::User)
        .and_then(|m| m.alternatives.as_ref())
        .expect("the old branch as a version");
    assert_eq!(versions.position(), (2, 2));
}

#[test]
fn a_regenerated_answer_keeps_the_old_one_as_a_version_and_sends_the_same_prompt() {
    let mut s = state();
    connected(&mut s);
    turn(&mut s, "a question", "an answer");
    let body = body_sent(&key(&mut s, KeyCode::Char('r'), KeyModifiers::CONTROL));
    assert!(body.contains("a question"), "{body}");
    assert!(
        !body.contains("an answer"),
        "the answer it replaces is not sent: {body}"
    );
    let all = answers(&s);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].status, AnswerStatus::Waiting);
    let versions = all[0].alternatives.as_ref().expect("two versions");
    assert_eq!(versions.versions[0][0].text, "an answer");
}

#[test]
fn cancelling_while_a_retry_waits_ends_the_answer_and_later_news_is_dropped() {
    let mut s = state();
    connected(&mut s);
    let [request] = send(&mut s, "busy?")[..] else {
        panic!()
    };
    news(
        &mut s,
        request,
        StreamUpdate::Retrying {
            text: "retrying 2/3 after ThrottlingException in 0.3 s".into(),
        },
    );
    assert!(answers(&s)[0].retrying.is_some());
    assert_eq!(s.activity(), "waiting");
    let effects = key(&mut s, KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(
        effects,
        vec![Effect::Cancel {
            request_id: request
        }]
    );
    news(
        &mut s,
        request,
        StreamUpdate::Failed {
            error: ErrorInfo {
                name: "ThrottlingException".into(),
                message: "slow down".into(),
                status: Some(429),
                original_status: None,
                in_stream: false,
            },
            figures: Box::new(Figures::default()),
        },
    );
    assert_eq!(answers(&s)[0].status, AnswerStatus::Cancelled);
    assert_eq!(s.activity(), "idle");
}

#[test]
fn a_prompt_waits_for_a_file_still_being_read_and_a_pasted_path_stays_until_its_file_is_attached() {
    let mut s = state();
    connected(&mut s);
    type_text(&mut s, "/attach /nowhere/report.pdf");
    let effects = key(&mut s, KeyCode::Enter, KeyModifiers::NONE);
    let path = std::path::PathBuf::from("/nowhere/report.pdf");
    assert_eq!(effects, vec![Effect::ReadAttachment(path.clone())]);
    // Sent while the file is read: refused, the draft kept.
    assert!(send(&mut s, "summarise it").is_empty());
    assert_eq!(s.draft(), "summarise it");
    assert!(
        s.screen
            .flash
            .as_ref()
            .is_some_and(|f| f.text.contains("report.pdf is still being read")),
        "{:?}",
        s.screen.flash
    );
    // It cannot be read: the draft typed meanwhile is not replaced.
    update(
        &mut s,
        Msg::AttachmentRead {
            path,
            result: Err("no such file".into()),
        },
    );
    assert_eq!(s.draft(), "summarise it");
    // A pasted path offered and taken with Alt+A: its text leaves the draft only with a file.
    key(&mut s, KeyCode::Char('u'), KeyModifiers::CONTROL);
    type_text(&mut s, "look at ");
    let pasted = "/nowhere/photo.png".to_string();
    update(&mut s, Msg::Paste(pasted.clone()));
    let photo = std::path::PathBuf::from(&pasted);
    update(
        &mut s,
        Msg::PastedFile {
            path: photo.clone(),
            pasted: pasted.clone(),
        },
    );
    let effects = key(&mut s, KeyCode::Char('a'), KeyModifiers::ALT);
    assert_eq!(effects, vec![Effect::ReadAttachment(photo.clone())]);
    assert_eq!(s.draft(), "look at /nowhere/photo.png");
    update(
        &mut s,
        Msg::AttachmentRead {
            path: photo,
            result: Err("gone".into()),
        },
    );
    assert_eq!(
        s.draft(),
        "look at /nowhere/photo.png",
        "the pasted text stays"
    );
}

#[test]
fn the_route_switches_between_turns_and_the_history_is_encoded_again() {
    let mut s = state();
    connected(&mut s);
    turn(&mut s, "first question", "first answer");
    // Alt+C: the next turn goes through Converse, with the first turn in Converse's shapes.
    key(&mut s, KeyCode::Char('c'), KeyModifiers::ALT);
    assert_eq!(s.route(), crate::bedrock::Api::Converse);
    type_text(&mut s, "second question");
    let effects = key(&mut s, KeyCode::Enter, KeyModifiers::NONE);
    let spec = effects
        .iter()
        .find_map(|e| match e {
            Effect::Send(spec) => Some(spec),
            _ => None,
        })
        .expect("a request");
    assert_eq!(spec.prepared.api, crate::bedrock::Api::Converse);
    let body: serde_json::Value = serde_json::from_slice(&spec.prepared.body).unwrap();
    assert!(body.get("anthropic_version").is_none(), "{body}");
    assert_eq!(
        body["messages"][1],
        serde_json::json!({"role": "assistant", "content": [{"text": "first answer"}]})
    );
    assert_eq!(body["messages"][2]["content"][0]["text"], "second question");
    let request = spec.request_id;
    news(&mut s, request, text("second answer"));
    news(&mut s, request, finished());
    // And back: the whole conversation in Claude's own body again.
    key(&mut s, KeyCode::Char('c'), KeyModifiers::ALT);
    let body = body_sent(&{
        type_text(&mut s, "third question");
        key(&mut s, KeyCode::Enter, KeyModifiers::NONE)
    });
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["anthropic_version"], "bedrock-2023-05-31");
    assert_eq!(body["messages"].as_array().unwrap().len(), 5);
}

#[test]
fn a_model_of_an_unknown_format_goes_through_converse_and_says_so() {
    let mut s = State::new(
        "qwen.qwen3-32b-v1:0".to_string(),
        Keymap::default(),
        Theme::default(),
    );
    connected(&mut s);
    assert_eq!(s.route(), crate::bedrock::Api::Converse);
    type_text(&mut s, "hello");
    let effects = key(&mut s, KeyCode::Enter, KeyModifiers::NONE);
    let spec = effects
        .iter()
        .find_map(|e| match e {
            Effect::Send(spec) => Some(spec),
            _ => None,
        })
        .expect("sent, never refused");
    assert_eq!(spec.prepared.api, crate::bedrock::Api::Converse);
    assert!(
        crate::models::note::texts(&spec.prepared.notes)
            .iter()
            .any(|n| n.contains("sent through Converse")),
        "{:?}",
        spec.prepared.notes
    );
}
