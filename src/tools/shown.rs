//! A tool call as its approval shows it, every character accounted for: the command line of
//! `run_shell` (else the arguments as indented JSON), with runs of spaces counted, and
//! whitespace other than the space, control characters and the characters that take no room
//! (non-breaking and zero-width spaces, joiners, bidi controls, tag characters, variation
//! selectors) shown by name and counted, so that nothing the call does can hide in what looks
//! like blank space. What is longer than [`SHOWN_CAP`] is cut and said to be.

use crate::models::tool_use::ToolCall;
use crate::text;

/// The most of a call shown in its approval, in bytes of the text shown; a longer call is cut
/// there, and can be read whole in the pager.
pub const SHOWN_CAP: usize = 256 * 1024;

/// The most lines of a call shown in its approval.
pub const SHOWN_LINES: usize = 5_000;

/// Spaces in a row shown as they are; a longer run is counted (`⟨40 spaces⟩`). At the start of
/// a line (indentation) up to [`INDENT_RUN`] stay.
const SPACE_RUN: usize = 4;
const INDENT_RUN: usize = 32;

/// A piece of a line: text as it is, or a stand-in for characters that are not seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// What is drawn.
    pub text: String,
    /// A stand-in (drawn so that it stands out).
    pub marked: bool,
}

/// A call as shown.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Shown {
    /// Its lines, each of pieces.
    pub lines: Vec<Vec<Piece>>,
    /// The call was longer than what is shown (bytes of the text it would show).
    pub cut: Option<usize>,
    /// Stand-ins among the pieces: characters not seen, counted.
    pub hidden: usize,
    /// Characters outside ASCII that are shown as they are (lookalike letters are possible).
    pub non_ascii: usize,
}

/// The text a call is shown as: `$ COMMAND` for `run_shell` when the command is all its
/// arguments hold, else its arguments as indented JSON (as the model wrote them when they are
/// not JSON), so that nothing a tool of that name may read is left off the screen.
pub fn call_text(call: &ToolCall) -> String {
    let arguments = call.arguments();
    let only_command = arguments
        .as_object()
        .filter(|fields| fields.len() == 1)
        .and_then(|fields| fields.get("command"))
        .and_then(|c| c.as_str());
    match only_command {
        Some(command) if call.name == "run_shell" => format!("$ {command}"),
        _ => serde_json::to_string_pretty(&arguments).unwrap_or_else(|_| call.input.clone()),
    }
}

/// The call as shown, cut at [`SHOWN_CAP`] bytes or [`SHOWN_LINES`] lines.
pub fn shown(call: &ToolCall) -> Shown {
    compact(&call_text(call), SHOWN_CAP, SHOWN_LINES)
}

/// The whole call as plain text, each stand-in written out: what the pager shows.
pub fn whole_text(call: &ToolCall) -> String {
    compact(&call_text(call), usize::MAX, usize::MAX).plain_text()
}

impl Shown {
    /// Its lines as plain text, each stand-in written out, each line ended by a newline.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            for piece in line {
                out.push_str(&piece.text);
            }
            out.push('\n');
        }
        out
    }
}

/// `text` as lines of pieces, at most `cap` bytes and `max_lines` lines of it.
pub(crate) fn compact(text: &str, cap: usize, max_lines: usize) -> Shown {
    let mut shown = Shown {
        lines: vec![Vec::new()],
        ..Shown::default()
    };
    let mut line_start = true;
    let mut chars = text.char_indices().peekable();
    let mut written = 0usize;
    while let Some((at, c)) = chars.next() {
        if written >= cap || shown.lines.len() > max_lines {
            shown.cut = Some(text.len());
            shown.lines.truncate(max_lines);
            break;
        }
        if c == '\n' {
            shown.lines.push(Vec::new());
            line_start = true;
            continue;
        }
        let mut run = 1usize;
        if c == ' ' || is_named(c) {
            while chars.peek().is_some_and(|(_, next)| *next == c) {
                chars.next();
                run += 1;
            }
        }
        let line = shown.lines.last_mut().expect("there is always a line");
        let (text_of, marked) = if c == ' ' {
            let keep = if line_start { INDENT_RUN } else { SPACE_RUN };
            if run <= keep {
                (" ".repeat(run), false)
            } else {
                (format!("⟨{run} spaces⟩"), true)
            }
        } else if text::is_tag(c) {
            let mut spelled = String::new();
            text::push_tag(&mut spelled, c);
            while let Some(&(_, next)) = chars.peek().filter(|(_, n)| text::is_tag(*n)) {
                text::push_tag(&mut spelled, next);
                chars.next();
                run += 1;
            }
            (format!("⟨{run} tag characters: {spelled}⟩"), true)
        } else if is_named(c) {
            let name = name_of(c);
            if run > 1 {
                (format!("⟨{name} ×{run}⟩"), true)
            } else {
                (format!("⟨{name}⟩"), true)
            }
        } else {
            if !c.is_ascii() {
                shown.non_ascii += 1;
            }
            let end = chars.peek().map_or(text.len(), |(next, _)| *next);
            (text[at..end].to_string(), false)
        };
        if marked {
            shown.hidden += 1;
        }
        line_start &= c == ' ';
        written += text_of.len();
        match line.last_mut() {
            Some(last) if last.marked == marked && !marked => last.text.push_str(&text_of),
            _ => line.push(Piece {
                text: text_of,
                marked,
            }),
        }
    }
    shown
}

/// Characters shown by name: whitespace other than the space and the newline, control
/// characters, every character the terminal sanitizer names or drops (`text`'s tags, hidden,
/// bidi and invisible characters), and, stricter here than on screen, the joiners, variation
/// selectors, Mongolian free variation selectors, deprecated format characters and unassigned
/// specials: an approval shows every character a call holds.
fn is_named(c: char) -> bool {
    (c.is_whitespace() && c != ' ' && c != '\n')
        || c.is_control()
        || text::is_tag(c)
        || text::is_hidden(c)
        || text::is_bidi_control(c)
        || text::is_invisible(c)
        || matches!(c,
            '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{206f}'
            | '\u{fe00}'..='\u{fe0f}' | '\u{fff0}'..='\u{fff8}')
}

/// A short name for a character not seen: `tab`, `NBSP`, `ZWSP`, else `U+XXXX`.
fn name_of(c: char) -> String {
    match c {
        '\t' => "tab".to_string(),
        '\r' => "CR".to_string(),
        '\u{1b}' => "ESC".to_string(),
        '\u{a0}' => "NBSP".to_string(),
        '\u{ad}' => "soft hyphen".to_string(),
        '\u{200b}' => "ZWSP".to_string(),
        '\u{200c}' => "ZWNJ".to_string(),
        '\u{200d}' => "ZWJ".to_string(),
        '\u{2028}' => "line separator".to_string(),
        '\u{2029}' => "paragraph separator".to_string(),
        '\u{feff}' => "BOM".to_string(),
        other => format!("U+{:04X}", other as u32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(shown: &Shown) -> Vec<String> {
        shown
            .lines
            .iter()
            .map(|l| l.iter().map(|p| p.text.as_str()).collect())
            .collect()
    }

    fn shell(command: &str) -> ToolCall {
        ToolCall {
            index: 0,
            id: "c".into(),
            name: "run_shell".into(),
            input: serde_json::json!({ "command": command }).to_string(),
        }
    }

    #[test]
    fn a_run_shell_call_with_more_than_its_command_shows_every_argument() {
        assert_eq!(call_text(&shell("ls")), "$ ls");
        let mut call = shell("ls");
        call.input = serde_json::json!({ "command": "ls", "target": "/etc" }).to_string();
        let text = call_text(&call);
        assert!(text.contains("\"target\": \"/etc\""), "{text}");
    }

    #[test]
    fn blank_looking_runs_are_named_and_counted() {
        let command = format!("echo hello{}; touch FILE", "\u{a0}".repeat(12_000));
        let shown = shown(&shell(&command));
        assert_eq!(
            plain(&shown),
            ["$ echo hello⟨NBSP ×12000⟩; touch FILE"],
            "the tail is on the same line, right after the count"
        );
        assert_eq!(shown.hidden, 1);
        assert_eq!(shown.cut, None);
        let spaces = format!(
            "ls{}rm -rf x\t\tz\u{200b}\u{e0041}\u{e0042}",
            " ".repeat(300)
        );
        assert_eq!(
            plain(&compact(&spaces, SHOWN_CAP, SHOWN_LINES)),
            ["ls⟨300 spaces⟩rm -rf x⟨tab ×2⟩z⟨ZWSP⟩⟨2 tag characters: AB⟩"]
        );
    }

    #[test]
    fn lines_stay_lines_indentation_stays_and_escapes_are_named() {
        let shown = compact("a\n    b\n\u{1b}[2J c", SHOWN_CAP, SHOWN_LINES);
        assert_eq!(plain(&shown), ["a", "    b", "⟨ESC⟩[2J c"]);
        let non_ascii = compact("сurl x", SHOWN_CAP, SHOWN_LINES);
        assert_eq!(non_ascii.non_ascii, 1);
    }

    #[test]
    fn a_call_too_long_is_cut_and_says_so_while_the_pager_gets_it_whole() {
        let long = "x".repeat(SHOWN_CAP * 2);
        let shown = compact(&long, SHOWN_CAP, SHOWN_LINES);
        assert_eq!(shown.cut, Some(long.len()));
        let many = "y\n".repeat(SHOWN_LINES * 2);
        let shown = compact(&many, SHOWN_CAP, SHOWN_LINES);
        assert!(shown.cut.is_some());
        assert_eq!(shown.lines.len(), SHOWN_LINES);
        let whole = whole_text(&shell(&format!("echo {long}")));
        assert!(whole.len() > SHOWN_CAP * 2 && whole.ends_with("x\n"));
    }
}
