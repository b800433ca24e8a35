//! The wire layer of bedrock-tui, a crate of its own: event-stream codec, SigV4 / bearer
//! signing, HTTP client, typed errors and the control-plane calls.
//! Knows nothing of the UI.

pub mod auth;
mod body;
pub mod client;
pub mod control;
pub mod error;
/// The event-stream codec, a crate of its own (`crates/eventstream`).
pub use bedrock_tui_eventstream as eventstream;
mod policy;
mod process;
pub mod request;
pub mod scrub;
pub mod stream;
pub mod wire;

pub use client::{Auth, Client, ClientConfig, InvokeResponse, RetryPolicy, Timeouts};
pub use error::{BedrockError, ExceptionKind, ServiceError, TimeoutKind};
pub use request::{Api, InvokeOptions};
pub use stream::{Frame, ResponseMeta, ResponseStream, StreamEvent};
pub use wire::{RetryNotice, SentRequest, WireLog, WireNews};
