//! The control plane (`bedrock` service) calls bedrock-tui makes: the model and profile listings
//! for the picker and `models --remote`, and the lookups that tell which model stands behind an
//! opaque ARN (application inference profiles, provisioned throughput, custom model deployments,
//! custom and imported models). Each answer is read tolerantly: a missing member is `None`.

use super::client::Client;
use super::error::BedrockError;
use super::request::encode_model_id;
use serde_json::Value;

/// Page size asked of ListInferenceProfiles.
const PROFILE_PAGE: usize = 100;
/// Most pages followed, in case a server keeps returning tokens.
const MAX_PAGES: usize = 100;

async fn get_json(client: &Client, path: &str) -> Result<Value, BedrockError> {
    let body = client.control_get(path).await?;
    serde_json::from_slice(&body).map_err(|e| {
        BedrockError::MalformedResponse(format!("{path}: the answer is not JSON: {e}"))
    })
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_string)
}

/// `ListFoundationModels`: the `modelSummaries` of the region.
pub async fn list_foundation_models(client: &Client) -> Result<Vec<Value>, BedrockError> {
    let listing = get_json(client, "/foundation-models").await?;
    listing
        .get("modelSummaries")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| BedrockError::MalformedResponse("no modelSummaries in the listing".into()))
}

/// `ListInferenceProfiles`, every page: the `inferenceProfileSummaries`.
pub async fn list_inference_profiles(client: &Client) -> Result<Vec<Value>, BedrockError> {
    let mut profiles = Vec::new();
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
        if let Some(list) = page
            .get("inferenceProfileSummaries")
            .and_then(Value::as_array)
        {
            profiles.extend(list.iter().cloned());
        }
        token = text(&page, "nextToken").filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
    }
    Ok(profiles)
}

/// What stands behind an opaque model ARN, as the control plane tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backing {
    /// The ARN (or id) of the model it runs: a foundation-model ARN, or a custom-model ARN
    /// whose base is another lookup away.
    Model(String),
    /// An imported model: only its architecture is known (`llama3`, `mistral`, …).
    Architecture(String),
}

/// `GetInferenceProfile` (`GET /inference-profiles/{id}`): the first model it routes to.
pub async fn get_inference_profile(client: &Client, id: &str) -> Result<Backing, BedrockError> {
    let answer = get_json(
        client,
        &format!("/inference-profiles/{}", encode_model_id(id)),
    )
    .await?;
    answer
        .pointer("/models/0/modelArn")
        .and_then(Value::as_str)
        .map(|arn| Backing::Model(arn.to_string()))
        .ok_or_else(|| BedrockError::MalformedResponse("the profile names no model".into()))
}

/// `GetProvisionedModelThroughput`: the model it serves (its foundation model first).
pub async fn get_provisioned_model(client: &Client, id: &str) -> Result<Backing, BedrockError> {
    let answer = get_json(
        client,
        &format!("/provisioned-model-throughput/{}", encode_model_id(id)),
    )
    .await?;
    text(&answer, "foundationModelArn")
        .or_else(|| text(&answer, "modelArn"))
        .map(Backing::Model)
        .ok_or_else(|| {
            BedrockError::MalformedResponse("the provisioned model names no model".into())
        })
}

/// `GetCustomModelDeployment`: the custom model it deploys.
pub async fn get_custom_model_deployment(
    client: &Client,
    id: &str,
) -> Result<Backing, BedrockError> {
    let answer = get_json(
        client,
        &format!(
            "/model-customization/custom-model-deployments/{}",
            encode_model_id(id)
        ),
    )
    .await?;
    text(&answer, "modelArn")
        .map(Backing::Model)
        .ok_or_else(|| BedrockError::MalformedResponse("the deployment names no model".into()))
}

/// `GetCustomModel`: the base model it was made from.
pub async fn get_custom_model(client: &Client, id: &str) -> Result<Backing, BedrockError> {
    let answer = get_json(client, &format!("/custom-models/{}", encode_model_id(id))).await?;
    text(&answer, "baseModelArn")
        .map(Backing::Model)
        .ok_or_else(|| BedrockError::MalformedResponse("the custom model names no base".into()))
}

/// `GetImportedModel`: its architecture.
pub async fn get_imported_model(client: &Client, id: &str) -> Result<Backing, BedrockError> {
    let answer = get_json(client, &format!("/imported-models/{}", encode_model_id(id))).await?;
    text(&answer, "modelArchitecture")
        .map(Backing::Architecture)
        .ok_or_else(|| {
            BedrockError::MalformedResponse("the imported model names no architecture".into())
        })
}
