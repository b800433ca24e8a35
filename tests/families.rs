//! Every model family: golden request bodies for a fixed multi-turn conversation, the protocol
//! document's sample responses and chunks decoded, and each family served end to end by the
//! emulator (strict templates), streaming and not, including a conversation that moves through
//! every text family in turn.
//!
//! `BLESS=1 cargo test --test families` rewrites the golden files after a deliberate change.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use bedrock_tui::bedrock::{Api, InvokeOptions, StreamEvent};
use bedrock_tui::models::catalog::{self, ModelInfo};
use bedrock_tui::models::{
    Conversation, FamilyId, OutputKind, Parameters, Role, StreamDecoder, Turn,
};
use common::*;
use serde_json::{Value, json};
use std::path::PathBuf;

fn turn(role: Role, text: &str) -> Turn {
    Turn::new(role, text)
}

fn conversation() -> Conversation {
    Conversation {
        system: Some("You are terse.".into()),
        tools: Vec::new(),
        turns: vec![
            turn(Role::User, "What is Amazon Bedrock?"),
            turn(Role::Assistant, "A managed service for foundation models."),
            turn(Role::User, "Name two model families."),
        ],
    }
}

fn params() -> Parameters {
    Parameters {
        max_tokens: Some(300),
        temperature: Some(0.5),
        top_p: None,
        top_k: Some(40),
        stop_sequences: vec!["END".into()],
        reasoning_budget: None,
    }
}

/// A catalog model of the family, called the way Bedrock accepts it; for Converse, a route
/// every text model has, Claude 3 Haiku.
fn model_of(family: FamilyId) -> (&'static ModelInfo, String) {
    let model = if family == FamilyId::Converse {
        catalog::lookup("anthropic.claude-3-haiku-20240307-v1:0").unwrap()
    } else {
        catalog::models()
            .iter()
            .find(|m| m.family == family)
            .expect("every family has a model")
    };
    let id = if model.inference_profile_required {
        format!("us.{}", model.id)
    } else {
        model.id.clone()
    };
    (model, id)
}

#[test]
fn bodies_match_the_golden_files() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut mismatches = Vec::new();
    for family in FamilyId::ALL {
        let adapter = family.adapter();
        let invoke = adapter
            .build_body(&conversation(), &params(), false)
            .unwrap();
        let stream = adapter
            .build_body(&conversation(), &params(), true)
            .unwrap();
        let got = json!({"invoke": invoke, "stream": stream});
        if let Err(e) = golden(&dir.join(format!("{}.json", family.name())), &got) {
            mismatches.push(e);
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn templates_are_rendered_exactly() {
    let c = conversation();
    let body = |f: FamilyId| {
        f.adapter()
            .build_body(&c, &Parameters::default(), false)
            .unwrap()["prompt"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        body(FamilyId::Llama3),
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>\
         <|start_header_id|>user<|end_header_id|>\n\nWhat is Amazon Bedrock?<|eot_id|>\
         <|start_header_id|>assistant<|end_header_id|>\n\nA managed service for foundation models.<|eot_id|>\
         <|start_header_id|>user<|end_header_id|>\n\nName two model families.<|eot_id|>\
         <|start_header_id|>assistant<|end_header_id|>\n\n"
    );
    assert_eq!(
        body(FamilyId::Llama2),
        "<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nWhat is Amazon Bedrock? [/INST] \
         A managed service for foundation models. </s><s>[INST] Name two model families. [/INST]"
    );
    assert_eq!(
        body(FamilyId::Llama4),
        "<|begin_of_text|><|header_start|>system<|header_end|>\n\nYou are terse.<|eot|>\
         <|header_start|>user<|header_end|>\n\nWhat is Amazon Bedrock?<|eot|>\
         <|header_start|>assistant<|header_end|>\n\nA managed service for foundation models.<|eot|>\
         <|header_start|>user<|header_end|>\n\nName two model families.<|eot|>\
         <|header_start|>assistant<|header_end|>\n\n"
    );
    assert_eq!(
        body(FamilyId::Mistral),
        "<s>[INST] You are terse.\n\nWhat is Amazon Bedrock? [/INST] A managed service for \
         foundation models.</s> [INST] Name two model families. [/INST]"
    );
    assert_eq!(
        body(FamilyId::DeepSeek),
        "<｜begin▁of▁sentence｜>You are terse.<｜User｜>What is Amazon Bedrock?<｜Assistant｜>\
         A managed service for foundation models.<｜end▁of▁sentence｜><｜User｜>Name two model \
         families.<｜Assistant｜><think>\n"
    );
    assert_eq!(
        body(FamilyId::AnthropicText),
        "You are terse.\n\nHuman: What is Amazon Bedrock?\n\nAssistant: A managed service for \
         foundation models.\n\nHuman: Name two model families.\n\nAssistant:"
    );
    assert_eq!(
        FamilyId::TitanText
            .adapter()
            .build_body(
                &Conversation::single("Hello"),
                &Parameters::default(),
                false
            )
            .unwrap(),
        json!({"inputText": "User: Hello\nBot:"})
    );
}

/// (family, response body, text, reasoning, stop reason, input tokens, output tokens)
type Sample = (
    FamilyId,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<u64>,
    Option<u64>,
);

#[test]
fn documented_responses_decode() {
    let samples: Vec<Sample> = vec![
        (
            FamilyId::AnthropicText,
            r#"{"type":"completion","completion":" Hello! How can I help?","stop_reason":"stop_sequence","stop":"\n\nHuman:"}"#,
            " Hello! How can I help?",
            "",
            Some("stop_sequence"),
            None,
            None,
        ),
        (
            FamilyId::TitanText,
            r#"{"inputTextTokenCount":28.0,"results":[{"tokenCount":"9","outputText":"\nHello there!","completionReason":"FINISH"}]}"#,
            "\nHello there!",
            "",
            Some("FINISH"),
            Some(28),
            Some(9),
        ),
        (
            FamilyId::Nova,
            r#"{"output":{"message":{"content":[{"reasoningContent":{"reasoningText":{"text":"[REDACTED]"}}},{"text":"Hi"},{"toolUse":{"toolUseId":"t","name":"n","input":{}}},{"text":"!"}],"role":"assistant"}},"stopReason":"end_turn","usage":{"inputTokens":5,"outputTokens":3,"totalTokens":8}}"#,
            "Hi!",
            "[REDACTED]",
            Some("end_turn"),
            Some(5),
            Some(3),
        ),
        (
            FamilyId::Llama3,
            r#"{"generation":"Hi there!","prompt_token_count":12,"generation_token_count":4,"stop_reason":"stop"}"#,
            "Hi there!",
            "",
            Some("stop"),
            Some(12),
            Some(4),
        ),
        (
            FamilyId::Mistral,
            r#"{"outputs":[{"text":" Hi!","stop_reason":"stop"}]}"#,
            // The space after `[/INST]` is not part of the answer.
            "Hi!",
            "",
            Some("stop"),
            None,
            None,
        ),
        (
            FamilyId::MistralChat,
            r#"{"choices":[{"index":0,"message":{"role":"assistant","content":"Hi","tool_calls":[]},"stop_reason":"stop"}]}"#,
            "Hi",
            "",
            Some("stop"),
            None,
            None,
        ),
        (
            FamilyId::Cohere,
            r#"{"id":"x","generations":[{"id":"y","text":" Hi!","finish_reason":"COMPLETE"}],"prompt":"Hello"}"#,
            " Hi!",
            "",
            Some("COMPLETE"),
            None,
            None,
        ),
        (
            FamilyId::CohereR,
            r#"{"response_id":"r","text":"Hi","generation_id":"g","finish_reason":"COMPLETE","chat_history":[],"meta":{"billed_units":{"input_tokens":3,"output_tokens":1}}}"#,
            "Hi",
            "",
            Some("COMPLETE"),
            Some(3),
            Some(1),
        ),
        (
            FamilyId::Ai21J2,
            r#"{"id":1234,"prompt":{"text":"Hi","tokens":[]},"completions":[{"data":{"text":"Hola","tokens":[]},"finishReason":{"reason":"endoftext"}}]}"#,
            "Hola",
            "",
            Some("endoftext"),
            None,
            None,
        ),
        (
            FamilyId::Ai21Jamba,
            r#"{"id":"c","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":4,"completion_tokens":1,"total_tokens":5}}"#,
            "Hi",
            "",
            Some("stop"),
            Some(4),
            Some(1),
        ),
        (
            FamilyId::DeepSeek,
            r#"{"choices":[{"text":"Let me think.\n</think>\n\nThe answer.","stop_reason":"stop"}]}"#,
            "The answer.",
            "Let me think.\n",
            Some("stop"),
            None,
            None,
        ),
        (
            FamilyId::OpenAi,
            r#"{"choices":[{"finish_reason":"stop","index":0,"message":{"annotations":[],"content":"pong","refusal":null,"role":"assistant"}}],"created":1790160188,"id":"chatcmpl-1","model":"us.openai.gpt-6-sol","object":"chat.completion","service_tier":"default","usage":{"completion_tokens":5,"prompt_tokens":17,"total_tokens":22},"system_fingerprint":null}"#,
            "pong",
            "",
            Some("stop"),
            Some(17),
            Some(5),
        ),
    ];
    for (family, body, text, reasoning, stop, input, output) in samples {
        let c = family.adapter().parse_response(body.as_bytes()).unwrap();
        assert_eq!(c.text, text, "{family}");
        assert_eq!(c.reasoning, reasoning, "{family}");
        assert_eq!(c.stop_reason.as_deref(), stop, "{family}");
        assert_eq!(
            (c.usage.input_tokens, c.usage.output_tokens),
            (input, output),
            "{family}"
        );
        // Missing members are an error or an empty answer, never a panic.
        let _ = family.adapter().parse_response(b"{}");
        let _ = family.adapter().parse_response(b"[1,2]");
        assert!(family.adapter().parse_response(b"not json").is_err());
    }
    let e = FamilyId::CohereEmbed
        .adapter()
        .parse_response(br#"{"embeddings":{"float":[[0.5,0.25]],"int8":[[1,2]]},"id":"x","response_type":"embeddings_by_type","texts":["a"]}"#)
        .unwrap();
    assert_eq!(e.embeddings, vec![vec![0.5, 0.25]]);
    let e = FamilyId::TitanEmbed
        .adapter()
        .parse_response(br#"{"embedding":[0.1,0.2],"inputTextTokenCount":3}"#)
        .unwrap();
    assert_eq!(e.embeddings, vec![vec![0.1, 0.2]]);
    assert_eq!(e.usage.input_tokens, Some(3));
    assert!(
        FamilyId::TitanImage
            .adapter()
            .parse_response(br#"{"images":[],"error":"blocked"}"#)
            .unwrap_err()
            .to_string()
            .contains("blocked")
    );
    let image = FamilyId::StabilitySdxl
        .adapter()
        .parse_response(br#"{"result":"success","artifacts":[{"seed":1,"base64":"iVBORw0KGgo=","finishReason":"SUCCESS"}]}"#)
        .unwrap();
    assert_eq!(image.images, vec![b"\x89PNG\r\n\x1a\n".to_vec()]);
}

/// (family, chunks, text, reasoning, stop reason)
type StreamSample = (
    FamilyId,
    &'static [&'static str],
    &'static str,
    &'static str,
    &'static str,
);

#[test]
fn documented_chunk_sequences_decode() {
    let metrics = r#""amazon-bedrock-invocationMetrics":{"inputTokenCount":5,"outputTokenCount":9,"invocationLatency":3879,"firstByteLatency":3291}"#;
    let owned: Vec<(FamilyId, Vec<String>, &str, &str, &str)> = {
        let samples: Vec<StreamSample> = vec![
            (
                FamilyId::AnthropicText,
                &[
                    r#"{"completion":"42","stop_reason":null,"stop":null}"#,
                    r#"{"completion":"","stop_reason":"stop_sequence","stop":"\n\nHuman:",METRICS}"#,
                ],
                "42",
                "",
                "stop_sequence",
            ),
            (
                FamilyId::TitanText,
                &[
                    r#"{"outputText":"Hello","index":0,"totalOutputTextTokenCount":null,"completionReason":null,"inputTextTokenCount":5}"#,
                    r#"{"outputText":"","index":0,"completionReason":"FINISHED","inputTextTokenCount":null,METRICS}"#,
                ],
                "Hello",
                "",
                "FINISHED",
            ),
            (
                FamilyId::Nova,
                &[
                    r#"{"messageStart":{"role":"assistant"}}"#,
                    r#"{"contentBlockDelta":{"delta":{"text":"The"},"contentBlockIndex":0}}"#,
                    r#"{"contentBlockStop":{"contentBlockIndex":0}}"#,
                    r#"{"contentBlockDelta":{"delta":{"reasoningContent":{"text":"hm"}},"contentBlockIndex":1}}"#,
                    r#"{"contentBlockDelta":{"delta":{"text":" three"},"contentBlockIndex":2}}"#,
                    r#"{"messageStop":{"stopReason":"end_turn"}}"#,
                    r#"{"metadata":{"usage":{"inputTokens":12,"outputTokens":13},"metrics":{},"trace":{}},METRICS}"#,
                ],
                "The three",
                "hm",
                "end_turn",
            ),
            (
                FamilyId::Llama3,
                &[
                    r#"{"generation":"Hi","prompt_token_count":null,"generation_token_count":1,"stop_reason":null}"#,
                    r#"{"generation":"","prompt_token_count":null,"generation_token_count":2,"stop_reason":"stop",METRICS}"#,
                ],
                "Hi",
                "",
                "stop",
            ),
            (
                FamilyId::Mistral,
                &[
                    r#"{"outputs":[{"text":"Hi","stop_reason":null}]}"#,
                    r#"{"outputs":[{"text":"","stop_reason":"stop"}],METRICS}"#,
                ],
                "Hi",
                "",
                "stop",
            ),
            (
                FamilyId::MistralChat,
                &[
                    r#"{"choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"stop_reason":null}]}"#,
                    r#"{"choices":[{"index":0,"delta":{"content":"!"},"finish_reason":"stop"}],METRICS}"#,
                ],
                "Hi!",
                "",
                "stop",
            ),
            (
                FamilyId::Cohere,
                &[
                    r#"{"text":" Hi","is_finished":false}"#,
                    r#"{"is_finished":true,"finish_reason":"COMPLETE",METRICS}"#,
                ],
                " Hi",
                "",
                "COMPLETE",
            ),
            (
                FamilyId::CohereR,
                &[
                    r#"{"is_finished":false,"event_type":"stream-start","generation_id":"g"}"#,
                    r#"{"is_finished":false,"event_type":"text-generation","text":"Hi"}"#,
                    r#"{"is_finished":true,"event_type":"stream-end","finish_reason":"COMPLETE","response":{"text":"Hi"},METRICS}"#,
                ],
                "Hi",
                "",
                "COMPLETE",
            ),
            (
                FamilyId::Ai21Jamba,
                &[
                    r#"{"id":"c","choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}"#,
                    r#"{"id":"c","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}"#,
                    r#"{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
                    r"{METRICS}",
                ],
                "Hi",
                "",
                "stop",
            ),
            (
                FamilyId::DeepSeek,
                &[
                    r#"{"choices":[{"text":"Think","stop_reason":null}]}"#,
                    r#"{"choices":[{"text":"ing.</th","stop_reason":null}]}"#,
                    r#"{"choices":[{"text":"ink>\n\nAns","stop_reason":null}]}"#,
                    r#"{"choices":[{"text":"wer","stop_reason":"stop"}]}"#,
                    r#"{"choices":[{"text":"","stop_reason":null}],METRICS}"#,
                ],
                "Answer",
                "Thinking.",
                "stop",
            ),
            (
                FamilyId::OpenAi,
                &[
                    r#"{"choices":[{"delta":{"content":"","role":"assistant","refusal":null},"finish_reason":null,"index":0}],"id":"c","object":"chat.completion.chunk","usage":null,"obfuscation":"abc"}"#,
                    r#"{"choices":[{"delta":{"content":"1"},"finish_reason":null,"index":0}]}"#,
                    r#"{"choices":[{"delta":{},"finish_reason":"stop","index":0}],"usage":null}"#,
                    r#"{"choices":[],"usage":{"completion_tokens":17,"prompt_tokens":12,"total_tokens":29},METRICS}"#,
                ],
                "1",
                "",
                "stop",
            ),
        ];
        samples
            .into_iter()
            .map(|(f, chunks, t, r, s)| {
                (
                    f,
                    chunks
                        .iter()
                        .map(|c| c.replace("METRICS", metrics))
                        .collect(),
                    t,
                    r,
                    s,
                )
            })
            .collect()
    };
    for (family, chunks, text, reasoning, stop) in owned {
        let mut decoder = StreamDecoder::new(family);
        let (mut got_text, mut got_reasoning, mut got_stop, mut got_metrics) =
            (String::new(), String::new(), None, None);
        for chunk in &chunks {
            let delta = decoder
                .decode(chunk.as_bytes())
                .unwrap_or_else(|e| panic!("{family}: {chunk}: {e}"));
            got_text.push_str(&delta.text);
            got_reasoning.push_str(&delta.reasoning);
            got_stop = got_stop.or(delta.stop_reason);
            got_metrics = got_metrics.or(delta.metrics);
        }
        let rest = decoder.finish();
        got_text.push_str(&rest.text);
        got_reasoning.push_str(&rest.reasoning);
        assert_eq!(got_text, text, "{family}");
        assert_eq!(got_reasoning, reasoning, "{family}");
        assert_eq!(got_stop.as_deref(), Some(stop), "{family}");
        assert_eq!(
            got_metrics.and_then(|m| m.output_token_count),
            Some(9),
            "{family}"
        );
    }
}

/// Invokes (and streams, where the model can) the conversation on the emulator.
async fn round_trip(
    client: &bedrock_tui::bedrock::Client,
    family: FamilyId,
    model_id: &str,
    model: &ModelInfo,
    conversation: &Conversation,
) -> String {
    let adapter = family.adapter();
    let api = if family == FamilyId::Converse {
        Api::Converse
    } else {
        Api::Invoke
    };
    let body = adapter
        .build_body(conversation, &params_for(model), false)
        .unwrap();
    let response = client
        .send_whole(
            api,
            model_id,
            body.to_string().into(),
            &InvokeOptions::default(),
            None,
        )
        .await
        .unwrap_or_else(|e| panic!("{model_id}: {e}\n{body}"));
    let whole = adapter.parse_response(&response.body).unwrap();
    match family.output() {
        OutputKind::Embedding => {
            assert!(whole.embeddings[0].len() >= 256, "{model_id}");
            return String::new();
        }
        OutputKind::Image => {
            assert!(
                whole.images[0].starts_with(b"\x89PNG\r\n\x1a\n"),
                "{model_id}"
            );
            return String::new();
        }
        OutputKind::Text => {}
    }
    assert!(whole.text.len() > 20, "{model_id}: {:?}", whole.text);
    assert!(whole.stop_reason.is_some(), "{model_id}");
    if model.streaming {
        let body = adapter
            .build_body(conversation, &params_for(model), true)
            .unwrap();
        let mut stream = client
            .send_streamed(
                api,
                model_id,
                body.to_string().into(),
                &InvokeOptions::default(),
                None,
            )
            .await
            .unwrap_or_else(|e| panic!("{model_id}: {e}\n{body}"));
        let mut decoder = StreamDecoder::new(family);
        let (mut text, mut reasoning, mut stop, mut chunks) =
            (String::new(), String::new(), None, 0);
        while let Some(frame) = stream.next_frame().await.unwrap() {
            if let StreamEvent::Chunk(bytes) = frame.event {
                let delta = decoder.decode(&bytes).unwrap();
                text.push_str(&delta.text);
                reasoning.push_str(&delta.reasoning);
                stop = stop.or(delta.stop_reason);
                chunks += 1;
            }
        }
        assert!(chunks > 3, "{model_id}");
        assert_eq!(text.trim(), whole.text.trim(), "{model_id}");
        assert_eq!(reasoning, whole.reasoning, "{model_id}");
        assert_eq!(stop, whole.stop_reason, "{model_id}");
    } else {
        let body = adapter
            .build_body(conversation, &params_for(model), true)
            .unwrap();
        let err = client
            .invoke_stream(model_id, body.to_string().into(), &InvokeOptions::default())
            .await
            .err()
            .unwrap_or_else(|| panic!("{model_id} streamed"));
        assert!(
            err.to_string().contains("unsupported for streaming"),
            "{err}"
        );
    }
    whole.text
}

/// The test parameters, with what the model does not take left out.
fn params_for(model: &ModelInfo) -> Parameters {
    let mut p = params();
    bedrock_tui::models::capabilities::apply(Some(model), model.family, &mut p, true).unwrap();
    p
}

#[tokio::test]
async fn every_family_round_trips_through_the_emulator() {
    let emulator = emulator().await;
    let client = client(&emulator);
    for family in FamilyId::ALL {
        let (model, id) = model_of(*family);
        round_trip(&client, *family, &id, model, &conversation()).await;
    }
    // The thinking and reasoning paths.
    let mut p = Parameters {
        max_tokens: Some(4000),
        reasoning_budget: Some(2000),
        ..Parameters::default()
    };
    let claude = catalog::lookup("anthropic.claude-sonnet-4-5-20250929-v1:0").unwrap();
    bedrock_tui::models::capabilities::apply(Some(claude), FamilyId::Anthropic, &mut p, true)
        .unwrap();
    let body = FamilyId::Anthropic
        .adapter()
        .build_body(&conversation(), &p, true)
        .unwrap();
    let mut stream = client
        .invoke_stream(
            "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
            body.to_string().into(),
            &InvokeOptions::default(),
        )
        .await
        .unwrap();
    let mut decoder = StreamDecoder::new(FamilyId::Anthropic);
    let (mut text, mut reasoning) = (String::new(), String::new());
    while let Some(frame) = stream.next_frame().await.unwrap() {
        if let StreamEvent::Chunk(bytes) = frame.event {
            let d = decoder.decode(&bytes).unwrap();
            text.push_str(&d.text);
            reasoning.push_str(&d.reasoning);
        }
    }
    assert!(reasoning.starts_with("The user asks"), "{reasoning}");
    assert!(text.len() > 20);
}

#[tokio::test]
async fn a_conversation_moves_through_every_text_family() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let mut conversation = Conversation {
        system: Some("Answer briefly.".into()),
        tools: Vec::new(),
        turns: vec![turn(Role::User, "Tell me about retries.")],
    };
    let mut asked = 0;
    for family in FamilyId::ALL
        .iter()
        .filter(|f| f.output() == OutputKind::Text)
    {
        let (model, id) = model_of(*family);
        let answer = round_trip(&client, *family, &id, model, &conversation).await;
        conversation.turns.push(turn(Role::Assistant, &answer));
        conversation.turns.push(turn(
            Role::User,
            &format!("And now in the words of {}?", family.name()),
        ));
        asked += 1;
    }
    assert_eq!(asked, 16);
    assert_eq!(conversation.turns.len(), 33);
}

#[tokio::test]
async fn the_emulator_refuses_what_bedrock_refuses() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "meta.llama3-70b-instruct-v1:0",
            json!({"prompt": "Hello"}),
            "chat template",
        ),
        (
            "meta.llama3-70b-instruct-v1:0",
            json!({"prompt": "<|begin_of_text|>x", "max_gen_len": 99999}),
            "not less or equal",
        ),
        (
            "meta.llama3-70b-instruct-v1:0",
            json!({"prompt": "x", "top_k": 5}),
            "extraneous key [top_k]",
        ),
        (
            "mistral.mistral-7b-instruct-v0:2",
            json!({"prompt": "<s>[INST] hi [/INST]", "temperature": 1.5}),
            "not less or equal to 1",
        ),
        (
            "amazon.titan-text-express-v1",
            json!({"inputText": 5}),
            "expected type: String",
        ),
        (
            "amazon.titan-text-express-v1",
            json!({"textGenerationConfig": {}}),
            "required key [inputText]",
        ),
        (
            "amazon.nova-lite-v1:0",
            json!({"messages": [{"role": "assistant", "content": [{"text": "x"}]}]}),
            "must start with a user message",
        ),
        (
            "amazon.nova-lite-v1:0",
            json!({"messages": [{"role": "user", "content": [{"text": "x"}]}], "system": []}),
            "minimum item count",
        ),
        (
            "amazon.nova-lite-v1:0",
            json!({"messages": [{"role": "user", "content": [{"text": "x"}]}], "inferenceConfig": {"reasoningConfig": {"type": "enabled"}}}),
            "reasoningConfig",
        ),
        (
            "anthropic.claude-instant-v1",
            json!({"prompt": "Hello", "max_tokens_to_sample": 10}),
            "must start with",
        ),
        (
            "anthropic.claude-instant-v1",
            json!({"prompt": "\n\nHuman: Hello"}),
            "required key [max_tokens_to_sample]",
        ),
        (
            "anthropic.claude-instant-v1",
            json!({"prompt": "\n\nHuman: Hello", "max_tokens_to_sample": 10}),
            "must end with",
        ),
        (
            "cohere.command-r-v1:0",
            json!({"message": "x", "chat_history": [{"role": "BOT", "message": "y"}]}),
            "not a valid enum value",
        ),
        (
            "cohere.command-text-v14",
            json!({"prompt": "x", "temperature": 6}),
            "not less or equal to 5",
        ),
        (
            "ai21.jamba-1-5-mini-v1:0",
            json!({"messages": [{"role": "user", "content": "x"}], "temperature": 2.5}),
            "not less or equal to 2",
        ),
        (
            "openai.gpt-oss-20b-1:0",
            json!({"messages": [{"role": "user", "content": "x"}], "stream": true}),
            "stream must be false",
        ),
        (
            "openai.gpt-oss-20b-1:0",
            json!({"messages": [{"role": "user", "content": "x"}], "model": "openai.gpt-oss-120b-1:0"}),
            "does not match",
        ),
        (
            "us.deepseek.r1-v1:0",
            json!({"prompt": "x", "max_tokens": 40000}),
            "not less or equal",
        ),
        (
            "deepseek.r1-v1:0",
            json!({"prompt": "x"}),
            "on-demand throughput",
        ),
        (
            "amazon.titan-embed-text-v1",
            json!({"inputText": "x", "dimensions": 256}),
            "extraneous key [dimensions]",
        ),
        (
            "amazon.titan-embed-text-v2:0",
            json!({"inputText": "x", "dimensions": 300}),
            "not a valid enum value",
        ),
        (
            "cohere.embed-english-v3",
            json!({"texts": ["x"]}),
            "required key [input_type]",
        ),
        (
            "amazon.titan-image-generator-v1",
            json!({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "x"}, "imageGenerationConfig": {"width": 1000}}),
            "divisible by 16",
        ),
        (
            "stability.stable-diffusion-xl-v1",
            json!({"text_prompts": []}),
            "non-empty",
        ),
        (
            "stability.stable-image-core-v1:1",
            json!({"prompt": "x", "aspect_ratio": "7:3"}),
            "not a valid enum value",
        ),
    ];
    for (model, body, expected) in cases {
        let err = client
            .invoke(model, body.to_string().into(), &InvokeOptions::default())
            .await
            .expect_err(model);
        let text = err.to_string();
        assert!(
            text.contains("ValidationException") || err.name() == "ValidationException",
            "{model}: {text}"
        );
        assert!(text.contains(expected), "{model}: {body}: {text}");
    }
}
