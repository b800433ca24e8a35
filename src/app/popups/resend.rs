//! Editing a request and sending it again: from the inspector, the body of an answer's request
//! opens in a JSON editor beside the per-request settings (accept, content type, streaming,
//! trace, guardrail, latency, service tier). The JSON and the settings are checked before
//! anything is sent; the answer appears in the transcript as an edited request, outside the
//! conversation, and its exchange can be inspected like any other.

use crate::app::popups::{Popup, Reply};
use crate::app::state::{Message, State, new_editor};
use crate::app::{Effect, RequestSpec};
use crate::bedrock::InvokeOptions;
use crate::exchange::{Content, Intent};
use crate::keymap::{Action, Context};
use crate::models::FamilyId;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;

/// The settings beside the body, in form order.
pub(crate) const FIELDS: &[&str] = &[
    "Accept",
    "Content-Type",
    "Streaming",
    "Trace",
    "Guardrail id",
    "Guardrail version",
    "Latency",
    "Service tier",
];

/// The form.
#[derive(Debug, Clone)]
pub struct ResendForm {
    /// Where it goes.
    pub model: String,
    /// The request format named on the command line, if any.
    pub family: Option<FamilyId>,
    /// The request format a lookup of the model found, if any.
    pub looked_up: Option<FamilyId>,
    /// The body being edited.
    pub body: TextArea<'static>,
    /// The settings, as typed, in `FIELDS` order (`Streaming` is `on` or `off`).
    pub values: Vec<String>,
    /// 0: the body; 1..: the settings.
    pub focus: usize,
    /// Why the last send was refused.
    pub error: Option<String>,
}

impl ResendForm {
    /// The field with the focus, when it is a setting.
    pub(crate) fn field_mut(&mut self) -> Option<&mut String> {
        self.focus
            .checked_sub(1)
            .and_then(|index| self.values.get_mut(index))
    }
}

/// The form for the request of the answer `message` (shown in the inspector).
pub(crate) fn form_for(state: &State, message: u64) -> Result<ResendForm, String> {
    let Some(answer) = state.chat.messages.iter().find(|m| m.id == message) else {
        return Err("that answer is gone".to_string());
    };
    let Some(request) = answer
        .exchange
        .as_ref()
        .and_then(|e| e.requests.last())
        .cloned()
    else {
        return Err("this answer has no request to edit".to_string());
    };
    let model = answer
        .model
        .clone()
        .unwrap_or_else(|| state.chat.model.clone());
    let family = state.given_family(&model);
    let looked_up = state.found_family(&model);
    let header = |name: &str| {
        request
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let stream = request.url.ends_with("/invoke-with-response-stream");
    let accept = if stream {
        header("x-amzn-bedrock-accept")
    } else {
        header("accept")
    };
    let mut body = new_editor();
    body.insert_str(crate::inspect::body_text(&request.body));
    body.move_cursor(ratatui_textarea::CursorMove::Jump(0, 0));
    Ok(ResendForm {
        model,
        family,
        looked_up,
        body,
        values: vec![
            accept,
            header("content-type"),
            if stream { "on" } else { "off" }.to_string(),
            header("x-amzn-bedrock-trace"),
            header("x-amzn-bedrock-guardrailidentifier"),
            header("x-amzn-bedrock-guardrailversion"),
            header("x-amzn-bedrock-performanceconfig-latency"),
            header("x-amzn-bedrock-service-tier"),
        ],
        focus: 0,
        error: None,
    })
}

impl Popup for ResendForm {
    fn context(&self) -> Context {
        Context::Resend
    }

    fn on_action(&mut self, state: &mut State, action: Action) -> Reply {
        let count = FIELDS.len() + 1;
        match action {
            Action::Close => return Reply::close(),
            Action::SelectNext => self.focus = (self.focus + 1) % count,
            Action::SelectPrevious => self.focus = (self.focus + count - 1) % count,
            Action::Send => return self.send(state),
            _ => {}
        }
        Reply::stay()
    }

    /// A key no binding claims: it edits the body or the focused setting (`Streaming`
    /// toggles).
    fn on_key(&mut self, _state: &mut State, key: &KeyEvent) -> Reply {
        self.error = None;
        if self.focus == 0 {
            self.body.input(*key);
            return Reply::stay();
        }
        let streaming = self.focus == 3;
        let Some(field) = self.field_mut() else {
            return Reply::stay();
        };
        if streaming {
            if matches!(key.code, KeyCode::Char(' ') | KeyCode::Enter) {
                *field = if field == "on" { "off" } else { "on" }.to_string();
            }
            return Reply::stay();
        }
        super::edit_field(field, key);
        Reply::stay()
    }

    fn on_paste(&mut self, _state: &mut State, text: &str) -> Reply {
        match self.field_mut() {
            Some(field) => field.push_str(text.lines().next().unwrap_or_default()),
            None => {
                self.body.insert_str(text);
            }
        }
        Reply::stay()
    }
}

impl ResendForm {
    /// Checks the JSON and the settings, then sends; the answer is shown outside the
    /// conversation.
    fn send(&mut self, state: &mut State) -> Reply {
        if state.refuse_while_streaming() {
            return Reply::stay();
        }
        let text = self.body.lines().join("\n");
        let body = match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(value) => value.to_string(),
            Err(e) => {
                self.error = Some(format!(
                    "the body is not JSON: {}",
                    crate::parse_error::ParseError::json(&e)
                ));
                self.focus = 0;
                return Reply::stay();
            }
        };
        let value = |index: usize| {
            self.values
                .get(index)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let options = InvokeOptions {
            accept: value(0),
            content_type: value(1),
            trace: value(3),
            guardrail_identifier: value(4),
            guardrail_version: value(5),
            performance_latency: value(6),
            service_tier: value(7),
        };
        let intent = Intent {
            model: self.model.clone(),
            family: self.family,
            looked_up: self.looked_up,
            content: Content::Verbatim(bytes::Bytes::from(body)),
            options,
            stream: value(2).as_deref() == Some("on"),
            text_only: false,
            prompt_cache: false,
            api: state.chat.api,
            region: state.connected_region(),
        };
        let prepared = match crate::exchange::prepare(&intent) {
            Ok(prepared) => prepared,
            Err(refusal) => {
                self.error = Some(refusal.to_string());
                return Reply::stay();
            }
        };
        let request_id = state.new_request_id();
        let mut answer = Message::answer(&prepared.model);
        answer.detached = true;
        let o = &prepared.options;
        answer.notes = vec![format!(
            "edited request: {} · accept {} · content type {}",
            if prepared.stream { "stream" } else { "invoke" },
            o.accept.as_deref().unwrap_or("application/json"),
            o.content_type.as_deref().unwrap_or("application/json")
        )];
        answer
            .notes
            .extend(crate::models::note::texts(&prepared.notes));
        state.start_answer(answer, request_id);
        Reply::close().with(vec![Effect::Send(Box::new(RequestSpec {
            request_id,
            prepared,
        }))])
    }
}
