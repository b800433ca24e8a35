//! The approval of a tool call: the tool and where it comes from, the whole call as it runs
//! (compacted: what is not seen is named and counted), scrolled when it is longer than the
//! popup, and the keys that answer, always on screen below it. Until the question is armed the
//! keys line says that keys are not taken yet; until the call was read to its end it says so.

use super::{centered, frame, put};
use crate::app::ToolApproval;
use crate::app::state::State;
use crate::config::theme::Role;
use crate::keymap::{Action, Context};
use crate::text::sanitize_for_terminal;
use crate::ui::wrap::{Break, StyledLine, wrap_into};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// Draws the question about one call.
pub(crate) fn approval(
    state: &State,
    approval: &ToolApproval,
    area: Rect,
    buf: &mut Buffer,
    cache: &mut crate::ui::ViewCache,
) {
    let theme = &state.settings.theme;
    let width = area.width.saturating_sub(4).clamp(20, 100);
    let inner_width = width.saturating_sub(2) as usize;
    let call = &approval.call;
    let shown = &approval.shown;
    let muted = theme.style(Role::Muted);
    let mut head: Vec<Line<'static>> = Vec::new();
    let heading = format!(
        "The model asks to run {} ({}){}:",
        sanitize_for_terminal(&call.name),
        approval.source,
        if approval.of > 1 {
            format!(", call {} of {}", approval.index + 1, approval.of)
        } else {
            String::new()
        }
    );
    wrap_into(
        &StyledLine::plain(heading, theme.style(Role::Heading)),
        inner_width,
        &mut head,
    );

    // The call, wrapped anywhere (every character stays where it is).
    let code = theme.style(Role::Accent);
    let marked = theme.style(Role::Warning);
    let mut body: Vec<Line<'static>> = Vec::new();
    for line in &shown.lines {
        let mut row = StyledLine {
            pieces: line
                .iter()
                .map(|piece| {
                    let style = if piece.marked { marked } else { code };
                    (sanitize_for_terminal(&piece.text).into_owned(), style)
                })
                .collect(),
            ..StyledLine::plain("", code)
        };
        row.pieces.retain(|(text, _)| !text.is_empty());
        row.breaks = Break::Anywhere;
        row.prefix = vec![Span::styled("  ", code)];
        row.continuation = row.prefix.clone();
        wrap_into(&row, inner_width, &mut body);
    }

    let mut notes: Vec<String> = Vec::new();
    if shown.hidden > 0 {
        notes.push(
            "⟨…⟩ stands for characters that are not seen (spaces, controls, invisible ones), counted."
                .to_string(),
        );
    }
    if shown.non_ascii > 0 && call.name == "run_shell" {
        notes.push(format!(
            "The command holds {} characters outside ASCII: letters may only look like others.",
            shown.non_ascii
        ));
    }
    let key = |action| key_for(state, action);
    if let Some(total) = shown.cut {
        notes.push(format!(
            "The call is {} and only its start is shown: {} reads it whole in the pager; it runs only after that.",
            crate::files::human_size(total as u64),
            key(Action::ViewWhole)
        ));
    }
    let mut foot: Vec<Line<'static>> = Vec::new();
    for note in notes {
        wrap_into(&StyledLine::plain(note, muted), inner_width, &mut foot);
    }
    // What the last key met with (the popup may cover the status bar).
    if let Some(flash) = state.screen.flash.as_ref().filter(|f| f.error) {
        wrap_into(
            &StyledLine::plain(
                sanitize_for_terminal(&flash.text).into_owned(),
                theme.style(Role::Error),
            ),
            inner_width,
            &mut foot,
        );
    }
    let now = std::time::Instant::now();
    let keys = if approval.armed(now) {
        let always = if call.name == "run_shell" && approval.source == "built-in" {
            String::new()
        } else {
            format!(" · {} always for {}", key(Action::AllowAlways), call.name)
        };
        let read = if approval.read_whole(state) {
            String::new()
        } else if shown.cut.is_some() {
            format!(" (after {})", key(Action::ViewWhole))
        } else {
            " (once read to the end)".to_string()
        };
        format!(
            "{} run once{read}{always} · {} deny · {} cancel the calls",
            key(Action::AllowOnce),
            key(Action::Deny),
            key(Action::Cancel)
        )
    } else {
        format!(
            "Not taking keys yet: a key answers once this has been on screen for {} ms without one (what you typed went to the prompt) · {} cancels",
            crate::app::ARMING.as_millis(),
            key(Action::Cancel)
        )
    };
    wrap_into(
        &StyledLine::plain(keys, theme.style(Role::Muted)),
        inner_width,
        &mut foot,
    );

    // The frame: head, as much of the call as fits, a position line when it does not all fit,
    // and the notes and keys, which are always on screen (the head gives way first on a very
    // small screen).
    let max_inner = (area.height as usize).saturating_sub(2);
    let blank = usize::from(max_inner > head.len() + foot.len() + 4);
    let avail = max_inner.saturating_sub(head.len() + foot.len() + blank);
    let (viewport, scrolls) = if body.len() <= avail {
        (body.len(), false)
    } else {
        (avail.saturating_sub(1), true)
    };
    let inner_height =
        (head.len() + viewport + usize::from(scrolls) + blank + foot.len()).min(max_inner);
    let rect = centered(area, width, inner_height as u16 + 2);
    let inner = frame(state, rect, "tool call", buf);
    let bottom = body.len().saturating_sub(viewport);
    let first = approval.scroll.min(bottom);
    // What is on screen of the call, for the check that it was read whole.
    cache.set_overlay_size(body.len(), viewport, first);
    let mut rows: Vec<Line<'static>> = head;
    rows.extend(body.iter().skip(first).take(viewport).cloned());
    if scrolls {
        let last = (first + viewport).min(body.len());
        let position = if last >= body.len() {
            format!("  rows {}–{last} of {}: the end", first + 1, body.len())
        } else {
            format!(
                "  rows {}–{last} of {} · ↓ PgDn End to read on",
                first + 1,
                body.len()
            )
        };
        rows.push(Line::styled(position, muted));
    }
    // The keys take the last rows; what is above gives way from its top.
    let keep = foot.len().min(inner.height as usize);
    let top = (inner.height as usize).saturating_sub(keep);
    let skip = rows.len().saturating_sub(top);
    for (row, line) in rows.iter().skip(skip).take(top).enumerate() {
        put(buf, inner, row as u16, line);
    }
    for (row, line) in foot.iter().rev().take(keep).rev().enumerate() {
        put(buf, inner, (top + row) as u16, line);
    }
}

/// The key shown for an action: Esc when it is one of them (the key people look for).
fn key_for(state: &State, action: Action) -> String {
    let keys = state.settings.keymap.keys_for(Context::Tools, action);
    keys.iter()
        .find(|k| k.to_string() == "esc")
        .or(keys.first())
        .map_or_else(
            || state.settings.keymap.hint(Context::Tools, action),
            ToString::to_string,
        )
}
