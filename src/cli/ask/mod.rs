//! `bedrock-tui ask`: one prompt, the answer streamed to stdout as it arrives; `--events` shows
//! every frame, `--json` a final summary, `--verbose` the exchange on stderr. Errors go to
//! stderr as `error: <Name>: <message>`. The request is prepared and run by the shared exchange
//! layer, with config.toml's model and parameters under the command line's.

mod frames;
mod input;
mod output;
mod printer;
mod results;
mod tools;
mod verbose;

pub use frames::event_json;

use super::model_names::{looks_like_an_id, not_an_id};
use super::setup::{connect_options, load_config};
use super::{AskArgs, GlobalArgs};
use crate::bedrock::{BedrockError, InvokeOptions};
use crate::connect::connect;
use crate::exchange::{self, Content, Defaults, Found, Intent, needs_lookup};
use crate::models::{Conversation, OutputKind, Parameters, catalog, family_of};
use crate::text::sanitize_for_terminal;
use crate::transcript::log::SessionLog;
use input::{read_attachments, read_body, read_prompt};
use printer::{Printer, error_json};
use serde_json::json;

/// Exit status of a failed request.
pub(crate) const EXIT_FAILURE: i32 = 1;
/// Exit status of a usage error.
pub(crate) const EXIT_USAGE: i32 = 2;

/// Pacing of the in-process emulator for `ask`, so the answer visibly streams.
const DEMO_TOKENS_PER_SECOND: f64 = 60.0;

/// An error before anything was sent.
struct UsageError(String);

/// Runs `ask` and returns the exit status.
pub async fn run(mut args: AskArgs, global: &GlobalArgs) -> i32 {
    if args.output == Some(super::OutputFormat::Json) {
        args.json = true;
    }
    if args.model.len() > 1 {
        return run_models(args, global).await;
    }
    let (config, defaults) = load_config(global);
    let defaults = match &args.role {
        Some(name) => {
            let dir = crate::config::roles::roles_dir(global.config_path().as_deref());
            match crate::config::roles::find(dir.as_deref(), name) {
                Ok(role) => defaults.with_role(&role),
                Err(message) => return usage(&message),
            }
        }
        None => defaults,
    };
    let options = match connect_options(global, &config, DEMO_TOKENS_PER_SECOND) {
        Ok(options) => options,
        Err(message) => return usage(&message),
    };
    let wants_tools = args.tools || !args.allow_tool.is_empty() || !args.mcp.is_empty();
    if wants_tools && args.body.is_some() {
        return usage("--tools goes with a prompt; a verbatim --body carries its own tools");
    }
    let mut tool_loop = match Box::pin(tools::ToolLoop::new(&args, &config)).await {
        Ok(tool_loop) => tool_loop,
        Err(message) => return usage(&message),
    };
    let mut log = match open_session(&args) {
        Ok(log) => log,
        Err(status) => return status,
    };
    let mut intent = match plan(&args, &defaults, log.as_ref()) {
        Ok(intent) => intent,
        Err(UsageError(message)) => return usage(&message),
    };
    if let (Some(tool_loop), Content::Conversation { conversation, .. }) =
        (&tool_loop, &mut intent.content)
    {
        conversation.tools = tool_loop.specs();
    }
    // What can be checked without the network is checked before connecting.
    let looked_up_first = intent.family.is_none() && needs_lookup(&intent.model);
    if !looked_up_first && let Err(refusal) = exchange::prepare(&intent) {
        return usage(&refusal_text(&refusal));
    }
    let connection = match connect(&options).await {
        Ok(c) => c,
        Err(e) => {
            if args.json {
                crate::cli::term::out_json(
                    &json!({"model": intent.model, "error": error_json(&e)}).to_string(),
                );
            }
            return report(&e);
        }
    };
    if let Some(emulator) = &connection.emulator {
        match &connection.fallback_reason {
            Some(reason) => eprintln!(
                "bedrock-tui: {reason}; answering from the built-in Bedrock emulator at {} (offline demo)",
                emulator.endpoint()
            ),
            None => eprintln!(
                "bedrock-tui: answering from the built-in Bedrock emulator at {} (asked for: {})",
                emulator.endpoint(),
                options
                    .settings
                    .demo
                    .as_ref()
                    .map_or_else(|| "--demo".to_string(), ToString::to_string)
            ),
        }
    }
    // Prepared again with the region now known: a model served through inference profiles
    // only, named by its bare id, goes through its geography's profile.
    intent.region = Some(connection.client.config().region.clone());
    if looked_up_first {
        let found = exchange::Lookups::new()
            .find(&connection.client, &intent.model)
            .await;
        if let Err(message) = take_lookup(&mut intent, found) {
            return usage(&message);
        }
    }
    let prepared = match exchange::prepare(&intent) {
        Ok(prepared) => prepared,
        Err(refusal) => return usage(&refusal_text(&refusal)),
    };
    for note in &prepared.notes {
        crate::cli::term::err_line(&format!("bedrock-tui: {note}"));
    }
    if args.count_tokens {
        return print_count(&connection.client, &prepared, args.json).await;
    }
    let session = log.as_mut().and_then(|log| {
        let system = match &intent.content {
            Content::Conversation { conversation, .. } => conversation.system.clone(),
            Content::Verbatim(_) => None,
        };
        let prompt = log.prompt().to_string();
        // The model asked for is recorded (a profile chosen for this region is not).
        let begun = log.begin(
            &intent.model,
            system,
            &prepared.params,
            &prompt,
            &attached(&intent),
        );
        warn_unsaved(begun).map(|()| Saving { log, working: true })
    });
    let mut printer = Printer::new(&args, session);
    printer.attachments = attached(&intent);
    // When the reader of stdout goes away (`| head -c 100`), the request stops at once: no
    // more tokens are paid for, and that is no error.
    let closed = std::sync::Arc::new(tokio::sync::Notify::new());
    printer.out.on_close(closed.clone());
    let mut prepared = prepared;
    let mut outcome = tokio::select! {
        outcome = exchange::call(&connection.client, &prepared, |event| printer.event(&event)) => outcome,
        () = closed.notified() => return 0,
    };
    // The tool loop: the answer's calls run (or are refused), their results go back, and the
    // answer goes on, until an answer calls no tools.
    while let Some(tool_loop) = tool_loop.as_mut() {
        if outcome.error.is_some() || outcome.figures.tool_calls.is_empty() {
            break;
        }
        printer.end_answer();
        let (calls, results) = match tool_loop.answer(&outcome.figures.tool_calls).await {
            tools::Next::Done => break,
            tools::Next::Limit(why) => {
                printer.stopped = Some(why);
                break;
            }
            tools::Next::Continue(calls, runs) => (calls, runs),
        };
        printer.save_round(&intent.model, &outcome, &calls, &results);
        if let Content::Conversation { conversation, .. } = &mut intent.content {
            crate::tools::append_round(
                conversation,
                crate::tools::Answered::of(&outcome),
                calls,
                results.into_iter().map(|r| r.result).collect(),
            );
        }
        prepared = match exchange::prepare(&intent) {
            Ok(prepared) => prepared,
            Err(refusal) => return usage(&refusal_text(&refusal)),
        };
        printer.next_round(&outcome);
        outcome = tokio::select! {
            outcome = exchange::call(&connection.client, &prepared, |event| printer.event(&event)) => outcome,
            () = closed.notified() => return 0,
        };
    }
    if let Some(tool_loop) = &tool_loop {
        printer.tool_runs = Some(tool_loop.json());
    }
    printer.finish(&prepared, &outcome)
}

/// `ask --count-tokens`: the input tokens of the request and how they sit in the model's
/// context window; nothing is invoked.
async fn print_count(
    client: &crate::bedrock::Client,
    prepared: &exchange::Prepared,
    json: bool,
) -> i32 {
    let count = match exchange::count::input_tokens(client, prepared).await {
        Ok(count) => count,
        Err(e) => {
            if json {
                crate::cli::term::out_json(
                    &json!({"model": prepared.model, "error": error_json(&e)}).to_string(),
                );
            }
            return report(&e);
        }
    };
    let info = catalog::lookup(&prepared.model);
    let window = info.map(|m| m.context_window);
    let max_output = prepared.params.max_tokens.unwrap_or(0);
    let fits = exchange::count::fits(&prepared.model, count, max_output);
    if json {
        crate::cli::term::out_json(
            &json!({
                "model": prepared.model,
                "input_tokens": count.tokens,
                "exact": count.exact,
                "counted_by": if count.exact { "CountTokens" } else { "estimate" },
                "context_window": window,
                "fits": fits.is_ok(),
            })
            .to_string(),
        );
    } else {
        let by = if count.exact {
            "counted by Bedrock's CountTokens"
        } else {
            "a local estimate: this model has no CountTokens"
        };
        let share = window
            .filter(|w| *w > 0)
            .map(|w| {
                format!(
                    " of {w} ({:.1}%)",
                    count.tokens as f64 * 100.0 / f64::from(w)
                )
            })
            .unwrap_or_default();
        crate::cli::term::out_line(&format!("{} input tokens{share} ({by})", count.shown()));
        if let Err(why) = &fits {
            crate::cli::term::err_line(&format!("bedrock-tui: {why}"));
        }
    }
    if fits.is_ok() { 0 } else { EXIT_FAILURE }
}

/// The files attached to the prompt of a request.
fn attached(intent: &Intent) -> Vec<crate::attachments::Attachment> {
    match &intent.content {
        Content::Conversation { conversation, .. } => conversation
            .turns
            .last()
            .map(|t| t.attachments.clone())
            .unwrap_or_default(),
        Content::Verbatim(_) => Vec::new(),
    }
}

fn usage(message: &str) -> i32 {
    crate::cli::term::err_line(&format!("error: {message}"));
    EXIT_USAGE
}

/// A refusal as `ask` words it: an unknown format says how to state it.
fn refusal_text(refusal: &exchange::Refusal) -> String {
    match refusal {
        exchange::Refusal::UnknownFormat { model } if !looks_like_an_id(model) => not_an_id(model),
        exchange::Refusal::UnknownFormat { model } => {
            let names: Vec<&str> = crate::models::FamilyId::ALL
                .iter()
                .map(|f| f.name())
                .collect();
            format!(
                "cannot tell the request format of {model:?}; pass --family (one of {}) or --body with a native request body",
                names.join(", ")
            )
        }
        exchange::Refusal::NotText { .. } | exchange::Refusal::Invalid(_) => refusal.to_string(),
    }
}

/// Takes what a lookup of an opaque ARN found: the family, or (for a verbatim body) a note that
/// the answer's shape decides; a conversation without a format cannot be encoded.
fn take_lookup(intent: &mut Intent, found: Found) -> Result<(), String> {
    match found {
        Found::Family(family, base) => {
            eprintln!(
                "bedrock-tui: {} runs {base}; using the {family} format",
                intent.model
            );
            intent.looked_up = Some(family);
            Ok(())
        }
        Found::Unknown(why) => match intent.content {
            Content::Verbatim(_) => {
                eprintln!("bedrock-tui: {why}; the answer's own shape tells how to read it");
                Ok(())
            }
            Content::Conversation { .. } => Err(format!(
                "cannot tell the request format of {:?}: {why}; pass --family or --body",
                intent.model
            )),
        },
    }
}

/// The request the flags, the session and the config describe.
fn plan(
    args: &AskArgs,
    defaults: &Defaults,
    session: Option<&SessionLog>,
) -> Result<Intent, UsageError> {
    let named = args
        .model
        .first()
        .map(String::as_str)
        .or_else(|| session.and_then(SessionLog::model));
    let model = defaults.model(named);
    // A model's name where an id belongs is taken as the one model it names best.
    let model = match super::model_names::resolve(&model, args.family).map_err(UsageError)? {
        Some((id, said)) => {
            crate::cli::term::err_line(&format!("bedrock-tui: {said}"));
            id
        }
        None => model,
    };
    // Flags over config.toml's `[request]`; a guardrail named by flag turns trace on.
    let configured = &defaults.options;
    let guardrail_flag = args.guardrail_id.is_some();
    let options = InvokeOptions {
        accept: args.accept.clone(),
        content_type: args.content_type.clone(),
        trace: args.trace.clone().or_else(|| {
            if guardrail_flag {
                Some("ENABLED".to_string())
            } else {
                configured.trace.clone()
            }
        }),
        guardrail_identifier: args
            .guardrail_id
            .clone()
            .or_else(|| configured.guardrail_identifier.clone()),
        guardrail_version: args
            .guardrail_version
            .clone()
            .or_else(|| configured.guardrail_version.clone()),
        performance_latency: args
            .latency
            .clone()
            .or_else(|| configured.performance_latency.clone()),
        service_tier: args
            .service_tier
            .clone()
            .or_else(|| configured.service_tier.clone()),
    };
    let content = if let Some(path) = &args.body {
        if !args.attach.is_empty() {
            return Err(UsageError(
                "--attach goes with a prompt; a verbatim --body carries its own files".to_string(),
            ));
        }
        Content::Verbatim(read_body(path)?)
    } else {
        if session.is_some()
            && args
                .family
                .or_else(|| family_of(&model))
                .is_some_and(|f| f.output() != OutputKind::Text)
        {
            return Err(UsageError(format!(
                "--session keeps conversations; {model} is not a text model"
            )));
        }
        let given = Parameters {
            max_tokens: args.max_tokens,
            temperature: args.temperature,
            top_p: args.top_p,
            top_k: args.top_k,
            stop_sequences: args.stop.clone(),
            reasoning_budget: args.thinking,
        };
        // A role named now wins over the session's system prompt; --system over both.
        let given_system = if args.role.is_some() {
            defaults.system(args.system.as_deref())
        } else {
            args.system.clone()
        };
        let attachments = read_attachments(args)?;
        let (mut conversation, problems) = if let Some(session) = session {
            session.conversation(given_system, session.prompt(), &attachments)
        } else {
            let mut prompt =
                crate::models::Turn::new(crate::models::Role::User, read_prompt(args)?);
            prompt.attachments = attachments;
            let conversation = Conversation {
                system: None,
                tools: Vec::new(),
                turns: vec![prompt],
            };
            (conversation, Vec::new())
        };
        for problem in problems {
            crate::cli::term::err_line(&format!("bedrock-tui: {problem}"));
        }
        if conversation.system.is_none() {
            conversation.system = defaults.system(args.system.as_deref());
        }
        Content::Conversation {
            conversation,
            params: defaults.params(&given),
        }
    };
    Ok(Intent {
        model,
        family: args.family,
        looked_up: None,
        content,
        options,
        stream: !args.no_stream,
        text_only: false,
        prompt_cache: !defaults.prompt_cache_off && !args.no_cache,
        api: args.api.or(defaults.api).unwrap_or_default(),
        region: None,
    })
}

/// A session being written by `ask --session`; `working` turns false after a write fails.
struct Saving<'a> {
    log: &'a mut SessionLog,
    working: bool,
}

impl Saving<'_> {
    fn text(&mut self, text: &str, reasoning: &str) {
        if self.working {
            self.working = warn_unsaved(self.log.text(text, reasoning)).is_some();
        }
    }
}

/// Reports a failed session write on stderr; the answer goes on regardless.
fn warn_unsaved(result: Result<(), crate::transcript::store::StoreError>) -> Option<()> {
    match result {
        Ok(()) => Some(()),
        Err(e) => {
            eprintln!("bedrock-tui: the session is not saved any more: {e}");
            None
        }
    }
}

/// Opens the session of `--session`, refusing what cannot be recorded.
fn open_session(args: &AskArgs) -> Result<Option<SessionLog>, i32> {
    let Some(spec) = &args.session else {
        return Ok(None);
    };
    if args.body.is_some() {
        eprintln!("error: --session records conversations, which a verbatim --body is not");
        return Err(EXIT_USAGE);
    }
    let prompt = match read_prompt(args) {
        Ok(prompt) => prompt,
        Err(UsageError(message)) => return Err(usage(&message)),
    };
    match SessionLog::open(spec, &prompt) {
        Ok(log) => Ok(Some(log.with_prompt(prompt))),
        Err(e) => {
            crate::cli::term::err_line(&format!("error: {e}"));
            Err(EXIT_FAILURE)
        }
    }
}

/// Prints `error: <Name>: <message>` and returns the failure status.
pub fn report(error: &BedrockError) -> i32 {
    let message = sanitize_for_terminal(&error.to_string()).into_owned();
    eprintln!("error: {}: {message}", sanitize_for_terminal(error.name()));
    EXIT_FAILURE
}

/// `--model A --model B ...`: the same prompt to each model in turn, each answer headed by the
/// model's name and followed by its figures (or one JSON object per model with `--json`).
async fn run_models(args: AskArgs, global: &GlobalArgs) -> i32 {
    if args.session.is_some() {
        eprintln!(
            "error: --session keeps one conversation with one model at a time; ask one model"
        );
        return EXIT_USAGE;
    }
    if args.body.is_some() || args.events {
        eprintln!("error: --body and --events take one model");
        return EXIT_USAGE;
    }
    let prompt = match read_prompt(&args) {
        Ok(prompt) => prompt,
        Err(UsageError(message)) => return usage(&message),
    };
    let attached = match read_attachments(&args) {
        Ok(attached) => attached,
        Err(UsageError(message)) => return usage(&message),
    };
    let mut status = 0;
    for (index, given) in args.model.iter().enumerate() {
        // A name is taken as the model it names, and shown so in the heading.
        let model = match super::model_names::resolve(given, args.family) {
            Ok(Some((id, _))) => id,
            _ => given.clone(),
        };
        let model = &model;
        if !args.json {
            if index > 0 {
                crate::cli::term::out_line("");
            }
            crate::cli::term::out_line(&format!("== {} ({model})", catalog::display_name(model)));
        }
        let one = AskArgs {
            model: vec![model.clone()],
            prompt: Some(prompt.clone()),
            attached: Some(attached.clone()),
            figures: !args.json,
            ..args.clone()
        };
        let result = Box::pin(run(one, global)).await;
        if status == 0 {
            status = result;
        }
    }
    status
}
