//! The flags of `bedrock-tui emulator`.

use clap::Args;

/// `bedrock-tui emulator`.
#[derive(Debug, Clone, Args)]
pub struct EmulatorArgs {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Stream pacing; 0 sends as fast as the socket allows.
    #[arg(long, value_name = "N", default_value_t = 40.0)]
    pub tokens_per_second: f64,
    /// Access key id to accept (default: generated).
    #[arg(long, value_name = "ID", env = "BEDROCK_TUI_EMULATOR_ACCESS_KEY_ID")]
    pub access_key_id: Option<String>,
    /// Secret access key to accept (default: generated). Prefer the environment variable: a
    /// flag's value is visible to every user in `ps`.
    #[arg(
        long,
        value_name = "SECRET",
        env = "BEDROCK_TUI_EMULATOR_SECRET_ACCESS_KEY",
        hide_env_values = true
    )]
    pub secret_access_key: Option<String>,
    /// Session token to require (default: generated; pass an empty string for none).
    #[arg(
        long,
        value_name = "TOKEN",
        env = "BEDROCK_TUI_EMULATOR_SESSION_TOKEN",
        hide_env_values = true
    )]
    pub session_token: Option<String>,
    /// Bedrock API key to accept as a bearer token (default: generated).
    #[arg(
        long,
        value_name = "KEY",
        env = "BEDROCK_TUI_EMULATOR_BEARER_TOKEN",
        hide_env_values = true
    )]
    pub bearer_token: Option<String>,
    /// Refuse Llama, Mistral and DeepSeek prompts without their chat template (Bedrock
    /// accepts them).
    #[arg(long)]
    pub strict_templates: bool,
    /// A word or phrase the emulator's guardrail blocks in prompts of requests that name a
    /// guardrail (repeatable; default: "forbidden").
    #[arg(long = "guardrail-word", value_name = "WORD")]
    pub guardrail_words: Vec<String>,
    /// Let the emulator's guardrail pass e-mail addresses (it blocks them by default).
    #[arg(long)]
    pub guardrail_allow_email: bool,
    /// Send the last unpaced stream's bytes again for an identical request (for benchmarks of
    /// clients: the emulator stops being the bottleneck; ids inside the payloads repeat).
    #[arg(long)]
    pub replay_streams: bool,
    /// A resource behind an opaque ARN, in addition to the samples:
    /// `application-inference-profile/ID=MODEL`, `provisioned-model/ID=MODEL` or
    /// `custom-model-deployment/ID=MODEL` (repeatable).
    #[arg(long, value_name = "TYPE/ID=MODEL", value_parser = parse_resource)]
    pub resource: Vec<crate::emulator::resources::Resource>,
    /// Refuse the control plane's lookups of those resources (GetInferenceProfile, …) with
    /// AccessDeniedException, as for a role that may invoke but not describe.
    #[arg(long)]
    pub deny_lookups: bool,
}

/// Parses `--resource TYPE/ID=MODEL`.
fn parse_resource(text: &str) -> Result<crate::emulator::resources::Resource, String> {
    use crate::emulator::resources::{Resource, ResourceKind};
    let (name, model) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?}: expected TYPE/ID=MODEL"))?;
    let (kind, id) = name
        .split_once('/')
        .ok_or_else(|| format!("{text:?}: expected TYPE/ID=MODEL"))?;
    let kind = match kind {
        "application-inference-profile" => ResourceKind::ApplicationProfile,
        "provisioned-model" => ResourceKind::ProvisionedModel,
        "custom-model-deployment" => ResourceKind::CustomModelDeployment,
        other => {
            return Err(format!(
                "unknown resource type {other:?}; one of application-inference-profile, provisioned-model, custom-model-deployment"
            ));
        }
    };
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(format!(
            "{id:?}: a resource id is letters, digits and dashes"
        ));
    }
    if crate::models::catalog::lookup(model).is_none() {
        return Err(format!("{model:?} is not a model of the catalog"));
    }
    Ok(Resource {
        kind,
        id: id.to_string(),
        model: model.to_string(),
    })
}
