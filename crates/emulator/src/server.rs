//! The emulator's request handling: routes, authentication, model resolution, body validation,
//! faults, and the JSON or event-stream answer.

use super::family::{Answer, EmulatedFamily, Prompt, Request as FamilyRequest, generate};
use super::faults::{self, Fault};
use super::response::{
    Body, abort, channel_body, error_response, exception_message, full, insert, request_id, send,
    stall,
};
use super::streaming::{Framing, replay_response, replayed, stream_response};
use super::{EmulatorState, ai21, amazon, anthropic, chat, cohere, embeddings, images, templates};
use bedrock_tui_models::catalog::ModelInfo;
use bedrock_tui_models::{FamilyId, parse_model_ref};
use bedrock_tui_wire::ExceptionKind;
use http::{HeaderValue, Request, Response};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Largest request body accepted (the Smithy model's blob limit).
const MAX_REQUEST_BODY: usize = 25_000_000;

/// The emulated family that reads bodies of `id`.
pub(crate) fn emulated_family(id: FamilyId) -> &'static dyn EmulatedFamily {
    family(id)
}

fn family(id: FamilyId) -> &'static dyn EmulatedFamily {
    match id {
        FamilyId::Anthropic => &anthropic::AnthropicMessages,
        FamilyId::AnthropicText => &anthropic::AnthropicText,
        FamilyId::TitanText => &amazon::TitanText,
        FamilyId::Nova => &amazon::Nova,
        FamilyId::Llama2 => &templates::Templated::LLAMA2,
        FamilyId::Llama3 => &templates::Templated::LLAMA3,
        FamilyId::Llama4 => &templates::Templated::LLAMA4,
        FamilyId::Mistral => &templates::Templated::MISTRAL,
        FamilyId::DeepSeek => &templates::Templated::DEEPSEEK,
        FamilyId::MistralChat => &chat::Chat::MISTRAL,
        FamilyId::Ai21Jamba => &chat::Chat::JAMBA,
        FamilyId::OpenAi => &chat::Chat::OPENAI,
        FamilyId::Cohere => &cohere::Command,
        FamilyId::CohereR => &cohere::CommandR,
        FamilyId::Ai21J2 => &ai21::Jurassic2,
        FamilyId::TitanEmbed => &embeddings::TitanEmbed,
        FamilyId::CohereEmbed => &embeddings::CohereEmbed,
        FamilyId::TitanImage => &images::TitanImage,
        FamilyId::StabilitySdxl => &images::StabilitySdxl,
        FamilyId::StabilityImage => &images::StabilityImage,
        FamilyId::Converse => &super::converse::Converse,
    }
}

/// The body format a request uses: the model's own, or one it also accepts when the body has
/// that format's tell-tale member (Claude 2 takes `messages` and `prompt` bodies).
fn body_family(model: &ModelInfo, body: &serde_json::Value) -> FamilyId {
    let tell = |family: FamilyId| match family {
        FamilyId::Anthropic | FamilyId::MistralChat => "messages",
        _ => "prompt",
    };
    model
        .also_accepts
        .iter()
        .copied()
        .find(|alt| body.get(tell(*alt)).is_some() && body.get(tell(model.family)).is_none())
        .unwrap_or(model.family)
}

/// Handles one request; never fails (errors are AWS error responses).
pub(crate) async fn handle(
    state: Arc<EmulatorState>,
    request: Request<Incoming>,
) -> Result<Response<Body>, std::convert::Infallible> {
    let id = request_id();
    Ok(match route(state, request, &id).await {
        Ok(response) => response,
        Err((kind, message)) => error_response(&kind, &message, &id),
    })
}

type Rejection = (ExceptionKind, String);

fn validation(message: impl Into<String>) -> Rejection {
    (ExceptionKind::Validation, message.into())
}

async fn route(
    state: Arc<EmulatorState>,
    request: Request<Incoming>,
    request_id: &str,
) -> Result<Response<Body>, Rejection> {
    let (parts, body) = request.into_parts();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or_else(|| "/".to_string(), |p| p.as_str().to_string());
    let body = Limited::new(body, MAX_REQUEST_BODY)
        .collect()
        .await
        .map_err(|_| {
            validation(format!(
                "The request body is larger than {MAX_REQUEST_BODY} bytes or could not be read."
            ))
        })?
        .to_bytes();
    let segments: Vec<&str> = parts.uri.path().split('/').collect();
    let (streaming, converse) = match (parts.method.as_str(), segments.as_slice()) {
        ("POST", ["", "model", _, "invoke"]) => (false, false),
        ("POST", ["", "model", _, "invoke-with-response-stream"]) => (true, false),
        ("POST", ["", "model", _, "converse"]) => (false, true),
        ("POST", ["", "model", _, "converse-stream"]) => (true, true),
        ("POST", ["", "model", id, "count-tokens"]) => {
            authenticate(&state, &parts, &path_and_query, &body)?;
            state.receive(parts.uri.path(), &body);
            let model_id = percent_encoding::percent_decode_str(id)
                .decode_utf8()
                .map_err(|_| validation("The provided model identifier is invalid."))?;
            return super::count::respond(
                &model_id,
                &body,
                request_id,
                state.config.strict_templates,
            );
        }
        ("GET", ["", "foundation-models" | "inference-profiles"]) => {
            authenticate(&state, &parts, &path_and_query, &body)?;
            return super::listing::respond(
                segments[1],
                parts.uri.query().unwrap_or(""),
                &state.config.credentials.region,
                &state.config.resources,
                request_id,
            );
        }
        (
            "GET",
            [
                "",
                "inference-profiles" | "provisioned-model-throughput" | "custom-models",
                id,
            ]
            | ["", "model-customization", "custom-model-deployments", id],
        ) => {
            authenticate(&state, &parts, &path_and_query, &body)?;
            let operation = match segments[1] {
                "inference-profiles" => "GetInferenceProfile",
                "provisioned-model-throughput" => "GetProvisionedModelThroughput",
                "model-customization" => "GetCustomModelDeployment",
                _ => "GetCustomModel",
            };
            let identifier = percent_encoding::percent_decode_str(id)
                .decode_utf8()
                .map_err(|_| validation("The provided identifier is invalid."))?;
            return super::resources::describe(
                operation,
                &identifier,
                &state.config.resources,
                &state.config.credentials.region,
                state.config.deny_lookups,
                request_id,
            );
        }
        _ => {
            return Err((
                ExceptionKind::Other("UnknownOperationException".into()),
                format!("No operation matches {} {}", parts.method, parts.uri.path()),
            ));
        }
    };
    authenticate(&state, &parts, &path_and_query, &body)?;
    state.receive(parts.uri.path(), &body);
    let raw_id = segments[2];
    let model_id = percent_encoding::percent_decode_str(raw_id)
        .decode_utf8()
        .map_err(|_| validation("The provided model identifier is invalid."))?
        .into_owned();
    let model = resolve_model(&state, &model_id)?;
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    check_media_types(
        header("content-type"),
        match (converse, streaming) {
            // Converse answers JSON or an event stream whatever it is asked for.
            (true, _) => None,
            (false, true) => header("x-amzn-bedrock-accept"),
            (false, false) => header("accept"),
        },
    )?;
    let json: serde_json::Value = serde_json::from_slice(&body).map_err(|_| {
        validation("Malformed input request, please reformat your input and try again.")
    })?;
    if !converse && model.family == FamilyId::Converse {
        return Err(validation(format!(
            "The emulator serves {} through Converse only: its InvokeModel body is not documented.",
            model.id
        )));
    }
    let family = if converse {
        if model.family.output() != bedrock_tui_models::OutputKind::Text {
            return Err(validation(super::converse::NOT_A_TEXT_MODEL));
        }
        &super::converse::Converse
    } else {
        family(body_family(model, &json))
    };
    // Converse names the guardrail, latency and tier in its body; InvokeModel in headers.
    let in_body = super::converse::body_options(&json);
    let option = |name: &str| -> Option<&str> {
        if !converse {
            return header(name);
        }
        match name {
            "x-amzn-bedrock-performanceconfig-latency" => in_body.latency.as_deref(),
            "x-amzn-bedrock-service-tier" => in_body.tier.as_deref(),
            "x-amzn-bedrock-guardrailidentifier" => in_body.guardrail_identifier.as_deref(),
            "x-amzn-bedrock-guardrailversion" => in_body.guardrail_version.as_deref(),
            "x-amzn-bedrock-trace" => in_body.trace.then_some("ENABLED"),
            _ => None,
        }
    };
    let mut prompt = family
        .parse_request(&FamilyRequest {
            model,
            body: &json,
            streaming,
            strict_templates: state.config.strict_templates,
        })
        .map_err(validation)?;
    prompt.cache = state.prompt_cache.apply(model, &json);
    let fault = match header("x-emulator-fault").or(faults::find_marker(&prompt.last_user_text)) {
        Some(spec) if faults::applies_to(spec, &model_id) => {
            Some(faults::parse(spec).map_err(validation)?)
        }
        _ => None,
    };
    match &fault {
        Some(Fault::Http(kind)) => return Err((kind.clone(), exception_message(kind).into())),
        Some(Fault::Flaky { attempts }) => {
            let key =
                super::corpus::seed_of(&format!("{path_and_query}\n{}", prompt.last_user_text));
            if state.count_attempt(key) <= *attempts {
                let kind = ExceptionKind::Throttling;
                return Err((kind.clone(), exception_message(&kind).into()));
            }
        }
        Some(Fault::SlowFirstByte { ms }) => tokio::time::sleep(Duration::from_millis(*ms)).await,
        Some(Fault::WrongContentType) => {
            let mut response = Response::new(super::response::full(
                b"<html><body><h1>502 Bad Gateway</h1></body></html>".to_vec(),
            ));
            response
                .headers_mut()
                .insert("content-type", HeaderValue::from_static("text/html"));
            return Ok(response);
        }
        _ => {}
    }
    if streaming && !model.streaming {
        return Err(validation("The model is unsupported for streaming."));
    }
    let service = super::tiers::read(
        option("x-amzn-bedrock-performanceconfig-latency"),
        option("x-amzn-bedrock-service-tier"),
    )
    .map_err(validation)?;
    let tokens_per_second = match header("x-emulator-tokens-per-second") {
        Some(value) => value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && (0.0..=super::MAX_TOKENS_PER_SECOND).contains(v))
            .ok_or_else(|| {
                validation(format!(
                    "X-Emulator-Tokens-Per-Second: a number of tokens a second from 0 to {}",
                    super::MAX_TOKENS_PER_SECOND
                ))
            })?,
        None => state.config.tokens_per_second,
    } * service.speed();
    let replay_key =
        (state.config.replay_streams && streaming && fault.is_none() && tokens_per_second <= 0.0)
            .then(|| {
                let mut key = model_id.clone().into_bytes();
                key.extend_from_slice(&body);
                super::corpus::seed_of(&String::from_utf8_lossy(&key))
            });
    if let Some(key) = replay_key
        && let Some(pieces) = replayed(&state, key)
    {
        return Ok(replay_response(pieces, request_id));
    }
    // A guardrail named by the request checks the prompt; a blocked one is answered with
    // Bedrock's message.
    let verdict = match option("x-amzn-bedrock-guardrailidentifier").filter(|id| !id.is_empty()) {
        Some(id) => {
            if option("x-amzn-bedrock-guardrailversion").is_none_or(str::is_empty) {
                return Err(validation(
                    "A guardrail version is required when a guardrail identifier is specified.",
                ));
            }
            let trace = option("x-amzn-bedrock-trace").is_some_and(|t| {
                t.eq_ignore_ascii_case("ENABLED") || t.eq_ignore_ascii_case("ENABLED_FULL")
            });
            Some(super::guardrail::assess(
                &state.config.guardrail,
                id,
                &prompt.last_user_text,
                trace,
            ))
        }
        None => None,
    };
    if verdict.as_ref().is_some_and(|v| v.intervened) {
        prompt.last_user_text = format!("{} [[emulator:echo]]", super::guardrail::BLOCKED);
        prompt.received = super::media::Received::default();
        prompt.reasoning = false;
    }
    let mut answer = generate(&prompt);
    answer.guardrail = verdict;
    service.adjust(&mut answer.metrics);
    answer.served = service.headers();
    if model.family == bedrock_tui_models::FamilyId::Nova {
        // Nova always reports the cache counters, `0` when unused (recorded).
        let m = &mut answer.metrics;
        m.cache_read_input_token_count.get_or_insert(0);
        m.cache_write_input_token_count.get_or_insert(0);
    }
    if streaming {
        Ok(stream_response(
            family,
            model,
            &prompt,
            &answer,
            fault,
            tokens_per_second,
            request_id,
            replay_key.map(|key| (key, state.clone())),
            if converse {
                Framing::Converse
            } else {
                Framing::Chunk
            },
        ))
    } else {
        invoke_response(family, model, &prompt, &answer, fault, request_id, converse)
    }
}

/// Checks SigV4 or the bearer token, unless the emulator runs without authentication.
fn authenticate(
    state: &EmulatorState,
    parts: &http::request::Parts,
    path_and_query: &str,
    body: &[u8],
) -> Result<(), Rejection> {
    if !state.config.verify_auth {
        return Ok(());
    }
    let signed_with = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split("Credential=").nth(1))
        .and_then(|v| v.split('/').next())
        .unwrap_or_default();
    if state.is_expired(signed_with) {
        return Err((
            ExceptionKind::ExpiredToken,
            "The security token included in the request is expired".to_string(),
        ));
    }
    super::sigv4::verify(
        &state.credentials(),
        parts.method.as_str(),
        path_and_query,
        &parts.headers,
        body,
        SystemTime::now(),
    )
}

/// Resolves a model id, inference-profile id or ARN against the catalog and the account's
/// resources.
fn resolve_model(state: &EmulatorState, model_id: &str) -> Result<&'static ModelInfo, Rejection> {
    let behind = || {
        super::resources::model_behind(
            &state.config.resources,
            &state.config.credentials.region,
            model_id,
        )
    };
    let model = super::newer::served(model_id)
        .or_else(behind)
        .ok_or_else(|| validation("The provided model identifier is invalid."))?;
    // A profile, or a custom or provisioned model ARN, is not the base model on demand.
    let reference = parse_model_ref(model_id);
    let on_demand = !reference.through_profile
        && reference
            .arn_resource
            .is_none_or(|kind| kind == "foundation-model");
    if model.inference_profile_required && on_demand {
        return Err(validation(format!(
            "Invocation of model ID {} with on-demand throughput isn\u{2019}t supported. Retry your request with the ID or ARN of an inference profile that contains this model.",
            model.id
        )));
    }
    Ok(model)
}

fn check_media_types(content_type: Option<&str>, accept: Option<&str>) -> Result<(), Rejection> {
    let essence = |v: &str| {
        v.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    };
    if let Some(ct) = content_type
        && essence(ct) != "application/json"
    {
        return Err(validation(format!(
            "The provided Content-Type header value {ct} is not supported. Use application/json."
        )));
    }
    if let Some(accept) = accept {
        let ok = accept
            .split(',')
            .map(essence)
            .any(|a| a == "application/json" || a == "*/*" || a == "application/*");
        if !ok {
            return Err(validation(format!(
                "The provided Accept Type header value {accept} is not supported for this model. Use application/json or */*."
            )));
        }
    }
    Ok(())
}

fn invoke_response(
    family: &dyn EmulatedFamily,
    model: &ModelInfo,
    prompt: &Prompt,
    answer: &Answer,
    fault: Option<Fault>,
    request_id: &str,
    converse: bool,
) -> Result<Response<Body>, Rejection> {
    let mut body = family.response_body(model, prompt, answer, request_id);
    if let Some(verdict) = answer.guardrail.as_ref().filter(|_| !converse) {
        body = super::guardrail::decorate(&body, verdict);
    }
    let body = match fault {
        Some(Fault::StreamException { kind, .. }) => {
            return Err((kind.clone(), exception_message(&kind).into()));
        }
        Some(Fault::BadCrc { .. } | Fault::Truncate { .. }) => {
            full(body[..body.len() / 2].to_vec())
        }
        Some(Fault::Reset { .. } | Fault::Stall { .. }) => {
            let (tx, body_out) = channel_body();
            let half = body[..body.len() / 2].to_vec();
            let reset = matches!(fault, Some(Fault::Reset { .. }));
            tokio::spawn(async move {
                if send(&tx, half).await {
                    if reset {
                        abort(&tx).await;
                    } else {
                        stall(&tx).await;
                    }
                }
            });
            body_out
        }
        _ => full(body),
    };
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    insert(headers, "x-amzn-requestid", request_id);
    if converse {
        // Converse's figures are in its body; no X-Amzn-Bedrock-* headers (recorded).
        return Ok(response);
    }
    for (name, value) in &answer.served {
        insert(headers, name, value);
    }
    let metrics = &answer.metrics;
    for (name, value) in [
        (
            "x-amzn-bedrock-invocation-latency",
            metrics.invocation_latency,
        ),
        (
            "x-amzn-bedrock-output-token-count",
            metrics.output_token_count,
        ),
        (
            "x-amzn-bedrock-input-token-count",
            metrics.input_token_count,
        ),
        (
            "x-amzn-bedrock-cache-read-input-token-count",
            metrics.cache_read_input_token_count,
        ),
        (
            "x-amzn-bedrock-cache-write-input-token-count",
            metrics.cache_write_input_token_count,
        ),
    ] {
        if let Some(value) = value {
            insert(headers, name, &value.to_string());
        }
    }
    Ok(response)
}
