//! Resources behind opaque model ARNs, as an account has them: application inference profiles,
//! provisioned throughput and custom model deployments, each serving a catalog model. The
//! runtime routes invoke them like their model; the control plane describes them
//! (`GetInferenceProfile`, `GetProvisionedModelThroughput`, `GetCustomModelDeployment`,
//! `GetCustomModel`) in Bedrock's shapes, or refuses with `AccessDeniedException` when the
//! emulator is told to (a role without `bedrock:Get*`).

use super::response::{Body, full, insert};
use bedrock_tui_models::catalog::{self, ModelInfo};
use bedrock_tui_wire::ExceptionKind;
use http::{HeaderValue, Response};
use serde_json::{Value, json};

/// The account id in the emulator's ARNs.
pub(crate) const ACCOUNT: &str = "123456789012";

/// What kind of resource an ARN names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    /// `application-inference-profile/ID`.
    ApplicationProfile,
    /// `provisioned-model/ID`.
    ProvisionedModel,
    /// `custom-model-deployment/ID`.
    CustomModelDeployment,
}

impl ResourceKind {
    /// The ARN's resource type.
    pub(crate) fn arn_type(self) -> &'static str {
        match self {
            ResourceKind::ApplicationProfile => "application-inference-profile",
            ResourceKind::ProvisionedModel => "provisioned-model",
            ResourceKind::CustomModelDeployment => "custom-model-deployment",
        }
    }
}

/// One resource: its kind, id and the base model it serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// Its kind.
    pub kind: ResourceKind,
    /// Its id (the last part of the ARN).
    pub id: String,
    /// The catalog model it serves.
    pub model: String,
}

impl Resource {
    /// Its ARN in `region`.
    pub fn arn(&self, region: &str) -> String {
        format!(
            "arn:aws:bedrock:{region}:{ACCOUNT}:{}/{}",
            self.kind.arn_type(),
            self.id
        )
    }

    /// The resources every emulator has, so that opaque ARNs can be tried offline: application
    /// inference profiles for Claude 2.1 (Text Completions and Messages), Claude Haiku 4.5 and
    /// Nova Micro; provisioned Nova Micro; a deployed custom Titan Text Express.
    pub fn samples() -> Vec<Resource> {
        let make = |kind, id: &str, model: &str| Resource {
            kind,
            id: id.to_string(),
            model: model.to_string(),
        };
        vec![
            make(
                ResourceKind::ApplicationProfile,
                "btclaude2app",
                "anthropic.claude-v2:1",
            ),
            make(
                ResourceKind::ApplicationProfile,
                "bthaiku45app",
                "anthropic.claude-haiku-4-5-20251001-v1:0",
            ),
            make(
                ResourceKind::ApplicationProfile,
                "btnovamicro1",
                "amazon.nova-micro-v1:0",
            ),
            make(
                ResourceKind::ProvisionedModel,
                "btprovnova01",
                "amazon.nova-micro-v1:0",
            ),
            make(
                ResourceKind::CustomModelDeployment,
                "btdeploytitan",
                "amazon.titan-text-express-v1",
            ),
        ]
    }
}

/// The resource an identifier names: its ARN, or (for application profiles, which
/// `GetInferenceProfile` accepts either way) its bare id.
pub fn find<'a>(resources: &'a [Resource], region: &str, identifier: &str) -> Option<&'a Resource> {
    resources
        .iter()
        .find(|r| r.arn(region) == identifier || r.id == identifier)
}

/// The catalog model behind an ARN of one of the resources.
pub(crate) fn model_behind(
    resources: &[Resource],
    region: &str,
    model_id: &str,
) -> Option<&'static ModelInfo> {
    let resource = resources.iter().find(|r| r.arn(region) == model_id)?;
    catalog::lookup(&resource.model)
}

type Rejection = (ExceptionKind, String);

fn not_found() -> Rejection {
    (
        ExceptionKind::ResourceNotFound,
        "The specified resource ARN was not found. Check the ARN and try your request again."
            .to_string(),
    )
}

fn denied(operation: &str, identifier: &str) -> Rejection {
    (
        ExceptionKind::AccessDenied,
        format!(
            "User: arn:aws:sts::{ACCOUNT}:assumed-role/bedrock-tui-emulator/session is not authorized to perform: bedrock:{operation} on resource: {identifier} because no identity-based policy allows the bedrock:{operation} action"
        ),
    )
}

fn foundation_arn(region: &str, model: &str) -> String {
    format!("arn:aws:bedrock:{region}::foundation-model/{model}")
}

fn custom_model_arn(region: &str, resource: &Resource) -> String {
    format!(
        "arn:aws:bedrock:{region}:{ACCOUNT}:custom-model/{}/{}",
        resource.model, resource.id
    )
}

/// An application profile as `GetInferenceProfile` and `ListInferenceProfiles` describe it.
pub(crate) fn profile_json(resource: &Resource, region: &str) -> Value {
    json!({
        "inferenceProfileName": format!("bedrock-tui {}", resource.id),
        "inferenceProfileId": resource.id,
        "inferenceProfileArn": resource.arn(region),
        "models": [{"modelArn": foundation_arn(region, &resource.model)}],
        "description": format!("An application inference profile for {}", resource.model),
        "createdAt": "2025-01-01T00:00:00Z",
        "updatedAt": "2025-01-01T00:00:00Z",
        "status": "ACTIVE",
        "type": "APPLICATION",
    })
}

/// Answers a `GET` describing one resource: `operation` is the route's operation name.
pub(crate) fn describe(
    operation: &str,
    identifier: &str,
    resources: &[Resource],
    region: &str,
    deny: bool,
    request_id: &str,
) -> Result<Response<Body>, Rejection> {
    if deny {
        return Err(denied(operation, identifier));
    }
    let wanted =
        |kind: ResourceKind| find(resources, region, identifier).filter(|r| r.kind == kind);
    let body = match operation {
        "GetInferenceProfile" => match wanted(ResourceKind::ApplicationProfile) {
            Some(resource) => profile_json(resource, region),
            None => system_profile(identifier, region).ok_or_else(not_found)?,
        },
        "GetProvisionedModelThroughput" => {
            let resource = wanted(ResourceKind::ProvisionedModel).ok_or_else(not_found)?;
            let model = foundation_arn(region, &resource.model);
            json!({
                "provisionedModelArn": resource.arn(region),
                "provisionedModelName": resource.id,
                "modelArn": model,
                "desiredModelArn": model,
                "foundationModelArn": model,
                "modelUnits": 1,
                "desiredModelUnits": 1,
                "status": "InService",
                "commitmentDuration": "OneMonth",
                "creationTime": "2025-01-01T00:00:00Z",
                "lastModifiedTime": "2025-01-01T00:00:00Z",
            })
        }
        "GetCustomModelDeployment" => {
            let resource = wanted(ResourceKind::CustomModelDeployment).ok_or_else(not_found)?;
            json!({
                "customModelDeploymentArn": resource.arn(region),
                "modelDeploymentName": resource.id,
                "modelArn": custom_model_arn(region, resource),
                "status": "Active",
                "createdAt": "2025-01-01T00:00:00Z",
            })
        }
        _ => {
            // GetCustomModel: a deployment's custom model, by its ARN.
            let resource = resources
                .iter()
                .find(|r| custom_model_arn(region, r) == identifier)
                .ok_or_else(not_found)?;
            json!({
                "modelArn": identifier,
                "modelName": resource.id,
                "baseModelArn": foundation_arn(region, &resource.model),
                "customizationType": "FINE_TUNING",
                "creationTime": "2025-01-01T00:00:00Z",
            })
        }
    };
    let mut response = Response::new(full(body.to_string().into_bytes()));
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    insert(headers, "x-amzn-requestid", request_id);
    Ok(response)
}

/// A system-defined profile (`us.anthropic.…`) as `GetInferenceProfile` describes it.
fn system_profile(identifier: &str, region: &str) -> Option<Value> {
    super::listing::all_profiles(region)
        .into_iter()
        .find(|p| p["inferenceProfileId"] == identifier || p["inferenceProfileArn"] == identifier)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_serves_a_catalog_model() {
        for resource in Resource::samples() {
            assert!(catalog::lookup(&resource.model).is_some(), "{resource:?}");
            let arn = resource.arn("us-east-1");
            assert!(
                bedrock_tui_models::parse_model_ref(&arn).base.is_none(),
                "{arn}"
            );
        }
    }
}
