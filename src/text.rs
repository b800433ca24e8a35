//! Makes untrusted text safe for a terminal: control characters and escape sequences (CSI, OSC,
//! DCS, C1 controls) are shown as visible symbols, never executed; bidi overrides and marks are
//! shown by name, invisible zero-width characters and the BOM dropped. The one sanitizer for
//! everything from outside (model text, server errors and headers, listings, files, titles).

use std::borrow::Cow;

/// Replaces every control character except newline and tab with a visible stand-in: C0
/// controls with their Unicode control pictures (ESC becomes `␛`), DEL with `␡`, C1 controls
/// with `�`; `\r\n` becomes `\n`. Bidi overrides, embeddings, isolates and marks (which can
/// make text read in another order than it is, "Trojan Source") are shown as `⟨U+202E⟩`;
/// zero-width spaces, word joiners and the BOM are dropped. Text without any of these is
/// returned as is.
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
            c if is_bidi_control(c) => {
                use std::fmt::Write;
                let _ = write!(out, "⟨U+{:04X}⟩", c as u32);
            }
            c if is_invisible(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_escape(ch: char) -> bool {
    (ch.is_control() && ch != '\n' && ch != '\t')
        || ch == '\u{7f}'
        || is_bidi_control(ch)
        || is_invisible(ch)
}

/// Bidi embeddings, overrides, isolates and marks.
fn is_bidi_control(ch: char) -> bool {
    matches!(ch, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}')
}

/// Characters that take no room and mean nothing on a terminal: zero-width space, word joiner,
/// invisible operators, the BOM. (Zero-width joiners and non-joiners stay: emoji sequences and
/// several scripts need them.)
fn is_invisible(ch: char) -> bool {
    matches!(ch, '\u{200b}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// JSON for a terminal: `serde_json` leaves C1 controls (U+0080–U+009F), bidi controls and
/// invisible characters unescaped, and a terminal would act on C1; they are written as `\uXXXX`
/// escapes, which every JSON reader reads back as the same text.
pub(crate) fn json_for_terminal(json: &str) -> Cow<'_, str> {
    let escape =
        |c: char| ('\u{7f}'..='\u{9f}').contains(&c) || is_bidi_control(c) || is_invisible(c);
    if !json.chars().any(escape) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if escape(c) {
            use std::fmt::Write;
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The fence that would close a code block still open at the end of `text`.
pub(crate) fn open_fence(text: &str) -> Option<String> {
    let mut open: Option<(char, usize)> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let Some(c) = trimmed.chars().next().filter(|c| *c == '`' || *c == '~') else {
            continue;
        };
        let len = trimmed.chars().take_while(|d| *d == c).count();
        if len < 3 {
            continue;
        }
        match open {
            None => open = Some((c, len)),
            Some((fence, n)) if fence == c && len >= n && trimmed[len..].trim().is_empty() => {
                open = None;
            }
            Some(_) => {}
        }
    }
    open.map(|(c, n)| c.to_string().repeat(n))
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

    #[test]
    fn bidi_controls_are_named_and_invisibles_dropped() {
        let text =
            "\u{feff}admin\u{202e}txt.exe\u{2066}x\u{2069} a\u{200b}b \u{1f468}\u{200d}\u{1f469}";
        assert_eq!(
            sanitize_for_terminal(text),
            "admin⟨U+202E⟩txt.exe⟨U+2066⟩x⟨U+2069⟩ ab \u{1f468}\u{200d}\u{1f469}"
        );
        assert!(matches!(
            sanitize_for_terminal("שלום مرحبا"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn json_for_a_terminal_escapes_c1_and_reads_back_the_same() {
        let value = serde_json::json!({ "text": "a\u{9b}31m\u{202e}b\u{feff}" });
        let written = value.to_string();
        assert!(written.contains('\u{9b}'));
        let safe = json_for_terminal(&written);
        assert!(
            !safe
                .chars()
                .any(|c| c.is_control() || c == '\u{202e}' || c == '\u{feff}')
        );
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
    }
}
