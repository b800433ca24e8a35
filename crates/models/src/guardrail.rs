//! A guardrail's word on a request: `amazon-bedrock-guardrailAction` (`INTERVENED` or `NONE`)
//! and, with trace enabled, `amazon-bedrock-trace.guardrail`, whose input and output
//! assessments name the policies that acted. Read from any family's chunk or body, where Bedrock
//! adds them beside the model's own members; and from Converse's answers, which say an
//! intervention by the stop reason `guardrail_intervened` and carry the trace in
//! `trace.guardrail` (a whole answer) or `metadata.trace.guardrail` (a stream). Matched text is
//! never repeated (it may be the very PII the guardrail caught).

use serde_json::Value;

/// What a guardrail did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Guardrail {
    /// `INTERVENED`, `NONE`, or absent when only a trace came.
    #[serde(default)]
    pub action: Option<String>,
    /// Each policy that acted, in words: `input: denied topic Finance (BLOCKED)`.
    #[serde(default)]
    pub policies: Vec<String>,
}

impl Guardrail {
    /// Whether it intervened.
    pub fn intervened(&self) -> bool {
        self.action.as_deref() == Some("INTERVENED")
    }

    /// `guardrail INTERVENED: input: word filter (BLOCKED)`.
    pub fn summary(&self) -> String {
        let action = self.action.as_deref().unwrap_or("trace");
        if self.policies.is_empty() {
            format!("guardrail {action}")
        } else {
            format!("guardrail {action}: {}", self.policies.join("; "))
        }
    }

    /// Takes in a later chunk's news.
    pub fn merge(&mut self, later: Guardrail) {
        if later.action.is_some() {
            self.action = later.action;
        }
        for policy in later.policies {
            if !self.policies.contains(&policy) {
                self.policies.push(policy);
            }
        }
    }
}

/// The guardrail news in a chunk or body, if it has any.
pub fn read(json: &[u8]) -> Option<Guardrail> {
    // Most chunks carry neither member: only those that do are parsed again (the last chunk's
    // invocation metrics are not a reason to).
    let finder = memchr::memmem::find;
    if finder(json, b"amazon-bedrock-guardrailAction").is_none()
        && finder(json, b"amazon-bedrock-trace").is_none()
    {
        return if finder(json, b"guardrail").is_some() {
            read_converse(&serde_json::from_slice(json).ok()?)
        } else {
            None
        };
    }
    let value: Value = serde_json::from_slice(json).ok()?;
    let action = value
        .get("amazon-bedrock-guardrailAction")
        .and_then(Value::as_str)
        .map(|a| crate::text::sanitize_for_terminal(a).into_owned());
    let trace = value.pointer("/amazon-bedrock-trace/guardrail");
    if action.is_none() && trace.is_none() {
        return None;
    }
    let mut policies = Vec::new();
    if let Some(trace) = trace {
        if let Some(input) = trace.get("input").and_then(Value::as_object) {
            for assessment in input.values() {
                assessed("input", assessment, &mut policies);
            }
        }
        for output in trace
            .get("outputs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
        {
            for assessment in output.values() {
                assessed("output", assessment, &mut policies);
            }
        }
    }
    Some(Guardrail { action, policies })
}

/// Converse's guardrail news: the stop reason `guardrail_intervened` (of a whole answer or a
/// `messageStop` event) and the trace's `inputAssessment` and `outputAssessments`.
fn read_converse(value: &Value) -> Option<Guardrail> {
    let stop = value
        .get("stopReason")
        .or_else(|| value.pointer("/messageStop/stopReason"))
        .and_then(Value::as_str);
    let action = (stop == Some("guardrail_intervened")).then(|| "INTERVENED".to_string());
    let trace = value
        .pointer("/trace/guardrail")
        .or_else(|| value.pointer("/metadata/trace/guardrail"));
    if action.is_none() && trace.is_none() {
        return None;
    }
    let mut policies = Vec::new();
    if let Some(trace) = trace {
        for assessment in trace
            .get("inputAssessment")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|by_id| by_id.values())
        {
            assessed("input", assessment, &mut policies);
        }
        for assessment in trace
            .get("outputAssessments")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|by_id| by_id.values())
            .filter_map(Value::as_array)
            .flatten()
        {
            assessed("output", assessment, &mut policies);
        }
    }
    Some(Guardrail { action, policies })
}

/// The policies of one assessment that took an action.
fn assessed(side: &str, assessment: &Value, out: &mut Vec<String>) {
    let text = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .map(|s| crate::text::sanitize_for_terminal(s).into_owned())
    };
    let mut push = |what: String, item: &Value| {
        let action = text(item, "action").unwrap_or_else(|| "NONE".into());
        if action != "NONE" {
            let line = format!("{side}: {what} ({action})");
            if !out.contains(&line) {
                out.push(line);
            }
        }
    };
    let list = |path: &str| -> Vec<Value> {
        assessment
            .pointer(path)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    for topic in list("/topicPolicy/topics") {
        let name = text(&topic, "name").unwrap_or_default();
        push(format!("denied topic {name}"), &topic);
    }
    for filter in list("/contentPolicy/filters") {
        let kind = text(&filter, "type").unwrap_or_default();
        let confidence = text(&filter, "confidence")
            .map(|c| format!(", {c} confidence"))
            .unwrap_or_default();
        push(format!("content filter {kind}{confidence}"), &filter);
    }
    for word in list("/wordPolicy/customWords")
        .iter()
        .chain(list("/wordPolicy/managedWordLists").iter())
    {
        match text(word, "type") {
            Some(list) => push(format!("managed word list {list}"), word),
            None => push("denied word".to_string(), word),
        }
    }
    for entity in list("/sensitiveInformationPolicy/piiEntities") {
        let kind = text(&entity, "type").unwrap_or_default();
        push(format!("sensitive information {kind}"), &entity);
    }
    for regex in list("/sensitiveInformationPolicy/regexes") {
        let name = text(&regex, "name").unwrap_or_default();
        push(format!("sensitive information pattern {name}"), &regex);
    }
    for filter in list("/contextualGroundingPolicy/filters") {
        let kind = text(&filter, "type").unwrap_or_default();
        push(format!("contextual grounding {kind}"), &filter);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_trace_names_the_policy_and_never_the_match() {
        let body = br#"{"results":[],"amazon-bedrock-trace":{"guardrail":{"input":{"g1":{"invocationMetrics":{}}},"outputs":[{"g1":{"sensitiveInformationPolicy":{"regexes":[{"name":"Account Number","regex":"\\d+","match":"1234561666","action":"ANONYMIZED"}]}}}]}},"amazon-bedrock-guardrailAction":"INTERVENED"}"#;
        let news = read(body).unwrap();
        assert!(news.intervened());
        assert_eq!(
            news.summary(),
            "guardrail INTERVENED: output: sensitive information pattern Account Number (ANONYMIZED)"
        );
        assert!(!news.summary().contains("1234561666"));
        let topic = br#"{"amazon-bedrock-trace":{"guardrail":{"input":{"g":{"topicPolicy":{"topics":[{"name":"Finance","type":"DENY","action":"BLOCKED"}]},"contentPolicy":{"filters":[{"type":"VIOLENCE","confidence":"HIGH","action":"BLOCKED"}]}}}}}}"#;
        let news = read(topic).unwrap();
        assert_eq!(news.action, None);
        assert_eq!(
            news.policies,
            [
                "input: denied topic Finance (BLOCKED)",
                "input: content filter VIOLENCE, HIGH confidence (BLOCKED)"
            ]
        );
        assert_eq!(read(br#"{"outputText":"hi"}"#), None);
    }
}
