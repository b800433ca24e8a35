//! Embedding models (InvokeModel only): Titan Text Embeddings v1/v2 (`inputText` →
//! `embedding`) and Cohere Embed v3 (`texts` → `embeddings`, a list of vectors or, with
//! `embedding_types`, an object keyed by type). The input is the last user message.

use super::turns::{count_at, last_user_text, parse};
use super::{Completion, Conversation, FamilyId, ModelError, ModelFamily, Parameters, Usage};
use serde_json::{Value, json};

/// The Titan Text Embeddings adapter.
#[derive(Debug, Clone, Copy)]
pub struct TitanEmbed;

/// The Cohere Embed adapter.
#[derive(Debug, Clone, Copy)]
pub struct CohereEmbed;

fn vector(value: &Value) -> Option<Vec<f64>> {
    value.as_array()?.iter().map(Value::as_f64).collect()
}

impl ModelFamily for TitanEmbed {
    fn id(&self) -> FamilyId {
        FamilyId::TitanEmbed
    }

    fn build_body(
        &self,
        conversation: &Conversation,
        _params: &Parameters,
        _streaming: bool,
    ) -> Result<Value, ModelError> {
        // v1 takes `inputText` and nothing else; v2 defaults to 1024 normalized dimensions.
        Ok(json!({ "inputText": last_user_text(conversation)? }))
    }

    fn parse_response(&self, body: &[u8]) -> Result<Completion, ModelError> {
        let value = parse(body)?;
        let embedding = value
            .get("embedding")
            .or_else(|| value.pointer("/embeddingsByType/float"))
            .and_then(vector)
            .ok_or_else(|| ModelError::Response("no `embedding` in the Titan response".into()))?;
        Ok(Completion {
            embeddings: vec![embedding],
            usage: Usage {
                input_tokens: count_at(&value, "/inputTextTokenCount"),
                output_tokens: None,
                ..Usage::default()
            },
            ..Completion::default()
        })
    }
}

impl ModelFamily for CohereEmbed {
    fn id(&self) -> FamilyId {
        FamilyId::CohereEmbed
    }

    fn build_body(
        &self,
        conversation: &Conversation,
        _params: &Parameters,
        _streaming: bool,
    ) -> Result<Value, ModelError> {
        // An image to embed goes alone: Cohere takes `texts` or `images`, not both.
        let image = conversation
            .turns
            .iter()
            .rev()
            .find(|t| t.role == super::Role::User)
            .and_then(|t| t.attachments.first());
        if let Some(image) = image {
            return Ok(json!({
                "images": [image.data_uri()],
                "input_type": "image",
                "embedding_types": ["float"],
            }));
        }
        Ok(json!({
            "texts": [last_user_text(conversation)?],
            "input_type": "search_document",
        }))
    }

    fn parse_response(&self, body: &[u8]) -> Result<Completion, ModelError> {
        let value = parse(body)?;
        let vectors = match value.get("embeddings") {
            // `embeddings_floats`: a list of vectors.
            Some(Value::Array(list)) => list.iter().map(vector).collect::<Option<Vec<_>>>(),
            // `embeddings_by_type`: {"float": [[…]], "int8": [[…]], …}; floats preferred.
            Some(Value::Object(by_type)) => by_type
                .get("float")
                .or_else(|| by_type.values().next())
                .and_then(Value::as_array)
                .and_then(|list| list.iter().map(vector).collect::<Option<Vec<_>>>()),
            _ => None,
        }
        .ok_or_else(|| ModelError::Response("no `embeddings` in the Cohere response".into()))?;
        Ok(Completion {
            embeddings: vectors,
            ..Completion::default()
        })
    }
}
