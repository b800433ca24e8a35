//! Decides where requests go: Bedrock with the AWS credential chain or an API key, a configured
//! endpoint, or the in-process emulator when nothing AWS-related is configured (or `--demo`).

use crate::bedrock::auth::{
    AwsSettings, BearerToken, CredentialsCache, default_chain, imds_allowed, resolve_region,
};
use crate::bedrock::request::{configured_control_endpoint, default_endpoint, normalize_endpoint};
use crate::bedrock::{Auth, BedrockError, Client, ClientConfig};
use crate::emulator::{Emulator, EmulatorConfig};
use crate::settings::{Settings, Source, no_aws_setup};
use aws_credential_types::Credentials;
use std::sync::Arc;

/// How to connect: the resolved settings, the emulator's pacing, and whether the built-in
/// emulator may answer a machine with no AWS setup at all (the chat only).
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// Profile, region, endpoint and where each came from; `--demo`; retries and timeouts.
    pub settings: Settings,
    /// Pacing of the in-process emulator (tokens per second, 0 = unpaced).
    pub demo_tokens_per_second: f64,
    /// The chat on a machine with no AWS setup answers from the built-in emulator (and says
    /// so); everything else fails with a message instead.
    pub fallback_to_demo: bool,
}

impl ConnectOptions {
    /// Whether the built-in emulator answers (asked for, or allowed and nothing is set up).
    pub fn uses_demo(&self) -> bool {
        self.settings.demo.is_some() || (self.fallback_to_demo && no_aws_setup(&self.settings))
    }
}

/// A ready client, and the emulator it talks to if it is the in-process one.
pub struct Connection {
    /// The client.
    pub client: Client,
    /// The in-process emulator, kept alive as long as the connection.
    pub emulator: Option<Emulator>,
    /// Where requests go, for status lines: `emulator (http://…)` or the endpoint and region.
    pub description: String,
    /// Why the emulator was chosen, when it was chosen without `--demo`.
    pub fallback_reason: Option<String>,
    /// Where the region came from.
    pub region_source: Source,
    /// Which credential provider answered (`EnvironmentVariable`, `ProfileFile`, `SSO`, …), or
    /// `bearer token`.
    pub credentials_source: String,
}

/// The region the in-process emulator signs for.
pub(crate) const EMULATOR_REGION: &str = "us-east-1";

/// Starts the in-process emulator and a client signed for it.
pub async fn connect_emulator(options: &ConnectOptions) -> Result<Connection, BedrockError> {
    let mut config = EmulatorConfig::with_random_credentials(EMULATOR_REGION);
    config.tokens_per_second = options.demo_tokens_per_second;
    let emulator = Emulator::start(config)
        .await
        .map_err(|e| BedrockError::Config(format!("cannot start the built-in emulator: {e}")))?;
    let creds = &emulator.config().credentials;
    let credentials = Credentials::new(
        &creds.access_key_id,
        &creds.secret_access_key,
        creds.session_token.clone(),
        None,
        "bedrock-tui-emulator",
    );
    let client = Client::new(ClientConfig {
        endpoint: emulator.endpoint(),
        region: EMULATOR_REGION.to_string(),
        auth: Auth::SigV4(Arc::new(CredentialsCache::fixed(credentials))),
        retry: options.settings.retry,
        timeouts: options.settings.timeouts,
        control_endpoint: Some(emulator.endpoint()),
    })?;
    Ok(Connection {
        client,
        description: format!("emulator ({})", emulator.endpoint()),
        emulator: Some(emulator),
        fallback_reason: None,
        region_source: Source::Default,
        credentials_source: "the built-in emulator's".to_string(),
    })
}

/// Connects as configured. The built-in emulator answers only when asked (`--demo`, `demo =
/// true`) or, for the chat, on a machine with no AWS setup at all; a missing or failing
/// credential is an error that says what was looked for, never a silent demo.
pub async fn connect(options: &ConnectOptions) -> Result<Connection, BedrockError> {
    let settings = &options.settings;
    if settings.demo.is_some() {
        return connect_emulator(options).await;
    }
    if options.fallback_to_demo && no_aws_setup(settings) {
        let mut connection = connect_emulator(options).await?;
        connection.fallback_reason = Some("no AWS configuration found".to_string());
        return Ok(connection);
    }
    let profile = settings.profile.as_ref().map(|p| p.value.clone());
    let aws = AwsSettings {
        profile: profile.clone(),
        region: settings.region.as_ref().map(|r| r.value.clone()),
        profile_explicit: settings.profile_explicit,
    };
    let region = resolve_region(&aws).await;
    let region_source = match (&settings.region, &region) {
        (Some(given), _) => given.source.clone(),
        (None, Some(_)) => Source::Profile(profile.clone().unwrap_or_else(|| "default".into())),
        (None, None) => Source::Default,
    };
    let bearer = std::env::var("AWS_BEARER_TOKEN_BEDROCK")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .map(|t| BearerToken::new(t.trim()));
    let (auth, credentials_source) = if let Some(token) = bearer {
        (Auth::Bearer(token), "AWS_BEARER_TOKEN_BEDROCK".to_string())
    } else {
        let cache = CredentialsCache::new(default_chain(&aws, region.as_deref()));
        match cache.probe().await? {
            Some(credentials) => (
                Auth::SigV4(std::sync::Arc::new(cache)),
                provider_of(&credentials),
            ),
            None => return Err(BedrockError::Credentials(no_credentials(&aws))),
        }
    };
    let region = region.ok_or_else(|| {
        BedrockError::Config(
            "no AWS region configured: pass --region, set AWS_REGION, add `region = ...` to config.toml or to your AWS profile".to_string(),
        )
    })?;
    let endpoint = match &settings.endpoint {
        Some(url) => normalize_endpoint(&url.value)?,
        None => default_endpoint(&region),
    };
    let client = Client::new(ClientConfig {
        endpoint: endpoint.clone(),
        region: region.clone(),
        auth,
        retry: settings.retry,
        timeouts: settings.timeouts,
        control_endpoint: configured_control_endpoint()
            .map(|url| normalize_endpoint(&url))
            .transpose()?,
    })?;
    Ok(Connection {
        client,
        emulator: None,
        description: format!("{endpoint} ({region})"),
        fallback_reason: None,
        region_source,
        credentials_source,
    })
}

/// What was looked for when no credentials were found, and how to fix it.
fn no_credentials(aws: &AwsSettings) -> String {
    let profile = aws.profile.as_deref().unwrap_or("default");
    let mut looked = Vec::new();
    if !aws.profile_explicit {
        looked.push("the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)".to_string());
    }
    let files: Vec<String> = crate::settings::aws_files()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    looked.push(format!("profile {profile:?} in {}", files.join(" and ")));
    looked.push("web identity (AWS_WEB_IDENTITY_TOKEN_FILE)".to_string());
    looked.push("container credentials (AWS_CONTAINER_CREDENTIALS_*)".to_string());
    if imds_allowed() {
        looked.push("the EC2 instance metadata service".to_string());
    }
    format!(
        "no AWS credentials found; looked in {}. Run `aws configure` (or `aws configure --profile {profile}`), `aws sso login --profile {profile}` for an SSO profile, set AWS_BEARER_TOKEN_BEDROCK, or pass --demo for the built-in emulator",
        looked.join(", ")
    )
}

/// The name of the provider that loaded `credentials` (`Environment`, `Profile`, …).
/// `aws-credential-types` keeps it private except in its `Debug` text, which redacts the secret.
pub fn provider_of(credentials: &Credentials) -> String {
    let text = format!("{credentials:?}");
    text.split("provider_name: \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("unknown")
        .to_string()
}
