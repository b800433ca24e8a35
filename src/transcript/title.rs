//! Titles of saved conversations made from their first prompt.

/// Longest title made from a prompt, in characters (an ellipsis follows a cut).
const TITLE_CHARS: usize = 50;

/// A short title from the first prompt: its first line of prose (code fences and Markdown
/// markers skipped), its first sentence when that says enough, at most 50 characters cut at
/// a word.
pub(crate) fn title_from_prompt(prompt: &str) -> String {
    let prose = |l: &&str| l.chars().any(char::is_alphanumeric);
    let unmark = |l: &str| {
        l.trim()
            .trim_start_matches(['#', '>', '-', '*', '+'])
            .trim()
            .to_string()
    };
    // Lines of code blocks are skipped, unless the prompt has nothing else.
    let mut fences = crate::text::Fences::default();
    let line = prompt
        .lines()
        .filter(|l| {
            // A fence line belongs to its block: in code before it (a close) or after (an open).
            let before = fences.in_code();
            fences.read(l);
            !before && !fences.in_code()
        })
        .map(unmark)
        .find(|l| prose(&l.as_str()))
        .or_else(|| prompt.lines().map(unmark).find(|l| prose(&l.as_str())))
        .unwrap_or_else(|| "untitled".to_string());
    let cleaned = crate::text::sanitize_for_terminal(&line);
    // The first sentence, when it has a few words of its own.
    let sentence = cleaned
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, '?' | '.' | '!')
                && cleaned[i + c.len_utf8()..].starts_with(' ')
                && cleaned[..i].split_whitespace().count() >= 3
        })
        .map_or(cleaned.as_ref(), |(i, c)| &cleaned[..i + c.len_utf8()]);
    if sentence.chars().count() <= TITLE_CHARS {
        return sentence.to_string();
    }
    let head: String = sentence.chars().take(TITLE_CHARS).collect();
    // Cut at the last word boundary, unless that leaves too little.
    let cut = match head.rfind(' ') {
        Some(at) if at >= TITLE_CHARS / 2 => {
            head[..at].trim_end_matches([',', ';', ':']).to_string()
        }
        _ => head,
    };
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_the_first_line() {
        assert_eq!(title_from_prompt("\n  How do I\nsecond"), "How do I");
        assert_eq!(title_from_prompt(""), "untitled");
        assert_eq!(title_from_prompt(&"x".repeat(80)).chars().count(), 51);
        assert_eq!(title_from_prompt("a\x1b[2Jb"), "a␛[2Jb");
        assert_eq!(
            title_from_prompt("```rust\nfn main() {}\n```\n## Why does this not compile?"),
            "Why does this not compile?"
        );
        // Markdown's own fence rule: words after a fence do not close the block.
        assert_eq!(
            title_from_prompt(
                "~~~
~~~ still code
let x = 1;
~~~
Why is this slow?"
            ),
            "Why is this slow?"
        );
        assert_eq!(title_from_prompt("# Retry budgets\nmore"), "Retry budgets");
        assert_eq!(
            title_from_prompt(
                "How do I add jitter to retries? I tried a fixed delay and it storms."
            ),
            "How do I add jitter to retries?"
        );
        assert_eq!(
            title_from_prompt(
                "Please explain how the event stream framing works in Bedrock and why it has two CRCs"
            ),
            "Please explain how the event stream framing works…"
        );
    }
}
