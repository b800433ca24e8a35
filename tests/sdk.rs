//! The official `aws-sdk-bedrockruntime` crate, pointed at the emulator, invokes and streams
//! successfully and sees each in-stream exception as its typed error: an independent client
//! proves the emulator speaks Bedrock.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use aws_sdk_bedrockruntime::config::{BehaviorVersion, Region};
use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::ResponseStream;
use aws_sdk_bedrockruntime::types::error::ResponseStreamError;
use bedrock_tui::models::ModelFamily;
use bedrock_tui::models::anthropic::Anthropic;
use common::*;

fn sdk(emulator: &bedrock_tui::emulator::Emulator) -> aws_sdk_bedrockruntime::Client {
    let config = aws_sdk_bedrockruntime::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(emulator.endpoint())
        .credentials_provider(credentials(emulator))
        .build();
    aws_sdk_bedrockruntime::Client::from_conf(config)
}

#[tokio::test]
async fn sdk_invokes_and_streams_the_same_text() {
    let emulator = emulator().await;
    let client = sdk(&emulator);
    let prompt = "Tell me about event streams";
    let out = client
        .invoke_model()
        .model_id(HAIKU_3)
        .content_type("application/json")
        .accept("application/json")
        .body(Blob::new(claude_body(prompt).to_vec()))
        .send()
        .await
        .expect("invoke succeeds");
    assert_eq!(out.content_type(), "application/json");
    let whole = Anthropic.parse_response(out.body().as_ref()).unwrap();
    assert!(whole.text.len() > 100);
    assert_eq!(whole.stop_reason.as_deref(), Some("end_turn"));

    let out = client
        .invoke_model_with_response_stream()
        .model_id(format!("us.{HAIKU_3}"))
        .content_type("application/json")
        .body(Blob::new(claude_body(prompt).to_vec()))
        .send()
        .await
        .expect("stream starts");
    assert_eq!(out.content_type(), "application/json");
    let mut stream = out.body;
    let mut text = String::new();
    let mut chunks = 0;
    while let Some(event) = stream.recv().await.expect("stream decodes") {
        if let ResponseStream::Chunk(part) = event {
            let delta = Anthropic
                .parse_chunk(part.bytes().unwrap().as_ref())
                .unwrap();
            text.push_str(&delta.text);
            chunks += 1;
        }
    }
    assert!(chunks > 10);
    assert_eq!(text, whole.text);
}

#[tokio::test]
async fn sdk_sees_typed_stream_exceptions() {
    let emulator = emulator().await;
    let client = sdk(&emulator);
    for &(fault, name) in STREAM_EXCEPTIONS {
        let out = client
            .invoke_model_with_response_stream()
            .model_id(HAIKU_3)
            .content_type("application/json")
            .body(Blob::new(
                claude_body(&format!("hi [[fault:{fault} after=3]]")).to_vec(),
            ))
            .send()
            .await
            .expect("stream starts");
        let mut stream = out.body;
        let mut chunks = 0;
        let error = loop {
            match stream.recv().await {
                Ok(Some(ResponseStream::Chunk(_))) => chunks += 1,
                Ok(Some(_)) => {}
                Ok(None) => panic!("{fault}: stream ended without the exception"),
                Err(e) => break e.into_service_error(),
            }
        };
        assert_eq!(chunks, 3, "{fault}");
        let matched = match (&error, name) {
            (ResponseStreamError::ThrottlingException(_), "ThrottlingException")
            | (ResponseStreamError::ValidationException(_), "ValidationException")
            | (ResponseStreamError::InternalServerException(_), "InternalServerException")
            | (ResponseStreamError::ModelTimeoutException(_), "ModelTimeoutException")
            | (
                ResponseStreamError::ServiceUnavailableException(_),
                "ServiceUnavailableException",
            ) => true,
            (ResponseStreamError::ModelStreamErrorException(e), "ModelStreamErrorException") => {
                assert_eq!(e.original_status_code(), Some(500));
                true
            }
            _ => false,
        };
        assert!(matched, "{fault}: got {error:?}");
    }
}

#[tokio::test]
async fn sdk_sees_http_errors_and_auth_failures() {
    let emulator = emulator().await;
    let client = sdk(&emulator);
    let err = client
        .invoke_model()
        .model_id("anthropic.claude-haiku-4-5-20251001-v1:0")
        .content_type("application/json")
        .body(Blob::new(claude_body("hi").to_vec()))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_validation_exception(), "{err:?}");
    assert!(format!("{err:?}").contains("inference profile"));

    let bad = aws_sdk_bedrockruntime::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(emulator.endpoint())
        .credentials_provider(aws_credential_types::Credentials::new(
            &emulator.config().credentials.access_key_id,
            "wrong-secret",
            emulator.config().credentials.session_token.clone(),
            None,
            "test",
        ))
        .build();
    let err = aws_sdk_bedrockruntime::Client::from_conf(bad)
        .invoke_model()
        .model_id(HAIKU_3)
        .content_type("application/json")
        .body(Blob::new(claude_body("hi").to_vec()))
        .send()
        .await
        .unwrap_err();
    let meta = err.raw_response().map(|r| r.status().as_u16());
    assert_eq!(meta, Some(403));
    assert_eq!(
        aws_sdk_bedrockruntime::error::ProvideErrorMetadata::code(&err),
        Some("InvalidSignatureException")
    );
}

#[tokio::test]
async fn sdk_invokes_and_streams_every_family() {
    use bedrock_tui::models::{
        Conversation, FamilyId, OutputKind, Parameters, StreamDecoder, catalog,
    };
    let emulator = emulator().await;
    let client = sdk(&emulator);
    // Converse has its own test above.
    for family in FamilyId::ALL.iter().filter(|f| **f != FamilyId::Converse) {
        let model = catalog::models()
            .iter()
            .find(|m| m.family == *family)
            .unwrap();
        let id = if model.inference_profile_required {
            format!("global.{}", model.id)
        } else {
            model.id.clone()
        };
        let conversation = Conversation {
            system: Some("Be brief.".into()),
            ..Conversation::single("Tell me about event streams")
        };
        let params = Parameters {
            max_tokens: Some(200),
            ..Parameters::default()
        };
        let adapter = family.adapter();
        let body = adapter.build_body(&conversation, &params, false).unwrap();
        let out = client
            .invoke_model()
            .model_id(&id)
            .content_type("application/json")
            .accept("application/json")
            .body(Blob::new(body.to_string()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{id}: {e:?}"));
        let whole = adapter.parse_response(out.body().as_ref()).unwrap();
        match family.output() {
            OutputKind::Embedding => assert!(!whole.embeddings[0].is_empty(), "{id}"),
            OutputKind::Image => assert!(!whole.images[0].is_empty(), "{id}"),
            OutputKind::Text => assert!(whole.text.len() > 20, "{id}"),
        }
        if !model.streaming {
            continue;
        }
        let body = adapter.build_body(&conversation, &params, true).unwrap();
        let out = client
            .invoke_model_with_response_stream()
            .model_id(&id)
            .content_type("application/json")
            .body(Blob::new(body.to_string()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{id}: {e:?}"));
        let mut stream = out.body;
        let mut decoder = StreamDecoder::new(*family);
        let mut text = String::new();
        while let Some(event) = stream.recv().await.expect("stream decodes") {
            if let ResponseStream::Chunk(part) = event {
                text.push_str(&decoder.decode(part.bytes().unwrap().as_ref()).unwrap().text);
            }
        }
        assert_eq!(text.trim(), whole.text.trim(), "{id}");
    }
}

/// The SDK's own Converse and ConverseStream against the emulator: the same answer whole and
/// streamed, for a Claude model, for Nova, and for a model the client's catalog does not know.
#[tokio::test]
async fn sdk_converses_and_streams_the_same_text() {
    use aws_sdk_bedrockruntime::types::{
        ContentBlock, ContentBlockDelta, ConversationRole, ConverseStreamOutput, Message,
        StopReason,
    };
    let emulator = emulator().await;
    let client = sdk(&emulator);
    for model in [
        format!("us.{HAIKU_3}"),
        "us.amazon.nova-lite-v1:0".to_string(),
        "qwen.qwen3-32b-v1:0".to_string(),
    ] {
        let message = Message::builder()
            .role(ConversationRole::User)
            .content(ContentBlock::Text("Tell me about Converse".into()))
            .build()
            .unwrap();
        let out = client
            .converse()
            .model_id(&model)
            .messages(message.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{model}: {e:?}"));
        assert_eq!(out.stop_reason(), &StopReason::EndTurn, "{model}");
        let whole: String = out
            .output()
            .and_then(|o| o.as_message().ok())
            .map(|m| {
                m.content()
                    .iter()
                    .filter_map(|b| b.as_text().ok().cloned())
                    .collect()
            })
            .unwrap();
        assert!(whole.len() > 50, "{model}: {whole}");
        assert!(out.usage().unwrap().output_tokens() > 0);

        let out = client
            .converse_stream()
            .model_id(&model)
            .messages(message)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{model}: {e:?}"));
        let mut stream = out.stream;
        let (mut text, mut stopped, mut metadata) = (String::new(), false, false);
        while let Some(event) = stream.recv().await.expect("stream decodes") {
            match event {
                ConverseStreamOutput::ContentBlockDelta(delta) => {
                    if let Some(ContentBlockDelta::Text(piece)) = delta.delta() {
                        text.push_str(piece);
                    }
                }
                ConverseStreamOutput::MessageStop(stop) => {
                    stopped = stop.stop_reason() == &StopReason::EndTurn;
                }
                ConverseStreamOutput::Metadata(_) => metadata = true,
                _ => {}
            }
        }
        assert!(stopped && metadata, "{model}");
        assert_eq!(text, whole, "{model}");
    }
}
