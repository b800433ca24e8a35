//! `bedrock-tui models`: the catalog as a table, the request formats (`--families`), or with
//! `--remote` what ListFoundationModels and ListInferenceProfiles report, merged with the
//! catalog's families, limits and prices.

use super::ModelsArgs;
use super::ask::{EXIT_FAILURE, report};
use crate::bedrock::{BedrockError, Client};
use crate::connect::connect;
use crate::models::catalog::{self, ModelInfo};
use crate::models::{FamilyId, family_of};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Page size asked of ListInferenceProfiles.
const PROFILE_PAGE: usize = 100;
/// Most pages followed, in case a server keeps returning tokens.
const MAX_PAGES: usize = 100;

/// Runs `models`; returns the exit status.
pub async fn run(args: ModelsArgs) -> i32 {
    if args.families {
        print_families(args.json);
        return 0;
    }
    let rows = if args.remote {
        let connection = match connect(&args.aws.connect_options(0.0)).await {
            Ok(c) => c,
            Err(e) => return report(&e),
        };
        if connection.emulator.is_some() {
            eprintln!(
                "bedrock-tui: listing from the built-in Bedrock emulator (no AWS credentials found or --demo)"
            );
        }
        match remote_rows(&connection.client).await {
            Ok(rows) => rows,
            Err(e) => return report(&e),
        }
    } else {
        catalog::models().iter().map(Row::from_catalog).collect()
    };
    let rows: Vec<Row> = rows
        .into_iter()
        .filter(|r| {
            args.provider.as_deref().is_none_or(|p| {
                let p = p.to_ascii_lowercase();
                r.id.starts_with(&format!("{p}.")) || r.provider.to_ascii_lowercase().contains(&p)
            })
        })
        .collect();
    if args.json {
        let list: Vec<Value> = rows.iter().map(Row::to_json).collect();
        emit(&json!({ "models": list }).to_string());
    } else {
        print_table(&rows, args.remote);
    }
    if rows.is_empty() {
        eprintln!("bedrock-tui: no models match");
        return EXIT_FAILURE;
    }
    0
}

/// One line of the listing.
#[derive(Debug, Clone)]
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
}

impl Row {
    /// The row of a catalog model.
    pub fn from_catalog(m: &ModelInfo) -> Row {
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
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "id": self.id, "name": self.name, "provider": self.provider,
            "family": self.family.map(FamilyId::name), "streaming": self.streaming,
            "output_modalities": self.output, "context_window": self.context,
            "max_output_tokens": self.max_output,
            "inference_profile_required": self.profile_required,
            "inference_profiles": self.profiles,
            "price_per_1k": self.price.map(|(i, o)| json!({"input": i, "output": o})),
            "in_catalog": self.in_catalog,
        })
    }
}

fn strings(value: &Value) -> Vec<String> {
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

async fn get_json(client: &Client, path: &str) -> Result<Value, BedrockError> {
    let body = client.control_get(path).await?;
    serde_json::from_slice(&body).map_err(|e| {
        BedrockError::MalformedResponse(format!("{path}: the listing is not JSON: {e}"))
    })
}

/// Lists the region's models and profiles and merges them with the catalog.
pub async fn remote_rows(client: &Client) -> Result<Vec<Row>, BedrockError> {
    let listing = get_json(client, "/foundation-models").await?;
    let summaries = listing
        .get("modelSummaries")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            BedrockError::MalformedResponse("no modelSummaries in the listing".into())
        })?;
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    for summary in summaries {
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
            },
        };
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
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut path = format!("/inference-profiles?maxResults={PROFILE_PAGE}");
        if let Some(t) = &token {
            path.push_str("&nextToken=");
            path.push_str(
                &percent_encoding::utf8_percent_encode(t, percent_encoding::NON_ALPHANUMERIC)
                    .to_string(),
            );
        }
        let page = get_json(client, &path).await?;
        for profile in page
            .get("inferenceProfileSummaries")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(profile_id) = profile.get("inferenceProfileId").and_then(Value::as_str) else {
                continue;
            };
            let base = crate::models::base_model_id(profile_id);
            if let Some(row) = rows.get_mut(base) {
                row.profiles.push(profile_id.to_string());
            }
        }
        token = page
            .get("nextToken")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(rows.into_values().collect())
}

/// Writes one line to stdout; a closed pipe (`| head`) ends the output quietly.
fn emit(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
}

fn print_table(rows: &[Row], remote: bool) {
    let mut lines = vec![[
        "MODEL ID".to_string(),
        "FAMILY".to_string(),
        "STREAM".to_string(),
        "CONTEXT".to_string(),
        "MAX OUT".to_string(),
        "$/1K IN/OUT".to_string(),
        if remote {
            "PROFILES".to_string()
        } else {
            "ACCESS".to_string()
        },
    ]];
    for row in rows {
        let access = if remote {
            let geos: Vec<&str> = row
                .profiles
                .iter()
                .filter_map(|p| p.split_once('.').map(|(g, _)| g))
                .collect();
            let mut text = geos.join(" ");
            if !row.in_catalog {
                text.push_str(if text.is_empty() {
                    "(not in catalog)"
                } else {
                    " (not in catalog)"
                });
            }
            text
        } else if row.profile_required {
            "profile".to_string()
        } else {
            "on-demand".to_string()
        };
        lines.push([
            row.id.clone(),
            row.family
                .map(|f| f.name().to_string())
                .unwrap_or_else(|| "?".to_string()),
            if row.streaming { "yes" } else { "no" }.to_string(),
            row.context.map(|c| c.to_string()).unwrap_or_default(),
            row.max_output.map(|c| c.to_string()).unwrap_or_default(),
            row.price
                .map(|(i, o)| format!("{i}/{o}"))
                .unwrap_or_default(),
            access,
        ]);
    }
    let widths: Vec<usize> = (0..7)
        .map(|c| {
            lines
                .iter()
                .map(|l| l[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for line in lines {
        let cells: Vec<String> = line
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        emit(cells.join("  ").trim_end());
    }
}

fn print_families(as_json: bool) {
    let families: Vec<Value> = FamilyId::ALL
        .iter()
        .map(|f| {
            let models: Vec<&str> = catalog::models()
                .iter()
                .filter(|m| m.family == *f)
                .map(|m| m.id.as_str())
                .collect();
            json!({"family": f.name(), "streams": f.streams(), "models": models})
        })
        .collect();
    if as_json {
        emit(&json!({ "families": families }).to_string());
        return;
    }
    for family in &families {
        let models = strings(&family["models"]);
        emit(&format!(
            "{:<16} {:<11} {}",
            family["family"].as_str().unwrap_or_default(),
            if family["streams"] == json!(true) {
                "streams"
            } else {
                "invoke only"
            },
            models.join(", ")
        ));
    }
}
