//! The family a model id speaks when the id reveals it (the catalog's entry, else the
//! provider's prefix). What the id names (base id, profile, ARN) is the grammar of
//! [`crate::model_id`].

use super::{FamilyId, catalog};
pub use crate::model_id::{base_model_id, parse_model_ref};

/// The family of a model id, when the id reveals it: the catalog's entry, else the provider
/// prefix of the base id.
pub fn family_of(model_id: &str) -> Option<FamilyId> {
    let base = parse_model_ref(model_id).base?;
    if let Some(model) = catalog::lookup(base) {
        return Some(model.family);
    }
    family_by_prefix(base)
}

/// The family of a base model id that is not in the catalog, by its provider and name.
fn family_by_prefix(base: &str) -> Option<FamilyId> {
    const PREFIXES: &[(&str, FamilyId)] = &[
        ("anthropic.claude-instant", FamilyId::AnthropicText),
        ("anthropic.claude-v1", FamilyId::AnthropicText),
        ("anthropic.claude-v2", FamilyId::AnthropicText),
        ("anthropic.claude", FamilyId::Anthropic),
        ("amazon.titan-text", FamilyId::TitanText),
        ("amazon.titan-tg1", FamilyId::TitanText),
        ("amazon.titan-embed", FamilyId::TitanEmbed),
        ("amazon.titan-image", FamilyId::TitanImage),
        ("amazon.nova-canvas", FamilyId::TitanImage),
        ("amazon.nova", FamilyId::Nova),
        ("meta.llama2", FamilyId::Llama2),
        ("meta.llama3", FamilyId::Llama3),
        ("meta.llama4", FamilyId::Llama4),
        ("mistral.mistral-large-2407", FamilyId::MistralChat),
        ("mistral.pixtral", FamilyId::MistralChat),
        ("mistral.", FamilyId::Mistral),
        ("cohere.command-r", FamilyId::CohereR),
        ("cohere.command", FamilyId::Cohere),
        ("cohere.embed", FamilyId::CohereEmbed),
        ("ai21.j2", FamilyId::Ai21J2),
        ("ai21.jamba", FamilyId::Ai21Jamba),
        ("deepseek.r1", FamilyId::DeepSeek),
        ("openai.", FamilyId::OpenAi),
        ("stability.stable-diffusion-xl", FamilyId::StabilitySdxl),
        ("stability.", FamilyId::StabilityImage),
    ];
    PREFIXES
        .iter()
        .find(|(prefix, _)| base.starts_with(prefix))
        .map(|(_, family)| *family)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_resolve_through_profiles_and_arns() {
        for id in [
            "anthropic.claude-3-haiku-20240307-v1:0",
            "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
            "global.anthropic.claude-haiku-4-5-20251001-v1:0",
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0",
        ] {
            assert_eq!(family_of(id), Some(FamilyId::Anthropic), "{id}");
        }
        for (id, family) in [
            ("meta.llama3-70b-instruct-v1:0", FamilyId::Llama3),
            ("us.meta.llama4-scout-17b-instruct-v1:0", FamilyId::Llama4),
            ("apac.amazon.nova-pro-v1:0", FamilyId::Nova),
            (
                "jp.anthropic.claude-sonnet-4-5-20250929-v1:0",
                FamilyId::Anthropic,
            ),
            (
                "au.anthropic.claude-sonnet-4-5-20250929-v1:0",
                FamilyId::Anthropic,
            ),
            ("ca.amazon.nova-lite-v1:0", FamilyId::Nova),
            ("anthropic.claude-instant-v1", FamilyId::AnthropicText),
            ("mistral.mistral-large-2407-v1:0", FamilyId::MistralChat),
            ("mistral.mistral-large-2402-v1:0", FamilyId::Mistral),
            ("cohere.command-r-plus-v1:0", FamilyId::CohereR),
            ("cohere.command-light-text-v14", FamilyId::Cohere),
            ("us.deepseek.r1-v1:0", FamilyId::DeepSeek),
            ("openai.gpt-oss-120b-1:0", FamilyId::OpenAi),
            ("amazon.titan-tg1-large", FamilyId::TitanText),
            ("amazon.nova-canvas-v1:0", FamilyId::TitanImage),
            // Not in the catalog: the provider prefix decides.
            ("meta.llama3-9-1b-instruct-v9:0", FamilyId::Llama3),
            ("ai21.jamba-2-0-v1:0", FamilyId::Ai21Jamba),
            (
                "arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.titan-text-express-v1:0:8k/abc123",
                FamilyId::TitanText,
            ),
        ] {
            assert_eq!(family_of(id), Some(family), "{id}");
        }
        // Opaque ARNs need the family stated.
        for id in [
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3",
            "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/xyz",
            "arn:aws:bedrock:us-east-1:123456789012:imported-model/abc",
            "unknown.vendor-model",
        ] {
            assert_eq!(family_of(id), None, "{id}");
        }
        let r = parse_model_ref(
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3",
        );
        assert!(r.through_profile);
        assert_eq!(r.arn_resource, Some("application-inference-profile"));
        assert!(parse_model_ref("global.anthropic.claude-haiku-4-5-20251001-v1:0").through_profile);
        assert!(!parse_model_ref("anthropic.claude-3-haiku-20240307-v1:0").through_profile);
    }
}
