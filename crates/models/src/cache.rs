//! Prompt-cache breakpoints placed in a family's native body: Claude's `cache_control` on the
//! system prompt and on the last blocks of the two latest prompts, Nova's `cachePoint` blocks in
//! the same places. A breakpoint goes only where the prefix before it reaches the model's
//! minimum (the catalog's `prompt_cache.min_tokens`): a shorter prefix cannot be cached, and a
//! cache write costs more than plain input on Claude.

use super::FamilyId;
use super::catalog::ModelInfo;
use serde_json::{Value, json};

/// A rough token count of a body part: text at four characters a token, each image, document
/// or video block as a thousand.
fn estimate(value: &Value) -> u64 {
    match value {
        Value::String(s) => s.len() as u64 / 4,
        Value::Array(items) => items.iter().map(estimate).sum(),
        Value::Object(map) => {
            let media = ["image", "document", "video"].iter().any(|k| {
                map.contains_key(*k) || map.get("type").and_then(Value::as_str) == Some(k)
            });
            if media {
                1000
            } else {
                map.values().map(estimate).sum()
            }
        }
        _ => 0,
    }
}

/// Where breakpoints went, for the notes: `prompt cache breakpoints after the system prompt and
/// after the last 2 prompts (prefixes of at least 1024 tokens)`.
fn note(system: bool, prompts: usize, min: u32) -> Option<super::note::Note> {
    let mut parts = Vec::new();
    if system {
        parts.push("after the system prompt".to_string());
    }
    match prompts {
        0 => {}
        1 => parts.push("after the last prompt".to_string()),
        n => parts.push(format!("after the last {n} prompts")),
    }
    (!parts.is_empty()).then(|| {
        super::note::Note::new(
            "prompt cache",
            format!(
                "prompt cache breakpoints {} (prefixes of at least {min} tokens)",
                parts.join(" and ")
            ),
        )
    })
}

/// Puts a breakpoint into a body or a message.
type Mark = fn(&mut Value);

/// Places breakpoints in `body` (a Messages, Nova or Converse body) when `model` caches prompts; the
/// note says where, or `None` when none went in.
pub fn place(
    family: FamilyId,
    model: Option<&ModelInfo>,
    body: &mut Value,
) -> Option<super::note::Note> {
    let cache = model?.prompt_cache?;
    let min = u64::from(cache.min_tokens);
    let (system_mark, message_mark): (Mark, Mark) = match family {
        FamilyId::Anthropic => (mark_claude_system, mark_claude_message),
        FamilyId::Nova | FamilyId::Converse => (mark_nova_system, mark_nova_message),
        _ => return None,
    };
    let mut points = usize::from(cache.points.max(1));
    let system_tokens = body.get("system").map_or(0, estimate);
    let mut system = false;
    if system_tokens >= min && body.get("system").is_some() {
        system_mark(body);
        system = true;
        points -= 1;
    }
    let Some(messages) = body.get_mut("messages").and_then(Value::as_array_mut) else {
        return note(system, 0, cache.min_tokens);
    };
    // The prefix up to each prompt, then the two latest prompts whose prefix is long enough.
    let mut prefix = system_tokens;
    let mut long_enough = Vec::new();
    for (at, message) in messages.iter().enumerate() {
        prefix += estimate(message);
        if message.get("role").and_then(Value::as_str) == Some("user") && prefix >= min {
            long_enough.push(at);
        }
    }
    let marked: Vec<usize> = long_enough.into_iter().rev().take(points.min(2)).collect();
    for &at in &marked {
        message_mark(&mut messages[at]);
    }
    note(system, marked.len(), cache.min_tokens)
}

fn mark_claude_system(body: &mut Value) {
    let text = match body.get("system") {
        Some(Value::String(text)) => text.clone(),
        _ => return,
    };
    body["system"] =
        json!([{"type": "text", "text": text, "cache_control": {"type": "ephemeral"}}]);
}

fn mark_claude_message(message: &mut Value) {
    if let Some(last) = message
        .get_mut("content")
        .and_then(Value::as_array_mut)
        .and_then(|blocks| blocks.last_mut())
    {
        last["cache_control"] = json!({"type": "ephemeral"});
    }
}

fn mark_nova_system(body: &mut Value) {
    if let Some(system) = body.get_mut("system").and_then(Value::as_array_mut) {
        system.push(json!({"cachePoint": {"type": "default"}}));
    }
}

fn mark_nova_message(message: &mut Value) {
    if let Some(content) = message.get_mut("content").and_then(Value::as_array_mut) {
        content.push(json!({"cachePoint": {"type": "default"}}));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

    fn long(words: usize) -> String {
        "word ".repeat(words)
    }

    #[test]
    fn breakpoints_go_after_long_enough_prefixes_only() {
        let sonnet = catalog::lookup("anthropic.claude-sonnet-4-5-20250929-v1:0");
        let mut body = json!({"system": long(1000), "messages": [
            {"role": "user", "content": [{"type": "text", "text": "hi"}]},
            {"role": "assistant", "content": [{"type": "text", "text": "hello"}]},
            {"role": "user", "content": [{"type": "text", "text": "more"}]},
        ]});
        let said = place(FamilyId::Anthropic, sonnet, &mut body).unwrap();
        assert!(
            said.text.contains("system prompt") && said.text.contains("last 2 prompts"),
            "{said}"
        );
        assert_eq!(body["system"][0]["cache_control"]["type"], "ephemeral");
        assert_eq!(
            body["messages"][0]["content"][0]["cache_control"]["type"],
            "ephemeral"
        );
        assert_eq!(
            body["messages"][2]["content"][0]["cache_control"]["type"],
            "ephemeral"
        );
        let mut short = json!({"system": "be terse", "messages": [
            {"role": "user", "content": [{"type": "text", "text": "hi"}]}]});
        assert_eq!(place(FamilyId::Anthropic, sonnet, &mut short), None);
        assert_eq!(short["system"], "be terse");
        // Models without caching are left alone.
        let v2 = catalog::lookup("anthropic.claude-v2:1");
        let mut body = json!({"system": long(5000), "messages": []});
        assert_eq!(place(FamilyId::Anthropic, v2, &mut body), None);
    }

    #[test]
    fn nova_gets_cache_points() {
        let lite = catalog::lookup("amazon.nova-lite-v1:0");
        let mut body = json!({"system": [{"text": long(1200)}], "messages": [
            {"role": "user", "content": [{"text": "hi"}]}]});
        place(FamilyId::Nova, lite, &mut body).unwrap();
        assert_eq!(body["system"][1]["cachePoint"]["type"], "default");
        assert_eq!(
            body["messages"][0]["content"][1]["cachePoint"]["type"],
            "default"
        );
    }
}
