//! The fallback highlighter: a small per-language tokenizer (keywords, strings, comments,
//! numbers) that colours code before the syntax definitions have loaded, and languages they
//! lack.

use crate::config::theme::{Role, Theme};
use ratatui::style::Style;

struct Language {
    /// Space-separated.
    keywords: &'static str,
    line_comments: &'static [&'static str],
    quotes: &'static [char],
}

const RUST: Language = Language {
    keywords: "as async await break const continue crate dyn else enum extern false fn for if impl \
        in let loop match mod move mut pub ref return self Self static struct super trait \
        true type unsafe use where while Some None Ok Err",
    line_comments: &["//"],
    quotes: &['"'],
};
const PYTHON: Language = Language {
    keywords: "and as assert async await break class continue def del elif else except False \
        finally for from global if import in is lambda None nonlocal not or pass raise \
        return True try while with yield self print",
    line_comments: &["#"],
    quotes: &['"', '\''],
};
const JAVASCRIPT: Language = Language {
    keywords: "async await break case catch class const continue default delete do else export \
        extends false finally for from function if import in instanceof interface let new \
        null of return static super switch this throw true try type typeof undefined var \
        void while yield",
    line_comments: &["//"],
    quotes: &['"', '\'', '`'],
};
const GO: Language = Language {
    keywords: "break case chan const continue default defer else fallthrough for func go goto if \
        import interface map package range return select struct switch type var nil true \
        false",
    line_comments: &["//"],
    quotes: &['"', '`'],
};
const C_LIKE: Language = Language {
    keywords: "auto bool break case catch char class const continue default delete do double else \
        enum extends false final float for if implements import include int interface long \
        namespace new null nullptr package private protected public return short signed \
        sizeof static struct switch template this throw true try typedef unsigned using var \
        virtual void while fun val let func override",
    line_comments: &["//"],
    quotes: &['"', '\''],
};
const SHELL: Language = Language {
    keywords: "if then else elif fi for while do done case esac in function return export local \
        echo cd set unset source exit",
    line_comments: &["#"],
    quotes: &['"', '\''],
};
const SQL: Language = Language {
    keywords: "select from where and or not insert into values update set delete create table index \
        drop alter join left right inner outer on group by order having limit as null is in \
        distinct primary key with union SELECT FROM WHERE AND OR NOT INSERT INTO VALUES \
        UPDATE SET DELETE CREATE TABLE JOIN ON GROUP BY ORDER LIMIT AS NULL IS IN WITH",
    line_comments: &["--"],
    quotes: &['\''],
};
const DATA: Language = Language {
    keywords: "true false null yes no",
    line_comments: &["#"],
    quotes: &['"', '\''],
};
const RUBY: Language = Language {
    keywords: "begin class def do else elsif end ensure false if module nil require rescue return \
        self true unless until while yield",
    line_comments: &["#"],
    quotes: &['"', '\''],
};

fn language(tag: &str) -> Option<&'static Language> {
    Some(match tag.to_ascii_lowercase().as_str() {
        "rust" | "rs" => &RUST,
        "python" | "py" | "python3" => &PYTHON,
        "javascript" | "js" | "typescript" | "ts" | "jsx" | "tsx" | "node" => &JAVASCRIPT,
        "go" | "golang" => &GO,
        "c" | "h" | "cpp" | "c++" | "cc" | "hpp" | "java" | "kotlin" | "kt" | "swift"
        | "csharp" | "cs" | "c#" | "scala" | "dart" => &C_LIKE,
        "sh" | "bash" | "shell" | "zsh" | "console" | "fish" => &SHELL,
        "sql" | "postgresql" | "mysql" | "sqlite" => &SQL,
        "json" | "jsonc" | "toml" | "yaml" | "yml" | "ini" => &DATA,
        "ruby" | "rb" => &RUBY,
        _ => return None,
    })
}

/// Colours one line of code in `lang` (the fence's info string); unknown languages get the
/// plain code-block style.
pub(crate) fn highlight(line: &str, lang: &str, theme: &Theme) -> Vec<(String, Style)> {
    let plain = theme.style(Role::CodeBlock);
    let Some(language) = language(lang.split_whitespace().next().unwrap_or_default()) else {
        return vec![(line.to_string(), plain)];
    };
    let mut out: Vec<(String, Style)> = Vec::new();
    let mut push = |text: &str, style: Style| {
        if text.is_empty() {
            return;
        }
        match out.last_mut() {
            Some((last, s)) if *s == style => last.push_str(text),
            _ => out.push((text.to_string(), style)),
        }
    };
    let mut i = 0;
    while i < line.len() {
        let rest = &line[i..];
        if language.line_comments.iter().any(|c| rest.starts_with(c)) {
            push(rest, theme.style(Role::CodeComment));
            break;
        }
        let Some(c) = rest.chars().next() else { break };
        if language.quotes.contains(&c) {
            // To the closing quote (honouring backslash escapes) or the end of the line.
            let body = i + c.len_utf8();
            let mut end = line.len();
            let mut escaped = false;
            for (offset, d) in line[body..].char_indices() {
                if escaped {
                    escaped = false;
                } else if d == '\\' {
                    escaped = true;
                } else if d == c {
                    end = body + offset + d.len_utf8();
                    break;
                }
            }
            push(&line[i..end], theme.style(Role::CodeString));
            i = end;
        } else if c.is_ascii_digit() {
            let end = i + rest
                .find(|d: char| !(d.is_ascii_alphanumeric() || d == '.' || d == '_'))
                .unwrap_or(rest.len());
            push(&line[i..end], theme.style(Role::CodeNumber));
            i = end;
        } else if c.is_alphabetic() || c == '_' {
            let end = i + rest
                .find(|d: char| !(d.is_alphanumeric() || d == '_'))
                .unwrap_or(rest.len());
            let word = &line[i..end];
            let style = if language
                .keywords
                .split_ascii_whitespace()
                .any(|k| k == word)
            {
                theme.style(Role::CodeKeyword)
            } else {
                plain
            };
            push(word, style);
            i = end;
        } else {
            let end = i + c.len_utf8();
            push(&line[i..end], plain);
            i = end;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_keywords_strings_comments_numbers() {
        let theme = Theme::default();
        let parts = highlight("let x = \"a\\\"b\"; // hi 42", "rust", &theme);
        let text: String = parts.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(text, "let x = \"a\\\"b\"; // hi 42");
        let style_of = |needle: &str| {
            parts
                .iter()
                .find(|(t, _)| t.contains(needle))
                .map(|(_, s)| *s)
        };
        assert_eq!(style_of("let"), Some(theme.style(Role::CodeKeyword)));
        assert_eq!(style_of("\"a"), Some(theme.style(Role::CodeString)));
        assert_eq!(style_of("// hi"), Some(theme.style(Role::CodeComment)));
        let parts = highlight("x = 3.14 # pi", "python", &theme);
        assert!(
            parts
                .iter()
                .any(|(t, s)| t == "3.14" && *s == theme.style(Role::CodeNumber))
        );
        assert_eq!(highlight("whatever", "brainfuck", &theme).len(), 1);
        // An unterminated string runs to the end of the line, without panicking on UTF-8.
        let parts = highlight("print('héllo", "py", &theme);
        assert_eq!(parts.last().unwrap().0, "'héllo");
    }
}
