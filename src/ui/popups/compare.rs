//! Models side by side: one pane per model with its answer and figures.

use super::{centered, frame, put};
use crate::app::state::State;
use crate::config::theme::Role;
use crate::keymap::{Action, Context};
use crate::text::sanitize_for_terminal;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Widget};

/// Models side by side: one pane per model (columns, or rows on a narrow screen), each
/// following the end of its answer, with the figures at the bottom.
pub fn compare(
    state: &State,
    view: &crate::app::popups::compare::CompareView,
    area: Rect,
    buf: &mut Buffer,
) {
    use ratatui::layout::{Constraint, Direction, Layout};
    let theme = &state.settings.theme;
    let rect = centered(area, area.width, area.height.saturating_sub(1));
    let keys = |action| state.settings.keymap.hint(Context::Compare, action);
    let title = format!(
        "compare · {} · {} keeps · {} cancels · {} retries · ←/→ · Esc",
        sanitize_for_terminal(
            &view
                .prompt
                .lines()
                .next()
                .unwrap_or_default()
                .chars()
                .take(30)
                .collect::<String>()
        ),
        keys(Action::Confirm),
        keys(Action::Cancel),
        keys(Action::Retry)
    );
    let inner = frame(state, rect, &title, buf);
    if inner.width == 0 || inner.height == 0 || view.panes.is_empty() {
        return;
    }
    let count = view.panes.len() as u32;
    let side_by_side = u32::from(inner.width) / count >= 24;
    let direction = if side_by_side {
        Direction::Horizontal
    } else {
        Direction::Vertical
    };
    let panes = Layout::default()
        .direction(direction)
        .constraints(vec![Constraint::Ratio(1, count); view.panes.len()])
        .split(inner);
    for (index, (pane, rect)) in view.panes.iter().zip(panes.iter()).enumerate() {
        let focused = index == view.focus;
        let border = if focused {
            theme.style(Role::BorderFocused)
        } else {
            theme.style(Role::Border)
        };
        let status = match &pane.answer.status {
            crate::app::state::AnswerStatus::Waiting => "waiting",
            crate::app::state::AnswerStatus::Streaming => "streaming",
            crate::app::state::AnswerStatus::Complete => "done",
            crate::app::state::AnswerStatus::Cancelled => "cancelled",
            crate::app::state::AnswerStatus::Failed(_) => "failed",
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(border)
            .title(format!(
                " {} · {status} ",
                crate::models::catalog::display_name(&pane.model)
            ));
        let body = block.inner(*rect);
        block.render(*rect, buf);
        if body.width == 0 || body.height == 0 {
            continue;
        }
        let lines = crate::ui::transcript::lay_out(state, &pane.answer, body.width as usize);
        let stats = &pane.answer.stats;
        let mut figures = Vec::new();
        if let Some(t) = stats.first_token {
            figures.push(format!("ttft {} ms", t.as_millis()));
        }
        if let Some(rate) = stats.tokens_per_second() {
            figures.push(format!("{rate:.0} tok/s"));
        }
        if let (Some(i), Some(o)) = (stats.input_tokens(), stats.output_tokens()) {
            figures.push(format!("{i}/{o} tok"));
        }
        if let Some(cost) = pane.answer.cost() {
            figures.push(crate::exchange::format_cost(cost));
        }
        let text_rows = body.height.saturating_sub(1) as usize;
        let first = lines.len().saturating_sub(text_rows);
        for (row, line) in lines.iter().skip(first).take(text_rows).enumerate() {
            put(buf, body, row as u16, line);
        }
        // The figures that fit, the least important (time to first token) left out first, so
        // the cost is never cut.
        while figures.len() > 1
            && unicode_width::UnicodeWidthStr::width(figures.join(" · ").as_str())
                > body.width as usize
        {
            figures.remove(0);
        }
        let footer = Line::from(Span::styled(figures.join(" · "), theme.style(Role::Muted)));
        put(buf, body, body.height - 1, &footer);
    }
}
