//! What the selected AWS profile says beyond credentials and region, read with aws-config's own
//! profile parser (so `~/.aws/config` is read as every AWS SDK reads it): `ca_bundle`,
//! `endpoint_url`, a `services` section's `bedrock-runtime` / `bedrock` `endpoint_url`,
//! `use_fips_endpoint`, `use_dualstack_endpoint` and `ignore_configured_endpoint_urls`.

use aws_runtime::env_config::property::PropertiesKey;
use aws_types::os_shim_internal::{Env, Fs};
use std::borrow::Cow;

/// The endpoint-related settings of one profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileValues {
    /// `ca_bundle`: a PEM file of certificates to trust besides the system's.
    pub ca_bundle: Option<String>,
    /// `endpoint_url` of the profile (every service).
    pub endpoint_url: Option<String>,
    /// `services` section: `bedrock-runtime` → `endpoint_url`.
    pub runtime_endpoint_url: Option<String>,
    /// `services` section: `bedrock` → `endpoint_url`.
    pub control_endpoint_url: Option<String>,
    /// `use_fips_endpoint`.
    pub use_fips: Option<bool>,
    /// `use_dualstack_endpoint`.
    pub use_dualstack: Option<bool>,
    /// `ignore_configured_endpoint_urls`.
    pub ignore_configured_endpoint_urls: Option<bool>,
    /// `credential_process`, when the profile names one itself (not through a source profile).
    pub credential_process: Option<String>,
}

fn flag(value: Option<&str>) -> Option<bool> {
    match value?.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// Reads the profile `name` (else `AWS_PROFILE`, else `default`) from the AWS config and
/// credentials files; a missing or unreadable file says nothing.
pub async fn read(name: Option<&str>) -> ProfileValues {
    let selected = name.map(|n| Cow::Owned(n.to_string()));
    let Ok(set) = aws_config::profile::load(
        &Fs::real(),
        &Env::real(),
        &aws_runtime::env_config::file::EnvConfigFiles::default(),
        selected,
    )
    .await
    else {
        return ProfileValues::default();
    };
    let Some(profile) = set.get_profile(set.selected_profile()) else {
        return ProfileValues::default();
    };
    let text = |key: &str| {
        profile
            .get(key)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let service = |service: &str| {
        let section = profile.get("services")?;
        let key = PropertiesKey::builder()
            .section_key("services")
            .section_name(section)
            .property_name(service)
            .sub_property_name("endpoint_url")
            .build()
            .ok()?;
        set.other_sections()
            .get(&key)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    ProfileValues {
        ca_bundle: text("ca_bundle"),
        endpoint_url: text("endpoint_url"),
        runtime_endpoint_url: service("bedrock-runtime").or_else(|| service("bedrock_runtime")),
        control_endpoint_url: service("bedrock"),
        use_fips: flag(profile.get("use_fips_endpoint")),
        use_dualstack: flag(profile.get("use_dualstack_endpoint")),
        ignore_configured_endpoint_urls: flag(profile.get("ignore_configured_endpoint_urls")),
        credential_process: text("credential_process"),
    }
}
