//! The wire inspector: one exchange (request as sent, response, frames) scrolled in a popup.

use super::{centered, frame, put};
use crate::app::state::State;
use crate::config::theme::Role;
use crate::text::sanitize_for_terminal;
use crate::ui::wrap::{StyledLine, wrap_into};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use unicode_width::UnicodeWidthStr;

/// The wire inspector for one answer of the transcript.
pub fn inspector(
    state: &State,
    message: u64,
    scroll: usize,
    area: Rect,
    buf: &mut Buffer,
    cache: &mut crate::ui::ViewCache,
) {
    let answers: Vec<&crate::app::state::Message> = state
        .chat
        .messages
        .iter()
        .filter(|m| m.exchange.is_some())
        .collect();
    let position = answers.iter().position(|m| m.id == message);
    let Some(answer) = position.and_then(|p| answers.get(p)) else {
        return;
    };
    let Some(exchange) = answer.exchange.as_deref() else {
        return;
    };
    let model = answer
        .model
        .as_deref()
        .map(crate::models::catalog::display_name)
        .unwrap_or_default();
    let title = format!(
        "inspector · answer {} of {} · {model} · ←/→ other answers · Esc closes",
        position.map_or(0, |p| p + 1),
        answers.len()
    );
    exchange_view(state, &title, exchange, scroll, area, buf, cache);
}

/// An exchange, scrolled: the request as sent, the response and every frame.
pub(crate) fn exchange_view(
    state: &State,
    title: &str,
    exchange: &crate::inspect::Exchange,
    scroll: usize,
    area: Rect,
    buf: &mut Buffer,
    cache: &mut crate::ui::ViewCache,
) {
    use crate::inspect::{LineKind, describe};
    let theme = &state.settings.theme;
    let rect = centered(
        area,
        area.width.saturating_sub(2),
        area.height.saturating_sub(1),
    );
    let inner = frame(state, rect, title, buf);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let width = inner.width as usize;
    let style_of = |kind: LineKind| match kind {
        LineKind::Section => theme.style(Role::Heading),
        LineKind::Start => theme.style(Role::Accent),
        LineKind::Header => theme.style(Role::Text),
        LineKind::Body => theme.style(Role::Code),
        LineKind::Frame | LineKind::Note => theme.style(Role::Muted),
        LineKind::Problem => theme.style(Role::Error),
    };
    // Rows of each line once wrapped; only the visible ones are built.
    let rows_of = |text: &str| UnicodeWidthStr::width(text).div_ceil(width).max(1);
    let safe: Vec<(LineKind, String)> = describe(exchange)
        .into_iter()
        .map(|(kind, text)| (kind, sanitize_for_terminal(&text).into_owned()))
        .collect();
    let total: usize = safe.iter().map(|(_, text)| rows_of(text)).sum();
    let viewport = inner.height as usize;
    let first = scroll.min(total.saturating_sub(viewport));
    cache.set_overlay_size(total, viewport, first);
    let mut row = 0;
    let mut y = 0u16;
    for (kind, text) in &safe {
        let rows = rows_of(text);
        if row + rows <= first {
            row += rows;
            continue;
        }
        let mut styled = StyledLine::plain(text.clone(), style_of(*kind));
        styled.breaks = crate::ui::wrap::Break::Anywhere;
        let mut wrapped = Vec::new();
        wrap_into(&styled, width, &mut wrapped);
        for line in wrapped.iter().skip(first.saturating_sub(row)) {
            if y >= inner.height {
                return;
            }
            put(buf, inner, y, line);
            y += 1;
        }
        row += rows;
    }
}
