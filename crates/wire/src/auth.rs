//! Credentials, region and signing: the `aws-config` provider chain behind a refreshing cache,
//! Bedrock API keys (`AWS_BEARER_TOKEN_BEDROCK`), and SigV4 signing with `aws-sigv4`.
//!
//! The chain is the default one (environment, shared profile files with SSO and assume-role,
//! web identity, ECS/container, EC2 IMDS), except that IMDS is consulted only when the machine
//! looks like EC2 or IMDS was pointed somewhere explicitly, so that a laptop with no credentials
//! gets its answer at once instead of after seconds of IMDS timeouts.

use super::error::BedrockError;
use aws_config::ecs::EcsCredentialsProvider;
use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::imds::credentials::ImdsCredentialsProvider;
use aws_config::imds::region::ImdsRegionProvider;
use aws_config::meta::credentials::CredentialsProviderChain;
use aws_config::meta::region::ProvideRegion;
use aws_config::profile::{ProfileFileCredentialsProvider, ProfileFileRegionProvider};
use aws_config::provider_config::ProviderConfig;
use aws_config::web_identity_token::WebIdentityTokenCredentialsProvider;
use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use std::fmt;
use std::time::{Duration, SystemTime};
use tokio::sync::Mutex;

/// The SigV4 signing name of Bedrock Runtime (and of the control plane).
pub const SIGNING_NAME: &str = "bedrock";

/// How long before expiry cached credentials are refreshed.
const REFRESH_MARGIN: Duration = Duration::from_mins(5);
/// Upper bound on one credential resolution (SSO, process and STS providers make calls): a
/// credential endpoint or `credential_process` that never answers fails within it.
const LOAD_TIMEOUT: Duration = Duration::from_secs(9);

/// A Bedrock API key. Its `Debug` never shows the token.
#[derive(Clone, PartialEq, Eq)]
pub struct BearerToken(String);

impl BearerToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        let token = token.into();
        super::scrub::remember(&token);
        BearerToken(token)
    }

    /// The token, for the `Authorization` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken(** redacted **)")
    }
}

/// Where the user points the credential and region chains.
#[derive(Debug, Clone, Default)]
pub struct AwsSettings {
    /// The profile (`None`: `default`).
    pub profile: Option<String>,
    /// The region from flag, environment or config.toml, if any.
    pub region: Option<String>,
    /// The profile was named by flag or config.toml: credentials come from it, not from the
    /// environment.
    pub profile_explicit: bool,
    /// The profile's own `credential_process`, run by bedrock-tui (killed on timeout).
    pub credential_process: Option<String>,
}

/// True when IMDS should be consulted: on EC2 (by DMI/hypervisor markers), or when the user
/// redirected IMDS with `AWS_EC2_METADATA_SERVICE_ENDPOINT`; never when
/// `AWS_EC2_METADATA_DISABLED=true`.
pub fn imds_allowed() -> bool {
    let env_true = |name: &str| std::env::var(name).is_ok_and(|v| v.eq_ignore_ascii_case("true"));
    if env_true("AWS_EC2_METADATA_DISABLED") {
        return false;
    }
    if std::env::var_os("AWS_EC2_METADATA_SERVICE_ENDPOINT").is_some() {
        return true;
    }
    looks_like_ec2()
}

fn looks_like_ec2() -> bool {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let vendor = read("/sys/devices/virtual/dmi/id/sys_vendor");
    let board = read("/sys/devices/virtual/dmi/id/board_asset_tag");
    let hypervisor = read("/sys/hypervisor/uuid");
    vendor.trim().starts_with("Amazon EC2")
        || board.trim().starts_with("i-")
        || hypervisor.trim().to_ascii_lowercase().starts_with("ec2")
}

fn provider_config(region: Option<&str>) -> ProviderConfig {
    ProviderConfig::without_region()
        .with_region(region.map(|r| aws_config::Region::new(r.to_string())))
}

/// Resolves the region: the one already given (flag, environment, config.toml), else the
/// profile's `region`, then IMDS where allowed. `None` when nothing says.
pub async fn resolve_region(settings: &AwsSettings) -> Option<String> {
    if let Some(region) = settings.region.as_deref().filter(|r| !r.is_empty()) {
        return Some(region.to_string());
    }
    let mut profile = ProfileFileRegionProvider::builder();
    if let Some(name) = &settings.profile {
        profile = profile.profile_name(name);
    }
    if let Some(region) = profile.build().region().await {
        return Some(region.to_string());
    }
    if imds_allowed() {
        let imds = ImdsRegionProvider::builder().build();
        if let Ok(Some(region)) = tokio::time::timeout(Duration::from_secs(3), imds.region()).await
        {
            return Some(region.to_string());
        }
    }
    None
}

/// The default credential chain (see the module docs for the IMDS rule).
pub fn default_chain(settings: &AwsSettings, region: Option<&str>) -> SharedCredentialsProvider {
    let conf = provider_config(region);
    let mut profile = ProfileFileCredentialsProvider::builder().configure(&conf);
    if let Some(name) = &settings.profile {
        profile = profile.profile_name(name);
    }
    // A profile named by flag or config.toml wins over keys in the environment (as the aws
    // CLI's --profile does).
    let profile: SharedCredentialsProvider = match &settings.credential_process {
        Some(command) => {
            SharedCredentialsProvider::new(super::process::ProcessProvider::new(command.clone()))
        }
        None => SharedCredentialsProvider::new(profile.build()),
    };
    let chain = if settings.profile_explicit {
        CredentialsProviderChain::first_try("Profile", profile)
    } else {
        CredentialsProviderChain::first_try(
            "Environment",
            EnvironmentVariableCredentialsProvider::new(),
        )
        .or_else("Profile", profile)
    }
    .or_else(
        "WebIdentityToken",
        WebIdentityTokenCredentialsProvider::builder()
            .configure(&conf)
            .build(),
    )
    .or_else(
        "EcsContainer",
        EcsCredentialsProvider::builder().configure(&conf).build(),
    );
    let chain = if imds_allowed() {
        chain.or_else(
            "Ec2InstanceMetadata",
            ImdsCredentialsProvider::builder().configure(&conf).build(),
        )
    } else {
        chain
    };
    SharedCredentialsProvider::new(chain)
}

/// Credentials from a provider, cached and refreshed ahead of expiry.
pub struct CredentialsCache {
    provider: SharedCredentialsProvider,
    current: Mutex<Option<Credentials>>,
}

impl fmt::Debug for CredentialsCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CredentialsCache")
    }
}

impl CredentialsCache {
    /// A cache in front of `provider`.
    pub fn new(provider: SharedCredentialsProvider) -> Self {
        CredentialsCache {
            provider,
            current: Mutex::new(None),
        }
    }

    /// A cache holding fixed credentials (the in-process emulator, tests).
    pub fn fixed(credentials: Credentials) -> Self {
        super::scrub::remember(credentials.secret_access_key());
        if let Some(token) = credentials.session_token() {
            super::scrub::remember(token);
        }
        CredentialsCache {
            provider: SharedCredentialsProvider::new(credentials.clone()),
            current: Mutex::new(Some(credentials)),
        }
    }

    /// Current credentials, loading or refreshing them when needed.
    pub async fn get(&self) -> Result<Credentials, BedrockError> {
        let mut current = self.current.lock().await;
        if let Some(creds) = current.as_ref() {
            let fresh = creds
                .expiry()
                .is_none_or(|expiry| expiry > SystemTime::now() + REFRESH_MARGIN);
            if fresh {
                return Ok(creds.clone());
            }
        }
        let loaded = load(&self.provider).await?;
        super::scrub::remember(loaded.secret_access_key());
        if let Some(token) = loaded.session_token() {
            super::scrub::remember(token);
        }
        *current = Some(loaded.clone());
        Ok(loaded)
    }

    /// Drops the cached credentials, so the next request loads them again (after an
    /// `ExpiredTokenException`, for example).
    pub(crate) async fn invalidate(&self) {
        *self.current.lock().await = None;
    }

    /// Loads once and tells whether any credentials are configured: `Ok(None)` when no provider
    /// in the chain had any, an error when one had them but failed (expired SSO session, broken
    /// profile).
    pub async fn probe(&self) -> Result<Option<Credentials>, BedrockError> {
        match self.get().await {
            Ok(creds) => Ok(Some(creds)),
            Err(BedrockError::Credentials(msg)) if msg.starts_with(NOT_LOADED) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

const NOT_LOADED: &str = "no AWS credentials found";

async fn load(provider: &SharedCredentialsProvider) -> Result<Credentials, BedrockError> {
    let loaded = tokio::time::timeout(LOAD_TIMEOUT, provider.provide_credentials())
        .await
        .map_err(|_| {
            BedrockError::Credentials(format!(
                "loading AWS credentials took longer than {} s (a credential_process, container or SSO endpoint that does not answer); check the profile or the network",
                LOAD_TIMEOUT.as_secs()
            ))
        })?;
    loaded.map_err(|err| match err {
        CredentialsError::CredentialsNotLoaded(_) => BedrockError::Credentials(format!(
            "{NOT_LOADED}: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, pass --profile, run `aws sso login`, or set AWS_BEARER_TOKEN_BEDROCK"
        )),
        other => BedrockError::Credentials(format!(
            "could not load AWS credentials: {}",
            super::error::source_chain(&other)
        )),
    })
}

/// Signs a request with SigV4 (signing name `bedrock`, default settings: the wire path is
/// percent-encoded once more for the canonical request). `url` must be exactly the URL that is
/// sent. Returns the headers to add (`authorization`, `x-amz-date`, and
/// `x-amz-security-token` for temporary credentials).
pub fn sign_sigv4(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    credentials: &Credentials,
    region: &str,
    time: SystemTime,
) -> Result<Vec<(String, String)>, BedrockError> {
    let identity: Identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(SIGNING_NAME)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| BedrockError::Config(format!("cannot sign request: {e}")))?
        .into();
    let signable = SignableRequest::new(
        method,
        url,
        headers.iter().copied(),
        SignableBody::Bytes(body),
    )
    .map_err(|e| BedrockError::Config(format!("cannot sign request to {url}: {e}")))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| BedrockError::Config(format!("cannot sign request: {e}")))?
        .into_parts();
    Ok(instructions
        .headers()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_token_debug_is_redacted() {
        let token = BearerToken::new("secret-token-value");
        assert!(!format!("{token:?}").contains("secret"));
    }

    #[test]
    fn signs_the_double_encoded_canonical_path() {
        let creds = Credentials::new("AKIDEXAMPLE", "secret", None, None, "test");
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let headers = sign_sigv4(
            "POST",
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/a.b-v1%3A0/invoke",
            &[("content-type", "application/json")],
            b"{}",
            &creds,
            "us-east-1",
            time,
        )
        .unwrap();
        let auth = headers
            .iter()
            .find(|(n, _)| n == "authorization")
            .map(|(_, v)| v.as_str())
            .unwrap();
        assert!(auth.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/bedrock/aws4_request"
        ));
        assert!(auth.contains("SignedHeaders=content-type;host;x-amz-date"));
    }
}
