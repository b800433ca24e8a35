//! Code blocks: a label row (the language and the number a digit key copies), then the lines,
//! highlighted, on the code background to the full width. The text itself is never changed
//! (tabs are shown as four spaces; copying takes the source).

use super::Style;
use crate::config::theme::Role;
use crate::text::sanitize_for_terminal;
use crate::ui::highlight::LineHighlighter;
use crate::ui::wrap::{Break, StyledLine, wrap_into};
use ratatui::style::Style as Look;
use ratatui::text::{Line, Span};

/// Highlighted lines of the code block being streamed, with the highlighter's state after
/// each, so only new lines are coloured.
#[derive(Debug, Default)]
pub(crate) struct CodeCache {
    language: String,
    /// Coloured by syntect (not the fallback).
    full: bool,
    lines: Vec<CachedLine>,
}

#[derive(Debug)]
struct CachedLine {
    source: String,
    pieces: Vec<(String, Look)>,
    after: LineHighlighter,
}

/// Lays out a code block into `out`.
pub(super) fn code_rows(
    language: &str,
    text: &str,
    number: usize,
    (prefix, continuation): (Vec<Span<'static>>, Vec<Span<'static>>),
    style: &Style<'_>,
    cache: Option<&mut CodeCache>,
    out: &mut Vec<Line<'static>>,
) {
    let theme = style.theme;
    let muted = theme.style(Role::Muted);
    let code = theme.style(Role::CodeBlock);
    let mut label = prefix;
    let name = sanitize_for_terminal(language);
    let title = if name.is_empty() {
        format!("  #{number}")
    } else {
        format!("  {name}  #{number}")
    };
    label.push(Span::styled(title, muted));
    out.push(Line::from(label));
    let body = text.strip_suffix('\n').unwrap_or(text);
    let lines: Vec<&str> = if body.is_empty() {
        vec![""]
    } else {
        body.split('\n').collect()
    };
    let colour = |highlighter: &mut LineHighlighter, line: &str| {
        let safe = sanitize_for_terminal(line.strip_suffix('\r').unwrap_or(line));
        let shown = safe.replace('\t', "    ");
        highlighter.line(&shown, theme)
    };
    let mut highlighter = LineHighlighter::new(language);
    let coloured: Vec<Vec<(String, Look)>> = match cache {
        Some(cache) => {
            if cache.language != language || cache.full != highlighter.is_full() {
                *cache = CodeCache {
                    language: language.to_string(),
                    full: highlighter.is_full(),
                    lines: Vec::new(),
                };
            }
            let same = cache
                .lines
                .iter()
                .zip(&lines)
                .take_while(|(cached, line)| cached.source == **line)
                .count();
            cache.lines.truncate(same);
            if let Some(last) = cache.lines.last() {
                highlighter = last.after.clone();
            }
            for line in &lines[same..] {
                let pieces = colour(&mut highlighter, line);
                cache.lines.push(CachedLine {
                    source: (*line).to_string(),
                    pieces,
                    after: highlighter.clone(),
                });
            }
            cache.lines.iter().map(|l| l.pieces.clone()).collect()
        }
        None => lines
            .iter()
            .map(|line| colour(&mut highlighter, line))
            .collect(),
    };
    let mut gutter = continuation;
    gutter.push(Span::styled("  ", code));
    let gutter_width: usize = gutter.iter().map(Span::width).sum();
    let inner = style.width.saturating_sub(gutter_width).max(1);
    for pieces in coloured {
        let line = StyledLine {
            prefix: gutter.clone(),
            continuation: gutter.clone(),
            pieces,
            breaks: Break::Anywhere,
            rule: false,
            fill: None,
        };
        let start = out.len();
        wrap_into(&line, style.width, out);
        // The background runs to the right edge.
        for row in &mut out[start..] {
            let used = row.width().saturating_sub(gutter_width);
            if used < inner {
                row.spans.push(Span::styled(" ".repeat(inner - used), code));
            }
        }
    }
}
