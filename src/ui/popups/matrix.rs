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
    // Each column as wide as its widest cell; the columns that fit, the least needed (bytes,
    // timings, response type) left out first on a narrow screen; the answer takes the rest.
    let rows: Vec<[String; 9]> = view
        .rows
        .iter()
        .map(|(combination, outcome)| {
            crate::compare::cells(combination, outcome.as_deref())
                .map(|cell| sanitize_for_terminal(&cell).into_owned())
        })
        .collect();
    let (columns, widths) = column_widths(&rows, inner.width as usize);
    let widths = widths.as_slice();
    let pick = |cells: &[String; 9]| {
        columns
            .iter()
            .map(|&c| cells[c].clone())
            .collect::<Vec<_>>()
    };
    let header_cells: Vec<&str> = columns
        .iter()
        .map(|&c| crate::compare::COLUMNS[c])
        .collect();
    let header = crate::compare::row_text(&header_cells, widths);
    put(
        buf,
        inner,
        0,
        &Line::from(Span::styled(header, theme.style(Role::Heading))),
    );
    for (index, ((_, outcome), cells)) in view.rows.iter().zip(&rows).enumerate() {
        let y = 1 + index as u16;
        if y >= inner.height {
            break;
        }
        let text = crate::compare::row_text(&pick(cells), widths);
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

/// Widths of the matrix columns for `width` columns of screen: each the widest of its header
/// and cells; columns are left out (width 0 and not shown) from the least needed while they do
/// not fit with at least 40 columns for the answer, which is last and takes the rest.
fn column_widths(rows: &[[String; 9]], width: usize) -> (Vec<usize>, Vec<usize>) {
    use unicode_width::UnicodeWidthStr;
    let widest = |column: usize| {
        rows.iter()
            .map(|r| r[column].width())
            .chain([crate::compare::COLUMNS[column].width()])
            .max()
            .unwrap_or(0)
    };
    let mut shown: Vec<usize> = (0..8).collect();
    // Left out first: bytes, the timings, the response type.
    let drop_order = [5, 6, 7, 4];
    let needed = |shown: &[usize]| shown.iter().map(|&c| widest(c) + 1).sum::<usize>() + 40;
    for column in drop_order {
        if needed(&shown) <= width {
            break;
        }
        shown.retain(|&c| c != column);
    }
    let mut widths: Vec<usize> = shown.iter().map(|&c| widest(c)).collect();
    shown.push(8);
    widths.push(0);
    (shown, widths)
}
