//! Cohere Command (legacy `prompt`, text in `generations[0].text`, `stream: true` to stream)
//! and Command R / R+ (`message`, `chat_history` of USER/CHATBOT, `preamble`; text in `text`,
//! per chunk in `text` of `text-generation` events, then a `stream-end` event).

use super::turns::{
    ParamNames, count_at, delta_with_metrics, history_and_last, parse, put_params, str_at,
    string_at, system, transcript,
};
use super::{
    ChunkDelta, Completion, Conversation, FamilyId, ModelError, ModelFamily, Parameters, Role,
    Usage,
};
use serde_json::{Value, json};

/// The Cohere Command (legacy) adapter.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CohereCommand;

/// The Cohere Command R / R+ adapter.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CohereCommandR;

/// Sampling members shared by both: `max_tokens`, `temperature`, `p`, `k`, `stop_sequences`.
fn sampling(body: &mut Value, params: &Parameters) {
    if let Some(object) = body.as_object_mut() {
        put_params(
            object,
            params,
            ParamNames {
                max_tokens: Some("max_tokens"),
                temperature: Some("temperature"),
                top_p: Some("p"),
                top_k: Some("k"),
                stop: Some("stop_sequences"),
            },
        );
    }
}

fn billed_usage(value: &Value, pointer: &str) -> Usage {
    Usage {
        input_tokens: count_at(value, &format!("{pointer}/billed_units/input_tokens")),
        output_tokens: count_at(value, &format!("{pointer}/billed_units/output_tokens")),
        ..Usage::default()
    }
}

impl ModelFamily for CohereCommand {
    fn id(&self) -> FamilyId {
        FamilyId::Cohere
    }

    fn build_body(
        &self,
        conversation: &Conversation,
        params: &Parameters,
        streaming: bool,
    ) -> Result<Value, ModelError> {
        let mut body = json!({ "prompt": transcript(conversation, "User", "Chatbot", false)? });
        sampling(&mut body, params);
        // Without `stream: true` a stream is a single chunk holding the whole answer.
        if streaming {
            body["stream"] = json!(true);
        }
        Ok(body)
    }

    fn parse_response(&self, body: &[u8]) -> Result<Completion, ModelError> {
        let value = parse(body)?;
        let first = value.pointer("/generations/0").ok_or_else(|| {
            ModelError::Response("no `generations` in the Cohere response".into())
        })?;
        Ok(Completion {
            text: string_at(first, "/text").unwrap_or_default(),
            stop_reason: string_at(first, "/finish_reason"),
            ..Completion::default()
        })
    }

    fn parse_chunk(&self, chunk: &[u8]) -> Result<ChunkDelta, ModelError> {
        let value = parse(chunk)?;
        let mut delta = delta_with_metrics(&value);
        if let Some(text) = str_at(&value, "/text") {
            delta.text = text.to_string();
        } else if let Some(first) = value.pointer("/generations/0") {
            // A stream requested without `stream: true`: one chunk with the whole answer.
            delta.text = string_at(first, "/text").unwrap_or_default();
            delta.stop_reason = string_at(first, "/finish_reason");
        }
        if let Some(reason) = string_at(&value, "/finish_reason") {
            delta.stop_reason = Some(reason);
        }
        Ok(delta)
    }
}

impl ModelFamily for CohereCommandR {
    fn id(&self) -> FamilyId {
        FamilyId::CohereR
    }

    fn build_body(
        &self,
        conversation: &Conversation,
        params: &Parameters,
        _streaming: bool,
    ) -> Result<Value, ModelError> {
        let (history, last) = history_and_last(conversation)?;
        let mut body = json!({ "message": last });
        if !history.is_empty() {
            let history: Vec<Value> = history
                .iter()
                .map(|turn| {
                    let role = match turn.role {
                        Role::User => "USER",
                        Role::Assistant => "CHATBOT",
                    };
                    json!({"role": role, "message": turn.text})
                })
                .collect();
            body["chat_history"] = json!(history);
        }
        if let Some(system) = system(conversation) {
            body["preamble"] = json!(system);
        }
        sampling(&mut body, params);
        Ok(body)
    }

    fn parse_response(&self, body: &[u8]) -> Result<Completion, ModelError> {
        let value = parse(body)?;
        let text = string_at(&value, "/text")
            .ok_or_else(|| ModelError::Response("no `text` in the Command R response".into()))?;
        Ok(Completion {
            text,
            stop_reason: string_at(&value, "/finish_reason"),
            usage: billed_usage(&value, "/meta"),
            ..Completion::default()
        })
    }

    fn parse_chunk(&self, chunk: &[u8]) -> Result<ChunkDelta, ModelError> {
        let value = parse(chunk)?;
        let mut delta = delta_with_metrics(&value);
        match str_at(&value, "/event_type") {
            Some("text-generation") => {
                delta.text = string_at(&value, "/text").unwrap_or_default();
            }
            Some("stream-end") => {
                delta.stop_reason = string_at(&value, "/finish_reason")
                    .or_else(|| string_at(&value, "/response/finish_reason"));
                delta.usage = billed_usage(&value, "/response/meta");
            }
            // stream-start, search-results, citation-generation, tool-calls-generation, …
            _ => {}
        }
        Ok(delta)
    }
}
