//! The matrices (accept / content type, latency / service tier): one row per combination,
//! filled in as answers arrive; columns that are the same in every row are named in the title;
//! before billed requests go, the question of how many and at what cost.

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
    view: &crate::app::popups::matrix::MatrixView,
    area: Rect,
    buf: &mut Buffer,
    cache: &mut crate::ui::ViewCache,
) {
    let theme = &state.settings.theme;
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
    let rows: Vec<[String; 9]> = view
        .rows
        .iter()
        .map(|(combination, outcome)| {
            crate::compare::cells(combination, outcome.as_deref())
                .map(|cell| sanitize_for_terminal(&cell).into_owned())
        })
        .collect();
    // A column that says the same in every row is said once, in the title.
    let constant: Vec<usize> = (0..3)
        .filter(|&c| rows.len() > 1 && rows.iter().all(|r| r[c] == rows[0][c]))
        .collect();
    let done = view.rows.iter().filter(|(_, o)| o.is_some()).count();
    let what = match view.kind {
        crate::app::popups::matrix::MatrixKind::Types => "accept / content type",
        crate::app::popups::matrix::MatrixKind::Tiers => "latency / service tier",
    };
    let same = constant.iter().fold(String::new(), |mut same, &c| {
        same.push_str(&format!(
            " · {} {}",
            crate::compare::COLUMNS[c].to_lowercase(),
            rows[0][c]
        ));
        same
    });
    let title = format!(
        "{what} · {}{same} · {done}/{} · Enter inspects · Esc closes",
        crate::models::catalog::display_name(&view.model),
        view.rows.len()
    );
    let inner = frame(state, rect, &title, buf);
    if inner.height == 0 {
        return;
    }
    if let Some((_, question)) = &view.pending {
        let mut lines = Vec::new();
        crate::ui::wrap::wrap_into(
            &crate::ui::wrap::StyledLine::plain(question.clone(), theme.style(Role::Warning)),
            inner.width as usize,
            &mut lines,
        );
        for (row, line) in lines.iter().enumerate() {
            put(buf, inner, row as u16, line);
        }
        return;
    }
    // Each column as wide as its widest cell; the answer, last, takes the rest and is cut
    // first; only when even a short answer would not fit are the least needed columns (the
    // response type, bytes, timings) left out.
    let (columns, widths) = column_widths(&rows, &constant, inner.width as usize);
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
    let header = crate::compare::row_text_of(&header_cells, widths, &columns);
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
        let text = crate::compare::row_text_of(&pick(cells), widths, &columns);
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

/// The fewest columns the answer is given before other columns are left out.
const ANSWER_MIN: usize = 12;

/// Widths of the matrix columns for `width` columns of screen: each the widest of its header
/// and cells; the columns in `constant` are not shown; the answer is last and takes the rest,
/// and columns are left out (from the least needed) only while it would get fewer than
/// [`ANSWER_MIN`].
fn column_widths(
    rows: &[[String; 9]],
    constant: &[usize],
    width: usize,
) -> (Vec<usize>, Vec<usize>) {
    use unicode_width::UnicodeWidthStr;
    let widest = |column: usize| {
        rows.iter()
            .map(|r| r[column].width())
            .chain([crate::compare::COLUMNS[column].width()])
            .max()
            .unwrap_or(0)
    };
    let mut shown: Vec<usize> = (0..8).filter(|c| !constant.contains(c)).collect();
    // Left out first: the response type (the content type asked for, most of the time), then
    // bytes, then the timings.
    let drop_order = [4, 5, 6, 7];
    let needed = |shown: &[usize]| shown.iter().map(|&c| widest(c) + 1).sum::<usize>() + ANSWER_MIN;
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
