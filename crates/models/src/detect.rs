//! Tells a model family by the shape of its JSON: a request body (a verbatim `--body`), a
//! non-streamed answer, or one stream chunk. Used when the model id does not reveal the format
//! (application inference profiles, provisioned and imported models) and as a check that an
//! answer is read by the family that wrote it.
//!
//! Only members that one family alone uses decide; a body that could be several families'
//! (`{"prompt": "…"}` alone) tells nothing, and the caller keeps what the id says.

use super::{FamilyId, StreamDecoder};
use serde_json::Value;

/// Families whose answers are read by the same code, so reading one as another loses nothing.
fn reader_group(family: FamilyId) -> u8 {
    match family {
        FamilyId::Llama2 | FamilyId::Llama3 | FamilyId::Llama4 => 1,
        FamilyId::MistralChat | FamilyId::Ai21Jamba | FamilyId::OpenAi => 2,
        // Converse's reader reads Nova's answers (the same shapes, and more).
        FamilyId::Nova | FamilyId::Converse => 3,
        // Every other family has a reader of its own.
        other => 100 + other as u8,
    }
}

/// Whether an answer of `written` is read correctly by the reader of `reader`.
pub fn reads_alike(reader: FamilyId, written: FamilyId) -> bool {
    reader_group(reader) == reader_group(written)
}

fn has(value: &Value, key: &str) -> bool {
    value.get(key).is_some()
}

fn str_of<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

/// The family whose request body this is, when its members tell.
pub fn of_request(body: &Value) -> Option<FamilyId> {
    let prompt = str_of(body, "prompt");
    let template = |marker: &str| prompt.is_some_and(|p| p.contains(marker));
    Some(if has(body, "anthropic_version") {
        FamilyId::Anthropic
    } else if has(body, "max_tokens_to_sample") {
        FamilyId::AnthropicText
    } else if has(body, "textGenerationConfig") {
        FamilyId::TitanText
    } else if has(body, "inputText")
        && (has(body, "dimensions") || has(body, "normalize") || has(body, "embeddingTypes"))
    {
        FamilyId::TitanEmbed
    } else if has(body, "inputText") {
        // Titan Text and Titan Embeddings both take `{"inputText": …}` alone.
        return None;
    } else if has(body, "inferenceConfig")
        || has(body, "schemaVersion")
        || has(body, "toolConfig")
        || first_message_has_content_blocks(body)
    {
        FamilyId::Nova
    } else if has(body, "taskType") {
        FamilyId::TitanImage
    } else if has(body, "text_prompts") {
        FamilyId::StabilitySdxl
    } else if has(body, "texts") && has(body, "input_type") {
        FamilyId::CohereEmbed
    } else if has(body, "message") && !has(body, "messages") {
        FamilyId::CohereR
    } else if has(body, "maxTokens") || has(body, "countPenalty") {
        FamilyId::Ai21J2
    } else if has(body, "max_gen_len") {
        if template("<|start_header_id|>") || template("<|begin_of_text|>") {
            FamilyId::Llama3
        } else if template("<|header_start|>") {
            FamilyId::Llama4
        } else {
            FamilyId::Llama2
        }
    } else if template("\u{ff5c}User\u{ff5c}") || template("\u{ff5c}Assistant\u{ff5c}") {
        FamilyId::DeepSeek
    } else if template("\n\nHuman:") {
        FamilyId::AnthropicText
    } else if has(body, "num_generations") || has(body, "return_likelihoods") {
        FamilyId::Cohere
    } else if has(body, "max_completion_tokens") || has(body, "stream_options") {
        FamilyId::OpenAi
    } else if template("[INST]") {
        FamilyId::Mistral
    } else {
        return None;
    })
}

/// Nova's messages carry content as a list of blocks (`[{"text": …}]`) without a `type`.
fn first_message_has_content_blocks(body: &Value) -> bool {
    body.pointer("/messages/0/content/0")
        .and_then(Value::as_object)
        .is_some_and(|block| !block.contains_key("type") && block.contains_key("text"))
}

/// The family whose non-streamed answer this is, when its members tell.
pub fn of_response(body: &Value) -> Option<FamilyId> {
    Some(match str_of(body, "type") {
        Some("message") => FamilyId::Anthropic,
        Some("completion") => FamilyId::AnthropicText,
        _ if has(body, "completion") => FamilyId::AnthropicText,
        _ if body.pointer("/results/0/outputText").is_some() => FamilyId::TitanText,
        _ if body.pointer("/output/message").is_some() => FamilyId::Nova,
        _ if has(body, "generation") => FamilyId::Llama3,
        _ if body.pointer("/outputs/0/text").is_some() => FamilyId::Mistral,
        _ if body.pointer("/choices/0/message").is_some() => FamilyId::OpenAi,
        _ if body.pointer("/choices/0/text").is_some() => FamilyId::DeepSeek,
        _ if has(body, "generations") => FamilyId::Cohere,
        _ if has(body, "generation_id") || has(body, "chat_history") => FamilyId::CohereR,
        _ if body.pointer("/completions/0/data").is_some() => FamilyId::Ai21J2,
        _ if has(body, "embedding") || has(body, "embeddingsByType") => FamilyId::TitanEmbed,
        _ if has(body, "embeddings") => FamilyId::CohereEmbed,
        _ if has(body, "artifacts") => FamilyId::StabilitySdxl,
        _ if has(body, "images") && has(body, "finish_reasons") => FamilyId::StabilityImage,
        _ if has(body, "images") => FamilyId::TitanImage,
        _ => return None,
    })
}

/// Claude Messages stream event types.
const CLAUDE_EVENTS: &[&str] = &[
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
    "ping",
];

/// Nova stream event members.
const NOVA_EVENTS: &[&str] = &[
    "messageStart",
    "contentBlockStart",
    "contentBlockDelta",
    "contentBlockStop",
    "messageStop",
    "metadata",
];

/// The family whose stream chunk this is, when its members tell.
pub fn of_chunk(chunk: &Value) -> Option<FamilyId> {
    if str_of(chunk, "type").is_some_and(|t| CLAUDE_EVENTS.contains(&t)) {
        return Some(FamilyId::Anthropic);
    }
    if NOVA_EVENTS.iter().any(|key| has(chunk, key)) {
        return Some(FamilyId::Nova);
    }
    Some(if has(chunk, "completion") {
        FamilyId::AnthropicText
    } else if has(chunk, "outputText") || has(chunk, "completionReason") {
        FamilyId::TitanText
    } else if has(chunk, "generation") {
        FamilyId::Llama3
    } else if chunk.pointer("/outputs/0").is_some() {
        FamilyId::Mistral
    } else if chunk.pointer("/choices/0/delta").is_some()
        || chunk.pointer("/choices/0/message").is_some()
    {
        FamilyId::OpenAi
    } else if chunk.pointer("/choices/0/text").is_some() {
        FamilyId::DeepSeek
    } else if has(chunk, "event_type") {
        FamilyId::CohereR
    } else if has(chunk, "is_finished") || has(chunk, "generations") {
        FamilyId::Cohere
    } else {
        return None;
    })
}

/// The family that can read this first stream chunk, when its members tell one and that
/// family's reader takes it (a Claude-looking `{"type":"message_delta","message":false}` tells
/// nothing: no reader would take it).
pub fn reader_of_chunk(chunk: &[u8]) -> Option<FamilyId> {
    let family = json_object(chunk).and_then(|v| of_chunk(&v))?;
    StreamDecoder::new(family)
        .decode(chunk)
        .is_ok()
        .then_some(family)
}

/// Parses JSON bytes for the detectors; anything that is not a JSON object tells nothing.
pub fn json_object(bytes: &[u8]) -> Option<Value> {
    serde_json::from_slice::<Value>(bytes)
        .ok()
        .filter(Value::is_object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Conversation, Parameters};
    use serde_json::json;

    #[test]
    fn every_family_built_body_is_told_apart_from_the_others() {
        let conversation = Conversation::single("Hello");
        let params = Parameters {
            max_tokens: Some(100),
            ..Parameters::default()
        };
        for family in FamilyId::ALL {
            let body = family
                .adapter()
                .build_body(&conversation, &params, family.streams())
                .unwrap();
            let told = of_request(&body);
            // Jamba, Mistral chat and OpenAI are the same shape without their stream members;
            // their answers read alike, which is what matters.
            let alike = told.is_some_and(|t| reads_alike(t, *family));
            let ambiguous = matches!(
                family,
                FamilyId::Ai21Jamba | FamilyId::MistralChat | FamilyId::StabilityImage
            ) || (matches!(family, FamilyId::Cohere | FamilyId::TitanEmbed)
                && told.is_none());
            assert!(alike || ambiguous, "{family}: {body} told as {told:?}");
        }
    }

    #[test]
    fn answers_and_chunks_are_told_by_their_members() {
        assert_eq!(
            of_response(
                &json!({"type":"completion","completion":"hi","stop_reason":"stop_sequence"})
            ),
            Some(FamilyId::AnthropicText)
        );
        assert_eq!(
            of_response(&json!({"type":"message","content":[]})),
            Some(FamilyId::Anthropic)
        );
        assert_eq!(
            of_chunk(&json!({"completion":" Hi","stop_reason":null})),
            Some(FamilyId::AnthropicText)
        );
        assert_eq!(
            of_chunk(&json!({"type":"message_start","message":{}})),
            Some(FamilyId::Anthropic)
        );
        assert_eq!(
            of_chunk(&json!({"contentBlockDelta":{"delta":{"text":"x"}}})),
            Some(FamilyId::Nova)
        );
        assert_eq!(of_chunk(&json!({"something":"else"})), None);
        let unreadable = br#"{"type":"message_delta","message":false}"#;
        assert_eq!(
            of_chunk(&json!({"type":"message_delta","message":false})),
            Some(FamilyId::Anthropic)
        );
        assert_eq!(reader_of_chunk(unreadable), None);
        assert_eq!(
            reader_of_chunk(br#"{"type":"message_delta","delta":{"stop_reason":"end_turn"}}"#),
            Some(FamilyId::Anthropic)
        );
        assert!(reads_alike(FamilyId::OpenAi, FamilyId::Ai21Jamba));
        assert!(!reads_alike(FamilyId::Anthropic, FamilyId::AnthropicText));
    }
}
