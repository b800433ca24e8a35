//! Command-line interface: the subcommands and their options (clap).

pub mod ask;
pub mod chat;
pub mod compare_types;
pub mod config;
pub mod emulator;
pub mod models;
pub mod transcripts;

use crate::models::FamilyId;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// bedrock-tui: a terminal chat client for Amazon Bedrock Runtime.
#[derive(Debug, Parser)]
#[command(name = "bedrock-tui", version, about, long_about = None)]
pub struct Cli {
    /// What to do; without a subcommand the chat screen opens.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of the chat screen.
    #[command(flatten)]
    pub chat: ChatArgs,
}

/// Options of the chat screen (`bedrock-tui` with no subcommand).
#[derive(Debug, Clone, Args)]
pub struct ChatArgs {
    /// Model to start with: id, inference-profile id or ARN (default: the config's, else the
    /// catalog's default).
    #[arg(long, short, value_name = "ID")]
    pub model: Option<String>,
    /// Request format, for ids that do not reveal it.
    #[arg(long, value_name = "NAME", value_parser = parse_family)]
    pub family: Option<FamilyId>,
    /// Theme: dark, light, high-contrast, or a path to a theme file.
    #[arg(long, value_name = "NAME|PATH")]
    pub theme: Option<String>,
    /// Config file (default: BEDROCK_TUI_CONFIG, else the platform config directory).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Continue a saved conversation: the last one, or an id (a unique prefix is enough) or a
    /// session file.
    #[arg(long, value_name = "ID|PATH", num_args = 0..=1, default_missing_value = "last")]
    pub resume: Option<String>,
    /// Do not save this conversation.
    #[arg(long)]
    pub no_save: bool,
    /// Where requests go.
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Send one prompt and print the answer as it streams.
    Ask(Box<AskArgs>),
    /// Run the local Bedrock Runtime emulator until interrupted.
    Emulator(EmulatorArgs),
    /// List the model catalog, or with --remote what the account's region offers.
    Models(ModelsArgs),
    /// Where the config file is and what it says.
    Config(ConfigArgs),
    /// Saved conversations: list, show, export, rename, delete.
    Transcripts(TranscriptsArgs),
    /// Send one prompt with each combination of Accept, Content-Type and streaming, and
    /// tabulate what came back.
    CompareTypes(Box<CompareTypesArgs>),
}

/// `bedrock-tui compare-types`.
#[derive(Debug, Clone, Args)]
pub struct CompareTypesArgs {
    /// The prompt; read from standard input when absent.
    pub prompt: Option<String>,
    /// Model id, inference-profile id or ARN.
    #[arg(long, short, value_name = "ID")]
    pub model: Option<String>,
    /// Request format, for ids that do not reveal it.
    #[arg(long, value_name = "NAME", value_parser = parse_family)]
    pub family: Option<FamilyId>,
    /// Accept values to try (repeatable; default: application/json, */* and what the family
    /// documents).
    #[arg(long, value_name = "MIME")]
    pub accept: Vec<String>,
    /// Content-Type values to try (repeatable; default: application/json and */*).
    #[arg(long, value_name = "MIME")]
    pub content_type: Vec<String>,
    /// One JSON object per combination instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Where requests go.
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// `bedrock-tui transcripts`.
#[derive(Debug, Clone, Args)]
pub struct TranscriptsArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: TranscriptsCommand,
}

/// `bedrock-tui transcripts` subcommands. A session is `last`, an id, a unique prefix of an
/// id, or the path of a session file.
#[derive(Debug, Clone, Subcommand)]
pub enum TranscriptsCommand {
    /// List saved conversations, newest first.
    List {
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Print a conversation as Markdown.
    Show {
        /// The session.
        session: String,
    },
    /// Write a conversation as Markdown or JSON (to standard output without --output).
    Export {
        /// The session.
        session: String,
        /// md: readable, with model names per turn; json: the whole structure.
        #[arg(long, value_enum, default_value = "md")]
        format: crate::transcript::export::Format,
        /// The file to write (atomically: a temporary file renamed into place).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Give a conversation a new title.
    Rename {
        /// The session.
        session: String,
        /// The title.
        title: String,
    },
    /// Delete a conversation.
    Delete {
        /// The session.
        session: String,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
}

/// `bedrock-tui config`.
#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {
    /// What to show.
    #[command(subcommand)]
    pub command: ConfigCommand,
    /// Config file (default: BEDROCK_TUI_CONFIG, else the platform config directory).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `bedrock-tui config` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum ConfigCommand {
    /// Print the config file's path.
    Path,
    /// Print the config as bedrock-tui reads it (errors name the line).
    Show,
    /// Print a commented sample config.
    Sample,
}

/// Where to send requests.
#[derive(Debug, Clone, Args)]
pub struct AwsArgs {
    /// AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region).
    #[arg(long, value_name = "R")]
    pub region: Option<String>,
    /// AWS profile from ~/.aws/config (default: AWS_PROFILE or `default`).
    #[arg(long, value_name = "P")]
    pub profile: Option<String>,
    /// Bedrock Runtime endpoint (default: AWS_ENDPOINT_URL_BEDROCK_RUNTIME, AWS_ENDPOINT_URL,
    /// or the region's endpoint).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Answer from the built-in emulator, whatever AWS settings exist.
    #[arg(long)]
    pub demo: bool,
    /// Attempts per request for throttling, not-ready and 5xx errors before any output.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=10))]
    pub max_attempts: u32,
    /// Seconds to wait for the response to begin.
    #[arg(long, value_name = "S", default_value_t = 120.0)]
    pub first_byte_timeout: f64,
    /// Seconds a stream may stay silent before it is abandoned.
    #[arg(long, value_name = "S", default_value_t = 60.0)]
    pub idle_timeout: f64,
}

/// `bedrock-tui ask`.
#[derive(Debug, Clone, Args)]
pub struct AskArgs {
    /// The prompt; read from standard input when absent.
    pub prompt: Option<String>,
    /// Continue a saved conversation (`last`, an id, a unique prefix or a file) or start one
    /// (`new`): the history is sent with the prompt, and the turn is appended to the session.
    #[arg(long, value_name = "ID|new")]
    pub session: Option<String>,
    /// Model id, inference-profile id or ARN; repeat it to ask several models one after another
    /// (each answer is followed by its figures).
    #[arg(long, short, value_name = "ID")]
    pub model: Vec<String>,
    /// Print a line of figures after the answer (set for each model when several are asked).
    #[arg(skip)]
    pub figures: bool,
    /// Request format, for ids that do not reveal it (application inference profiles,
    /// provisioned, imported and custom models): see `bedrock-tui models --families`.
    #[arg(long, value_name = "NAME", value_parser = parse_family)]
    pub family: Option<FamilyId>,
    /// System prompt.
    #[arg(long, value_name = "TEXT")]
    pub system: Option<String>,
    /// Largest number of tokens to generate.
    #[arg(long, value_name = "N")]
    pub max_tokens: Option<u32>,
    /// Sampling temperature.
    #[arg(long, value_name = "F")]
    pub temperature: Option<f32>,
    /// Nucleus sampling.
    #[arg(long, value_name = "F")]
    pub top_p: Option<f32>,
    /// Top-k sampling.
    #[arg(long, value_name = "N")]
    pub top_k: Option<u32>,
    /// Stop sequence (repeatable).
    #[arg(long = "stop", value_name = "S")]
    pub stop: Vec<String>,
    /// Reasoning budget in tokens: Claude extended thinking, Nova 2 reasoning effort.
    #[arg(long, value_name = "TOKENS")]
    pub thinking: Option<u32>,
    /// Where image models' pictures go: a file name (numbered when there are several).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Use InvokeModel and print the whole answer at the end.
    #[arg(long)]
    pub no_stream: bool,
    /// Accept header (X-Amzn-Bedrock-Accept when streaming).
    #[arg(long, value_name = "MIME")]
    pub accept: Option<String>,
    /// Content-Type header.
    #[arg(long, value_name = "MIME")]
    pub content_type: Option<String>,
    /// Send this file (or - for standard input) as the body, verbatim.
    #[arg(long, value_name = "FILE|-")]
    pub body: Option<PathBuf>,
    /// Print every event-stream frame as a JSON line.
    #[arg(long)]
    pub events: bool,
    /// Print one JSON object at the end: text, stop reason, usage, request id, timings.
    #[arg(long)]
    pub json: bool,
    /// Show the exchange on stderr: the request as sent (credentials redacted), the response
    /// status and headers, and every event-stream frame with its arrival time.
    #[arg(long, short)]
    pub verbose: bool,
    /// X-Amzn-Bedrock-Trace: ENABLED, DISABLED or ENABLED_FULL.
    #[arg(long, value_name = "MODE")]
    pub trace: Option<String>,
    /// Guardrail identifier.
    #[arg(long, value_name = "ID")]
    pub guardrail_id: Option<String>,
    /// Guardrail version.
    #[arg(long, value_name = "V")]
    pub guardrail_version: Option<String>,
    /// Latency profile: standard or optimized.
    #[arg(long, value_name = "L")]
    pub latency: Option<String>,
    /// Service tier: priority, default, flex or reserved.
    #[arg(long, value_name = "T")]
    pub service_tier: Option<String>,
    /// Where requests go.
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// `bedrock-tui models`.
#[derive(Debug, Clone, Args)]
pub struct ModelsArgs {
    /// Ask the control plane (ListFoundationModels, ListInferenceProfiles) and merge the
    /// answer with the catalog.
    #[arg(long)]
    pub remote: bool,
    /// Only models of this provider (e.g. anthropic, amazon, meta).
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,
    /// List the request formats (families) instead of models.
    #[arg(long)]
    pub families: bool,
    /// One JSON document instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Where requests go (with --remote).
    #[command(flatten)]
    pub aws: AwsArgs,
}

impl AwsArgs {
    /// The connection options these flags describe; `demo_tokens_per_second` paces the
    /// in-process emulator (`BEDROCK_TUI_DEMO_TPS` overrides it).
    pub(crate) fn connect_options(
        &self,
        demo_tokens_per_second: f64,
    ) -> crate::connect::ConnectOptions {
        use crate::bedrock::{RetryPolicy, Timeouts};
        use std::time::Duration;
        crate::connect::ConnectOptions {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
            demo: self.demo,
            demo_tokens_per_second: std::env::var("BEDROCK_TUI_DEMO_TPS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(demo_tokens_per_second),
            retry: RetryPolicy {
                max_attempts: self.max_attempts,
                ..RetryPolicy::default()
            },
            timeouts: Timeouts {
                first_byte: Duration::from_secs_f64(self.first_byte_timeout.max(0.001)),
                idle: Duration::from_secs_f64(self.idle_timeout.max(0.001)),
                ..Timeouts::default()
            },
        }
    }
}

/// `bedrock-tui emulator`.
#[derive(Debug, Clone, Args)]
pub struct EmulatorArgs {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Stream pacing; 0 sends as fast as the socket allows.
    #[arg(long, value_name = "N", default_value_t = 40.0)]
    pub tokens_per_second: f64,
    /// Region requests must be signed for.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    /// Access key id to accept (default: generated).
    #[arg(long, value_name = "ID")]
    pub access_key_id: Option<String>,
    /// Secret access key to accept (default: generated).
    #[arg(long, value_name = "SECRET")]
    pub secret_access_key: Option<String>,
    /// Session token to require (default: generated; pass an empty string for none).
    #[arg(long, value_name = "TOKEN")]
    pub session_token: Option<String>,
    /// Bedrock API key to accept as a bearer token (default: generated).
    #[arg(long, value_name = "KEY")]
    pub bearer_token: Option<String>,
    /// Refuse Llama, Mistral and DeepSeek prompts without their chat template (Bedrock
    /// accepts them).
    #[arg(long)]
    pub strict_templates: bool,
    /// Send the last unpaced stream's bytes again for an identical request (for benchmarks of
    /// clients: the emulator stops being the bottleneck; ids inside the payloads repeat).
    #[arg(long)]
    pub replay_streams: bool,
    /// A resource behind an opaque ARN, in addition to the samples:
    /// `application-inference-profile/ID=MODEL`, `provisioned-model/ID=MODEL` or
    /// `custom-model-deployment/ID=MODEL` (repeatable).
    #[arg(long, value_name = "TYPE/ID=MODEL", value_parser = parse_resource)]
    pub resource: Vec<crate::emulator::resources::Resource>,
    /// Refuse the control plane's lookups of those resources (GetInferenceProfile, …) with
    /// AccessDeniedException, as for a role that may invoke but not describe.
    #[arg(long)]
    pub deny_lookups: bool,
}

/// Parses `--resource TYPE/ID=MODEL`.
fn parse_resource(text: &str) -> Result<crate::emulator::resources::Resource, String> {
    use crate::emulator::resources::{Resource, ResourceKind};
    let (name, model) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?}: expected TYPE/ID=MODEL"))?;
    let (kind, id) = name
        .split_once('/')
        .ok_or_else(|| format!("{text:?}: expected TYPE/ID=MODEL"))?;
    let kind = match kind {
        "application-inference-profile" => ResourceKind::ApplicationProfile,
        "provisioned-model" => ResourceKind::ProvisionedModel,
        "custom-model-deployment" => ResourceKind::CustomModelDeployment,
        other => {
            return Err(format!(
                "unknown resource type {other:?}; one of application-inference-profile, provisioned-model, custom-model-deployment"
            ));
        }
    };
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(format!(
            "{id:?}: a resource id is letters, digits and dashes"
        ));
    }
    if crate::models::catalog::lookup(model).is_none() {
        return Err(format!("{model:?} is not a model of the catalog"));
    }
    Ok(Resource {
        kind,
        id: id.to_string(),
        model: model.to_string(),
    })
}

/// Parses a `--family` name.
fn parse_family(name: &str) -> Result<FamilyId, String> {
    FamilyId::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = FamilyId::ALL.iter().map(|f| f.name()).collect();
        format!("unknown family {name:?}; one of: {}", names.join(", "))
    })
}
