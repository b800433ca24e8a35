//! What `ask` writes while the call runs (text, reasoning, frames, notes) and the `--json`
//! summary or error object at the end.

use super::output::{Output, ReasoningOutput};
use super::{Saving, event_json, report, results, verbose, warn_unsaved};
use crate::bedrock::BedrockError;
use crate::cli::AskArgs;
use crate::exchange::{Event, Outcome, Prepared};
use crate::text::sanitize_for_terminal;
use crate::transcript::End;
use serde_json::json;
use std::io::IsTerminal;

/// Writes what the call reports as it happens, and the summary at the end.
pub(super) struct Printer<'a> {
    args: &'a AskArgs,
    pub(super) out: Output,
    reasoning: ReasoningOutput,
    session: Option<Saving<'a>>,
    frames: usize,
    stderr_terminal: bool,
    /// The files sent with the prompt (for `--json`).
    pub(super) attachments: Vec<crate::attachments::Attachment>,
    /// The text of the answers before the last, in a tool loop.
    text_before: String,
    /// Requests sent (more than one in a tool loop).
    requests: usize,
    /// The tool calls of a tool loop (for `--json`).
    pub(super) tool_runs: Option<serde_json::Value>,
    /// Why the tool loop stopped before an answer without calls.
    pub(super) stopped: Option<String>,
}

impl<'a> Printer<'a> {
    pub(super) fn new(args: &'a AskArgs, session: Option<Saving<'a>>) -> Self {
        Printer {
            args,
            out: Output::new(args.json),
            reasoning: ReasoningOutput::new(args.json || args.events),
            session,
            frames: 0,
            stderr_terminal: std::io::stderr().is_terminal(),
            attachments: Vec::new(),
            text_before: String::new(),
            requests: 1,
            tool_runs: None,
            stopped: None,
        }
    }

    /// Before an answer's tool calls run: its text ended, so that what is said of the calls
    /// on stderr starts on a line of its own.
    pub(super) fn end_answer(&mut self) {
        self.reasoning.end();
        if !self.args.json && !self.args.events {
            self.out.end_line();
        }
        self.out.flush();
    }

    /// An answer of a tool loop ended with calls: in the session, its end with the calls, the
    /// results given back, and the start of the next answer.
    pub(super) fn save_round(
        &mut self,
        model: &str,
        outcome: &Outcome,
        calls: &[crate::models::tool_use::ToolCall],
        runs: &[crate::tools::Ran],
    ) {
        let Some(saving) = self.session.as_mut().filter(|s| s.working) else {
            return;
        };
        let mut end = end_of(outcome, model);
        end.tool_calls = calls.to_vec();
        let results = runs
            .iter()
            .map(crate::transcript::SavedToolRun::from)
            .collect();
        saving.working = warn_unsaved(saving.log.round(end, results)).is_some();
    }

    /// Between two answers of a tool loop: the text so far kept.
    pub(super) fn next_round(&mut self, outcome: &Outcome) {
        self.text_before.push_str(&outcome.text);
        if !outcome.text.is_empty() {
            self.text_before.push_str("\n\n");
        }
        self.requests += 1;
    }

    pub(super) fn event(&mut self, event: &Event<'_>) {
        let verbose = self.args.verbose;
        match event {
            Event::Sent(request) if verbose => verbose::sent(request),
            Event::Retrying(notice) if verbose => verbose::retrying(notice),
            Event::Retrying(notice) if self.stderr_terminal => eprintln!(
                "bedrock-tui: {}; retrying ({}/{}) in {:.1} s",
                sanitize_for_terminal(&notice.error.to_string()),
                notice.attempt + 1,
                notice.max_attempts,
                notice.wait.as_secs_f64()
            ),
            Event::Response(meta) if verbose => verbose::response(meta),
            Event::Body(body) if verbose => verbose::body(body),
            Event::Frame(frame) => {
                self.frames += 1;
                if verbose {
                    verbose::frame(self.frames, frame);
                }
                if self.args.events {
                    self.out.json(&event_json(frame).to_string());
                }
            }
            Event::Note(note) => crate::cli::term::err_line(&format!("bedrock-tui: {note}")),
            Event::Delta(delta, _) => {
                if let Some(saving) = self.session.as_mut() {
                    saving.text(&delta.text, &delta.reasoning);
                }
                if !self.args.events {
                    self.reasoning.text(&delta.reasoning);
                    if !delta.text.is_empty() {
                        self.reasoning.end();
                    }
                    self.out.text(&delta.text);
                }
            }
            Event::Drained => self.out.flush(),
            Event::Sent(_) | Event::Retrying(_) | Event::Response(_) | Event::Body(_) => {}
        }
    }

    /// Pictures, embeddings, the JSON summary or figures line, the session's end; the status.
    pub(super) fn finish(mut self, prepared: &Prepared, outcome: &Outcome) -> i32 {
        self.reasoning.end();
        if !self.args.json && self.tool_runs.is_none() {
            for call in &outcome.figures.tool_calls {
                self.out.flush();
                crate::cli::term::err_line(&format!(
                    "bedrock-tui: tool call {} (not run: tools run with --tools)",
                    call.summary()
                ));
            }
        }
        if let Some(guardrail) = &outcome.figures.guardrail
            && !self.args.json
        {
            self.out.flush();
            crate::cli::term::err_line(&format!("bedrock-tui: {}", guardrail.summary()));
        }
        let mut error = outcome.error.clone();
        if let Some(e) = &error
            && self.args.verbose
        {
            verbose::failure(e);
        }
        let mut images = Vec::new();
        if error.is_none() && !outcome.images.is_empty() {
            match results::save_images(self.args.save_image.as_deref(), &outcome.images) {
                Ok(written) => images = written,
                Err(e) => error = Some(e),
            }
        }
        if self.args.json {
            let mut summary = summary_json(
                prepared,
                outcome,
                &images,
                self.session.as_ref(),
                &self.attachments,
            );
            if let Some(e) = &error {
                summary["error"] = error_json(e);
            }
            if let Some(runs) = self.tool_runs.take() {
                summary["text"] = json!(format!("{}{}", self.text_before, outcome.text));
                summary["tool_runs"] = runs;
                summary["requests"] = json!(self.requests);
                summary["stopped"] = json!(self.stopped);
            }
            self.out.json(&summary.to_string());
        } else if !self.args.json && !outcome.embeddings.is_empty() {
            results::describe_embeddings(&outcome.embeddings, &mut self.out);
        }
        self.out.end_line();
        if self.args.figures {
            if self.out.wrote && !self.out.ends_with_newline {
                self.out.line("");
            }
            match &error {
                None => self
                    .out
                    .line(&format!("-- {}", outcome.figures.line(&prepared.model))),
                Some(e) => self.out.line(&format!("-- failed: {}", e.name())),
            }
        }
        if let Some(saving) = self.session.filter(|s| s.working) {
            let end = end_of(outcome, &prepared.model);
            let failed = error.as_ref().map(|e| (e, outcome.failed_in_stream()));
            // Where it went is said with -v (`--json` has it; `--session last` finds it).
            if warn_unsaved(saving.log.end(end, failed)).is_some() && self.args.verbose {
                eprintln!("bedrock-tui: saved in session {}", saving.log.id());
            }
        }
        if let Some(why) = &self.stopped {
            crate::cli::term::err_line(&format!("error: {why}"));
        }
        match error {
            None if self.stopped.is_some() => super::EXIT_FAILURE,
            None => 0,
            Some(e) => report(&e),
        }
    }
}

/// How an answer ended, for the session: its figures (cache counts, cost and the guardrail's
/// word too), tool calls and signed thinking.
fn end_of(outcome: &Outcome, model: &str) -> End {
    let figures = &outcome.figures;
    let millis = |d: Option<std::time::Duration>| {
        d.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    };
    End {
        stop_reason: figures.stop_reason.clone(),
        input_tokens: figures.input_tokens(),
        output_tokens: figures.output_tokens(),
        cache_read_tokens: figures.cache_read_tokens,
        cache_write_tokens: figures.cache_write_tokens,
        cost_usd: figures.cost(model),
        guardrail: figures.guardrail.clone(),
        first_token_ms: millis(figures.first_token),
        total_ms: millis(figures.total),
        first_byte_ms: millis(figures.first_byte),
        tool_calls: figures.tool_calls.clone(),
        signed: figures.signed.clone(),
        ..End::default()
    }
}

/// `ask --json`: one object with the answer and its figures.
fn summary_json(
    prepared: &Prepared,
    outcome: &Outcome,
    images: &[String],
    session: Option<&Saving<'_>>,
    attachments: &[crate::attachments::Attachment],
) -> serde_json::Value {
    let figures = &outcome.figures;
    let meta = outcome.meta.as_ref();
    let ms = |d: Option<std::time::Duration>| d.map(|d| d.as_millis());
    let us = |d: Option<std::time::Duration>| d.map(|d| d.as_micros());
    let mut summary = json!({
        "model": prepared.model,
        "family": outcome.reader.map(crate::models::FamilyId::name),
        "text": outcome.text,
        "reasoning": (!outcome.reasoning.is_empty()).then_some(&outcome.reasoning),
        "stop_reason": figures.stop_reason,
        "usage": {
            "input_tokens": figures.input_tokens(),
            "output_tokens": figures.output_tokens(),
            "cache_read_input_tokens": figures.cache_read_tokens,
            "cache_write_input_tokens": figures.cache_write_tokens,
        },
        "cost_usd": figures.cost(&prepared.model),
        // The response's, else the failure's (an error that came as an HTTP status).
        "request_id": meta.and_then(|m| m.request_id.clone()).or_else(|| {
            outcome
                .error
                .as_ref()
                .and_then(BedrockError::service)
                .and_then(|s| s.request_id.clone())
        }),
        "content_type": meta.and_then(|m| m.content_type.clone()),
        "attempts": figures.attempts,
        "first_byte_ms": ms(figures.first_byte),
        "first_token_ms": ms(figures.first_token),
        "first_byte_us": us(figures.first_byte),
        "first_token_us": us(figures.first_token),
        "total_ms": ms(figures.total),
        "session": session.map(|s| s.log.id()),
        "guardrail": figures.guardrail,
        "tool_calls": figures.tool_calls,
        "served": {
            "latency": meta.and_then(|m| m.header("x-amzn-bedrock-performanceconfig-latency"))
                .map(crate::bedrock::error::server_text),
            "service_tier": meta.and_then(|m| m.header("x-amzn-bedrock-service-tier"))
                .map(crate::bedrock::error::server_text),
        },
    });
    if !outcome.embeddings.is_empty() {
        summary["embeddings"] = json!(outcome.embeddings);
    }
    if !images.is_empty() {
        summary["images"] = json!(images);
    }
    if !attachments.is_empty() {
        summary["attachments"] = attachments
            .iter()
            .map(|a| {
                json!({
                    "name": a.name,
                    "type": a.media.mime(),
                    "bytes": a.data.len(),
                    "sha256": a.sha256(),
                })
            })
            .collect();
    }
    summary
}

/// An error as `--json` reports it.
pub(super) fn error_json(error: &BedrockError) -> serde_json::Value {
    let service = error.service();
    json!({
        "name": error.name(),
        "message": service.map_or_else(|| error.to_string(), |s| s.message.clone()),
        "status": service.and_then(|s| s.status),
        "request_id": service.and_then(|s| s.request_id.clone()),
    })
}
