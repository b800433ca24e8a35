//! Streaming-safe markdown: answers are rendered one line at a time with a small block state
//! (inside a fenced code block or not), so a line never changes once its newline has arrived
//! and earlier lines are never laid out again. Headings, emphasis, inline code, links, lists,
//! quotes, rules, tables (as text) and fenced code with syntax highlighting.

use super::highlight::highlight;
use super::wrap::{Break, StyledLine};
use crate::config::theme::{Role, Theme};
use ratatui::style::Style;
use ratatui::text::Span;

/// What carries over from one line to the next.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BlockState {
    /// Inside a fenced code block: the fence (```` ``` ```` or `~~~`, its length) and language.
    code: Option<(char, usize, String)>,
    /// Code blocks opened so far: each opening fence shows its number, the one a digit key
    /// copies in transcript focus.
    code_blocks: usize,
    /// The line is the end of an answer still streaming: an opened `**` or `` ` `` whose
    /// closing marker has not arrived yet styles the rest of the line, so the markers do not
    /// flash up and vanish a moment later.
    pub open_ended: bool,
}

impl BlockState {
    /// Whether the next line is inside a code block.
    #[cfg(test)]
    fn in_code(&self) -> bool {
        self.code.is_some()
    }
}

fn fence_of(line: &str) -> Option<(char, usize, &str)> {
    let trimmed = line.trim_start();
    let c = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = trimmed.chars().take_while(|d| *d == c).count();
    (len >= 3).then(|| (c, len, trimmed[len..].trim()))
}

/// Renders one source line (without its newline); untrusted text must be sanitized first.
pub(crate) fn render_line(line: &str, state: &mut BlockState, theme: &Theme) -> StyledLine {
    let muted = theme.style(Role::Muted);
    if let Some((fence, len, lang)) = &state.code {
        if let Some((c, l, rest)) = fence_of(line)
            && c == *fence
            && l >= *len
            && rest.is_empty()
        {
            state.code = None;
            return StyledLine::plain(line.trim_start().to_string(), muted);
        }
        let mut styled = StyledLine {
            prefix: vec![Span::styled("  ", theme.style(Role::CodeBlock))],
            continuation: vec![Span::styled("  ", theme.style(Role::CodeBlock))],
            pieces: highlight(line, lang, theme),
            breaks: Break::Anywhere,
            rule: false,
            fill: Some(theme.style(Role::CodeBlock)),
        };
        if styled.pieces.is_empty() {
            styled
                .pieces
                .push((String::new(), theme.style(Role::CodeBlock)));
        }
        return styled;
    }
    if let Some((c, len, lang)) = fence_of(line) {
        state.code = Some((c, len, lang.to_string()));
        state.code_blocks += 1;
        let mut opening = StyledLine::plain(line.trim_start().to_string(), muted);
        opening
            .pieces
            .push((format!("  #{}", state.code_blocks), muted));
        return opening;
    }
    let text_style = theme.style(Role::Text);
    let trimmed = line.trim_start();
    let indent = line.len() - trimmed.len();
    // Heading.
    let hashes = trimmed.chars().take_while(|c| *c == '#').count();
    if (1..=6).contains(&hashes) && trimmed[hashes..].starts_with(' ') {
        let style = text_style.patch(theme.style(Role::Heading));
        return StyledLine {
            pieces: inline_at(trimmed, style, theme, state.open_ended),
            ..StyledLine::plain("", style)
        };
    }
    // Horizontal rule.
    let compact: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() >= 3
        && (compact.chars().all(|c| c == '-')
            || compact.chars().all(|c| c == '*')
            || compact.chars().all(|c| c == '_'))
    {
        let mut rule = StyledLine::plain("─", muted);
        rule.rule = true;
        return rule;
    }
    // Block quote.
    if let Some(rest) = trimmed.strip_prefix('>') {
        let style = text_style.patch(theme.style(Role::Quote));
        let bar = vec![Span::styled("│ ", muted)];
        return StyledLine {
            prefix: bar.clone(),
            continuation: bar,
            pieces: inline_at(
                rest.strip_prefix(' ').unwrap_or(rest),
                style,
                theme,
                state.open_ended,
            ),
            ..StyledLine::plain("", style)
        };
    }
    // Lists.
    let pad = " ".repeat(indent.min(16));
    let bullet = ["- ", "* ", "+ "]
        .iter()
        .find_map(|b| trimmed.strip_prefix(b));
    if let Some(rest) = bullet {
        return StyledLine {
            prefix: vec![
                Span::raw(pad.clone()),
                Span::styled("• ", theme.style(Role::Accent)),
            ],
            continuation: vec![Span::raw(format!("{pad}  "))],
            pieces: inline_at(rest, text_style, theme, state.open_ended),
            ..StyledLine::plain("", text_style)
        };
    }
    let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
    if (1..=9).contains(&digits)
        && (trimmed[digits..].starts_with(". ") || trimmed[digits..].starts_with(") "))
    {
        let marker = &trimmed[..digits + 2];
        return StyledLine {
            prefix: vec![
                Span::raw(pad.clone()),
                Span::styled(marker.to_string(), theme.style(Role::Accent)),
            ],
            continuation: vec![Span::raw(format!("{pad}{}", " ".repeat(marker.len())))],
            pieces: inline_at(&trimmed[digits + 2..], text_style, theme, state.open_ended),
            ..StyledLine::plain("", text_style)
        };
    }
    // Tables stay text; their rules and pipes are muted.
    if trimmed.starts_with('|') {
        let is_rule = trimmed.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '));
        if is_rule {
            return StyledLine::plain(line.to_string(), muted);
        }
        let mut pieces = Vec::new();
        for (i, cell) in line.split('|').enumerate() {
            if i > 0 {
                pieces.push(("|".to_string(), muted));
            }
            pieces.extend(inline_at(cell, text_style, theme, state.open_ended));
        }
        return StyledLine {
            pieces,
            breaks: Break::Anywhere,
            ..StyledLine::plain("", text_style)
        };
    }
    StyledLine {
        pieces: inline_at(line, text_style, theme, state.open_ended),
        ..StyledLine::plain("", text_style)
    }
}

/// Inline markdown: `code`, **strong**, *emphasis*, _emphasis_, [links](url). Markers without
/// a partner on the same line stay literal, so a half-streamed line shows them as typed.
pub fn inline(text: &str, base: Style, theme: &Theme) -> Vec<(String, Style)> {
    inline_at(text, base, theme, false)
}

/// `inline`, where `open_ended` styles an unclosed `**` or `` ` `` to the end of the text.
fn inline_at(text: &str, base: Style, theme: &Theme, open_ended: bool) -> Vec<(String, Style)> {
    let mut out: Vec<(String, Style)> = Vec::new();
    let mut literal = String::new();
    let flush = |literal: &mut String, out: &mut Vec<(String, Style)>| {
        if !literal.is_empty() {
            out.push((std::mem::take(literal), base));
        }
    };
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let Some(c) = rest.chars().next() else { break };
        let before = text[..i].chars().next_back();
        let word_before = before.is_some_and(char::is_alphanumeric);
        let found = match c {
            '`' => match rest[1..].find('`') {
                Some(end) => Some((
                    end + 2,
                    vec![(rest[1..=end].to_string(), theme.style(Role::Code))],
                )),
                None if open_ended && rest.len() > 1 => Some((
                    rest.len(),
                    vec![(rest[1..].to_string(), theme.style(Role::Code))],
                )),
                None => None,
            },
            '*' | '_' if rest.len() > 2 && rest[1..].starts_with(c) => {
                let marker = &rest[..2];
                let style = base.patch(theme.style(Role::Strong));
                let opens = !rest[2..].starts_with(' ') && (c == '*' || !word_before);
                match rest[2..].find(marker).filter(|&end| end > 0 && opens) {
                    Some(end) => Some((end + 4, inline_at(&rest[2..end + 2], style, theme, false))),
                    None if open_ended && opens && !rest[2..].contains(marker) => {
                        Some((rest.len(), inline_at(&rest[2..], style, theme, true)))
                    }
                    None => None,
                }
            }
            '*' | '_' => {
                let inner = &rest[1..];
                inner
                    .find(c)
                    .filter(|&end| {
                        end > 0 && !inner.starts_with(' ') && !inner[..end].ends_with(' ')
                    })
                    .filter(|&end| {
                        c == '*'
                            || (!word_before
                                && !inner[end + 1..]
                                    .chars()
                                    .next()
                                    .is_some_and(char::is_alphanumeric))
                    })
                    .map(|end| {
                        let style = base.patch(theme.style(Role::Emphasis));
                        (end + 2, inline_at(&inner[..end], style, theme, false))
                    })
            }
            '[' => rest.find("](").and_then(|mid| {
                let close = rest[mid + 2..].find(')')?;
                let label = &rest[1..mid];
                let url = &rest[mid + 2..mid + 2 + close];
                let mut parts = vec![(label.to_string(), base.patch(theme.style(Role::Link)))];
                if !url.is_empty() && url != label {
                    parts.push((format!(" ({url})"), theme.style(Role::Muted)));
                }
                Some((mid + 3 + close, parts))
            }),
            _ => None,
        };
        if let Some((consumed, parts)) = found {
            flush(&mut literal, &mut out);
            out.extend(parts);
            i += consumed;
        } else {
            literal.push(c);
            i += c.len_utf8();
        }
    }
    flush(&mut literal, &mut out);
    if out.is_empty() {
        out.push((String::new(), base));
    }
    out
}

/// The fenced code blocks of a text, in order (their content, without the fences); an
/// unterminated last block counts as far as it goes. Numbered from 1 as the transcript shows.
pub(crate) fn code_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<((char, usize), Vec<&str>)> = None;
    for line in text.lines() {
        match (&mut current, fence_of(line)) {
            (Some(((c, l), body)), Some((fc, fl, rest)))
                if fc == *c && fl >= *l && rest.is_empty() =>
            {
                blocks.push(body.join("\n"));
                current = None;
            }
            (Some((_, body)), _) => body.push(line),
            (None, Some((c, l, _))) => current = Some(((c, l), Vec::new())),
            (None, None) => {}
        }
    }
    if let Some((_, body)) = current {
        blocks.push(body.join("\n"));
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(line: &StyledLine) -> String {
        let prefix: String = line.prefix.iter().map(|s| s.content.to_string()).collect();
        let body: String = line.pieces.iter().map(|(t, _)| t.as_str()).collect();
        prefix + &body
    }

    #[test]
    fn blocks_render_line_by_line() {
        let theme = Theme::default();
        let mut state = BlockState::default();
        let source = "# Title\n- item **bold**\n1. first\n> quoted\n---\n```rust\nlet x = 1;\n```\n| a | b |\nplain `code` and _em_ and snake_case_name";
        let lines: Vec<StyledLine> = source
            .lines()
            .map(|l| render_line(l, &mut state, &theme))
            .collect();
        assert_eq!(text_of(&lines[0]), "# Title");
        assert_eq!(
            lines[0].pieces[0].1,
            theme.style(Role::Text).patch(theme.style(Role::Heading))
        );
        assert_eq!(text_of(&lines[1]), "• item bold");
        assert_eq!(text_of(&lines[2]), "1. first");
        assert_eq!(text_of(&lines[3]), "│ quoted");
        assert!(lines[4].rule);
        assert!(lines[6].fill.is_some(), "code line");
        assert!(!state.in_code(), "fence closed");
        assert!(text_of(&lines[8]).contains("| a | b |"));
        assert_eq!(text_of(&lines[9]), "plain code and em and snake_case_name");
    }

    #[test]
    fn unclosed_markers_stay_literal() {
        let theme = Theme::default();
        let parts = inline("half **streamed", Style::default(), &theme);
        let text: String = parts.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(text, "half **streamed");
        let parts = inline("a [link](http://x) `open", Style::default(), &theme);
        let text: String = parts.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(text, "a link (http://x) `open");
        for tricky in ["*", "**", "`", "[", "[x](", "_a_b", "** **", "é*é*"] {
            inline(tricky, Style::default(), &theme);
            inline_at(tricky, Style::default(), &theme, true);
        }
    }

    #[test]
    fn a_streaming_line_styles_an_opened_marker_without_showing_it() {
        let theme = Theme::default();
        let parts = inline_at("half **stre", Style::default(), &theme, true);
        let text: String = parts.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(text, "half stre");
        assert_eq!(parts.last().unwrap().1, theme.style(Role::Strong));
        let parts = inline_at("run `cargo te", Style::default(), &theme, true);
        assert_eq!(
            parts.last().unwrap(),
            &("cargo te".to_string(), theme.style(Role::Code))
        );
        // A lone marker with nothing after it yet, or a spaced one, stays literal.
        let text: String = inline_at("a ** b", Style::default(), &theme, true)
            .iter()
            .map(|(t, _)| t.as_str())
            .collect();
        assert_eq!(text, "a ** b");
    }

    #[test]
    fn finds_the_last_code_block() {
        let text = "intro\n```py\nprint(1)\n```\nmid\n~~~\nlast\nblock\n~~~\n";
        assert_eq!(
            code_blocks(text).last().map(String::as_str),
            Some("last\nblock")
        );
        assert_eq!(code_blocks("```\nopen"), ["open"]);
        assert!(code_blocks("none").is_empty());
    }
}
