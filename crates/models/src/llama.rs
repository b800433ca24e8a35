//! Meta Llama 2, 3.x and 4: the conversation rendered in the model's own chat template as
//! `prompt`, with `max_gen_len`; text in `generation`, whole and per chunk.

use super::turns::{
    ParamNames, alternating, alternating_with_tools, body_with, count_at, delta_with_metrics,
    history_and_last, parse, string_at, system,
};
use super::{
    ChunkDelta, Completion, Conversation, FamilyId, ModelError, ModelFamily, Parameters, Role,
    Usage,
};
use serde_json::{Value, json};

/// Which chat template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Template {
    /// `<s>[INST] <<SYS>>\n…\n<</SYS>>\n\n… [/INST]`.
    Llama2,
    /// `<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n…<|eot_id|>`.
    Llama3,
    /// `<|begin_of_text|><|header_start|>user<|header_end|>\n\n…<|eot|>`.
    Llama4,
}

/// The Llama adapter for one template.
#[derive(Debug, Clone, Copy)]
pub struct Llama {
    template: Template,
}

impl Llama {
    /// Llama 2 chat.
    pub(crate) const LLAMA2: Llama = Llama {
        template: Template::Llama2,
    };
    /// Llama 3, 3.1, 3.2, 3.3 instruct.
    pub(crate) const LLAMA3: Llama = Llama {
        template: Template::Llama3,
    };
    /// Llama 4 instruct.
    pub(crate) const LLAMA4: Llama = Llama {
        template: Template::Llama4,
    };
}

/// What Meta's JSON tool format puts before the first question, with the tools' definitions.
pub const TOOLS_PREAMBLE: &str = "Given the following functions, please respond with a JSON for a function call with its proper arguments that best answers the given prompt.\n\nRespond in the format {\"name\": function name, \"parameters\": dictionary of argument name and its value}. Do not use variables.";
/// What comes between the definitions and the question.
pub const TOOLS_QUESTION: &str = "Question: ";

/// Llama 3.1+ with tools, in Meta's JSON tool format: `Environment: ipython` in the system
/// message, the definitions before the first question, an answer's calls as JSON ending with
/// `<|eom_id|>`, and each result as an `ipython` message.
fn render_with_tools(conversation: &Conversation) -> Result<String, ModelError> {
    let turns = alternating_with_tools(conversation)?;
    if turns.last().map(|t| t.role) != Some(Role::User) {
        return Err(ModelError::Request(
            "the conversation must end with a user turn".to_string(),
        ));
    }
    let header = |role: &str| format!("<|start_header_id|>{role}<|end_header_id|>\n\n");
    let mut prompt = String::from("<|begin_of_text|>");
    let mut system_text = "Environment: ipython".to_string();
    if let Some(system) = system(conversation) {
        system_text.push_str("\n\n");
        system_text.push_str(system.trim());
    }
    prompt.push_str(&format!("{}{system_text}<|eot_id|>", header("system")));
    let definitions: Vec<String> = conversation
        .tools
        .iter()
        .map(|t| {
            let definition = json!({"type": "function", "function": {"name": t.name,
                "description": t.description, "parameters": t.input_schema}});
            serde_json::to_string_pretty(&definition).unwrap_or_default()
        })
        .collect();
    let mut first_question = !definitions.is_empty();
    for turn in &turns {
        match turn.role {
            Role::User => {
                for result in &turn.tool_results {
                    prompt.push_str(&format!(
                        "{}{}<|eot_id|>",
                        header("ipython"),
                        result.content.trim()
                    ));
                }
                if turn.text.trim().is_empty() && turn.attachments.is_empty() {
                    continue;
                }
                let tags = "<|image|>".repeat(turn.attachments.len());
                let mut text = turn.text.trim().to_string();
                if first_question {
                    text = format!(
                        "{TOOLS_PREAMBLE}\n\n{}\n\n{TOOLS_QUESTION}{text}",
                        definitions.join("\n\n")
                    );
                    first_question = false;
                }
                prompt.push_str(&format!("{}{tags}{text}<|eot_id|>", header("user")));
            }
            Role::Assistant => {
                let mut parts = Vec::new();
                if !turn.text.trim().is_empty() {
                    parts.push(turn.text.trim().to_string());
                }
                for call in &turn.tool_calls {
                    parts.push(
                        json!({"name": call.name, "parameters": call.arguments()}).to_string(),
                    );
                }
                let end = if turn.tool_calls.is_empty() {
                    "<|eot_id|>"
                } else {
                    "<|eom_id|>"
                };
                prompt.push_str(&format!("{}{}{end}", header("assistant"), parts.join("\n")));
            }
        }
    }
    prompt.push_str(&header("assistant"));
    Ok(prompt)
}

/// Renders a conversation in a Llama chat template, ending where the assistant's answer begins.
pub(crate) fn render_prompt(
    template: Template,
    conversation: &Conversation,
) -> Result<String, ModelError> {
    if template == Template::Llama3
        && (!conversation.tools.is_empty() || conversation.has_tool_turns())
    {
        return render_with_tools(conversation);
    }
    let (history, last) = history_and_last(conversation)?;
    let system = system(conversation).map(str::trim);
    let mut prompt = String::new();
    match template {
        Template::Llama2 => {
            // Meta's format: the system prompt sits inside the first [INST]; each answer is
            // closed by </s> and the next question opens a new <s>.
            let mut first = true;
            let mut user_turn = |prompt: &mut String, text: &str| {
                prompt.push_str("<s>[INST] ");
                if let (true, Some(system)) = (first, system) {
                    prompt.push_str(&format!("<<SYS>>\n{system}\n<</SYS>>\n\n"));
                }
                first = false;
                prompt.push_str(text.trim());
                prompt.push_str(" [/INST]");
            };
            for turn in &history {
                match turn.role {
                    Role::User => user_turn(&mut prompt, &turn.text),
                    Role::Assistant => {
                        prompt.push(' ');
                        prompt.push_str(turn.text.trim());
                        prompt.push_str(" </s>");
                    }
                }
            }
            user_turn(&mut prompt, &last);
        }
        Template::Llama3 | Template::Llama4 => {
            let (start, end, eot) = match template {
                Template::Llama3 => ("<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"),
                _ => ("<|header_start|>", "<|header_end|>", "<|eot|>"),
            };
            // An attached image is an `<|image|>` tag at the start of its message, in the
            // order of the body's `images`.
            let images: Vec<usize> = alternating(conversation)?
                .iter()
                .map(|t| t.attachments.len())
                .collect();
            prompt.push_str("<|begin_of_text|>");
            let mut message = |role: &str, text: &str, images: usize| {
                let tags = "<|image|>".repeat(images);
                prompt.push_str(&format!("{start}{role}{end}\n\n{tags}{}{eot}", text.trim()));
            };
            if let Some(system) = system {
                message("system", system, 0);
            }
            for (at, turn) in history.iter().enumerate() {
                let role = match turn.role {
                    Role::User => "user",
                    Role::Assistant => "assistant",
                };
                message(role, &turn.text, images.get(at).copied().unwrap_or(0));
            }
            message("user", &last, images.last().copied().unwrap_or(0));
            prompt.push_str(&format!("{start}assistant{end}\n\n"));
        }
    }
    Ok(prompt)
}

impl ModelFamily for Llama {
    fn id(&self) -> FamilyId {
        match self.template {
            Template::Llama2 => FamilyId::Llama2,
            Template::Llama3 => FamilyId::Llama3,
            Template::Llama4 => FamilyId::Llama4,
        }
    }

    fn build_body(
        &self,
        conversation: &Conversation,
        params: &Parameters,
        _streaming: bool,
    ) -> Result<Value, ModelError> {
        let mut body = body_with(
            "prompt",
            json!(render_prompt(self.template, conversation)?),
            params,
            ParamNames {
                max_tokens: Some("max_gen_len"),
                temperature: Some("temperature"),
                top_p: Some("top_p"),
                top_k: None,
                stop: None,
            },
        );
        let images: Vec<String> = alternating(conversation)?
            .iter()
            .flat_map(|t| {
                t.attachments
                    .iter()
                    .map(crate::attachments::Attachment::base64)
            })
            .collect();
        if !images.is_empty() && self.template != Template::Llama2 {
            body["images"] = json!(images);
        }
        Ok(body)
    }

    fn parse_response(&self, body: &[u8]) -> Result<Completion, ModelError> {
        let value = parse(body)?;
        let text = string_at(&value, "/generation")
            .ok_or_else(|| ModelError::Response("no `generation` in the Llama response".into()))?;
        Ok(Completion {
            text,
            stop_reason: string_at(&value, "/stop_reason"),
            usage: Usage {
                input_tokens: count_at(&value, "/prompt_token_count"),
                output_tokens: count_at(&value, "/generation_token_count"),
                ..Usage::default()
            },
            ..Completion::default()
        })
    }

    fn parse_chunk(&self, chunk: &[u8]) -> Result<ChunkDelta, ModelError> {
        let value = parse(chunk)?;
        let mut delta = delta_with_metrics(&value);
        delta.text = string_at(&value, "/generation").unwrap_or_default();
        delta.stop_reason = string_at(&value, "/stop_reason");
        delta.usage.input_tokens = count_at(&value, "/prompt_token_count");
        Ok(delta)
    }
}
