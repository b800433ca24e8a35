//! One stream's chunks decoded in order by their family, with what carries across chunks: the
//! split of inline reasoning at `</think>`, whether the family's last event has come (or a
//! guardrail ended the answer: a stream whose last chunk says `INTERVENED` is whole, without
//! the family's stop reason or metrics, as Bedrock sends a blocked answer), and the
//! one space Mistral's text completion puts before its answer (dropped from the text shown and
//! saved; the frames keep it).

use super::{ChunkDelta, FamilyId, ModelError, reasoning};

/// Decodes the chunks of one stream, carrying what a family needs across chunks (the split of
/// inline reasoning at `</think>`).
#[derive(Debug)]
pub struct StreamDecoder {
    family: FamilyId,
    think: Option<reasoning::ThinkSplitter>,
    ended: bool,
    /// The last chunk carried a guardrail's intervention.
    intervened: bool,
    /// Some text has been given out.
    texted: bool,
    /// Tools were offered to a family that writes calls as text: held back until the end.
    tool_text: Option<super::tool_text::ToolText>,
}

impl StreamDecoder {
    /// A decoder for one stream of `family`.
    pub fn new(family: FamilyId) -> Self {
        StreamDecoder {
            family,
            think: family
                .reasoning_inline()
                .then(reasoning::ThinkSplitter::default),
            ended: false,
            intervened: false,
            texted: false,
            tool_text: None,
        }
    }

    /// The same, reading an answer that is wholly tool calls written as text as calls.
    #[must_use]
    pub fn with_calls_as_text(mut self, on: bool) -> Self {
        self.tool_text = on.then(super::tool_text::ToolText::default);
        self
    }

    /// Whether the family's last event has arrived, or the last chunk was a guardrail's
    /// intervention: a stream that ends cleanly before either is incomplete.
    pub fn ended(&self) -> bool {
        self.ended || self.intervened
    }

    /// Decodes one chunk.
    pub fn decode(&mut self, chunk: &[u8]) -> Result<ChunkDelta, ModelError> {
        let adapter = self.family.adapter();
        let mut delta = adapter.parse_chunk(chunk)?;
        if let Some(guardrail) = super::guardrail::read(chunk) {
            delta.guardrail = Some(Box::new(guardrail));
        }
        self.intervened = delta.guardrail.as_ref().is_some_and(|g| g.intervened());
        delta.ended |= delta.metrics.is_some()
            || (delta.stop_reason.is_some() && !adapter.stop_reason_before_end());
        self.ended |= delta.ended;
        if let Some(think) = &mut self.think {
            let (reasoning, text) = think.push(&delta.text);
            delta.reasoning.push_str(&reasoning);
            delta.text = text;
        }
        if let Some(tool_text) = &mut self.tool_text {
            delta.text = tool_text.push(&delta.text);
        }
        if !self.texted && !delta.text.is_empty() {
            self.texted = true;
            if self.family == FamilyId::Mistral {
                let trimmed = delta.text.strip_prefix(' ').map(str::to_string);
                if let Some(rest) = trimmed {
                    delta.text = rest;
                }
            }
        }
        Ok(delta)
    }

    /// Whatever was held back at the end of the stream (a partial `</think>`).
    pub fn finish(&mut self) -> ChunkDelta {
        let mut delta = ChunkDelta::default();
        if let Some(think) = &mut self.think {
            let (reasoning, text) = think.finish();
            delta.reasoning = reasoning;
            delta.text = text;
        }
        if let Some(tool_text) = &mut self.tool_text {
            let (text, calls) = tool_text.finish();
            delta.text.push_str(&text);
            delta.tool_calls = calls;
        }
        delta
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chunk of each streaming family that carries text, as the family writes it.
    fn text_chunk(family: FamilyId) -> &'static str {
        match family {
            FamilyId::Anthropic => {
                r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Sorry"}}"#
            }
            FamilyId::AnthropicText => r#"{"completion":"Sorry","stop_reason":null}"#,
            FamilyId::TitanText => r#"{"outputText":"Sorry","index":0.0}"#,
            FamilyId::Nova => {
                r#"{"contentBlockDelta":{"delta":{"text":"Sorry"},"contentBlockIndex":0}}"#
            }
            FamilyId::Llama2 | FamilyId::Llama3 | FamilyId::Llama4 => {
                r#"{"generation":"Sorry","generation_token_count":1,"stop_reason":null}"#
            }
            FamilyId::Mistral => r#"{"outputs":[{"text":"Sorry","stop_reason":null}]}"#,
            FamilyId::Cohere => r#"{"text":"Sorry","is_finished":false}"#,
            FamilyId::CohereR => {
                r#"{"event_type":"text-generation","text":"Sorry","is_finished":false}"#
            }
            FamilyId::DeepSeek => r#"{"choices":[{"index":0,"text":"Sorry","stop_reason":null}]}"#,
            _ => r#"{"choices":[{"index":0,"delta":{"content":"Sorry"},"finish_reason":null}]}"#,
        }
    }

    #[test]
    fn a_stream_a_guardrail_ends_is_whole_in_every_family() {
        // Converse says an intervention by its stop reason and ends with `metadata` anyway.
        for &family in FamilyId::ALL
            .iter()
            .filter(|f| f.streams() && **f != FamilyId::Converse)
        {
            let mut chunk: serde_json::Value = serde_json::from_str(text_chunk(family)).unwrap();
            let mut decoder = StreamDecoder::new(family);
            let plain = decoder.decode(chunk.to_string().as_bytes()).unwrap();
            let said = format!("{}{}", plain.text, plain.reasoning);
            assert!(said.contains("Sorry"), "{family:?}: {plain:?}");
            assert!(!decoder.ended(), "{family:?}");
            chunk["amazon-bedrock-guardrailAction"] = "INTERVENED".into();
            let blocked = decoder.decode(chunk.to_string().as_bytes()).unwrap();
            assert!(blocked.guardrail.is_some(), "{family:?}");
            assert!(decoder.ended(), "{family:?}: a blocked answer is whole");
            // A chunk after it that is not the guardrail's leaves the answer open again.
            chunk["amazon-bedrock-guardrailAction"] = "NONE".into();
            decoder.decode(chunk.to_string().as_bytes()).unwrap();
            assert!(!decoder.ended(), "{family:?}");
        }
    }
}
