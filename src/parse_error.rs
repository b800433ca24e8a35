//! One way to say where a JSON or TOML text is broken, for every reader of user and saved files
//! (config, themes, keymaps, session files, an edited request body): `line L, column C: what`.

use std::fmt;

/// A parse error with its place in the text (1-based; 0 when the parser gave none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError {
    /// Line of the error.
    pub line: usize,
    /// Column of the error.
    pub column: usize,
    /// What is wrong, without the place.
    pub message: String,
}

impl ParseError {
    /// A `serde_json` error; its own `at line L column C` suffix is moved into the fields.
    pub fn json(error: &serde_json::Error) -> ParseError {
        let text = error.to_string();
        let message = match text.rfind(" at line ") {
            Some(at) if error.line() > 0 => text[..at].to_string(),
            _ => text,
        };
        ParseError {
            line: error.line(),
            column: error.column(),
            message,
        }
    }

    /// A `toml` error in `text`.
    pub fn toml(text: &str, error: &toml::de::Error) -> ParseError {
        let message = error.message().trim().to_string();
        match error.span() {
            Some(span) => {
                let before = &text[..span.start.min(text.len())];
                ParseError {
                    line: before.matches('\n').count() + 1,
                    column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
                    message,
                }
            }
            None => ParseError {
                line: 0,
                column: 0,
                message,
            },
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (0, _) => f.write_str(&self.message),
            (line, 0) => write!(f, "line {line}: {}", self.message),
            (line, column) => write!(f, "line {line}, column {column}: {}", self.message),
        }
    }
}

impl std::error::Error for ParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_toml_errors_read_alike() {
        let json = serde_json::from_str::<serde_json::Value>("{\n  \"a\": 1 2\n}").unwrap_err();
        let e = ParseError::json(&json);
        assert_eq!((e.line, e.column), (2, 10));
        assert!(!e.message.contains("at line"), "{e}");
        assert_eq!(e.to_string(), format!("line 2, column 10: {}", e.message));
        let text = "a = 1\nb = =\n";
        let toml = toml::from_str::<toml::Table>(text).unwrap_err();
        assert!(
            ParseError::toml(text, &toml)
                .to_string()
                .starts_with("line 2, column")
        );
    }
}
