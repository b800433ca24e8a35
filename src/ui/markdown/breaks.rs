//! Whether a paragraph's single newlines are meant (a poem, an address, one step per line) or
//! are where someone's editor wrapped the text at a width (then they read better as spaces,
//! flowing to the terminal's width). The test is the one a greedy wrapper leaves behind: every
//! line but the last is followed by a word that would not have fitted on it.

use crate::config::Breaks;
use unicode_width::UnicodeWidthStr;

/// Wrapped text narrower than this is taken as meant: short lines are a poem or a list more
/// often than a column of prose.
const NARROWEST_WRAP: usize = 40;

/// Whether the single newlines of the block whose source is `source` become spaces. `item`:
/// the block is a list item, whose own text ends where a nested block begins (its source
/// holds every item nested in it: reading only its own lines keeps deep lists linear).
pub(super) fn joins(breaks: Breaks, source: &str, item: bool) -> bool {
    match breaks {
        Breaks::Keep => false,
        Breaks::Soft => true,
        Breaks::Auto if item => looks_wrapped(own_text(source)),
        Breaks::Auto => looks_wrapped(source),
    }
}

/// A list item's own first lines: up to a blank line or a line that starts another item.
fn own_text(source: &str) -> &str {
    let mut end = 0;
    for (i, line) in source.split_inclusive('\n').enumerate() {
        let bare = line.trim();
        let starts_item = i > 0 && !std::ptr::eq(without_markers(bare, true), bare);
        if i > 0 && (bare.is_empty() || starts_item) {
            break;
        }
        end += line.len();
    }
    &source[..end]
}

/// True when every line of `source` but the last ends where the next line's first word would
/// not have fitted within the widest line, and that line is at least [`NARROWEST_WRAP`] wide.
/// Text with wide (CJK) characters at a break is never joined: it wraps without spaces, and a
/// space would be added where none belongs.
pub(super) fn looks_wrapped(source: &str) -> bool {
    let lines: Vec<&str> = source
        .lines()
        .enumerate()
        .map(|(i, line)| without_markers(line, i == 0))
        .filter(|line| !line.is_empty())
        .collect();
    if lines.len() < 2 {
        return false;
    }
    let widths: Vec<usize> = lines.iter().map(|l| l.width()).collect();
    let widest = widths.iter().copied().max().unwrap_or(0);
    if widest < NARROWEST_WRAP {
        return false;
    }
    lines.windows(2).zip(&widths).all(|(pair, &width)| {
        let (line, next) = (pair[0], pair[1]);
        let first_word = next.split_whitespace().next().unwrap_or("");
        let wide_at_break = [line.chars().last(), next.chars().next()]
            .into_iter()
            .flatten()
            .any(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) > 1);
        !wide_at_break && width + 1 + first_word.width() > widest
    })
}

/// A line without what frames it: indentation, quote bars, and on a block's first line a list
/// marker (`- `, `* `, `+ `, `1. `, `1) `).
fn without_markers(line: &str, first: bool) -> &str {
    let line = line.trim_start_matches([' ', '\t', '>']).trim_end();
    if !first {
        return line;
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &line[digits..];
    let marker = if digits > 0 {
        rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") "))
    } else {
        rest.strip_prefix("- ")
            .or_else(|| rest.strip_prefix("* "))
            .or_else(|| rest.strip_prefix("+ "))
    };
    marker.map_or(line, str::trim_start)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRAPPED: &str = "Amazon Bedrock is a fully managed service that offers a choice of\n\
        high-performing foundation models from leading AI companies through a\n\
        single API, along with a broad set of capabilities.";

    #[test]
    fn prose_wrapped_at_a_width_is_joined() {
        assert!(looks_wrapped(WRAPPED));
        assert!(looks_wrapped(&format!(
            "- {}",
            WRAPPED.replace('\n', "\n  ")
        )));
        assert!(looks_wrapped(&format!(
            "> {}",
            WRAPPED.replace('\n', "\n> ")
        )));
    }

    #[test]
    fn meant_newlines_are_kept() {
        // Short lines: a poem, an address.
        assert!(!looks_wrapped(
            "Roses are red,\nViolets are blue,\nBedrock streams\nAnd so do you."
        ));
        assert!(!looks_wrapped(
            "Amazon Web Services\n410 Terry Avenue North\nSeattle, WA 98109"
        ));
        // Long lines where the next word would have fitted: one sentence per line.
        assert!(!looks_wrapped(
            "First, open the console and choose the region you work in today.\n\
             Then enable model access.\n\
             Finally, call InvokeModel with the model's native request body."
        ));
        // One line has no break to judge.
        assert!(!looks_wrapped(
            "A single line of a paragraph that is long enough to count."
        ));
        // CJK wraps without spaces: never joined with one.
        assert!(!looks_wrapped(
            "基盤モデルを選んで、APIを通じて利用できるフルマネージドサービスです。これは長い文章で\n\
             す。さらに続きます。"
        ));
    }

    #[test]
    fn the_setting_decides_first() {
        assert!(!joins(Breaks::Keep, WRAPPED, false));
        assert!(joins(
            Breaks::Soft,
            "Roses are red,\nViolets are blue,",
            false
        ));
        assert!(joins(Breaks::Auto, WRAPPED, false));
        assert!(!joins(
            Breaks::Auto,
            "Roses are red,\nViolets are blue,",
            false
        ));
    }

    #[test]
    fn a_list_item_is_judged_by_its_own_lines() {
        let item = format!(
            "- {}\n  - a short nested item\n  - another",
            WRAPPED.replace('\n', "\n  ")
        );
        assert_eq!(own_text(&item).lines().count(), 3);
        assert!(joins(Breaks::Auto, &item, true));
        assert_eq!(own_text("1. one\n2. two").lines().count(), 1);
    }
}
