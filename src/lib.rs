//! bedrock-tui: a terminal chat client for Amazon Bedrock Runtime, and the local Bedrock Runtime
//! emulator it runs against when no AWS account is at hand.

pub mod app;
pub mod attachments;
pub(crate) mod aws_profile;
/// The wire layer, a crate of its own (`crates/wire`).
pub use bedrock_tui_wire as bedrock;
pub(crate) mod child;
pub mod cli;
pub(crate) mod clock;
pub(crate) mod compare;
pub mod config;
pub mod connect;
/// The Bedrock Runtime emulator, a crate of its own (`crates/emulator`).
pub use bedrock_tui_emulator as emulator;
pub mod exchange;
pub(crate) mod files;
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod inspect;
pub mod keymap;
pub(crate) mod listing;
/// The model families, a crate of its own (`crates/models`), pure.
pub use bedrock_tui_models as models;
pub(crate) mod parse_error;
pub(crate) mod pictures;
pub mod run;
pub mod settings;
pub(crate) mod text;
pub mod tools;
pub mod transcript;
pub(crate) mod tui;
pub mod ui;
