//! Terminal input, in one run: (1) the decoder on 1 MB of typed keys and on a 1 MB bracketed
//! paste, against `String::from_utf8_lossy` over the same bytes (the least any decoder does);
//! (2) a 16 KB paste from a terminal without bracketed paste (keys, an Enter per line) taken in
//! through the chat's loop and drawn, against the same keys given to the prompt one at a time
//! (what the loop did before bursts went in as one paste).
#![allow(clippy::unwrap_used)] // In benchmarks a panic is the failure report.

use bedrock_tui::app::state::State;
use bedrock_tui::config::theme::Theme;
use bedrock_tui::fuzzing;
use bedrock_tui::keymap::Keymap;
use bedrock_tui::run::App;
use bedrock_tui::run::tasks::RecordingClipboard;
use criterion::Criterion;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;
use std::time::{Duration, Instant};

const MODEL: &str = "global.anthropic.claude-haiku-4-5-20251001-v1:0";
const LINE: &str = "fn main() { println!(\"héllo, wörld\"); } // ok";

/// 1 MB of what typing sends: text, Enter, arrows, Alt+b, Backspace.
fn typed_bytes() -> Vec<u8> {
    let piece = format!("{LINE}\r\x1b[A\x1b[1;5C\x1bb\x7f");
    piece.repeat(1_000_000 / piece.len()).into_bytes()
}

/// A 1 MB bracketed paste.
fn pasted_bytes() -> Vec<u8> {
    let mut bytes = b"\x1b[200~".to_vec();
    bytes.extend(
        format!("{LINE}\r\n")
            .repeat(1_000_000 / (LINE.len() + 2))
            .bytes(),
    );
    bytes.extend_from_slice(b"\x1b[201~");
    bytes
}

/// 16 KB of pasted lines as a terminal without bracketed paste sends them: keys.
fn burst() -> Vec<Event> {
    let key = |code| Event::Key(KeyEvent::new(code, KeyModifiers::NONE));
    let mut events = Vec::new();
    while events.len() < 16_000 {
        events.extend(LINE.chars().map(|c| key(KeyCode::Char(c))));
        events.push(key(KeyCode::Enter));
    }
    events
}

fn app() -> App {
    let state = State::new(MODEL.to_string(), Keymap::default(), Theme::default());
    App::new(state, Box::new(RecordingClipboard::default()))
}

fn main() {
    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();

    for (name, bytes) in [("typed-1MB", typed_bytes()), ("paste-1MB", pasted_bytes())] {
        let mut group = criterion.benchmark_group(name);
        group.bench_function("bedrock-tui decoder", |b| {
            // Read as the terminal gives it: 4 KiB at a time.
            let reads: Vec<&[u8]> = bytes.chunks(4096).collect();
            b.iter(|| black_box(fuzzing::terminal_input(black_box(&reads))).len());
        });
        group.bench_function("reference: from_utf8_lossy", |b| {
            b.iter(|| black_box(String::from_utf8_lossy(black_box(&bytes))).len());
        });
        group.finish();
    }

    let events = burst();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut group = criterion.benchmark_group("burst-16KB");
    group.bench_function("bedrock-tui loop (one paste)", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let mut app = app();
                let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
                let mut stream = futures_util::stream::iter(events.clone().into_iter().map(Ok));
                // Drawn once, as the chat is when a paste comes: the editor knows its width.
                app.draw(&mut terminal).unwrap();
                let started = Instant::now();
                runtime.block_on(async {
                    while app.step(&mut terminal, &mut stream).await.unwrap() {}
                });
                spent += started.elapsed();
                assert!(app.state.draft().len() > 15_000);
            }
            spent
        });
    });
    group.bench_function("reference: key by key", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let mut app = app();
                let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
                app.draw(&mut terminal).unwrap();
                let started = Instant::now();
                for event in events.iter().cloned() {
                    // A pasted newline, as the Enter guard makes of an Enter inside a burst.
                    let newline = Event::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
                    app.input(if event == newline {
                        Event::Paste("\n".to_string())
                    } else {
                        event
                    });
                }
                app.draw(&mut terminal).unwrap();
                spent += started.elapsed();
                assert!(app.state.draft().len() > 15_000);
            }
            spent
        });
    });
    group.finish();
    criterion.final_summary();
}
