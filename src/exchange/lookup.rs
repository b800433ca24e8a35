//! The request format behind an opaque model ARN, asked of the control plane: an application
//! inference profile (`GetInferenceProfile`), provisioned throughput
//! (`GetProvisionedModelThroughput`), a custom model deployment (`GetCustomModelDeployment`, then
//! the custom model's base) or a custom model without its base in the ARN (`GetCustomModel`).
//! Imported models tell only their architecture, which is no request format; their answers are
//! read by their shape. Answers are kept for the session, so each ARN is asked about once.

use crate::bedrock::control::{self, Backing};
use crate::bedrock::{BedrockError, Client};
use crate::models::{FamilyId, family_of, parse_model_ref};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What a lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The family, and the model it was told by (for a note).
    Family(FamilyId, String),
    /// Nothing usable; why (the lookup was denied or failed, or told no format). The answer's
    /// shape decides how it is read.
    Unknown(String),
}

/// Whether the id is an ARN whose request format only a lookup can tell.
pub fn needs_lookup(model: &str) -> bool {
    let reference = parse_model_ref(model);
    reference.base.is_none()
        && matches!(
            reference.arn_resource,
            Some(
                "application-inference-profile"
                    | "provisioned-model"
                    | "custom-model-deployment"
                    | "custom-model"
                    | "imported-model"
            )
        )
}

/// Lookups made so far, shared by everything that sends in one session.
#[derive(Debug, Clone, Default)]
pub struct Lookups(Arc<Mutex<HashMap<String, Found>>>);

impl Lookups {
    /// An empty cache.
    pub fn new() -> Lookups {
        Lookups::default()
    }

    /// What is known about `model` already.
    pub fn get(&self, model: &str) -> Option<Found> {
        self.0.lock().ok()?.get(model).cloned()
    }

    /// The format behind `model`, asked once per session.
    pub async fn find(&self, client: &Client, model: &str) -> Found {
        if let Some(found) = self.get(model) {
            return found;
        }
        let found = find(client, model).await;
        if let Ok(mut known) = self.0.lock() {
            known.insert(model.to_string(), found.clone());
        }
        found
    }
}

/// Asks the control plane what stands behind `model`.
pub async fn find(client: &Client, model: &str) -> Found {
    let kind = parse_model_ref(model).arn_resource.unwrap_or_default();
    let what = match kind {
        "application-inference-profile" => "application inference profile",
        "provisioned-model" => "provisioned model",
        "custom-model-deployment" => "custom model deployment",
        "imported-model" => "imported model",
        _ => "custom model",
    };
    let backing = match kind {
        "application-inference-profile" => control::get_inference_profile(client, model).await,
        "provisioned-model" => control::get_provisioned_model(client, model).await,
        "custom-model-deployment" => control::get_custom_model_deployment(client, model).await,
        "imported-model" => control::get_imported_model(client, model).await,
        _ => control::get_custom_model(client, model).await,
    };
    let backing = match backing {
        // A custom model found behind a deployment may need its base looked up in turn.
        Ok(Backing::Model(arn)) if family_of(&arn).is_none() && needs_lookup(&arn) => {
            control::get_custom_model(client, &arn).await
        }
        other => other,
    };
    match backing {
        Ok(Backing::Model(arn)) => match family_of(&arn) {
            Some(family) => Found::Family(family, base_of(&arn)),
            None => Found::Unknown(format!(
                "the {what} runs {arn}, whose request format bedrock-tui does not know"
            )),
        },
        Ok(Backing::Architecture(architecture)) => Found::Unknown(format!(
            "the {what} has the {architecture} architecture, which names no request format"
        )),
        Err(e) => Found::Unknown(format!(
            "the {what} could not be looked up ({}: {})",
            e.name(),
            short(&e)
        )),
    }
}

fn base_of(arn: &str) -> String {
    parse_model_ref(arn).base.unwrap_or(arn).to_string()
}

/// An error's message cut to one short line (an access-denied message repeats the whole ARN).
fn short(error: &BedrockError) -> String {
    let text = error.to_string();
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() > 160 {
        format!("{}…", line.chars().take(160).collect::<String>())
    } else {
        line.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_opaque_arns_need_a_lookup() {
        for id in [
            "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3",
            "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/xyz",
            "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/d1",
            "arn:aws:bedrock:us-east-1:123456789012:imported-model/abc",
        ] {
            assert!(needs_lookup(id), "{id}");
        }
        for id in [
            "anthropic.claude-3-haiku-20240307-v1:0",
            "us.amazon.nova-micro-v1:0",
            "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0",
            "arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.titan-text-express-v1:0:8k/abc",
        ] {
            assert!(!needs_lookup(id), "{id}");
        }
        // The emulator's sample resources are opaque the way Bedrock's are.
        for resource in crate::emulator::resources::Resource::samples() {
            let arn = resource.arn("us-east-1");
            assert!(needs_lookup(&arn), "{arn}");
        }
    }
}
