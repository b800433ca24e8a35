//! Command-line interface: the subcommands and their options (clap).

pub mod ask;
pub mod chat;
pub mod compare_types;
pub mod config;
pub mod doctor;
pub mod emulator;
mod emulator_args;
pub use emulator_args::EmulatorArgs;
mod model_names;
pub mod models;
mod setup;
mod term;
pub mod transcripts;

use crate::bedrock::Api;
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
    /// Options of every command, before or after the subcommand.
    #[command(flatten)]
    pub global: GlobalArgs,
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
    /// The API requests go through: invoke (each model's native body; default) or converse.
    /// Alt+C switches it in the chat.
    #[arg(long, value_name = "API", value_parser = parse_api)]
    pub api: Option<Api>,
    /// Theme: dark, light, high-contrast, or a path to a theme file.
    #[arg(long, value_name = "NAME|PATH")]
    pub theme: Option<String>,
    /// Continue a saved conversation: the last one, or an id (a unique prefix is enough) or a
    /// session file.
    #[arg(long, value_name = "ID|PATH", num_args = 0..=1, default_missing_value = "last")]
    pub resume: Option<String>,
    /// Do not save this conversation.
    #[arg(long)]
    pub no_save: bool,
    /// Start with a role: a named system prompt from `roles/NAME.md` or `roles/NAME.toml`
    /// beside the config file.
    #[arg(long, value_name = "NAME")]
    pub role: Option<String>,
    /// A guardrail on every request (with --guardrail-version; trace is then on).
    #[arg(long, value_name = "ID")]
    pub guardrail_id: Option<String>,
    /// The guardrail's version (a number or DRAFT).
    #[arg(long, value_name = "V")]
    pub guardrail_version: Option<String>,
    /// Latency-optimized inference: standard or optimized.
    #[arg(long, value_name = "MODE")]
    pub latency: Option<String>,
    /// Service tier: priority, default, flex or reserved.
    #[arg(long, value_name = "TIER")]
    pub service_tier: Option<String>,
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
    /// Show which profile, region, endpoints and credentials a request would use, and why.
    Doctor(DoctorArgs),
    /// Print a shell completion script: `bedrock-tui completions bash > …`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `bedrock-tui man | man -l -`.
    Man,
}

impl Command {
    /// The subcommand's name on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Ask(_) => "ask",
            Command::Emulator(_) => "emulator",
            Command::Models(_) => "models",
            Command::Config(_) => "config",
            Command::Transcripts(_) => "transcripts",
            Command::CompareTypes(_) => "compare-types",
            Command::Doctor(_) => "doctor",
            Command::Completions { .. } => "completions",
            Command::Man => "man",
        }
    }
}

/// `bedrock-tui doctor`.
#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    /// One JSON object instead of lines.
    #[arg(long)]
    pub json: bool,
    /// Also list one page of models, to prove the credentials work.
    #[arg(long)]
    pub check: bool,
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
    /// Compare latency modes and service tiers instead: standard and optimized latency, each
    /// at the default, priority and flex tiers, with first-token and total times.
    #[arg(long, conflicts_with_all = ["accept", "content_type"])]
    pub tiers: bool,
    /// One JSON object per combination instead of the table.
    #[arg(long)]
    pub json: bool,
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
        /// The file to write (atomically: a temporary file renamed into place; created 0600).
        /// An existing file is replaced only after a yes on the terminal, or with --force;
        /// a symbolic link, device or FIFO never.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Replace an existing export without asking.
        #[arg(long)]
        force: bool,
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
    /// List the built-in themes and the user themes beside the config file.
    Themes,
    /// List every action by its name in `[keys.<context>]`, with its default keys.
    Keys,
    /// Print a built-in theme's file, to copy and change
    /// (`bedrock-tui config theme dark > ~/.config/bedrock-tui/themes/mine.toml`).
    Theme {
        /// dark, light or high-contrast.
        name: String,
    },
}

/// Options of every command, accepted before or after the subcommand; one that does not apply
/// to the command is refused (see [`misplaced`]).
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    /// Config file (default: BEDROCK_TUI_CONFIG, else the platform config directory).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// AWS region (else AWS_REGION, AWS_DEFAULT_REGION, config.toml, the profile's region).
    #[arg(long, global = true, value_name = "R")]
    pub region: Option<String>,
    /// AWS profile (else AWS_PROFILE, config.toml, `default`); credentials then come from the
    /// profile, not from AWS_ACCESS_KEY_ID in the environment, as with the aws CLI.
    #[arg(long, global = true, value_name = "P")]
    pub profile: Option<String>,
    /// Bedrock Runtime endpoint (else AWS_ENDPOINT_URL_BEDROCK_RUNTIME, AWS_ENDPOINT_URL,
    /// config.toml, the region's endpoint).
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Answer from the built-in emulator, whatever AWS settings exist.
    #[arg(long, global = true)]
    pub demo: bool,
    /// Attempts per request for throttling, not-ready and 5xx errors before any output
    /// (default 3).
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10))]
    pub max_attempts: Option<u32>,
    /// Seconds to wait for the response to begin (default 120).
    #[arg(long, global = true, value_name = "S")]
    pub first_byte_timeout: Option<f64>,
    /// Seconds a stream may go without a complete frame (or a body without bytes) before it
    /// is abandoned (default 60).
    #[arg(long, global = true, value_name = "S")]
    pub idle_timeout: Option<f64>,
    /// Seconds the whole answer may take, from the request to its last byte (default 3600,
    /// Bedrock's own limit on an invocation).
    #[arg(long, global = true, value_name = "S")]
    pub answer_timeout: Option<f64>,
}

impl GlobalArgs {
    /// The flags that decide where and how requests go, for [`crate::settings::Settings`].
    pub fn flags(&self) -> crate::settings::Flags<'_> {
        crate::settings::Flags {
            region: self.region.as_ref(),
            profile: self.profile.as_ref(),
            endpoint_url: self.endpoint_url.as_ref(),
            demo: self.demo,
            max_attempts: self.max_attempts,
            first_byte_timeout: self.first_byte_timeout,
            idle_timeout: self.idle_timeout,
            answer_timeout: self.answer_timeout,
        }
    }

    /// The config file: `--config`, else BEDROCK_TUI_CONFIG, else the platform's.
    pub fn config_path(&self) -> Option<PathBuf> {
        self.config
            .clone()
            .or_else(crate::config::paths::config_file)
    }

    /// The AWS options given, by flag name.
    fn aws_given(&self) -> Vec<&'static str> {
        [
            ("--region", self.region.is_some()),
            ("--profile", self.profile.is_some()),
            ("--endpoint-url", self.endpoint_url.is_some()),
            ("--demo", self.demo),
            ("--max-attempts", self.max_attempts.is_some()),
            ("--first-byte-timeout", self.first_byte_timeout.is_some()),
            ("--idle-timeout", self.idle_timeout.is_some()),
            ("--answer-timeout", self.answer_timeout.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, given)| given.then_some(name))
        .collect()
    }
}

/// Why the command line is refused: an option given where it does not apply (the chat's options
/// before a subcommand, AWS options to a command that makes no AWS call). `None` when it is fine.
pub fn misplaced(cli: &Cli) -> Option<String> {
    let command = cli.command.as_ref()?;
    let name = command.name();
    let chat = &cli.chat;
    let chat_only: Vec<&str> = [
        ("--model", chat.model.is_some()),
        ("--family", chat.family.is_some()),
        ("--theme", chat.theme.is_some()),
        ("--resume", chat.resume.is_some()),
        ("--no-save", chat.no_save),
    ]
    .into_iter()
    .filter_map(|(flag, given)| given.then_some(flag))
    .collect();
    if !chat_only.is_empty() {
        return Some(format!(
            "{} before `{name}` are options of the chat screen; the options of `{name}` go after it (`bedrock-tui {name} --help`)",
            chat_only.join(", ")
        ));
    }
    let global = &cli.global;
    let aws = global.aws_given();
    let (takes_aws, takes_config): (&[&str], bool) = match command {
        Command::Ask(_) | Command::CompareTypes(_) | Command::Doctor(_) => (&ALL_AWS, true),
        Command::Models(m) if m.remote => (&ALL_AWS, true),
        Command::Models(_)
        | Command::Transcripts(_)
        | Command::Completions { .. }
        | Command::Man => (&[], false),
        Command::Emulator(_) => (&["--region"], false),
        Command::Config(_) => (&[], true),
    };
    let refused: Vec<&str> = aws
        .into_iter()
        .filter(|flag| !takes_aws.contains(flag))
        .chain((global.config.is_some() && !takes_config).then_some("--config"))
        .collect();
    if refused.is_empty() {
        return None;
    }
    let why = match command {
        Command::Models(_) => " (only `models --remote` asks AWS)",
        Command::Emulator(_) => " (the emulator takes --region, the region it signs for)",
        _ => " (it makes no AWS call)",
    };
    Some(format!(
        "`{name}` does not take {}{why}",
        refused.join(", ")
    ))
}

const ALL_AWS: [&str; 8] = [
    "--region",
    "--profile",
    "--endpoint-url",
    "--demo",
    "--max-attempts",
    "--first-byte-timeout",
    "--idle-timeout",
    "--answer-timeout",
];

/// `bedrock-tui ask`.
#[derive(Debug, Clone, Args)]
pub struct AskArgs {
    /// The prompt; read from standard input when absent.
    pub prompt: Option<String>,
    /// Continue a saved conversation (`last`, an id, a unique prefix or a file) or start one
    /// (`new`): the history is sent with the prompt, and the turn is appended to the session.
    #[arg(long, value_name = "ID|new")]
    pub session: Option<String>,
    /// Attach a file to the prompt (repeatable; `-` reads it from standard input): images,
    /// PDFs, text files or videos, where the model takes them.
    #[arg(long = "attach", short = 'a', value_name = "FILE|-")]
    pub attach: Vec<PathBuf>,
    /// Count the request's input tokens and send nothing: Bedrock's CountTokens where the
    /// model has it (free of charge), else a local estimate, marked `~`.
    #[arg(long)]
    pub count_tokens: bool,
    /// Place no prompt-cache breakpoints (config `prompt_caching = false` does it always).
    #[arg(long)]
    pub no_cache: bool,
    /// Offer the tools config.toml turns on (`[tools] builtin`) and run the calls answers
    /// make, the allowed ones only (`[tools] allow`, --allow-tool); each call is reported on
    /// stderr and in --json.
    #[arg(long)]
    pub tools: bool,
    /// Let this tool run in this run without asking (repeatable; `run_shell` too, which
    /// config.toml can never allow); a built-in named here is offered as well. Implies --tools.
    #[arg(long = "allow-tool", value_name = "NAME")]
    pub allow_tool: Vec<String>,
    /// Offer the tools of this MCP server from config.toml's `[mcp.NAME]` (repeatable; started
    /// for this run); --tools offers every configured server's.
    #[arg(long = "mcp", value_name = "NAME")]
    pub mcp: Vec<String>,
    /// The files of `--attach`, once read (several models get the same files).
    #[arg(skip)]
    pub attached: Option<Vec<crate::attachments::Attachment>>,
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
    /// The API the request goes through: invoke (the model's native body; default) or
    /// converse (Converse, or ConverseStream unless --no-stream; --body is then a Converse
    /// body).
    #[arg(long, value_name = "API", value_parser = parse_api)]
    pub api: Option<Api>,
    /// System prompt.
    #[arg(long, value_name = "TEXT")]
    pub system: Option<String>,
    /// A role: a named system prompt (and parameters) from `roles/NAME.md` or `.toml` beside
    /// the config file; --system and the parameter flags still win.
    #[arg(long, value_name = "NAME")]
    pub role: Option<String>,
    /// Largest number of tokens to generate.
    #[arg(long, value_name = "N")]
    pub max_tokens: Option<u32>,
    /// Sampling temperature.
    #[arg(long, value_name = "F")]
    pub temperature: Option<f64>,
    /// Nucleus sampling.
    #[arg(long, value_name = "F")]
    pub top_p: Option<f64>,
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
    #[arg(long, value_name = "FILE")]
    pub save_image: Option<PathBuf>,
    /// Output format: `text` (the answer as it streams) or `json` (one object at the end,
    /// as --json), as the aws CLI's `--output` means it.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub output: Option<OutputFormat>,
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
}

/// `ask --output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// The answer as it streams.
    Text,
    /// One JSON object at the end.
    Json,
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
    /// With --remote: ask the region again instead of using the listing kept from the last
    /// day.
    #[arg(long)]
    pub refresh: bool,
    /// List the request formats (families) instead of models.
    #[arg(long)]
    pub families: bool,
    /// One JSON document instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Writes the completion script for `shell` to stdout.
pub fn print_completions(shell: clap_complete::Shell) -> i32 {
    use clap::CommandFactory;
    let mut command = Cli::command();
    // Written whole at the end: a reader that stops early (`| head`) is no error.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "bedrock-tui", &mut script);
    match std::io::Write::write_all(&mut std::io::stdout().lock(), &script) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("error: cannot write the completions: {e}");
            1
        }
        _ => 0,
    }
}

/// Writes the manual page to stdout.
pub fn print_man() -> i32 {
    use clap::CommandFactory;
    let page = clap_mangen::Man::new(Cli::command());
    match page.render(&mut std::io::stdout()) {
        Ok(()) => 0,
        // A reader that stopped early (`| head`) is no error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("error: cannot write the manual page: {e}");
            1
        }
    }
}

/// Parses a `--family` name.
fn parse_api(name: &str) -> Result<Api, String> {
    Api::from_name(name).ok_or_else(|| format!("unknown API {name:?}; one of: invoke, converse"))
}

fn parse_family(name: &str) -> Result<FamilyId, String> {
    FamilyId::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = FamilyId::ALL.iter().map(|f| f.name()).collect();
        format!("unknown family {name:?}; one of: {}", names.join(", "))
    })
}
