//! Decides where requests go: Bedrock with the AWS credential chain or an API key, a configured
//! endpoint, or the in-process emulator when nothing AWS-related is configured (or `--demo`).

use crate::bedrock::auth::{
    AwsSettings, BearerToken, CredentialsCache, default_chain, imds_allowed, resolve_region,
};
use crate::bedrock::request::{configured_control_endpoint, normalize_endpoint, service_endpoint};
use crate::bedrock::{Auth, BedrockError, Client, ClientConfig};
use crate::emulator::{Emulator, EmulatorConfig};
use crate::settings::{Setting, Settings, Source, no_aws_setup};
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
    /// Endpoints and TLS trust, for AWS (the emulator has none).
    pub routes: Option<Routes>,
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
        routes: None,
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
        credential_process: crate::aws_profile::read(profile.as_deref())
            .await
            .credential_process,
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
        let probed = cache
            .probe()
            .await
            .map_err(|e| with_credential_hint(e, aws.profile.as_deref()))?;
        match probed {
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
    let routes = routes(settings, profile.as_deref(), &region).await?;
    let client = Client::trusting(
        ClientConfig {
            endpoint: routes.runtime.value.clone(),
            region: region.clone(),
            auth,
            retry: settings.retry,
            timeouts: settings.timeouts,
            control_endpoint: Some(routes.control.value.clone()),
        },
        &routes.roots,
    )?;
    Ok(Connection {
        client,
        emulator: None,
        description: format!("{} ({region})", routes.runtime.value),
        fallback_reason: None,
        region_source,
        credentials_source,
        routes: Some(routes),
    })
}

/// Where requests go and whom TLS trusts, and where each came from.
#[derive(Debug, Clone)]
pub struct Routes {
    /// The Bedrock Runtime endpoint.
    pub runtime: Setting,
    /// The control-plane (`bedrock`) endpoint.
    pub control: Setting,
    /// FIPS endpoints (`AWS_USE_FIPS_ENDPOINT`, `use_fips_endpoint`).
    pub fips: bool,
    /// Dual-stack endpoints (`AWS_USE_DUALSTACK_ENDPOINT`, `use_dualstack_endpoint`).
    pub dual_stack: bool,
    /// The CA bundle trusted besides the system's roots, and where it was named.
    pub ca_bundle: Option<Setting>,
    /// Its certificates.
    pub roots: Vec<reqwest::Certificate>,
}

fn env_flag(name: &str) -> Option<bool> {
    match std::env::var(name)
        .ok()?
        .trim()
        .to_ascii_lowercase()
        .as_str()
    {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

fn named(value: String, source: Source) -> Setting {
    Setting { value, source }
}

/// Resolves the endpoints as the SDKs do (flag, then `AWS_ENDPOINT_URL_<SERVICE>` and
/// `AWS_ENDPOINT_URL`, config.toml, the profile's `services` section and `endpoint_url`, all but
/// the flag off with `ignore_configured_endpoint_urls`; else the region's host, FIPS and
/// dual-stack as asked, in its partition), and the CA bundle (`AWS_CA_BUNDLE`, the profile's
/// `ca_bundle`).
pub async fn routes(
    settings: &Settings,
    profile: Option<&str>,
    region: &str,
) -> Result<Routes, BedrockError> {
    let values = crate::aws_profile::read(profile).await;
    let profile_name = profile.unwrap_or("default").to_string();
    let from_profile =
        |value: Option<String>| value.map(|v| named(v, Source::Profile(profile_name.clone())));
    let ignore = env_flag("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .or(values.ignore_configured_endpoint_urls)
        .unwrap_or(false);
    let fips = env_flag("AWS_USE_FIPS_ENDPOINT")
        .or(values.use_fips)
        .unwrap_or(false);
    let dual_stack = env_flag("AWS_USE_DUALSTACK_ENDPOINT")
        .or(values.use_dualstack)
        .unwrap_or(false);
    let configured_runtime = match &settings.endpoint {
        Some(given) if matches!(given.source, Source::Flag(_)) || !ignore => Some(given.clone()),
        _ if ignore => None,
        _ => from_profile(values.runtime_endpoint_url.clone())
            .or_else(|| from_profile(values.endpoint_url.clone())),
    };
    let runtime = match configured_runtime {
        Some(given) => named(normalize_endpoint(&given.value)?, given.source),
        None => named(
            service_endpoint("bedrock-runtime", region, fips, dual_stack)?,
            Source::Default,
        ),
    };
    let configured_control = if ignore {
        None
    } else {
        configured_control_endpoint()
            .map(|url| named(url, Source::Env("AWS_ENDPOINT_URL_BEDROCK")))
            .or_else(|| from_profile(values.control_endpoint_url.clone()))
            .or_else(|| from_profile(values.endpoint_url.clone()))
    };
    let control = match configured_control {
        Some(given) => named(normalize_endpoint(&given.value)?, given.source),
        None => named(
            service_endpoint("bedrock", region, fips, dual_stack)?,
            Source::Default,
        ),
    };
    let ca_bundle = std::env::var("AWS_CA_BUNDLE")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| named(v, Source::Env("AWS_CA_BUNDLE")))
        .or_else(|| from_profile(values.ca_bundle.clone()));
    let roots = match &ca_bundle {
        Some(bundle) => read_ca_bundle(&bundle.value, &bundle.source)?,
        None => Vec::new(),
    };
    Ok(Routes {
        runtime,
        control,
        fips,
        dual_stack,
        ca_bundle,
        roots,
    })
}

/// The certificates of a PEM bundle (one or more); the error names the file and the setting.
fn read_ca_bundle(path: &str, source: &Source) -> Result<Vec<reqwest::Certificate>, BedrockError> {
    let pem = std::fs::read(path).map_err(|e| {
        BedrockError::Config(format!("cannot read the CA bundle {path} ({source}): {e}"))
    })?;
    let roots = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
        BedrockError::Config(format!(
            "the CA bundle {path} ({source}) is not PEM certificates: {e}"
        ))
    })?;
    if roots.is_empty() {
        return Err(BedrockError::Config(format!(
            "the CA bundle {path} ({source}) holds no certificate"
        )));
    }
    Ok(roots)
}

/// A credential error with the fix for its kind: `aws sso login` for SSO, the profile named.
fn with_credential_hint(error: BedrockError, profile: Option<&str>) -> BedrockError {
    let BedrockError::Credentials(message) = error else {
        return error;
    };
    let profile = profile.unwrap_or("default");
    let lower = message.to_ascii_lowercase();
    let hint = if lower.contains("/login/cache") || lower.contains("login session") {
        format!(
            "; the console login of profile {profile:?} is missing or expired: run `aws login --profile {profile}`"
        )
    } else if lower.contains("sso") || lower.contains("token has expired") {
        format!(
            "; the SSO session of profile {profile:?} is missing or expired: run `aws sso login --profile {profile}`"
        )
    } else if lower.contains("credential_process") || lower.contains("process provider") {
        format!("; the credential_process of profile {profile:?} failed")
    } else if lower.contains("assume") || lower.contains("sts") {
        format!(
            "; assuming the role of profile {profile:?} failed: check role_arn and source_profile"
        )
    } else {
        format!(" (profile {profile:?})")
    };
    BedrockError::Credentials(format!("{message}{hint}"))
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
