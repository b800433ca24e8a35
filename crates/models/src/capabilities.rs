//! The capability table applied before a request is sent: parameters a model does not take are
//! dropped (with a note), impossible combinations are refused with a clear message instead of a
//! round trip to a 400, `max_tokens` is clamped, and invoke-only models are not streamed.

use super::catalog::ModelInfo;
use super::{FamilyId, OutputKind, Parameters};

/// `max_tokens` when the user sets none, before clamping to the model's limit.
pub(crate) const DEFAULT_MAX_TOKENS: u32 = 4096;
/// Smallest Claude thinking budget.
pub(crate) const MIN_THINKING_BUDGET: u32 = 1024;

/// What the checks changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Adjusted {
    /// One note per change, for the user.
    pub notes: Vec<super::note::Note>,
    /// Whether to stream (false when the model cannot).
    pub stream: bool,
}

/// A request the model cannot take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// Applies the capabilities of `model` (when the catalog knows it) and of `family` to `params`
/// and the wish to stream.
pub fn apply(
    model: Option<&ModelInfo>,
    family: FamilyId,
    params: &mut Parameters,
    stream: bool,
) -> Result<Adjusted, Refused> {
    let mut adjusted = Adjusted {
        notes: Vec::new(),
        stream,
    };
    let name = model.map_or(family.name(), |m| m.name.as_str());
    if stream && !model.map_or(family.streams(), |m| m.streaming) {
        adjusted.stream = false;
        if family.output() == OutputKind::Text {
            adjusted.notes.push(super::note::Note::new(
                "no stream",
                format!("{name} does not stream; the answer comes whole"),
            ));
        }
    }
    if family.output() != OutputKind::Text {
        return Ok(adjusted);
    }
    if params.max_tokens == Some(0) {
        return Err(Refused("max tokens must be at least 1".to_string()));
    }
    if let Some(p) = params.top_p
        && !(0.0..=1.0).contains(&p)
    {
        return Err(Refused(format!("top_p must be from 0 to 1, not {p}")));
    }
    if let Some(t) = params.temperature.filter(|t| *t < 0.0 || t.is_nan()) {
        return Err(Refused(format!("the temperature cannot be {t}")));
    }
    let Some(model) = model else {
        return Ok(adjusted);
    };
    let support = &model.params;
    if let Some(t) = params.temperature
        && !(0.0..=support.max_temperature).contains(&t)
    {
        return Err(Refused(format!(
            "{name} takes a temperature from 0 to {}, not {t}",
            support.max_temperature
        )));
    }
    let mut drop = |set: bool, supported: bool, what: &str| {
        if set && !supported {
            adjusted.notes.push(super::note::Note::new(
                format!("left out {what}"),
                format!("{name} does not take {what}; left out"),
            ));
            true
        } else {
            false
        }
    };
    if drop(
        params.temperature.is_some(),
        support.temperature,
        "temperature",
    ) {
        params.temperature = None;
    }
    if drop(params.top_p.is_some(), support.top_p, "top_p") {
        params.top_p = None;
    }
    if drop(params.top_k.is_some(), support.top_k, "top_k") {
        params.top_k = None;
    }
    if drop(
        !params.stop_sequences.is_empty(),
        support.stop_sequences,
        "stop sequences",
    ) {
        params.stop_sequences.clear();
    }
    if support.temperature_xor_top_p && params.temperature.is_some() && params.top_p.is_some() {
        return Err(Refused(format!(
            "{name} takes temperature or top_p, not both; set only one"
        )));
    }
    let limit = model.max_output_tokens.max(1);
    match params.max_tokens {
        Some(n) if n > limit => {
            adjusted.notes.push(super::note::Note::new(
                "max tokens lowered",
                format!("{name} generates at most {limit} tokens; max tokens lowered from {n}"),
            ));
            params.max_tokens = Some(limit);
        }
        Some(_) => {}
        None => params.max_tokens = Some(DEFAULT_MAX_TOKENS.min(limit)),
    }
    if let Some(budget) = params.reasoning_budget {
        if !model.reasoning {
            return Err(Refused(format!("{name} has no reasoning budget to set")));
        }
        if family == FamilyId::Anthropic {
            if budget < MIN_THINKING_BUDGET {
                return Err(Refused(format!(
                    "the thinking budget must be at least {MIN_THINKING_BUDGET} tokens"
                )));
            }
            if params.temperature.is_some() || params.top_p.is_some() || params.top_k.is_some() {
                return Err(Refused(
                    "extended thinking cannot be combined with temperature, top_p or top_k"
                        .to_string(),
                ));
            }
            let max = params.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS);
            if budget >= max {
                return Err(Refused(format!(
                    "the thinking budget ({budget}) must be below max tokens ({max})"
                )));
            }
        }
    }
    Ok(adjusted)
}

/// The id to send a bare id of a model served through inference profiles only by: its profile
/// for the geography of `region` (`us.anthropic.claude-…` in `us-east-1`), with the note that
/// says so. `None` when the id needs no profile or the region has no geography profile.
pub fn through_profile(
    model_id: &str,
    model: &ModelInfo,
    region: &str,
) -> Option<(String, super::note::Note)> {
    let reference = super::parse_model_ref(model_id);
    // Only a bare id typed as such: an ARN names exactly what it means.
    if !model.inference_profile_required
        || !reference.on_demand()
        || reference.arn_resource.is_some()
    {
        return None;
    }
    let geography = super::model_id::geography_prefix(region)?;
    // The geographies every such model has a profile in, as Bedrock's inference-profile pages
    // list them: the US for all; Europe and Asia Pacific for Claude and Nova. Elsewhere the
    // hint says which profiles to try.
    let served = match geography {
        "us." => true,
        "eu." | "apac." => matches!(model.family, FamilyId::Anthropic | FamilyId::Nova),
        _ => false,
    };
    if !served {
        return None;
    }
    let id = format!("{geography}{}", model.id);
    let note = super::note::Note::new(
        "inference profile",
        format!(
            "{} is served through inference profiles only: sent through {id}, its profile for the geography of {region}",
            model.name
        ),
    );
    Some((id, note))
}

/// A hint when a model that needs an inference profile is called by its bare id.
pub fn profile_hint(model_id: &str, model: &ModelInfo) -> Option<String> {
    (model.inference_profile_required && super::parse_model_ref(model_id).on_demand()).then(|| {
        format!(
            "{} is served through inference profiles only; try us.{} or global.{}",
            model.name, model.id, model.id
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::lookup;

    #[test]
    fn a_bare_id_served_through_profiles_only_goes_through_its_geography() {
        let sonnet = lookup("anthropic.claude-sonnet-4-5-20250929-v1:0").unwrap();
        let sent = |id: &str, region: &str| through_profile(id, sonnet, region).map(|(id, _)| id);
        assert_eq!(
            sent(&sonnet.id, "eu-west-3").as_deref(),
            Some("eu.anthropic.claude-sonnet-4-5-20250929-v1:0")
        );
        assert_eq!(
            sent(&sonnet.id, "ap-northeast-1").as_deref(),
            Some("apac.anthropic.claude-sonnet-4-5-20250929-v1:0")
        );
        // No rewrite where a profile is not known to exist, nor for an ARN.
        assert_eq!(sent(&sonnet.id, "us-gov-west-1"), None);
        assert_eq!(sent(&sonnet.id, "ca-central-1"), None);
        let llama = lookup("meta.llama3-2-11b-instruct-v1:0").unwrap();
        assert!(through_profile(&llama.id, llama, "eu-west-1").is_none());
        assert!(through_profile(&llama.id, llama, "us-west-2").is_some());
        let arn = format!("arn:aws:bedrock:us-east-1::foundation-model/{}", sonnet.id);
        assert_eq!(sent(&arn, "us-east-1"), None);
        // A profile already, a region of no geography profile, a model served on demand.
        assert_eq!(sent(&format!("global.{}", sonnet.id), "us-east-1"), None);
        assert_eq!(sent(&sonnet.id, "sa-east-1"), None);
        let haiku3 = lookup("anthropic.claude-3-haiku-20240307-v1:0").unwrap();
        assert!(through_profile(&haiku3.id, haiku3, "us-east-1").is_none());
        let (_, note) = through_profile(&sonnet.id, sonnet, "us-east-1").unwrap();
        assert!(
            note.text
                .contains("its profile for the geography of us-east-1"),
            "{note:?}"
        );
    }

    #[test]
    fn drops_clamps_and_refuses() {
        let llama = lookup("meta.llama3-70b-instruct-v1:0").unwrap();
        let mut p = Parameters {
            max_tokens: Some(99_999),
            top_k: Some(5),
            stop_sequences: vec!["x".into()],
            ..Parameters::default()
        };
        let adjusted = apply(Some(llama), llama.family, &mut p, true).unwrap();
        assert_eq!(p.max_tokens, Some(2048));
        assert_eq!((p.top_k, p.stop_sequences.len()), (None, 0));
        assert_eq!(adjusted.notes.len(), 3, "{:?}", adjusted.notes);
        // Three changes, three kinds: the chat says each (once a conversation).
        let kinds: std::collections::HashSet<&str> =
            adjusted.notes.iter().map(|n| n.kind.as_str()).collect();
        assert_eq!(kinds.len(), 3, "{:?}", adjusted.notes);
        assert!(adjusted.stream);

        let scout = lookup("meta.llama4-scout-17b-instruct-v1:0").unwrap();
        let adjusted = apply(Some(scout), scout.family, &mut Parameters::default(), true).unwrap();
        assert!(!adjusted.stream);

        let haiku = lookup("anthropic.claude-haiku-4-5-20251001-v1:0").unwrap();
        let mut both = Parameters {
            temperature: Some(0.5),
            top_p: Some(0.5),
            ..Parameters::default()
        };
        assert!(apply(Some(haiku), haiku.family, &mut both, true).is_err());
        let mut hot = Parameters {
            temperature: Some(1.5),
            ..Parameters::default()
        };
        assert!(apply(Some(haiku), haiku.family, &mut hot, true).is_err());
        let jamba = lookup("ai21.jamba-1-5-mini-v1:0").unwrap();
        assert!(apply(Some(jamba), jamba.family, &mut hot, true).is_ok());
        let mut cold = Parameters {
            temperature: Some(-1.0),
            ..Parameters::default()
        };
        assert!(apply(None, FamilyId::Llama3, &mut cold, true).is_err());
        let mut thinking = Parameters {
            max_tokens: Some(2000),
            reasoning_budget: Some(4000),
            ..Parameters::default()
        };
        assert!(apply(Some(haiku), haiku.family, &mut thinking, true).is_err());
        let old = lookup("anthropic.claude-3-haiku-20240307-v1:0").unwrap();
        thinking.reasoning_budget = Some(1024);
        assert!(apply(Some(old), old.family, &mut thinking, true).is_err());

        assert!(profile_hint("anthropic.claude-haiku-4-5-20251001-v1:0", haiku).is_some());
        assert!(profile_hint("eu.anthropic.claude-haiku-4-5-20251001-v1:0", haiku).is_none());
    }
}
