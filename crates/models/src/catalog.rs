//! The model catalog embedded from `assets/models.json`: ids, families, capabilities, prices.

use super::{FamilyId, base_model_id};
use serde::Deserialize;
use std::sync::OnceLock;

/// Which inference parameters a model takes.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
pub struct ParamSupport {
    /// Accepts `temperature`.
    pub temperature: bool,
    /// Accepts `top_p`.
    pub top_p: bool,
    /// Accepts `top_k`.
    pub top_k: bool,
    /// Accepts stop sequences.
    #[serde(default = "yes")]
    pub stop_sequences: bool,
    /// Accepts `temperature` or `top_p` but not both (Claude Sonnet/Haiku/Opus 4.5).
    #[serde(default)]
    pub temperature_xor_top_p: bool,
    /// Highest temperature accepted.
    #[serde(default = "one")]
    pub max_temperature: f64,
}

fn yes() -> bool {
    true
}

fn one() -> f64 {
    1.0
}

/// On-demand price in USD per 1,000 tokens.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
pub struct Price {
    /// Per 1k input tokens.
    pub input: f64,
    /// Per 1k output tokens.
    pub output: f64,
    /// Per 1k prompt tokens read from the prompt cache.
    #[serde(default)]
    pub cache_read: Option<f64>,
    /// Per 1k prompt tokens written to the prompt cache.
    #[serde(default)]
    pub cache_write: Option<f64>,
}

/// How a model caches prompts.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
pub struct PromptCache {
    /// The shortest prefix a breakpoint caches, in tokens.
    pub min_tokens: u32,
    /// Breakpoints a request may have.
    pub points: u8,
}

/// One model of the catalog.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ModelInfo {
    /// Base model id.
    pub id: String,
    /// Request/response family.
    pub family: FamilyId,
    /// Display name.
    pub name: String,
    /// Provider name.
    pub provider: String,
    /// Whether InvokeModelWithResponseStream works.
    pub streaming: bool,
    /// Input modalities.
    pub input_modalities: Vec<String>,
    /// Output modalities.
    pub output_modalities: Vec<String>,
    /// Context window in tokens.
    pub context_window: u32,
    /// Largest `max_tokens`.
    pub max_output_tokens: u32,
    /// Must be called through an inference profile (`us.`, `global.`, …).
    pub inference_profile_required: bool,
    /// Parameters accepted.
    pub params: ParamSupport,
    /// Takes a reasoning budget (Claude extended thinking, Nova 2 reasoning).
    #[serde(default)]
    pub reasoning: bool,
    /// Other body formats the model also answers (Claude 2 takes Messages and Text
    /// Completions).
    #[serde(default)]
    pub also_accepts: Vec<FamilyId>,
    /// On-demand price, when known.
    #[serde(default)]
    pub price_per_1k: Option<Price>,
    /// Prompt caching, where the model has it.
    #[serde(default)]
    pub prompt_cache: Option<PromptCache>,
    /// Bedrock's `CountTokens` counts its requests (by the foundation-model id).
    #[serde(default)]
    pub count_tokens: bool,
}

#[derive(Debug, Deserialize)]
struct CatalogFile {
    default_model: String,
    models: Vec<ModelInfo>,
}

const CATALOG_JSON: &str = include_str!("../../../assets/models.json");

fn catalog_file() -> Option<&'static CatalogFile> {
    static CATALOG: OnceLock<Option<CatalogFile>> = OnceLock::new();
    // The file is embedded and checked by a test; should it ever not parse, the catalog is
    // empty rather than a panic.
    CATALOG
        .get_or_init(|| serde_json::from_str(CATALOG_JSON).ok())
        .as_ref()
}

/// Every model in the catalog.
pub fn models() -> &'static [ModelInfo] {
    catalog_file().map_or(&[], |c| c.models.as_slice())
}

/// The model used when none is configured.
pub fn default_model() -> &'static str {
    catalog_file().map_or("global.anthropic.claude-haiku-4-5-20251001-v1:0", |c| {
        c.default_model.as_str()
    })
}

/// The catalog entry of a model id, profile id or ARN. A custom model's base id with a
/// context suffix (`amazon.titan-text-express-v1:0:8k`) finds its base model.
pub fn lookup(model_id: &str) -> Option<&'static ModelInfo> {
    let base = base_model_id(model_id);
    let find = |id: &str| models().iter().find(|m| m.id == id);
    find(base).or_else(|| {
        let (stem, suffix) = base.rsplit_once(':')?;
        let is_context_suffix = suffix.ends_with('k')
            && suffix.len() > 1
            && suffix[..suffix.len() - 1]
                .bytes()
                .all(|b| b.is_ascii_digit());
        if !is_context_suffix {
            return None;
        }
        find(stem).or_else(|| find(stem.strip_suffix(":0")?))
    })
}

impl ModelInfo {
    /// Whether the model takes request bodies of `family` (its own or one it also accepts).
    pub fn takes(&self, family: FamilyId) -> bool {
        self.family == family || self.also_accepts.contains(&family)
    }
}

/// The catalog entry that describes `model_id` called with bodies of `family`: the one rule
/// by which every screen and command finds a model's limits, parameters and prices. An entry
/// whose model does not take that format is no description of the request.
pub fn entry_for(model_id: &str, family: FamilyId) -> Option<&'static ModelInfo> {
    lookup(model_id).filter(|m| m.takes(family))
}

/// A model's display name from the catalog, else the id itself.
pub fn display_name(model_id: &str) -> String {
    lookup(model_id).map_or_else(|| model_id.to_string(), |m| m.name.clone())
}

/// The names of these models, each once: one model asked under two ids (an inference profile
/// and its base model) is one name.
pub fn display_names(model_ids: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in model_ids.iter().map(|id| display_name(id)) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalog_parses() {
        let parsed: CatalogFile = serde_json::from_str(CATALOG_JSON).unwrap();
        assert!(!parsed.models.is_empty());
        assert!(lookup(&parsed.default_model).is_some());
        assert!(lookup("us.anthropic.claude-3-haiku-20240307-v1:0").is_some());
        assert!(lookup("anthropic.nope").is_none());
        assert!(entry_for("anthropic.claude-v2:1", FamilyId::AnthropicText).is_some());
        assert!(entry_for("anthropic.claude-v2:1", FamilyId::Nova).is_none());
        assert_eq!(display_name("anthropic.claude-v2:1"), "Claude 2.1");
        assert_eq!(display_name("custom.thing"), "custom.thing");
        assert_eq!(
            lookup("arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.titan-text-express-v1:0:8k/abc123")
                .map(|m| m.id.as_str()),
            Some("amazon.titan-text-express-v1")
        );
    }

    #[test]
    fn every_family_has_models_and_ids_are_unique() {
        let mut ids = std::collections::HashSet::new();
        for model in models() {
            assert!(ids.insert(model.id.as_str()), "{} twice", model.id);
            assert_eq!(
                crate::family_of(&model.id),
                Some(model.family),
                "{}",
                model.id
            );
            if model.family.output() == crate::OutputKind::Text {
                assert!(model.max_output_tokens > 0, "{}", model.id);
            }
            assert!(!model.streaming || model.family.streams(), "{}", model.id);
        }
        // Converse is a route every text model has, no model's own format.
        for family in FamilyId::ALL.iter().filter(|f| **f != FamilyId::Converse) {
            assert!(
                models().iter().any(|m| m.family == *family),
                "no model of {family}"
            );
        }
    }
}
