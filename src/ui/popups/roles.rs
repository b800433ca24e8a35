//! The role picker: the filter, "no role", then one row per role (name and description).

use super::{centered, frame, put};
use crate::app::popups::roles::RolePicker;
use crate::app::state::State;
use crate::config::theme::Role;
use crate::text::sanitize_for_terminal;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

/// Draws the role picker.
pub fn roles(state: &State, picker: &RolePicker, area: Rect, buf: &mut Buffer) {
    let theme = &state.settings.theme;
    let rect = centered(
        area,
        area.width.saturating_sub(4).clamp(20, 100),
        area.height.saturating_sub(2).min(20),
    );
    let count = match &picker.roles {
        Some(roles) => format!("{} roles", roles.len()),
        None => "loading…".to_string(),
    };
    let inner = frame(state, rect, &format!("roles · {count}"), buf);
    if inner.height == 0 {
        return;
    }
    put(buf, inner, 0, &super::filter_line(state, &picker.filter));
    let rows = inner.height.saturating_sub(2) as usize;
    let name_width = picker
        .roles
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|r| r.name.width())
        .max()
        .unwrap_or(0)
        .clamp(8, 24);
    let first = picker.selected.saturating_sub(rows.saturating_sub(1));
    for row in (first..picker.matches.len()).take(rows) {
        let (name, about) = match picker.role_at(row) {
            Some(role) => (
                sanitize_for_terminal(&role.name).into_owned(),
                sanitize_for_terminal(&role.description).into_owned(),
            ),
            None => ("(no role)".to_string(), "no system prompt".to_string()),
        };
        let current = match picker.role_at(row) {
            Some(role) => state.chat.role.as_deref() == Some(role.name.as_str()),
            None => state.chat.role.is_none() && state.chat.system.is_none(),
        };
        let mark = if current { "●" } else { " " };
        // Padded by display width; the row is cut at the popup's edge.
        let pad = " ".repeat(name_width.saturating_sub(name.width()));
        let text = format!("{mark} {name}{pad}  {about}");
        let style = if row == picker.selected {
            theme.style(Role::Selection)
        } else {
            theme.style(Role::Text)
        };
        put(
            buf,
            inner,
            1 + (row - first) as u16,
            &Line::from(Span::styled(text, style)),
        );
    }
    let footer = match (&picker.roles, &picker.dir) {
        (Some(roles), Some(dir)) if roles.is_empty() => format!(
            "No roles yet: put NAME.md (a prompt) or NAME.toml (prompt, model, [parameters]) in {}",
            sanitize_for_terminal(dir)
        ),
        (Some(_), _) => {
            "Enter uses the role for the next turns · ● in use · Esc closes".to_string()
        }
        (None, _) => String::new(),
    };
    put(
        buf,
        inner,
        inner.height - 1,
        &Line::from(Span::styled(footer, theme.style(Role::Muted))),
    );
}
