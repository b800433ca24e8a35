//! Latency-optimized inference and service tiers in the emulator: the request's
//! `X-Amzn-Bedrock-PerformanceConfig-Latency` and `X-Amzn-Bedrock-Service-Tier` are checked
//! against their enumerations, a paced stream runs faster or slower by them, the metrics'
//! latencies follow, and the response names what it was served at in the same headers
//! [unverified: Bedrock's confirming headers].

use bedrock_tui_models::InvocationMetrics;

/// How a request asked to be served.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Service {
    latency: Option<String>,
    tier: Option<String>,
}

const LATENCIES: &[&str] = &["standard", "optimized"];
const TIERS: &[&str] = &["priority", "default", "flex", "reserved"];

/// The service a request's headers ask for, or Bedrock's validation message.
pub(crate) fn read(latency: Option<&str>, tier: Option<&str>) -> Result<Service, String> {
    let check = |value: Option<&str>, member: &str, allowed: &[&str]| match value {
        Some(v) if !allowed.contains(&v) => Err(format!(
            "1 validation error detected: Value '{v}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
            allowed.join(", ")
        )),
        _ => Ok(value.map(str::to_string)),
    };
    Ok(Service {
        latency: check(latency, "performanceConfigLatency", LATENCIES)?,
        tier: check(tier, "serviceTier", TIERS)?,
    })
}

impl Service {
    /// How much faster than standard the answer streams.
    pub(crate) fn speed(&self) -> f64 {
        let latency = if self.latency.as_deref() == Some("optimized") {
            2.0
        } else {
            1.0
        };
        let tier = match self.tier.as_deref() {
            Some("priority") => 1.5,
            Some("flex") => 0.5,
            _ => 1.0,
        };
        latency * tier
    }

    /// The metrics' latencies at this speed.
    pub(crate) fn adjust(&self, metrics: &mut InvocationMetrics) {
        let speed = self.speed();
        let scale = |ms: Option<u64>| ms.map(|ms| ((ms as f64) / speed).round() as u64);
        metrics.first_byte_latency = scale(metrics.first_byte_latency);
        metrics.invocation_latency = scale(metrics.invocation_latency);
    }

    /// The response headers that say what the request was served at.
    pub(crate) fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = Vec::new();
        if let Some(latency) = &self.latency {
            headers.push(("x-amzn-bedrock-performanceconfig-latency", latency.clone()));
        }
        if let Some(tier) = &self.tier {
            headers.push(("x-amzn-bedrock-service-tier", tier.clone()));
        }
        headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_are_checked_and_change_the_pace() {
        assert!(
            read(Some("fast"), None)
                .unwrap_err()
                .contains("[standard, optimized]")
        );
        assert!(
            read(None, Some("gold"))
                .unwrap_err()
                .contains("serviceTier")
        );
        let fast = read(Some("optimized"), Some("priority")).unwrap();
        assert!((fast.speed() - 3.0).abs() < 1e-9);
        let slow = read(None, Some("flex")).unwrap();
        let mut metrics = InvocationMetrics {
            first_byte_latency: Some(150),
            ..InvocationMetrics::default()
        };
        slow.adjust(&mut metrics);
        assert_eq!(metrics.first_byte_latency, Some(300));
        assert_eq!(
            slow.headers(),
            [("x-amzn-bedrock-service-tier", "flex".to_string())]
        );
    }
}
