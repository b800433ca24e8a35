//! Which profile, region and endpoint a run uses, and where each came from, by one order for
//! every command: the command-line flag, then the environment, then config.toml, then the AWS
//! profile (its `region`), then the default. A profile named by flag or config.toml is
//! *explicit*: credentials then come from it, not from `AWS_ACCESS_KEY_ID` in the environment, as
//! the aws CLI does with `--profile`.

use crate::bedrock::{RetryPolicy, Timeouts};
use crate::config::Config;
use std::fmt;
use std::time::Duration;

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// config.toml.
    ConfigFile,
    /// The AWS profile of that name (`~/.aws/config`).
    Profile(String),
    /// Nothing said; the default.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "flag {flag}"),
            Source::Env(name) => write!(f, "environment {name}"),
            Source::ConfigFile => f.write_str("config.toml"),
            Source::Profile(name) => write!(f, "profile {name}"),
            Source::Default => f.write_str("default"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The value.
    pub value: String,
    /// Its source.
    pub source: Source,
}

/// What a run is pointed at, before credentials are loaded.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The AWS profile (`None`: the default profile).
    pub profile: Option<Setting>,
    /// Whether the profile was named by flag or config.toml (credentials come from it only).
    pub profile_explicit: bool,
    /// The region, when flag, environment or config.toml say (the profile's comes later).
    pub region: Option<Setting>,
    /// The runtime endpoint, when configured.
    pub endpoint: Option<Setting>,
    /// Why the built-in emulator is asked for, if it is.
    pub demo: Option<Source>,
    /// Retries.
    pub retry: RetryPolicy,
    /// Timeouts.
    pub timeouts: Timeouts,
}

fn env(name: &'static str) -> Option<Setting> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .map(|value| Setting {
            value,
            source: Source::Env(name),
        })
}

fn flag(name: &'static str, value: Option<&String>) -> Option<Setting> {
    value.filter(|v| !v.trim().is_empty()).map(|v| Setting {
        value: v.trim().to_string(),
        source: Source::Flag(name),
    })
}

fn file(value: Option<&String>) -> Option<Setting> {
    value.filter(|v| !v.trim().is_empty()).map(|v| Setting {
        value: v.trim().to_string(),
        source: Source::ConfigFile,
    })
}

/// Whether `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` turns configured endpoints off.
fn ignore_configured_endpoints() -> bool {
    std::env::var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .is_ok_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// A number of seconds for a timeout: finite, positive and at most a day.
fn seconds(flag: &str, value: Option<f64>, default: Duration) -> Result<Duration, String> {
    match value {
        None => Ok(default),
        Some(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Ok(Duration::from_secs_f64(s)),
        Some(s) => Err(format!(
            "{flag} {s}: a number of seconds above 0 and at most 86400"
        )),
    }
}

/// The command line's flags that decide where and how requests go (the CLI's own parsing
/// hands them over: this module knows no command line).
#[derive(Debug, Clone, Copy, Default)]
pub struct Flags<'a> {
    /// `--region`.
    pub region: Option<&'a String>,
    /// `--profile`.
    pub profile: Option<&'a String>,
    /// `--endpoint-url`.
    pub endpoint_url: Option<&'a String>,
    /// `--demo`.
    pub demo: bool,
    /// `--max-attempts`.
    pub max_attempts: Option<u32>,
    /// `--first-byte-timeout`, in seconds.
    pub first_byte_timeout: Option<f64>,
    /// `--idle-timeout`, in seconds.
    pub idle_timeout: Option<f64>,
    /// `--answer-timeout`, in seconds.
    pub answer_timeout: Option<f64>,
}

impl Settings {
    /// Resolves the flags over the environment over `config`.
    pub fn resolve(global: &Flags<'_>, config: &Config) -> Result<Settings, String> {
        let profile = flag("--profile", global.profile)
            .or_else(|| env("AWS_PROFILE"))
            .or_else(|| file(config.profile.as_ref()));
        let profile_explicit = profile
            .as_ref()
            .is_some_and(|p| matches!(p.source, Source::Flag(_) | Source::ConfigFile));
        let region = flag("--region", global.region)
            .or_else(|| env("AWS_REGION"))
            .or_else(|| env("AWS_DEFAULT_REGION"))
            .or_else(|| file(config.region.as_ref()));
        let endpoint = flag("--endpoint-url", global.endpoint_url).or_else(|| {
            if ignore_configured_endpoints() {
                return None;
            }
            env("AWS_ENDPOINT_URL_BEDROCK_RUNTIME")
                .or_else(|| env("AWS_ENDPOINT_URL"))
                .or_else(|| file(config.endpoint_url.as_ref()))
        });
        let demo = if global.demo {
            Some(Source::Flag("--demo"))
        } else if config.demo == Some(true) {
            Some(Source::ConfigFile)
        } else {
            None
        };
        let defaults = Timeouts::default();
        Ok(Settings {
            profile,
            profile_explicit,
            region,
            endpoint,
            demo,
            retry: RetryPolicy {
                max_attempts: global.max_attempts.unwrap_or(3),
                ..RetryPolicy::default()
            },
            timeouts: Timeouts {
                first_byte: seconds(
                    "--first-byte-timeout",
                    global.first_byte_timeout,
                    defaults.first_byte,
                )?,
                idle: seconds("--idle-timeout", global.idle_timeout, defaults.idle)?,
                answer: seconds("--answer-timeout", global.answer_timeout, defaults.answer)?,
                ..defaults
            },
        })
    }
}

/// Whether this machine has no AWS setup at all: no credentials, profile, region or endpoint
/// in the environment, no AWS config or credentials file, nothing in config.toml and no flags,
/// and not an EC2 instance (whose role the metadata service may hand out).
/// Only then may the chat answer from the built-in emulator unasked.
pub fn no_aws_setup(settings: &Settings) -> bool {
    const NAMES: &[&str] = &[
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_BEARER_TOKEN_BEDROCK",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
    ];
    let set = |name: &&str| std::env::var(name).is_ok_and(|v| !v.trim().is_empty());
    if NAMES.iter().any(set) {
        return false;
    }
    if settings.profile.is_some() || settings.region.is_some() || settings.endpoint.is_some() {
        return false;
    }
    // An EC2 instance (or an instance metadata service pointed at) may have a role.
    if crate::bedrock::auth::imds_allowed() {
        return false;
    }
    aws_files().iter().all(|path| !path.is_file())
}

/// The AWS config and credentials files: `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, else
/// `~/.aws/config` and `~/.aws/credentials`.
pub fn aws_files() -> Vec<std::path::PathBuf> {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let pick = |var: &str, default: &str| {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".aws").join(default)))
    };
    [
        pick("AWS_CONFIG_FILE", "config"),
        pick("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
    ]
    .into_iter()
    .flatten()
    .collect()
}
