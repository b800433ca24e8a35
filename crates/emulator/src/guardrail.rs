//! The emulator's guardrail: a request that names a guardrail (`X-Amzn-Bedrock-
//! GuardrailIdentifier` and its version) has its prompt checked against denied words and a PII
//! pattern (e-mail addresses); a match blocks it with Bedrock's default message, and the answer
//! carries `amazon-bedrock-guardrailAction` and, with trace on, `amazon-bedrock-trace` in the
//! recorded shape (`input` keyed by the guardrail id, `outputs`).

use serde_json::{Value, json};

/// Bedrock's default message for blocked input.
pub(crate) const BLOCKED: &str = "Sorry, the model cannot answer this question.";

/// What the guardrail checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardrailConfig {
    /// Words and phrases that block a prompt (case-insensitive).
    pub denied_words: Vec<String>,
    /// Block prompts with an e-mail address.
    pub block_email: bool,
}

impl Default for GuardrailConfig {
    fn default() -> Self {
        GuardrailConfig {
            denied_words: vec!["forbidden".to_string()],
            block_email: true,
        }
    }
}

/// The guardrail's verdict on one request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Verdict {
    /// The prompt was blocked.
    pub intervened: bool,
    /// `amazon-bedrock-trace`, when trace is on.
    pub trace: Option<Value>,
}

/// An e-mail address in `text`, if any (a simple `local@domain.tld` scan).
fn email_in(text: &str) -> Option<&str> {
    text.split(|c: char| c.is_whitespace() || "<>()[],;\"'".contains(c))
        .find(|word| {
            let Some((local, domain)) = word.split_once('@') else {
                return false;
            };
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
}

/// Checks `prompt` for guardrail `id`.
pub(crate) fn assess(config: &GuardrailConfig, id: &str, prompt: &str, trace: bool) -> Verdict {
    let lower = prompt.to_lowercase();
    let words: Vec<Value> = config
        .denied_words
        .iter()
        .filter(|w| !w.is_empty() && lower.contains(&w.to_lowercase()))
        .map(|w| json!({"match": w, "action": "BLOCKED"}))
        .collect();
    let email = config.block_email.then(|| email_in(prompt)).flatten();
    let intervened = !words.is_empty() || email.is_some();
    let mut assessment = json!({"invocationMetrics": {"guardrailProcessingLatency": 120,
        "usage": {"topicPolicyUnits": 1, "contentPolicyUnits": 1, "wordPolicyUnits": 1,
            "sensitiveInformationPolicyUnits": 1, "sensitiveInformationPolicyFreeUnits": 0,
            "contextualGroundingPolicyUnits": 0},
        "guardrailCoverage": {"textCharacters": {"guarded": prompt.chars().count(),
            "total": prompt.chars().count()}}}});
    if !words.is_empty() {
        assessment["wordPolicy"] = json!({"customWords": words});
    }
    if let Some(email) = email {
        assessment["sensitiveInformationPolicy"] =
            json!({"piiEntities": [{"type": "EMAIL", "match": email, "action": "BLOCKED"}]});
    }
    let trace = trace.then(|| json!({"guardrail": {"input": {id: assessment}}}));
    Verdict { intervened, trace }
}

/// A body or chunk with the guardrail's members added.
pub(crate) fn decorate(json: &[u8], verdict: &Verdict) -> Vec<u8> {
    let Ok(mut value) = serde_json::from_slice::<Value>(json) else {
        return json.to_vec();
    };
    let Some(object) = value.as_object_mut() else {
        return json.to_vec();
    };
    if verdict.intervened {
        object.insert("amazon-bedrock-guardrailAction".into(), json!("INTERVENED"));
    }
    if let Some(trace) = &verdict.trace {
        object.insert("amazon-bedrock-trace".into(), trace.clone());
    }
    serde_json::to_vec(&value).unwrap_or_else(|_| json.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_addresses_block_and_the_trace_says_why() {
        let config = GuardrailConfig::default();
        let clean = assess(&config, "g1", "What is the weather?", true);
        assert!(!clean.intervened);
        let word = assess(&config, "g1", "Tell me the FORBIDDEN thing", true);
        assert!(word.intervened);
        let trace = word.trace.unwrap();
        assert_eq!(
            trace["guardrail"]["input"]["g1"]["wordPolicy"]["customWords"][0]["action"],
            "BLOCKED"
        );
        let pii = assess(&config, "g1", "mail me at someone@example.com", false);
        assert!(pii.intervened && pii.trace.is_none());
        let decorated = decorate(br#"{"outputText":"x"}"#, &pii);
        assert!(
            String::from_utf8(decorated)
                .unwrap()
                .contains("\"amazon-bedrock-guardrailAction\":\"INTERVENED\"")
        );
    }
}
