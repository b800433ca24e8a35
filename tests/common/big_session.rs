//! Large session files written for the tests of bounded memory: `turns` turns whose answers
//! are `answer_bytes` of text each, in pieces as a stream writes them.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;

/// Writes a session of `turns` turns, each answer `answer_bytes` long in pieces of `piece`
/// bytes, at `path` (mode 0600); returns its size.
pub fn write(path: &Path, turns: usize, answer_bytes: usize, piece: usize) -> u64 {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .unwrap();
    let mut out = std::io::BufWriter::new(file);
    let id = path.file_stem().unwrap().to_string_lossy().into_owned();
    let at = "2026-12-01T00:00:00Z";
    let model = "anthropic.claude-3-haiku-20240307-v1:0";
    writeln!(
        out,
        r#"{{"kind":"session","version":1,"id":"{id}","created":"{at}","title":"a large one","app":"0.1.0"}}"#
    )
    .unwrap();
    writeln!(out, r#"{{"kind":"model","at":"{at}","model":"{model}"}}"#).unwrap();
    let words = "words of a long answer that goes on and on ";
    let mut entry = 0;
    for turn in 0..turns {
        entry += 1;
        writeln!(
            out,
            r#"{{"kind":"user","at":"{at}","id":{entry},"text":"question {turn}"}}"#
        )
        .unwrap();
        entry += 1;
        writeln!(
            out,
            r#"{{"kind":"assistant_start","at":"{at}","id":{entry},"model":"{model}"}}"#
        )
        .unwrap();
        let mut written = 0;
        while written < answer_bytes {
            let mut text = String::new();
            while text.len() < piece {
                text.push_str(words);
            }
            // A line break now and then: the answer has paragraphs.
            text.push_str("\\n");
            writeln!(out, r#"{{"kind":"text","id":{entry},"text":"{text}"}}"#).unwrap();
            written += text.len() - 1;
        }
        writeln!(
            out,
            r#"{{"kind":"assistant_end","at":"{at}","id":{entry},"status":"complete","stop_reason":"end_turn"}}"#
        )
        .unwrap();
    }
    out.flush().unwrap();
    std::fs::metadata(path).unwrap().len()
}
