//! The unfinished end of a streaming answer, settled so it shows no state it will leave a
//! token later: a last partial line of markup only (`-`, `**`, `|--`, a fence being typed) is
//! held back until it means something; a table's header row waits for its delimiter row; an
//! opened `**`, `*`, `~~` or `` ` `` is closed for the parser, so it styles what follows
//! instead of showing its markers until its partner arrives.

use std::borrow::Cow;

/// `tail` as the parser should see it while more text may follow.
pub(super) fn settle(tail: &str) -> Cow<'_, str> {
    let mut text = Cow::Borrowed(tail);
    // A partial last line without a letter or digit is markup still being typed.
    let line_start = text.rfind('\n').map_or(0, |i| i + 1);
    let partial = &text[line_start..];
    if !partial.is_empty() && !partial.chars().any(char::is_alphanumeric) {
        text = Cow::Owned(text[..line_start].to_string());
    }
    if crate::text::open_fence(&text).is_some() {
        return text;
    }
    // A lone table header row (no delimiter row yet) would show as a paragraph of pipes.
    let block_start = text
        .trim_end_matches('\n')
        .rfind("\n\n")
        .map_or(0, |i| i + 2);
    let block = &text[block_start..];
    let header_only = {
        let mut lines = block.lines().filter(|l| !l.trim().is_empty());
        let first = lines.next();
        first.is_some_and(|l| l.trim_start().starts_with('|')) && lines.next().is_none()
    };
    if header_only {
        return Cow::Owned(text[..block_start].to_string());
    }
    // A marker at the very end has nothing to style yet: it waits for the next token.
    let kept = text.trim_end_matches(['*', '`', '~']).len();
    let closers = closers(&text[block_start.min(kept)..kept]);
    if kept == text.len() && closers.is_empty() {
        return text;
    }
    let mut owned = text[..kept].to_string();
    if !closers.is_empty() {
        // A closer after a space closes nothing.
        owned.truncate(owned.trim_end().len());
    }
    owned.push_str(&closers);
    Cow::Owned(owned)
}

/// The markers that close what `block` (the last paragraph) left open, innermost first.
fn closers(block: &str) -> String {
    let chars: Vec<char> = block.chars().collect();
    let mut open: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            i += 2;
            continue;
        }
        if !matches!(c, '*' | '`' | '~') {
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|d| **d == c).count();
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + run).copied();
        let marker: String = std::iter::repeat_n(c, run).collect();
        let in_code = open.last().is_some_and(|m| m.starts_with('`'));
        if c == '`' {
            if open.last() == Some(&marker) {
                open.pop();
            } else if !in_code {
                open.push(marker);
            }
        } else if !(in_code || c == '~' && run != 2) {
            let line_start = before.is_none_or(|b| b == '\n')
                || chars[..i]
                    .iter()
                    .rev()
                    .take_while(|d| **d != '\n')
                    .all(|d| d.is_whitespace());
            let bullet = c == '*' && run == 1 && line_start && after == Some(' ');
            if !bullet {
                let closes = before.is_some_and(|b| !b.is_whitespace());
                let opens = after.is_some_and(|a| !a.is_whitespace());
                if closes && open.last() == Some(&marker) {
                    open.pop();
                } else if opens {
                    open.push(marker);
                }
            }
        }
        i += run;
    }
    open.iter().rev().map(String::as_str).collect()
}

#[cfg(test)]
mod tests {
    use super::settle;

    #[test]
    fn open_markers_are_closed_and_partial_markup_waits() {
        assert_eq!(settle("half **stre"), "half **stre**");
        assert_eq!(settle("run `cargo te"), "run `cargo te`");
        assert_eq!(settle("**bold *both"), "**bold *both***");
        assert_eq!(settle("done **bold** and"), "done **bold** and");
        assert_eq!(settle("a ** b"), "a ** b");
        assert_eq!(settle("half **"), "half ");
        assert_eq!(settle("text\n-"), "text\n");
        assert_eq!(settle("para\n\n| a | b |\n"), "para\n\n");
        assert_eq!(
            settle("| a | b |\n|---|---|\n| 1"),
            "| a | b |\n|---|---|\n| 1"
        );
        assert_eq!(settle("```rust\nlet x = **y"), "```rust\nlet x = **y");
        assert_eq!(settle("* item *emph"), "* item *emph*");
        assert_eq!(settle("~~gone"), "~~gone~~");
        assert_eq!(settle("snake_case_name"), "snake_case_name");
    }
}
