//! Transcript rendering speed against the usual way a ratatui chat draws its history (one
//! `Paragraph` of the whole conversation with `Wrap`, scrolled to the bottom), in one run:
//! (1) a frame of a 2,000-turn, 2 MB conversation once laid out, (2) one streamed token
//! appended and drawn at the end of that conversation and of a 20-turn one, (3) the first
//! layout of the whole conversation (a start or a resize), (4) the first frame of that
//! conversation opened afresh (a resume: the end laid out first) against laying it all out,
//! (5) one line of code coloured by syntect against the keyword fallback. Prints the ratios at
//! the end.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

use bedrock_tui::app::state::{AnswerStatus, Speaker, State};
use bedrock_tui::config::theme::Theme;
use bedrock_tui::emulator::corpus;
use bedrock_tui::keymap::Keymap;
use bedrock_tui::ui::highlight::LineHighlighter;
use bedrock_tui::ui::{self, ViewCache};
use criterion::Criterion;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::text::{Line, Text};
use ratatui::widgets::{Paragraph, Wrap};
use std::hint::black_box;
use std::time::{Duration, Instant};

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;
const MODEL: &str = "global.anthropic.claude-haiku-4-5-20251001-v1:0";
/// Code of the kind answers hold, coloured a line at a time by the highlighting bench.
const RUST_SAMPLE: &str = r"use std::collections::HashMap;

/// Counts the words of a text.
pub fn count_words(text: &str) -> HashMap<&str, usize> {
    let mut counts = HashMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word).or_insert(0) += 1; // one more
    }
    counts
}

#[derive(Debug, Clone, PartialEq)]
struct Frame<'a> { headers: Vec<(&'a str, String)>, payload: &'a [u8], crc: u32 }

impl<'a> Frame<'a> {
    fn total_len(&self) -> usize { 16 + self.payload.len() + self.headers.len() * 8 }
}
";

/// Tokens a streamed answer grows by before the bench starts it again (untimed).
const ANSWER_TOKENS: usize = 400;

/// A conversation of `turns` prompt/answer pairs of about 1 KB each, answers in markdown
/// with lists, tables and code from the emulator's corpus.
fn conversation(turns: usize) -> State {
    let mut state = State::new(MODEL.to_string(), Keymap::default(), Theme::default());
    for turn in 0..turns {
        state.push(
            Speaker::User,
            format!("Question {turn}: how do event streams, retries and terminals fit together?"),
        );
        let answer = corpus::answer_tokens(&format!("prompt {turn}"), 230).concat();
        let id = state.push(Speaker::Assistant, answer);
        if let Some(message) = state.message_mut(id) {
            message.model = Some(MODEL.to_string());
        }
    }
    state
}

fn text_bytes(state: &State) -> usize {
    state.chat.messages.iter().map(|m| m.text.len()).sum()
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("terminal")
}

fn draw_ours(terminal: &mut Terminal<TestBackend>, state: &State, cache: &mut ViewCache) {
    terminal
        .draw(|frame| ui::render(state, cache, frame))
        .expect("draw");
}

/// The reference: the whole conversation as one wrapped `Paragraph`, scrolled so that its
/// end is in view (the offset is what our layout counted, so both show the same rows).
struct Reference {
    text: Text<'static>,
    scroll: u16,
}

impl Reference {
    fn new(state: &State, content_height: usize) -> Reference {
        let mut lines = Vec::new();
        for message in &state.chat.messages {
            let who = match message.speaker {
                Speaker::User => "You".to_string(),
                _ => bedrock_tui::models::catalog::display_name(
                    message.model.as_deref().unwrap_or(MODEL),
                ),
            };
            lines.push(Line::from(format!("▌ {who}")));
            lines.extend(message.text.lines().map(|l| Line::from(l.to_string())));
            lines.push(Line::default());
        }
        Reference {
            text: Text::from(lines),
            scroll: content_height.saturating_sub(HEIGHT as usize) as u16,
        }
    }

    fn push_token(&mut self, token: &str) {
        if token == "\n" {
            self.text.lines.push(Line::default());
        } else if let Some(last) = self.text.lines.last_mut() {
            last.spans.push(token.to_string().into());
        }
    }

    fn draw(&self, terminal: &mut Terminal<TestBackend>) {
        terminal
            .draw(|frame| {
                let paragraph = Paragraph::new(self.text.clone())
                    .wrap(Wrap { trim: false })
                    .scroll((self.scroll, 0));
                frame.render_widget(paragraph, frame.area());
            })
            .expect("draw");
    }
}

/// A streamed answer at the end of `state`, fed `tokens` one at a time: each token is
/// appended and a frame drawn (the cost the chat pays per token at most; it draws at most
/// once per 16 ms). Every `ANSWER_TOKENS` the answer starts again, outside the timing.
fn stream_ours(
    state: &mut State,
    cache: &mut ViewCache,
    tokens: &[String],
    iters: u64,
) -> Duration {
    let mut terminal = terminal();
    let id = state.push(Speaker::Assistant, String::new());
    if let Some(m) = state.message_mut(id) {
        m.status = AnswerStatus::Streaming;
        m.model = Some(MODEL.to_string());
    }
    draw_ours(&mut terminal, state, cache);
    let mut total = Duration::ZERO;
    let mut next = 0;
    for _ in 0..iters {
        if next == ANSWER_TOKENS {
            if let Some(m) = state.message_mut(id) {
                m.text.clear();
                m.changed();
            }
            draw_ours(&mut terminal, state, cache);
            next = 0;
        }
        let token = &tokens[next % tokens.len()];
        next += 1;
        let start = Instant::now();
        if let Some(m) = state.message_mut(id) {
            m.text.push_str(token);
            m.changed();
        }
        draw_ours(&mut terminal, state, cache);
        total += start.elapsed();
    }
    state.chat.messages.pop();
    total
}

fn stream_reference(reference: &Reference, tokens: &[String], iters: u64) -> Duration {
    let mut terminal = terminal();
    let mut current = Reference {
        text: reference.text.clone(),
        scroll: reference.scroll,
    };
    current.text.lines.push(Line::default());
    let mut total = Duration::ZERO;
    let mut next = 0;
    for _ in 0..iters {
        if next == ANSWER_TOKENS {
            current.text = reference.text.clone();
            current.text.lines.push(Line::default());
            next = 0;
        }
        let token = &tokens[next % tokens.len()];
        next += 1;
        let start = Instant::now();
        current.push_token(token);
        current.draw(&mut terminal);
        total += start.elapsed();
    }
    total
}

fn main() {
    bedrock_tui::ui::highlight::load_now();
    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();

    let mut big = conversation(2_000);
    let mut small = conversation(20);
    let bytes = text_bytes(&big);
    assert!(
        bytes >= 2_000_000,
        "the big conversation holds {bytes} bytes"
    );
    let mut big_cache = ViewCache::default();
    let mut small_cache = ViewCache::default();
    let mut term = terminal();
    draw_ours(&mut term, &big, &mut big_cache);
    // Laid out whole (the first frames lay out the view first, the rest a slice per frame).
    while big_cache.pending() {
        draw_ours(&mut term, &big, &mut big_cache);
    }
    // Peak memory of this process with the 2 MB conversation laid out (before the reference
    // makes its own copy of the text).
    let peak_rss = peak_rss_mb();
    draw_ours(&mut term, &small, &mut small_cache);
    while small_cache.pending() {
        draw_ours(&mut term, &small, &mut small_cache);
    }
    let reference = Reference::new(&big, big_cache.metrics().content_height);
    let tokens = corpus::answer_tokens("a streamed answer", ANSWER_TOKENS);

    let mut group = criterion.benchmark_group("frame-2000-turns");
    group.bench_function("bedrock-tui", |b| {
        b.iter(|| draw_ours(&mut term, black_box(&big), &mut big_cache));
    });
    group.bench_function("ratatui-Paragraph-wrap", |b| {
        b.iter(|| reference.draw(&mut term));
    });
    group.finish();

    let mut group = criterion.benchmark_group("streamed-token");
    group.bench_function("bedrock-tui-2000-turns", |b| {
        b.iter_custom(|iters| stream_ours(&mut big, &mut big_cache, &tokens, iters));
    });
    group.bench_function("bedrock-tui-20-turns", |b| {
        b.iter_custom(|iters| stream_ours(&mut small, &mut small_cache, &tokens, iters));
    });
    group.bench_function("ratatui-Paragraph-wrap-2000-turns", |b| {
        b.iter_custom(|iters| stream_reference(&reference, &tokens, iters));
    });
    group.finish();

    let mut group = criterion.benchmark_group("first-frame-2000-turns");
    group.sample_size(10);
    group.bench_function("bedrock-tui", |b| {
        b.iter(|| {
            let mut cache = ViewCache::default();
            draw_ours(&mut term, &big, &mut cache);
            cache.metrics().content_height
        });
    });
    group.bench_function("whole-layout", |b| {
        b.iter(|| {
            let mut cache = ViewCache::default();
            draw_ours(&mut term, &big, &mut cache);
            while cache.pending() {
                draw_ours(&mut term, &big, &mut cache);
            }
            cache.metrics().content_height
        });
    });
    group.finish();

    let code: Vec<&str> = RUST_SAMPLE.lines().collect();
    let mut group = criterion.benchmark_group("highlight-line");
    for (name, full) in [("syntect", true), ("keyword-fallback", false)] {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let theme = Theme::default();
                let mut highlighter = LineHighlighter::for_language("rust", full);
                let start = Instant::now();
                for i in 0..iters {
                    let line = code[i as usize % code.len()];
                    black_box(highlighter.line(line, &theme));
                }
                start.elapsed()
            });
        });
    }
    group.finish();
    criterion.final_summary();

    println!(
        "conversation: 2,000 turns, {:.2} MB of text, {} rows at {WIDTH} columns",
        bytes as f64 / 1e6,
        big_cache.metrics().content_height
    );
    report("frame-2000-turns", "bedrock-tui", "ratatui-Paragraph-wrap");
    report(
        "streamed-token",
        "bedrock-tui-2000-turns",
        "ratatui-Paragraph-wrap-2000-turns",
    );
    report(
        "streamed-token",
        "bedrock-tui-2000-turns",
        "bedrock-tui-20-turns",
    );
    report("first-frame-2000-turns", "bedrock-tui", "whole-layout");
    report("highlight-line", "syntect", "keyword-fallback");
    if let Some(mb) = peak_rss {
        println!("peak RSS with the 2 MB conversation laid out: {mb:.1} MB (target under 60 MB)");
    }
}

/// The process's peak resident set size (Linux: `VmHWM` in /proc/self/status).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Median time of a benchmark from criterion's estimates of this run.
fn median_ns(group: &str, id: &str) -> Option<f64> {
    let dir = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".to_string());
    let path = format!("{dir}/criterion/{group}/{id}/new/estimates.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn human(ns: f64) -> String {
    match ns {
        n if n >= 1e6 => format!("{:.2} ms", n / 1e6),
        n if n >= 1e3 => format!("{:.1} µs", n / 1e3),
        n => format!("{n:.0} ns"),
    }
}

fn report(group: &str, ours: &str, reference: &str) {
    if let (Some(a), Some(b)) = (median_ns(group, ours), median_ns(group, reference)) {
        println!(
            "{group}: {ours} {} median, {reference} {}, ratio {:.1}x",
            human(a),
            human(b),
            b / a
        );
    }
}
