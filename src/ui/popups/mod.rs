//! Drawing the popups over the chat, one module each; the frame, centring and row helpers
//! they share live here.

pub mod compare;
pub mod help;
pub mod inspector;
pub mod matrix;
pub mod parameters;
pub mod picker;
pub(crate) mod resend;
pub mod roles;
pub mod sessions;
pub(crate) mod tools;

use crate::app::state::State;
use crate::config::theme::Role;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Widget};

/// A rectangle of at most `width` x `height` centred in `area`.
pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// Clears `rect`, draws a titled border and returns the inside.
pub(crate) fn frame(state: &State, rect: Rect, title: &str, buf: &mut Buffer) -> Rect {
    // A wide character (CJK, emoji) just left of the popup would cover its left border on
    // screen, and shift the row: it gives way to a space.
    if rect.x > buf.area.x {
        for y in rect.y..rect.bottom().min(buf.area.bottom()) {
            let cell = &mut buf[(rect.x - 1, y)];
            if unicode_width::UnicodeWidthStr::width(cell.symbol()) > 1 {
                cell.set_symbol(" ");
            }
        }
    }
    Clear.render(rect, buf);
    // A column or two left between the popup and the screen's edge would show the corners of
    // the boxes under it beside it: they are cleared too.
    let screen = buf.area;
    let left_gap = rect.x.saturating_sub(screen.x);
    let right_gap = screen.right().saturating_sub(rect.right());
    for (x, gap) in [(screen.x, left_gap), (rect.right(), right_gap)] {
        if (1..=2).contains(&gap) {
            Clear.render(Rect::new(x, rect.y, gap, rect.height), buf);
        }
    }
    let theme = &state.settings.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::BorderFocused))
        .style(theme.style(Role::Popup))
        .title(format!(" {title} "));
    let inner = block.inner(rect);
    block.render(rect, buf);
    inner
}

pub(crate) fn put(buf: &mut Buffer, area: Rect, row: u16, line: &Line<'_>) {
    if row < area.height {
        buf.set_line(area.x, area.y + row, line, area.width);
    }
}

/// The filter row of a list popup: `> text▏`.
pub(crate) fn filter_line(state: &State, filter: &str) -> Line<'static> {
    let accent = state.settings.theme.style(Role::Accent);
    Line::from(vec![
        ratatui::text::Span::styled("> ", accent),
        ratatui::text::Span::raw(crate::text::sanitize_for_terminal(filter).into_owned()),
        ratatui::text::Span::styled("▏", accent),
    ])
}

/// `text` cut (with `…`) or padded to exactly `width` columns of display.
pub(crate) fn cell(text: &str, width: usize) -> String {
    let shown = crate::ui::wrap::cut_to_width(text, width);
    let pad = width.saturating_sub(unicode_width::UnicodeWidthStr::width(shown.as_str()));
    format!("{shown}{}", " ".repeat(pad))
}
