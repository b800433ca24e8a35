//! The parameters form: system prompt, max tokens, temperature, top_p, top_k, stop sequences
//! and reasoning budget as text fields, parsed and checked against the model's capabilities
//! before they are applied; and the request's guardrail, latency and service tier.

use crate::app::popups::{Popup, Reply};
use crate::app::state::State;
use crate::keymap::{Action, Context};
use crate::models::{FamilyId, Parameters, capabilities, catalog};
use crossterm::event::KeyEvent;

/// The fields, in display order.
pub(crate) const FIELDS: &[&str] = &[
    "System prompt",
    "Max tokens",
    "Temperature",
    "Top P",
    "Top K",
    "Stop sequences",
    "Thinking budget",
    "Guardrail id",
    "Guardrail version",
    "Latency",
    "Service tier",
];

/// Where the request options start in [`FIELDS`].
const OPTIONS_AT: usize = 7;

/// The form's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamsForm {
    /// One text value per field of [`FIELDS`].
    pub values: Vec<String>,
    /// The field being edited.
    pub selected: usize,
    /// Why the last Confirm was refused.
    pub error: Option<String>,
}

fn show<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

impl ParamsForm {
    /// A form showing the current values.
    pub fn new(
        system: Option<&str>,
        params: &Parameters,
        options: &crate::bedrock::InvokeOptions,
    ) -> ParamsForm {
        ParamsForm {
            values: vec![
                system.unwrap_or_default().to_string(),
                show(params.max_tokens),
                show(params.temperature),
                show(params.top_p),
                show(params.top_k),
                params.stop_sequences.join(", "),
                show(params.reasoning_budget),
                show(options.guardrail_identifier.as_deref()),
                show(options.guardrail_version.as_deref()),
                show(options.performance_latency.as_deref()),
                show(options.service_tier.as_deref()),
            ],
            selected: 0,
            error: None,
        }
    }

    /// The text of the selected field.
    pub(crate) fn field_mut(&mut self) -> Option<&mut String> {
        self.values.get_mut(self.selected)
    }

    /// Moves to the next (or previous) field, wrapping.
    pub(crate) fn move_field(&mut self, forward: bool) {
        let n = FIELDS.len();
        self.selected = if forward {
            (self.selected + 1) % n
        } else {
            (self.selected + n - 1) % n
        };
    }

    /// Parses the fields and checks them against `model`'s capabilities. Returns the system
    /// prompt, the parameters, and the notes of what the model will not take.
    pub fn parse(
        &self,
        model: &str,
        family: Option<FamilyId>,
    ) -> Result<(Option<String>, Parameters, Vec<String>), String> {
        fn number<T: std::str::FromStr>(label: &str, text: &str) -> Result<Option<T>, String> {
            if text.is_empty() {
                return Ok(None);
            }
            text.parse()
                .map(Some)
                .map_err(|_| format!("{label}: {text:?} is not a valid number"))
        }
        let value = |i: usize| self.values.get(i).map(|v| v.trim()).unwrap_or_default();
        let system = Some(value(0).to_string()).filter(|s| !s.is_empty());
        let params = Parameters {
            max_tokens: number(FIELDS[1], value(1))?,
            temperature: number(FIELDS[2], value(2))?,
            top_p: number(FIELDS[3], value(3))?,
            top_k: number(FIELDS[4], value(4))?,
            stop_sequences: value(5)
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            reasoning_budget: number(FIELDS[6], value(6))?,
        };
        let notes = match family {
            Some(family) => {
                let mut checked = params.clone();
                capabilities::apply(
                    catalog::entry_for(model, family),
                    family,
                    &mut checked,
                    true,
                )
                .map_err(|e| e.to_string())?
                .notes
            }
            None => Vec::new(),
        };
        Ok((system, params, crate::models::note::texts(&notes)))
    }

    /// The request options of the form over `current` (accept and content type stay); a
    /// guardrail turns trace on, as its policies are shown from the trace.
    pub fn parse_options(
        &self,
        current: &crate::bedrock::InvokeOptions,
    ) -> Result<crate::bedrock::InvokeOptions, String> {
        let value = |i: usize| {
            self.values
                .get(OPTIONS_AT + i)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let guardrail = value(0);
        let trace = match (&guardrail, &current.trace) {
            (Some(_), None) => Some("ENABLED".to_string()),
            (None, Some(t)) if current.guardrail_identifier.is_some() && t == "ENABLED" => None,
            (_, trace) => trace.clone(),
        };
        let options = crate::bedrock::InvokeOptions {
            guardrail_identifier: guardrail,
            guardrail_version: value(1),
            performance_latency: value(2),
            service_tier: value(3),
            trace,
            ..current.clone()
        };
        options.validate().map_err(|e| e.to_string())?;
        Ok(options)
    }
}

impl Popup for ParamsForm {
    fn context(&self) -> Context {
        Context::Parameters
    }

    fn on_action(&mut self, state: &mut State, action: Action) -> Reply {
        match action {
            Action::Confirm => {
                match self
                    .parse(&state.chat.model, state.family())
                    .and_then(|parsed| {
                        Ok((parsed, self.parse_options(&state.settings.request_options)?))
                    }) {
                    Ok(((system, params, notes), options)) => {
                        state.settings.request_options = options;
                        // A system prompt edited away from the role's is no longer the role.
                        if system != state.chat.system {
                            state.chat.role = None;
                        }
                        state.chat.system = system;
                        state.chat.params = params;
                        let mut text = "parameters applied".to_string();
                        if !notes.is_empty() {
                            text = format!("{text}; {}", notes.join("; "));
                        }
                        state.flash(text, false);
                        return Reply::close();
                    }
                    Err(e) => self.error = Some(e),
                }
            }
            Action::Close => return Reply::close(),
            Action::SelectPrevious => self.move_field(false),
            Action::SelectNext => self.move_field(true),
            _ => {}
        }
        Reply::stay()
    }

    fn on_key(&mut self, _state: &mut State, key: &KeyEvent) -> Reply {
        if let Some(field) = self.field_mut() {
            super::edit_field(field, key);
        }
        Reply::stay()
    }

    fn on_paste(&mut self, _state: &mut State, text: &str) -> Reply {
        if let Some(field) = self.field_mut() {
            field.push_str(&text.replace('\n', " "));
        }
        Reply::stay()
    }
}

/// One line describing what a model accepts, for the form's footer.
pub(crate) fn capability_hint(model: &str) -> String {
    let Some(info) = catalog::lookup(model) else {
        return format!("{model}: not in the catalog; parameters are sent as given");
    };
    let p = &info.params;
    let mut takes = Vec::new();
    if p.temperature {
        takes.push(format!("temperature 0-{}", p.max_temperature));
    }
    if p.top_p {
        takes.push("top_p 0-1".to_string());
    }
    if p.top_k {
        takes.push("top_k".to_string());
    }
    if p.stop_sequences {
        takes.push("stop".to_string());
    }
    if info.reasoning {
        takes.push("thinking".to_string());
    }
    let mut hint = format!(
        "{}: max tokens up to {}; takes {}",
        info.name,
        info.max_output_tokens,
        takes.join(", ")
    );
    if p.temperature_xor_top_p {
        hint.push_str(" (temperature or top_p, not both)");
    }
    hint
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        let mut form = ParamsForm::new(
            Some("be brief"),
            &Parameters::default(),
            &crate::bedrock::InvokeOptions::default(),
        );
        form.values[1] = "512".into();
        form.values[2] = "0.5".into();
        form.values[5] = "END, STOP".into();
        let model = "amazon.nova-micro-v1:0";
        let (system, params, _) = form.parse(model, crate::models::family_of(model)).unwrap();
        assert_eq!(system.as_deref(), Some("be brief"));
        assert_eq!(params.max_tokens, Some(512));
        assert_eq!(params.stop_sequences, vec!["END", "STOP"]);
        form.values[2] = "warm".into();
        assert!(form.parse(model, None).unwrap_err().contains("Temperature"));
        form.values[2] = "0.5".into();
        form.values[3] = "2".into();
        let err = form
            .parse(model, crate::models::family_of(model))
            .unwrap_err();
        assert!(err.contains("top_p"), "{err}");
    }
}
