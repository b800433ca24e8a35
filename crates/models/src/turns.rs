//! Helpers the adapters share: the conversation as alternating turns, and tolerant readers for
//! response JSON (a missing or oddly typed member reads as absent, never as a panic).

use super::{ChunkDelta, Conversation, InvocationMetrics, ModelError, Parameters, Role, Turn};
use serde_json::Value;

/// The conversation as the alternating turns every family needs: text files put into the text
/// of their turn (every family reads them so), empty turns dropped, consecutive turns of one
/// role merged (joined by a blank line, their files kept in order); it must start with the
/// user. What stays in `attachments` is media (images, PDFs, videos) for the family's blocks.
/// Tool calls and results are written into the text (`[called tool …]`, `[tool … returned: …]`)
/// for the families that take no tools; [`alternating_with_tools`] keeps them.
pub(crate) fn alternating(conversation: &Conversation) -> Result<Vec<Turn>, ModelError> {
    merged(conversation, false)
}

/// [`alternating`] with tool calls and results kept as they are, for the families that take
/// tools; merged turns keep all of them, in order.
pub(crate) fn alternating_with_tools(conversation: &Conversation) -> Result<Vec<Turn>, ModelError> {
    merged(conversation, true)
}

fn merged(conversation: &Conversation, keep_tools: bool) -> Result<Vec<Turn>, ModelError> {
    let mut merged: Vec<Turn> = Vec::new();
    for turn in &conversation.turns {
        let mut turn = with_text_files(turn);
        if !keep_tools {
            fold_tools(&mut turn);
        }
        if turn.is_empty() {
            continue;
        }
        match merged.last_mut() {
            Some(last) if last.role == turn.role => {
                if !last.text.is_empty() && !turn.text.is_empty() {
                    last.text.push_str("\n\n");
                }
                last.text.push_str(&turn.text);
                last.attachments.extend(turn.attachments);
                last.tool_calls.extend(turn.tool_calls);
                last.tool_results.extend(turn.tool_results);
                if last.thinking.is_none() {
                    last.thinking = turn.thinking;
                }
            }
            _ => merged.push(turn),
        }
    }
    match merged.first() {
        None => Err(ModelError::Request("the conversation is empty".to_string())),
        Some(first) if first.role == Role::Assistant => Err(ModelError::Request(
            "the conversation must start with a user turn".to_string(),
        )),
        _ => Ok(merged),
    }
}

/// Writes every turn's tool calls and results into its text, for a model that takes no tools.
pub fn fold_all_tools(conversation: &mut Conversation) {
    for turn in &mut conversation.turns {
        fold_tools(turn);
        turn.thinking = None;
    }
}

/// Writes a turn's tool calls after its text and its results before it.
fn fold_tools(turn: &mut Turn) {
    if turn.tool_calls.is_empty() && turn.tool_results.is_empty() {
        return;
    }
    let mut parts: Vec<String> = turn
        .tool_results
        .drain(..)
        .map(|r| super::tool_use::result_as_text(&r))
        .collect();
    if !turn.text.trim().is_empty() {
        parts.push(std::mem::take(&mut turn.text));
    }
    parts.extend(
        turn.tool_calls
            .drain(..)
            .map(|c| super::tool_use::call_as_text(&c)),
    );
    turn.text = parts.join("\n\n");
}

/// A turn with its text files written before its text, between `<document>` tags.
fn with_text_files(turn: &Turn) -> Turn {
    let (text_files, media): (Vec<_>, Vec<_>) = turn
        .attachments
        .iter()
        .cloned()
        .partition(|a| a.kind() == crate::attachments::Kind::Text);
    if text_files.is_empty() {
        return Turn {
            attachments: media,
            ..turn.clone()
        };
    }
    let mut text: Vec<String> = text_files
        .iter()
        .filter_map(crate::attachments::Attachment::inline_text)
        .collect();
    if !turn.text.trim().is_empty() {
        text.push(turn.text.clone());
    }
    Turn {
        text: text.join("\n\n"),
        attachments: media,
        ..turn.clone()
    }
}

/// Alternating turns split into the history and the final user message, for families whose
/// prompt ends with the user's turn.
pub(crate) fn history_and_last(
    conversation: &Conversation,
) -> Result<(Vec<Turn>, String), ModelError> {
    let mut turns = alternating(conversation)?;
    match turns.pop() {
        Some(Turn {
            role: Role::User,
            text,
            ..
        }) => Ok((turns, text)),
        _ => Err(ModelError::Request(
            "the conversation must end with a user turn".to_string(),
        )),
    }
}

/// The text of the last user turn (the input of embedding and image models).
pub(crate) fn last_user_text(conversation: &Conversation) -> Result<String, ModelError> {
    conversation
        .turns
        .iter()
        .rev()
        .find(|t| t.role == Role::User && !t.text.trim().is_empty())
        .map(|t| t.text.clone())
        .ok_or_else(|| ModelError::Request("there is no input text".to_string()))
}

/// The system prompt, if it has any text.
pub fn system(conversation: &Conversation) -> Option<&str> {
    conversation
        .system
        .as_deref()
        .filter(|s| !s.trim().is_empty())
}

/// The body member names a family uses for the common parameters (`None`: not sent).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ParamNames {
    /// The output limit.
    pub max_tokens: Option<&'static str>,
    /// Temperature.
    pub temperature: Option<&'static str>,
    /// Nucleus sampling.
    pub top_p: Option<&'static str>,
    /// Top-k sampling.
    pub top_k: Option<&'static str>,
    /// Stop sequences.
    pub stop: Option<&'static str>,
}

/// Sets the parameters that are given, under the family's names, on a JSON object.
pub(crate) fn put_params(
    target: &mut serde_json::Map<String, Value>,
    params: &Parameters,
    names: ParamNames,
) {
    let mut put = |name: Option<&'static str>, value: Option<Value>| {
        if let (Some(name), Some(value)) = (name, value) {
            target.insert(name.to_string(), value);
        }
    };
    put(names.max_tokens, params.max_tokens.map(Value::from));
    put(names.temperature, params.temperature.map(Value::from));
    put(names.top_p, params.top_p.map(Value::from));
    put(names.top_k, params.top_k.map(Value::from));
    put(
        names.stop,
        (!params.stop_sequences.is_empty()).then(|| Value::from(params.stop_sequences.clone())),
    );
}

/// A body of one member with the parameters beside it.
pub(crate) fn body_with(key: &str, value: Value, params: &Parameters, names: ParamNames) -> Value {
    let mut body = serde_json::Map::new();
    body.insert(key.to_string(), value);
    put_params(&mut body, params, names);
    Value::Object(body)
}

/// Parses a response body or chunk as JSON.
pub fn parse(bytes: &[u8]) -> Result<Value, ModelError> {
    serde_json::from_slice(bytes).map_err(|e| ModelError::Response(e.to_string()))
}

/// The string at a JSON pointer, if it is one.
pub(crate) fn str_at<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str)
}

/// The string at a JSON pointer, owned; absent or `null` reads as `None`.
pub(crate) fn string_at(value: &Value, pointer: &str) -> Option<String> {
    str_at(value, pointer).map(str::to_string)
}

/// A count at a JSON pointer, read leniently: an integer, a float with zero fraction (`28.0`)
/// or a numeric string (`"14"`).
pub(crate) fn count_at(value: &Value, pointer: &str) -> Option<u64> {
    value.pointer(pointer).and_then(lenient_count)
}

/// A count read leniently (see [`count_at`]).
pub(crate) fn lenient_count(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The `amazon-bedrock-invocationMetrics` member of a chunk, if present.
pub(crate) fn metrics_of(chunk: &Value) -> Option<InvocationMetrics> {
    chunk
        .get("amazon-bedrock-invocationMetrics")
        .and_then(|m| serde_json::from_value(m.clone()).ok())
}

/// A chunk delta with the invocation metrics of `chunk` filled in.
pub(crate) fn delta_with_metrics(chunk: &Value) -> ChunkDelta {
    ChunkDelta {
        metrics: metrics_of(chunk),
        ..ChunkDelta::default()
    }
}

/// Renders the turns as a plain transcript (`User: …` / `<assistant>: …`), for completion
/// models without a chat template. Unless `always_labelled`, a single user turn without a
/// system prompt is sent as is.
pub fn transcript(
    conversation: &Conversation,
    user_label: &str,
    assistant_label: &str,
    always_labelled: bool,
) -> Result<String, ModelError> {
    let turns = alternating(conversation)?;
    if turns.last().map(|t| t.role) != Some(Role::User) {
        return Err(ModelError::Request(
            "the conversation must end with a user turn".to_string(),
        ));
    }
    let system = system(conversation);
    if let ([only], None, false) = (turns.as_slice(), system, always_labelled) {
        return Ok(only.text.clone());
    }
    let mut prompt = String::new();
    if let Some(system) = system {
        prompt.push_str(system);
        prompt.push_str("\n\n");
    }
    for turn in &turns {
        let label = match turn.role {
            Role::User => user_label,
            Role::Assistant => assistant_label,
        };
        prompt.push_str(label);
        prompt.push_str(": ");
        prompt.push_str(turn.text.trim());
        prompt.push('\n');
    }
    prompt.push_str(assistant_label);
    prompt.push(':');
    Ok(prompt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(role: Role, text: &str) -> Turn {
        Turn::new(role, text)
    }

    #[test]
    fn turns_merge_and_must_start_with_the_user() {
        let c = Conversation {
            system: None,
            tools: Vec::new(),
            turns: vec![
                turn(Role::User, "a"),
                turn(Role::User, "b"),
                turn(Role::Assistant, " "),
            ],
        };
        assert_eq!(alternating(&c).unwrap(), vec![turn(Role::User, "a\n\nb")]);
        let c = Conversation {
            system: None,
            tools: Vec::new(),
            turns: vec![turn(Role::Assistant, "a")],
        };
        assert!(alternating(&c).is_err());
        let c = Conversation {
            system: None,
            tools: Vec::new(),
            turns: vec![turn(Role::User, "q"), turn(Role::Assistant, "a")],
        };
        assert!(history_and_last(&c).is_err());
    }

    #[test]
    fn lenient_counts() {
        let v = serde_json::json!({"a": 28.0, "b": "14", "c": -1, "d": 1.5, "e": 3});
        assert_eq!(count_at(&v, "/a"), Some(28));
        assert_eq!(count_at(&v, "/b"), Some(14));
        assert_eq!(count_at(&v, "/c"), None);
        assert_eq!(count_at(&v, "/d"), None);
        assert_eq!(count_at(&v, "/e"), Some(3));
        assert_eq!(count_at(&v, "/missing"), None);
    }

    #[test]
    fn transcript_form() {
        assert_eq!(
            transcript(&Conversation::single("hi"), "User", "Bot", true).unwrap(),
            "User: hi\nBot:"
        );
        let c = Conversation::single("hello");
        assert_eq!(transcript(&c, "User", "Bot", false).unwrap(), "hello");
        let c = Conversation {
            system: Some("Be brief.".into()),
            tools: Vec::new(),
            turns: vec![
                turn(Role::User, "q1"),
                turn(Role::Assistant, "a1"),
                turn(Role::User, "q2"),
            ],
        };
        assert_eq!(
            transcript(&c, "User", "Bot", false).unwrap(),
            "Be brief.\n\nUser: q1\nBot: a1\nUser: q2\nBot:"
        );
    }
}
