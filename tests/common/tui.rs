//! A harness that drives the real chat loop (`App::step`) on a ratatui `TestBackend` with
//! synthetic terminal events, against the in-process emulator.
#![allow(dead_code)]

use bedrock_tui::app::state::{AnswerStatus, Message, Speaker, State};
use bedrock_tui::bedrock::{RetryPolicy, Timeouts};
use bedrock_tui::config::theme::Theme;
use bedrock_tui::connect::{ConnectOptions, connect_emulator};
use bedrock_tui::keymap::Keymap;
use bedrock_tui::run::App;
use bedrock_tui::run::tasks::RecordingClipboard;
use bedrock_tui::settings::{Settings, Source};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures_util::Stream;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::pin::Pin;
use std::time::Duration;
use tokio::sync::mpsc;

pub type Events = Pin<Box<dyn Stream<Item = std::io::Result<Event>> + Send>>;

pub struct Harness {
    pub app: App,
    /// The data directory: `sessions/` and `exports/`.
    pub data: tempfile::TempDir,
    pub terminal: Terminal<TestBackend>,
    input: mpsc::UnboundedSender<std::io::Result<Event>>,
    events: Events,
    pub clipboard: RecordingClipboard,
    pub running: bool,
}

pub struct Setup {
    pub width: u16,
    pub height: u16,
    pub tokens_per_second: f64,
    pub max_attempts: u32,
    pub idle_timeout: Duration,
    pub model: String,
    /// How long credential resolution takes (the harness waits for it only when zero).
    pub connect_delay: Duration,
    /// Save conversations in the harness's data directory.
    pub save: bool,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            width: 80,
            height: 24,
            tokens_per_second: 0.0,
            max_attempts: 1,
            idle_timeout: Duration::from_secs(2),
            model: "global.anthropic.claude-haiku-4-5-20251001-v1:0".to_string(),
            connect_delay: Duration::ZERO,
            save: true,
        }
    }
}

impl Harness {
    pub async fn start(setup: Setup) -> Harness {
        let state = State::new(setup.model.clone(), Keymap::default(), Theme::default());
        let clipboard = RecordingClipboard::default();
        let mut app = App::new(state, Box::new(clipboard.clone()));
        let data = tempfile::tempdir().expect("data dir");
        std::fs::create_dir_all(data.path().join("exports")).expect("exports dir");
        app.export_dir = data.path().join("exports");
        app.state.settings.attachments_dir = Some(data.path().join("attachments"));
        if setup.save {
            app.save_sessions(data.path().join("sessions"), None);
        }
        let options = ConnectOptions {
            settings: Settings {
                demo: Some(Source::Flag("--demo")),
                retry: RetryPolicy {
                    max_attempts: setup.max_attempts,
                    base_delay: Duration::from_millis(5),
                    max_delay: Duration::from_millis(20),
                },
                timeouts: Timeouts {
                    idle: setup.idle_timeout,
                    ..Timeouts::default()
                },
                ..Settings::default()
            },
            demo_tokens_per_second: setup.tokens_per_second,
            fallback_to_demo: false,
        };
        let delay = setup.connect_delay;
        app.connect(async move {
            tokio::time::sleep(delay).await;
            connect_emulator(&options).await
        });
        let (input, rx) = mpsc::unbounded_channel();
        let events: Events = Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|event| (event, rx))
        }));
        let terminal =
            Terminal::new(TestBackend::new(setup.width, setup.height)).expect("terminal");
        let mut harness = Harness {
            app,
            data,
            terminal,
            input,
            events,
            clipboard,
            running: true,
        };
        harness
            .app
            .draw(&mut harness.terminal)
            .expect("first frame");
        if delay.is_zero() {
            harness
                .until("connected", |h| h.app.state.activity() != "connecting")
                .await;
        }
        harness
    }

    /// Opens the saved conversation at `path` again from the browser, after starting a new
    /// one.
    pub async fn reopen(&mut self, path: &std::path::Path) {
        self.ctrl('n');
        self.settle().await;
        self.ctrl('o');
        self.until("the session list", |h| {
            matches!(&h.app.state.screen.overlay, bedrock_tui::app::state::Overlay::Sessions(b) if b.items.is_some())
        })
        .await;
        self.press(KeyCode::Enter);
        self.until("the conversation to open", |h| {
            h.app
                .state
                .chat
                .session
                .as_ref()
                .is_some_and(|s| s.path == path)
                && !h.app.state.chat.messages.is_empty()
        })
        .await;
    }

    pub fn event(&self, event: Event) {
        self.input.send(Ok(event)).expect("loop alive");
    }

    pub fn key(&self, code: KeyCode, modifiers: KeyModifiers) {
        self.event(Event::Key(KeyEvent::new(code, modifiers)));
    }

    pub fn press(&self, code: KeyCode) {
        self.key(code, KeyModifiers::NONE);
    }

    pub fn ctrl(&self, c: char) {
        self.key(KeyCode::Char(c), KeyModifiers::CONTROL);
    }

    pub fn type_text(&self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c), KeyModifiers::NONE);
        }
    }

    /// Types a prompt, presses Enter and lets the loop take it in.
    pub async fn send(&mut self, text: &str) {
        let before = self.last_user_id();
        let refusal = self.app.state.screen.flash.clone();
        self.type_text(text);
        // Typed, not pasted: the Enter comes after the text is in (an Enter in the same burst
        // as the text before it is a pasted newline).
        self.settle().await;
        self.press(KeyCode::Enter);
        self.until("the prompt to be taken in", |h| {
            h.last_user_id() != before
                || (h.app.state.screen.flash.is_some() && h.app.state.screen.flash != refusal)
        })
        .await;
    }

    /// Runs the loop until a tool call is asked about and the question takes keys (it has been
    /// on screen for its arming time without a key).
    pub async fn until_tool_question(&mut self) {
        use bedrock_tui::app::state::Overlay;
        self.until("a tool call to be asked about", |h| {
            matches!(h.app.state.screen.overlay, Overlay::Tools(_))
        })
        .await;
        self.until("the tool question to take keys", |h| {
            matches!(&h.app.state.screen.overlay, Overlay::Tools(q) if q.armed(std::time::Instant::now()))
        })
        .await;
    }

    /// Runs the loop until the last answer streams and has text.
    pub async fn until_text_streams(&mut self) {
        self.until("text to start streaming", |h| {
            h.answers()
                .last()
                .is_some_and(|m| m.status == AnswerStatus::Streaming && !m.text.is_empty())
        })
        .await;
    }

    /// The prompts sent so far, in order.
    pub fn prompts(&self) -> Vec<&str> {
        self.app
            .state
            .chat
            .messages
            .iter()
            .filter(|m| m.speaker == Speaker::User)
            .map(|m| m.text.as_str())
            .collect()
    }

    pub fn last_user_id(&self) -> Option<u64> {
        self.app
            .state
            .chat
            .messages
            .iter()
            .rev()
            .find(|m| m.speaker == Speaker::User)
            .map(|m| m.id)
    }

    /// Runs the real loop until `done` holds (checked after every step), or panics after 20 s
    /// with the screen.
    pub async fn until(&mut self, what: &str, done: impl Fn(&Harness) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while !done(self) {
            assert!(
                self.running,
                "the loop ended while waiting for {what}\n{}",
                self.screen()
            );
            let step = self.app.step(&mut self.terminal, &mut self.events);
            let Ok(stepped) = tokio::time::timeout_at(deadline, step).await else {
                panic!("timed out waiting for {what}\n{}", self.screen());
            };
            match stepped {
                Ok(running) => self.running = running,
                Err(e) => panic!("terminal error: {e}"),
            }
        }
        // What the state says is on screen too.
        self.app.draw(&mut self.terminal).expect("draw");
    }

    /// Handles every queued event (and whatever arrives meanwhile, for at most a second),
    /// then draws.
    pub async fn settle(&mut self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
        while self.running && tokio::time::Instant::now() < deadline {
            let step = self.app.step(&mut self.terminal, &mut self.events);
            match tokio::time::timeout(Duration::from_millis(60), step).await {
                Ok(Ok(running)) => self.running = running,
                Ok(Err(e)) => panic!("terminal error: {e}"),
                Err(_) => break,
            }
        }
        self.app.draw(&mut self.terminal).expect("draw");
    }

    pub fn screen(&self) -> String {
        super::screen_text(self.terminal.backend().buffer())
    }

    pub fn answers(&self) -> Vec<&Message> {
        self.app
            .state
            .chat
            .messages
            .iter()
            .filter(|m| m.speaker == Speaker::Assistant)
            .collect()
    }

    /// The text of the last notice in the transcript.
    pub fn last_notice(&self) -> &str {
        &self
            .app
            .state
            .chat
            .messages
            .iter()
            .rev()
            .find(|m| m.speaker == Speaker::Notice)
            .expect("a notice")
            .text
    }

    pub fn last_answer(&self) -> &Message {
        self.answers().into_iter().last().expect("an answer")
    }

    pub fn answer_done(&self) -> bool {
        self.app.state.requests.in_flight.is_none()
            && self.answers().last().is_some_and(|m| !m.in_flight())
    }

    pub async fn finish_answer(&mut self) {
        self.until("the answer to finish", Harness::answer_done)
            .await;
    }

    pub fn status_of_last(&self) -> AnswerStatus {
        self.last_answer().status.clone()
    }
}

/// Polls a session file until `done` holds for what loads from it (the chat's writer is a
/// thread of its own).
pub fn wait_for_file(
    path: &std::path::Path,
    what: &str,
    done: impl Fn(&bedrock_tui::transcript::Transcript) -> bool,
) -> bedrock_tui::transcript::Transcript {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(loaded) = bedrock_tui::transcript::store::load(path)
            && done(&loaded.transcript)
        {
            return loaded.transcript;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}
