//! When to retry a request and how long to wait for each part of its answer.

use std::time::Duration;

/// When and how often to retry a request that failed before any response body.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all, including the first; 1 disables retries.
    pub max_attempts: u32,
    /// Delay before the first retry, doubled each time.
    pub base_delay: Duration,
    /// Ceiling of one delay.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// The delay before retry number `retry` (1-based): exponential, with the upper half
    /// jittered, and at least what the service asked for.
    pub fn delay(&self, retry: u32, retry_after_ms: Option<u64>) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << retry.saturating_sub(1).min(16))
            .min(self.max_delay);
        let half = exp / 2;
        let jitter = Duration::from_secs_f64(half.as_secs_f64() * fastrand::f64());
        let wait = half + jitter;
        match retry_after_ms {
            Some(ms) => wait.max(Duration::from_millis(ms).min(self.max_delay)),
            None => wait,
        }
    }
}

/// Timeouts of one request.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Establishing the connection.
    pub connect: Duration,
    /// From sending the request to the response headers.
    pub first_byte: Duration,
    /// Longest wait for the next frame of a stream, or the next bytes of a whole body. A
    /// stream that trickles bytes but completes no frame in this time is stalled.
    pub idle: Duration,
    /// Longest time for the whole answer, from the request to its last byte (Bedrock's own
    /// limit on an invocation is 60 minutes): a server that trickles forever is stopped.
    pub answer: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            first_byte: Duration::from_mins(2),
            idle: Duration::from_mins(1),
            answer: Duration::from_hours(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(400),
        };
        for _ in 0..50 {
            let first = policy.delay(1, None);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let late = policy.delay(10, None);
            assert!(late >= Duration::from_millis(200) && late <= Duration::from_millis(400));
            assert!(policy.delay(1, Some(300)) >= Duration::from_millis(300));
        }
    }
}
