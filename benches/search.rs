//! Searching the text of 1,000 saved conversations (10 turns each, answers streamed in pieces
//! as the chat writes them), in one run: (1) gathering their text once, as the browser does
//! when it opens, against loading every file whole (`store::load`, the reference: what a search
//! without an index would do); (2) one keystroke's search of the gathered text, against the
//! same reference and the 16 ms frame budget.
#![allow(clippy::unwrap_used)] // In benchmarks a panic is the failure report.

use bedrock_tui::emulator::corpus;
use bedrock_tui::transcript::search::SearchIndex;
use bedrock_tui::transcript::store;
use bedrock_tui::transcript::{End, EndStatus, Record};
use criterion::Criterion;
use std::path::{Path, PathBuf};
use std::time::Duration;

const SESSIONS: usize = 1_000;
const TURNS: u64 = 10;

fn write_sessions(dir: &Path) -> Vec<PathBuf> {
    (0..SESSIONS)
        .map(|n| {
            let path = dir.join(format!("s{n:04}.jsonl"));
            let mut records = vec![Record::Session {
                version: 1,
                id: format!("s{n:04}"),
                created: "2026-01-01T00:00:00.000Z".into(),
                title: format!("conversation {n}"),
                app: "bench".into(),
            }];
            for turn in 0..TURNS {
                let user = turn * 2 + 1;
                records.push(Record::User {
                    at: "2026-01-01T00:00:00.000Z".into(),
                    id: user,
                    text: format!("Question {turn} of conversation {n}: how do retries work?"),
                    parent: None,
                    attachments: Vec::new(),
                    tool_results: Vec::new(),
                });
                records.push(Record::AssistantStart {
                    at: "2026-01-01T00:00:00.000Z".into(),
                    id: user + 1,
                    model: "global.anthropic.claude-haiku-4-5-20251001-v1:0".into(),
                    parent: None,
                });
                for piece in corpus::answer_tokens(&format!("{n} {turn}"), 120) {
                    records.push(Record::Text {
                        id: user + 1,
                        text: piece,
                    });
                }
                records.push(Record::AssistantEnd {
                    at: "2026-01-01T00:00:00.000Z".into(),
                    id: user + 1,
                    end: End {
                        status: EndStatus::Complete,
                        ..End::default()
                    },
                });
            }
            let text: String = records
                .iter()
                .map(|r| serde_json::to_string(r).unwrap() + "\n")
                .collect();
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect()
}

/// The reference: every file loaded whole, then searched.
fn load_and_search(paths: &[PathBuf], word: &str) -> usize {
    paths
        .iter()
        .filter(|p| {
            store::load(p)
                .unwrap()
                .transcript
                .entries
                .iter()
                .any(|e| e.text.to_ascii_lowercase().contains(word))
        })
        .count()
}

fn main() {
    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    let dir = tempfile::tempdir().unwrap();
    let paths = write_sessions(dir.path());
    let bytes: u64 = paths
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    // A word of one answer only, and one in every conversation.
    let rare = "conversation 777:";
    let index = SearchIndex::build(&paths);
    assert_eq!(index.search(rare).len(), 1);
    assert_eq!(load_and_search(&paths, rare), 1);

    let mut group = criterion.benchmark_group("search-1000");
    group.bench_function("gather-text", |b| b.iter(|| SearchIndex::build(&paths)));
    group.bench_function("keystroke", |b| b.iter(|| index.search(rare)));
    group.bench_function("keystroke-common-word", |b| {
        b.iter(|| index.search("retries"));
    });
    group.bench_function("load-every-file (reference)", |b| {
        b.iter(|| load_and_search(&paths, rare));
    });
    group.finish();
    criterion.final_summary();

    let median = |id: &str| median_ns("search-1000", id);
    if let (Some(gather), Some(key), Some(common), Some(reference)) = (
        median("gather-text"),
        median("keystroke"),
        median("keystroke-common-word"),
        median("load-every-file (reference)"),
    ) {
        println!(
            "search of {SESSIONS} conversations ({:.0} MB of session files): gathering their text {:.0} ms once ({:.1}x faster than loading every file, {:.0} ms); a keystroke's search {:.2} ms ({:.2} ms when every conversation matches), {:.0}x faster than the reference (target under 16 ms)",
            bytes as f64 / 1e6,
            gather / 1e6,
            reference / gather,
            reference / 1e6,
            key / 1e6,
            common / 1e6,
            reference / key
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
