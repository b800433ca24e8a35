//! The Bedrock Runtime emulator of bedrock-tui, a crate of its own: a local Bedrock Runtime with the same routes, headers, SigV4 checking, model formats and
//! event-stream frames as the real service, with deterministic answers, pacing and fault
//! injection. It runs in-process (the default when there are no AWS credentials) or as
//! `bedrock-tui emulator`.

mod ai21;
mod amazon;
mod anthropic;
mod cache;
mod chat;
mod cohere;
pub mod connection;
mod converse;
pub mod corpus;
mod count;
mod embeddings;
pub mod family;
pub mod faults;
pub mod guardrail;
mod images;
mod listing;
mod media;
pub mod newer;
pub use bedrock_tui_models::attachments::png;
pub mod resources;
mod response;
mod server;
pub(crate) mod sigv4;
mod streaming;
mod templates;
mod tiers;
mod tool_use;
mod validate;

pub use sigv4::EmulatorCredentials;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// The fastest pace the emulator takes, in tokens a second (`--tokens-per-second`, the
/// `X-Emulator-Tokens-Per-Second` header, `demo_tokens_per_second` in config.toml and
/// `BEDROCK_TUI_DEMO_TPS`): the config checks it, the emulator holds to it.
pub const MAX_TOKENS_PER_SECOND: f64 = 1_000_000.0;

/// How the emulator runs.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Loopback port; 0 picks a free one.
    pub port: u16,
    /// The accepted credentials and region.
    pub credentials: EmulatorCredentials,
    /// Pacing of stream chunks; 0 sends as fast as the socket allows. A request can override
    /// it with the `X-Emulator-Tokens-Per-Second` header.
    pub tokens_per_second: f64,
    /// Whether to check SigV4 / bearer authentication (always on, except in tests of other
    /// layers).
    pub verify_auth: bool,
    /// Refuse Llama, Mistral and DeepSeek prompts that lack their chat template (Bedrock
    /// accepts them; the tests and the built-in demo want template mistakes to be loud).
    pub strict_templates: bool,
    /// Keep the bytes of the last unpaced, fault-free stream and send them again for the same
    /// model and body, so that a benchmark of clients measures the clients, not the emulator
    /// building the answer (off by default; the replay repeats the ids inside the payloads).
    pub replay_streams: bool,
    /// Application inference profiles, provisioned models and custom model deployments the
    /// account has (the samples by default).
    pub resources: Vec<resources::Resource>,
    /// Refuse the control plane's lookups of those resources with `AccessDeniedException`, as
    /// for a role allowed to invoke but not to describe.
    pub deny_lookups: bool,
    /// Connection cap, header-read and idle timeouts, the pause after accept errors.
    pub limits: connection::ConnectionLimits,
    /// The guardrail that requests naming one are checked with.
    pub guardrail: guardrail::GuardrailConfig,
}

impl EmulatorCredentials {
    /// Fresh temporary credentials (key pair, session token) and an API key for `region`.
    pub fn random(region: &str) -> Self {
        let mut key = [0u8; 8];
        fastrand::fill(&mut key);
        let hex = sigv4::hex(&key).to_ascii_uppercase();
        let secret: String = (0..40).map(|_| fastrand::alphanumeric()).collect();
        let token: String = (0..64).map(|_| fastrand::alphanumeric()).collect();
        let bearer: String = (0..48).map(|_| fastrand::alphanumeric()).collect();
        EmulatorCredentials {
            access_key_id: format!("AKIAEMULATOR{hex}"),
            secret_access_key: secret,
            session_token: Some(token),
            bearer_token: Some(format!("ABSKemulator{bearer}")),
            region: region.to_string(),
        }
    }
}

impl EmulatorConfig {
    /// A configuration with freshly generated credentials, for in-process use.
    pub fn with_random_credentials(region: &str) -> Self {
        EmulatorConfig {
            port: 0,
            credentials: EmulatorCredentials::random(region),
            tokens_per_second: 0.0,
            verify_auth: true,
            strict_templates: true,
            replay_streams: false,
            resources: resources::Resource::samples(),
            deny_lookups: false,
            limits: connection::ConnectionLimits::default(),
            guardrail: guardrail::GuardrailConfig::default(),
        }
    }
}

/// Shared state of a running emulator.
pub(crate) struct EmulatorState {
    config: EmulatorConfig,
    attempts: Mutex<HashMap<u64, u32>>,
    /// The credentials accepted now (they change when rotated).
    credentials: Mutex<EmulatorCredentials>,
    /// Access key ids that were rotated out: requests signed with them get
    /// `ExpiredTokenException`, as temporary credentials past their expiry do.
    expired_keys: Mutex<Vec<String>>,
    /// The last stream kept for `replay_streams`: its key and its body pieces.
    pub(crate) replay: Mutex<Option<(u64, Arc<Vec<bytes::Bytes>>)>>,
    /// The latest runtime requests, as they arrived.
    received: Mutex<std::collections::VecDeque<Received>>,
    /// Prompt prefixes cached by breakpoints.
    pub(crate) prompt_cache: cache::PromptCache,
}

/// A runtime request as the emulator received it: its path and the exact body bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The request path (`/model/{id}/invoke…`), percent-encoded as sent.
    pub path: String,
    /// The body, byte for byte.
    pub body: bytes::Bytes,
}

/// The requests an emulator received; cheap to clone.
#[derive(Clone)]
pub struct ReceivedLog(Arc<EmulatorState>);

impl ReceivedLog {
    /// The latest runtime requests, oldest first.
    pub fn list(&self) -> Vec<Received> {
        self.0
            .received
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }
}

/// Runtime requests kept for [`Emulator::received`].
const RECEIVED_KEPT: usize = 256;

impl EmulatorState {
    /// The credentials accepted now.
    pub(crate) fn credentials(&self) -> EmulatorCredentials {
        self.credentials
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Whether an access key id was rotated out.
    pub(crate) fn is_expired(&self, access_key_id: &str) -> bool {
        self.expired_keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .any(|k| k == access_key_id)
    }

    /// Keeps a runtime request (the oldest go past [`RECEIVED_KEPT`]).
    pub(crate) fn receive(&self, path: &str, body: &bytes::Bytes) {
        let mut received = self
            .received
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if received.len() == RECEIVED_KEPT {
            received.pop_front();
        }
        received.push_back(Received {
            path: path.to_string(),
            body: body.clone(),
        });
    }

    /// Counts an attempt of the request with this key; returns the count including this one.
    fn count_attempt(&self, key: u64) -> u32 {
        let mut attempts = self
            .attempts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = attempts.entry(key).or_insert(0);
        *count += 1;
        *count
    }
}

/// A running emulator; it stops when dropped or on [`Emulator::shutdown`].
pub struct Emulator {
    addr: SocketAddr,
    config: EmulatorConfig,
    state: Arc<EmulatorState>,
    stop: watch::Sender<bool>,
}

impl Emulator {
    /// Binds 127.0.0.1 and starts serving in the background.
    pub async fn start(config: EmulatorConfig) -> std::io::Result<Emulator> {
        let listener = TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let state = Arc::new(EmulatorState {
            credentials: Mutex::new(config.credentials.clone()),
            config: config.clone(),
            attempts: Mutex::new(HashMap::new()),
            expired_keys: Mutex::new(Vec::new()),
            replay: Mutex::new(None),
            received: Mutex::new(std::collections::VecDeque::new()),
            prompt_cache: cache::PromptCache::default(),
        });
        tokio::spawn(accept_loop(listener, state.clone(), stopped));
        Ok(Emulator {
            addr,
            config,
            state,
            stop,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The configuration, with the credentials it started with.
    pub fn config(&self) -> &EmulatorConfig {
        &self.config
    }

    /// Rotates the credentials, as temporary credentials expire and are replaced: from now on
    /// only the returned ones are accepted, and requests signed with the old access key get
    /// `ExpiredTokenException` (HTTP 403).
    pub fn rotate_credentials(&self) -> EmulatorCredentials {
        let fresh = EmulatorCredentials::random(&self.config.credentials.region);
        let mut current = self
            .state
            .credentials
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.state
            .expired_keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(current.access_key_id.clone());
        *current = fresh.clone();
        fresh
    }

    /// The latest runtime requests (at most 256), oldest first: what clients really sent.
    pub fn received(&self) -> Vec<Received> {
        self.received_log().list()
    }

    /// A handle on the requests received, that outlives borrows of the emulator.
    pub fn received_log(&self) -> ReceivedLog {
        ReceivedLog(self.state.clone())
    }

    /// Shell lines that point an AWS client at this emulator.
    pub fn shell_exports(&self) -> Vec<String> {
        let c = &self.config.credentials;
        let mut lines = vec![
            format!(
                "export AWS_ENDPOINT_URL_BEDROCK_RUNTIME={}",
                self.endpoint()
            ),
            format!("export AWS_ENDPOINT_URL_BEDROCK={}", self.endpoint()),
            format!("export AWS_ACCESS_KEY_ID={}", c.access_key_id),
            format!("export AWS_SECRET_ACCESS_KEY={}", c.secret_access_key),
        ];
        if let Some(token) = &c.session_token {
            lines.push(format!("export AWS_SESSION_TOKEN={token}"));
        }
        lines.push(format!("export AWS_REGION={}", c.region));
        lines
    }

    /// Stops accepting connections.
    pub fn shutdown(&self) {
        let _ = self.stop.send(true);
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.shutdown();
    }
}

async fn accept_loop(
    listener: TcpListener,
    state: Arc<EmulatorState>,
    mut stopped: watch::Receiver<bool>,
) {
    let limits = state.config.limits;
    let places = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    loop {
        // At the cap, wait for a connection to close before accepting another.
        let place = tokio::select! {
            place = places.clone().acquire_owned() => place,
            _ = stopped.changed() => return,
        };
        let Ok(place) = place else { return };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped.changed() => return,
        };
        let Ok((stream, _)) = accepted else {
            // EMFILE and friends fail at once: pause instead of spinning.
            drop(place);
            tokio::time::sleep(limits.accept_pause).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let _place = place;
            let (io, activity) = connection::Watched::new(stream);
            let service = service_fn(move |request| server::handle(state.clone(), request));
            let connection = http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(limits.header_read)
                .serve_connection(TokioIo::new(io), service);
            tokio::select! {
                _ = connection => {}
                () = activity.idle_past(limits.idle) => {}
                _ = stopped.changed() => {}
            }
        });
    }
}
