//! The emulator's prompt-template families: Meta Llama 2, 3 and 4 (`prompt` → `generation`),
//! Mistral text completion (`<s>[INST] … [/INST]` → `outputs`) and DeepSeek-R1 (its template →
//! `choices[].text`, reasoning first, closed by `</think>`).
//!
//! Bedrock accepts a prompt without its template (the model then answers poorly); so does the
//! emulator, unless it runs with strict templates, which the tests use to prove the client
//! renders every template.

use super::corpus::estimate_tokens;
use super::family::{Answer, EmulatedFamily, Prompt, Request, Stop, metrics_json, to_bytes};
use super::media::{self, Received};
use super::validate::{integer_in, number_in, object, required_str, string_list};
use bedrock_tui_models::attachments::Kind;
use bedrock_tui_models::catalog::ModelInfo;
use bedrock_tui_models::deepseek::{ASSISTANT as DS_ASSISTANT, USER as DS_USER};
use serde_json::{Value, json};

/// Which template a family's prompt follows.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Template {
    /// Llama 2 `[INST]`.
    Llama2,
    /// Llama 3 header ids.
    Llama3,
    /// Llama 4 headers.
    Llama4,
    /// Mistral `[INST]`.
    Mistral,
    /// DeepSeek `<｜User｜>`.
    DeepSeek,
}

impl Template {
    fn name(self) -> &'static str {
        match self {
            Template::Llama2 => "Llama 2",
            Template::Llama3 => "Llama 3",
            Template::Llama4 => "Llama 4",
            Template::Mistral => "Mistral",
            Template::DeepSeek => "DeepSeek-R1",
        }
    }

    /// The last user message of a templated prompt, or why the prompt is not templated.
    fn last_user_text(self, prompt: &str) -> Result<String, String> {
        let (open, close, ending): (&str, &str, &str) = match self {
            Template::Llama2 | Template::Mistral => ("[INST]", "[/INST]", "[/INST]"),
            Template::Llama3 => (
                "<|start_header_id|>user<|end_header_id|>\n\n",
                "<|eot_id|>",
                "<|start_header_id|>assistant<|end_header_id|>\n\n",
            ),
            Template::Llama4 => (
                "<|header_start|>user<|header_end|>\n\n",
                "<|eot|>",
                "<|header_start|>assistant<|header_end|>\n\n",
            ),
            Template::DeepSeek => (DS_USER, DS_ASSISTANT, "<think>\n"),
        };
        let begin = match self {
            Template::Llama3 | Template::Llama4 => Some("<|begin_of_text|>"),
            Template::DeepSeek => Some("<\u{ff5c}begin\u{2581}of\u{2581}sentence\u{ff5c}>"),
            Template::Mistral | Template::Llama2 => Some("<s>"),
        };
        if let Some(begin) = begin
            && !prompt.starts_with(begin)
        {
            return Err(format!("it must begin with {begin:?}"));
        }
        if !prompt.ends_with(ending) {
            return Err(format!("it must end with {ending:?}"));
        }
        let start = prompt
            .rfind(open)
            .ok_or_else(|| format!("it has no user turn ({open:?})"))?
            + open.len();
        let end = prompt[start..]
            .find(close)
            .map(|at| start + at)
            .ok_or_else(|| format!("the last user turn is not closed by {close:?}"))?;
        let text = &prompt[start..end];
        // Llama 2 keeps the system prompt inside the first [INST].
        let text = match text.find("<</SYS>>") {
            Some(at) => &text[at + "<</SYS>>".len()..],
            None => text,
        };
        Ok(text.trim().to_string())
    }
}

/// One prompt-template family.
pub(crate) struct Templated {
    template: Template,
}

impl Templated {
    /// Llama 2.
    pub(crate) const LLAMA2: Templated = Templated {
        template: Template::Llama2,
    };
    /// Llama 3.x.
    pub(crate) const LLAMA3: Templated = Templated {
        template: Template::Llama3,
    };
    /// Llama 4.
    pub(crate) const LLAMA4: Templated = Templated {
        template: Template::Llama4,
    };
    /// Mistral text completion.
    pub(crate) const MISTRAL: Templated = Templated {
        template: Template::Mistral,
    };
    /// DeepSeek-R1.
    pub(crate) const DEEPSEEK: Templated = Templated {
        template: Template::DeepSeek,
    };
}

fn simple_reason(stop: &Stop) -> &'static str {
    match stop {
        Stop::MaxTokens => "length",
        _ => "stop",
    }
}

impl EmulatedFamily for Templated {
    fn parse_request(&self, request: &Request<'_>) -> Result<Prompt, String> {
        let limit = u64::from(request.model.max_output_tokens);
        let (keys, max_key, default_max): (&[&str], &str, u64) = match self.template {
            Template::Llama2 | Template::Llama3 | Template::Llama4 => (
                &["prompt", "temperature", "top_p", "max_gen_len", "images"],
                "max_gen_len",
                512,
            ),
            Template::Mistral => (
                &[
                    "prompt",
                    "max_tokens",
                    "stop",
                    "temperature",
                    "top_p",
                    "top_k",
                ],
                "max_tokens",
                512,
            ),
            Template::DeepSeek => (
                &["prompt", "temperature", "top_p", "max_tokens", "stop"],
                "max_tokens",
                8192,
            ),
        };
        let object = object(request.body, keys)?;
        let prompt = required_str(object, "#", "prompt")?;
        let mut received = Received::default();
        let images = string_list(object, "#", "images", 5)?;
        for (i, image) in images.iter().enumerate() {
            let at = format!("#/images/{i}");
            let bytes = media::decode(image)
                .ok_or_else(|| format!("{at}: the image is not valid base64"))?;
            let declared = bedrock_tui_models::attachments::detect("", &bytes)
                .map_or("unknown", bedrock_tui_models::attachments::Media::mime);
            received.take(request.model, &at, Kind::Image, declared, &bytes)?;
        }
        let tags = prompt.matches("<|image|>").count();
        if tags != images.len() {
            return Err(format!(
                "The prompt has {tags} <|image|> tags for {} images; each image needs one.",
                images.len()
            ));
        }
        let max_images = if matches!(self.template, Template::Llama4) {
            5
        } else {
            1
        };
        received.within(Some(max_images), 0)?;
        number_in(object, "#", "temperature", 0.0, 1.0)?;
        number_in(object, "#", "top_p", 0.0, 1.0)?;
        if matches!(self.template, Template::Mistral) {
            integer_in(object, "#", "top_k", 0, 200)?;
        }
        let max_tokens =
            integer_in(object, "#", max_key, 1, limit)?.unwrap_or(default_max.min(limit));
        let stop_sequences = string_list(object, "#", "stop", 10)?;
        let tool_use = if matches!(self.template, Template::Llama3) {
            super::tool_use::llama::read(prompt)
        } else {
            super::tool_use::ToolUse::default()
        };
        let last_user_text = match self.template.last_user_text(prompt) {
            Ok(text) => super::tool_use::llama::question(&text),
            Err(why) if request.strict_templates => {
                return Err(format!(
                    "The prompt does not follow the {} chat template: {why} (strict templates).",
                    self.template.name()
                ));
            }
            Err(_) => prompt.trim().to_string(),
        };
        Ok(Prompt {
            last_user_text,
            input_tokens: estimate_tokens(prompt),
            max_tokens: max_tokens as u32,
            stop_sequences,
            reasoning: matches!(self.template, Template::DeepSeek),
            options: json!({"reasoning_in_output": matches!(self.template, Template::DeepSeek)}),
            received,
            cache: super::cache::CacheUse::default(),
            tool_use,
        })
    }

    fn response_body(
        &self,
        _model: &ModelInfo,
        _prompt: &Prompt,
        answer: &Answer,
        _id: &str,
    ) -> Vec<u8> {
        let reason = simple_reason(&answer.stop);
        to_bytes(&match self.template {
            Template::Llama2 | Template::Llama3 | Template::Llama4 => json!({
                "generation": super::tool_use::llama::generation(answer)
                    .map_or_else(|| answer.text(), |t| t.concat()),
                "prompt_token_count": answer.input_tokens,
                "generation_token_count": answer.output_tokens(), "stop_reason": reason}),
            Template::Mistral => {
                json!({"outputs": [{"text": format!(" {}", answer.text()), "stop_reason": reason}]})
            }
            Template::DeepSeek => {
                json!({"choices": [{"text": deepseek_text(answer), "stop_reason": reason}]})
            }
        })
    }

    fn stream_chunks(
        &self,
        _model: &ModelInfo,
        _prompt: &Prompt,
        answer: &Answer,
        _id: &str,
    ) -> Vec<Vec<u8>> {
        let reason = simple_reason(&answer.stop);
        let metrics = metrics_json(answer);
        let mut chunks = Vec::with_capacity(answer.tokens.len() + answer.reasoning.len() + 2);
        match self.template {
            Template::Llama2 | Template::Llama3 | Template::Llama4 => {
                let tokens = super::tool_use::llama::generation(answer)
                    .unwrap_or_else(|| answer.tokens.clone());
                for (i, token) in tokens.iter().enumerate() {
                    let prompt_count = if i == 0 {
                        json!(answer.input_tokens)
                    } else {
                        Value::Null
                    };
                    chunks.push(to_bytes(
                        &json!({"generation": token, "prompt_token_count": prompt_count,
                        "generation_token_count": i + 1, "stop_reason": null}),
                    ));
                }
                chunks.push(to_bytes(
                    &json!({"generation": "", "prompt_token_count": null,
                    "generation_token_count": answer.output_tokens(), "stop_reason": reason,
                    "amazon-bedrock-invocationMetrics": metrics}),
                ));
            }
            Template::Mistral => {
                for (i, token) in answer.tokens.iter().enumerate() {
                    let text = if i == 0 {
                        format!(" {token}")
                    } else {
                        token.clone()
                    };
                    chunks.push(to_bytes(
                        &json!({"outputs": [{"text": text, "stop_reason": null}]}),
                    ));
                }
                chunks.push(to_bytes(
                    &json!({"outputs": [{"text": "", "stop_reason": reason}],
                    "amazon-bedrock-invocationMetrics": metrics}),
                ));
            }
            Template::DeepSeek => {
                let pieces = answer
                    .reasoning
                    .iter()
                    .cloned()
                    .chain((!answer.reasoning_cut).then(|| "\n</think>\n\n".to_string()))
                    .chain(answer.tokens.iter().cloned());
                for piece in pieces {
                    chunks.push(to_bytes(
                        &json!({"choices": [{"text": piece, "stop_reason": null}]}),
                    ));
                }
                chunks.push(to_bytes(
                    &json!({"choices": [{"text": "", "stop_reason": reason}],
                    "amazon-bedrock-invocationMetrics": metrics}),
                ));
            }
        }
        chunks
    }
}

/// DeepSeek-R1's whole output: reasoning, `</think>`, answer.
fn deepseek_text(answer: &Answer) -> String {
    if answer.reasoning_cut {
        return answer.reasoning_text();
    }
    format!("{}\n</think>\n\n{}", answer.reasoning_text(), answer.text())
}
