//! Word wrap of styled text to the terminal width, with a prefix for the first line and one
//! for the lines that continue it (list bullets, quote bars, code gutters).

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// `text` cut to `width` columns of display, ending in `…` when it was cut.
pub(crate) fn cut_to_width(text: &str, width: usize) -> String {
    if unicode_width::UnicodeWidthStr::width(text) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// How a line may be broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Break {
    /// At spaces; a word longer than the line is split.
    Words,
    /// Anywhere (code).
    Anywhere,
}

/// A logical line before wrapping.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StyledLine {
    /// Drawn before the first row.
    pub prefix: Vec<Span<'static>>,
    /// Drawn before every following row.
    pub continuation: Vec<Span<'static>>,
    /// The content: text pieces and their styles.
    pub pieces: Vec<(String, Style)>,
    /// Where rows may break.
    pub breaks: Break,
    /// A horizontal rule: `pieces` holds one character repeated to the width.
    pub rule: bool,
    /// Style of the whole row (code block background), patched under the pieces.
    pub fill: Option<Style>,
}

impl StyledLine {
    /// A line of one piece.
    pub fn plain(text: impl Into<String>, style: Style) -> StyledLine {
        StyledLine {
            prefix: Vec::new(),
            continuation: Vec::new(),
            pieces: vec![(text.into(), style)],
            breaks: Break::Words,
            rule: false,
            fill: None,
        }
    }
}

fn spans_width(spans: &[Span<'_>]) -> usize {
    spans.iter().map(ratatui::prelude::Span::width).sum()
}

/// Wraps `line` to `width` columns and appends the rows to `out`.
pub(crate) fn wrap_into(line: &StyledLine, width: usize, out: &mut Vec<Line<'static>>) {
    let width = width.max(1);
    let finish = |spans: Vec<Span<'static>>| -> Line<'static> {
        match line.fill {
            Some(fill) => Line::from(spans).style(fill),
            None => Line::from(spans),
        }
    };
    if line.rule {
        let (glyph, style) = line
            .pieces
            .first()
            .map_or(('─', Style::default()), |(t, s)| {
                (t.chars().next().unwrap_or('─'), *s)
            });
        let avail = width.saturating_sub(spans_width(&line.prefix)).max(1);
        let mut spans = line.prefix.clone();
        spans.push(Span::styled(glyph.to_string().repeat(avail), style));
        out.push(finish(spans));
        return;
    }
    let cells: Vec<(char, Style)> = line
        .pieces
        .iter()
        .flat_map(|(text, style)| text.chars().map(move |c| (c, *style)))
        .collect();
    let mut start = 0;
    let mut first = true;
    loop {
        let prefix = if first {
            &line.prefix
        } else {
            &line.continuation
        };
        let avail = width.saturating_sub(spans_width(prefix)).max(1);
        let mut used = 0;
        let mut end = start;
        let mut last_space = None;
        while end < cells.len() {
            let w = cells[end].0.width().unwrap_or(0);
            if used + w > avail {
                break;
            }
            used += w;
            if cells[end].0 == ' ' {
                last_space = Some(end + 1);
            }
            end += 1;
        }
        if end < cells.len()
            && line.breaks == Break::Words
            && cells[end].0 != ' '
            && let Some(at) = last_space.filter(|&at| at > start)
        {
            end = at;
        }
        if end == start && start < cells.len() {
            // A character wider than the row: show it alone rather than loop.
            end = start + 1;
        }
        let mut spans = prefix.clone();
        push_cells(
            &cells[start..end],
            line.breaks == Break::Words && end < cells.len(),
            &mut spans,
        );
        out.push(finish(spans));
        first = false;
        start = end;
        if line.breaks == Break::Words {
            // The spaces a row broke at do not start the next one.
            while start < cells.len() && cells[start].0 == ' ' {
                start += 1;
            }
        }
        if start >= cells.len() {
            break;
        }
    }
}

/// Appends cells as spans, one per run of one style; `trim_end` drops trailing spaces.
fn push_cells(cells: &[(char, Style)], trim_end: bool, spans: &mut Vec<Span<'static>>) {
    let mut cells = cells;
    if trim_end {
        while let Some(((' ', _), rest)) = cells.split_last() {
            cells = rest;
        }
    }
    let mut run = String::new();
    let mut run_style = None;
    for &(c, style) in cells {
        if run_style != Some(style) && !run.is_empty() {
            spans.push(Span::styled(
                std::mem::take(&mut run),
                run_style.unwrap_or_default(),
            ));
        }
        run_style = Some(style);
        run.push(c);
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, run_style.unwrap_or_default()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(line: &StyledLine, width: usize) -> Vec<String> {
        let mut out = Vec::new();
        wrap_into(line, width, &mut out);
        out.iter().map(std::string::ToString::to_string).collect()
    }

    #[test]
    fn wraps_at_words_and_splits_long_ones() {
        let line = StyledLine::plain("the quick brown fox", Style::default());
        assert_eq!(rows(&line, 10), vec!["the quick", "brown fox"]);
        let long = StyledLine::plain("abcdefghij", Style::default());
        assert_eq!(rows(&long, 4), vec!["abcd", "efgh", "ij"]);
        let mut bullet = StyledLine::plain("one two three", Style::default());
        bullet.prefix = vec![Span::raw("• ")];
        bullet.continuation = vec![Span::raw("  ")];
        assert_eq!(rows(&bullet, 9), vec!["• one two", "  three"]);
        assert_eq!(rows(&StyledLine::plain("", Style::default()), 5), vec![""]);
        assert_eq!(
            rows(&StyledLine::plain("漢字漢字", Style::default()), 3),
            vec!["漢", "字", "漢", "字"]
        );
        assert_eq!(
            rows(&StyledLine::plain("x", Style::default()), 0),
            vec!["x"]
        );
    }
}
