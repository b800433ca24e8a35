//! Text for people: counted words, names fitted to a width, Markdown code fences read as
//! they open and close, and (from the models crate) the one sanitizer for everything from
//! outside.

pub(crate) mod markdown;

pub(crate) use bedrock_tui_models::text::{
    cut_chars, is_bidi_control, is_hidden, is_invisible, is_tag, json_for_terminal, push_tag,
    sanitize_for_terminal,
};

/// `n` and the word for one or for several: `1 token`, `2 tokens`.
pub(crate) fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `names` joined with `, ` within `width` columns: the names that fit, then `+N` for those
/// that do not, so a short column never hides that there are more (`Claude Haiku 4.5, Nova
/// Lite +2`). A first name too wide on its own is cut with `…`.
pub(crate) fn fit_names(names: &[String], width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut out = String::new();
    for (i, name) in names.iter().enumerate() {
        let joined = if i == 0 {
            name.clone()
        } else {
            format!("{out}, {name}")
        };
        let rest = names.len() - i - 1;
        let tail = if rest > 0 {
            format!(" +{rest}")
        } else {
            String::new()
        };
        if joined.width() + tail.width() <= width {
            out = joined;
            continue;
        }
        let more = format!("+{}", names.len() - i);
        if i == 0 {
            // Not even one name fits beside the count: cut it.
            let tail = if rest > 0 {
                format!(" +{rest}")
            } else {
                String::new()
            };
            let room = width.saturating_sub(tail.width() + 1);
            let mut cut = String::new();
            let mut used = 0;
            for c in name.chars() {
                let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                if used + w > room {
                    break;
                }
                used += w;
                cut.push(c);
            }
            return format!("{cut}…{tail}");
        }
        return format!("{out} {more}");
    }
    out
}

/// The code blocks of Markdown read line by line: a fence of three or more backticks or
/// tildes opens one, and the same character at least as many times with nothing after it closes
/// it (CommonMark's rule).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Fences {
    open: Option<(char, usize)>,
}

impl Fences {
    /// Reads one line (with or without its newline).
    pub(crate) fn read(&mut self, line: &str) {
        let trimmed = line.trim_start();
        let Some(c) = trimmed.chars().next().filter(|c| *c == '`' || *c == '~') else {
            return;
        };
        let len = trimmed.chars().take_while(|d| *d == c).count();
        if len < 3 {
            return;
        }
        match self.open {
            None => self.open = Some((c, len)),
            Some((fence, n)) if fence == c && len >= n && trimmed[len..].trim().is_empty() => {
                self.open = None;
            }
            Some(_) => {}
        }
    }

    /// Whether the lines read so far leave a code block open.
    pub(crate) fn in_code(&self) -> bool {
        self.open.is_some()
    }
}

/// The fence that would close a code block still open at the end of `text`.
pub(crate) fn open_fence(text: &str) -> Option<String> {
    let mut fences = Fences::default();
    for line in text.lines() {
        fences.read(line);
    }
    fences.open.map(|(c, n)| c.to_string().repeat(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_do_not_fit_are_counted() {
        let names: Vec<String> = ["Claude Haiku 4.5", "Nova Lite", "Llama 3.3 70B"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            fit_names(&names, 80),
            "Claude Haiku 4.5, Nova Lite, Llama 3.3 70B"
        );
        assert_eq!(fit_names(&names, 28), "Claude Haiku 4.5 +2");
        assert_eq!(fit_names(&names, 30), "Claude Haiku 4.5, Nova Lite +1");
        assert_eq!(fit_names(&names, 10), "Claude… +2");
        assert_eq!(fit_names(&names[..1], 8), "Claude …");
        assert_eq!(fit_names(&[], 8), "");
        for width in 0..60 {
            let shown = fit_names(&names, width);
            assert!(
                unicode_width::UnicodeWidthStr::width(shown.as_str()) <= width.max(4),
                "{width}: {shown}"
            );
        }
    }
}
