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
    let theme = &state.settings.theme;
    let rect = centered(area, 96, area.height.saturating_sub(2));
    let inner = frame(state, rect, "help · Esc closes", buf);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let width = inner.width as usize;
    // Keys sit in a right-aligned column; a key list wider than the column gets a row of
    // its own and the description goes under it.
    let column = (width / 3).clamp(6, 18);
    let mut lines: Vec<Line<'static>> = Vec::new();
    for (context, rows) in state.settings.keymap.help() {
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
            Context::Matrix => "Matrices (F4 accept / content type, F6 latency / service tier)",
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
            key_row(state, &keys, description, column, width, &mut lines);
        }
        lines.push(Line::default());
    }
    wrap_into(
        &StyledLine::plain("Commands typed in the prompt", theme.style(Role::Heading)),
        width,
        &mut lines,
    );
    for (command, description) in crate::keymap::SLASH_COMMANDS {
        key_row(state, command, description, column, width, &mut lines);
    }
    lines.push(Line::default());
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

/// One row of the help: the keys right-aligned in their column (a list wider than the column
/// on a row of its own, the description under it), the description beside them.
fn key_row(
    state: &State,
    keys: &str,
    description: &str,
    column: usize,
    width: usize,
    lines: &mut Vec<Line<'static>>,
) {
    let theme = &state.settings.theme;
    let continuation = vec![Span::raw(" ".repeat(column + 2))];
    let prefix = if UnicodeWidthStr::width(keys) <= column {
        vec![Span::styled(
            format!("{keys:>column$}  "),
            theme.style(Role::Accent),
        )]
    } else {
        wrap_into(
            &StyledLine::plain(keys.to_string(), theme.style(Role::Accent)),
            width,
            lines,
        );
        continuation.clone()
    };
    let mut row = StyledLine::plain(description.to_string(), theme.style(Role::Text));
    row.prefix = prefix;
    row.continuation = continuation;
    wrap_into(&row, width, lines);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_context_says_what_its_keys_do_there_and_the_commands_are_listed() {
        let state = State::new(
            "m".into(),
            crate::keymap::Keymap::default(),
            crate::config::theme::Theme::default(),
        );
        let area = Rect::new(0, 0, 100, 600);
        let mut buf = Buffer::empty(area);
        help(&state, 0, area, &mut buf);
        let text: String = (0..area.height)
            .map(|y| {
                (0..area.width)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
                    + "\n"
            })
            .collect();
        let section = |title: &str| {
            let start = text
                .find(title)
                .unwrap_or_else(|| panic!("{title}: {text}"));
            let rest = &text[start..];
            // The section and what follows it, a screen's worth.
            rest.chars().take(1500).collect::<String>()
        };
        let tools = section("A tool call asking for approval");
        assert!(tools.contains("Cancel the round"), "{tools}");
        assert!(!tools.contains("Take back a queued prompt"), "{tools}");
        let compare = section("Models side by side");
        assert!(compare.contains("Focus the next pane"), "{compare}");
        assert!(
            compare.contains("Ask the focused pane's model again"),
            "{compare}"
        );
        for command in ["/attach PATH", "/tools", "/mcp", "/help"] {
            assert!(text.contains(command), "{command}");
        }
    }
}
