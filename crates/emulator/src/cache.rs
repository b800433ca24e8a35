//! The emulator's prompt cache: the prefix up to each breakpoint of a request (Claude's
//! `cache_control`, Nova's `cachePoint`) is kept for five minutes per model; a later request
//! whose prefix matches reads it, and what lies between the longest cached prefix and the last
//! breakpoint is written. Prefixes shorter than the model's minimum are not cached.

use super::corpus::estimate_tokens;
use bedrock_tui_models::catalog::ModelInfo;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a cached prefix lives (Bedrock's default time to live).
const LIFETIME: Duration = Duration::from_mins(5);

/// Prefixes cached, by model and hash, with when they expire.
#[derive(Debug, Default)]
pub(crate) struct PromptCache {
    entries: Mutex<HashMap<(String, u64), Instant>>,
}

/// What a request did with the cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct CacheUse {
    /// The request had breakpoints.
    pub marked: bool,
    /// Tokens read from the cache.
    pub read: u64,
    /// Tokens written to it.
    pub write: u64,
}

/// The blocks of a body in order (system, then each message's content), each as its JSON text
/// with the cache markers taken out, and whether a breakpoint follows it.
fn blocks(body: &Value) -> Vec<(String, bool, u64)> {
    let mut out = Vec::new();
    let mut push = |block: &Value| {
        if block.get("cachePoint").is_some() {
            if let Some(last) = out.last_mut() {
                let (_, marked, _): &mut (String, bool, u64) = last;
                *marked = true;
            }
            return;
        }
        let mut clean = block.clone();
        let marked = clean
            .as_object_mut()
            .and_then(|o| o.remove("cache_control"))
            .is_some();
        let text = clean.to_string();
        let tokens = text_tokens(&clean);
        out.push((text, marked, tokens));
    };
    match body.get("system") {
        Some(Value::Array(items)) => items.iter().for_each(&mut push),
        Some(text @ Value::String(_)) => push(text),
        _ => {}
    }
    for message in body
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match message.get("content") {
            Some(Value::Array(items)) => items.iter().for_each(&mut push),
            Some(other) => push(other),
            None => {}
        }
    }
    out
}

/// Tokens of a block: its text, or a thousand for an image, document or video.
fn text_tokens(block: &Value) -> u64 {
    match block {
        Value::String(s) => estimate_tokens(s),
        Value::Object(o) => {
            if ["image", "document", "video"]
                .iter()
                .any(|k| o.contains_key(*k) || o.get("type").and_then(Value::as_str) == Some(k))
            {
                1000
            } else {
                o.values().map(text_tokens).sum()
            }
        }
        Value::Array(items) => items.iter().map(text_tokens).sum(),
        _ => 0,
    }
}

impl PromptCache {
    /// Reads and writes the cache for one request of `model`.
    pub(crate) fn apply(&self, model: &ModelInfo, body: &Value) -> CacheUse {
        let Some(support) = model.prompt_cache else {
            return CacheUse::default();
        };
        let blocks = blocks(body);
        let mut prefixes = Vec::new();
        let mut hash = 0xcbf2_9ce4_8422_2325_u64;
        let mut tokens = 0;
        for (text, marked, block_tokens) in &blocks {
            for byte in text.bytes() {
                hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
            }
            tokens += block_tokens;
            if *marked {
                prefixes.push((hash, tokens));
            }
        }
        let mut used = CacheUse {
            marked: !prefixes.is_empty(),
            ..CacheUse::default()
        };
        let min = u64::from(support.min_tokens);
        let now = Instant::now();
        let Ok(mut entries) = self.entries.lock() else {
            return used;
        };
        entries.retain(|_, expires| *expires > now);
        let cached = prefixes
            .iter()
            .rev()
            .find(|(hash, _)| entries.contains_key(&(model.id.clone(), *hash)))
            .map_or(0, |(_, tokens)| *tokens);
        used.read = cached;
        let longest = prefixes
            .iter()
            .filter(|(_, tokens)| *tokens >= min)
            .map(|(_, tokens)| *tokens)
            .max()
            .unwrap_or(0);
        used.write = longest.saturating_sub(cached);
        for (hash, tokens) in prefixes {
            if tokens >= min {
                // A hit refreshes the prefix's lifetime, as Bedrock's cache does.
                entries.insert((model.id.clone(), hash), now + LIFETIME);
            }
        }
        used
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_second_request_with_the_same_prefix_reads_it() {
        let model =
            bedrock_tui_models::catalog::lookup("anthropic.claude-sonnet-4-5-20250929-v1:0")
                .unwrap();
        let cache = PromptCache::default();
        let long = "word ".repeat(1500);
        let body = |question: &str| {
            json!({"system": [{"type": "text", "text": long, "cache_control": {"type": "ephemeral"}}],
                "messages": [{"role": "user", "content": [{"type": "text", "text": question}]}]})
        };
        let first = cache.apply(model, &body("one"));
        assert!(
            first.marked && first.read == 0 && first.write > 1000,
            "{first:?}"
        );
        let second = cache.apply(model, &body("two"));
        assert_eq!(second.read, first.write);
        assert_eq!(second.write, 0);
        let short = json!({"system": [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}], "messages": []});
        assert_eq!(cache.apply(model, &short).write, 0, "below the minimum");
    }
}
