//! The approval of a tool call: the tool, its arguments as the model wrote them (a command
//! shown as the command line it is), and the keys that answer.

use super::{centered, frame, put};
use crate::app::ToolApproval;
use crate::app::state::State;
use crate::config::theme::Role;
use crate::keymap::{Action, Context};
use crate::text::sanitize_for_terminal;
use crate::ui::wrap::{StyledLine, wrap_into};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

/// Rows of arguments shown at most (the rest is counted).
const ARGUMENT_ROWS: usize = 12;

/// Draws the question about one call.
pub(crate) fn approval(state: &State, approval: &ToolApproval, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let width = area.width.saturating_sub(4).clamp(20, 90);
    let inner_width = width.saturating_sub(2) as usize;
    let mut rows: Vec<Line<'static>> = Vec::new();
    let call = &approval.call;
    let heading = format!(
        "The model asks to run {}{}:",
        sanitize_for_terminal(&call.name),
        if approval.of > 1 {
            format!(" (call {} of {})", approval.index + 1, approval.of)
        } else {
            String::new()
        }
    );
    wrap_into(
        &StyledLine::plain(heading, theme.style(Role::Heading)),
        inner_width,
        &mut rows,
    );
    let arguments = call.arguments();
    let shown = match arguments.get("command").and_then(|c| c.as_str()) {
        Some(command) if call.name == "run_shell" => format!("$ {command}"),
        _ => serde_json::to_string_pretty(&arguments).unwrap_or_else(|_| call.input.clone()),
    };
    let lines: Vec<&str> = shown.lines().collect();
    let code = theme.style(Role::Accent);
    for line in lines.iter().take(ARGUMENT_ROWS) {
        let mut row = StyledLine::plain(sanitize_for_terminal(line).into_owned(), code);
        row.prefix = vec![ratatui::text::Span::styled("  ", code)];
        row.continuation = row.prefix.clone();
        wrap_into(&row, inner_width, &mut rows);
    }
    if lines.len() > ARGUMENT_ROWS {
        wrap_into(
            &StyledLine::plain(
                format!("  … {} more lines", lines.len() - ARGUMENT_ROWS),
                theme.style(Role::Muted),
            ),
            inner_width,
            &mut rows,
        );
    }
    rows.push(Line::raw(""));
    // Esc is the key people look for when there are several.
    let key = |action| {
        let keys = state.keymap.keys_for(Context::Tools, action);
        keys.iter()
            .find(|k| k.to_string() == "esc")
            .or(keys.first())
            .map_or_else(
                || state.keymap.hint(Context::Tools, action),
                ToString::to_string,
            )
    };
    let always = if crate::config::tools::ALWAYS_ASK.contains(&call.name.as_str()) {
        String::new()
    } else {
        format!(" · {} always for {}", key(Action::AllowAlways), call.name)
    };
    let keys = format!(
        "{} run once{always} · {} deny · {} cancel the calls",
        key(Action::AllowOnce),
        key(Action::Deny),
        key(Action::Cancel)
    );
    wrap_into(
        &StyledLine::plain(keys, theme.style(Role::Muted)),
        inner_width,
        &mut rows,
    );
    let height = (rows.len() as u16 + 2).min(area.height);
    let rect = centered(area, width, height);
    let inner = frame(state, rect, "tool call", buf);
    for (row, line) in rows.iter().enumerate() {
        put(buf, inner, row as u16, line);
    }
}
