//! Preparing a request for Converse: a conversation in Converse's shapes with the model's own
//! family deciding its capabilities, files, tools and extra fields, the guardrail, latency and
//! tier moved into the body where Converse takes them, and a Converse body sent verbatim.

use super::prepare::{Intent, Note, Prepared, Refusal, makes, sent_model};
use crate::bedrock::{Api, InvokeOptions};
use crate::models::{
    Conversation, FamilyId, OutputKind, Parameters, capabilities, catalog, detect,
};
use bytes::Bytes;

/// A conversation through Converse: the model's own family (when known) decides its
/// capabilities, its files and tools and what goes in `additionalModelRequestFields`; the
/// guardrail, latency and tier go into the body, where Converse takes them.
pub(super) fn conversation_request(
    intent: &Intent,
    conversation: &Conversation,
    mut params: Parameters,
    native: Option<FamilyId>,
    mut notes: Vec<Note>,
) -> Result<Prepared, Refusal> {
    let model = &intent.model;
    let family = native.unwrap_or(FamilyId::Converse);
    if family.output() != OutputKind::Text {
        return Err(Refusal::Invalid(format!(
            "{} {}: Converse serves text models only",
            catalog::display_name(model),
            makes(family.output())
        )));
    }
    let info = match native {
        Some(family) => catalog::entry_for(model, family),
        None => catalog::lookup(model),
    };
    let adjusted = capabilities::apply(info, family, &mut params, intent.stream)
        .map_err(|e| Refusal::Invalid(e.to_string()))?;
    // Converse's inferenceConfig takes a temperature from 0 to 1, whatever the model's own.
    if let Some(t) = params.temperature.filter(|t| *t > 1.0) {
        return Err(Refusal::Invalid(format!(
            "Converse takes a temperature from 0 to 1, not {t}"
        )));
    }
    notes.extend(adjusted.notes);
    let sent = sent_model(intent, info, &mut notes);
    let with_files = conversation.turns.iter().any(|t| !t.attachments.is_empty());
    let mut conversation = conversation.clone();
    // Files by Converse's own limits (documents of every format it takes).
    if with_files {
        notes.extend(
            crate::models::attachment_rules::fit(model, FamilyId::Converse, &mut conversation)
                .map_err(Refusal::Invalid)?,
        );
    }
    // Tools go to any model Converse serves them for; a family known to take none gets
    // earlier calls and results as text, as on InvokeModel.
    let takes_tools = native.is_none_or(|f| f.takes_tools_for(model));
    if !takes_tools || (conversation.tools.is_empty() && conversation.has_tool_turns()) {
        if !conversation.tools.is_empty() {
            notes.push(Note::new(
                "takes no tools",
                format!(
                    "{} takes no tools; none are offered to it",
                    catalog::display_name(model)
                ),
            ));
        }
        if conversation.has_tool_turns() {
            notes.push(Note::new(
                "tool turns as text",
                "earlier tool calls and results go as text",
            ));
        }
        conversation.tools.clear();
        crate::models::turns::fold_all_tools(&mut conversation);
    }
    let (mut body, said) = crate::models::converse::body(&conversation, &params, native)
        .map_err(|e| Refusal::Invalid(e.to_string()))?;
    notes.extend(said);
    if intent.prompt_cache
        && let Some(placed) = crate::models::cache::place(FamilyId::Converse, info, &mut body)
    {
        notes.push(placed);
    }
    put_request_options(&mut body, &intent.options);
    let body = body.to_string();
    if with_files {
        crate::models::attachment_rules::check_body(model, FamilyId::Converse, body.len())
            .map_err(Refusal::Invalid)?;
    }
    Ok(Prepared {
        model: sent,
        body: Bytes::from(body),
        stream: adjusted.stream,
        options: intent.options.clone(),
        reader: Some(FamilyId::Converse),
        params,
        notes,
        calls_as_text: false,
        api: Api::Converse,
    })
}

/// The guardrail, latency and tier as Converse takes them, in its body (InvokeModel's headers):
/// `guardrailConfig` (its trace in lower case, left out when unset, as the header is),
/// `performanceConfig` and `serviceTier`. Members the body already has are kept; what was put
/// in is named.
fn put_request_options(body: &mut serde_json::Value, options: &InvokeOptions) -> Vec<&'static str> {
    let mut put = Vec::new();
    let absent = |body: &serde_json::Value, key: &str| body.get(key).is_none();
    if let Some(identifier) = &options.guardrail_identifier
        && absent(body, "guardrailConfig")
    {
        let mut config = serde_json::json!({
            "guardrailIdentifier": identifier,
            "guardrailVersion": options.guardrail_version.as_deref().unwrap_or("DRAFT"),
        });
        if let Some(trace) = &options.trace {
            config["trace"] = serde_json::json!(trace.to_ascii_lowercase());
        }
        body["guardrailConfig"] = config;
        put.push("guardrailConfig");
    }
    if let Some(latency) = &options.performance_latency
        && absent(body, "performanceConfig")
    {
        body["performanceConfig"] = serde_json::json!({ "latency": latency });
        put.push("performanceConfig");
    }
    if let Some(tier) = &options.service_tier
        && absent(body, "serviceTier")
    {
        body["serviceTier"] = serde_json::json!({ "type": tier });
        put.push("serviceTier");
    }
    put
}

/// A Converse body sent verbatim (`--api converse --body FILE`): read as Converse, streamed
/// unless the catalog knows the model does not stream. The guardrail, latency and tier asked
/// for go into it where it has none (Converse has no headers for them), with a note.
pub(super) fn verbatim_request(intent: &Intent, body: Bytes) -> Prepared {
    let model = &intent.model;
    let info = catalog::lookup(model);
    let streams = info.is_none_or(|m| m.streaming);
    let mut notes = Vec::new();
    let mut body = body;
    if let Some(mut value) = detect::json_object(&body) {
        let put = put_request_options(&mut value, &intent.options);
        if !put.is_empty() {
            notes.push(Note::new(
                "converse options",
                format!(
                    "Converse takes these in its body: {} added to it",
                    put.join(", ")
                ),
            ));
            body = Bytes::from(value.to_string());
        }
    }
    if intent.stream && !streams {
        let name = info.map_or_else(|| model.clone(), |m| m.name.clone());
        notes.push(Note::new(
            "no stream",
            format!("{name} does not stream; the answer comes whole"),
        ));
    }
    let sent = sent_model(intent, info, &mut notes);
    Prepared {
        model: sent,
        body,
        stream: intent.stream && streams,
        options: intent.options.clone(),
        reader: Some(FamilyId::Converse),
        params: Parameters::default(),
        notes,
        calls_as_text: false,
        api: Api::Converse,
    }
}
