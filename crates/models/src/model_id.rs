//! Model identifiers as Bedrock Runtime takes them: what a base model id, an inference-profile
//! id or an ARN names, as far as its text tells (the wire needs the base id for CountTokens;
//! the model families use it to tell the format).

/// The geography prefixes of system-defined inference profiles.
pub const PROFILE_PREFIXES: &[&str] = &[
    "us.", "eu.", "apac.", "jp.", "au.", "ca.", "global.", "us-gov.",
];

/// What a model identifier names, as far as its text tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelRef<'a> {
    /// The base model id (`anthropic.claude-…`), when the identifier reveals it.
    pub base: Option<&'a str>,
    /// The identifier is or names an inference profile (geography prefix or profile ARN).
    pub through_profile: bool,
    /// The ARN's resource type (`foundation-model`, `inference-profile`, …), for ARNs.
    pub arn_resource: Option<&'a str>,
}

impl ModelRef<'_> {
    /// Whether the identifier calls the base model on demand: a plain id or a foundation-model
    /// ARN (not a profile, nor a custom, provisioned or imported model).
    pub fn on_demand(&self) -> bool {
        !self.through_profile
            && self
                .arn_resource
                .is_none_or(|kind| kind == "foundation-model")
    }
}

/// Parses a model id, inference-profile id or ARN.
///
/// ARNs of foundation models, system inference profiles and custom models carry the base id;
/// application inference profiles, provisioned throughput and imported models are opaque
/// (`base` is `None`) and need the family stated by the user.
pub fn parse_model_ref(model_id: &str) -> ModelRef<'_> {
    if let Some(rest) = model_id.strip_prefix("arn:") {
        // arn:partition:service:region:account:resource-type/resource
        let resource = rest.splitn(5, ':').nth(4).unwrap_or("");
        let (kind, name) = resource.split_once('/').unwrap_or((resource, ""));
        let base = match kind {
            "foundation-model" => Some(name),
            "inference-profile" => Some(strip_profile_prefix(name).0),
            // custom-model/<base id>/<suffix>
            "custom-model" => name.rsplit_once('/').map(|(base, _)| base),
            _ => None,
        };
        let through_profile = matches!(kind, "inference-profile" | "application-inference-profile");
        return ModelRef {
            base: base.filter(|b| !b.is_empty()),
            through_profile,
            arn_resource: Some(kind),
        };
    }
    let (base, prefixed) = strip_profile_prefix(model_id);
    ModelRef {
        base: Some(base),
        through_profile: prefixed,
        arn_resource: None,
    }
}

fn strip_profile_prefix(id: &str) -> (&str, bool) {
    match PROFILE_PREFIXES.iter().find_map(|geo| id.strip_prefix(geo)) {
        Some(base) => (base, true),
        None => (id, false),
    }
}

/// The geography prefix of the system-defined inference profiles that serve `region` (`us.`
/// for `us-east-1`, `eu.` for `eu-west-3`, `apac.` for `ap-northeast-1`); `None` for a region of
/// no geography profile (the `global.` profiles then, which send a request anywhere, are the
/// user's choice, never made for them).
pub fn geography_prefix(region: &str) -> Option<&'static str> {
    let prefix = if region.starts_with("us-gov-") {
        "us-gov."
    } else if region.starts_with("us-") {
        "us."
    } else if region.starts_with("eu-") {
        "eu."
    } else if region.starts_with("ap-") {
        "apac."
    } else if region.starts_with("ca-") {
        "ca."
    } else {
        return None;
    };
    Some(prefix)
}

/// Whether the identifier names a provider's model (`provider.model…`, through a profile or an
/// ARN that carries it): such a model can be reached through Converse even when its native body
/// is not known. Opaque ARNs and bare words do not.
pub fn names_a_provider_model(model_id: &str) -> bool {
    parse_model_ref(model_id).base.is_some_and(|base| {
        base.split_once('.')
            .is_some_and(|(p, m)| !p.is_empty() && !m.is_empty())
    })
}

/// Strips an inference-profile geography prefix and an ARN to the base model id:
/// `us.anthropic.claude-…` and
/// `arn:aws:bedrock:…:inference-profile/eu.anthropic.claude-…` give `anthropic.claude-…`.
/// Opaque ARNs come back unchanged.
pub fn base_model_id(model_id: &str) -> &str {
    parse_model_ref(model_id).base.unwrap_or(model_id)
}
