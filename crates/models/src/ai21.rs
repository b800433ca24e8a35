//! AI21 Jurassic-2 (`prompt`, `maxTokens`; text in `completions[0].data.text`; InvokeModel
//! only). Jamba speaks the chat format in `chat_completions`.

use super::turns::{ParamNames, body_with, parse, string_at, transcript};
use super::{Completion, Conversation, FamilyId, ModelError, ModelFamily, Parameters};
use serde_json::{Value, json};

/// The Jurassic-2 adapter.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Jurassic2;

impl ModelFamily for Jurassic2 {
    fn id(&self) -> FamilyId {
        FamilyId::Ai21J2
    }

    fn build_body(
        &self,
        conversation: &Conversation,
        params: &Parameters,
        _streaming: bool,
    ) -> Result<Value, ModelError> {
        Ok(body_with(
            "prompt",
            json!(transcript(conversation, "User", "Assistant", false)?),
            params,
            ParamNames {
                max_tokens: Some("maxTokens"),
                temperature: Some("temperature"),
                top_p: Some("topP"),
                top_k: None,
                stop: Some("stopSequences"),
            },
        ))
    }

    fn parse_response(&self, body: &[u8]) -> Result<Completion, ModelError> {
        let value = parse(body)?;
        let text = string_at(&value, "/completions/0/data/text").ok_or_else(|| {
            ModelError::Response("no `completions[0].data.text` in the Jurassic-2 response".into())
        })?;
        Ok(Completion {
            text,
            stop_reason: string_at(&value, "/completions/0/finishReason/reason"),
            ..Completion::default()
        })
    }
}
