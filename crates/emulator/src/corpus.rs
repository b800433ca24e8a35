//! Deterministic demo answers: a prompt seeds the choice of an answer from `assets/corpus.md`
//! (markdown with lists, a table and code blocks), cut into token-sized pieces.

const CORPUS: &str = include_str!("../../../assets/corpus.md");

/// FNV-1a, a small stable hash for seeding answers from prompts.
pub(crate) fn seed_of(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

fn answers() -> Vec<&'static str> {
    CORPUS
        .split("\n---\n")
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .collect()
}

/// Splits text into token-like pieces: a word with its leading spaces, a newline, or at most
/// six characters of a longer word. Concatenating the pieces gives the text back.
pub fn tokenize(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    for ch in text.chars() {
        if ch == '\n' {
            if !current.is_empty() {
                tokens.push(std::mem::take(&mut current));
            }
            tokens.push("\n".to_string());
            in_word = false;
            continue;
        }
        let is_space = ch == ' ' || ch == '\t';
        if is_space && in_word {
            tokens.push(std::mem::take(&mut current));
            in_word = false;
        }
        if !is_space {
            in_word = true;
            if current.chars().filter(|c| !c.is_whitespace()).count() >= 6 {
                tokens.push(std::mem::take(&mut current));
            }
        }
        current.push(ch);
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

/// The answer to a prompt as tokens: the corpus answer the prompt's seed picks, or, when
/// `min_tokens` asks for more, corpus answers one after another until there are enough.
pub fn answer_tokens(prompt: &str, min_tokens: usize) -> Vec<String> {
    let answers = answers();
    if answers.is_empty() {
        return tokenize("Hello from the bedrock-tui emulator.");
    }
    let start = (seed_of(prompt) % answers.len() as u64) as usize;
    let mut tokens = tokenize(answers[start]);
    let mut next = start + 1;
    while tokens.len() < min_tokens {
        tokens.push("\n".to_string());
        tokens.push("\n".to_string());
        tokens.extend(tokenize(answers[next % answers.len()]));
        next += 1;
    }
    if min_tokens > 0 {
        tokens.truncate(min_tokens.max(1));
    }
    tokens
}

/// A rough token count of input text (about four characters a token), at least 1.
pub(crate) fn estimate_tokens(text: &str) -> u64 {
    (text.chars().count() as u64).div_ceil(4).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_rebuild_the_text() {
        for answer in answers() {
            assert_eq!(tokenize(answer).concat(), answer);
        }
        assert!(answers().len() >= 4);
    }

    #[test]
    fn answers_are_deterministic_and_sized() {
        assert_eq!(answer_tokens("hello", 0), answer_tokens("hello", 0));
        assert_eq!(answer_tokens("hello", 5000).len(), 5000);
        assert!(answers().iter().filter(|a| a.contains("```")).count() >= 3);
    }
}
