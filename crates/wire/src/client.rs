//! The Bedrock Runtime HTTP client: `InvokeModel`, `Converse`, their streams and `CountTokens`
//! over reqwest (rustls), signed with SigV4 or a Bedrock API key, with retries before the first
//! byte and connect / first-byte / idle timeouts.

use super::auth::{BearerToken, CredentialsCache, sign_sigv4};
use super::body::{read_body, service_error};
use super::error::{BedrockError, ExceptionKind, TimeoutKind, source_chain};
pub use super::policy::{RetryPolicy, Timeouts};
use super::request::{Api, InvokeOptions, Operation, operation_path};
use super::stream::{ResponseMeta, ResponseStream};
use super::wire::WireLog;
use bytes::Bytes;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// Largest non-streamed response body read into memory (the Smithy model's 25,000,000-byte
/// blob limit, rounded up).
pub(crate) const MAX_RESPONSE_BODY: usize = 32 * 1024 * 1024;

/// How requests are authenticated.
#[derive(Debug, Clone)]
pub enum Auth {
    /// SigV4 with credentials from a cache.
    SigV4(Arc<CredentialsCache>),
    /// `Authorization: Bearer` with a Bedrock API key.
    Bearer(BearerToken),
}

/// Everything a client needs to reach Bedrock Runtime.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Scheme, host and port, no trailing slash.
    pub endpoint: String,
    /// The signing region.
    pub region: String,
    /// How to authenticate.
    pub auth: Auth,
    /// Retry policy.
    pub retry: RetryPolicy,
    /// Timeouts.
    pub timeouts: Timeouts,
    /// The control-plane (`bedrock` service) endpoint for model listing; `None` means the
    /// region's `https://bedrock.{region}.amazonaws.com`.
    pub control_endpoint: Option<String>,
}

/// The `User-Agent` of every request.
const USER_AGENT: &str = concat!("bedrock-tui/", env!("CARGO_PKG_VERSION"));

/// A non-streamed response.
#[derive(Debug, Clone)]
pub struct InvokeResponse {
    /// Status, headers and timings.
    pub meta: ResponseMeta,
    /// The model's response body.
    pub body: Bytes,
    /// Time from the first attempt to the end of the body.
    pub total: Duration,
}

/// A Bedrock Runtime client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    config: Arc<ClientConfig>,
}

impl Client {
    /// Builds a client.
    pub fn new(config: ClientConfig) -> Result<Self, BedrockError> {
        Client::trusting(config, &[])
    }

    /// Builds a client that trusts `extra_roots` (a CA bundle) besides the system's roots.
    pub fn trusting(
        config: ClientConfig,
        extra_roots: &[reqwest::Certificate],
    ) -> Result<Self, BedrockError> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(config.timeouts.connect)
            .tcp_nodelay(true)
            .pool_idle_timeout(Duration::from_mins(1))
            // Bedrock never redirects: a redirect is reported, never followed with the
            // credentials and the prompt.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT);
        for root in extra_roots {
            builder = builder.add_root_certificate(root.clone());
        }
        let http = builder
            .build()
            .map_err(|e| BedrockError::Config(format!("cannot build HTTP client: {e}")))?;
        Ok(Client {
            http,
            config: Arc::new(config),
        })
    }

    /// The client's configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// `InvokeModel`: sends `body` and reads the whole response.
    pub async fn invoke(
        &self,
        model_id: &str,
        body: Bytes,
        options: &InvokeOptions,
    ) -> Result<InvokeResponse, BedrockError> {
        self.send_whole(Api::Invoke, model_id, body, options, None)
            .await
    }

    /// `InvokeModel` or `Converse`: sends `body` and reads the whole response, keeping each
    /// attempt as sent (secrets redacted) in `log`.
    pub async fn send_whole(
        &self,
        api: Api,
        model_id: &str,
        body: Bytes,
        options: &InvokeOptions,
        log: Option<&WireLog>,
    ) -> Result<InvokeResponse, BedrockError> {
        let started = Instant::now();
        let (response, meta) = self
            .send(model_id, api.operation(false), body, options, started, log)
            .await?;
        // The model's JSON was asked for: an HTML error page from a proxy is not a model error.
        let wants_json = api == Api::Converse
            || options
                .accept
                .as_deref()
                .is_none_or(|a| a.eq_ignore_ascii_case("application/json"));
        let got = meta.http_content_type.as_deref().unwrap_or("");
        if wants_json && !got.trim().is_empty() && !media_type_is(got, "application/json") {
            return Err(BedrockError::UnexpectedContentType {
                expected: "application/json",
                got: super::error::server_text(got),
            });
        }
        let body = read_body(response, self.config.timeouts, started).await?;
        Ok(InvokeResponse {
            meta,
            body,
            total: started.elapsed(),
        })
    }

    /// `CountTokens` for an InvokeModel body: the input tokens the model would count. It takes
    /// a foundation model's own id (inference profiles are not counted): the caller gives the
    /// base id of a profile (the models crate's `base_model_id`).
    pub async fn count_tokens(
        &self,
        base_model_id: &str,
        body: &[u8],
    ) -> Result<u64, BedrockError> {
        use base64::Engine;
        let input = serde_json::json!({"invokeModel": {
            "body": base64::engine::general_purpose::STANDARD.encode(body)}});
        self.count_tokens_of(base_model_id, input).await
    }

    /// `CountTokens` for any input it takes: `{"invokeModel": {"body": base64}}` or
    /// `{"converse": {"messages": …, "system": …}}`.
    pub async fn count_tokens_of(
        &self,
        base_model_id: &str,
        input: serde_json::Value,
    ) -> Result<u64, BedrockError> {
        let request = serde_json::json!({ "input": input });
        let started = Instant::now();
        let (response, _meta) = self
            .send(
                base_model_id,
                Operation::CountTokens,
                Bytes::from(request.to_string()),
                &InvokeOptions::default(),
                started,
                None,
            )
            .await?;
        let answer = read_body(response, self.config.timeouts, started).await?;
        serde_json::from_slice::<serde_json::Value>(&answer)
            .ok()
            .and_then(|v| v.get("inputTokens").and_then(serde_json::Value::as_u64))
            .ok_or_else(|| {
                BedrockError::MalformedResponse(format!(
                    "CountTokens answered without inputTokens: {}",
                    super::error::server_text(&String::from_utf8_lossy(&answer))
                ))
            })
    }

    /// `InvokeModelWithResponseStream`: sends `body` and returns the stream once the response
    /// headers have arrived.
    pub async fn invoke_stream(
        &self,
        model_id: &str,
        body: Bytes,
        options: &InvokeOptions,
    ) -> Result<ResponseStream, BedrockError> {
        self.send_streamed(Api::Invoke, model_id, body, options, None)
            .await
    }

    /// `InvokeModelWithResponseStream` or `ConverseStream`: sends `body` and returns the stream
    /// once the response headers have arrived, keeping each attempt as sent (secrets redacted)
    /// in `log`. A ConverseStream event is handed on as one object keyed by its event type.
    pub async fn send_streamed(
        &self,
        api: Api,
        model_id: &str,
        body: Bytes,
        options: &InvokeOptions,
        log: Option<&WireLog>,
    ) -> Result<ResponseStream, BedrockError> {
        let started = Instant::now();
        let (response, meta) = self
            .send(model_id, api.operation(true), body, options, started, log)
            .await?;
        let content_type = meta.http_content_type.as_deref().unwrap_or("");
        if !media_type_is(content_type, "application/vnd.amazon.eventstream") {
            return Err(BedrockError::UnexpectedContentType {
                expected: "application/vnd.amazon.eventstream",
                got: super::error::server_text(content_type),
            });
        }
        Ok(ResponseStream::new(
            response,
            meta,
            self.config.timeouts,
            started,
        ))
    }

    /// Sends with retries until a 200 arrives or the error is final.
    async fn send(
        &self,
        model_id: &str,
        operation: Operation,
        body: Bytes,
        options: &InvokeOptions,
        started: Instant,
        log: Option<&WireLog>,
    ) -> Result<(reqwest::Response, ResponseMeta), BedrockError> {
        options.validate()?;
        let url = format!(
            "{}{}",
            self.config.endpoint,
            operation_path(model_id, operation)?
        );
        let headers = options.headers(operation);
        self.send_with_retries("POST", &url, &headers, body, started, log)
            .await
    }

    /// A control-plane `GET` (`/foundation-models`, `/inference-profiles?…`) on the `bedrock`
    /// service, signed like runtime requests; returns the whole JSON body.
    pub(crate) async fn control_get(&self, path_and_query: &str) -> Result<Bytes, BedrockError> {
        let endpoint = match &self.config.control_endpoint {
            Some(url) => url.clone(),
            None => default_control_endpoint(&self.config.region),
        };
        let url = format!("{endpoint}{path_and_query}");
        let headers = [("accept", "application/json".to_string())];
        let (response, _meta) = self
            .send_with_retries("GET", &url, &headers, Bytes::new(), Instant::now(), None)
            .await?;
        read_body(response, self.config.timeouts, Instant::now()).await
    }

    /// Sends with retries until a 200 arrives or the error is final.
    async fn send_with_retries(
        &self,
        method: &'static str,
        url: &str,
        headers: &[(&'static str, String)],
        body: Bytes,
        started: Instant,
        log: Option<&WireLog>,
    ) -> Result<(reqwest::Response, ResponseMeta), BedrockError> {
        let mut attempt = 0;
        let mut refreshed_credentials = false;
        loop {
            attempt += 1;
            let result = self
                .attempt(
                    method,
                    url,
                    headers,
                    &body,
                    started,
                    log.map(|l| (l, attempt)),
                )
                .await;
            let error = match result {
                Ok((response, mut meta)) if meta.status == 200 => {
                    if let Some(encoding) = meta.header("content-encoding")
                        && !encoding.trim().eq_ignore_ascii_case("identity")
                    {
                        return Err(BedrockError::Compressed(super::error::server_text(
                            encoding,
                        )));
                    }
                    meta.attempts = attempt;
                    return Ok((response, meta));
                }
                Ok((_, meta)) if (300..400).contains(&meta.status) => BedrockError::Redirect {
                    status: meta.status,
                    location: meta.header("location").map_or_else(
                        || "(no Location header)".to_string(),
                        super::error::server_text,
                    ),
                },
                Ok((response, meta)) => {
                    match service_error(response, meta, self.config.timeouts, started).await {
                        Ok(service) => BedrockError::Service(Box::new(service)),
                        // The error body itself could not be read: that failure is the error.
                        Err(reading) => reading,
                    }
                }
                Err(e) => e,
            };
            let retry_after = error.service().and_then(|e| e.retry_after_ms);
            let expired = error
                .service()
                .is_some_and(|e| e.kind == ExceptionKind::ExpiredToken);
            if expired
                && !refreshed_credentials
                && let Auth::SigV4(cache) = &self.config.auth
            {
                cache.invalidate().await;
                refreshed_credentials = true;
                attempt -= 1;
                continue;
            }
            if attempt >= self.config.retry.max_attempts || !is_retryable(&error) {
                return Err(error);
            }
            let wait = self.config.retry.delay(attempt, retry_after);
            if let Some(log) = log {
                log.retrying(super::wire::RetryNotice {
                    attempt,
                    max_attempts: self.config.retry.max_attempts,
                    error,
                    wait,
                });
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// One signed attempt, up to the response headers.
    async fn attempt(
        &self,
        method: &'static str,
        url: &str,
        headers: &[(&'static str, String)],
        body: &Bytes,
        started: Instant,
        log: Option<(&WireLog, u32)>,
    ) -> Result<(reqwest::Response, ResponseMeta), BedrockError> {
        let mut request = match method {
            "GET" => self.http.get(url),
            _ => self.http.post(url).body(body.clone()),
        };
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        // The HTTP client would add these two itself; set here, they are in the wire log too.
        request = request.header("user-agent", USER_AGENT);
        if !headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("accept"))
        {
            request = request.header("accept", "*/*");
        }
        match &self.config.auth {
            Auth::Bearer(token) => {
                request = request.bearer_auth(token.expose());
            }
            Auth::SigV4(cache) => {
                let credentials = cache.get().await?;
                let signable: Vec<(&str, &str)> =
                    headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
                let signed = sign_sigv4(
                    method,
                    url,
                    &signable,
                    body,
                    &credentials,
                    &self.config.region,
                    SystemTime::now(),
                )?;
                for (name, value) in signed {
                    request = request.header(name, value);
                }
            }
        }
        let timeouts = self.config.timeouts;
        let request = request
            .build()
            .map_err(|e| BedrockError::Config(format!("cannot build the request: {e}")))?;
        if let Some((log, attempt)) = log {
            log.push(sent_request(&request, body, attempt, started.elapsed()));
        }
        let response = tokio::time::timeout(timeouts.first_byte, self.http.execute(request))
            .await
            .map_err(|_| BedrockError::Timeout {
                kind: TimeoutKind::FirstByte,
                after: timeouts.first_byte,
            })?
            .map_err(|e| transport_error(&e, url, timeouts.connect))?;
        let meta = ResponseMeta::from_response(&response, started.elapsed());
        Ok((response, meta))
    }
}

/// A built request as it goes out, secrets redacted. `host` and `content-length` are added by
/// the HTTP layer when it writes the request; they are listed as they will be sent.
fn sent_request(
    request: &reqwest::Request,
    body: &Bytes,
    attempt: u32,
    at: Duration,
) -> crate::SentRequest {
    let url = request.url();
    let mut headers: Vec<(String, String)> = Vec::new();
    if let Some(host) = url.host_str() {
        let host = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        headers.push(("host".to_string(), host));
    }
    for (name, value) in request.headers() {
        let value = String::from_utf8_lossy(value.as_bytes());
        headers.push((
            name.as_str().to_string(),
            crate::wire::redact_header(name.as_str(), &value),
        ));
    }
    if request.method() != reqwest::Method::GET && request.headers().get("content-length").is_none()
    {
        headers.push(("content-length".to_string(), body.len().to_string()));
    }
    crate::SentRequest {
        attempt,
        at,
        method: request.method().to_string(),
        url: url.to_string(),
        headers,
        body: body.clone(),
    }
}

/// Whether a `Content-Type` value names `expected`: the media type compared without regard to
/// case, parameters (`; charset=utf-8`) allowed.
pub(crate) fn media_type_is(content_type: &str, expected: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(expected))
}

/// The control-plane endpoint of a region.
pub fn default_control_endpoint(region: &str) -> String {
    super::request::service_endpoint("bedrock", region, false, false)
        .unwrap_or_else(|_| format!("https://bedrock.{region}.amazonaws.com"))
}

fn is_retryable(error: &BedrockError) -> bool {
    match error {
        BedrockError::Service(e) => {
            e.kind.is_retryable() || matches!(e.status, Some(500 | 502 | 503 | 504))
        }
        BedrockError::Transport(msg) => msg.starts_with(CONNECT_FAILED),
        BedrockError::Timeout {
            kind: TimeoutKind::Connect,
            ..
        } => true,
        _ => false,
    }
}

const CONNECT_FAILED: &str = "cannot connect to";

fn transport_error(error: &reqwest::Error, url: &str, connect: Duration) -> BedrockError {
    let host = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        })
        .unwrap_or_default();
    if error.is_connect() && error.is_timeout() {
        return BedrockError::Timeout {
            kind: TimeoutKind::Connect,
            after: connect,
        };
    }
    let chain = source_chain(error);
    if error.is_connect() {
        BedrockError::Transport(format!("{CONNECT_FAILED} {host}: {chain}"))
    } else {
        BedrockError::Transport(format!("request to {host} failed: {chain}"))
    }
}
