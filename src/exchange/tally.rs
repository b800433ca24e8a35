//! The figures of one answer, counted by one set of rules for every screen and command: time to
//! the response headers, to the first token (text or reasoning, whichever comes first), to the
//! end; tokens as Bedrock metered them (invocation metrics, `X-Amzn-Bedrock-*` headers) or, where
//! Bedrock says nothing, as the model reported them; tokens per second; the cost from the
//! catalog's prices; and one way to print a cost.

use crate::bedrock::ResponseMeta;
use crate::models::{ChunkDelta, Usage, catalog};
use std::time::Duration;

/// Figures of one answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Time to the response headers.
    pub first_byte: Option<Duration>,
    /// Time to the first text or reasoning.
    pub first_token: Option<Duration>,
    /// Time to the end of the answer (or of the failure).
    pub total: Option<Duration>,
    /// Token counts the model put in its answer (`usage`, `meta`, …).
    pub reported: Usage,
    /// Token counts Bedrock metered: `amazon-bedrock-invocationMetrics` of a stream, the
    /// `X-Amzn-Bedrock-Input/Output-Token-Count` headers of InvokeModel.
    pub metered: Usage,
    /// Prompt tokens read from the prompt cache (`X-Amzn-Bedrock-Cache-Read-Input-Token-Count`).
    pub cache_read_tokens: Option<u64>,
    /// Prompt tokens written to the prompt cache.
    pub cache_write_tokens: Option<u64>,
    /// Why the model stopped, as it said it.
    pub stop_reason: Option<String>,
    /// Attempts made (retries before the response began included).
    pub attempts: u32,
    /// What a guardrail did, when the answer said.
    pub guardrail: Option<crate::models::guardrail::Guardrail>,
    /// The tool calls the answer made.
    pub tool_calls: Vec<crate::models::tool_use::ToolCall>,
    /// Its thinking's signature and redacted blocks (Claude), given back with its tool calls.
    pub signed: crate::models::tool_use::SignedThinking,
}

/// Shortest span after the first token for a rate to mean anything.
const MIN_RATE_SPAN: Duration = Duration::from_millis(20);

impl Figures {
    /// Prompt tokens: Bedrock's count, else the model's.
    pub fn input_tokens(&self) -> Option<u64> {
        self.metered.input_tokens.or(self.reported.input_tokens)
    }

    /// Generated tokens: Bedrock's count, else the model's.
    pub fn output_tokens(&self) -> Option<u64> {
        self.metered.output_tokens.or(self.reported.output_tokens)
    }

    /// Takes in what the response headers said.
    pub(crate) fn add_response(&mut self, meta: &ResponseMeta) {
        self.first_byte = Some(meta.first_byte);
        self.attempts = meta.attempts;
        let m = &meta.metrics;
        self.metered.input_tokens = m.input_tokens.or(self.metered.input_tokens);
        self.metered.output_tokens = m.output_tokens.or(self.metered.output_tokens);
        self.cache_read_tokens = m.cache_read_input_tokens.or(self.cache_read_tokens);
        self.cache_write_tokens = m.cache_write_input_tokens.or(self.cache_write_tokens);
    }

    /// Takes in one decoded chunk (or the whole answer of InvokeModel) that arrived `elapsed`
    /// after the call started.
    pub(crate) fn add_delta(&mut self, delta: &ChunkDelta, elapsed: Duration) {
        if self.first_token.is_none() && (!delta.text.is_empty() || !delta.reasoning.is_empty()) {
            self.first_token = Some(elapsed);
        }
        if delta.stop_reason.is_some() {
            self.stop_reason.clone_from(&delta.stop_reason);
        }
        for piece in &delta.tool_calls {
            crate::models::tool_use::merge(&mut self.tool_calls, piece);
        }
        self.signed.add(&delta.signed);
        if let Some(news) = &delta.guardrail {
            match &mut self.guardrail {
                Some(known) => known.merge((**news).clone()),
                None => self.guardrail = Some((**news).clone()),
            }
        }
        self.reported.input_tokens = delta.usage.input_tokens.or(self.reported.input_tokens);
        self.reported.output_tokens = delta.usage.output_tokens.or(self.reported.output_tokens);
        self.cache_read_tokens = delta.usage.cache_read_tokens.or(self.cache_read_tokens);
        self.cache_write_tokens = delta.usage.cache_write_tokens.or(self.cache_write_tokens);
        if let Some(m) = &delta.metrics {
            self.metered.input_tokens = m.input_token_count.or(self.metered.input_tokens);
            self.metered.output_tokens = m.output_token_count.or(self.metered.output_tokens);
            self.cache_read_tokens = m.cache_read_input_token_count.or(self.cache_read_tokens);
            self.cache_write_tokens = m.cache_write_input_token_count.or(self.cache_write_tokens);
        }
    }

    /// Output tokens per second after the first token; `None` when the span or the count is too
    /// small to mean anything.
    pub fn tokens_per_second(&self) -> Option<f64> {
        let span = self.total?.checked_sub(self.first_token?)?;
        let tokens = self.output_tokens()? as f64;
        (span >= MIN_RATE_SPAN && tokens >= 2.0).then(|| tokens / span.as_secs_f64())
    }

    /// Estimated cost in USD at the catalog's on-demand price of `model`, when it is known.
    /// Prompt tokens read from or written to the prompt cache are priced at the catalog's
    /// cache prices (they are not in the input count).
    pub fn cost(&self, model: &str) -> Option<f64> {
        priced(
            model,
            Tokens {
                input: self.input_tokens()?,
                output: self.output_tokens()?,
                cache_read: self.cache_read_tokens.unwrap_or(0),
                cache_write: self.cache_write_tokens.unwrap_or(0),
            },
        )
    }

    /// `cache 1200 read / 0 written`, when the answer says anything of the cache.
    pub fn cache_line(&self) -> Option<String> {
        let (read, write) = (self.cache_read_tokens, self.cache_write_tokens);
        if read.unwrap_or(0) == 0 && write.unwrap_or(0) == 0 {
            return None;
        }
        Some(format!(
            "cache {} read / {} written",
            read.unwrap_or(0),
            write.unwrap_or(0)
        ))
    }

    /// The figures on one line: `0.4 s · ttft 12 ms · 85 tok/s · 14 in / 120 out · $0.0006`,
    /// then the stop reason.
    pub fn line(&self, model: &str) -> String {
        let mut parts = Vec::new();
        if let Some(total) = self.total {
            parts.push(format_seconds(total));
        }
        if let Some(ttft) = self.first_token {
            parts.push(format!("ttft {} ms", ttft.as_millis()));
        }
        if let Some(rate) = self.tokens_per_second() {
            parts.push(format!("{rate:.0} tok/s"));
        }
        if let (Some(i), Some(o)) = (self.input_tokens(), self.output_tokens()) {
            parts.push(format!("{i} in / {o} out"));
        }
        if let Some(cache) = self.cache_line() {
            parts.push(cache);
        }
        if let Some(cost) = self.cost(model) {
            parts.push(format_cost(cost));
        }
        if let Some(reason) = &self.stop_reason {
            parts.push(crate::models::stop_reason::in_words(reason).into_owned());
        }
        parts.join(" · ")
    }
}

/// A cost as every screen prints it: dollars to four decimals, `<$0.0001` below that.
pub fn format_cost(usd: f64) -> String {
    if usd > 0.0 && usd < 0.000_05 {
        "<$0.0001".to_string()
    } else {
        format!("${usd:.4}")
    }
}

/// A price per 1,000 tokens as every screen prints it: per 1M tokens, without trailing zeros
/// (`0.0008` → `0.8`).
pub fn per_million(per_thousand: f64) -> String {
    let text = format!("{:.3}", per_thousand * 1000.0);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `0.4 s`, `12.3 s`.
pub fn format_seconds(duration: Duration) -> String {
    format!("{:.1} s", duration.as_secs_f64())
}

/// Tokens of one request, by how they are billed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tokens {
    /// Input tokens (not those read from or written to the cache).
    pub input: u64,
    /// Output tokens.
    pub output: u64,
    /// Input tokens read from the prompt cache.
    pub cache_read: u64,
    /// Input tokens written to the prompt cache.
    pub cache_write: u64,
}

/// What `tokens` cost in USD at the catalog's on-demand prices of `model` (cache reads and
/// writes at its cache prices, else its input price), when the catalog prices it.
pub fn priced(model: &str, tokens: Tokens) -> Option<f64> {
    let price = catalog::lookup(model)?.price_per_1k?;
    Some(
        (price.input * tokens.input as f64
            + price.output * tokens.output as f64
            + price.cache_read.unwrap_or(price.input) * tokens.cache_read as f64
            + price.cache_write.unwrap_or(price.input) * tokens.cache_write as f64)
            / 1000.0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::InvocationMetrics;

    #[test]
    fn bedrock_counts_win_and_the_first_token_may_be_reasoning() {
        let mut figures = Figures::default();
        let thinking = ChunkDelta {
            reasoning: "hm".into(),
            usage: Usage {
                input_tokens: Some(10),
                output_tokens: Some(1),
                ..Usage::default()
            },
            ..ChunkDelta::default()
        };
        figures.add_delta(&thinking, Duration::from_millis(5));
        assert_eq!(figures.first_token, Some(Duration::from_millis(5)));
        assert_eq!(figures.input_tokens(), Some(10));
        let last = ChunkDelta {
            text: "ok".into(),
            stop_reason: Some("end_turn".into()),
            metrics: Some(InvocationMetrics {
                input_token_count: Some(12),
                output_token_count: Some(40),
                ..InvocationMetrics::default()
            }),
            ..ChunkDelta::default()
        };
        figures.add_delta(&last, Duration::from_millis(900));
        figures.total = Some(Duration::from_millis(1005));
        assert_eq!(figures.first_token, Some(Duration::from_millis(5)));
        assert_eq!(
            (figures.input_tokens(), figures.output_tokens()),
            (Some(12), Some(40))
        );
        assert_eq!(figures.stop_reason.as_deref(), Some("end_turn"));
        let rate = figures.tokens_per_second().unwrap();
        assert!((rate - 40.0).abs() < 0.01, "{rate}");
    }

    #[test]
    fn costs_print_one_way() {
        assert_eq!(format_cost(0.000_62), "$0.0006");
        assert_eq!(format_cost(1.5), "$1.5000");
        assert_eq!(format_cost(0.000_01), "<$0.0001");
        assert_eq!(format_cost(0.0), "$0.0000");
        let figures = Figures {
            reported: Usage {
                input_tokens: Some(1000),
                output_tokens: Some(1000),
                ..Usage::default()
            },
            ..Figures::default()
        };
        let haiku = "anthropic.claude-haiku-4-5-20251001-v1:0";
        let price = catalog::lookup(haiku).unwrap().price_per_1k.unwrap();
        assert_eq!(figures.cost(haiku), Some(price.input + price.output));
        assert_eq!(figures.cost("unknown.model"), None);
    }
}
