//! The model picker: the filter, then one row per model with its provider, streaming,
//! modalities and price per 1M tokens; marks when choosing models to compare.

use super::{centered, frame, put};
use crate::app::picker::Picker;
use crate::app::state::State;
use crate::config::theme::Role;
use crate::keymap::{Action, Context};
use crate::text::sanitize_for_terminal;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The model picker: filter, then one row per model.
pub fn picker(state: &State, picker: &Picker, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let rect = centered(
        area,
        area.width.saturating_sub(4).max(20),
        area.height.saturating_sub(2),
    );
    let source = if state.listed_models.is_some() {
        "live listing"
    } else {
        "catalog"
    };
    let inner = frame(
        state,
        rect,
        &format!(
            "models · {source} · {}/{}",
            picker.matches.len(),
            picker.items.len()
        ),
        buf,
    );
    if inner.height == 0 {
        return;
    }
    put(buf, inner, 0, &super::filter_line(state, &picker.filter));
    let rows = inner.height.saturating_sub(2) as usize;
    if rows == 0 {
        return;
    }
    let first = picker.selected.saturating_sub(rows.saturating_sub(1));
    let mut fuzzy =
        (!picker.filter.trim().is_empty()).then(|| crate::app::picker::Fuzzy::new(&picker.filter));
    for (row, &index) in picker.matches.iter().enumerate().skip(first).take(rows) {
        let Some(item) = picker.items.get(index) else {
            continue;
        };
        let selected = row == picker.selected;
        let mut style = if item.chats() {
            theme.style(Role::Text)
        } else {
            theme.style(Role::Muted)
        };
        if selected {
            style = theme.style(Role::Selection);
        }
        let stream = if item.streaming { "stream" } else { "invoke" };
        let modalities = format!(
            "{}→{}",
            if item.input.is_empty() {
                "?".to_string()
            } else {
                item.input.join("+")
            },
            if item.output.is_empty() {
                "?".to_string()
            } else {
                item.output.join("+")
            }
        );
        let price = item.price.map_or_else(
            || "-".to_string(),
            |(input, output)| {
                format!(
                    "${}/${}",
                    crate::exchange::per_million(input),
                    crate::exchange::per_million(output)
                )
            },
        );
        let name = sanitize_for_terminal(&item.name);
        let id = sanitize_for_terminal(&item.id);
        let text = match inner.width {
            110.. => format!(
                "{:<26.26} {:<10.10} {:<6} {:<16.16} {:<15} {}",
                name, item.provider, stream, modalities, price, id
            ),
            72.. => format!(
                "{:<24.24} {:<10.10} {:<6} {:<16.16} {}",
                name, item.provider, stream, modalities, price
            ),
            _ => format!("{name:<14.14} {stream:<6} {price}"),
        };
        let (prefix, text) = match &picker.compare {
            Some(marked) if crate::app::picker::is_marked(marked, &item.id) => ("✓ ", text),
            Some(_) => ("  ", text),
            None => ("", text),
        };
        // The characters of the name the filter matched are highlighted.
        let name_width = match inner.width {
            110.. => 26,
            72.. => 24,
            _ => 14,
        };
        let matched = fuzzy.as_mut().map(|f| f.indices(&name)).unwrap_or_default();
        let highlight = style
            .patch(theme.style(Role::Accent))
            .add_modifier(ratatui::style::Modifier::BOLD);
        let mut spans = vec![Span::styled(prefix, style)];
        for (i, c) in text.chars().enumerate() {
            let shown = if i < name_width && matched.binary_search(&i).is_ok() {
                highlight
            } else {
                style
            };
            match spans.last_mut() {
                Some(last) if last.style == shown && i > 0 => last.content.to_mut().push(c),
                _ => spans.push(Span::styled(c.to_string(), shown)),
            }
        }
        let line = Line::from(spans);
        let y = 1 + (row - first) as u16;
        if selected {
            buf.set_style(
                Rect {
                    x: inner.x,
                    y: inner.y + y,
                    width: inner.width,
                    height: 1,
                },
                style,
            );
        }
        put(buf, inner, y, &line);
    }
    let selected_id = picker
        .selected_item()
        .map(|item| sanitize_for_terminal(&item.id).into_owned())
        .unwrap_or_default();
    let what = match &picker.compare {
        Some(marked) => format!(
            " · {}/4 marked: {} · {} marks · Enter compares",
            marked.len(),
            marked
                .iter()
                .map(|m| crate::models::catalog::display_name(m))
                .collect::<Vec<_>>()
                .join(", "),
            state.keymap.hint(Context::Picker, Action::ToggleMark),
        ),
        None => " · Enter switches · Esc closes · USD per 1M tokens in/out".to_string(),
    };
    let hint = Line::from(vec![
        Span::styled(selected_id, theme.style(Role::Accent)),
        Span::styled(what, theme.style(Role::Muted)),
    ]);
    put(buf, inner, inner.height - 1, &hint);
}
