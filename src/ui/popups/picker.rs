//! The model picker: the filter, column headers, then one row per model with its provider,
//! streaming, modalities and price per 1M tokens (and the id when the window is wide); the
//! name column takes the spare width, so names are cut only when there is no room; marks when
//! choosing models to compare.

use super::{cell, centered, frame, put};
use crate::app::popups::picker::Picker;
use crate::app::state::State;
use crate::config::theme::Role;
use crate::keymap::{Action, Context};
use crate::text::sanitize_for_terminal;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

/// The most a column after the name takes: provider, api (streaming), modalities, price.
const PROVIDER: usize = 12;
const STREAM: usize = 6;
const MODALITIES: usize = 18;
const PRICE: usize = 15;

/// The widths of the columns: each as wide as its widest cell (up to its cap), the name the
/// longest name when there is room, else what is left.
struct Widths {
    name: usize,
    provider: usize,
    modalities: usize,
    price: usize,
    /// All columns (else the name, api and price only).
    columns: bool,
    /// The id after them.
    ids: bool,
}

impl Widths {
    /// Widths for `cells` (name, provider, modalities, price of each row) in `width` columns,
    /// the longest id being `id` columns wide.
    fn measure(width: usize, cells: &[[String; 4]], id: usize, compare: bool) -> Widths {
        let widest = |column: usize, header: &str, cap: usize| {
            cells
                .iter()
                .map(|c| c[column].width())
                .chain([header.width()])
                .max()
                .unwrap_or(0)
                .min(cap)
        };
        let provider = widest(1, "provider", PROVIDER);
        let modalities = widest(2, "in→out", MODALITIES);
        let price = widest(3, "$ in/out", PRICE);
        let (columns, ids) = match width {
            110.. => (true, true),
            72.. => (true, false),
            _ => (false, false),
        };
        let others = if columns {
            provider + STREAM + modalities + price + 4
        } else {
            STREAM + price + 2
        };
        let marks = if compare { 2 } else { 0 };
        let room = width.saturating_sub(others + marks).max(10);
        let longest = widest(0, "model", usize::MAX);
        // With ids shown, the name keeps at most 40 columns, and gives the id what it needs
        // to be shown whole (down to 16 columns of name).
        let name = if ids {
            longest
                .min(40)
                .min(room.saturating_sub(id + 1).max(16))
                .min(room)
        } else {
            longest.min(room)
        };
        Widths {
            name,
            provider,
            modalities,
            price,
            columns,
            ids,
        }
    }
}

/// The model picker: filter, then one row per model.
pub fn picker(state: &State, picker: &Picker, area: Rect, buf: &mut Buffer) {
    let theme = &state.settings.theme;
    let rect = centered(
        area,
        area.width.saturating_sub(4).max(20),
        area.height.saturating_sub(2),
    );
    let source = if state.requests.listed_models.is_some() {
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
    let rows = inner.height.saturating_sub(3) as usize;
    if rows == 0 {
        return;
    }
    let cells: Vec<[String; 4]> = picker
        .matches
        .iter()
        .filter_map(|&i| picker.items.get(i))
        .map(|item| {
            [
                sanitize_for_terminal(&item.name).into_owned(),
                item.provider.clone(),
                modalities_of(item),
                price_of(item),
            ]
        })
        .collect();
    let longest_id = picker
        .matches
        .iter()
        .filter_map(|&i| picker.items.get(i))
        .map(|item| UnicodeWidthStr::width(item.id.as_str()))
        .max()
        .unwrap_or(0);
    let w = Widths::measure(
        inner.width as usize,
        &cells,
        longest_id,
        picker.compare.is_some(),
    );
    let name_width = w.name;
    let marks = if picker.compare.is_some() { "  " } else { "" };
    let header = if w.columns {
        format!(
            "{marks}{} {} {} {} {}{}",
            cell("model", w.name),
            cell("provider", w.provider),
            cell("api", STREAM),
            cell("in→out", w.modalities),
            cell("$ in/out", w.price),
            if w.ids { " id" } else { "" }
        )
    } else {
        format!(
            "{marks}{} {} $ in/out",
            cell("model", w.name),
            cell("api", STREAM)
        )
    };
    put(
        buf,
        inner,
        1,
        &Line::from(Span::styled(
            header,
            theme
                .style(Role::Muted)
                .add_modifier(ratatui::style::Modifier::BOLD),
        )),
    );
    let first = picker.selected.saturating_sub(rows.saturating_sub(1));
    let mut fuzzy = (!picker.filter.trim().is_empty())
        .then(|| crate::app::popups::picker::Fuzzy::new(&picker.filter));
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
        let stream = match (item.via_converse(), item.streaming) {
            (true, _) => "conv",
            (false, true) => "stream",
            (false, false) => "invoke",
        };
        let name = sanitize_for_terminal(&item.name);
        let id = sanitize_for_terminal(&item.id);
        let text = if w.columns {
            let mut text = format!(
                "{} {} {} {} {}",
                cell(&name, w.name),
                cell(&item.provider, w.provider),
                cell(stream, STREAM),
                cell(&modalities_of(item), w.modalities),
                cell(&price_of(item), w.price)
            );
            if w.ids {
                text.push(' ');
                text.push_str(&id);
            }
            text.trim_end().to_string()
        } else {
            format!(
                "{} {} {}",
                cell(&name, w.name),
                cell(stream, STREAM),
                price_of(item)
            )
        };
        let (prefix, text) = match &picker.compare {
            Some(marked) if crate::app::popups::picker::is_marked(marked, &item.id) => ("✓ ", text),
            Some(_) => ("  ", text),
            None => ("", text),
        };
        // The characters of the name the filter matched are highlighted.
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
        let y = 2 + (row - first) as u16;
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
            state
                .settings
                .keymap
                .hint(Context::Picker, Action::ToggleMark),
        ),
        None => " · Enter switches · Esc closes · USD per 1M tokens in/out".to_string(),
    };
    let hint = Line::from(vec![
        Span::styled(selected_id, theme.style(Role::Accent)),
        Span::styled(what, theme.style(Role::Muted)),
    ]);
    put(buf, inner, inner.height - 1, &hint);
}

/// `text+image→text`.
fn modalities_of(item: &crate::app::popups::picker::PickerItem) -> String {
    let side = |kinds: &[String]| {
        if kinds.is_empty() {
            "?".to_string()
        } else {
            kinds.join("+")
        }
    };
    format!("{}→{}", side(&item.input), side(&item.output))
}

/// `$3/$15` per 1M tokens in and out, `-` when unknown.
fn price_of(item: &crate::app::popups::picker::PickerItem) -> String {
    item.price.map_or_else(
        || "-".to_string(),
        |(input, output)| {
            format!(
                "${}/${}",
                crate::exchange::per_million(input),
                crate::exchange::per_million(output)
            )
        },
    )
}
