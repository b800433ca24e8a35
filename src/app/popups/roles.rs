//! The role picker: the roles in `roles/` beside the config file (fuzzy filter over names and
//! descriptions), and a role put in use: its prompt becomes the system prompt, its model and
//! parameters apply from the next turn. "No role" clears the prompt.

use crate::app::Effect;
use crate::app::popups::picker::Fuzzy;
use crate::app::popups::{Popup, Reply};
use crate::app::state::{Overlay, Speaker, State};
use crate::config::roles::RoleDef;
use crate::keymap::{Action, Context};
use crossterm::event::KeyEvent;

/// The role picker popup.
#[derive(Debug, Clone, Default)]
pub struct RolePicker {
    /// Every role, by name (`None` while they are read).
    pub roles: Option<Vec<RoleDef>>,
    /// What the user typed.
    pub filter: String,
    /// Rows that match: `None` is the "no role" row, else an index into `roles`.
    pub matches: Vec<Option<usize>>,
    /// Index into `matches`.
    pub selected: usize,
    /// The directory the roles come from, for the empty list's hint.
    pub dir: Option<String>,
}

impl RolePicker {
    fn refilter(&mut self) {
        let mut fuzzy = Fuzzy::new(&self.filter);
        let roles = self.roles.as_deref().unwrap_or_default();
        let mut scored: Vec<(u32, usize)> = roles
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                fuzzy
                    .score(&format!("{} {}", r.name, r.description))
                    .map(|s| (s, i))
            })
            .collect();
        scored.sort_by_key(|(score, i)| (std::cmp::Reverse(*score), *i));
        self.matches = Vec::with_capacity(scored.len() + 1);
        if self.filter.is_empty() {
            self.matches.push(None);
        }
        self.matches
            .extend(scored.into_iter().map(|(_, i)| Some(i)));
        self.selected = self.selected.min(self.matches.len().saturating_sub(1));
    }

    /// The role of a row (`None`: no role).
    pub fn role_at(&self, row: usize) -> Option<&RoleDef> {
        let index = (*self.matches.get(row)?)?;
        self.roles.as_ref()?.get(index)
    }
}

/// Opens the picker and asks for the roles.
pub(crate) fn open(state: &mut State) -> Vec<Effect> {
    state.screen.overlay = Overlay::Roles(RolePicker::default());
    vec![Effect::ListRoles]
}

/// The roles arrived (with what could not be read).
pub(crate) fn on_listed(
    state: &mut State,
    roles: Vec<RoleDef>,
    warnings: Vec<String>,
    dir: Option<String>,
) {
    for warning in warnings {
        state.push(Speaker::Notice, warning);
    }
    if let Overlay::Roles(picker) = &mut state.screen.overlay {
        picker.roles = Some(roles);
        picker.dir = dir;
        picker.refilter();
        // The role in use is selected.
        if let Some(current) = &state.chat.role {
            let at = (0..picker.matches.len())
                .find(|&row| picker.role_at(row).is_some_and(|r| &r.name == current));
            picker.selected = at.unwrap_or(0);
        }
    }
}

/// Puts `role` in use (or none): the system prompt for the next turns, and its model and
/// parameters when it sets them.
pub(crate) fn apply(state: &mut State, role: Option<&RoleDef>) -> Vec<Effect> {
    let Some(role) = role else {
        let had = state.chat.role.take().is_some() || state.chat.system.is_some();
        state.chat.system = None;
        if had {
            state.push(
                Speaker::Notice,
                "No role: the next turns go without a system prompt.",
            );
        }
        return Vec::new();
    };
    state.chat.system = Some(role.prompt.clone());
    state.chat.role = Some(role.name.clone());
    let defaults = crate::exchange::Defaults {
        params: state.chat.params.clone(),
        ..crate::exchange::Defaults::default()
    }
    .with_role(role);
    state.chat.params = defaults.params(&crate::models::Parameters::default());
    let mut note = format!(
        "Role {}: its prompt is the system prompt of the next turns",
        crate::text::sanitize_for_terminal(&role.name)
    );
    if let Some(api) = role.api.filter(|api| *api != state.chat.api) {
        state.chat.api = api;
        note.push_str(&format!("; they go through {}", api_name(api)));
    }
    let mut effects = Vec::new();
    if let Some(model) = role.model.clone().filter(|m| *m != state.chat.model) {
        note.push_str("; it asks for another model");
        state.push(Speaker::Notice, format!("{note}."));
        effects = crate::app::turns::switch_model(state, model);
    } else {
        state.push(Speaker::Notice, format!("{note}."));
    }
    effects
}

impl Popup for RolePicker {
    fn context(&self) -> Context {
        Context::Picker
    }

    fn on_action(&mut self, state: &mut State, action: Action) -> Reply {
        match action {
            Action::Close => return Reply::close(),
            Action::Confirm if self.roles.is_some() && !self.matches.is_empty() => {
                let role = self.role_at(self.selected).cloned();
                let effects = apply(state, role.as_ref());
                return Reply::close().with(effects);
            }
            Action::SelectPrevious => self.selected = self.selected.saturating_sub(1),
            Action::SelectNext => {
                self.selected = (self.selected + 1).min(self.matches.len().saturating_sub(1));
            }
            _ => {}
        }
        Reply::stay()
    }

    fn on_key(&mut self, _state: &mut State, key: &KeyEvent) -> Reply {
        if super::edit_field(&mut self.filter, key) {
            self.selected = 0;
            self.refilter();
        }
        Reply::stay()
    }

    fn on_paste(&mut self, _state: &mut State, text: &str) -> Reply {
        self.filter
            .push_str(text.lines().next().unwrap_or_default());
        self.refilter();
        Reply::stay()
    }

    fn on_scroll(&mut self, _state: &mut State, delta: isize) {
        self.selected = self
            .selected
            .saturating_add_signed(delta.signum())
            .min(self.matches.len().saturating_sub(1));
    }
}

/// An API in words: `InvokeModel`, `Converse`.
pub(crate) fn api_name(api: crate::bedrock::Api) -> &'static str {
    match api {
        crate::bedrock::Api::Invoke => "InvokeModel",
        crate::bedrock::Api::Converse => "Converse",
    }
}
