//! DeepSeek-R1: the conversation in DeepSeek's chat template, ending `<｜Assistant｜><think>\n`
//! as AWS's example does; the output is reasoning up to `</think>`, then the answer. Text in
//! `choices[0].text`, whole and per chunk (the chunk shape is unverified against a recording).

use super::reasoning::split_whole;
use super::turns::{
    ParamNames, body_with, delta_with_metrics, history_and_last, parse, string_at, system,
};
use super::{
    ChunkDelta, Completion, Conversation, FamilyId, ModelError, ModelFamily, Parameters, Role,
};
use serde_json::{Value, json};

/// `<｜begin▁of▁sentence｜>` (U+FF5C bars, U+2581 space marks).
pub(crate) const BEGIN: &str = "<\u{ff5c}begin\u{2581}of\u{2581}sentence\u{ff5c}>";
/// `<｜end▁of▁sentence｜>`.
pub const END: &str = "<\u{ff5c}end\u{2581}of\u{2581}sentence\u{ff5c}>";
/// `<｜User｜>`.
pub const USER: &str = "<\u{ff5c}User\u{ff5c}>";
/// `<｜Assistant｜>`.
pub const ASSISTANT: &str = "<\u{ff5c}Assistant\u{ff5c}>";

/// The DeepSeek-R1 adapter.
#[derive(Debug, Clone, Copy)]
pub struct DeepSeek;

/// Renders `<｜begin▁of▁sentence｜>{system}<｜User｜>q1<｜Assistant｜>a1<｜end▁of▁sentence｜><｜User｜>q2<｜Assistant｜><think>\n`.
pub(crate) fn render_prompt(conversation: &Conversation) -> Result<String, ModelError> {
    let (history, last) = history_and_last(conversation)?;
    let mut prompt = String::from(BEGIN);
    if let Some(system) = system(conversation) {
        prompt.push_str(system.trim());
    }
    for turn in &history {
        match turn.role {
            Role::User => {
                prompt.push_str(USER);
                prompt.push_str(turn.text.trim());
            }
            Role::Assistant => {
                prompt.push_str(ASSISTANT);
                prompt.push_str(turn.text.trim());
                prompt.push_str(END);
            }
        }
    }
    prompt.push_str(USER);
    prompt.push_str(last.trim());
    prompt.push_str(ASSISTANT);
    prompt.push_str("<think>\n");
    Ok(prompt)
}

impl ModelFamily for DeepSeek {
    fn id(&self) -> FamilyId {
        FamilyId::DeepSeek
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
                top_k: None,
                stop: Some("stop"),
            },
        ))
    }

    fn parse_response(&self, body: &[u8]) -> Result<Completion, ModelError> {
        let value = parse(body)?;
        let raw = string_at(&value, "/choices/0/text").ok_or_else(|| {
            ModelError::Response("no `choices[0].text` in the DeepSeek response".into())
        })?;
        let (reasoning, text) = split_whole(&raw);
        Ok(Completion {
            text,
            reasoning,
            stop_reason: string_at(&value, "/choices/0/stop_reason"),
            ..Completion::default()
        })
    }

    /// The raw text; [`super::StreamDecoder`] splits the reasoning off across chunks.
    fn parse_chunk(&self, chunk: &[u8]) -> Result<ChunkDelta, ModelError> {
        let value = parse(chunk)?;
        let mut delta = delta_with_metrics(&value);
        delta.text = string_at(&value, "/choices/0/text").unwrap_or_default();
        delta.stop_reason = string_at(&value, "/choices/0/stop_reason");
        Ok(delta)
    }
}
