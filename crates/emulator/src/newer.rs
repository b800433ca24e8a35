//! Models the emulator serves that bedrock-tui's catalog does not know: what Bedrock started
//! serving after the catalog was written (a newer Claude, and providers with no native request
//! body documented: Qwen3, DeepSeek V3.1, Devstral 2). They test the client's way to a model it
//! has no entry for: a known provider's native body, else Converse. The ones of an unknown
//! format are served through Converse only.

use bedrock_tui_models::catalog::{ModelInfo, lookup};
use bedrock_tui_models::{FamilyId, base_model_id};
use std::sync::OnceLock;

/// A model made from a catalog entry: `(id, name, provider, family, template id)`.
type Newer = (
    &'static str,
    &'static str,
    &'static str,
    FamilyId,
    &'static str,
);

const NEWER: &[Newer] = &[
    (
        "anthropic.claude-sonnet-5",
        "Claude Sonnet 5",
        "Anthropic",
        FamilyId::Anthropic,
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
    ),
    (
        "qwen.qwen3-32b-v1:0",
        "Qwen3 32B",
        "Qwen",
        FamilyId::Converse,
        "mistral.mistral-large-2407-v1:0",
    ),
    (
        "deepseek.v3-v1:0",
        "DeepSeek V3.1",
        "DeepSeek",
        FamilyId::Converse,
        "mistral.mistral-large-2407-v1:0",
    ),
    (
        "mistral.devstral-2-123b",
        "Devstral 2 123B",
        "Mistral AI",
        FamilyId::Converse,
        "mistral.mistral-large-2407-v1:0",
    ),
];

/// The newer models, built once.
pub fn models() -> &'static [ModelInfo] {
    static MODELS: OnceLock<Vec<ModelInfo>> = OnceLock::new();
    MODELS.get_or_init(|| {
        NEWER
            .iter()
            .filter_map(|(id, name, provider, family, template)| {
                let mut model = lookup(template)?.clone();
                model.id = (*id).to_string();
                model.name = (*name).to_string();
                model.provider = (*provider).to_string();
                model.family = *family;
                model.also_accepts.clear();
                model.price_per_1k = None;
                model.prompt_cache = None;
                model.count_tokens = false;
                // Served on demand by its bare id, as recorded for Devstral 2; the Claude one
                // only through a profile, as Claude's newer models are.
                model.inference_profile_required = *family == FamilyId::Anthropic;
                Some(model)
            })
            .collect()
    })
}

/// Every model the emulator serves: the catalog's, then the newer ones.
pub fn all() -> impl Iterator<Item = &'static ModelInfo> {
    bedrock_tui_models::catalog::models().iter().chain(models())
}

/// A model the emulator serves: the catalog's, else a newer one.
pub fn served(model_id: &str) -> Option<&'static ModelInfo> {
    lookup(model_id).or_else(|| {
        let base = base_model_id(model_id);
        models().iter().find(|m| m.id == base)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_newer_model_is_built_and_unknown_to_the_catalog() {
        assert_eq!(models().len(), NEWER.len());
        for model in models() {
            assert!(
                lookup(&model.id).is_none(),
                "{} is in the catalog now",
                model.id
            );
            assert_eq!(served(&format!("us.{}", model.id)), Some(model));
        }
    }
}
