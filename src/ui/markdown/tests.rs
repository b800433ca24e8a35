//! Tests of the Markdown renderer: blocks, tables, code, pictures and the streaming tail laid out
//! as the transcript shows them.

use super::*;
use crate::config::theme::{Role, Theme};
use crate::text::markdown::code_blocks;
use ratatui::style::Modifier;

fn style(theme: &Theme, width: usize) -> Style<'_> {
    Style {
        theme,
        width,
        options: MarkdownOptions::default(),
        pictures_dir: None,
        picture_sizes: None,
    }
}

fn text_of(rows: &[Line<'_>]) -> Vec<String> {
    rows.iter()
        .map(|row| row.to_string().trim_end().to_string())
        .collect()
}

fn rows(source: &str, width: usize) -> Vec<String> {
    let theme = Theme::default();
    text_of(&lay_out(source, &style(&theme, width)))
}

/// The style of the first cell showing `needle`.
fn look_of(source: &str, needle: &str) -> ratatui::style::Style {
    let theme = Theme::default();
    for row in lay_out(source, &style(&theme, 80)) {
        for span in &row.spans {
            if span.content.contains(needle) {
                return row.style.patch(span.style);
            }
        }
    }
    panic!("{needle:?} not shown in {source:?}");
}

#[test]
fn emphasis_nests_and_escapes_are_honoured() {
    assert_eq!(rows("***both*** and \\*not\\*", 80), ["both and *not*"]);
    let both = look_of("***both***", "both");
    assert!(both.add_modifier.contains(Modifier::BOLD), "{both:?}");
    assert!(both.add_modifier.contains(Modifier::ITALIC), "{both:?}");
    let strike = look_of("~~gone~~ stays", "gone");
    assert!(strike.add_modifier.contains(Modifier::CROSSED_OUT));
    assert_eq!(
        rows("~~gone~~ and snake_case_name", 80),
        ["gone and snake_case_name"]
    );
}

#[test]
fn headings_lose_their_marks_unless_asked() {
    assert_eq!(rows("# Title\n\n### Third", 80), ["Title", "", "Third"]);
    let theme = Theme::default();
    let with_marks = Style {
        theme: &theme,
        width: 80,
        options: MarkdownOptions {
            heading_marks: true,
            ..MarkdownOptions::default()
        },
        pictures_dir: None,
        picture_sizes: None,
    };
    assert_eq!(text_of(&lay_out("## Two", &with_marks)), ["## Two"]);
    let h1 = look_of("# Title", "Title");
    assert!(h1.add_modifier.contains(Modifier::UNDERLINED));
}

#[test]
fn links_show_their_url_once() {
    assert_eq!(
        rows(
            "see [the docs](https://example.com/a) and <https://aws.amazon.com>",
            80
        ),
        ["see the docs (https://example.com/a) and https://aws.amazon.com"]
    );
    assert_eq!(rows("<me@example.com>", 80), ["me@example.com"]);
}

#[test]
fn lists_nest_and_number() {
    let source = "1. one\n2. two\n   - inner\n     - deeper\n3. three\n\n- [x] done\n- [ ] open";
    assert_eq!(
        rows(source, 80),
        [
            "1. one",
            "2. two",
            "   ◦ inner",
            "     ▪ deeper",
            "3. three",
            "",
            "• ☑ done",
            "• ☐ open"
        ]
    );
    // A loose list keeps a blank row between items; an item's wrapped lines are indented.
    assert_eq!(
        rows("- first item here\n\n- second", 12),
        ["• first item", "  here", "", "• second"]
    );
    assert_eq!(
        rows("7. seventh\n8. eighth", 80),
        ["7. seventh", "8. eighth"]
    );
}

#[test]
fn quotes_carry_their_bar_through_blank_rows() {
    assert_eq!(
        rows("> one\n>\n> two\n\nafter", 80),
        ["│ one", "│", "│ two", "", "after"]
    );
    assert_eq!(
        rows("> [!WARNING]\n> careful", 80),
        ["│ Warning", "│ careful"]
    );
}

#[test]
fn tables_are_drawn_with_lines_and_fall_back_when_narrow() {
    let source = "| Model | Price |\n|:------|------:|\n| Haiku | $1 |\n| Sonnet 4.5 | $3 |";
    assert_eq!(
        rows(source, 80),
        [
            "┌────────────┬───────┐",
            "│ Model      │ Price │",
            "├────────────┼───────┤",
            "│ Haiku      │    $1 │",
            "│ Sonnet 4.5 │    $3 │",
            "└────────────┴───────┘",
        ]
    );
    // Shrunk: the wide column wraps at words.
    let wide = "| a | b |\n|---|---|\n| short | a much longer cell that wraps |";
    let narrow = rows(wide, 24);
    assert!(narrow.iter().all(|r| r.chars().count() <= 24), "{narrow:?}");
    assert!(narrow.iter().any(|r| r.contains("a much")), "{narrow:?}");
    assert!(narrow[0].starts_with('┌'), "{narrow:?}");
    // Too narrow for columns at all: header: value records.
    let records = rows(source, 12);
    assert_eq!(
        records,
        [
            "Model: Haiku",
            "Price: $1",
            "",
            "Model:",
            "  Sonnet 4.5",
            "Price: $3"
        ]
    );
    // No pipes or dashes are left of the source.
    assert!(!rows(source, 80).iter().any(|r| r.contains("|-")));
}

#[test]
fn a_line_break_in_a_cell_makes_it_taller() {
    let source = "| a | b |\n|---|---|\n| one<br>two | x |";
    let out = rows(source, 40);
    assert!(out.contains(&"│ one │ x │".to_string()), "{out:?}");
    assert!(out.contains(&"│ two │   │".to_string()), "{out:?}");
}

#[test]
fn code_blocks_keep_their_text_and_numbers() {
    let source =
        "intro\n\n```rust\nfn main() {\n\tlet x = 1;\n}\n```\n\n    indented\n\n~~~\nlast\n~~~";
    let out = rows(source, 40);
    assert!(out.contains(&"  rust  #1".to_string()), "{out:?}");
    assert!(out.contains(&"      let x = 1;".to_string()), "{out:?}");
    assert!(out.contains(&"  #2".to_string()), "{out:?}");
    assert!(out.contains(&"  #3".to_string()), "{out:?}");
    assert_eq!(
        code_blocks(source),
        ["fn main() {\n\tlet x = 1;\n}", "indented", "last"]
    );
    assert_eq!(code_blocks("```\nopen"), ["open"]);
    assert!(code_blocks("none").is_empty());
    // The background runs to the edge.
    let theme = Theme::default();
    let laid = lay_out("```\nx\n```", &style(&theme, 20));
    assert_eq!(laid[1].width(), 20);
}

#[test]
fn escape_sequences_never_pass_through() {
    for source in [
        "\u{1b}[31mred",
        "&#27;[2J",
        "`\u{1b}]0;title\u{7}`",
        "```\n\u{1b}[1m\n```",
        "[x](http://a/\u{1b}[5m)",
        "| \u{1b}[31m | b |\n|---|---|\n| c | d |",
    ] {
        let theme = Theme::default();
        for row in lay_out(source, &style(&theme, 40)) {
            for span in row.spans {
                assert!(
                    !span.content.chars().any(char::is_control),
                    "{source:?} gave {:?}",
                    span.content
                );
            }
        }
    }
}

#[test]
fn footnotes_and_rules() {
    let out = rows("text[^1]\n\n---\n\n[^1]: the note", 40);
    assert_eq!(
        out,
        [
            "text[1]",
            "",
            "────────────────────────────────────────",
            "",
            "[1] the note"
        ]
    );
}

/// Streams `source` a few characters at a time and checks every frame: finished rows never
/// change, and no Markdown marker ever shows.
fn stream_is_steady(source: &str, width: usize) {
    let theme = Theme::default();
    let style = style(&theme, width);
    let mut document = Document::default();
    let mut previous: Vec<String> = Vec::new();
    let mut finished = 0;
    let chars: Vec<char> = source.chars().collect();
    for end in 1..=chars.len() {
        let text: String = chars[..end].iter().collect();
        document.update(&text, true, false, &style);
        let now = text_of(&document.rows);
        assert_eq!(
            now[..finished],
            previous[..finished],
            "finished rows changed at {text:?}"
        );
        let all: Vec<String> = now
            .iter()
            .chain(&text_of(&document.tail))
            .cloned()
            .collect();
        for row in &all {
            for marker in ["**", "~~", "`", "|-", "[x]("] {
                assert!(
                    !row.contains(marker),
                    "{marker:?} shown at {text:?}: {all:?}"
                );
            }
        }
        finished = now.len();
        previous = now;
    }
    document.update(source, false, false, &style);
    let done = text_of(&document.rows);
    assert_eq!(
        done,
        rows(source, width),
        "the finished answer as laid out whole"
    );
}

#[test]
fn a_streamed_answer_never_flickers() {
    stream_is_steady(
        "Here is **bold text** and `inline code`, then ~~struck~~ words.\n\n\
         - a list item with *emphasis*\n- another **one**\n\n\
         | Name | Value |\n|------|-------|\n| x | 1 |\n| y | 2 |\n\n\
         ```python\ndef f(x):\n    return x * 2\n```\n\nDone.",
        40,
    );
}

#[test]
fn styles_come_from_the_theme() {
    let theme = Theme::default();
    assert_eq!(
        look_of("`code`", "code").fg,
        theme.style(Role::Code).fg,
        "inline code"
    );
}

#[test]
fn a_cut_answer_shows_no_dangling_marker() {
    let theme = Theme::default();
    let mut document = Document::default();
    document.update("Here are **thre", false, true, &style(&theme, 40));
    assert_eq!(text_of(&document.rows), ["Here are thre"]);
}

#[test]
fn deep_nesting_is_cut_to_a_few_levels() {
    let quotes = format!("{} deep", ">".repeat(5_000));
    let out = rows(&quotes, 80);
    assert!(
        out.iter().all(|r| r.chars().count() <= 80),
        "{:?}",
        &out[..1]
    );
    let mut lists = String::new();
    for depth in 0..2_000 {
        lists.push_str(&"  ".repeat(depth));
        lists.push_str("- level\n");
    }
    let out = rows(&lists, 80);
    assert!(out.iter().all(|r| r.chars().count() <= 80));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    #[test]
    fn any_text_streamed_or_whole_lays_out(
        text in "[-*_`~#>|:\\[\\]()!<>a-z0-9 \\n\\t\\\\]{0,300}",
        width in 1usize..90,
    ) {
        let theme = Theme::default();
        let style = style(&theme, width);
        let mut document = Document::default();
        let mut end = 0;
        while end < text.len() {
            end = (end + 7).min(text.len());
            document.update(&text[..end], true, false, &style);
        }
        document.update(&text, false, false, &style);
        document.update(&text, false, true, &style);
        let _ = code_blocks(&text);
    }
}

#[test]
fn hard_wrapped_paragraphs_flow_to_the_width_and_meant_lines_stay() {
    use crate::config::Breaks;
    let wrapped = "Amazon Bedrock is a fully managed service that offers a choice of\n\
                   high-performing foundation models from leading AI companies.";
    let theme = Theme::default();
    let with = |breaks: crate::config::Breaks, source: &str| {
        let style = Style {
            theme: &theme,
            width: 50,
            options: MarkdownOptions {
                breaks,
                ..MarkdownOptions::default()
            },
            pictures_dir: None,
            picture_sizes: None,
        };
        text_of(&lay_out(source, &style))
    };
    // auto (the default): the paragraph flows; no ragged short row after each source line.
    assert_eq!(
        with(Breaks::Auto, wrapped),
        [
            "Amazon Bedrock is a fully managed service that",
            "offers a choice of high-performing foundation",
            "models from leading AI companies."
        ]
    );
    // keep: each source line starts a row.
    assert_eq!(with(Breaks::Keep, wrapped)[1], "offers a choice of");
    // A poem keeps its lines under auto, and flows under soft.
    let poem = "Roses are red,\nViolets are blue,";
    assert_eq!(
        with(Breaks::Auto, poem),
        ["Roses are red,", "Violets are blue,"]
    );
    assert_eq!(
        with(Breaks::Soft, poem),
        ["Roses are red, Violets are blue,"]
    );
    // A list item wrapped with its indentation flows too.
    let item = format!("- {}", wrapped.replace('\n', "\n  "));
    assert_eq!(
        with(Breaks::Auto, &item).len(),
        3,
        "{:?}",
        with(Breaks::Auto, &item)
    );
    // Two trailing spaces are a hard break in every setting.
    let hard = wrapped.replacen('\n', "  \n", 1);
    assert_eq!(with(Breaks::Soft, &hard)[1], "offers a choice of");
}
