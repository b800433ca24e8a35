//! The control-plane listing routes of the `bedrock` service, served from the catalog:
//! `GET /foundation-models` (filters `byProvider`, `byOutputModality`, `byInferenceType`) and
//! `GET /inference-profiles` (system-defined profiles per geography and the account's application
//! profiles, paginated with `maxResults` / `nextToken`).

use super::response::{Body, full, insert};
use base64::Engine;
use bedrock_tui_models::FamilyId;
use bedrock_tui_models::catalog::ModelInfo;
use bedrock_tui_wire::ExceptionKind;
use http::{HeaderValue, Response};
use serde_json::{Value, json};

type Rejection = (ExceptionKind, String);

fn validation(message: String) -> Rejection {
    (ExceptionKind::Validation, message)
}

fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(k), decode(v))
        })
        .collect()
}

/// Answers a listing request.
pub(crate) fn respond(
    route: &str,
    query: &str,
    region: &str,
    applications: &[super::resources::Resource],
    request_id: &str,
) -> Result<Response<Body>, Rejection> {
    let params = query_pairs(query);
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let body = match route {
        "foundation-models" => foundation_models(&get, region)?,
        _ => inference_profiles(&get, region, applications)?,
    };
    let mut response = Response::new(full(body.to_string().into_bytes()));
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    insert(headers, "x-amzn-requestid", request_id);
    Ok(response)
}

fn inference_types(model: &ModelInfo) -> Value {
    if model.inference_profile_required {
        json!(["INFERENCE_PROFILE"])
    } else {
        json!(["ON_DEMAND"])
    }
}

fn foundation_models<'a>(
    get: &dyn Fn(&str) -> Option<&'a str>,
    region: &str,
) -> Result<Value, Rejection> {
    let provider = get("byProvider").map(str::to_ascii_lowercase);
    let modality = get("byOutputModality");
    if let Some(m) = modality
        && !["TEXT", "IMAGE", "EMBEDDING"].contains(&m)
    {
        return Err(validation(format!(
            "1 validation error detected: Value '{m}' at 'byOutputModality' failed to satisfy constraint: Member must satisfy enum value set: [TEXT, IMAGE, EMBEDDING]"
        )));
    }
    let inference = get("byInferenceType");
    if let Some(t) = inference
        && !["ON_DEMAND", "PROVISIONED"].contains(&t)
    {
        return Err(validation(format!(
            "1 validation error detected: Value '{t}' at 'byInferenceType' failed to satisfy constraint: Member must satisfy enum value set: [ON_DEMAND, PROVISIONED]"
        )));
    }
    let summaries: Vec<Value> = super::newer::all()
        .filter(|m| {
            provider.as_deref().is_none_or(|p| {
                m.provider.to_ascii_lowercase().replace(' ', "") == p.replace(' ', "")
                    || m.id.starts_with(&format!("{p}."))
            })
        })
        .filter(|m| modality.is_none_or(|x| m.output_modalities.iter().any(|o| o == x)))
        .filter(|m| inference.is_none_or(|t| t == "ON_DEMAND" && !m.inference_profile_required))
        .map(|m| {
            json!({
                "modelArn": format!("arn:aws:bedrock:{region}::foundation-model/{}", m.id),
                "modelId": m.id,
                "modelName": m.name,
                "providerName": m.provider,
                "inputModalities": m.input_modalities,
                "outputModalities": m.output_modalities,
                "responseStreamingSupported": m.streaming,
                "customizationsSupported": [],
                "inferenceTypesSupported": inference_types(m),
                "modelLifecycle": lifecycle(&m.id),
            })
        })
        .collect();
    Ok(json!({ "modelSummaries": summaries }))
}

/// Models the emulator reports as `LEGACY`, with the end of their life in epoch seconds
/// (Claude's Text Completions generation, as on Bedrock; the dates are the emulator's).
const LEGACY: &[(&str, i64)] = &[
    ("anthropic.claude-instant-v1", 1_788_220_800),
    ("anthropic.claude-v2", 1_803_859_200),
    ("anthropic.claude-v2:1", 1_803_859_200),
];

/// A model's `modelLifecycle`: `LEGACY` with its times for the models above, else `ACTIVE`.
fn lifecycle(id: &str) -> Value {
    match LEGACY.iter().find(|(legacy, _)| *legacy == id) {
        Some((_, end)) => json!({"status": "LEGACY", "legacyTime": end - 15_552_000,
            "endOfLifeTime": end}),
        None => json!({"status": "ACTIVE"}),
    }
}

/// The geographies a model has system-defined profiles in.
fn geographies(model: &ModelInfo) -> &'static [&'static str] {
    let recent = model.inference_profile_required
        && (model.family == FamilyId::Anthropic || model.id.starts_with("amazon.nova-2"));
    match model.family {
        _ if recent => &["us", "eu", "apac", "jp", "au", "global"],
        FamilyId::Anthropic | FamilyId::Nova => &["us", "eu", "apac"],
        FamilyId::Llama3 | FamilyId::Llama4 | FamilyId::DeepSeek | FamilyId::MistralChat
            if model.inference_profile_required =>
        {
            &["us"]
        }
        _ => &[],
    }
}

/// Every system-defined profile of the catalog.
pub(super) fn all_profiles(region: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for model in super::newer::all() {
        for geo in geographies(model) {
            let id = format!("{geo}.{}", model.id);
            let label = match *geo {
                "global" => "Global".to_string(),
                other => other.to_ascii_uppercase(),
            };
            out.push(json!({
                "inferenceProfileName": format!("{label} {}", model.name),
                "inferenceProfileId": id,
                "inferenceProfileArn": format!("arn:aws:bedrock:{region}:123456789012:inference-profile/{id}"),
                "models": [{"modelArn": format!("arn:aws:bedrock:{region}::foundation-model/{}", model.id)}],
                "description": format!("Routes requests to {} across {label} regions.", model.name),
                "createdAt": "2025-01-01T00:00:00Z",
                "updatedAt": "2025-01-01T00:00:00Z",
                "status": "ACTIVE",
                "type": "SYSTEM_DEFINED",
            }));
        }
    }
    out
}

fn inference_profiles<'a>(
    get: &dyn Fn(&str) -> Option<&'a str>,
    region: &str,
    resources: &[super::resources::Resource],
) -> Result<Value, Rejection> {
    let applications = || {
        resources
            .iter()
            .filter(|r| r.kind == super::resources::ResourceKind::ApplicationProfile)
            .map(|r| super::resources::profile_json(r, region))
    };
    let max_results = match get("maxResults") {
        None => 1000,
        Some(v) => v.parse::<usize>().ok().filter(|n| (1..=1000).contains(n)).ok_or_else(|| {
            validation(format!("1 validation error detected: Value '{v}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 1000"))
        })?,
    };
    let start = match get("nextToken") {
        None => 0,
        Some(token) => base64::engine::general_purpose::STANDARD
            .decode(token)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| {
                s.strip_prefix("offset:")
                    .and_then(|n| n.parse::<usize>().ok())
            })
            .ok_or_else(|| validation("The pagination token is invalid.".to_string()))?,
    };
    let profiles = match get("type") {
        None => all_profiles(region)
            .into_iter()
            .chain(applications())
            .collect(),
        Some("SYSTEM_DEFINED") => all_profiles(region),
        Some("APPLICATION") => applications().collect(),
        Some(other) => {
            return Err(validation(format!(
                "1 validation error detected: Value '{other}' at 'typeEquals' failed to satisfy constraint: Member must satisfy enum value set: [SYSTEM_DEFINED, APPLICATION]"
            )));
        }
    };
    let end = (start + max_results).min(profiles.len());
    let page: Vec<Value> = profiles
        .get(start..end)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let mut body = json!({ "inferenceProfileSummaries": page });
    if end < profiles.len() {
        body["nextToken"] =
            json!(base64::engine::general_purpose::STANDARD.encode(format!("offset:{end}")));
    }
    Ok(body)
}
