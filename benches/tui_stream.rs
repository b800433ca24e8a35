//! The chat under load, measured in one run against its targets: the real loop (`App::step`)
//! drawing real escape sequences (ratatui's crossterm backend writing to /dev/null) while an
//! answer streams at 5,000 tokens/s for 20 s from `bedrock-tui emulator` in another process.
//! Reports the CPU time of this process, frames drawn, the slowest frame, the latency of keys
//! typed during the stream (from the key to the frame that shows it), and what an idle screen
//! costs afterwards.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

use bedrock_tui::app::state::State;
use bedrock_tui::bedrock::auth::CredentialsCache;
use bedrock_tui::bedrock::{Auth, Client, ClientConfig, RetryPolicy, Timeouts};
use bedrock_tui::config::theme::Theme;
use bedrock_tui::connect::Connection;
use bedrock_tui::keymap::Keymap;
use bedrock_tui::run::App;
use bedrock_tui::run::tasks::RecordingClipboard;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_bedrock-tui");
const TOKENS_PER_SECOND: u32 = 5_000;
const STREAM: Duration = Duration::from_secs(20);
const IDLE: Duration = Duration::from_secs(5);
const MODEL: &str = "us.anthropic.claude-opus-4-6-v1";

/// CPU time of this process so far (Linux: /proc/self/schedstat, nanoseconds).
fn cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

struct Emulator {
    child: std::process::Child,
    exports: Vec<(String, String)>,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_emulator() -> Emulator {
    let mut child = Command::new(BIN)
        .args([
            "emulator",
            "--port",
            "0",
            "--tokens-per-second",
            &TOKENS_PER_SECOND.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the emulator starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut exports = Vec::new();
    for line in lines.by_ref() {
        let line = line.expect("emulator output");
        if let Some((name, value)) = line.strip_prefix("export ").and_then(|l| l.split_once('=')) {
            exports.push((name.to_string(), value.to_string()));
        }
        if exports.len() == 6 {
            break;
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    Emulator { child, exports }
}

fn connection(emulator: &Emulator) -> Connection {
    let get = |name: &str| {
        emulator
            .exports
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let credentials = aws_credential_types::Credentials::new(
        get("AWS_ACCESS_KEY_ID"),
        get("AWS_SECRET_ACCESS_KEY"),
        Some(get("AWS_SESSION_TOKEN")),
        None,
        "bench",
    );
    let client = Client::new(ClientConfig {
        endpoint: get("AWS_ENDPOINT_URL_BEDROCK_RUNTIME"),
        region: "us-east-1".to_string(),
        auth: Auth::SigV4(Arc::new(CredentialsCache::fixed(credentials))),
        retry: RetryPolicy::default(),
        timeouts: Timeouts::default(),
        control_endpoint: None,
    })
    .expect("client");
    Connection {
        client,
        emulator: None,
        description: get("AWS_ENDPOINT_URL_BEDROCK_RUNTIME"),
        fallback_reason: None,
        region_source: bedrock_tui::settings::Source::Default,
        credentials_source: "the emulator's".to_string(),
        routes: None,
    }
}

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let emulator = start_emulator();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let mut state = State::new(MODEL.to_string(), Keymap::default(), Theme::default());
        // Claude Opus 4.6 takes 128,000 output tokens: room for 20 s at 5,000 tokens/s.
        state.chat.params.max_tokens = Some(128_000);
        let mut app = App::new(state, Box::new(RecordingClipboard::default()));
        let connection = connection(&emulator);
        app.connect(async move { Ok(connection) });
        let (input, rx) = tokio::sync::mpsc::unbounded_channel::<std::io::Result<Event>>();
        let mut events = Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|event| (event, rx))
        }));
        let sink = std::fs::File::create("/dev/null").expect("/dev/null");
        let backend = CrosstermBackend::new(sink);
        let mut terminal = Terminal::with_options(
            backend,
            ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 160, 48)),
            },
        )
        .expect("terminal");
        app.draw(&mut terminal).expect("first frame");
        let tokens = u64::from(TOKENS_PER_SECOND) * STREAM.as_secs() + 100;
        app.state.set_draft(&format!("A long answer, please [[emulator:tokens={tokens}]]"));
        input
            .send(Ok(Event::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))))
            .expect("send");
        // Wait for the first text, then measure.
        while app
            .state
            .chat.messages
            .last()
            .is_none_or(|m| m.text.is_empty())
        {
            app.step(&mut terminal, &mut events).await.expect("step");
        }
        let cpu_start = cpu_time();
        let frames_start = app.frames;
        app.slowest_frame = Duration::ZERO;
        let started = Instant::now();
        let mut latencies = Vec::new();
        let mut typed: Option<(usize, Instant)> = None;
        let mut next_key = started + Duration::from_millis(250);
        while started.elapsed() < STREAM {
            if typed.is_none() && Instant::now() >= next_key {
                let len = app.state.draft().len();
                input.send(Ok(key('x'))).expect("send");
                typed = Some((len + 1, Instant::now()));
                next_key += Duration::from_millis(250);
            }
            let frames = app.frames;
            let wait = next_key.saturating_duration_since(Instant::now());
            let _ = tokio::time::timeout(wait.max(Duration::from_millis(1)), app.step(&mut terminal, &mut events)).await;
            if let Some((len, at)) = typed
                && app.state.draft().len() >= len
                && app.frames > frames
            {
                latencies.push(at.elapsed());
                typed = None;
            }
        }
        let streamed = started.elapsed();
        let cpu = cpu_time().zip(cpu_start).map(|(end, start)| end.checked_sub(start).unwrap());
        let frames = app.frames - frames_start;
        let slowest = app.slowest_frame;
        let answer = app.state.chat.messages.last().map_or(0, |m| m.text.len());
        // Stop the stream and look at an idle screen.
        input
            .send(Ok(Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE))))
            .expect("send");
        let settle = Instant::now();
        while settle.elapsed() < Duration::from_millis(300) {
            let _ = tokio::time::timeout(Duration::from_millis(50), app.step(&mut terminal, &mut events)).await;
        }
        let idle_cpu_start = cpu_time();
        let idle_frames_start = app.frames;
        let idle_started = Instant::now();
        while idle_started.elapsed() < IDLE {
            let left = IDLE.saturating_sub(idle_started.elapsed());
            let _ = tokio::time::timeout(left, app.step(&mut terminal, &mut events)).await;
        }
        let idle_cpu = cpu_time().zip(idle_cpu_start).map(|(end, start)| end.checked_sub(start).unwrap());
        let idle_frames = app.frames - idle_frames_start;

        latencies.sort();
        let median = latencies.get(latencies.len() / 2).copied().unwrap_or_default();
        let worst = latencies.last().copied().unwrap_or_default();
        println!(
            "streaming {TOKENS_PER_SECOND} tokens/s for {:.1} s ({} KB of answer):",
            streamed.as_secs_f64(),
            answer / 1024
        );
        match cpu {
            Some(cpu) => println!(
                "  CPU time {:.0} ms = {:.1}% of one core (target under 25%)",
                cpu.as_secs_f64() * 1000.0,
                100.0 * cpu.as_secs_f64() / streamed.as_secs_f64()
            ),
            None => println!("  CPU time: not measurable here (no /proc/self/schedstat)"),
        }
        println!(
            "  {frames} frames ({:.0}/s), slowest {:.2} ms (target under 16 ms)",
            frames as f64 / streamed.as_secs_f64(),
            slowest.as_secs_f64() * 1000.0
        );
        println!(
            "  key to frame: median {:.1} ms, worst {:.1} ms over {} keys (target: within one frame, 16 ms)",
            median.as_secs_f64() * 1000.0,
            worst.as_secs_f64() * 1000.0,
            latencies.len()
        );
        println!(
            "idle for {} s: {idle_frames} frames, CPU time {:.1} ms",
            IDLE.as_secs(),
            idle_cpu.map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
        );
    });
}
