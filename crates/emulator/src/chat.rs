//! The emulator's OpenAI-style chat families: OpenAI gpt-oss (chat completions, recorded
//! shapes), AI21 Jamba (the metrics in a separate last chunk, as AI21's client expects) and
//! Mistral chat (`choices[].delta.content` chunks; the Bedrock shape is unverified).

use super::corpus::estimate_tokens;
use super::family::{
    Answer, EmulatedFamily, Prompt, Request, Stop, malformed, metrics_json, to_bytes,
};
use super::media::{self, Received};
use super::validate::{
    integer_in, keys_allowed, kind, nested, number_in, object, optional_bool, optional_str,
    required_array, required_str, string_list,
};
use bedrock_tui_models::attachments::Kind;
use bedrock_tui_models::catalog::ModelInfo;
use serde_json::{Value, json};

/// Which dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    OpenAi,
    Jamba,
    Mistral,
}

/// One emulated chat family.
pub struct Chat {
    dialect: Dialect,
}

impl Chat {
    /// OpenAI gpt-oss.
    pub(crate) const OPENAI: Chat = Chat {
        dialect: Dialect::OpenAi,
    };
    /// AI21 Jamba.
    pub(crate) const JAMBA: Chat = Chat {
        dialect: Dialect::Jamba,
    };
    /// Mistral chat.
    pub(crate) const MISTRAL: Chat = Chat {
        dialect: Dialect::Mistral,
    };
}

const OPENAI_KEYS: &[&str] = &[
    "messages",
    "model",
    "stream",
    "stream_options",
    "max_completion_tokens",
    "max_tokens",
    "temperature",
    "top_p",
    "stop",
    "n",
    "seed",
    "frequency_penalty",
    "presence_penalty",
    "reasoning_effort",
    "tools",
    "tool_choice",
    "response_format",
    "logprobs",
    "top_logprobs",
    "user",
    "parallel_tool_calls",
    "logit_bias",
    "metadata",
];
const JAMBA_KEYS: &[&str] = &[
    "messages",
    "max_tokens",
    "temperature",
    "top_p",
    "stop",
    "n",
    "frequency_penalty",
    "presence_penalty",
    "tools",
    "response_format",
    "documents",
];
const MISTRAL_KEYS: &[&str] = &[
    "messages",
    "max_tokens",
    "temperature",
    "top_p",
    "tools",
    "tool_choice",
];

/// `finish_reason`: `tool_calls` when the answer calls tools.
fn finish_reason(answer: &Answer) -> &'static str {
    if !answer.tool_calls.is_empty() {
        return "tool_calls";
    }
    match answer.stop {
        Stop::MaxTokens => "length",
        _ => "stop",
    }
}

fn content_text(content: &Value, at: &str) -> Result<String, String> {
    match content {
        Value::String(s) => Ok(s.clone()),
        Value::Array(parts) => Ok(parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .concat()),
        Value::Null => Ok(String::new()),
        other => Err(malformed(&format!(
            "{at}/content: expected type: String, found: {}",
            kind(other)
        ))),
    }
}

/// Checks the `image_url` parts of a message (`data:` URIs; Bedrock fetches no URLs) and adds
/// them to `received`.
fn image_parts(
    model: &ModelInfo,
    content: &Value,
    at: &str,
    role: &str,
    received: &mut Received,
) -> Result<(), String> {
    let Some(parts) = content.as_array() else {
        return Ok(());
    };
    for (i, part) in parts.iter().enumerate() {
        if part.get("type").and_then(Value::as_str) != Some("image_url") {
            continue;
        }
        let at = format!("{at}/content/{i}");
        if role != "user" {
            return Err(format!("{at}: images may only be in user messages"));
        }
        let url = match part.get("image_url") {
            Some(Value::String(url)) => url.as_str(),
            Some(Value::Object(o)) => o.get("url").and_then(Value::as_str).unwrap_or(""),
            _ => "",
        };
        let (mime, bytes) = media::data_uri(url).ok_or_else(|| {
            format!(
                "{at}/image_url: only base64 data URIs (data:image/...;base64,...) are accepted"
            )
        })?;
        if bytes.len() > 10_000_000 {
            return Err(format!("{at}/image_url: the image is larger than 10 MB"));
        }
        received.take(model, &at, Kind::Image, &mime, &bytes)?;
    }
    Ok(())
}

fn short_name(model: &ModelInfo) -> String {
    let id = model.id.as_str();
    id.split_once('.').map_or(id, |(_, n)| n).to_string()
}

impl EmulatedFamily for Chat {
    fn parse_request(&self, request: &Request<'_>) -> Result<Prompt, String> {
        let keys = match self.dialect {
            Dialect::OpenAi => OPENAI_KEYS,
            Dialect::Jamba => JAMBA_KEYS,
            Dialect::Mistral => MISTRAL_KEYS,
        };
        let object = object(request.body, keys)?;
        let messages = required_array(object, "#", "messages")?;
        let roles: &[&str] = match self.dialect {
            Dialect::OpenAi => &["system", "developer", "user", "assistant", "tool"],
            Dialect::Jamba | Dialect::Mistral => &["system", "user", "assistant", "tool"],
        };
        let mut input = String::new();
        let mut last_user_text = None;
        let mut received = Received::default();
        for (i, message) in messages.iter().enumerate() {
            let at = format!("#/messages/{i}");
            let message = message
                .as_object()
                .ok_or_else(|| malformed(&format!("{at}: expected type: JSONObject")))?;
            keys_allowed(
                message,
                &at,
                &[
                    "role",
                    "content",
                    "name",
                    "tool_calls",
                    "tool_call_id",
                    "prefix",
                ],
            )?;
            let role = required_str(message, &at, "role")?;
            if !roles.contains(&role) {
                return Err(malformed(&format!(
                    "{at}/role: {role} is not a valid enum value"
                )));
            }
            let content = message.get("content").unwrap_or(&Value::Null);
            image_parts(request.model, content, &at, role, &mut received)?;
            let text = content_text(content, &at)?;
            if role == "user" {
                last_user_text = Some(text.clone());
            }
            input.push_str(&text);
        }
        let last_user_text = last_user_text
            .ok_or_else(|| malformed("#/messages: at least one message must have the user role"))?;
        let limit = u64::from(request.model.max_output_tokens);
        let max_temperature = request.model.params.max_temperature;
        number_in(object, "#", "temperature", 0.0, max_temperature)?;
        number_in(object, "#", "top_p", 0.0, 1.0)?;
        let mut max_tokens = integer_in(object, "#", "max_tokens", 1, limit)?;
        let mut options = json!({});
        if self.dialect == Dialect::OpenAi {
            if let Some(n) = integer_in(object, "#", "max_completion_tokens", 1, limit)? {
                max_tokens = Some(n);
            }
            // The AWS page: `model` must match the id in the path, `stream` the operation.
            if let Some(named) = optional_str(object, "#", "model")?
                && bedrock_tui_models::base_model_id(named) != request.model.id
            {
                return Err(format!(
                    "The model {named} in the request body does not match the model ID in the request path."
                ));
            }
            let stream = optional_bool(object, "#", "stream")?;
            if stream == Some(true) && !request.streaming {
                return Err("stream must be false (or absent) for InvokeModel; use InvokeModelWithResponseStream to stream.".to_string());
            }
            if stream == Some(false) && request.streaming {
                return Err(
                    "stream must be true (or absent) for InvokeModelWithResponseStream."
                        .to_string(),
                );
            }
            let include_usage = nested(object, "#", "stream_options", &["include_usage"])?
                .map(|o| optional_bool(o, "#/stream_options", "include_usage"))
                .transpose()?
                .flatten()
                .unwrap_or(false);
            options["include_usage"] = json!(include_usage);
        }
        if let Some(n) = integer_in(object, "#", "n", 1, 1)? {
            options["n"] = json!(n);
        }
        received.within(Some(8), 0)?;
        let tool_use =
            super::tool_use::chat::read(object, messages, self.dialect == Dialect::Mistral)?;
        let stop_sequences = match object.get("stop") {
            Some(Value::String(s)) => vec![s.clone()],
            _ => string_list(object, "#", "stop", 4)?,
        };
        Ok(Prompt {
            last_user_text,
            input_tokens: estimate_tokens(&input) + 4 * messages.len() as u64,
            max_tokens: max_tokens.unwrap_or(4096.min(limit)) as u32,
            stop_sequences,
            reasoning: false,
            options,
            received,
            cache: super::cache::CacheUse::default(),
            tool_use,
        })
    }

    fn response_body(
        &self,
        model: &ModelInfo,
        _prompt: &Prompt,
        answer: &Answer,
        request_id: &str,
    ) -> Vec<u8> {
        let output = answer.output_tokens();
        let usage = json!({"prompt_tokens": answer.input_tokens, "completion_tokens": output,
            "total_tokens": answer.input_tokens + output});
        let reason = finish_reason(answer);
        let mistral = self.dialect == Dialect::Mistral;
        let tool_calls = super::tool_use::chat::calls(answer, request_id, mistral);
        to_bytes(&match self.dialect {
            Dialect::OpenAi => json!({
                "choices": [{"finish_reason": reason, "index": 0, "message": {"annotations": [],
                    "content": answer.text(), "refusal": null, "role": "assistant",
                    "tool_calls": tool_calls}}],
                "created": 1_790_000_000u64, "id": format!("chatcmpl-{request_id}"),
                "model": model.id, "object": "chat.completion", "service_tier": "default",
                "usage": usage, "system_fingerprint": null}),
            Dialect::Jamba => json!({
                "id": format!("chatcmpl-{request_id}"),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.text(),
                    "tool_calls": tool_calls}, "finish_reason": reason}],
                "usage": usage, "meta": {"requestDurationMillis": answer.metrics.invocation_latency},
                "model": short_name(model)}),
            Dialect::Mistral => json!({
                "id": request_id, "object": "chat.completion", "created": 1_790_000_000u64,
                "model": short_name(model),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.text(),
                    "tool_calls": tool_calls}, "finish_reason": reason}],
                "usage": usage}),
        })
    }

    fn stream_chunks(
        &self,
        model: &ModelInfo,
        prompt: &Prompt,
        answer: &Answer,
        request_id: &str,
    ) -> Vec<Vec<u8>> {
        let id = format!("chatcmpl-{request_id}");
        let reason = finish_reason(answer);
        let tool_deltas =
            super::tool_use::chat::deltas(answer, request_id, self.dialect == Dialect::Mistral);
        let output = answer.output_tokens();
        let usage = json!({"prompt_tokens": answer.input_tokens, "completion_tokens": output,
            "total_tokens": answer.input_tokens + output});
        let metrics = metrics_json(answer);
        let mut chunks = Vec::with_capacity(answer.tokens.len() + 4);
        match self.dialect {
            Dialect::OpenAi => {
                let frame = |choices: Value, usage: Value| {
                    json!({"choices": choices, "created": 1_790_000_000u64,
                    "id": id, "model": model.id, "object": "chat.completion.chunk", "service_tier": "default",
                    "system_fingerprint": null, "usage": usage, "obfuscation": "emulator"})
                };
                chunks.push(to_bytes(&frame(
                    json!([{"delta": {"content": "", "role": "assistant", "refusal": null},
                    "finish_reason": null, "index": 0}]),
                    Value::Null,
                )));
                for token in &answer.tokens {
                    chunks.push(to_bytes(&frame(
                        json!([{"delta": {"content": token}, "finish_reason": null, "index": 0}]),
                        Value::Null,
                    )));
                }
                for delta in tool_deltas {
                    chunks.push(to_bytes(&frame(
                        json!([{"delta": delta, "finish_reason": null, "index": 0}]),
                        Value::Null,
                    )));
                }
                let include_usage =
                    prompt.options.get("include_usage").and_then(Value::as_bool) == Some(true);
                let mut last = frame(
                    json!([{"delta": {}, "finish_reason": reason, "index": 0}]),
                    Value::Null,
                );
                if include_usage {
                    chunks.push(to_bytes(&last));
                    last = frame(json!([]), usage);
                }
                last["amazon-bedrock-invocationMetrics"] = metrics;
                chunks.push(to_bytes(&last));
            }
            Dialect::Jamba => {
                chunks.push(to_bytes(
                    &json!({"id": id, "choices": [{"index": 0, "delta": {"role": "assistant"},
                    "finish_reason": null}], "usage": null}),
                ));
                for token in &answer.tokens {
                    chunks.push(to_bytes(
                        &json!({"id": id, "choices": [{"index": 0, "delta": {"content": token},
                        "finish_reason": null}], "usage": null}),
                    ));
                }
                for delta in tool_deltas {
                    chunks.push(to_bytes(&json!({"id": id, "choices": [{"index": 0,
                        "delta": delta, "finish_reason": null}], "usage": null})));
                }
                chunks.push(to_bytes(
                    &json!({"id": id, "choices": [{"index": 0, "delta": {},
                    "finish_reason": reason}], "usage": usage}),
                ));
                // As AI21's Bedrock client expects: the metrics in one more chunk of their own.
                chunks.push(to_bytes(
                    &json!({"amazon-bedrock-invocationMetrics": metrics}),
                ));
            }
            Dialect::Mistral => {
                let name = short_name(model);
                for (i, token) in answer.tokens.iter().enumerate() {
                    let delta = if i == 0 {
                        json!({"role": "assistant", "content": token})
                    } else {
                        json!({"content": token})
                    };
                    chunks.push(to_bytes(
                        &json!({"id": request_id, "object": "chat.completion.chunk",
                        "created": 1_790_000_000u64, "model": name,
                        "choices": [{"index": 0, "delta": delta, "finish_reason": null}]}),
                    ));
                }
                for delta in tool_deltas {
                    chunks.push(to_bytes(
                        &json!({"id": request_id, "object": "chat.completion.chunk",
                        "created": 1_790_000_000u64, "model": name,
                        "choices": [{"index": 0, "delta": delta, "finish_reason": null}]}),
                    ));
                }
                chunks.push(to_bytes(
                    &json!({"id": request_id, "object": "chat.completion.chunk",
                    "created": 1_790_000_000u64, "model": name,
                    "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": reason}],
                    "amazon-bedrock-invocationMetrics": metrics}),
                ));
            }
        }
        chunks
    }
}
