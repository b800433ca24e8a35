//! Splits inline reasoning from the answer: DeepSeek-R1's prompt ends with `<think>\n`, so its
//! output is reasoning up to `</think>` and the answer after it. Works across chunk boundaries, and
//! a whole answer is split by the same rule as a stream.

/// The tag that ends the reasoning.
pub(crate) const THINK_END: &str = "</think>";
const THINK_START: &str = "<think>";

/// Streaming splitter: everything before `</think>` is reasoning, everything after is answer.
#[derive(Debug, Default)]
pub(crate) struct ThinkSplitter {
    answering: bool,
    /// Text held back because it may be the start of `</think>`.
    held: String,
    /// Nothing but whitespace has been seen yet (a repeated `<think>` opener is dropped).
    started: bool,
    /// The newlines after `</think>` are still being dropped.
    skipping_newlines: bool,
}

impl ThinkSplitter {
    /// Feeds one piece of model text; returns (reasoning, answer) for it.
    pub fn push(&mut self, text: &str) -> (String, String) {
        if self.answering {
            return (String::new(), self.answer_text(text));
        }
        self.held.push_str(text);
        if !self.started {
            let trimmed = self.held.trim_start();
            if trimmed.len() < THINK_START.len() && THINK_START.starts_with(trimmed) {
                return (String::new(), String::new());
            }
            if let Some(rest) = trimmed.strip_prefix(THINK_START) {
                self.held = rest.to_string();
            }
            self.started = true;
        }
        if let Some(at) = self.held.find(THINK_END) {
            let reasoning = self.held[..at].to_string();
            let rest = self.held[at + THINK_END.len()..].to_string();
            self.held.clear();
            self.answering = true;
            self.skipping_newlines = true;
            return (reasoning, self.answer_text(&rest));
        }
        // Keep back the longest suffix that could begin `</think>`.
        let keep = (1..THINK_END.len())
            .rev()
            .find(|n| {
                self.held.len() >= *n
                    && self.held.is_char_boundary(self.held.len() - n)
                    && THINK_END.starts_with(&self.held[self.held.len() - n..])
            })
            .unwrap_or(0);
        let cut = self.held.len() - keep;
        let reasoning = self.held[..cut].to_string();
        self.held.drain(..cut);
        (reasoning, String::new())
    }

    fn answer_text(&mut self, text: &str) -> String {
        if !self.skipping_newlines {
            return text.to_string();
        }
        let trimmed = text.trim_start_matches('\n');
        if !trimmed.is_empty() {
            self.skipping_newlines = false;
        }
        trimmed.to_string()
    }

    /// Ends the stream; returns what was held back as reasoning.
    pub fn finish(&mut self) -> (String, String) {
        (std::mem::take(&mut self.held), String::new())
    }
}

/// Splits a whole answer: (reasoning, answer), by the same rule as a stream read piece by piece
/// (the prompt opened the reasoning, so an answer without `</think>` is reasoning cut short).
pub(crate) fn split_whole(text: &str) -> (String, String) {
    let mut splitter = ThinkSplitter::default();
    let (mut reasoning, mut answer) = splitter.push(text);
    let (rest, tail) = splitter.finish();
    reasoning.push_str(&rest);
    answer.push_str(&tail);
    (reasoning, answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_in_pieces(text: &str, size: usize) -> (String, String) {
        let mut splitter = ThinkSplitter::default();
        let (mut reasoning, mut answer) = (String::new(), String::new());
        let chars: Vec<char> = text.chars().collect();
        for piece in chars.chunks(size) {
            let (r, a) = splitter.push(&piece.iter().collect::<String>());
            reasoning.push_str(&r);
            answer.push_str(&a);
        }
        let (r, a) = splitter.finish();
        reasoning.push_str(&r);
        answer.push_str(&a);
        (reasoning, answer)
    }

    #[test]
    fn splits_at_the_tag_whatever_the_chunking() {
        let text = "Let me think < about it.\n</think>\n\nThe answer is <b>42</b>.";
        for size in 1..text.len() {
            assert_eq!(
                split_in_pieces(text, size),
                (
                    "Let me think < about it.\n".to_string(),
                    "The answer is <b>42</b>.".to_string()
                ),
                "piece size {size}"
            );
        }
        assert_eq!(split_whole(text), split_in_pieces(text, 3));
        assert_eq!(
            split_in_pieces("<think>hm</think>ok", 2),
            ("hm".to_string(), "ok".to_string())
        );
        assert_eq!(split_whole("no tag"), ("no tag".to_string(), String::new()));
        assert_eq!(split_whole("no tag"), split_in_pieces("no tag", 2));
        assert_eq!(
            split_in_pieces("é</thi", 1),
            ("é</thi".to_string(), String::new())
        );
    }
}
