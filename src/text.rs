//! Makes untrusted model text safe for a terminal: control characters and escape sequences
//! (CSI, OSC, DCS, C1 controls) are shown as visible symbols, never executed.

use std::borrow::Cow;

/// Replaces every control character except newline and tab with a visible stand-in: C0
/// controls with their Unicode control pictures (ESC becomes `␛`), DEL with `␡`, C1 controls
/// with `�`; `\r\n` becomes `\n`. Text without controls is returned as is.
pub(crate) fn sanitize_for_terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\u{7f}' => out.push('\u{2421}'),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {
                out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'));
            }
            c if ('\u{80}'..='\u{9f}').contains(&c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_escape(ch: char) -> bool {
    (ch.is_control() && ch != '\n' && ch != '\t') || ch == '\u{7f}'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_neutralised() {
        assert!(matches!(
            sanitize_for_terminal("plain\ttext\n"),
            Cow::Borrowed(_)
        ));
        let evil = "a\x1b[2Jb\x1b]52;c;ZXZpbA==\x07c\u{9b}31md\r\ne\x7f";
        let safe = sanitize_for_terminal(evil);
        assert_eq!(
            safe,
            "a\u{241b}[2Jb\u{241b}]52;c;ZXZpbA==\u{2407}c\u{fffd}31md\ne\u{2421}"
        );
        assert!(!safe.chars().any(|c| c.is_control() && c != '\n'));
    }
}
