//! Tool use in the emulator: the tools a request offers, the results it gives back (checked
//! against the calls before them the way each service words it), and the calls an answer makes.
//!
//! An answer calls a tool when the request offers tools, its last user message gives no results
//! back, and that message names an offered tool (`use read_file on Cargo.toml`) or holds an
//! `[[emulator:tool=NAME {"json":"arguments"}]]` marker. Arguments come from the marker, or the
//! word after the tool's name fills the first required string property. An answer to results
//! begins by quoting them (`Tool read_file returned: …`).

pub(crate) mod chat;
pub(crate) mod claude;
pub(crate) mod cohere;
pub(crate) mod llama;
pub(crate) mod nova;

use serde_json::{Map, Value, json};

/// The tools a request offers and the results its last user message gives back.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ToolUse {
    /// The tools offered.
    pub offered: Vec<Offered>,
    /// The results given back.
    pub given: Vec<Given>,
}

/// A tool a request offers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Offered {
    /// Its name.
    pub name: String,
    /// Its arguments' JSON Schema.
    pub schema: Value,
}

/// A result the last user message gives back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Given {
    /// The tool, when the family names it (else the call's name, found by id).
    pub name: String,
    /// What it returned, as text.
    pub content: String,
    /// It reports a failure.
    pub is_error: bool,
}

/// A call the answer makes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Call {
    /// The tool.
    pub name: String,
    /// Its arguments.
    pub input: Value,
}

/// One message's part in the tool exchange: the ids of the calls it makes and of the results
/// it gives back (with where each result is).
#[derive(Debug, Clone, Default)]
pub(crate) struct Step {
    /// The message's index in `messages`.
    pub index: usize,
    /// An assistant message (else a user or tool message).
    pub assistant: bool,
    /// Ids of the calls it makes.
    pub calls: Vec<(String, String)>,
    /// Ids of the results it gives back, with the content block they are in.
    pub results: Vec<(usize, String)>,
}

/// How a pairing of calls and results went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unpaired {
    /// Calls of message `index` have no result in the next message.
    Unanswered {
        /// The message with the calls.
        index: usize,
        /// The next message's index.
        next: usize,
        /// The ids without a result.
        ids: Vec<String>,
    },
    /// A result in message `index`, block `block`, answers no call of the message before.
    Unexpected {
        /// The message with the result.
        index: usize,
        /// Its content block.
        block: usize,
        /// The result's id.
        id: String,
    },
}

/// Checks that each message's calls are answered by the next message's results, and that
/// every result answers a call of the message just before it.
pub(crate) fn pair(steps: &[Step]) -> Result<(), Unpaired> {
    for (n, step) in steps.iter().enumerate() {
        let previous = n
            .checked_sub(1)
            .and_then(|p| steps.get(p))
            .filter(|p| p.assistant);
        for (block, id) in &step.results {
            if !previous.is_some_and(|p| p.calls.iter().any(|(c, _)| c == id)) {
                return Err(Unpaired::Unexpected {
                    index: step.index,
                    block: *block,
                    id: id.clone(),
                });
            }
        }
        if step.assistant && !step.calls.is_empty() {
            let Some(next) = steps.get(n + 1) else {
                // Calls in the last message: the request asks the model to go on from them.
                continue;
            };
            let missing: Vec<String> = step
                .calls
                .iter()
                .filter(|(id, _)| !next.results.iter().any(|(_, r)| r == id))
                .map(|(id, _)| id.clone())
                .collect();
            if !missing.is_empty() {
                return Err(Unpaired::Unanswered {
                    index: step.index,
                    next: next.index,
                    ids: missing,
                });
            }
        }
    }
    Ok(())
}

/// A content block as a family reads it: a call, a result, or neither.
pub(crate) enum Part {
    /// A call: its id and tool.
    Call(String, String),
    /// A result: the call's id, the content as text, whether it reports a failure.
    Result(String, String, bool),
    /// Anything else.
    Other,
}

/// The messages' calls and results, checked: `read` tells each block (message index, block
/// index, assistant?, block); consecutive messages of one role count as one step. Returns the
/// steps, and the results of the last message when it is the user's (named by their calls).
pub(crate) fn walk(
    messages: &[Value],
    read: impl Fn(usize, usize, bool, &Value) -> Result<Part, String>,
) -> Result<(Vec<Step>, Vec<Given>), String> {
    let mut steps: Vec<Step> = Vec::new();
    let mut last: Vec<(String, String, bool)> = Vec::new();
    for (i, message) in messages.iter().enumerate() {
        let assistant = message.get("role").and_then(Value::as_str) == Some("assistant");
        let mut step = Step {
            index: i,
            assistant,
            ..Step::default()
        };
        let mut results = Vec::new();
        let blocks = message.get("content").and_then(Value::as_array);
        for (j, block) in blocks.into_iter().flatten().enumerate() {
            match read(i, j, assistant, block)? {
                Part::Call(id, name) => step.calls.push((id, name)),
                Part::Result(id, content, is_error) => {
                    step.results.push((j, id.clone()));
                    results.push((id, content, is_error));
                }
                Part::Other => {}
            }
        }
        match steps.last_mut() {
            Some(previous) if previous.assistant == assistant => {
                previous.calls.extend(step.calls);
                previous.results.extend(step.results);
                last.extend(results);
            }
            _ => {
                last = results;
                steps.push(step);
            }
        }
    }
    let last_is_user = steps.last().is_some_and(|s| !s.assistant);
    let given = if last_is_user {
        last.into_iter()
            .map(|(id, content, is_error)| Given {
                name: name_of(&steps, &id),
                content,
                is_error,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok((steps, given))
}

/// Whether any step calls a tool or gives a result back.
pub(crate) fn uses_tools(steps: &[Step]) -> bool {
    steps
        .iter()
        .any(|s| !s.calls.is_empty() || !s.results.is_empty())
}

/// The name of the call with this id in the steps (for families whose results carry ids only).
fn name_of(steps: &[Step], id: &str) -> String {
    steps
        .iter()
        .flat_map(|s| &s.calls)
        .find(|(c, _)| c == id)
        .map(|(_, name)| name.clone())
        .unwrap_or_default()
}

/// The calls an answer to this prompt makes (none unless tools are offered and asked for).
pub(crate) fn decide(tools: &[Offered], given: &[Given], text: &str) -> Vec<Call> {
    if tools.is_empty() || !given.is_empty() {
        return Vec::new();
    }
    if let Some((name, input)) = marker(text) {
        return tools
            .iter()
            .find(|t| t.name == name)
            .map(|t| {
                vec![Call {
                    name: t.name.clone(),
                    input: input.unwrap_or_else(|| arguments(t, text)),
                }]
            })
            .unwrap_or_default();
    }
    tools
        .iter()
        .filter(|t| named(text, &t.name))
        .map(|t| Call {
            name: t.name.clone(),
            input: arguments(t, text),
        })
        .collect()
}

/// The answer's opening for results given back: each quoted (cut at 160 characters).
pub(crate) fn quoted(given: &[Given]) -> String {
    let mut text = String::new();
    for result in given {
        let content: String = result.content.chars().take(160).collect();
        let cut = if content.len() < result.content.len() {
            "…"
        } else {
            ""
        };
        let verb = if result.is_error {
            "failed"
        } else {
            "returned"
        };
        let name = if result.name.is_empty() {
            "the tool"
        } else {
            &result.name
        };
        text.push_str(&format!(
            "Tool {name} {verb}: «{}{cut}».\n\n",
            content.replace('\n', " ")
        ));
    }
    text
}

/// The text before an answer's calls.
pub(crate) fn preface(calls: &[Call]) -> String {
    let names: Vec<&str> = calls.iter().map(|c| c.name.as_str()).collect();
    format!("I'll call {}.", names.join(" and "))
}

/// An id in the family's style for call `n` of a request: Claude `toolu_bdrk_…`, Nova a UUID,
/// OpenAI `call_…`, Mistral nine letters and digits.
pub(crate) fn call_id(style: IdStyle, request_id: &str, n: usize) -> String {
    let seed = super::corpus::seed_of(&format!("{request_id}/{n}"));
    let alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let letters = |count: usize| -> String {
        let mut x = seed;
        (0..count)
            .map(|_| {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                alphabet[(x >> 33) as usize % alphabet.len()] as char
            })
            .collect()
    };
    match style {
        IdStyle::Claude => format!("toolu_bdrk_01{}", letters(22)),
        IdStyle::Nova => {
            let hex = format!("{seed:016x}{:016x}", seed.rotate_left(17) ^ 0x9e37);
            format!(
                "{}-{}-{}-{}-{}",
                &hex[..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..32]
            )
        }
        IdStyle::OpenAi => format!("call_{}", letters(24)),
        IdStyle::Mistral => letters(9),
    }
}

/// How a family's call ids look.
#[derive(Debug, Clone, Copy)]
pub(crate) enum IdStyle {
    /// `toolu_bdrk_01…`.
    Claude,
    /// A UUID.
    Nova,
    /// `call_…`.
    OpenAi,
    /// Nine letters and digits.
    Mistral,
}

/// A tool result's content as text: a string, text blocks joined, or JSON written out.
pub(crate) fn content_text(content: Option<&Value>) -> String {
    match content {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(blocks)) => blocks
            .iter()
            .map(|b| match (b.get("text"), b.get("json")) {
                (Some(Value::String(t)), _) => t.clone(),
                (_, Some(j)) => j.to_string(),
                _ => b.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// `[[emulator:tool=NAME]]` or `[[emulator:tool=NAME {…}]]`: the tool and, when given, its
/// arguments.
fn marker(text: &str) -> Option<(String, Option<Value>)> {
    let start = text.find("[[emulator:tool=")? + "[[emulator:tool=".len();
    let rest = &text[start..];
    let end = rest.find("]]")?;
    let spec = rest[..end].trim();
    let (name, args) = spec.split_once(char::is_whitespace).unwrap_or((spec, ""));
    let input = serde_json::from_str::<Value>(args.trim())
        .ok()
        .filter(Value::is_object);
    Some((name.to_string(), input))
}

/// Whether the text names the tool as a word of its own.
fn named(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        let apart = |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        apart(before) && apart(after)
    })
}

/// Arguments from the prompt: the word after the tool's name ("on" and "for" skipped) fills
/// the first required property; other required properties get a word of their type.
fn arguments(tool: &Offered, text: &str) -> Value {
    let word = text
        .find(&tool.name)
        .map(|at| &text[at + tool.name.len()..])
        .and_then(|rest| {
            rest.split_whitespace()
                .find(|w| !matches!(*w, "on" | "for" | "with" | "to" | "the" | "in" | "of"))
        })
        .map(|w| w.trim_matches(|c: char| matches!(c, ',' | '?' | '!' | '"' | '\'' | '`')))
        .map_or("example", |w| w.strip_suffix('.').unwrap_or(w))
        .to_string();
    let mut input = Map::new();
    let required: Vec<&str> = tool
        .schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for (n, name) in required.iter().enumerate() {
        let kind = tool
            .schema
            .pointer(&format!("/properties/{name}/type"))
            .and_then(Value::as_str)
            .unwrap_or("string");
        let value = match kind {
            "integer" | "number" => json!(1),
            "boolean" => json!(true),
            "array" => json!([]),
            "object" => json!({}),
            _ if n == 0 => json!(word),
            _ => json!("example"),
        };
        input.insert((*name).to_string(), value);
    }
    Value::Object(input)
}

/// The arguments' JSON text cut into stream-sized pieces (at most 12 characters, on character
/// boundaries), as models stream them.
pub(crate) fn pieces(input: &Value) -> Vec<String> {
    let text = input.to_string();
    let mut pieces = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        current.push(c);
        if current.chars().count() >= 12 {
            pieces.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_file() -> Offered {
        Offered {
            name: "read_file".into(),
            schema: json!({"type": "object", "properties": {"path": {"type": "string"}},
                "required": ["path"]}),
        }
    }

    #[test]
    fn a_named_tool_is_called_with_the_word_after_it() {
        let calls = decide(&[read_file()], &[], "Please use read_file on Cargo.toml.");
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].input, json!({"path": "Cargo.toml"}));
        assert!(decide(&[read_file()], &[], "read_files are fun").is_empty());
        assert!(decide(&[], &[], "use read_file").is_empty());
        let given = [Given {
            name: "read_file".into(),
            content: "x".into(),
            is_error: false,
        }];
        assert!(decide(&[read_file()], &given, "use read_file").is_empty());
    }

    #[test]
    fn a_marker_names_the_tool_and_its_arguments() {
        let calls = decide(
            &[read_file()],
            &[],
            r#"go [[emulator:tool=read_file {"path":"a b.txt"}]]"#,
        );
        assert_eq!(calls[0].input, json!({"path": "a b.txt"}));
        assert!(decide(&[read_file()], &[], "[[emulator:tool=other]]").is_empty());
    }

    #[test]
    fn calls_and_results_pair_up() {
        let calls = |index, ids: &[&str]| Step {
            index,
            assistant: true,
            calls: ids.iter().map(|i| ((*i).to_string(), "t".into())).collect(),
            results: Vec::new(),
        };
        let results = |index, ids: &[&str]| Step {
            index,
            assistant: false,
            calls: Vec::new(),
            results: ids
                .iter()
                .enumerate()
                .map(|(b, i)| (b, (*i).to_string()))
                .collect(),
        };
        assert!(
            pair(&[
                results(0, &[]),
                calls(1, &["a", "b"]),
                results(2, &["a", "b"])
            ])
            .is_ok()
        );
        assert_eq!(
            pair(&[results(0, &[]), calls(1, &["a", "b"]), results(2, &["a"])]),
            Err(Unpaired::Unanswered {
                index: 1,
                next: 2,
                ids: vec!["b".into()]
            })
        );
        assert_eq!(
            pair(&[results(0, &[]), calls(1, &["a"]), results(2, &["a", "z"])]),
            Err(Unpaired::Unexpected {
                index: 2,
                block: 1,
                id: "z".into()
            })
        );
        assert!(call_id(IdStyle::Claude, "r", 0).starts_with("toolu_bdrk_01"));
        assert_eq!(call_id(IdStyle::Mistral, "r", 0).len(), 9);
        assert_ne!(
            call_id(IdStyle::Nova, "r", 0),
            call_id(IdStyle::Nova, "r", 1)
        );
    }
}
