//! The emulator's Anthropic Claude (Messages API): Bedrock's request validation, the response
//! body, and the `message_start` … `message_stop` chunk sequence.

use super::corpus::estimate_tokens;
use super::family::{Answer, EmulatedFamily, Prompt, Stop, malformed};
use crate::models::anthropic::ANTHROPIC_VERSION;
use crate::models::catalog::ModelInfo;
use serde_json::{Value, json};

/// The emulated Claude Messages family.
pub struct AnthropicMessages;

const ALLOWED_KEYS: &[&str] = &[
    "anthropic_version",
    "max_tokens",
    "messages",
    "system",
    "temperature",
    "top_p",
    "top_k",
    "stop_sequences",
    "tools",
    "tool_choice",
    "anthropic_beta",
    "thinking",
    "metadata",
];

/// The `model` member of responses: `claude-3-haiku-20240307` for
/// `anthropic.claude-3-haiku-20240307-v1:0`.
fn response_model_name(model: &ModelInfo) -> String {
    let name = model.id.strip_prefix("anthropic.").unwrap_or(&model.id);
    match name.rfind("-v") {
        Some(at) if name[at..].contains(':') => name[..at].to_string(),
        _ => name.to_string(),
    }
}

fn text_of(content: &Value) -> Result<String, String> {
    match content {
        Value::String(s) => Ok(s.clone()),
        Value::Array(blocks) => {
            let mut text = String::new();
            for (i, block) in blocks.iter().enumerate() {
                let kind = block.get("type").and_then(Value::as_str).ok_or_else(|| {
                    format!("messages: content block {i} is missing the required field `type`")
                })?;
                if kind == "text" {
                    let t = block.get("text").and_then(Value::as_str).ok_or_else(|| {
                        format!("messages: text content block {i} is missing `text`")
                    })?;
                    text.push_str(t);
                }
            }
            Ok(text)
        }
        _ => Err(malformed(
            "#/messages/content: expected type: String or JSONArray",
        )),
    }
}

fn number_in(body: &Value, key: &str, min: f64, max: f64) -> Result<Option<f64>, String> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            let n = v.as_f64().ok_or_else(|| {
                malformed(&format!(
                    "#/{key}: expected type: Number, found: {}",
                    kind(v)
                ))
            })?;
            if n < min {
                return Err(malformed(&format!(
                    "#/{key}: {n} is not greater or equal to {min}"
                )));
            }
            if n > max {
                return Err(malformed(&format!(
                    "#/{key}: {n} is not less or equal to {max}"
                )));
            }
            Ok(Some(n))
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Number(_) => "Number",
        Value::String(_) => "String",
        Value::Array(_) => "JSONArray",
        Value::Object(_) => "JSONObject",
    }
}

impl EmulatedFamily for AnthropicMessages {
    fn parse_request(&self, model: &ModelInfo, body: &Value) -> Result<Prompt, String> {
        let object = body.as_object().ok_or_else(|| {
            malformed(&format!(
                "#: expected type: JSONObject, found: {}",
                kind(body)
            ))
        })?;
        for key in object.keys() {
            if !ALLOWED_KEYS.contains(&key.as_str()) {
                return Err(malformed(&format!(
                    "#: extraneous key [{key}] is not permitted"
                )));
            }
        }
        for key in ["anthropic_version", "max_tokens", "messages"] {
            if !object.contains_key(key) {
                return Err(malformed(&format!("#: required key [{key}] not found")));
            }
        }
        match object.get("anthropic_version").and_then(Value::as_str) {
            Some(ANTHROPIC_VERSION) => {}
            Some(other) => {
                return Err(malformed(&format!(
                    "#/anthropic_version: {other} is not a valid enum value"
                )));
            }
            None => return Err(malformed("#/anthropic_version: expected type: String")),
        }
        let max_tokens = object
            .get("max_tokens")
            .and_then(Value::as_u64)
            .ok_or_else(|| malformed("#/max_tokens: expected type: Integer"))?;
        if max_tokens < 1 {
            return Err(malformed("#/max_tokens: 0 is not greater or equal to 1"));
        }
        if max_tokens > u64::from(model.max_output_tokens) {
            return Err(format!(
                "max_tokens: {max_tokens} > {}, which is the maximum allowed number of output tokens for {}",
                model.max_output_tokens,
                response_model_name(model)
            ));
        }
        let temperature = number_in(body, "temperature", 0.0, 1.0)?;
        let top_p = number_in(body, "top_p", 0.0, 1.0)?;
        number_in(body, "top_k", 0.0, 500.0)?;
        if model.params.temperature_xor_top_p && temperature.is_some() && top_p.is_some() {
            return Err("The model returned the following errors: `temperature` and `top_p` cannot both be specified for this model. Please use only one.".to_string());
        }
        let stop_sequences = match object.get("stop_sequences") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|s| {
                    s.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| malformed("#/stop_sequences: expected type: String"))
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(malformed("#/stop_sequences: expected type: JSONArray")),
        };
        let mut input = String::new();
        match object.get("system") {
            None | Some(Value::Null) => {}
            Some(system) => input.push_str(&text_of(system)?),
        }
        let messages = object
            .get("messages")
            .and_then(Value::as_array)
            .ok_or_else(|| malformed("#/messages: expected type: JSONArray"))?;
        if messages.is_empty() {
            return Err("messages: at least one message is required".to_string());
        }
        let mut last_user_text = String::new();
        let mut previous: Option<&str> = None;
        for (i, message) in messages.iter().enumerate() {
            let role = message.get("role").and_then(Value::as_str).ok_or_else(|| {
                malformed(&format!("#/messages/{i}: required key [role] not found"))
            })?;
            if role != "user" && role != "assistant" {
                return Err(malformed(&format!(
                    "#/messages/{i}/role: {role} is not a valid enum value"
                )));
            }
            if i == 0 && role != "user" {
                return Err("messages: first message must use the \"user\" role".to_string());
            }
            if previous == Some(role) {
                return Err(format!(
                    "messages: roles must alternate between \"user\" and \"assistant\", but found multiple \"{role}\" roles in a row"
                ));
            }
            previous = Some(role);
            let content = message.get("content").ok_or_else(|| {
                malformed(&format!("#/messages/{i}: required key [content] not found"))
            })?;
            let text = text_of(content)?;
            if role == "user" {
                last_user_text = text.clone();
            }
            input.push_str(&text);
        }
        Ok(Prompt {
            last_user_text,
            input_tokens: estimate_tokens(&input) + 8,
            max_tokens: max_tokens.min(u64::from(u32::MAX)) as u32,
            stop_sequences,
        })
    }

    fn response_body(&self, model: &ModelInfo, answer: &Answer, request_id: &str) -> Vec<u8> {
        let (stop_reason, stop_sequence) = stop_fields(&answer.stop);
        let content = if answer.tokens.is_empty() {
            json!([])
        } else {
            json!([{"type": "text", "text": answer.text()}])
        };
        let body = json!({
            "id": message_id(request_id),
            "type": "message",
            "role": "assistant",
            "model": response_model_name(model),
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": stop_sequence,
            "usage": {"input_tokens": answer.input_tokens, "output_tokens": answer.output_tokens()},
        });
        body.to_string().into_bytes()
    }

    fn stream_chunks(&self, model: &ModelInfo, answer: &Answer, request_id: &str) -> Vec<Vec<u8>> {
        let (stop_reason, stop_sequence) = stop_fields(&answer.stop);
        let mut chunks = Vec::with_capacity(answer.tokens.len() + 5);
        let start = json!({"type": "message_start", "message": {
            "id": message_id(request_id), "type": "message", "role": "assistant",
            "model": response_model_name(model), "content": [], "stop_reason": null,
            "stop_sequence": null,
            "usage": {"input_tokens": answer.input_tokens, "output_tokens": 1}}});
        chunks.push(start.to_string().into_bytes());
        chunks.push(
            br#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#
                .to_vec(),
        );
        for token in &answer.tokens {
            let delta = json!({"type": "content_block_delta", "index": 0,
                "delta": {"type": "text_delta", "text": token}});
            chunks.push(delta.to_string().into_bytes());
        }
        chunks.push(br#"{"type":"content_block_stop","index":0}"#.to_vec());
        let delta = json!({"type": "message_delta",
            "delta": {"stop_reason": stop_reason, "stop_sequence": stop_sequence},
            "usage": {"output_tokens": answer.output_tokens()}});
        chunks.push(delta.to_string().into_bytes());
        let stop = json!({"type": "message_stop",
            "amazon-bedrock-invocationMetrics": answer.metrics});
        chunks.push(stop.to_string().into_bytes());
        chunks
    }
}

fn stop_fields(stop: &Stop) -> (&'static str, Value) {
    match stop {
        Stop::EndTurn => ("end_turn", Value::Null),
        Stop::MaxTokens => ("max_tokens", Value::Null),
        Stop::StopSequence(s) => ("stop_sequence", json!(s)),
    }
}

fn message_id(request_id: &str) -> String {
    let compact: String = request_id.chars().filter(|c| *c != '-').take(24).collect();
    format!("msg_bdrk_01{compact}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::catalog::lookup;

    fn model() -> &'static ModelInfo {
        lookup("anthropic.claude-3-haiku-20240307-v1:0").unwrap()
    }

    #[test]
    fn validates_like_bedrock() {
        let ok = json!({"anthropic_version":"bedrock-2023-05-31","max_tokens":10,
            "messages":[{"role":"user","content":"hi"}]});
        assert_eq!(
            AnthropicMessages
                .parse_request(model(), &ok)
                .unwrap()
                .last_user_text,
            "hi"
        );
        let cases = [
            (
                json!({"max_tokens":10,"messages":[]}),
                "required key [anthropic_version]",
            ),
            (
                json!({"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":[],"model":"x"}),
                "extraneous key [model]",
            ),
            (
                json!({"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"messages":[]}),
                "at least one message",
            ),
            (
                json!({"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"temperature":2,
                    "messages":[{"role":"user","content":"a"}]}),
                "not less or equal to 1",
            ),
            (
                json!({"anthropic_version":"bedrock-2023-05-31","max_tokens":10,
                    "messages":[{"role":"user","content":"a"},{"role":"user","content":"b"}]}),
                "roles must alternate",
            ),
            (
                json!({"anthropic_version":"bedrock-2023-05-31","max_tokens":100000,
                    "messages":[{"role":"user","content":"a"}]}),
                "maximum allowed number of output tokens for claude-3-haiku-20240307",
            ),
        ];
        for (body, expected) in cases {
            let err = AnthropicMessages.parse_request(model(), &body).unwrap_err();
            assert!(err.contains(expected), "{err}");
        }
        let xor = lookup("anthropic.claude-haiku-4-5-20251001-v1:0").unwrap();
        let both = json!({"anthropic_version":"bedrock-2023-05-31","max_tokens":10,"temperature":0.5,
            "top_p":0.5,"messages":[{"role":"user","content":"a"}]});
        assert!(
            AnthropicMessages
                .parse_request(xor, &both)
                .unwrap_err()
                .contains("cannot both be specified")
        );
    }
}
