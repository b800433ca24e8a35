//! The parameters form: one field per parameter, the model's limits, the error of the last
//! apply.

use super::{centered, frame, put};
use crate::app::popups::parameters::{FIELDS, ParamsForm, capability_hint};
use crate::app::state::State;
use crate::config::theme::Role;
use crate::text::sanitize_for_terminal;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The parameters form.
pub fn parameters(state: &State, form: &ParamsForm, area: Rect, buf: &mut Buffer) {
    let theme = &state.settings.theme;
    let hint = capability_hint(&state.chat.model);
    let keys =
        "↑↓/Tab field · empty = model default · stops comma-separated · Enter apply · Esc cancel";
    // As wide as the hint and the keys need (at least 76), as the screen allows; a hint wider
    // than that is wrapped onto a second row.
    let needed = unicode_width::UnicodeWidthStr::width(hint.as_str())
        .max(unicode_width::UnicodeWidthStr::width(keys))
        .max(74)
        + 2;
    let width = u16::try_from(needed)
        .unwrap_or(u16::MAX)
        .min(area.width.saturating_sub(2));
    let height = FIELDS.len() as u16 + 7;
    let rect = centered(area, width, height);
    let inner = frame(state, rect, "parameters", buf);
    // The foot (the model's limits, the last error, the keys) stays at the bottom; the fields
    // above it scroll to keep the selected one in view when they do not all fit.
    let mut foot = Vec::new();
    let mut styled = crate::ui::wrap::StyledLine::plain(
        sanitize_for_terminal(&hint).into_owned(),
        theme.style(Role::Muted),
    );
    styled.breaks = crate::ui::wrap::Break::Words;
    crate::ui::wrap::wrap_into(&styled, inner.width.max(1) as usize, &mut foot);
    foot.truncate(2);
    if let Some(error) = &form.error {
        foot.push(Line::from(Span::styled(
            sanitize_for_terminal(error).into_owned(),
            theme.style(Role::Error),
        )));
    }
    foot.push(Line::from(Span::styled(keys, theme.style(Role::Muted))));
    let height = inner.height as usize;
    let foot_rows = foot.len().min(height.saturating_sub(1));
    let room = height.saturating_sub(foot_rows + 1).max(1);
    let first = (form.selected + 1).saturating_sub(room);
    for (row, (i, label)) in FIELDS.iter().enumerate().skip(first).take(room).enumerate() {
        let selected = i == form.selected;
        let value = form.values.get(i).map(String::as_str).unwrap_or_default();
        let mut spans = vec![
            Span::styled(
                format!("{label:>17}: "),
                if selected {
                    theme.style(Role::Accent)
                } else {
                    theme.style(Role::Muted)
                },
            ),
            Span::styled(
                sanitize_for_terminal(value).into_owned(),
                theme.style(Role::Text),
            ),
        ];
        if selected {
            spans.push(Span::styled("▏", theme.style(Role::Accent)));
        }
        let more = (row == 0 && first > 0) || (row + 1 == room && first + room < FIELDS.len());
        if more {
            spans.push(Span::styled(
                if row == 0 { "  ↑ more" } else { "  ↓ more" },
                theme.style(Role::Muted),
            ));
        }
        put(buf, inner, row as u16, &Line::from(spans));
    }
    let top = height.saturating_sub(foot_rows);
    for (i, line) in foot.iter().rev().take(foot_rows).rev().enumerate() {
        put(buf, inner, (top + i) as u16, line);
    }
}
