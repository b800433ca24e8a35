//! One stream's chunks decoded in order by their family, with what carries across chunks: the
//! split of inline reasoning at `</think>`, whether the family's last event has come, and the
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
            texted: false,
            tool_text: None,
        }
    }

    /// The same, reading an answer that is wholly tool calls written as text as calls.
    pub(crate) fn with_calls_as_text(mut self, on: bool) -> Self {
        self.tool_text = on.then(super::tool_text::ToolText::default);
        self
    }

    /// Whether the family's last event has arrived: a stream that ends cleanly before it is
    /// incomplete.
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// Decodes one chunk.
    pub fn decode(&mut self, chunk: &[u8]) -> Result<ChunkDelta, ModelError> {
        let adapter = self.family.adapter();
        let mut delta = adapter.parse_chunk(chunk)?;
        delta.guardrail = super::guardrail::read(chunk).map(Box::new);
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
