//! Editing a request and sending it again: from the inspector, the body of an answer's request
//! opens in a JSON editor beside the per-request settings (accept, content type, streaming,
//! trace, guardrail, latency, service tier). The JSON and the settings are checked before
//! anything is sent; the answer appears in the transcript as an edited request, outside the
//! conversation, and its exchange can be inspected like any other.

use super::state::{Overlay, Speaker, State, new_editor};
use super::{Effect, RequestSpec};
use crate::bedrock::InvokeOptions;
use crate::keymap::Action;
use crate::models::FamilyId;
use ratatui_textarea::TextArea;

/// The settings beside the body, in form order.
pub const FIELDS: &[&str] = &[
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
    /// Its request format (for reading the answer).
    pub family: FamilyId,
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
    pub fn field_mut(&mut self) -> Option<&mut String> {
        self.focus
            .checked_sub(1)
            .and_then(|index| self.values.get_mut(index))
    }
}

/// Opens the form on the request of the answer shown in the inspector.
pub fn open(state: &mut State) {
    let Overlay::Inspector { message, .. } = state.overlay else {
        return;
    };
    let Some(answer) = state.messages.iter().find(|m| m.id == message) else {
        return;
    };
    let Some(request) = answer
        .exchange
        .as_ref()
        .and_then(|e| e.requests.last())
        .cloned()
    else {
        state.flash("this answer has no request to edit", true);
        return;
    };
    let model = answer.model.clone().unwrap_or_else(|| state.model.clone());
    let Some(family) = crate::models::family_of(&model).or(state.family_override) else {
        state.flash(format!("cannot tell the request format of {model:?}"), true);
        return;
    };
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
    body.set_placeholder_text("");
    body.insert_str(crate::inspect::body_text(&request.body));
    body.move_cursor(ratatui_textarea::CursorMove::Jump(0, 0));
    state.overlay = Overlay::Resend(Box::new(ResendForm {
        model,
        family,
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
    }));
}

/// An action pressed in the form.
pub fn perform(state: &mut State, action: Action) -> Vec<Effect> {
    let Overlay::Resend(form) = &mut state.overlay else {
        return Vec::new();
    };
    let count = FIELDS.len() + 1;
    match action {
        Action::Close => state.overlay = Overlay::None,
        Action::SelectNext => form.focus = (form.focus + 1) % count,
        Action::SelectPrevious => form.focus = (form.focus + count - 1) % count,
        Action::Send => return send(state),
        _ => {}
    }
    Vec::new()
}

/// A key no binding claims: it edits the body or the focused setting (`Streaming` toggles).
pub fn edit(state: &mut State, key: crossterm::event::KeyEvent) {
    use crossterm::event::{KeyCode, KeyModifiers};
    let Overlay::Resend(form) = &mut state.overlay else {
        return;
    };
    form.error = None;
    if form.focus == 0 {
        form.body.input(key);
        return;
    }
    let streaming = form.focus == 3;
    let Some(field) = form.field_mut() else {
        return;
    };
    if streaming {
        if matches!(key.code, KeyCode::Char(' ') | KeyCode::Enter) {
            *field = if field == "on" { "off" } else { "on" }.to_string();
        }
        return;
    }
    match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            field.push(c)
        }
        KeyCode::Backspace => {
            field.pop();
        }
        KeyCode::Char('u') if key.modifiers == KeyModifiers::CONTROL => field.clear(),
        _ => {}
    }
}

/// Checks the JSON and the settings, then sends.
fn send(state: &mut State) -> Vec<Effect> {
    if state.refuse_while_streaming() {
        return Vec::new();
    }
    let Overlay::Resend(form) = &mut state.overlay else {
        return Vec::new();
    };
    let text = form.body.lines().join("\n");
    let body = match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(value) => value.to_string(),
        Err(e) => {
            form.error = Some(format!(
                "the body is not JSON: line {}, column {}: {e}",
                e.line(),
                e.column()
            ));
            form.focus = 0;
            return Vec::new();
        }
    };
    let value = |index: usize| {
        form.values
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
    if let Err(e) = options.validate() {
        form.error = Some(e.to_string());
        return Vec::new();
    }
    let stream = value(2).as_deref() == Some("on");
    let model = form.model.clone();
    let family = form.family;
    state.overlay = Overlay::None;
    let request_id = state.new_request_id();
    let mut answer = state.new_message(Speaker::Assistant, "");
    answer.model = Some(model.clone());
    answer.detached = true;
    answer.notes = vec![format!(
        "edited request: {} · accept {} · content type {}",
        if stream { "stream" } else { "invoke" },
        options.accept.as_deref().unwrap_or("application/json"),
        options
            .content_type
            .as_deref()
            .unwrap_or("application/json")
    )];
    state.start_answer(answer, request_id);
    vec![Effect::Send(RequestSpec {
        request_id,
        model,
        family,
        body: bytes::Bytes::from(body),
        stream,
        options,
    })]
}
