//! GFM tables drawn with box-drawing lines: columns as wide as their widest cell when the
//! window allows, else shrunk fairly (the widest give way first) with cells wrapped at words;
//! below the width a table needs at all, each row is shown as `header: value` lines.

use crate::config::theme::{Role, Theme};
use crate::ui::wrap::{StyledLine, wrap_into};
use pulldown_cmark::Alignment;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

/// A cell: styled pieces; a piece `"\n"` is a line break (`<br>`).
pub(super) type Cell = Vec<(String, Style)>;

/// Narrowest a shrunk column gets before the table is shown as records instead.
const MIN_COLUMN: usize = 5;

/// A table being gathered from events; the first row is the header.
pub(super) struct Table {
    alignments: Vec<Alignment>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(alignments: Vec<Alignment>) -> Table {
        Table {
            alignments,
            rows: Vec::new(),
        }
    }

    pub fn start_row(&mut self) {
        self.rows.push(Vec::new());
    }

    pub fn push_cell(&mut self, cell: Cell) {
        if self.rows.is_empty() {
            self.rows.push(Vec::new());
        }
        if let Some(row) = self.rows.last_mut() {
            row.push(cell);
        }
    }

    fn columns(&self) -> usize {
        self.rows
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(0)
            .max(self.alignments.len())
    }

    /// The table's rows at `width` columns (without any container prefix).
    pub fn lay_out(mut self, width: usize, theme: &Theme) -> Vec<Vec<Span<'static>>> {
        let columns = self.columns();
        if columns == 0 {
            return Vec::new();
        }
        let strong = theme.style(Role::Strong);
        if let Some(header) = self.rows.first_mut() {
            for cell in header {
                for (_, style) in cell.iter_mut() {
                    *style = style.patch(strong).add_modifier(Modifier::BOLD);
                }
            }
        }
        let natural: Vec<usize> = (0..columns)
            .map(|c| {
                self.rows
                    .iter()
                    .filter_map(|row| row.get(c))
                    .map(cell_width)
                    .max()
                    .unwrap_or(0)
                    .max(1)
            })
            .collect();
        let frame = 3 * columns + 1;
        let room = width.saturating_sub(frame);
        match fit(&natural, room) {
            Some(widths) => self.boxed(&widths, theme),
            None => self.records(width, theme),
        }
    }

    fn boxed(&self, widths: &[usize], theme: &Theme) -> Vec<Vec<Span<'static>>> {
        let border = theme.style(Role::Muted);
        let text = theme.style(Role::Text);
        let rule = |left: &str, middle: &str, right: &str| -> Vec<Span<'static>> {
            let inner: Vec<String> = widths.iter().map(|w| "─".repeat(w + 2)).collect();
            vec![Span::styled(
                format!("{left}{}{right}", inner.join(middle)),
                border,
            )]
        };
        let mut out = vec![rule("┌", "┬", "┐")];
        for (index, row) in self.rows.iter().enumerate() {
            let wrapped: Vec<Vec<Line<'static>>> = widths
                .iter()
                .enumerate()
                .map(|(c, &w)| wrap_cell(row.get(c).map_or(&[][..], Vec::as_slice), w, text))
                .collect();
            let height = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
            for line in 0..height {
                let mut spans = vec![Span::styled("│", border)];
                for (c, &w) in widths.iter().enumerate() {
                    let alignment = self.alignments.get(c).copied().unwrap_or(Alignment::None);
                    let content = wrapped[c].get(line).cloned().unwrap_or_default();
                    let used = content.width();
                    let spare = w.saturating_sub(used);
                    let (before, after) = match alignment {
                        Alignment::Right => (spare, 0),
                        Alignment::Center => (spare / 2, spare - spare / 2),
                        Alignment::Left | Alignment::None => (0, spare),
                    };
                    spans.push(Span::raw(" ".repeat(before + 1)));
                    spans.extend(content.spans);
                    spans.push(Span::raw(" ".repeat(after + 1)));
                    spans.push(Span::styled("│", border));
                }
                out.push(spans);
            }
            if index == 0 && self.rows.len() > 1 {
                out.push(rule("├", "┼", "┤"));
            }
        }
        out.push(rule("└", "┴", "┘"));
        out
    }

    /// Too narrow for columns: each row as `header: value` lines, a blank row between rows.
    fn records(&self, width: usize, theme: &Theme) -> Vec<Vec<Span<'static>>> {
        let text = theme.style(Role::Text);
        let header = self.rows.first().cloned().unwrap_or_default();
        let body = if self.rows.len() > 1 {
            &self.rows[1..]
        } else {
            &self.rows[..]
        };
        let mut out = Vec::new();
        for (index, row) in body.iter().enumerate() {
            if index > 0 {
                out.push(Vec::new());
            }
            for (c, cell) in row.iter().enumerate() {
                let mut line = StyledLine::plain("", text);
                line.pieces.clear();
                if self.rows.len() > 1
                    && let Some(name) = header.get(c)
                {
                    line.pieces.extend(flatten(name));
                    line.pieces.push((": ".to_string(), text));
                }
                line.pieces.extend(flatten(cell));
                line.continuation = vec![Span::raw("  ")];
                let mut rows = Vec::new();
                wrap_into(&line, width, &mut rows);
                out.extend(rows.into_iter().map(|l| l.spans));
            }
        }
        out
    }
}

/// Column widths for `natural` widths in `room` columns of text: the natural widths when they
/// fit; else the widest are capped at one level so the sum fits (each column keeps at least
/// `MIN_COLUMN`, or its natural width if smaller); `None` when even that does not fit.
fn fit(natural: &[usize], room: usize) -> Option<Vec<usize>> {
    let total: usize = natural.iter().sum();
    if total <= room {
        return Some(natural.to_vec());
    }
    let floor: usize = natural.iter().map(|&n| n.min(MIN_COLUMN)).sum();
    if floor > room {
        return None;
    }
    // The highest cap with sum(min(natural, cap)) <= room.
    let capped = |cap: usize| -> usize { natural.iter().map(|&n| n.min(cap)).sum() };
    let (mut low, mut high) = (MIN_COLUMN, natural.iter().copied().max().unwrap_or(1));
    while low < high {
        let mid = (low + high).div_ceil(2);
        if capped(mid) <= room {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    let mut widths: Vec<usize> = natural.iter().map(|&n| n.min(low)).collect();
    // What is left goes one column each to the columns that were cut, left to right.
    let mut left = room.saturating_sub(widths.iter().sum());
    for (width, &n) in widths.iter_mut().zip(natural) {
        if left == 0 {
            break;
        }
        if n > *width {
            *width += 1;
            left -= 1;
        }
    }
    Some(widths)
}

/// A cell's pieces with its line breaks as spaces (records).
fn flatten(cell: &Cell) -> Vec<(String, Style)> {
    cell.iter()
        .map(|(t, s)| {
            (
                if t == "\n" {
                    " ".to_string()
                } else {
                    t.clone()
                },
                *s,
            )
        })
        .collect()
}

/// The widest line of a cell.
fn cell_width(cell: &Cell) -> usize {
    let mut widest = 0;
    let mut current = 0;
    for (text, _) in cell {
        if text == "\n" {
            widest = widest.max(current);
            current = 0;
        } else {
            current += text.width();
        }
    }
    widest.max(current)
}

/// A cell wrapped to `width`.
fn wrap_cell(cell: &[(String, Style)], width: usize, text: Style) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let mut line = StyledLine::plain("", text);
    line.pieces.clear();
    for (piece, style) in cell {
        if piece == "\n" {
            wrap_into(&line, width, &mut out);
            line.pieces.clear();
        } else {
            line.pieces
                .push((piece.trim_matches('\n').to_string(), *style));
        }
    }
    if !line.pieces.is_empty() || out.is_empty() {
        wrap_into(&line, width, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn columns_shrink_from_the_widest_and_use_the_room() {
        assert_eq!(fit(&[3, 4], 10), Some(vec![3, 4]));
        assert_eq!(fit(&[3, 40, 20], 30), Some(vec![3, 14, 13]));
        let widths = fit(&[30, 30, 30], 45).unwrap();
        assert_eq!(widths.iter().sum::<usize>(), 45);
        assert!(widths.iter().all(|&w| w == 15));
        assert_eq!(fit(&[30, 30, 30], 12), None, "under 5 columns each");
        assert_eq!(fit(&[2, 30], 8), Some(vec![2, 6]));
    }
}
