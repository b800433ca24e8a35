//! The accept / content-type matrix: one row per combination, filled in as answers arrive.

use super::inspector::exchange_view;
use super::{centered, frame, put};
use crate::app::state::State;
use crate::config::theme::Role;
use crate::text::sanitize_for_terminal;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The accept / content-type matrix: one row per combination, filled in as answers arrive;
/// Enter opens the selected row's exchange.
pub fn matrix(
    state: &State,
    view: &crate::app::matrix::MatrixView,
    area: Rect,
    buf: &mut Buffer,
    cache: &mut crate::ui::ViewCache,
) {
    let theme = &state.theme;
    if let (Some(scroll), Some(outcome)) = (view.inspect, view.selected_outcome()) {
        let c = &outcome.combination;
        let title = format!(
            "inspector · {} · Accept {} · Content-Type {} · {} · ←/→ other rows · Esc back",
            crate::models::catalog::display_name(&view.model),
            c.accept,
            c.content_type,
            if c.stream { "stream" } else { "invoke" }
        );
        exchange_view(state, &title, &outcome.exchange, scroll, area, buf, cache);
        return;
    }
    let rect = centered(
        area,
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    );
    let done = view.rows.iter().filter(|(_, o)| o.is_some()).count();
    let title = format!(
        "accept / content-type · {} · {done}/{} · Enter inspects · Esc closes",
        crate::models::catalog::display_name(&view.model),
        view.rows.len()
    );
    let inner = frame(state, rect, &title, buf);
    if inner.height == 0 {
        return;
    }
    // Every column on a wide screen; the combination and its result on a narrow one.
    let widths: &[usize] = if inner.width >= 100 {
        &[17, 17, 6, 26, 17, 7, 7, 7, 0]
    } else {
        &[17, 17, 6, 0]
    };
    let header = crate::compare::row_text(&crate::compare::COLUMNS, widths);
    put(
        buf,
        inner,
        0,
        &Line::from(Span::styled(header, theme.style(Role::Heading))),
    );
    for (index, (combination, outcome)) in view.rows.iter().enumerate() {
        let y = 1 + index as u16;
        if y >= inner.height {
            break;
        }
        let cells = crate::compare::cells(combination, outcome.as_deref())
            .map(|cell| sanitize_for_terminal(&cell).into_owned());
        let text = crate::compare::row_text(&cells, widths);
        let failed = outcome.as_ref().is_some_and(|o| o.error.is_some());
        let mut style = if failed {
            theme.style(Role::Error)
        } else {
            theme.style(Role::Text)
        };
        if index == view.selected {
            style = theme.style(Role::Selection);
        }
        put(buf, inner, y, &Line::from(Span::styled(text, style)));
    }
}
