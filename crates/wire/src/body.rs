//! Reading a response body under the client's limits: the idle timeout between reads (or, for
//! a stream, between whole frames), the answer deadline, the size cap; and an error response
//! read into a typed service error.

use super::client::{MAX_RESPONSE_BODY, Timeouts};
use super::error::{BedrockError, ExceptionKind, ServiceError, TimeoutKind, source_chain};
use super::stream::ResponseMeta;
use bytes::{Bytes, BytesMut};
use std::time::Instant;

/// Reads a whole body with the idle timeout between reads, the answer deadline (counted from
/// `started`) and the size cap.
pub async fn read_body(
    mut response: reqwest::Response,
    timeouts: Timeouts,
    started: Instant,
) -> Result<Bytes, BedrockError> {
    let mut body = BytesMut::new();
    let deadline = tokio::time::Instant::from_std(started + timeouts.answer);
    loop {
        let next = next_read(response.chunk(), timeouts, deadline)
            .await?
            .map_err(|e| {
                BedrockError::Transport(format!("response body broke off: {}", source_chain(&e)))
            })?;
        match next {
            Some(chunk) => {
                if body.len() + chunk.len() > MAX_RESPONSE_BODY {
                    return Err(BedrockError::TooLarge(format!(
                        "the response body passed the {} MiB limit; the rest was not read",
                        MAX_RESPONSE_BODY >> 20
                    )));
                }
                body.extend_from_slice(&chunk);
            }
            None => return Ok(body.freeze()),
        }
    }
}

/// Awaits one read: it fails with the idle timeout, or with the answer timeout when the answer
/// deadline comes first.
pub(crate) async fn next_read<T>(
    read: impl std::future::Future<Output = T>,
    timeouts: Timeouts,
    deadline: tokio::time::Instant,
) -> Result<T, BedrockError> {
    let idle_end = tokio::time::Instant::now() + timeouts.idle;
    next_read_until(read, timeouts, idle_end, deadline).await
}

/// [`next_read`] with the idle limit ending at `idle_end` (a stream counts it from its last
/// whole frame, not its last byte).
pub(crate) async fn next_read_until<T>(
    read: impl std::future::Future<Output = T>,
    timeouts: Timeouts,
    idle_end: tokio::time::Instant,
    deadline: tokio::time::Instant,
) -> Result<T, BedrockError> {
    let (end, kind, after) = if deadline <= idle_end {
        (deadline, TimeoutKind::Answer, timeouts.answer)
    } else {
        (idle_end, TimeoutKind::Idle, timeouts.idle)
    };
    tokio::time::timeout_at(end, read)
        .await
        .map_err(|_| BedrockError::Timeout { kind, after })
}

/// Reads an error response into a typed service error.
pub async fn service_error(
    response: reqwest::Response,
    meta: ResponseMeta,
    timeouts: Timeouts,
    started: Instant,
) -> Result<ServiceError, BedrockError> {
    let code = meta.header("x-amzn-errortype").map(str::to_string);
    let retry_after = meta
        .header("x-amz-retry-after")
        .and_then(|v| v.parse().ok());
    let body = read_body(response, timeouts, started).await?;
    let mut error = ServiceError::from_body(code.as_deref(), &body);
    if let ExceptionKind::Other(name) = &error.kind
        && name == "UnknownError"
    {
        error.kind = ExceptionKind::Other(format!("HTTP{}", meta.status));
    }
    error.status = Some(meta.status);
    error.request_id.clone_from(&meta.request_id);
    error.retry_after_ms = retry_after;
    Ok(error)
}
