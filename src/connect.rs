//! Decides where requests go: Bedrock with the AWS credential chain or an API key, a configured
//! endpoint, or the in-process emulator when nothing AWS-related is configured (or `--demo`).

use crate::bedrock::auth::{
    AwsSettings, BearerToken, CredentialsCache, default_chain, resolve_region,
};
use crate::bedrock::request::{
    configured_control_endpoint, configured_endpoint, default_endpoint, normalize_endpoint,
};
use crate::bedrock::{Auth, BedrockError, Client, ClientConfig, RetryPolicy, Timeouts};
use crate::emulator::{Emulator, EmulatorConfig};
use aws_credential_types::Credentials;
use std::sync::Arc;

/// What the user asked for on the command line.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// `--profile`.
    pub profile: Option<String>,
    /// `--region`.
    pub region: Option<String>,
    /// `--endpoint-url`.
    pub endpoint_url: Option<String>,
    /// `--demo`: use the in-process emulator whatever is configured.
    pub demo: bool,
    /// Pacing of the in-process emulator (tokens per second, 0 = unpaced).
    pub demo_tokens_per_second: f64,
    /// Retry policy.
    pub retry: RetryPolicy,
    /// Timeouts.
    pub timeouts: Timeouts,
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
        retry: options.retry,
        timeouts: options.timeouts,
        control_endpoint: Some(emulator.endpoint()),
    })?;
    Ok(Connection {
        client,
        description: format!("emulator ({})", emulator.endpoint()),
        emulator: Some(emulator),
        fallback_reason: None,
    })
}

/// Connects as configured, falling back to the emulator only when nothing is configured.
pub async fn connect(options: &ConnectOptions) -> Result<Connection, BedrockError> {
    if options.demo {
        return connect_emulator(options).await;
    }
    let profile = options
        .profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
    let settings = AwsSettings {
        profile: profile.clone(),
        region: options.region.clone(),
    };
    let endpoint = configured_endpoint(options.endpoint_url.as_deref());
    let region = resolve_region(&settings).await;
    let bearer = std::env::var("AWS_BEARER_TOKEN_BEDROCK")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .map(|t| BearerToken::new(t.trim()));
    let auth = if let Some(token) = bearer {
        Auth::Bearer(token)
    } else {
        let cache = CredentialsCache::new(default_chain(&settings, region.as_deref()));
        match cache.probe().await? {
            Some(_) => Auth::SigV4(Arc::new(cache)),
            None if profile.is_none() && endpoint.is_none() => {
                let mut connection = connect_emulator(options).await?;
                connection.fallback_reason = Some("no AWS credentials found".to_string());
                return Ok(connection);
            }
            None => {
                return Err(BedrockError::Credentials(match &profile {
                    Some(p) => format!(
                        "no AWS credentials found for profile {p:?}: check ~/.aws/config and ~/.aws/credentials, or run `aws sso login --profile {p}`"
                    ),
                    None => "no AWS credentials found for the configured endpoint: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or pass --profile".to_string(),
                }));
            }
        }
    };
    let region = region.ok_or_else(|| {
        BedrockError::Config(
            "no AWS region configured: pass --region, set AWS_REGION, or add `region = ...` to your AWS profile".to_string(),
        )
    })?;
    let endpoint = match endpoint {
        Some(url) => normalize_endpoint(&url)?,
        None => default_endpoint(&region),
    };
    let client = Client::new(ClientConfig {
        endpoint: endpoint.clone(),
        region: region.clone(),
        auth,
        retry: options.retry,
        timeouts: options.timeouts,
        control_endpoint: configured_control_endpoint()
            .map(|url| normalize_endpoint(&url))
            .transpose()?,
    })?;
    Ok(Connection {
        client,
        emulator: None,
        description: format!("{endpoint} ({region})"),
        fallback_reason: None,
    })
}
