//! The emulator's `CountTokens` (`POST /model/{modelId}/count-tokens`): the InvokeModel body
//! (base64 in `input.invokeModel.body`) is checked as InvokeModel would check it and its input
//! tokens counted; a Converse input's texts are counted. Only foundation-model ids of models
//! that count tokens are taken, as on Bedrock (inference profiles are refused).

use super::corpus::estimate_tokens;
use super::family::{EmulatedFamily, Request};
use super::response::{Body, full, insert};
use bedrock_tui_wire::ExceptionKind;
use http::{HeaderValue, Response};
use serde_json::{Value, json};

type Rejection = (ExceptionKind, String);

fn refuse(message: impl Into<String>) -> Rejection {
    (ExceptionKind::Validation, message.into())
}

/// The words of all `text` members of a Converse input.
fn converse_text(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                match (key.as_str(), item) {
                    ("text", Value::String(text)) => {
                        out.push_str(text);
                        out.push(' ');
                    }
                    _ => converse_text(item, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| converse_text(i, out)),
        _ => {}
    }
}

/// Answers one CountTokens request for the (decoded) `model_id`.
pub(crate) fn respond(
    model_id: &str,
    body: &[u8],
    request_id: &str,
    strict_templates: bool,
) -> Result<Response<Body>, Rejection> {
    let unsupported = || refuse("The provided model doesn't support counting tokens.");
    if bedrock_tui_models::base_model_id(model_id) != model_id {
        return Err(unsupported());
    }
    let model = bedrock_tui_models::catalog::lookup(model_id)
        .filter(|m| m.count_tokens)
        .ok_or_else(unsupported)?;
    let request: Value = serde_json::from_slice(body).map_err(|_| {
        refuse("Malformed input request, please reformat your input and try again.")
    })?;
    let input = request
        .get("input")
        .ok_or_else(|| refuse("1 validation error detected: Value null at 'input' failed to satisfy constraint: Member must not be null"))?;
    let tokens = if let Some(invoke) = input.get("invokeModel") {
        let encoded = invoke.get("body").and_then(Value::as_str).unwrap_or("");
        let inner = super::media::decode(encoded)
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
            .ok_or_else(|| refuse("The invokeModel body is not base64-encoded JSON."))?;
        let prompt = super::server::emulated_family(model.family)
            .parse_request(&Request {
                model,
                body: &inner,
                streaming: false,
                strict_templates,
            })
            .map_err(refuse)?;
        prompt.input_tokens
    } else if let Some(converse) = input.get("converse") {
        // Checked as Converse checks a request (a history of tool calls needs its tools).
        super::converse::Converse
            .parse_request(&Request {
                model,
                body: converse,
                streaming: false,
                strict_templates,
            })
            .map_err(refuse)?;
        let mut text = String::new();
        converse_text(converse, &mut text);
        estimate_tokens(&text) + 4
    } else {
        return Err(refuse("input must have invokeModel or converse."));
    };
    let mut response = Response::new(full(json!({"inputTokens": tokens}).to_string()));
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    insert(headers, "x-amzn-requestid", request_id);
    Ok(response)
}
