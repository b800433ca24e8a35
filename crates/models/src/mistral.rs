//! Mistral and Mixtral text completion: a `<s>[INST] … [/INST]` prompt; text in
//! `outputs[0].text`, whole and per chunk. (Mistral Large 2407 and Pixtral use the chat format
//! in `chat_completions`.)

use super::turns::{
    ParamNames, body_with, delta_with_metrics, history_and_last, parse, string_at, system,
};
use super::{
    ChunkDelta, Completion, Conversation, FamilyId, ModelError, ModelFamily, Parameters, Role,
};
use serde_json::{Value, json};

/// The Mistral text-completion adapter.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MistralText;

/// Renders `<s>[INST] q1 [/INST] a1</s> [INST] q2 [/INST]`; a system prompt is put before the
/// first question, as the template has no system role.
pub(crate) fn render_prompt(conversation: &Conversation) -> Result<String, ModelError> {
    let (history, last) = history_and_last(conversation)?;
    let mut prompt = String::from("<s>");
    let mut first = true;
    let mut question = |prompt: &mut String, text: &str| {
        if !first {
            prompt.push(' ');
        }
        prompt.push_str("[INST] ");
        if let (true, Some(system)) = (first, system(conversation)) {
            prompt.push_str(system.trim());
            prompt.push_str("\n\n");
        }
        first = false;
        prompt.push_str(text.trim());
        prompt.push_str(" [/INST]");
    };
    for turn in &history {
        match turn.role {
            Role::User => question(&mut prompt, &turn.text),
            Role::Assistant => {
                prompt.push(' ');
                prompt.push_str(turn.text.trim());
                prompt.push_str("</s>");
            }
        }
    }
    question(&mut prompt, &last);
    Ok(prompt)
}

impl ModelFamily for MistralText {
    fn id(&self) -> FamilyId {
        FamilyId::Mistral
    }

    fn build_body(
        &self,
        conversation: &Conversation,
        params: &Parameters,
        _streaming: bool,
    ) -> Result<Value, ModelError> {
        Ok(body_with(
            "prompt",
            json!(render_prompt(conversation)?),
            params,
            ParamNames {
                max_tokens: Some("max_tokens"),
                temperature: Some("temperature"),
                top_p: Some("top_p"),
                top_k: Some("top_k"),
                stop: Some("stop"),
            },
        ))
    }

    fn parse_response(&self, body: &[u8]) -> Result<Completion, ModelError> {
        let value = parse(body)?;
        // The one space the model writes after `[/INST]` is not part of the answer.
        let text = string_at(&value, "/outputs/0/text")
            .map(|t| t.strip_prefix(' ').map_or(t.clone(), str::to_string))
            .ok_or_else(|| {
                ModelError::Response("no `outputs[0].text` in the Mistral response".into())
            })?;
        Ok(Completion {
            text,
            stop_reason: string_at(&value, "/outputs/0/stop_reason"),
            ..Completion::default()
        })
    }

    fn parse_chunk(&self, chunk: &[u8]) -> Result<ChunkDelta, ModelError> {
        let value = parse(chunk)?;
        let mut delta = delta_with_metrics(&value);
        delta.text = string_at(&value, "/outputs/0/text").unwrap_or_default();
        delta.stop_reason = string_at(&value, "/outputs/0/stop_reason");
        Ok(delta)
    }
}
