//! The help popup: every binding of every context, from the keymap.

use super::{centered, frame, put};
use crate::app::state::State;
use crate::config::theme::Role;
use crate::keymap::Context;
use crate::ui::wrap::{StyledLine, wrap_into};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

/// The help overlay: every binding of every context, from the keymap.
pub fn help(state: &State, scroll: usize, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let rect = centered(area, 96, area.height.saturating_sub(2));
    let inner = frame(state, rect, "help · Esc closes", buf);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let width = inner.width as usize;
    // Keys sit in a right-aligned column; a key list wider than the column gets a row of
    // its own and the description goes under it.
    let column = (width / 3).clamp(6, 18);
    let continuation = vec![Span::raw(" ".repeat(column + 2))];
    let mut lines: Vec<Line<'static>> = Vec::new();
    for (context, rows) in state.keymap.help() {
        if rows.is_empty() {
            continue;
        }
        let title = match context {
            Context::Global => "Everywhere (after the keys of where you are)",
            Context::Chat => "Prompt (keys not listed edit the prompt)",
            Context::Transcript => "Transcript (Tab from the prompt)",
            Context::Picker => "Model picker (type to filter)",
            Context::Parameters => "Parameters form",
            Context::Help => "This help",
            Context::Sessions => "Saved conversations (type to filter)",
            Context::Inspector => "Wire inspector",
            Context::Matrix => "Accept / content-type matrix",
            Context::Compare => "Models side by side",
            Context::Resend => "Editing a request",
            Context::Tools => "A tool call asking for approval",
        };
        wrap_into(
            &StyledLine::plain(title, theme.style(Role::Heading)),
            width,
            &mut lines,
        );
        for (keys, description) in rows {
            let key_width = UnicodeWidthStr::width(keys.as_str());
            let prefix = if key_width <= column {
                vec![Span::styled(
                    format!("{keys:>column$}  "),
                    theme.style(Role::Accent),
                )]
            } else {
                wrap_into(
                    &StyledLine::plain(keys, theme.style(Role::Accent)),
                    width,
                    &mut lines,
                );
                continuation.clone()
            };
            let mut row = StyledLine::plain(description, theme.style(Role::Text));
            row.prefix = prefix;
            row.continuation.clone_from(&continuation);
            wrap_into(&row, width, &mut lines);
        }
        lines.push(Line::default());
    }
    wrap_into(
        &StyledLine::plain(
            "Keys are configurable: [keys.<context>] in the config file (bedrock-tui config path).",
            theme.style(Role::Muted),
        ),
        width,
        &mut lines,
    );
    let first = scroll.min(lines.len().saturating_sub(inner.height as usize));
    for (row, line) in lines
        .iter()
        .skip(first)
        .take(inner.height as usize)
        .enumerate()
    {
        put(buf, inner, row as u16, line);
    }
}
