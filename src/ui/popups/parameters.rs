//! The parameters form: one field per parameter, the model's limits, the error of the last
//! apply.

use super::{centered, frame, put};
use crate::app::params::{FIELDS, ParamsForm, capability_hint};
use crate::app::state::State;
use crate::config::theme::Role;
use crate::text::sanitize_for_terminal;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The parameters form.
pub fn parameters(state: &State, form: &ParamsForm, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let height = FIELDS.len() as u16 + 6;
    let rect = centered(area, 76, height);
    let inner = frame(state, rect, "parameters", buf);
    for (i, label) in FIELDS.iter().enumerate() {
        let selected = i == form.selected;
        let value = form.values.get(i).map(String::as_str).unwrap_or_default();
        let mut spans = vec![
            Span::styled(
                format!("{label:>16}: "),
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
        put(buf, inner, i as u16, &Line::from(spans));
    }
    let hint_row = FIELDS.len() as u16 + 1;
    put(
        buf,
        inner,
        hint_row,
        &Line::from(Span::styled(
            capability_hint(&state.model),
            theme.style(Role::Muted),
        )),
    );
    if let Some(error) = &form.error {
        put(
            buf,
            inner,
            hint_row + 1,
            &Line::from(Span::styled(
                sanitize_for_terminal(error).into_owned(),
                theme.style(Role::Error),
            )),
        );
    }
    put(
        buf,
        inner,
        hint_row + 2,
        &Line::from(Span::styled(
            "↑↓/Tab field · empty = model default · stops comma-separated · Enter apply · Esc cancel",
            theme.style(Role::Muted),
        )),
    );
}
