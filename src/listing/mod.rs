//! The model listing shared by the chat's picker and `bedrock-tui models`: the catalog's rows,
//! or what ListFoundationModels and ListInferenceProfiles report merged with the catalog's
//! families, limits and prices (kept on disk for a day: `cache`).

pub(crate) mod cache;

use crate::bedrock::{BedrockError, Client, control};
use crate::models::catalog::{self, ModelInfo};
use crate::models::{FamilyId, family_of};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One line of the listing.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Row {
    /// Model id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Provider.
    pub provider: String,
    /// Request format, when known.
    pub family: Option<FamilyId>,
    /// Streams (InvokeModelWithResponseStream).
    pub streaming: bool,
    /// Output modalities.
    pub output: Vec<String>,
    /// Context window in tokens.
    pub context: Option<u32>,
    /// Largest max_tokens.
    pub max_output: Option<u32>,
    /// Needs an inference profile.
    pub profile_required: bool,
    /// Inference profiles of the model (remote listing).
    pub profiles: Vec<String>,
    /// USD per 1k input and output tokens.
    pub price: Option<(f64, f64)>,
    /// Known to the built-in catalog.
    pub in_catalog: bool,
    /// Where the model is in its lifecycle, when it is not plain `ACTIVE`.
    pub lifecycle: Option<Lifecycle>,
}

/// A model's lifecycle as ListFoundationModels reports it (`modelLifecycle`), when it is not
/// plain `ACTIVE`: `LEGACY` and the day it ends.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Lifecycle {
    /// `LEGACY` (or another status the service names).
    pub status: String,
    /// The day it stops being served (`endOfLifeTime`), `YYYY-MM-DD`.
    pub end_of_life: Option<String>,
}

impl Lifecycle {
    /// Read from a summary's `modelLifecycle`; `None` for `ACTIVE` or nothing readable. The
    /// status keeps only the characters an enum value has; a time is epoch seconds or an
    /// ISO 8601 string [unverified which one the service sends].
    pub(crate) fn read(value: &Value) -> Option<Lifecycle> {
        let status: String = value
            .get("status")
            .and_then(Value::as_str)?
            .chars()
            .filter(|c| c.is_ascii_alphabetic() || *c == '_')
            .take(32)
            .collect();
        if status.is_empty() || status == "ACTIVE" {
            return None;
        }
        let end_of_life = value.get("endOfLifeTime").and_then(|time| match time {
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().map(|f| f as i64))
                .and_then(|seconds| jiff::Timestamp::from_second(seconds).ok())
                .map(|t| t.strftime("%Y-%m-%d").to_string()),
            Value::String(text) => text
                .get(..10)
                .filter(|day| {
                    day.bytes().enumerate().all(|(i, b)| {
                        if i == 4 || i == 7 {
                            b == b'-'
                        } else {
                            b.is_ascii_digit()
                        }
                    })
                })
                .map(str::to_string),
            _ => None,
        });
        Some(Lifecycle {
            status,
            end_of_life,
        })
    }

    /// `legacy until 2027-03-01`, `legacy`.
    pub fn words(&self) -> String {
        let status = self.status.to_ascii_lowercase();
        match &self.end_of_life {
            Some(day) => format!("{status} until {day}"),
            None => status,
        }
    }
}

impl Row {
    /// The row of a catalog model.
    pub(crate) fn from_catalog(m: &ModelInfo) -> Row {
        Row {
            id: m.id.clone(),
            name: m.name.clone(),
            provider: m.provider.clone(),
            family: Some(m.family),
            streaming: m.streaming,
            output: m.output_modalities.clone(),
            context: Some(m.context_window),
            max_output: (m.max_output_tokens > 0).then_some(m.max_output_tokens),
            profile_required: m.inference_profile_required,
            profiles: Vec::new(),
            price: m.price_per_1k.map(|p| (p.input, p.output)),
            in_catalog: true,
            lifecycle: None,
        }
    }

    /// How the chat and `ask` reach the model: `invoke` (its native body), `converse` (a text
    /// model of a provider's whose native body is not known), or nothing (no way known).
    pub(crate) fn route(&self) -> Option<&'static str> {
        if self.family.is_some() {
            return Some("invoke");
        }
        (self.output.iter().any(|o| o.eq_ignore_ascii_case("TEXT"))
            && crate::models::model_id::names_a_provider_model(&self.id))
        .then_some("converse")
    }

    /// The row as JSON, for `models --json`.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "id": self.id, "name": self.name, "provider": self.provider,
            "family": self.family.map(FamilyId::name), "streaming": self.streaming,
            "output_modalities": self.output, "context_window": self.context,
            "max_output_tokens": self.max_output,
            "inference_profile_required": self.profile_required,
            "inference_profiles": self.profiles,
            "price_per_1k": self.price.map(|(i, o)| json!({"input": i, "output": o})),
            "price_per_1m": self.price.map(|(i, o)| json!({"input": i * 1000.0, "output": o * 1000.0})),
            "in_catalog": self.in_catalog,
            "route": self.route(),
            "lifecycle": self.lifecycle.as_ref().map(|l| json!({
                "status": l.status, "end_of_life": l.end_of_life})),
        })
    }
}

/// The strings of a JSON array (others skipped); empty for anything else.
pub(crate) fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Lists the region's models and profiles and merges them with the catalog.
pub(crate) async fn remote_rows(client: &Client) -> Result<Vec<Row>, BedrockError> {
    let summaries = control::list_foundation_models(client).await?;
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    for summary in &summaries {
        let Some(id) = summary.get("modelId").and_then(Value::as_str) else {
            continue;
        };
        let known = catalog::lookup(id).filter(|m| m.id == id);
        let mut row = match known {
            Some(m) => Row::from_catalog(m),
            None => Row {
                id: id.to_string(),
                name: String::new(),
                provider: String::new(),
                family: family_of(id),
                streaming: false,
                output: Vec::new(),
                context: None,
                max_output: None,
                profile_required: false,
                profiles: Vec::new(),
                price: None,
                in_catalog: false,
                lifecycle: None,
            },
        };
        row.lifecycle = Lifecycle::read(&summary["modelLifecycle"]);
        // The service's word wins over the catalog's where both speak.
        if let Some(name) = summary.get("modelName").and_then(Value::as_str) {
            row.name = name.to_string();
        }
        if let Some(provider) = summary.get("providerName").and_then(Value::as_str) {
            row.provider = provider.to_string();
        }
        if let Some(streaming) = summary
            .get("responseStreamingSupported")
            .and_then(Value::as_bool)
        {
            row.streaming = streaming;
        }
        let output = strings(&summary["outputModalities"]);
        if !output.is_empty() {
            row.output = output;
        }
        let inference = strings(&summary["inferenceTypesSupported"]);
        if !inference.is_empty() {
            row.profile_required = !inference.iter().any(|t| t == "ON_DEMAND");
        }
        rows.insert(id.to_string(), row);
    }
    for profile in control::list_inference_profiles(client).await? {
        let Some(profile_id) = profile.get("inferenceProfileId").and_then(Value::as_str) else {
            continue;
        };
        let base = crate::models::base_model_id(profile_id);
        if let Some(row) = rows.get_mut(base) {
            row.profiles.push(profile_id.to_string());
        }
    }
    Ok(rows.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lifecycle_is_read_from_seconds_or_a_date_and_active_is_nothing() {
        let read = |value: Value| Lifecycle::read(&value).map(|l| l.words());
        assert_eq!(
            read(json!({"status": "LEGACY", "endOfLifeTime": 1_803_859_200})).as_deref(),
            Some("legacy until 2027-03-01")
        );
        assert_eq!(
            read(json!({"status": "LEGACY", "endOfLifeTime": "2026-09-01T00:00:00Z"})).as_deref(),
            Some("legacy until 2026-09-01")
        );
        assert_eq!(read(json!({"status": "LEGACY"})).as_deref(), Some("legacy"));
        assert_eq!(read(json!({"status": "ACTIVE"})), None);
        assert_eq!(
            read(json!({"status": "\u{1b}[;LEGACY\u{7}", "endOfLifeTime": "soon"})).as_deref(),
            Some("legacy")
        );
        assert_eq!(read(json!(null)), None);
    }
}
