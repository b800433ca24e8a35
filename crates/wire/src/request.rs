//! What goes into an InvokeModel request besides the body: the encoded model-id path, the
//! optional Bedrock headers, and the endpoint.

use super::error::BedrockError;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// The characters smithy-rs percent-encodes in a path label (`urlencode.rs` `BASE_SET`); `/` is
/// included because the model id is one segment.
const LABEL_SET: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'/')
    .add(b':')
    .add(b',')
    .add(b'?')
    .add(b'#')
    .add(b'[')
    .add(b']')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'@')
    .add(b'!')
    .add(b'$')
    .add(b'&')
    .add(b'\'')
    .add(b'(')
    .add(b')')
    .add(b'*')
    .add(b'+')
    .add(b';')
    .add(b'=')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'"')
    .add(b'^')
    .add(b'`')
    .add(b'\\');

/// Encodes a model id (or ARN) as one path segment: `:` becomes `%3A`, `/` becomes `%2F`.
pub fn encode_model_id(model_id: &str) -> String {
    utf8_percent_encode(model_id, LABEL_SET).to_string()
}

/// The runtime operations on a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `InvokeModel`.
    Invoke,
    /// `InvokeModelWithResponseStream`.
    InvokeStream,
    /// `Converse`.
    Converse,
    /// `ConverseStream`.
    ConverseStream,
    /// `CountTokens`.
    CountTokens,
}

impl Operation {
    /// The last path segment.
    pub(crate) fn path_suffix(self) -> &'static str {
        match self {
            Operation::Invoke => "invoke",
            Operation::InvokeStream => "invoke-with-response-stream",
            Operation::Converse => "converse",
            Operation::ConverseStream => "converse-stream",
            Operation::CountTokens => "count-tokens",
        }
    }
}

/// Which of Bedrock Runtime's APIs a request goes through: a model's native body on
/// InvokeModel, or the one format of Converse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Api {
    /// `InvokeModel` and `InvokeModelWithResponseStream`.
    #[default]
    Invoke,
    /// `Converse` and `ConverseStream`.
    Converse,
}

impl Api {
    /// Every API, as `--api` names them.
    pub const ALL: &'static [Api] = &[Api::Invoke, Api::Converse];

    /// Its name on the command line and in config.toml (`invoke`, `converse`).
    pub fn name(self) -> &'static str {
        match self {
            Api::Invoke => "invoke",
            Api::Converse => "converse",
        }
    }

    /// The API named `name`, if any.
    pub fn from_name(name: &str) -> Option<Api> {
        Api::ALL.iter().copied().find(|api| api.name() == name)
    }

    /// The operation that sends a request of this API, streamed or not.
    pub fn operation(self, stream: bool) -> Operation {
        match (self, stream) {
            (Api::Invoke, false) => Operation::Invoke,
            (Api::Invoke, true) => Operation::InvokeStream,
            (Api::Converse, false) => Operation::Converse,
            (Api::Converse, true) => Operation::ConverseStream,
        }
    }
}

impl std::fmt::Display for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The path of an operation on a model, with the id encoded.
pub(crate) fn operation_path(model_id: &str, operation: Operation) -> Result<String, BedrockError> {
    if model_id.is_empty() || model_id.len() > 2048 {
        return Err(BedrockError::Config(format!(
            "model id must be 1 to 2048 characters, got {}",
            model_id.len()
        )));
    }
    Ok(format!(
        "/model/{}/{}",
        encode_model_id(model_id),
        operation.path_suffix()
    ))
}

/// Optional per-request settings. `None` leaves a header out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvokeOptions {
    /// `Accept` (InvokeModel) or `X-Amzn-Bedrock-Accept` (stream); default `application/json`.
    pub accept: Option<String>,
    /// `Content-Type`; default `application/json`.
    pub content_type: Option<String>,
    /// `X-Amzn-Bedrock-Trace`: `ENABLED`, `DISABLED` or `ENABLED_FULL`.
    pub trace: Option<String>,
    /// `X-Amzn-Bedrock-GuardrailIdentifier`.
    pub guardrail_identifier: Option<String>,
    /// `X-Amzn-Bedrock-GuardrailVersion`.
    pub guardrail_version: Option<String>,
    /// `X-Amzn-Bedrock-PerformanceConfig-Latency`: `standard` or `optimized`.
    pub performance_latency: Option<String>,
    /// `X-Amzn-Bedrock-Service-Tier`: `priority`, `default`, `flex` or `reserved`.
    pub service_tier: Option<String>,
}

impl InvokeOptions {
    /// The request headers for an operation (names in lower case), besides signing headers.
    pub fn headers(&self, operation: Operation) -> Vec<(&'static str, String)> {
        let json = || "application/json".to_string();
        let accept_header = match operation {
            Operation::Invoke => "accept",
            Operation::InvokeStream => "x-amzn-bedrock-accept",
            // JSON operations of their own: no model headers (Converse carries the guardrail,
            // latency and tier in its body).
            Operation::CountTokens | Operation::Converse => {
                return vec![("content-type", json()), ("accept", json())];
            }
            Operation::ConverseStream => return vec![("content-type", json())],
        };
        let mut headers = vec![
            (
                "content-type",
                self.content_type.clone().unwrap_or_else(json),
            ),
            (accept_header, self.accept.clone().unwrap_or_else(json)),
        ];
        let optional = [
            ("x-amzn-bedrock-trace", &self.trace),
            (
                "x-amzn-bedrock-guardrailidentifier",
                &self.guardrail_identifier,
            ),
            ("x-amzn-bedrock-guardrailversion", &self.guardrail_version),
            (
                "x-amzn-bedrock-performanceconfig-latency",
                &self.performance_latency,
            ),
            ("x-amzn-bedrock-service-tier", &self.service_tier),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                headers.push((name, value.clone()));
            }
        }
        headers
    }

    /// Checks the enumerated headers before anything is sent.
    pub fn validate(&self) -> Result<(), BedrockError> {
        let check = |name: &str, value: &Option<String>, allowed: &[&str]| match value {
            Some(v) if !allowed.contains(&v.as_str()) => Err(BedrockError::Config(format!(
                "{name} must be one of {}, got {v:?}",
                allowed.join(", ")
            ))),
            _ => Ok(()),
        };
        check(
            "trace",
            &self.trace,
            &["ENABLED", "DISABLED", "ENABLED_FULL"],
        )?;
        check(
            "performance latency",
            &self.performance_latency,
            &["standard", "optimized"],
        )?;
        check(
            "service tier",
            &self.service_tier,
            &["priority", "default", "flex", "reserved"],
        )?;
        if self.guardrail_identifier.is_some() != self.guardrail_version.is_some() {
            return Err(BedrockError::Config(
                "a guardrail needs both an identifier and a version".to_string(),
            ));
        }
        Ok(())
    }
}

/// The DNS suffixes of a region's partition: the usual one and the dual-stack one (`None`
/// where the partition has no dual-stack endpoints). From the partitions the AWS SDKs ship
/// (aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f).
fn partition(region: &str) -> (&'static str, &'static str, Option<&'static str>) {
    if region.starts_with("cn-") {
        (
            "aws-cn",
            "amazonaws.com.cn",
            Some("api.amazonwebservices.com.cn"),
        )
    } else if region.starts_with("us-isob-") {
        ("aws-iso-b", "sc2s.sgov.gov", None)
    } else if region.starts_with("us-isof-") {
        ("aws-iso-f", "csp.hci.ic.gov", None)
    } else if region.starts_with("us-iso-") {
        ("aws-iso", "c2s.ic.gov", None)
    } else if region.starts_with("eu-isoe-") {
        ("aws-iso-e", "cloud.adc-e.uk", None)
    } else if region.starts_with("us-gov-") {
        ("aws-us-gov", "amazonaws.com", Some("api.aws"))
    } else {
        ("aws", "amazonaws.com", Some("api.aws"))
    }
}

/// A service's endpoint in a region as the SDKs build it: `https://{service}[-fips].{region}.`
/// then the partition's suffix, or its dual-stack suffix.
pub fn service_endpoint(
    service: &str,
    region: &str,
    fips: bool,
    dual_stack: bool,
) -> Result<String, BedrockError> {
    let (name, dns, dual) = partition(region);
    let suffix = if dual_stack {
        dual.ok_or_else(|| {
            BedrockError::Config(format!(
                "the {name} partition ({region}) has no dual-stack endpoints; unset AWS_USE_DUALSTACK_ENDPOINT / use_dualstack_endpoint"
            ))
        })?
    } else {
        dns
    };
    let host = if fips {
        format!("{service}-fips")
    } else {
        service.to_string()
    };
    Ok(format!("https://{host}.{region}.{suffix}"))
}

/// The control-plane endpoint the user configured: `AWS_ENDPOINT_URL_BEDROCK`, then
/// `AWS_ENDPOINT_URL`, unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`.
pub fn configured_control_endpoint() -> Option<String> {
    let ignore = std::env::var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .is_ok_and(|v| v.eq_ignore_ascii_case("true"));
    if ignore {
        return None;
    }
    ["AWS_ENDPOINT_URL_BEDROCK", "AWS_ENDPOINT_URL"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
}

/// Checks and normalises an endpoint URL (scheme and host, no trailing slash).
pub fn normalize_endpoint(url: &str) -> Result<String, BedrockError> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|e| BedrockError::Config(format!("invalid endpoint URL {url:?}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(BedrockError::Config(format!(
            "invalid endpoint URL {url:?}: expected http(s)://host[:port]"
        )));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_ids_are_one_segment() {
        assert_eq!(
            operation_path("anthropic.claude-3-sonnet-20240229-v1:0", Operation::Invoke).unwrap(),
            "/model/anthropic.claude-3-sonnet-20240229-v1%3A0/invoke"
        );
        assert_eq!(
            encode_model_id(
                "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0"
            ),
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-haiku-20240307-v1%3A0"
        );
        assert!(operation_path("", Operation::Invoke).is_err());
    }

    #[test]
    fn stream_uses_bedrock_accept_header() {
        let opts = InvokeOptions {
            trace: Some("ENABLED".into()),
            ..Default::default()
        };
        let headers = opts.headers(Operation::InvokeStream);
        assert!(headers.contains(&("x-amzn-bedrock-accept", "application/json".into())));
        assert!(headers.contains(&("x-amzn-bedrock-trace", "ENABLED".into())));
        assert!(opts.validate().is_ok());
        let bad = InvokeOptions {
            guardrail_identifier: Some("gr".into()),
            ..Default::default()
        };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn endpoints() {
        assert_eq!(
            service_endpoint("bedrock-runtime", "eu-west-1", false, false).unwrap(),
            "https://bedrock-runtime.eu-west-1.amazonaws.com"
        );
        for (region, fips, dual, host) in [
            (
                "us-east-1",
                true,
                false,
                "https://bedrock-runtime-fips.us-east-1.amazonaws.com",
            ),
            (
                "us-east-1",
                false,
                true,
                "https://bedrock-runtime.us-east-1.api.aws",
            ),
            (
                "us-east-1",
                true,
                true,
                "https://bedrock-runtime-fips.us-east-1.api.aws",
            ),
            (
                "cn-north-1",
                false,
                false,
                "https://bedrock-runtime.cn-north-1.amazonaws.com.cn",
            ),
            (
                "cn-north-1",
                false,
                true,
                "https://bedrock-runtime.cn-north-1.api.amazonwebservices.com.cn",
            ),
            (
                "us-gov-west-1",
                true,
                false,
                "https://bedrock-runtime-fips.us-gov-west-1.amazonaws.com",
            ),
            (
                "us-iso-east-1",
                false,
                false,
                "https://bedrock-runtime.us-iso-east-1.c2s.ic.gov",
            ),
            (
                "us-isob-east-1",
                false,
                false,
                "https://bedrock-runtime.us-isob-east-1.sc2s.sgov.gov",
            ),
        ] {
            assert_eq!(
                service_endpoint("bedrock-runtime", region, fips, dual).unwrap(),
                host
            );
        }
        assert!(service_endpoint("bedrock-runtime", "us-iso-east-1", false, true).is_err());
        assert_eq!(
            normalize_endpoint("http://127.0.0.1:4000/").unwrap(),
            "http://127.0.0.1:4000"
        );
        assert!(normalize_endpoint("ftp://x").is_err());
    }
}
