//! bedrock-tui: a terminal chat client for Amazon Bedrock Runtime, and the local Bedrock Runtime
//! emulator it runs against when no AWS account is at hand.

pub mod app;
pub mod attachments;
pub mod aws_profile;
/// The wire layer, a crate of its own (`crates/wire`).
pub use bedrock_tui_wire as bedrock;
pub(crate) mod child;
pub mod cli;
pub(crate) mod clock;
pub mod compare;
pub mod config;
pub mod connect;
pub mod emulator;
pub mod exchange;
pub mod files;
#[doc(hidden)]
pub mod fuzzing;
pub mod inspect;
pub mod keymap;
pub(crate) mod listing;
pub mod models;
pub(crate) mod parse_error;
pub mod pictures;
pub mod run;
pub mod settings;
pub mod text;
pub mod tools;
pub mod transcript;
pub mod tui;
pub mod ui;
