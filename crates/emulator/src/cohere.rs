//! The emulator's Cohere text families: Command (legacy `prompt` → `generations`; `stream:
//! true` streams `text` pieces, without it a stream is one chunk holding the whole answer, as
//! recorded) and Command R (`message` → `text`; `text-generation` events, then `stream-end`).

use super::corpus::estimate_tokens;
use super::family::{
    Answer, EmulatedFamily, Prompt, Request, Stop, malformed, metrics_json, to_bytes,
};
use super::validate::{
    integer_in, keys_allowed, number_in, object, optional_bool, optional_str, required_str,
    string_list,
};
use bedrock_tui_models::catalog::ModelInfo;
use serde_json::{Value, json};

/// Emulated Command (legacy).
pub struct Command;

/// Emulated Command R / R+.
pub(crate) struct CommandR;

const COMMAND_KEYS: &[&str] = &[
    "prompt",
    "temperature",
    "p",
    "k",
    "max_tokens",
    "stop_sequences",
    "return_likelihoods",
    "stream",
    "num_generations",
    "logit_bias",
    "truncate",
];
const COMMAND_R_KEYS: &[&str] = &[
    "message",
    "chat_history",
    "preamble",
    "documents",
    "search_queries_only",
    "max_tokens",
    "temperature",
    "p",
    "k",
    "prompt_truncation",
    "frequency_penalty",
    "presence_penalty",
    "seed",
    "return_prompt",
    "tools",
    "tool_results",
    "stop_sequences",
    "raw_prompting",
];

fn cohere_reason(stop: &Stop) -> &'static str {
    match stop {
        Stop::MaxTokens => "MAX_TOKENS",
        Stop::StopSequence(_) => "STOP_SEQUENCE",
        Stop::EndTurn => "COMPLETE",
    }
}

impl EmulatedFamily for Command {
    fn parse_request(&self, request: &Request<'_>) -> Result<Prompt, String> {
        let object = object(request.body, COMMAND_KEYS)?;
        let prompt = required_str(object, "#", "prompt")?;
        let limit = u64::from(request.model.max_output_tokens);
        number_in(object, "#", "temperature", 0.0, 5.0)?;
        number_in(object, "#", "p", 0.0, 1.0)?;
        integer_in(object, "#", "k", 0, 500)?;
        let max_tokens = integer_in(object, "#", "max_tokens", 1, limit)?.unwrap_or(20);
        let generations = integer_in(object, "#", "num_generations", 1, 5)?.unwrap_or(1);
        let stream_flag = optional_bool(object, "#", "stream")?.unwrap_or(false);
        if let Some(l) = optional_str(object, "#", "return_likelihoods")?
            && !["GENERATION", "ALL", "NONE"].contains(&l)
        {
            return Err(malformed(&format!(
                "#/return_likelihoods: {l} is not a valid enum value"
            )));
        }
        let last_user_text = match prompt.rfind("User:") {
            Some(at) => prompt[at + 5..]
                .trim_end()
                .trim_end_matches("Chatbot:")
                .trim()
                .to_string(),
            None => prompt.trim().to_string(),
        };
        Ok(Prompt {
            last_user_text,
            input_tokens: estimate_tokens(prompt),
            max_tokens: max_tokens as u32,
            stop_sequences: string_list(object, "#", "stop_sequences", 4)?,
            reasoning: false,
            options: json!({"stream": stream_flag, "generations": generations, "prompt": prompt}),
            received: super::media::Received::default(),
            cache: super::cache::CacheUse::default(),
            tool_use: super::tool_use::ToolUse::default(),
        })
    }

    fn response_body(
        &self,
        _model: &ModelInfo,
        prompt: &Prompt,
        answer: &Answer,
        request_id: &str,
    ) -> Vec<u8> {
        to_bytes(&whole(prompt, answer, request_id))
    }

    fn stream_chunks(
        &self,
        _model: &ModelInfo,
        prompt: &Prompt,
        answer: &Answer,
        request_id: &str,
    ) -> Vec<Vec<u8>> {
        let metrics = metrics_json(answer);
        if prompt.options.get("stream").and_then(Value::as_bool) != Some(true) {
            let mut body = whole(prompt, answer, request_id);
            body["amazon-bedrock-invocationMetrics"] = metrics;
            return vec![to_bytes(&body)];
        }
        let generations = generation_count(prompt);
        let mut chunks = Vec::new();
        for index in 0..generations {
            for token in &answer.tokens {
                let mut chunk = json!({"is_finished": false, "text": token});
                if generations > 1 {
                    chunk["index"] = json!(index);
                }
                chunks.push(to_bytes(&chunk));
            }
        }
        chunks.push(to_bytes(
            &json!({"finish_reason": cohere_reason(&answer.stop), "is_finished": true,
            "amazon-bedrock-invocationMetrics": metrics}),
        ));
        chunks
    }
}

fn generation_count(prompt: &Prompt) -> u64 {
    prompt
        .options
        .get("generations")
        .and_then(Value::as_u64)
        .unwrap_or(1)
}

fn whole(prompt: &Prompt, answer: &Answer, request_id: &str) -> Value {
    let generations: Vec<Value> = (0..generation_count(prompt))
        .map(|i| {
            json!({"finish_reason": cohere_reason(&answer.stop), "id": format!("{request_id}-{i}"),
            "text": format!(" {}", answer.text())})
        })
        .collect();
    json!({"generations": generations, "id": request_id,
        "prompt": prompt.options.get("prompt").cloned().unwrap_or(Value::Null)})
}

impl EmulatedFamily for CommandR {
    fn parse_request(&self, request: &Request<'_>) -> Result<Prompt, String> {
        let object = object(request.body, COMMAND_R_KEYS)?;
        let message = required_str(object, "#", "message")?;
        let limit = u64::from(request.model.max_output_tokens);
        number_in(object, "#", "temperature", 0.0, 1.0)?;
        number_in(object, "#", "p", 0.01, 0.99)?;
        integer_in(object, "#", "k", 0, 500)?;
        let max_tokens =
            integer_in(object, "#", "max_tokens", 1, limit)?.unwrap_or(4000.min(limit));
        let mut input = optional_str(object, "#", "preamble")?
            .unwrap_or_default()
            .to_string();
        let mut history = Vec::new();
        match object.get("chat_history") {
            None | Some(Value::Null) => {}
            Some(Value::Array(turns)) => {
                for (i, turn) in turns.iter().enumerate() {
                    let at = format!("#/chat_history/{i}");
                    let turn = turn
                        .as_object()
                        .ok_or_else(|| malformed(&format!("{at}: expected type: JSONObject")))?;
                    keys_allowed(
                        turn,
                        &at,
                        &["role", "message", "tool_calls", "tool_results"],
                    )?;
                    let role = required_str(turn, &at, "role")?;
                    if !["USER", "CHATBOT", "SYSTEM", "TOOL"].contains(&role) {
                        return Err(malformed(&format!(
                            "{at}/role: {role} is not a valid enum value"
                        )));
                    }
                    let text = optional_str(turn, &at, "message")?.unwrap_or_default();
                    input.push_str(text);
                    history.push(json!({"role": role, "message": text}));
                }
            }
            Some(_) => return Err(malformed("#/chat_history: expected type: JSONArray")),
        }
        input.push_str(message);
        history.push(json!({"role": "USER", "message": message}));
        Ok(Prompt {
            last_user_text: message.to_string(),
            input_tokens: estimate_tokens(&input) + 2,
            max_tokens: max_tokens as u32,
            stop_sequences: string_list(object, "#", "stop_sequences", 5)?,
            reasoning: false,
            options: json!({"history": history}),
            received: super::media::Received::default(),
            cache: super::cache::CacheUse::default(),
            tool_use: super::tool_use::cohere::read(object)?,
        })
    }

    fn response_body(
        &self,
        _model: &ModelInfo,
        prompt: &Prompt,
        answer: &Answer,
        request_id: &str,
    ) -> Vec<u8> {
        to_bytes(&command_r_response(prompt, answer, request_id, false))
    }

    fn stream_chunks(
        &self,
        _model: &ModelInfo,
        prompt: &Prompt,
        answer: &Answer,
        request_id: &str,
    ) -> Vec<Vec<u8>> {
        let mut chunks: Vec<Vec<u8>> = answer
            .tokens
            .iter()
            .map(|t| {
                to_bytes(&json!({"is_finished": false, "event_type": "text-generation", "text": t}))
            })
            .collect();
        if let Some(calls) = super::tool_use::cohere::calls(answer) {
            chunks.push(to_bytes(&json!({"is_finished": false,
                "event_type": "tool-calls-generation", "text": answer.text(),
                "tool_calls": calls})));
        }
        chunks.push(to_bytes(
            &json!({"is_finished": true, "event_type": "stream-end",
            "response": command_r_response(prompt, answer, request_id, true),
            "finish_reason": cohere_reason(&answer.stop),
            "amazon-bedrock-invocationMetrics": metrics_json(answer)}),
        ));
        chunks
    }
}

/// A Command R answer; `meta` (billed and counted tokens) is in the stream's `stream-end`
/// response only: the recorded InvokeModel body has none.
fn command_r_response(prompt: &Prompt, answer: &Answer, request_id: &str, meta: bool) -> Value {
    let mut history = prompt
        .options
        .get("history")
        .cloned()
        .unwrap_or_else(|| json!([]));
    if let Some(list) = history.as_array_mut() {
        list.push(json!({"role": "CHATBOT", "message": answer.text()}));
    }
    let mut response = json!({"response_id": request_id, "text": answer.text(),
        "generation_id": format!("{request_id}-0"), "chat_history": history,
        "finish_reason": cohere_reason(&answer.stop)});
    if let Some(calls) = super::tool_use::cohere::calls(answer) {
        response["tool_calls"] = calls;
    }
    if meta {
        response["meta"] = json!({"api_version": {"version": "1"},
            "billed_units": {"input_tokens": answer.input_tokens, "output_tokens": answer.output_tokens()},
            "tokens": {"input_tokens": answer.input_tokens, "output_tokens": answer.output_tokens()}});
    }
    response
}
