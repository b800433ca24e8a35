//! `bedrock-tui ask`: one prompt, the answer streamed to stdout as it arrives; `--events` shows
//! every frame, `--json` a final summary. Errors go to stderr as `error: <Name>: <message>`.

use super::AskArgs;
use crate::bedrock::eventstream::{HeaderValue, format_uuid};
use crate::bedrock::{BedrockError, Frame, InvokeOptions, StreamEvent};
use crate::connect::connect;
use crate::models::{
    ChunkDelta, Completion, Conversation, FamilyId, OutputKind, Parameters, StreamDecoder, Usage,
    capabilities, catalog, family_of,
};
use crate::text::sanitize_for_terminal;
use crate::transcript::End;
use crate::transcript::log::SessionLog;
use base64::Engine;
use serde_json::{Value, json};
use std::io::{IsTerminal, Read, Write};
use std::time::Duration;

/// Exit status of a failed request.
pub const EXIT_FAILURE: i32 = 1;
/// Exit status of a usage error.
pub const EXIT_USAGE: i32 = 2;

/// Pacing of the in-process emulator for `ask`, so the answer visibly streams.
const DEMO_TOKENS_PER_SECOND: f64 = 60.0;

/// An error before anything was sent.
struct UsageError(String);

/// Runs `ask` and returns the exit status.
pub async fn run(args: AskArgs) -> i32 {
    if args.model.len() > 1 {
        return run_models(args).await;
    }
    let mut log = match open_session(&args) {
        Ok(log) => log,
        Err(status) => return status,
    };
    let prepared = match prepare(&args, log.as_ref()) {
        Ok(p) => p,
        Err(UsageError(message)) => {
            eprintln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    let options = args.aws.connect_options(DEMO_TOKENS_PER_SECOND);
    let connection = match connect(&options).await {
        Ok(c) => c,
        Err(e) => return report(&e),
    };
    if let Some(emulator) = &connection.emulator {
        match &connection.fallback_reason {
            Some(reason) => eprintln!(
                "bedrock-tui: {reason}; answering from the built-in Bedrock emulator at {} (offline demo)",
                emulator.endpoint()
            ),
            None => eprintln!(
                "bedrock-tui: answering from the built-in Bedrock emulator at {} (--demo)",
                emulator.endpoint()
            ),
        }
    }
    for note in &prepared.notes {
        eprintln!("bedrock-tui: {note}");
    }
    let mut out = Output::new(args.json);
    let mut session = log.as_mut().and_then(|log| {
        let begun = log.begin(
            &prepared.model,
            args.system.clone(),
            &prepared.params,
            &prepared.prompt,
        );
        warn_unsaved(begun).map(|()| Saving { log, working: true })
    });
    let mut summary = Summary::default();
    let result = if !prepared.stream {
        invoke(
            &connection.client,
            &args,
            &prepared,
            &mut out,
            &mut summary,
            &mut session,
        )
        .await
    } else {
        stream(
            &connection.client,
            &args,
            &prepared,
            &mut out,
            &mut summary,
            &mut session,
        )
        .await
    };
    out.end_line();
    if args.figures {
        if out.wrote && !out.ends_with_newline {
            out.line("");
        }
        match &result {
            Ok(()) => out.line(&figures_line(&prepared.model, &summary)),
            Err(e) => out.line(&format!("-- failed: {}", e.name())),
        }
    }
    if let Some(saving) = session.filter(|s| s.working) {
        let end = End {
            stop_reason: summary.stop_reason.clone(),
            input_tokens: summary.usage.input_tokens,
            output_tokens: summary.usage.output_tokens,
            first_token_ms: summary.first_token_ms.map(|ms| ms as u64),
            total_ms: summary.total_ms.map(|ms| ms as u64),
            first_byte_ms: summary.first_byte_ms.map(|ms| ms as u64),
            ..End::default()
        };
        let error = result.as_ref().err().map(|e| (e, summary.began));
        if warn_unsaved(saving.log.end(end, error)).is_some() {
            eprintln!("bedrock-tui: saved in session {}", saving.log.id());
        }
    }
    match result {
        Ok(()) => 0,
        Err(e) => report(&e),
    }
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
        Err(UsageError(message)) => {
            eprintln!("error: {message}");
            return Err(EXIT_USAGE);
        }
    };
    match SessionLog::open(spec, &prompt) {
        Ok(log) => Ok(Some(log.with_prompt(prompt))),
        Err(e) => {
            eprintln!("error: {e}");
            Err(EXIT_FAILURE)
        }
    }
}

/// Prints `error: <Name>: <message>` and returns the failure status.
pub fn report(error: &BedrockError) -> i32 {
    let message = sanitize_for_terminal(&error.to_string()).into_owned();
    eprintln!("error: {}: {message}", error.name());
    EXIT_FAILURE
}

struct Prepared {
    prompt: String,
    params: Parameters,
    model: String,
    body: bytes::Bytes,
    family: Option<FamilyId>,
    options: InvokeOptions,
    stream: bool,
    notes: Vec<String>,
}

/// `--model A --model B ...`: the same prompt to each model in turn, each answer headed by the
/// model's name and followed by its figures (or one JSON object per model with `--json`).
async fn run_models(args: AskArgs) -> i32 {
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
        Err(UsageError(message)) => {
            eprintln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    let mut status = 0;
    for (index, model) in args.model.iter().enumerate() {
        if !args.json {
            if index > 0 {
                println!();
            }
            println!(
                "== {} ({model})",
                crate::app::state::State::model_name(model)
            );
        }
        let one = AskArgs {
            model: vec![model.clone()],
            prompt: Some(prompt.clone()),
            figures: !args.json,
            ..args.clone()
        };
        let result = Box::pin(run(one)).await;
        if status == 0 {
            status = result;
        }
    }
    status
}

/// `-- 0.4 s · ttft 12 ms · 85 tok/s · 14 in / 120 out · $0.0006`
fn figures_line(model: &str, summary: &Summary) -> String {
    let mut parts = Vec::new();
    if let Some(total) = summary.total_ms {
        parts.push(format!("{:.1} s", total as f64 / 1000.0));
    }
    if let Some(ttft) = summary.first_token_ms {
        parts.push(format!("ttft {ttft} ms"));
    }
    if let (Some(out), Some(total), Some(first)) = (
        summary.usage.output_tokens,
        summary.total_ms,
        summary.first_token_ms,
    ) && total > first + 20
    {
        parts.push(format!(
            "{:.0} tok/s",
            out as f64 / ((total - first) as f64 / 1000.0)
        ));
    }
    if let (Some(i), Some(o)) = (summary.usage.input_tokens, summary.usage.output_tokens) {
        parts.push(format!("{i} in / {o} out"));
        if let Some(price) = catalog::lookup(model).and_then(|m| m.price_per_1k) {
            let cost = price.input * i as f64 / 1000.0 + price.output * o as f64 / 1000.0;
            parts.push(format!("${cost:.5}"));
        }
    }
    if let Some(reason) = &summary.stop_reason {
        parts.push(reason.clone());
    }
    format!("-- {}", parts.join(" · "))
}

fn prepare(args: &AskArgs, session: Option<&SessionLog>) -> Result<Prepared, UsageError> {
    let model = args
        .model
        .first()
        .cloned()
        .or_else(|| session.and_then(|s| s.model()).map(str::to_string))
        .unwrap_or_else(|| catalog::default_model().to_string());
    let known = catalog::lookup(&model);
    let family = args.family.or_else(|| family_of(&model));
    let info = known.filter(|m| Some(m.family) == family);
    let options = InvokeOptions {
        accept: args.accept.clone(),
        content_type: args.content_type.clone(),
        trace: args.trace.clone(),
        guardrail_identifier: args.guardrail_id.clone(),
        guardrail_version: args.guardrail_version.clone(),
        performance_latency: args.latency.clone(),
        service_tier: args.service_tier.clone(),
    };
    options.validate().map_err(|e| UsageError(e.to_string()))?;
    let mut notes = Vec::new();
    if let Some(hint) = known.and_then(|m| capabilities::profile_hint(&model, m)) {
        notes.push(hint);
    }
    let mut params = Parameters {
        max_tokens: args.max_tokens,
        temperature: args.temperature,
        top_p: args.top_p,
        top_k: args.top_k,
        stop_sequences: args.stop.clone(),
        reasoning_budget: args.thinking,
    };
    let wants_stream = !args.no_stream;
    let mut prompt = String::new();
    let (body, stream) = match (&args.body, family) {
        (Some(path), _) => {
            // A verbatim body: only the choice of operation is checked.
            let stream = wants_stream
                && family.is_none_or(|f| info.map(|m| m.streaming).unwrap_or(f.streams()));
            if wants_stream && !stream {
                notes.push(format!("{model} does not stream; using InvokeModel"));
            }
            (read_body(path)?, stream)
        }
        (None, None) => {
            let names: Vec<&str> = FamilyId::ALL.iter().map(|f| f.name()).collect();
            return Err(UsageError(format!(
                "cannot tell the request format of {model:?}; pass --family (one of {}) or --body with a native request body",
                names.join(", ")
            )));
        }
        (None, Some(family)) => {
            let adjusted = capabilities::apply(info, family, &mut params, wants_stream)
                .map_err(|e| UsageError(e.to_string()))?;
            notes.extend(adjusted.notes);
            if session.is_some() && family.output() != OutputKind::Text {
                return Err(UsageError(format!(
                    "--session keeps conversations; {model} is not a text model"
                )));
            }
            let conversation = match session {
                Some(session) => {
                    prompt = session.prompt().to_string();
                    session.conversation(args.system.clone(), &prompt)
                }
                None => {
                    prompt = read_prompt(args)?;
                    Conversation {
                        system: args.system.clone(),
                        ..Conversation::single(prompt.clone())
                    }
                }
            };
            let body = family
                .adapter()
                .build_body(&conversation, &params, adjusted.stream)
                .map_err(|e| UsageError(e.to_string()))?;
            (bytes::Bytes::from(body.to_string()), adjusted.stream)
        }
    };
    Ok(Prepared {
        prompt,
        params,
        model,
        body,
        family,
        options,
        stream,
        notes,
    })
}

fn read_prompt(args: &AskArgs) -> Result<String, UsageError> {
    if let Some(prompt) = &args.prompt {
        return Ok(prompt.clone());
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(UsageError(
            "no prompt: pass it as an argument or pipe it on standard input".to_string(),
        ));
    }
    let mut prompt = String::new();
    stdin
        .lock()
        .read_to_string(&mut prompt)
        .map_err(|e| UsageError(format!("cannot read the prompt from standard input: {e}")))?;
    if prompt.trim().is_empty() {
        return Err(UsageError("the prompt is empty".to_string()));
    }
    Ok(prompt)
}

fn read_body(path: &std::path::Path) -> Result<bytes::Bytes, UsageError> {
    let mut bytes = Vec::new();
    let result = if path.as_os_str() == "-" {
        std::io::stdin().lock().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes).map(|_| ()))
    };
    result.map_err(|e| UsageError(format!("cannot read --body {}: {e}", path.display())))?;
    Ok(bytes.into())
}

/// Where the answer goes: stdout as it arrives (sanitized on a terminal), or nothing until the
/// final JSON.
struct Output {
    stdout: std::io::Stdout,
    terminal: bool,
    quiet: bool,
    ends_with_newline: bool,
    wrote: bool,
    /// Text not yet written: a stream's chunks are written together once the frames already
    /// received are decoded (one write per network read, not per chunk).
    pending: Vec<u8>,
}

impl Output {
    fn new(json: bool) -> Self {
        let stdout = std::io::stdout();
        Output {
            terminal: stdout.is_terminal(),
            stdout,
            quiet: json,
            ends_with_newline: true,
            wrote: false,
            pending: Vec::with_capacity(8 * 1024),
        }
    }

    /// Queues text; `flush` writes it.
    fn text(&mut self, text: &str) {
        if self.quiet || text.is_empty() {
            return;
        }
        if self.terminal {
            self.pending
                .extend_from_slice(sanitize_for_terminal(text).as_bytes());
        } else {
            self.pending.extend_from_slice(text.as_bytes());
        }
        self.ends_with_newline = text.ends_with('\n');
        self.wrote = true;
    }

    /// Writes the queued text.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut lock = self.stdout.lock();
        // A closed stdout (a pipe to `head`) is not worth an error message.
        let _ = lock.write_all(&self.pending).and_then(|_| lock.flush());
        self.pending.clear();
    }

    fn line(&mut self, line: &str) {
        self.flush();
        let mut lock = self.stdout.lock();
        let _ = writeln!(lock, "{line}").and_then(|_| lock.flush());
    }

    /// Ends a partial line on a terminal, so the prompt (or an error) starts on its own line.
    fn end_line(&mut self) {
        self.flush();
        if self.terminal && self.wrote && !self.ends_with_newline {
            self.line("");
            self.ends_with_newline = true;
        }
    }
}

#[derive(Default)]
struct Summary {
    text: String,
    reasoning: String,
    stop_reason: Option<String>,
    usage: Usage,
    first_token_ms: Option<u128>,
    /// The same, in microseconds.
    first_token_us: Option<u128>,
    first_byte_ms: Option<u128>,
    total_ms: Option<u128>,
    /// The response had begun (an error after this is an in-stream one).
    began: bool,
}

impl Summary {
    fn add(&mut self, delta: &ChunkDelta, elapsed: Duration) {
        if !delta.text.is_empty() && self.first_token_ms.is_none() {
            self.first_token_ms = Some(elapsed.as_millis());
            self.first_token_us = Some(elapsed.as_micros());
        }
        self.text.push_str(&delta.text);
        self.reasoning.push_str(&delta.reasoning);
        if delta.stop_reason.is_some() {
            self.stop_reason = delta.stop_reason.clone();
        }
        if delta.usage.input_tokens.is_some() {
            self.usage.input_tokens = delta.usage.input_tokens;
        }
        if delta.usage.output_tokens.is_some() {
            self.usage.output_tokens = delta.usage.output_tokens;
        }
        if let Some(m) = &delta.metrics {
            self.usage.input_tokens = m.input_token_count.or(self.usage.input_tokens);
            self.usage.output_tokens = m.output_token_count.or(self.usage.output_tokens);
        }
    }
}

async fn stream(
    client: &crate::bedrock::Client,
    args: &AskArgs,
    prepared: &Prepared,
    out: &mut Output,
    summary: &mut Summary,
    session: &mut Option<Saving<'_>>,
) -> Result<(), BedrockError> {
    let started = std::time::Instant::now();
    let wire = args.verbose.then(crate::bedrock::WireLog::new);
    let result = client
        .invoke_stream_logged(
            &prepared.model,
            prepared.body.clone(),
            &prepared.options,
            wire.as_ref(),
        )
        .await;
    if let Some(wire) = &wire {
        verbose::exchange(wire, result.as_ref().map(|stream| (&stream.meta, None)));
    }
    let mut stream = result?;
    summary.began = true;
    summary.first_byte_ms = Some(stream.meta.first_byte.as_millis());
    let mut decoder = prepared.family.map(StreamDecoder::new);
    let mut reasoning_out = ReasoningOutput::new(args.json || args.events);
    let mut frames = 0;
    while let Some(frame) = stream.next_frame().await.inspect_err(|e| {
        if args.verbose {
            verbose::failure(e);
        }
    })? {
        frames += 1;
        if args.verbose {
            verbose::frame(frames, &frame);
        }
        if args.events {
            out.line(&event_json(&frame).to_string());
        }
        match frame.event {
            StreamEvent::Chunk(bytes) => match &mut decoder {
                Some(decoder) => {
                    let delta = decoder
                        .decode(&bytes)
                        .map_err(|e| BedrockError::MalformedResponse(e.to_string()))?;
                    summary.add(&delta, frame.elapsed);
                    summary.total_ms = Some(started.elapsed().as_millis());
                    if let Some(saving) = session.as_mut() {
                        saving.text(&delta.text, &delta.reasoning);
                    }
                    if !args.events {
                        reasoning_out.text(&delta.reasoning);
                        if !delta.text.is_empty() {
                            reasoning_out.end();
                        }
                        out.text(&delta.text);
                    }
                }
                None if !args.events => out.text(&format!("{}\n", String::from_utf8_lossy(&bytes))),
                None => {}
            },
            StreamEvent::Unknown => {}
            other => {
                if let Some(error) = other.into_error() {
                    out.flush();
                    return Err(error);
                }
            }
        }
        if !stream.frame_ready() {
            out.flush();
        }
    }
    if let Some(decoder) = &mut decoder {
        let rest = decoder.finish();
        summary.add(&rest, stream.elapsed());
        if let Some(saving) = session.as_mut() {
            saving.text(&rest.text, &rest.reasoning);
        }
        if !args.events {
            reasoning_out.text(&rest.reasoning);
            out.text(&rest.text);
        }
    }
    reasoning_out.end();
    summary.total_ms = Some(stream.elapsed().as_millis());
    if args.json {
        let meta = &stream.meta;
        out.line(
            &json!({
                "model": prepared.model,
                "text": summary.text,
                "reasoning": (!summary.reasoning.is_empty()).then_some(&summary.reasoning),
                "stop_reason": summary.stop_reason,
                "usage": summary.usage,
                "request_id": meta.request_id,
                "content_type": meta.content_type,
                "attempts": meta.attempts,
                "first_byte_ms": meta.first_byte.as_millis(),
                "first_token_ms": summary.first_token_ms,
                "first_byte_us": meta.first_byte.as_micros(),
                "first_token_us": summary.first_token_us,
                "total_ms": stream.elapsed().as_millis(),
                "session": session.as_ref().map(|s| s.log.id()),
            })
            .to_string(),
        );
    }
    Ok(())
}

async fn invoke(
    client: &crate::bedrock::Client,
    args: &AskArgs,
    prepared: &Prepared,
    out: &mut Output,
    summary: &mut Summary,
    session: &mut Option<Saving<'_>>,
) -> Result<(), BedrockError> {
    let wire = args.verbose.then(crate::bedrock::WireLog::new);
    let result = client
        .invoke_logged(
            &prepared.model,
            prepared.body.clone(),
            &prepared.options,
            wire.as_ref(),
        )
        .await;
    if let Some(wire) = &wire {
        verbose::exchange(
            wire,
            result
                .as_ref()
                .map(|response| (&response.meta, Some(&response.body[..]))),
        );
    }
    let response = result?;
    summary.began = true;
    summary.first_byte_ms = Some(response.meta.first_byte.as_millis());
    summary.total_ms = Some(response.total.as_millis());
    let completion = match prepared.family {
        Some(family) => Some(
            family
                .adapter()
                .parse_response(&response.body)
                .map_err(|e| BedrockError::MalformedResponse(e.to_string()))?,
        ),
        None => None,
    };
    if let Some(c) = &completion {
        summary.stop_reason = c.stop_reason.clone();
        summary.usage = Usage {
            input_tokens: c.usage.input_tokens.or(response.meta.metrics.input_tokens),
            output_tokens: c
                .usage
                .output_tokens
                .or(response.meta.metrics.output_tokens),
        };
        if let Some(saving) = session.as_mut() {
            saving.text(&c.text, &c.reasoning);
        }
    }
    let meta = &response.meta;
    let images = match (&completion, prepared.family.map(FamilyId::output)) {
        (Some(c), Some(OutputKind::Image)) => save_images(args, &c.images)?,
        _ => Vec::new(),
    };
    if args.json {
        let completion = completion.unwrap_or_default();
        let usage = Usage {
            input_tokens: completion.usage.input_tokens.or(meta.metrics.input_tokens),
            output_tokens: completion
                .usage
                .output_tokens
                .or(meta.metrics.output_tokens),
        };
        let mut summary = json!({
            "model": prepared.model,
            "text": completion.text,
            "reasoning": (!completion.reasoning.is_empty()).then_some(&completion.reasoning),
            "stop_reason": completion.stop_reason,
            "usage": usage,
            "request_id": meta.request_id,
            "content_type": meta.content_type,
            "attempts": meta.attempts,
            "first_byte_ms": meta.first_byte.as_millis(),
            "total_ms": response.total.as_millis(),
            "session": session.as_ref().map(|s| s.log.id()),
        });
        if !completion.embeddings.is_empty() {
            summary["embeddings"] = json!(completion.embeddings);
        }
        if !images.is_empty() {
            summary["images"] = json!(images);
        }
        out.line(&summary.to_string());
        return Ok(());
    }
    match completion {
        Some(c) if !c.embeddings.is_empty() => describe_embeddings(&c, out),
        Some(_) if !images.is_empty() => {}
        Some(c) => {
            let mut reasoning_out = ReasoningOutput::new(false);
            reasoning_out.text(&c.reasoning);
            reasoning_out.end();
            out.text(&c.text)
        }
        None => out.text(&String::from_utf8_lossy(&response.body)),
    }
    Ok(())
}

/// Prints each embedding's dimensions, Euclidean norm and first values.
fn describe_embeddings(completion: &Completion, out: &mut Output) {
    for (index, vector) in completion.embeddings.iter().enumerate() {
        let norm = vector.iter().map(|v| v * v).sum::<f64>().sqrt();
        let first: Vec<String> = vector.iter().take(8).map(|v| format!("{v:.6}")).collect();
        out.line(&format!(
            "embedding {index}: {} dimensions, norm {norm:.6}, first values [{}{}]",
            vector.len(),
            first.join(", "),
            if vector.len() > first.len() {
                ", …"
            } else {
                ""
            }
        ));
    }
}

/// Writes the images to `--output` (numbered when there are several) or to
/// `bedrock-tui-image-<time>-<n>.png` in the current directory; names each on stderr.
fn save_images(args: &AskArgs, images: &[Vec<u8>]) -> Result<Vec<String>, BedrockError> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut written = Vec::new();
    for (index, image) in images.iter().enumerate() {
        let extension = if image.starts_with(b"\xff\xd8") {
            "jpg"
        } else {
            "png"
        };
        let path = match &args.output {
            Some(path) if images.len() == 1 => path.clone(),
            Some(path) => {
                let stem = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let ext = path
                    .extension()
                    .map(|e| e.to_string_lossy().into_owned())
                    .unwrap_or_else(|| extension.to_string());
                path.with_file_name(format!("{stem}-{}.{ext}", index + 1))
            }
            None => std::path::PathBuf::from(format!(
                "bedrock-tui-image-{stamp}-{}.{extension}",
                index + 1
            )),
        };
        std::fs::write(&path, image).map_err(|e| {
            BedrockError::Config(format!("cannot write the image to {}: {e}", path.display()))
        })?;
        eprintln!(
            "bedrock-tui: wrote {} ({} bytes)",
            path.display(),
            image.len()
        );
        written.push(path.display().to_string());
    }
    Ok(written)
}

/// Reasoning text goes to stderr, so stdout carries only the answer.
struct ReasoningOutput {
    quiet: bool,
    open: bool,
    terminal: bool,
}

impl ReasoningOutput {
    fn new(quiet: bool) -> Self {
        ReasoningOutput {
            quiet,
            open: false,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    fn text(&mut self, text: &str) {
        if self.quiet || text.is_empty() {
            return;
        }
        let mut err = std::io::stderr().lock();
        if !self.open {
            let _ = write!(
                err,
                "{}",
                if self.terminal {
                    "\x1b[2m[reasoning]\n"
                } else {
                    "[reasoning]\n"
                }
            );
            self.open = true;
        }
        let shown = if self.terminal {
            sanitize_for_terminal(text)
        } else {
            text.into()
        };
        let _ = err.write_all(shown.as_bytes()).and_then(|_| err.flush());
    }

    fn end(&mut self) {
        if self.open {
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "{}",
                if self.terminal {
                    "\x1b[0m\n[answer]\n"
                } else {
                    "\n[answer]\n"
                }
            );
            self.open = false;
        }
    }
}

/// One frame as a JSON line: headers, payload (UTF-8 text or base64) and, for chunks, the
/// decoded model JSON.
pub fn event_json(frame: &Frame) -> Value {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut headers = serde_json::Map::new();
    for header in frame.message.headers() {
        let value = match header.value {
            HeaderValue::Bool(b) => json!(b),
            HeaderValue::Byte(v) => json!(v),
            HeaderValue::Int16(v) => json!(v),
            HeaderValue::Int32(v) => json!(v),
            HeaderValue::Int64(v) | HeaderValue::Timestamp(v) => json!(v),
            HeaderValue::Bytes(b) => json!({ "base64": b64(b) }),
            HeaderValue::String(s) => json!(s),
            HeaderValue::Uuid(u) => json!(format_uuid(&u)),
        };
        headers.insert(header.name.to_string(), value);
    }
    let payload = frame.message.payload();
    let payload = match std::str::from_utf8(payload) {
        Ok(text) => json!(text),
        Err(_) => json!({ "base64": b64(payload) }),
    };
    let mut line =
        json!({ "headers": headers, "payload": payload, "elapsed_ms": frame.elapsed.as_millis() });
    if let StreamEvent::Chunk(bytes) = &frame.event {
        line["decoded"] = serde_json::from_slice::<Value>(bytes)
            .unwrap_or_else(|_| json!(String::from_utf8_lossy(bytes)));
    }
    line
}

/// `--verbose`: the exchange on stderr, `>` for what was sent, `<` for what came back.
mod verbose {
    use crate::bedrock::{BedrockError, Frame, ResponseMeta, SentRequest};
    use crate::inspect::{FrameRecord, body_text};
    use crate::text::sanitize_for_terminal;
    use std::io::{IsTerminal, Write};

    fn print(lines: &[String]) {
        let stderr = std::io::stderr();
        let terminal = stderr.is_terminal();
        let mut err = stderr.lock();
        for line in lines {
            let shown = if terminal {
                sanitize_for_terminal(line)
            } else {
                line.as_str().into()
            };
            let _ = writeln!(err, "{shown}");
        }
    }

    /// The attempts as sent, then the response (status, headers, a whole body) or the error.
    pub fn exchange(
        wire: &crate::bedrock::WireLog,
        result: Result<(&ResponseMeta, Option<&[u8]>), &BedrockError>,
    ) {
        requests(&wire.requests());
        match result {
            Ok((meta, body)) => {
                response(meta);
                if let Some(bytes) = body {
                    self::body(bytes);
                }
            }
            Err(e) => failure(e),
        }
    }

    fn requests(requests: &[SentRequest]) {
        let mut lines = Vec::new();
        for r in requests {
            if requests.len() > 1 {
                lines.push(format!(
                    "* attempt {} at +{} ms",
                    r.attempt,
                    r.at.as_millis()
                ));
            }
            lines.push(format!("> {} {}", r.method, r.url));
            lines.extend(r.headers.iter().map(|(n, v)| format!("> {n}: {v}")));
            lines.push(">".to_string());
            lines.extend(body_text(&r.body).lines().map(|l| format!("> {l}")));
        }
        print(&lines);
    }

    fn response(meta: &ResponseMeta) {
        let mut lines = vec![format!(
            "< HTTP {} (headers after {} ms)",
            meta.status,
            meta.first_byte.as_millis()
        )];
        lines.extend(meta.headers.iter().map(|(n, v)| format!("< {n}: {v}")));
        print(&lines);
    }

    fn body(body: &[u8]) {
        let lines: Vec<String> = body_text(body).lines().map(|l| format!("< {l}")).collect();
        print(&lines);
    }

    pub fn frame(number: usize, frame: &Frame) {
        let record = FrameRecord::from_frame(frame);
        let headers: Vec<String> = record
            .headers
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        let mut lines = vec![format!(
            "< frame {number} +{} ms {}",
            record.elapsed.as_millis(),
            headers.join(" ")
        )];
        lines.push(format!(
            "<   payload {}",
            String::from_utf8_lossy(&record.payload)
        ));
        if let Some(decoded) = &record.decoded {
            lines.push(format!("<   decoded {}", String::from_utf8_lossy(decoded)));
        }
        print(&lines);
    }

    pub fn failure(error: &BedrockError) {
        let status = error
            .service()
            .and_then(|s| s.status)
            .map(|s| format!("HTTP {s} "))
            .unwrap_or_default();
        print(&[format!("< {status}{}: {error}", error.name())]);
    }
}
