//! The accept / content-type matrix: one request body sent to one model for each combination
//! of `Accept`, `Content-Type` and streaming (or of latency mode and service tier), with what
//! came back (status or exception, the
//! response's content type, bytes, first-byte and total latency, the first line of the answer)
//! and the whole exchange for the inspector. Used by `compare-types` and by the chat; each
//! combination is prepared and run by the exchange layer.

use crate::bedrock::{Client, InvokeOptions};
use crate::exchange::{self, Content, Intent, Prepared, Refusal};
use crate::inspect::Exchange;
use crate::models::{Conversation, FamilyId, OutputKind, Parameters};
use std::time::Duration;

/// One combination to try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Combination {
    /// `Accept` (`X-Amzn-Bedrock-Accept` when streaming).
    pub accept: String,
    /// `Content-Type`.
    pub content_type: String,
    /// InvokeModelWithResponseStream (else InvokeModel).
    pub stream: bool,
    /// `X-Amzn-Bedrock-PerformanceConfig-Latency`, when the row sets it.
    pub latency: Option<String>,
    /// `X-Amzn-Bedrock-Service-Tier`, when the row sets it.
    pub tier: Option<String>,
}

impl Combination {
    /// `stream` or `invoke`.
    pub fn mode(&self) -> &'static str {
        if self.stream { "stream" } else { "invoke" }
    }

    /// The mode with the latency and tier the row asks for: `stream optimized flex`.
    pub fn mode_label(&self) -> String {
        let mut label = self.mode().to_string();
        for part in [&self.latency, &self.tier].into_iter().flatten() {
            label.push(' ');
            label.push_str(part);
        }
        label
    }
}

/// The matrix's columns, in order (the CLI's table and the chat's).
pub(crate) const COLUMNS: [&str; 9] = [
    "ACCEPT",
    "CONTENT-TYPE",
    "MODE",
    "RESULT",
    "RESPONSE TYPE",
    "BYTES",
    "FIRST",
    "TOTAL",
    "ANSWER",
];

/// One row's cells; a combination still running shows `…`. Untrusted text (the answer's first
/// line) is passed as it came: the caller makes it safe for where it goes.
pub(crate) fn cells(combination: &Combination, outcome: Option<&Outcome>) -> [String; 9] {
    let ms = |d: Duration| format!("{} ms", d.as_millis());
    let mut row = [
        combination.accept.clone(),
        combination.content_type.clone(),
        combination.mode_label(),
        "…".to_string(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ];
    if let Some(o) = outcome {
        row[3] = o.result();
        row[4] = o.content_type.clone().unwrap_or_else(|| "-".to_string());
        row[5] = o.bytes.to_string();
        // The first token where the answer has one (what a user waits for), else the first
        // byte (an error, a body without text).
        row[6] = o
            .figures
            .first_token
            .or(o.first_byte)
            .map_or_else(|| "-".to_string(), ms);
        row[7] = ms(o.total);
        row[8].clone_from(&o.first_line);
    }
    row
}

/// Cells of all of [`COLUMNS`] laid out in columns of the given widths; see [`row_text_of`].
pub(crate) fn row_text(cells: &[impl AsRef<str>], widths: &[usize]) -> String {
    let columns: Vec<usize> = (0..cells.len()).collect();
    row_text_of(cells, widths, &columns)
}

/// Cells of the `columns` (of [`COLUMNS`]) given, laid out in columns of the given widths (as
/// many columns as widths); numbers (bytes, timings) are right-aligned, a width of 0 leaves the
/// column unbounded (the last one).
pub(crate) fn row_text_of(
    cells: &[impl AsRef<str>],
    widths: &[usize],
    columns: &[usize],
) -> String {
    let mut out = String::new();
    for (index, (cell, &width)) in cells.iter().zip(widths).enumerate() {
        let column = columns.get(index).copied().unwrap_or(index);
        if index > 0 {
            out.push(' ');
        }
        let cell = cell.as_ref();
        if width == 0 {
            out.push_str(cell);
            continue;
        }
        // Cut and padded by display width (a wide character counts two).
        let mut cut = String::new();
        let mut used = 0;
        for c in cell.chars() {
            let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if used + w > width {
                break;
            }
            cut.push(c);
            used += w;
        }
        let pad = width.saturating_sub(used);
        if (5..=7).contains(&column) {
            out.push_str(&" ".repeat(pad));
            out.push_str(&cut);
        } else {
            out.push_str(&cut);
            out.push_str(&" ".repeat(pad));
        }
    }
    out.trim_end().to_string()
}

/// The default combinations for a family: `application/json` and `*/*` for both headers, plus
/// what the family documents (`image/png` for image models), streamed and not where the model
/// streams.
pub(crate) fn default_combinations(family: FamilyId, streams: bool) -> Vec<Combination> {
    let mut accepts = vec!["application/json".to_string(), "*/*".to_string()];
    if family.output() == OutputKind::Image {
        accepts.push("image/png".to_string());
    }
    let content_types = ["application/json", "*/*"];
    let modes: &[bool] = if streams { &[true, false] } else { &[false] };
    let mut combinations = Vec::new();
    for &stream in modes {
        for content_type in content_types {
            for accept in &accepts {
                combinations.push(Combination {
                    accept: accept.clone(),
                    content_type: content_type.to_string(),
                    stream,
                    latency: None,
                    tier: None,
                });
            }
        }
    }
    combinations
}

/// The latency and tier rows: standard and optimized latency, each at the default, priority
/// and flex tiers, with JSON both ways, streamed where the model streams.
pub(crate) fn tier_combinations(streams: bool) -> Vec<Combination> {
    let mut combinations = Vec::new();
    for latency in ["standard", "optimized"] {
        for tier in ["default", "priority", "flex"] {
            combinations.push(Combination {
                accept: "application/json".to_string(),
                content_type: "application/json".to_string(),
                stream: streams,
                latency: Some(latency.to_string()),
                tier: Some(tier.to_string()),
            });
        }
    }
    combinations
}

/// What one combination gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The combination.
    pub combination: Combination,
    /// HTTP status, when a response arrived.
    pub status: Option<u16>,
    /// Exception or error name, when it failed (in the response or in the stream).
    pub error: Option<String>,
    /// The response's model content type (`X-Amzn-Bedrock-Content-Type` or `Content-Type`).
    pub content_type: Option<String>,
    /// Bytes received (body, or payloads of the frames).
    pub bytes: usize,
    /// Time to the response headers.
    pub first_byte: Option<Duration>,
    /// Time to the end.
    pub total: Duration,
    /// The first line of the answer (or of the error message).
    pub first_line: String,
    /// Everything that went over the wire.
    pub exchange: Exchange,
    /// The answer's figures (tokens, stop reason, timings), counted as everywhere else.
    pub figures: crate::exchange::Figures,
    /// The latency and tier the response headers confirm, when they do.
    pub served: Option<String>,
}

impl Outcome {
    /// `200`, `200 · ThrottlingException` (in the stream) or `400 ValidationException`; with
    /// the latency and tier the response says it was served at (`200 optimized flex`).
    pub fn result(&self) -> String {
        let status = self.status_text();
        match &self.served {
            Some(served) if self.error.is_none() => format!("{status} {served}"),
            _ => status,
        }
    }

    fn status_text(&self) -> String {
        match (self.status, &self.error) {
            (Some(200), Some(error)) => format!("200 · {error}"),
            (Some(status), Some(error)) => format!("{status} {error}"),
            (Some(status), None) => status.to_string(),
            (None, Some(error)) => error.clone(),
            (None, None) => "-".to_string(),
        }
    }
}

/// The requests of the matrix: `conversation` for `model`, once per combination, each
/// prepared by the exchange layer with that combination's headers and operation (in `region`,
/// when known, a bare id served through profiles only goes through its geography's).
pub(crate) fn prepare_rows(
    model: &str,
    family: Option<FamilyId>,
    conversation: &Conversation,
    params: &Parameters,
    combinations: &[Combination],
    region: Option<&str>,
) -> Result<Vec<(Combination, Prepared)>, Refusal> {
    combinations
        .iter()
        .map(|combination| {
            let intent = Intent {
                model: model.to_string(),
                family,
                looked_up: None,
                content: Content::Conversation {
                    conversation: conversation.clone(),
                    params: params.clone(),
                },
                options: InvokeOptions {
                    accept: Some(combination.accept.clone()),
                    content_type: Some(combination.content_type.clone()),
                    performance_latency: combination.latency.clone(),
                    service_tier: combination.tier.clone(),
                    ..InvokeOptions::default()
                },
                stream: combination.stream,
                text_only: false,
                prompt_cache: false,
                api: crate::bedrock::Api::Invoke,
                region: region.map(str::to_string),
            };
            exchange::prepare(&intent).map(|prepared| (combination.clone(), prepared))
        })
        .collect()
}

/// Runs one combination's request and reads the whole answer.
pub async fn run(client: &Client, combination: Combination, prepared: &Prepared) -> Outcome {
    let mut kept = Exchange::default();
    let outcome = exchange::call(client, prepared, |event| kept.record(&event)).await;
    kept.total = outcome.figures.total;
    let mut text = outcome.text.clone();
    if text.is_empty() && !outcome.images.is_empty() {
        text = format!("({} image(s))", outcome.images.len());
    }
    if text.is_empty() && !outcome.embeddings.is_empty() {
        text = format!("({} embedding(s))", outcome.embeddings.len());
    }
    let error = outcome.error.as_ref().map(|e| e.name().to_string());
    if let Some(e) = &outcome.error {
        kept.error = Some(format!("{}: {e}", e.name()));
        if kept.status.is_none() {
            kept.status = e.service().and_then(|s| s.status);
        }
        if text.is_empty() {
            text = e.to_string();
        }
    }
    let first_line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default()
        .to_string();
    let served = outcome.meta.as_ref().and_then(|meta| {
        let parts: Vec<String> = [
            "x-amzn-bedrock-performanceconfig-latency",
            "x-amzn-bedrock-service-tier",
        ]
        .iter()
        .filter_map(|name| meta.header(name))
        .map(crate::bedrock::error::server_text)
        .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    });
    Outcome {
        served,
        status: kept.status,
        error,
        content_type: outcome.meta.as_ref().and_then(|m| m.content_type.clone()),
        bytes: kept.response_bytes,
        first_byte: kept.first_byte,
        total: outcome.figures.total.unwrap_or_default(),
        first_line,
        exchange: kept,
        figures: outcome.figures,
        combination,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_family() {
        let text = default_combinations(FamilyId::Anthropic, true);
        assert_eq!(text.len(), 8);
        assert!(text.iter().any(|c| c.stream) && text.iter().any(|c| !c.stream));
        let images = default_combinations(FamilyId::TitanImage, false);
        assert_eq!(images.len(), 6);
        assert!(images.iter().any(|c| c.accept == "image/png"));
        assert!(images.iter().all(|c| !c.stream));
    }
}
