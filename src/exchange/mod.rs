//! One path for every request, shared by the chat, `ask`, the accept / content-type matrix,
//! models side by side and edit-and-resend, so that the same request gives the same body and
//! the same figures on every screen:
//!
//! - [`prepare`]: model, request format, body and headers, checked once ([`Intent`] →
//!   [`Prepared`] or a [`Refusal`] with its reason);
//! - [`call`]: runs a prepared request and reports what happens as [`Event`]s; the whole
//!   answer comes back as an [`Outcome`];
//! - [`Figures`]: time to the first byte and token, tokens, rate and cost, counted one way;
//! - [`Lookups`]: the format behind an opaque ARN, asked of the control plane once;
//! - [`Defaults`]: what config.toml adds to a request.

mod call;
mod converse;
pub mod count;
mod defaults;
mod failure;
mod lookup;
mod prepare;
mod tally;

pub use call::{Event, Outcome, call};
pub use defaults::Defaults;
pub use failure::ErrorInfo;
pub use lookup::{Found, Lookups, needs_lookup};
pub use prepare::{Content, Intent, Prepared, Refusal, prepare};
pub use tally::{Figures, Tokens, format_cost, format_seconds, per_million, priced};
