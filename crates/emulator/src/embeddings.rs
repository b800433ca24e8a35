//! The emulator's embedding models: Titan Text Embeddings v1 (`inputText` only, 1536
//! dimensions) and v2 (`dimensions`, `normalize`, `embeddingTypes`), Cohere Embed v3
//! (`texts` or `images`, `input_type`, `embedding_types`) and v4 (by type, `output_dimension`,
//! 1536 dimensions by default, as recorded). Vectors are deterministic in the
//! text, so equal inputs embed equally.

use super::corpus::{estimate_tokens, seed_of};
use super::family::{Answer, EmulatedFamily, Prompt, Request, malformed, to_bytes};
use super::validate::{integer_in, object, optional_bool, optional_str, required_str, string_list};
use bedrock_tui_models::catalog::ModelInfo;
use serde_json::{Value, json};

/// Emulated Titan Text Embeddings.
pub struct TitanEmbed;

/// Emulated Cohere Embed.
pub struct CohereEmbed;

/// A deterministic vector for `text`, unit length when `normalize`.
fn vector(text: &str, dimensions: usize, normalize: bool) -> Vec<f64> {
    let mut state = seed_of(text) | 1;
    let mut values: Vec<f64> = (0..dimensions)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ((state >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        })
        .collect();
    let norm = values.iter().map(|v| v * v).sum::<f64>().sqrt();
    let scale = if normalize && norm > 0.0 {
        1.0 / norm
    } else {
        0.1
    };
    for v in &mut values {
        *v = (*v * scale * 1e8).round() / 1e8;
    }
    values
}

fn to_int8(values: &[f64]) -> Vec<i64> {
    values
        .iter()
        .map(|v| (v * 127.0).round().clamp(-128.0, 127.0) as i64)
        .collect()
}

fn to_binary(values: &[f64]) -> Vec<i64> {
    values
        .chunks(8)
        .map(|bits| {
            bits.iter()
                .fold(0i64, |acc, v| (acc << 1) | i64::from(*v > 0.0))
        })
        .collect()
}

impl EmulatedFamily for TitanEmbed {
    fn parse_request(&self, request: &Request<'_>) -> Result<Prompt, String> {
        let v1 = request.model.id.ends_with("-v1");
        let keys: &[&str] = if v1 {
            &["inputText"]
        } else {
            &["inputText", "dimensions", "normalize", "embeddingTypes"]
        };
        let object = object(request.body, keys)?;
        let text = required_str(object, "#", "inputText")?;
        if text.is_empty() {
            return Err(malformed("#/inputText: expected minLength: 1, actual: 0"));
        }
        let dimensions = match integer_in(object, "#", "dimensions", 0, 1024)? {
            None if v1 => 1536,
            None => 1024,
            Some(d @ (256 | 512 | 1024)) => d,
            Some(d) => {
                return Err(malformed(&format!(
                    "#/dimensions: {d} is not a valid enum value"
                )));
            }
        };
        let types = string_list(object, "#", "embeddingTypes", 2)?;
        if let Some(bad) = types
            .iter()
            .find(|t| !["float", "binary"].contains(&t.as_str()))
        {
            return Err(malformed(&format!(
                "#/embeddingTypes: {bad} is not a valid enum value"
            )));
        }
        let normalize = optional_bool(object, "#", "normalize")?.unwrap_or(true);
        Ok(Prompt {
            last_user_text: text.to_string(),
            input_tokens: estimate_tokens(text),
            max_tokens: 1,
            options: json!({"text": text, "dimensions": dimensions, "normalize": normalize,
                "types": types, "v1": v1}),
            ..Prompt::default()
        })
    }

    fn response_body(
        &self,
        _model: &ModelInfo,
        prompt: &Prompt,
        _answer: &Answer,
        _id: &str,
    ) -> Vec<u8> {
        let o = &prompt.options;
        let text = o["text"].as_str().unwrap_or_default();
        let dimensions = o["dimensions"].as_u64().unwrap_or(1024) as usize;
        let values = vector(text, dimensions, o["normalize"].as_bool().unwrap_or(true));
        if o["v1"].as_bool() == Some(true) {
            return to_bytes(
                &json!({"embedding": values, "inputTextTokenCount": prompt.input_tokens}),
            );
        }
        let mut by_type = json!({"float": values});
        if o["types"]
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t == "binary"))
        {
            by_type["binary"] = json!(to_binary(&values));
        }
        to_bytes(
            &json!({"embedding": values, "inputTextTokenCount": prompt.input_tokens,
            "embeddingsByType": by_type}),
        )
    }
}

const INPUT_TYPES: &[&str] = &[
    "search_document",
    "search_query",
    "classification",
    "clustering",
    "image",
];
const EMBEDDING_TYPES: &[&str] = &["float", "int8", "uint8", "binary", "ubinary"];

/// Embed v4's output sizes (`output_dimension`); 1536 when none is asked for.
const V4_DIMENSIONS: &[u64] = &[256, 512, 1024, 1536];

impl EmulatedFamily for CohereEmbed {
    fn parse_request(&self, request: &Request<'_>) -> Result<Prompt, String> {
        // Embed v4 answers by type (floats unless asked otherwise) and takes a size.
        let v4 = request.model.id.contains("embed-v4");
        let keys: &[&str] = if v4 {
            &[
                "texts",
                "images",
                "input_type",
                "truncate",
                "embedding_types",
                "output_dimension",
                "max_tokens",
            ]
        } else {
            &[
                "texts",
                "images",
                "input_type",
                "truncate",
                "embedding_types",
            ]
        };
        let object = object(request.body, keys)?;
        let dimensions = match object.get("output_dimension") {
            None => {
                if v4 {
                    1536
                } else {
                    1024
                }
            }
            Some(value) => value
                .as_u64()
                .filter(|d| V4_DIMENSIONS.contains(d))
                .ok_or_else(|| {
                    malformed("#/output_dimension: expected one of 256, 512, 1024, 1536")
                })?,
        };
        let texts = string_list(object, "#", "texts", 96)?;
        let images = string_list(object, "#", "images", 1)?;
        if texts.is_empty() == images.is_empty() {
            return Err("Exactly one of texts or images must be provided.".to_string());
        }
        let mut received = super::media::Received::default();
        for (i, image) in images.iter().enumerate() {
            let at = format!("#/images/{i}");
            let (mime, bytes) = super::media::data_uri(image).ok_or_else(|| {
                format!("{at}: images must be data URIs (data:image/png;base64,...)")
            })?;
            if bytes.len() > 5_000_000 {
                return Err(format!("{at}: the image is larger than 5 MB"));
            }
            received.take(
                request.model,
                &at,
                bedrock_tui_models::attachments::Kind::Image,
                &mime,
                &bytes,
            )?;
        }
        if let Some(long) = texts.iter().position(|t| t.chars().count() > 2048) {
            return Err(malformed(&format!(
                "#/texts/{long}: expected maxLength: 2048"
            )));
        }
        let input_type = required_str(object, "#", "input_type")?;
        if !INPUT_TYPES.contains(&input_type) {
            return Err(malformed(&format!(
                "#/input_type: {input_type} is not a valid enum value"
            )));
        }
        if let Some(t) = optional_str(object, "#", "truncate")?
            && !["NONE", "START", "END"].contains(&t)
        {
            return Err(malformed(&format!(
                "#/truncate: {t} is not a valid enum value"
            )));
        }
        let types = string_list(object, "#", "embedding_types", 5)?;
        if let Some(bad) = types
            .iter()
            .find(|t| !EMBEDDING_TYPES.contains(&t.as_str()))
        {
            return Err(malformed(&format!(
                "#/embedding_types: {bad} is not a valid enum value"
            )));
        }
        let inputs = if texts.is_empty() {
            images
        } else {
            texts.clone()
        };
        Ok(Prompt {
            last_user_text: inputs.concat(),
            input_tokens: inputs.iter().map(|t| estimate_tokens(t)).sum(),
            max_tokens: 1,
            options: json!({"inputs": inputs, "texts": texts, "types": types,
                "dimensions": dimensions, "by_type": v4}),
            received,
            ..Prompt::default()
        })
    }

    fn response_body(
        &self,
        _model: &ModelInfo,
        prompt: &Prompt,
        _answer: &Answer,
        request_id: &str,
    ) -> Vec<u8> {
        let o = &prompt.options;
        let vectors: Vec<Vec<f64>> = o["inputs"]
            .as_array()
            .map(|inputs| {
                inputs
                    .iter()
                    .map(|t| {
                        let size = o["dimensions"].as_u64().unwrap_or(1024) as usize;
                        vector(t.as_str().unwrap_or_default(), size, true)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut types: Vec<&str> = o["types"]
            .as_array()
            .map(|t| t.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if types.is_empty() && o["by_type"] == Value::Bool(true) {
            types.push("float");
        }
        let embeddings = if types.is_empty() {
            json!(vectors)
        } else {
            let mut by_type = serde_json::Map::new();
            for kind in types {
                let list: Vec<Value> = vectors
                    .iter()
                    .map(|v| match kind {
                        "float" => json!(v),
                        "int8" => json!(to_int8(v)),
                        "uint8" => json!(to_int8(v).iter().map(|x| x + 128).collect::<Vec<_>>()),
                        _ => json!(to_binary(v)),
                    })
                    .collect();
                by_type.insert(kind.to_string(), json!(list));
            }
            Value::Object(by_type)
        };
        let response_type = if embeddings.is_array() {
            "embeddings_floats"
        } else {
            "embeddings_by_type"
        };
        to_bytes(
            &json!({"embeddings": embeddings, "id": request_id, "response_type": response_type,
            "texts": o["texts"]}),
        )
    }
}
