//! Amazon Titan Text (Lite, Express, Premier): `inputText` in `User: … \nBot:` form with
//! `textGenerationConfig`; text in `results[0].outputText`, per chunk in `outputText`.
//!
//! Recorded Titan bodies say `completionReason: "FINISH"` where the AWS page says `FINISHED`,
//! and with a guardrail attached send counts as floats (`28.0`); both are accepted.

use super::turns::{
    ParamNames, count_at, delta_with_metrics, parse, put_params, string_at, transcript,
};
use super::{
    ChunkDelta, Completion, Conversation, FamilyId, ModelError, ModelFamily, Parameters, Usage,
};
use serde_json::{Map, Value, json};

/// The Titan Text adapter.
#[derive(Debug, Clone, Copy)]
pub struct TitanText;

impl ModelFamily for TitanText {
    fn id(&self) -> FamilyId {
        FamilyId::TitanText
    }

    fn build_body(
        &self,
        conversation: &Conversation,
        params: &Parameters,
        _streaming: bool,
    ) -> Result<Value, ModelError> {
        let input = transcript(conversation, "User", "Bot", true)?;
        let mut config = Map::new();
        put_params(
            &mut config,
            params,
            ParamNames {
                max_tokens: Some("maxTokenCount"),
                temperature: Some("temperature"),
                top_p: Some("topP"),
                top_k: None,
                stop: Some("stopSequences"),
            },
        );
        let mut body = json!({ "inputText": input });
        if !config.is_empty() {
            body["textGenerationConfig"] = Value::Object(config);
        }
        Ok(body)
    }

    fn parse_response(&self, body: &[u8]) -> Result<Completion, ModelError> {
        let value = parse(body)?;
        let results = value
            .get("results")
            .and_then(Value::as_array)
            .ok_or_else(|| ModelError::Response("no `results` in the Titan response".into()))?;
        let text = results
            .first()
            .and_then(|r| r.get("outputText"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        Ok(Completion {
            text,
            stop_reason: string_at(&value, "/results/0/completionReason"),
            usage: Usage {
                input_tokens: count_at(&value, "/inputTextTokenCount"),
                output_tokens: count_at(&value, "/results/0/tokenCount"),
                ..Usage::default()
            },
            ..Completion::default()
        })
    }

    fn parse_chunk(&self, chunk: &[u8]) -> Result<ChunkDelta, ModelError> {
        let value = parse(chunk)?;
        let mut delta = delta_with_metrics(&value);
        delta.text = string_at(&value, "/outputText").unwrap_or_default();
        delta.stop_reason = string_at(&value, "/completionReason");
        delta.usage = Usage {
            input_tokens: count_at(&value, "/inputTextTokenCount"),
            output_tokens: count_at(&value, "/totalOutputTextTokenCount"),
            ..Usage::default()
        };
        Ok(delta)
    }
}
