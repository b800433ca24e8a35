//! The prompt editor with a huge paste, in one run: (1) a 20 MB paste (250,000 lines) handled
//! and drawn, against the target of 1 s; (2) a keystroke typed after it and drawn, against the
//! same keystroke in an empty prompt (the reference) and the 16 ms frame budget.
#![allow(clippy::unwrap_used)] // In benchmarks a panic is the failure report.

use bedrock_tui::app::state::State;
use bedrock_tui::config::theme::Theme;
use bedrock_tui::keymap::Keymap;
use bedrock_tui::run::App;
use bedrock_tui::run::tasks::RecordingClipboard;
use criterion::Criterion;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::{Duration, Instant};

const MODEL: &str = "global.anthropic.claude-haiku-4-5-20251001-v1:0";

/// 20 MB of code-like lines.
fn paste_text() -> String {
    let line = "    let answer = client.invoke_stream(model_id, body, &options).await?; // 80\n";
    line.repeat(20_000_000 / line.len())
}

fn app() -> App {
    let state = State::new(MODEL.to_string(), Keymap::default(), Theme::default());
    App::new(state, Box::new(RecordingClipboard::default()))
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(120, 40)).unwrap()
}

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn main() {
    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let text = paste_text();
    let mut term = terminal();

    let mut group = criterion.benchmark_group("paste-20MB");
    group.bench_function("bedrock-tui", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let mut app = app();
                let event = Event::Paste(text.clone());
                let started = Instant::now();
                app.input(event);
                app.draw(&mut term).unwrap();
                spent += started.elapsed();
            }
            spent
        });
    });
    group.finish();

    let mut pasted = app();
    pasted.input(Event::Paste(text.clone()));
    pasted.draw(&mut term).unwrap();
    let mut empty = app();
    empty.draw(&mut term).unwrap();
    let mut group = criterion.benchmark_group("keystroke");
    group.bench_function("after-20MB-paste", |b| {
        b.iter(|| {
            pasted.input(key('x'));
            pasted.draw(&mut term).unwrap();
        });
    });
    group.bench_function("empty-prompt", |b| {
        b.iter(|| {
            empty.input(key('x'));
            empty.draw(&mut term).unwrap();
        });
    });
    group.finish();
    criterion.final_summary();

    if let Some(ns) = median_ns("paste-20MB", "bedrock-tui") {
        println!(
            "paste-20MB: {} MB in {:.0} ms median (target under 1 s)",
            text.len() / 1_000_000,
            ns / 1e6
        );
    }
    if let (Some(big), Some(small)) = (
        median_ns("keystroke", "after-20MB-paste"),
        median_ns("keystroke", "empty-prompt"),
    ) {
        println!(
            "keystroke: after a 20 MB paste {:.2} ms median, in an empty prompt {:.2} ms, ratio {:.1}x (target under 16 ms)",
            big / 1e6,
            small / 1e6,
            big / small
        );
    }
}

/// Median time of a benchmark from criterion's estimates of this run.
fn median_ns(group: &str, id: &str) -> Option<f64> {
    let dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".to_string());
    let path = format!("{dir}/criterion/{group}/{id}/new/estimates.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}
