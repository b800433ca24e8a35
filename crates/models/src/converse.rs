//! Converse and ConverseStream, the one format Bedrock takes for every text model: `messages`
//! of content blocks (text, image, document, video, `toolUse`, `toolResult`,
//! `reasoningContent`, `cachePoint`), `system` as a list, `inferenceConfig` for the four
//! parameters every model shares and `additionalModelRequestFields` for a family's own.
//!
//! A ConverseStream event reaches [`Converse::parse_chunk`] as boto3 hands it over: one object
//! keyed by its `:event-type` (`{"contentBlockDelta": {…}}`); the wire wraps it so. Its
//! `messageStop` carries the stop reason and the `metadata` event after it ends the stream.

use super::note::Note;
use super::turns::{
    ParamNames, alternating_with_tools, count_at, parse, put_params, str_at, string_at, system,
};
use super::{
    ChunkDelta, Completion, Conversation, FamilyId, InvocationMetrics, ModelError, ModelFamily,
    Parameters, Role, Usage,
};
use crate::attachments::{Attachment, Kind};
use crate::tool_use::{SignedThinking, ToolCallDelta, ToolResult};
use serde_json::{Map, Value, json};

/// The Converse adapter (the route, not a model's native body).
#[derive(Debug, Clone, Copy)]
pub struct Converse;

/// The Converse request body for a conversation. `native` is the model's own family when it is
/// known: it decides what goes in `additionalModelRequestFields` (top-k, reasoning); what
/// Converse cannot carry for the model is said in the notes, never dropped silently.
pub fn body(
    conversation: &Conversation,
    params: &Parameters,
    native: Option<FamilyId>,
) -> Result<(Value, Vec<Note>), ModelError> {
    let messages: Vec<Value> = alternating_with_tools(conversation)?
        .into_iter()
        .map(|turn| {
            let role = match turn.role {
                Role::User => "user",
                Role::Assistant => "assistant",
            };
            let mut content: Vec<Value> = Vec::new();
            // Signed thinking goes back to Claude with thinking on, as in its own body; no
            // other model takes Claude's signature.
            if let Some((text, signed)) = turn.thinking.as_ref().filter(|_| {
                native == Some(FamilyId::Anthropic) && params.reasoning_budget.is_some()
            }) {
                content.extend(reasoning_blocks(text, signed));
            }
            content.extend(turn.tool_results.iter().map(result_block));
            content.extend(turn.attachments.iter().map(media_block));
            let documents = turn.attachments.iter().any(|a| a.kind() == Kind::Document);
            if !turn.text.trim().is_empty() {
                content.push(json!({"text": turn.text}));
            } else if documents {
                // A document block needs a text block beside it.
                let names: Vec<&str> = turn.attachments.iter().map(|a| a.name.as_str()).collect();
                content.push(json!({"text": names.join(", ")}));
            }
            content.extend(turn.tool_calls.iter().map(|call| {
                json!({"toolUse": {"toolUseId": call.id, "name": call.name,
                    "input": call.arguments()}})
            }));
            json!({"role": role, "content": content})
        })
        .collect();
    let mut body = json!({ "messages": messages });
    if let Some(system) = system(conversation) {
        body["system"] = json!([{ "text": system }]);
    }
    if !conversation.tools.is_empty() {
        let tools: Vec<Value> = conversation
            .tools
            .iter()
            .map(|t| {
                let mut spec = json!({"name": t.name, "inputSchema": {"json": t.input_schema}});
                if !t.description.is_empty() {
                    spec["description"] = json!(t.description);
                }
                json!({ "toolSpec": spec })
            })
            .collect();
        body["toolConfig"] = json!({ "tools": tools });
    }
    let mut config = Map::new();
    put_params(
        &mut config,
        params,
        ParamNames {
            max_tokens: Some("maxTokens"),
            temperature: Some("temperature"),
            top_p: Some("topP"),
            top_k: None,
            stop: Some("stopSequences"),
        },
    );
    if !config.is_empty() {
        body["inferenceConfig"] = Value::Object(config);
    }
    let (additional, notes) = additional_fields(params, native);
    if !additional.is_empty() {
        body["additionalModelRequestFields"] = Value::Object(additional);
    }
    Ok((body, notes))
}

/// A family's own parameters as Converse takes them in `additionalModelRequestFields`:
/// Claude's `top_k` and `reasoning_config`, Nova's `inferenceConfig.topK` and
/// `reasoningConfig`. For other families (or a model whose family is not known) top-k and a
/// reasoning budget are left out, and said.
fn additional_fields(
    params: &Parameters,
    native: Option<FamilyId>,
) -> (Map<String, Value>, Vec<Note>) {
    let mut fields = Map::new();
    let mut notes = Vec::new();
    match native {
        Some(FamilyId::Anthropic) => {
            if let Some(k) = params.top_k {
                fields.insert("top_k".into(), json!(k));
            }
            if let Some(budget) = params.reasoning_budget {
                fields.insert(
                    "reasoning_config".into(),
                    json!({"type": "enabled", "budget_tokens": budget}),
                );
            }
        }
        Some(FamilyId::Nova) => {
            if let Some(k) = params.top_k {
                fields.insert("inferenceConfig".into(), json!({ "topK": k }));
            }
            if let Some(budget) = params.reasoning_budget {
                fields.insert(
                    "reasoningConfig".into(),
                    json!({"type": "enabled",
                        "maxReasoningEffort": super::nova::reasoning_effort(budget)}),
                );
            }
        }
        _ => {
            let whose = native.map_or_else(
                || "this model".to_string(),
                |family| format!("the {family} family"),
            );
            if params.top_k.is_some() {
                notes.push(Note::new(
                    "converse top_k",
                    format!("top_k left out: Converse has no field for it for {whose}"),
                ));
            }
            if params.reasoning_budget.is_some() {
                notes.push(Note::new(
                    "converse reasoning",
                    format!("reasoning budget left out: Converse has no field for it for {whose}"),
                ));
            }
        }
    }
    (fields, notes)
}

/// A thinking block given back: its text with its signature, and any redacted blocks.
fn reasoning_blocks(text: &str, signed: &SignedThinking) -> Vec<Value> {
    let mut blocks = Vec::new();
    if !signed.signature.is_empty() {
        blocks.push(json!({"reasoningContent": {"reasoningText":
            {"text": text, "signature": signed.signature}}}));
    }
    blocks.extend(
        signed
            .redacted
            .iter()
            .map(|data| json!({"reasoningContent": {"redactedContent": data}})),
    );
    blocks
}

/// An image, a video or a document as a Converse block, the bytes base64.
fn media_block(attachment: &Attachment) -> Value {
    let source = json!({"bytes": attachment.base64()});
    match attachment.kind() {
        Kind::Video => json!({"video": {"format": attachment.media.format(), "source": source}}),
        Kind::Document | Kind::Text => json!({"document": {
            "format": attachment.media.format(),
            "name": document_name(&attachment.name),
            "source": source,
        }}),
        Kind::Image => json!({"image": {"format": attachment.media.format(), "source": source}}),
    }
}

/// A document's name as Converse takes it: ASCII letters, digits, whitespace (never two in a row),
/// hyphens, parentheses and square brackets; the extension's dot becomes a space; at most 200
/// characters; `document` when nothing is left.
pub fn document_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '-' | '(' | ')' | '[' | ']') {
            c
        } else {
            ' '
        };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
        if out.chars().count() >= 200 {
            break;
        }
    }
    let out = out.trim_end().to_string();
    if out.is_empty() {
        "document".to_string()
    } else {
        out
    }
}

/// A tool's result as a `toolResult` block: a JSON object as `json`, anything else as `text`,
/// `status: "error"` when it failed.
pub(crate) fn result_block(result: &ToolResult) -> Value {
    let content = match result.json_object() {
        Some(object) => json!([{ "json": object }]),
        None => json!([{ "text": result.content }]),
    };
    let mut block = json!({"toolUseId": result.id, "content": content});
    if result.is_error {
        block["status"] = json!("error");
    }
    json!({ "toolResult": block })
}

/// Converse's `usage`: its own cache names, and the Invoke-style duplicates Claude adds.
pub(crate) fn usage_of(usage: &Value) -> Usage {
    Usage {
        input_tokens: count_at(usage, "/inputTokens"),
        output_tokens: count_at(usage, "/outputTokens"),
        cache_read_tokens: count_at(usage, "/cacheReadInputTokens")
            .or_else(|| count_at(usage, "/cacheReadInputTokenCount")),
        cache_write_tokens: count_at(usage, "/cacheWriteInputTokens")
            .or_else(|| count_at(usage, "/cacheWriteInputTokenCount")),
    }
}

/// The figures of a `metadata` event as invocation metrics (Converse sends only the total
/// latency).
pub(crate) fn metrics_of(metadata: &Value) -> InvocationMetrics {
    let usage = metadata.get("usage").unwrap_or(&Value::Null);
    let usage_figures = usage_of(usage);
    InvocationMetrics {
        input_token_count: usage_figures.input_tokens,
        output_token_count: usage_figures.output_tokens,
        invocation_latency: count_at(metadata, "/metrics/latencyMs"),
        first_byte_latency: None,
        cache_read_input_token_count: usage_figures.cache_read_tokens,
        cache_write_input_token_count: usage_figures.cache_write_tokens,
    }
}

impl ModelFamily for Converse {
    fn id(&self) -> FamilyId {
        FamilyId::Converse
    }

    fn build_body(
        &self,
        conversation: &Conversation,
        params: &Parameters,
        _streaming: bool,
    ) -> Result<Value, ModelError> {
        body(conversation, params, None).map(|(body, _)| body)
    }

    fn parse_response(&self, body: &[u8]) -> Result<Completion, ModelError> {
        let value = parse(body)?;
        let content = value
            .pointer("/output/message/content")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                ModelError::Response("no `output.message.content` in the Converse response".into())
            })?;
        let mut completion = Completion {
            stop_reason: string_at(&value, "/stopReason"),
            usage: usage_of(value.get("usage").unwrap_or(&Value::Null)),
            ..Completion::default()
        };
        for (index, block) in content.iter().enumerate() {
            if let Some(tool) = block.get("toolUse") {
                completion.tool_calls.push(ToolCallDelta {
                    index: index as u64,
                    id: string_at(tool, "/toolUseId"),
                    name: string_at(tool, "/name"),
                    input: tool.get("input").map(Value::to_string).unwrap_or_default(),
                });
            } else if let Some(text) = str_at(block, "/text") {
                completion.text.push_str(text);
            } else if let Some(reasoning) = block.get("reasoningContent") {
                if let Some(text) = str_at(reasoning, "/reasoningText/text") {
                    completion.reasoning.push_str(text);
                }
                completion.signed.add(&SignedThinking {
                    signature: string_at(reasoning, "/reasoningText/signature").unwrap_or_default(),
                    redacted: string_at(reasoning, "/redactedContent")
                        .into_iter()
                        .collect(),
                });
            } else if let Some(cited) = block
                .pointer("/citationsContent/content")
                .and_then(Value::as_array)
            {
                for piece in cited {
                    completion
                        .text
                        .push_str(str_at(piece, "/text").unwrap_or_default());
                }
            }
        }
        Ok(completion)
    }

    fn last_event(&self) -> &'static str {
        "a metadata event"
    }

    fn stop_reason_before_end(&self) -> bool {
        true
    }

    fn parse_chunk(&self, chunk: &[u8]) -> Result<ChunkDelta, ModelError> {
        super::converse_stream::read_event(chunk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tool_use::{ToolCall, ToolSpec};
    use crate::{Turn, catalog};

    fn params() -> Parameters {
        Parameters {
            max_tokens: Some(300),
            temperature: Some(0.5),
            top_k: Some(40),
            reasoning_budget: Some(2048),
            ..Parameters::default()
        }
    }

    #[test]
    fn a_conversation_maps_onto_converse_shapes() {
        let png = crate::attachments::png::picture(2, 2, 1);
        let mut ask = Turn::new(Role::User, "What is on the picture and in the file?");
        ask.attachments
            .push(Attachment::from_bytes("p.png", png).unwrap());
        ask.attachments.push(
            Attachment::from_bytes("report.v2.pdf", crate::attachments::sample_pdf(1)).unwrap(),
        );
        let mut answer = Turn::new(Role::Assistant, "");
        answer.thinking = Some((
            "look it up".into(),
            SignedThinking {
                signature: "sig".into(),
                redacted: vec!["cmVk".into()],
            },
        ));
        answer.tool_calls.push(ToolCall {
            index: 0,
            id: "tooluse_1".into(),
            name: "weather".into(),
            input: r#"{"city":"Paris"}"#.into(),
        });
        let mut results = Turn::new(Role::User, "");
        results.tool_results.push(ToolResult {
            id: "tooluse_1".into(),
            name: "weather".into(),
            input: String::new(),
            content: "sunny".into(),
            is_error: false,
        });
        let conversation = Conversation {
            system: Some("Be brief.".into()),
            turns: vec![ask, answer, results],
            tools: vec![ToolSpec {
                name: "weather".into(),
                description: "The weather".into(),
                input_schema: json!({"type": "object"}),
            }],
        };
        let (body, notes) = body(&conversation, &params(), Some(FamilyId::Anthropic)).unwrap();
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(body["system"], json!([{"text": "Be brief."}]));
        assert_eq!(
            body["inferenceConfig"],
            json!({"maxTokens": 300, "temperature": 0.5})
        );
        assert_eq!(
            body["additionalModelRequestFields"],
            json!({"top_k": 40, "reasoning_config": {"type": "enabled", "budget_tokens": 2048}})
        );
        let user = &body["messages"][0]["content"];
        assert_eq!(user[0]["image"]["format"], "png");
        assert_eq!(user[1]["document"]["format"], "pdf");
        assert_eq!(user[1]["document"]["name"], "report v2 pdf");
        assert_eq!(user[2]["text"], "What is on the picture and in the file?");
        let assistant = &body["messages"][1]["content"];
        assert_eq!(
            assistant[0],
            json!({"reasoningContent": {"reasoningText": {"text": "look it up", "signature": "sig"}}})
        );
        assert_eq!(
            assistant[1],
            json!({"reasoningContent": {"redactedContent": "cmVk"}})
        );
        assert_eq!(assistant[2]["toolUse"]["input"], json!({"city": "Paris"}));
        assert_eq!(
            body["messages"][2]["content"][0],
            json!({"toolResult": {"toolUseId": "tooluse_1", "content": [{"text": "sunny"}]}})
        );
        assert_eq!(
            body["toolConfig"]["tools"][0]["toolSpec"]["name"],
            "weather"
        );
        // Claude's signature goes to no other model, nor to Claude with thinking off.
        for (native, budget) in [
            (Some(FamilyId::Nova), Some(2048)),
            (Some(FamilyId::Anthropic), None),
        ] {
            let params = Parameters {
                reasoning_budget: budget,
                ..params()
            };
            let (other, _) = super::body(&conversation, &params, native).unwrap();
            assert!(
                other["messages"][1]["content"][0].get("toolUse").is_some(),
                "{other}"
            );
        }
    }

    #[test]
    fn family_fields_go_where_the_family_takes_them_and_are_said_otherwise() {
        let conversation = Conversation::single("hi");
        let (nova, _) = body(&conversation, &params(), Some(FamilyId::Nova)).unwrap();
        assert_eq!(
            nova["additionalModelRequestFields"],
            json!({"inferenceConfig": {"topK": 40},
                "reasoningConfig": {"type": "enabled", "maxReasoningEffort": "low"}})
        );
        let (unknown, notes) = body(&conversation, &params(), None).unwrap();
        assert!(unknown.get("additionalModelRequestFields").is_none());
        assert_eq!(notes.len(), 2);
        assert!(notes[0].text.contains("top_k"), "{notes:?}");
        let (plain, notes) = body(&conversation, &Parameters::default(), None).unwrap();
        assert_eq!(
            plain,
            json!({"messages": [{"role": "user", "content": [{"text": "hi"}]}]})
        );
        assert!(notes.is_empty());
        assert!(catalog::lookup("amazon.nova-lite-v1:0").is_some());
    }

    #[test]
    fn document_names_are_what_converse_takes() {
        assert_eq!(document_name("a  b__c.txt"), "a b c txt");
        assert_eq!(document_name("..."), "document");
        assert_eq!(document_name(&"x".repeat(300)).len(), 200);
    }

    #[test]
    fn a_response_and_a_stream_are_read() {
        let response = br#"{"metrics":{"latencyMs":951},"output":{"message":{"content":[
            {"reasoningContent":{"reasoningText":{"signature":"EtkB","text":"5 + 3 = 8."}}},
            {"text":"OK"},
            {"citationsContent":{"citations":[],"content":[{"text":" cited"}]}},
            {"toolUse":{"toolUseId":"t1","name":"weather","input":{"city":"Paris"}}}],
            "role":"assistant"}},"stopReason":"tool_use",
            "usage":{"cacheReadInputTokens":0,"cacheWriteInputTokenCount":7351,
            "cacheWriteInputTokens":7351,"inputTokens":10,"outputTokens":4,"serverToolUsage":{},
            "totalTokens":7365}}"#;
        let completion = Converse.parse_response(response).unwrap();
        assert_eq!(completion.text, "OK cited");
        assert_eq!(completion.reasoning, "5 + 3 = 8.");
        assert_eq!(completion.signed.signature, "EtkB");
        assert_eq!(completion.stop_reason.as_deref(), Some("tool_use"));
        assert_eq!(completion.usage.cache_write_tokens, Some(7351));
        assert_eq!(completion.usage.cache_read_tokens, Some(0));
        assert_eq!(completion.tool_calls[0].input, r#"{"city":"Paris"}"#);

        let mut decoder = crate::StreamDecoder::new(FamilyId::Converse);
        let events = [
            r#"{"messageStart":{"p":"abc","role":"assistant"}}"#,
            r#"{"contentBlockDelta":{"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"hmm"}}}}"#,
            r#"{"contentBlockDelta":{"contentBlockIndex":0,"delta":{"reasoningContent":{"signature":"EsAd"}}}}"#,
            r#"{"contentBlockDelta":{"contentBlockIndex":1,"delta":{"text":"Sure"}}}"#,
            r#"{"contentBlockStart":{"contentBlockIndex":2,"start":{"toolUse":{"name":"weather","toolUseId":"t2"}}}}"#,
            r#"{"contentBlockDelta":{"contentBlockIndex":2,"delta":{"toolUse":{"input":"{\"city\":"}}}}"#,
            r#"{"contentBlockDelta":{"contentBlockIndex":2,"delta":{"toolUse":{"input":"\"Oslo\"}"}}}}"#,
            r#"{"messageStop":{"stopReason":"tool_use"}}"#,
        ];
        let mut text = String::new();
        let mut reasoning = String::new();
        let mut signature = String::new();
        let mut input = String::new();
        for event in events {
            let delta = decoder.decode(event.as_bytes()).unwrap();
            text.push_str(&delta.text);
            reasoning.push_str(&delta.reasoning);
            signature.push_str(&delta.signed.signature);
            for call in &delta.tool_calls {
                input.push_str(&call.input);
            }
            assert!(!decoder.ended(), "{event}");
        }
        let last = decoder
            .decode(br#"{"metadata":{"metrics":{"latencyMs":481},"p":"x","usage":{"inputTokens":53,"outputTokens":21,"serverToolUsage":{},"totalTokens":74}}}"#)
            .unwrap();
        assert!(decoder.ended());
        assert_eq!(last.usage.output_tokens, Some(21));
        assert_eq!(last.metrics.unwrap().invocation_latency, Some(481));
        assert_eq!((text.as_str(), reasoning.as_str()), ("Sure", "hmm"));
        // Members of other types are read as far as they can be; two events in one object are
        // refused (a payload cannot smuggle an event in beside its own).
        let odd = Converse
            .parse_chunk(br#"{"contentBlockDelta":{"contentBlockIndex":"2","delta":{"text":"x","toolUse":{"input":{"a":1}}}}}"#)
            .unwrap();
        assert_eq!(odd.tool_calls[0].input, r#"{"a":1}"#);
        assert!(
            Converse
                .parse_chunk(br#"{"contentBlockDelta":{"delta":{"text":"x"}},"metadata":{}}"#)
                .is_err()
        );
        assert_eq!(signature, "EsAd");
        assert_eq!(input, r#"{"city":"Oslo"}"#);
    }
}
