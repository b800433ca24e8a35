//! Token counts before sending: Bedrock's `CountTokens` where the model has it, else a local
//! estimate (four characters a token of the body's text, a thousand per image, document or
//! video), marked as one; and how the count sits in the model's context window.

use super::Prepared;
use crate::bedrock::{BedrockError, Client};
use crate::models::catalog;
use serde_json::Value;

/// An input-token count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenCount {
    /// The tokens.
    pub tokens: u64,
    /// Counted by Bedrock (else estimated here).
    pub exact: bool,
}

impl TokenCount {
    /// `1234` or `~1234`.
    pub fn shown(&self) -> String {
        if self.exact {
            self.tokens.to_string()
        } else {
            format!("~{}", self.tokens)
        }
    }
}

/// A body's tokens by the local estimate.
pub fn estimate(body: &[u8]) -> u64 {
    fn walk(value: &Value) -> u64 {
        match value {
            Value::String(s) => s.len() as u64 / 4,
            Value::Array(items) => items.iter().map(walk).sum(),
            Value::Object(map) => {
                let media = ["image", "document", "video", "image_url"].iter().any(|k| {
                    map.contains_key(*k) || map.get("type").and_then(Value::as_str) == Some(k)
                });
                if media {
                    1000
                } else {
                    map.iter()
                        .filter(|(k, _)| !matches!(k.as_str(), "images"))
                        .map(|(_, v)| walk(v))
                        .sum::<u64>()
                        + map
                            .get("images")
                            .and_then(Value::as_array)
                            .map_or(0, |i| i.len() as u64 * 1000)
                }
            }
            _ => 0,
        }
    }
    serde_json::from_slice::<Value>(body).map_or(body.len() as u64 / 4, |v| walk(&v))
}

/// Whether Bedrock counts this model's tokens.
pub fn counts_exactly(model: &str) -> bool {
    catalog::lookup(model).is_some_and(|m| m.count_tokens)
}

/// The input tokens of a prepared request: asked of `CountTokens` when the model has it, else
/// estimated. An error of `CountTokens` is returned, never hidden behind an estimate.
pub async fn input_tokens(
    client: &Client,
    prepared: &Prepared,
) -> Result<TokenCount, BedrockError> {
    if counts_exactly(&prepared.model) {
        let base = crate::models::base_model_id(&prepared.model);
        let tokens = match prepared.api {
            crate::bedrock::Api::Invoke => client.count_tokens(base, &prepared.body).await?,
            // Converse's input as CountTokens takes it: the messages, the system prompt, the
            // tools (which a history of tool calls needs) and the family's own fields.
            crate::bedrock::Api::Converse => {
                let body: Value = serde_json::from_slice(&prepared.body).unwrap_or_default();
                let mut input = serde_json::Map::new();
                for member in [
                    "messages",
                    "system",
                    "toolConfig",
                    "additionalModelRequestFields",
                ] {
                    if let Some(value) = body.get(member) {
                        input.insert(member.to_string(), value.clone());
                    }
                }
                client
                    .count_tokens_of(base, serde_json::json!({ "converse": input }))
                    .await?
            }
        };
        return Ok(TokenCount {
            tokens,
            exact: true,
        });
    }
    Ok(TokenCount {
        tokens: estimate(&prepared.body),
        exact: false,
    })
}

/// Whether a request of `input` tokens, asking for up to `max_output` more, fits the context
/// window of `model`; `Err` says by how much it does not.
pub fn fits(model: &str, input: TokenCount, max_output: u32) -> Result<(), String> {
    let Some(info) = catalog::lookup(model) else {
        return Ok(());
    };
    let window = u64::from(info.context_window);
    // An answer limit as large as the window itself says nothing of the room for input.
    let answer = Some(u64::from(max_output))
        .filter(|&m| m < window)
        .unwrap_or(0);
    let room = window - answer;
    if input.tokens <= room {
        return Ok(());
    }
    let reserved = if answer > 0 {
        format!(", {answer} kept for the answer")
    } else {
        String::new()
    };
    Err(format!(
        "the conversation is {} tokens: over the {room} that {} leaves for input ({} context{reserved})",
        input.shown(),
        info.name,
        info.context_window
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_count_text_and_media() {
        let body = br#"{"messages":[{"role":"user","content":[{"type":"text","text":"aaaaaaaa"},{"type":"image","source":{"data":"xxxxxxxxxxxxxxxxxxxxxxxx"}}]}]}"#;
        // "user" 1 + "text" 1 + 8 chars 2 + an image 1000.
        assert_eq!(estimate(body), 1004);
        let llama = br#"{"prompt":"aaaaaaaaaaaa","images":["zzzz"]}"#;
        assert_eq!(estimate(llama), 1003);
        let count = TokenCount {
            tokens: 300_000,
            exact: false,
        };
        let over = fits("anthropic.claude-haiku-4-5-20251001-v1:0", count, 4096).unwrap_err();
        assert!(
            over.contains("~300000 tokens") && over.contains("195904"),
            "{over}"
        );
        assert!(
            fits(
                "anthropic.claude-haiku-4-5-20251001-v1:0",
                TokenCount {
                    tokens: 10,
                    exact: true
                },
                4096
            )
            .is_ok()
        );
    }
}
