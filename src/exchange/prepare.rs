//! Preparing a request: the model, its request format, the body and the per-request headers,
//! checked once by one set of rules before anything is sent. A conversation is encoded for the
//! family with the model's capabilities applied (parameters it does not take dropped with a
//! note, impossible combinations refused, `max_tokens` clamped, invoke-only models not
//! streamed); a verbatim body is sent as it is, and its shape decides how the answer is read.

use crate::bedrock::{Api, InvokeOptions};
pub use crate::models::note::Note;
use crate::models::{
    Conversation, FamilyId, OutputKind, Parameters, capabilities, catalog, detect, family_of,
};
use bytes::Bytes;
use std::fmt;

/// What to send, before the checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Intent {
    /// Model id, inference-profile id or ARN.
    pub model: String,
    /// The request format named by the user (`--family`); it wins over everything else.
    pub family: Option<FamilyId>,
    /// The request format a lookup of an opaque ARN found; it counts as the id's own.
    pub looked_up: Option<FamilyId>,
    /// The conversation to encode, or a body to send as it is.
    pub content: Content,
    /// Per-request headers (accept, content type, trace, guardrail, latency, tier).
    pub options: InvokeOptions,
    /// Stream the answer when the model can.
    pub stream: bool,
    /// Refuse models that do not answer in text (the chat).
    pub text_only: bool,
    /// Place prompt-cache breakpoints where the model caches prompts (config
    /// `prompt_caching`, on by default).
    pub prompt_cache: bool,
    /// The API asked for (`--api`): a model's native body on InvokeModel, or Converse. A
    /// conversation for a model whose native body is not known goes through Converse anyway.
    pub api: Api,
    /// The region requests are signed for: a bare id of a model served through inference
    /// profiles only is sent through its geography's profile, with a note. `None` when it is not
    /// known yet: a hint then says which profile to use.
    pub region: Option<String>,
}

/// The body of an [`Intent`].
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// A conversation with its parameters, encoded in the family's native body.
    Conversation {
        /// System prompt and turns.
        conversation: Conversation,
        /// Inference parameters as the user set them.
        params: Parameters,
    },
    /// A native body sent verbatim.
    Verbatim(Bytes),
}

/// A request ready to go.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// Model id, inference-profile id or ARN.
    pub model: String,
    /// The body as it is sent.
    pub body: Bytes,
    /// InvokeModelWithResponseStream (else InvokeModel).
    pub stream: bool,
    /// Per-request headers.
    pub options: InvokeOptions,
    /// The family whose reader reads the answer; `None` when nothing told it before sending
    /// (the answer's own shape decides then).
    pub reader: Option<FamilyId>,
    /// The parameters as sent, after the capability checks (a conversation's; the defaults for
    /// a verbatim body).
    pub params: Parameters,
    /// One line per adjustment, for the user (a parameter left out, a lowered limit, the
    /// format assumed, …).
    pub notes: Vec<Note>,
    /// Tools are offered to a family that writes calls as text (Llama): an answer that is
    /// wholly calls is read as calls.
    pub calls_as_text: bool,
    /// The API it goes through (InvokeModel or Converse, streamed or not as `stream` says).
    pub api: Api,
}

/// Why a request was not prepared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Nothing tells the request format of the model.
    UnknownFormat {
        /// The model.
        model: String,
    },
    /// The model does not answer in text, and text was asked for.
    NotText {
        /// The model.
        model: String,
        /// What it makes.
        makes: &'static str,
    },
    /// A header, a parameter or the conversation does not fit the model.
    Invalid(String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::UnknownFormat { model } => {
                write!(f, "cannot tell the request format of {model:?}")
            }
            Refusal::NotText { model, makes } => {
                write!(f, "{} {makes}, not text", catalog::display_name(model))
            }
            Refusal::Invalid(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for Refusal {}

/// What a family's output is, in words.
pub(super) fn makes(output: OutputKind) -> &'static str {
    match output {
        OutputKind::Text => "writes text",
        OutputKind::Embedding => "makes embeddings",
        OutputKind::Image => "makes images",
    }
}

/// Checks and encodes a request.
pub fn prepare(intent: &Intent) -> Result<Prepared, Refusal> {
    intent
        .options
        .validate()
        .map_err(|e| Refusal::Invalid(e.to_string()))?;
    match intent.content {
        Content::Conversation {
            ref conversation,
            ref params,
        } => conversation_request(intent, conversation, params.clone()),
        Content::Verbatim(ref body) => Ok(verbatim_request(intent, body.clone())),
    }
}

fn conversation_request(
    intent: &Intent,
    conversation: &Conversation,
    mut params: Parameters,
) -> Result<Prepared, Refusal> {
    let model = &intent.model;
    let native = intent
        .family
        .filter(|f| *f != FamilyId::Converse)
        .or(intent.looked_up)
        .or_else(|| family_of(model));
    let mut notes = Vec::new();
    // A provider's model id whose native body is not known (a new provider, a new model)
    // goes through Converse; an opaque ARN waits for its lookup, and a word is not an id.
    let named_by_provider = crate::models::model_id::names_a_provider_model(model);
    let api = match (intent.api, native) {
        _ if intent.family == Some(FamilyId::Converse) => Api::Converse,
        (Api::Invoke, None) if named_by_provider => {
            notes.push(Note::new(
                "through converse",
                format!(
                    "{} has no native request format bedrock-tui knows; sent through Converse",
                    catalog::display_name(model)
                ),
            ));
            Api::Converse
        }
        (api, _) => api,
    };
    if api == Api::Converse {
        return super::converse::conversation_request(intent, conversation, params, native, notes);
    }
    let Some(family) = native else {
        return Err(Refusal::UnknownFormat {
            model: model.clone(),
        });
    };
    if intent.text_only && family.output() != OutputKind::Text {
        return Err(Refusal::NotText {
            model: model.clone(),
            makes: makes(family.output()),
        });
    }
    let info = catalog::entry_for(model, family);
    let adjusted = capabilities::apply(info, family, &mut params, intent.stream)
        .map_err(|e| Refusal::Invalid(e.to_string()))?;
    notes.extend(adjusted.notes);
    let sent = sent_model(intent, info, &mut notes);
    // Files go only where the model takes them, within its limits; earlier turns' files a
    // newly chosen model cannot take stay out, with a note.
    let with_files = conversation.turns.iter().any(|t| !t.attachments.is_empty());
    let fitted;
    let conversation = if with_files {
        let mut copy = conversation.clone();
        notes.extend(
            crate::models::attachment_rules::fit(model, family, &mut copy)
                .map_err(Refusal::Invalid)?,
        );
        fitted = copy;
        &fitted
    } else {
        conversation
    };
    // Tools go only to families whose bodies take them; the others get earlier calls and
    // results as text, and both are said.
    let without_tools;
    let conversation = if family.takes_tools_for(model)
        && conversation.tools.is_empty()
        && conversation.has_tool_turns()
    {
        // A body with calls and results must define tools: with none offered (a session
        // resumed without them), earlier calls and results go as text.
        notes.push(Note::new(
            "no tools offered",
            "no tools are offered: earlier tool calls and results go as text",
        ));
        let mut copy = conversation.clone();
        crate::models::turns::fold_all_tools(&mut copy);
        without_tools = copy;
        &without_tools
    } else if family.takes_tools_for(model) {
        conversation
    } else if !conversation.tools.is_empty() || conversation.has_tool_turns() {
        let name = info.map_or_else(|| family.name().to_string(), |m| m.name.clone());
        if !conversation.tools.is_empty() {
            notes.push(Note::new(
                "takes no tools",
                format!("{name} takes no tools; none are offered to it"),
            ));
        }
        if conversation.has_tool_turns() {
            notes.push(Note::new(
                "tool turns as text",
                format!("{name} takes no tools; earlier tool calls and results go to it as text"),
            ));
        }
        let mut copy = conversation.clone();
        copy.tools.clear();
        crate::models::turns::fold_all_tools(&mut copy);
        without_tools = copy;
        &without_tools
    } else {
        conversation
    };
    let mut body = family
        .adapter()
        .build_body(conversation, &params, adjusted.stream)
        .map_err(|e| Refusal::Invalid(e.to_string()))?;
    if intent.prompt_cache
        && let Some(placed) = crate::models::cache::place(family, info, &mut body)
    {
        notes.push(placed);
    }
    let calls_as_text = family == FamilyId::Llama3 && !conversation.tools.is_empty();
    let body = body.to_string();
    if with_files {
        crate::models::attachment_rules::check_body(model, family, body.len())
            .map_err(Refusal::Invalid)?;
    }
    Ok(Prepared {
        model: sent,
        body: Bytes::from(body),
        stream: adjusted.stream,
        options: intent.options.clone(),
        reader: Some(family),
        params,
        notes,
        calls_as_text,
        api: Api::Invoke,
    })
}

/// A verbatim body: the explicit family wins; else the body's shape, when it tells one, over
/// the id's family (Claude 2 takes Messages and Text Completions bodies alike); else the id's.
fn verbatim_request(intent: &Intent, body: Bytes) -> Prepared {
    let model = &intent.model;
    if intent.api == Api::Converse || intent.family == Some(FamilyId::Converse) {
        return super::converse::verbatim_request(intent, body);
    }
    let by_id = family_of(model).or(intent.looked_up);
    let by_body = detect::json_object(&body).and_then(|value| detect::of_request(&value));
    let mut notes = Vec::new();
    let reader = match (intent.family, by_body, by_id) {
        (Some(given), _, _) => Some(given),
        (None, Some(told), Some(id)) if detect::reads_alike(told, id) => Some(id),
        (None, Some(told), id) => {
            notes.push(Note::new(
                "body format",
                match id {
                    Some(id) => format!(
                        "the body is in the {told} format ({model} is {id} by its id); reading the answer as {told}"
                    ),
                    None => {
                        format!("the body is in the {told} format; reading the answer as {told}")
                    }
                },
            ));
            Some(told)
        }
        (None, None, id) => id,
    };
    let info = match reader {
        Some(family) => catalog::entry_for(model, family),
        None => catalog::lookup(model),
    };
    let streams = match (info, reader) {
        (Some(m), _) => m.streaming,
        (None, Some(family)) => family.streams(),
        // Nothing known: try; the service says so if the model cannot.
        (None, None) => true,
    };
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
        reader,
        params: Parameters::default(),
        notes,
        calls_as_text: false,
        api: Api::Invoke,
    }
}

/// The model id to send: a bare id of a model served through inference profiles only goes
/// through its geography's profile when the region is known (`us.` in `us-east-1`), with a
/// note; else a hint says which profile to use.
pub(super) fn sent_model(
    intent: &Intent,
    info: Option<&catalog::ModelInfo>,
    notes: &mut Vec<Note>,
) -> String {
    let model = &intent.model;
    let Some(info) = info else {
        return model.clone();
    };
    if let Some(region) = intent.region.as_deref()
        && let Some((id, note)) = capabilities::through_profile(model, info, region)
    {
        notes.push(note);
        return id;
    }
    if let Some(hint) = capabilities::profile_hint(model, info) {
        notes.push(Note::new("inference profile", hint));
    }
    model.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intent(model: &str, content: Content) -> Intent {
        Intent {
            model: model.to_string(),
            family: None,
            looked_up: None,
            content,
            options: InvokeOptions::default(),
            stream: true,
            text_only: false,
            prompt_cache: false,
            api: Api::Invoke,
            region: None,
        }
    }

    fn chat(prompt: &str, params: Parameters) -> Content {
        Content::Conversation {
            conversation: Conversation::single(prompt),
            params,
        }
    }

    #[test]
    fn a_family_the_model_also_takes_gets_its_limits_checked() {
        let mut asked = intent(
            "anthropic.claude-v2",
            chat(
                "hi",
                Parameters {
                    max_tokens: Some(999_999),
                    ..Parameters::default()
                },
            ),
        );
        asked.family = Some(FamilyId::AnthropicText);
        let prepared = prepare(&asked).unwrap();
        assert_eq!(prepared.reader, Some(FamilyId::AnthropicText));
        assert_eq!(prepared.params.max_tokens, Some(4096));
        assert!(
            prepared.notes.iter().any(|n| n.text.contains("lowered")),
            "{:?}",
            prepared.notes
        );
        let body: serde_json::Value = serde_json::from_slice(&prepared.body).unwrap();
        assert_eq!(body["max_tokens_to_sample"], 4096);
    }

    #[test]
    fn a_verbatim_body_is_read_in_its_own_format() {
        let body = br#"{"prompt":"\n\nHuman: hi\n\nAssistant:","max_tokens_to_sample":200}"#;
        let prepared = prepare(&intent(
            "anthropic.claude-v2:1",
            Content::Verbatim(Bytes::from_static(body)),
        ))
        .unwrap();
        assert_eq!(prepared.reader, Some(FamilyId::AnthropicText));
        assert!(prepared.stream);
        assert_eq!(prepared.notes.len(), 1, "{:?}", prepared.notes);
        let opaque = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/x1";
        let unknown = prepare(&intent(
            opaque,
            Content::Verbatim(Bytes::from_static(b"{\"weird\":1}")),
        ))
        .unwrap();
        assert_eq!(unknown.reader, None);
        assert!(matches!(
            prepare(&intent(opaque, chat("hi", Parameters::default()))),
            Err(Refusal::UnknownFormat { .. })
        ));
    }

    #[test]
    fn refusals_say_why() {
        let mut text_only = intent(
            "amazon.titan-embed-text-v2:0",
            chat("hi", Parameters::default()),
        );
        text_only.text_only = true;
        let refusal = prepare(&text_only).unwrap_err();
        assert!(refusal.to_string().contains("embeddings"), "{refusal}");
        let both = Parameters {
            temperature: Some(0.5),
            top_p: Some(0.5),
            ..Parameters::default()
        };
        let refusal = prepare(&intent(
            "global.anthropic.claude-haiku-4-5-20251001-v1:0",
            chat("hi", both),
        ))
        .unwrap_err();
        assert!(matches!(refusal, Refusal::Invalid(_)));
        let mut bad = intent("amazon.nova-micro-v1:0", chat("hi", Parameters::default()));
        bad.options.trace = Some("LOUD".into());
        assert!(prepare(&bad).is_err());
    }
}
