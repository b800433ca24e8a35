//! Terminal input bytes to events, fed as they are read: control characters, UTF-8, Alt as an
//! Esc prefix, control sequences (see [`super::meaning`]), bracketed paste, and terminal
//! strings (OSC, DCS, APC: late answers to the chat's queries), which are skipped whole so
//! they never type into the prompt. A sequence cut short is kept for the next read; when no
//! more comes, [`Decoder::flush`] reads what is left as typed keys (a lone Esc is the Esc key).

use super::meaning::{self, Meaning, Params};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

const ESC: u8 = 0x1b;
const BEL: u8 = 0x07;
const PASTE_END: &[u8] = b"\x1b[201~";
/// The longest control sequence waited for; a longer one is dropped.
const SEQUENCE_CAP: usize = 256;
/// The longest terminal string waited for; a longer one is dropped.
const STRING_CAP: usize = 1 << 16;

/// What the decoder holds that more input would finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Waiting {
    /// Nothing: every byte read is decoded.
    Nothing,
    /// The start of a sequence (or of a character) that may go on.
    Sequence,
    /// A bracketed paste, until its end marker.
    Paste,
}

/// Decodes terminal input across reads.
#[derive(Debug, Default)]
pub(crate) struct Decoder {
    /// Bytes read and not decoded yet.
    pending: Vec<u8>,
    /// The text of a bracketed paste under way.
    paste: Option<Vec<u8>>,
}

/// One step over the bytes at the front.
enum Step {
    /// An event, and how many bytes it took.
    Event(Event, usize),
    /// Bytes that mean nothing.
    Skip(usize),
    /// A bracketed paste starts after these bytes.
    PasteStart(usize),
    /// The bytes so far may begin a longer sequence.
    More,
}

impl Decoder {
    /// Decodes `bytes` after what came before, pushing the events finished to `out`.
    pub(crate) fn feed(&mut self, bytes: &[u8], out: &mut Vec<Event>) {
        self.pending.extend_from_slice(bytes);
        self.decode(false, out);
    }

    /// No more input came: what is left is read as typed (a lone Esc is the Esc key, `Esc [`
    /// is Alt+[), and a paste whose end marker never came is delivered as it is.
    pub(crate) fn flush(&mut self, out: &mut Vec<Event>) {
        self.decode(true, out);
    }

    /// How many bytes read are waiting to be decoded.
    pub(crate) fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// What more input would finish.
    pub(crate) fn waiting(&self) -> Waiting {
        if self.paste.is_some() {
            Waiting::Paste
        } else if self.pending.is_empty() {
            Waiting::Nothing
        } else {
            Waiting::Sequence
        }
    }

    fn decode(&mut self, at_end: bool, out: &mut Vec<Event>) {
        let mut at = 0;
        loop {
            if let Some(paste) = self.paste.as_mut() {
                let rest = &self.pending[at..];
                if let Some(end) = memchr::memmem::find(rest, PASTE_END) {
                    paste.extend_from_slice(&rest[..end]);
                    at += end + PASTE_END.len();
                } else {
                    // The end marker may be cut between reads: its first bytes wait.
                    let kept = if at_end {
                        0
                    } else {
                        marker_prefix_at_end(rest, PASTE_END)
                    };
                    paste.extend_from_slice(&rest[..rest.len() - kept]);
                    at += rest.len() - kept;
                    if !at_end {
                        break;
                    }
                }
                let text = std::mem::take(paste);
                self.paste = None;
                out.push(Event::Paste(String::from_utf8_lossy(&text).into_owned()));
            }
            let Some(rest) = self.pending.get(at..).filter(|rest| !rest.is_empty()) else {
                break;
            };
            match step(rest, at_end) {
                Step::Event(event, taken) => {
                    out.push(event);
                    at += taken;
                }
                Step::Skip(taken) => at += taken,
                Step::PasteStart(taken) => {
                    at += taken;
                    self.paste = Some(Vec::new());
                }
                Step::More => break,
            }
        }
        self.pending.drain(..at);
    }
}

/// How many bytes at the end of `bytes` are the beginning of `marker`.
fn marker_prefix_at_end(bytes: &[u8], marker: &[u8]) -> usize {
    (1..marker.len())
        .rev()
        .find(|&n| bytes.ends_with(&marker[..n]))
        .unwrap_or(0)
}

/// The first event (or skip) at the front of `bytes` (never empty).
fn step(bytes: &[u8], at_end: bool) -> Step {
    let plain = |code: KeyCode| Step::Event(key(code, KeyModifiers::NONE), 1);
    let ctrl = |c: u8| Step::Event(key(KeyCode::Char(char::from(c)), KeyModifiers::CONTROL), 1);
    match bytes[0] {
        ESC => escape(bytes, at_end),
        b'\r' => plain(KeyCode::Enter),
        // In raw mode a line feed is Ctrl+J, never Enter.
        b'\n' => ctrl(b'j'),
        b'\t' => plain(KeyCode::Tab),
        0x7f => plain(KeyCode::Backspace),
        0 => ctrl(b' '),
        c @ 0x01..=0x1a => ctrl(c - 1 + b'a'),
        c @ 0x1c..=0x1f => ctrl(c - 0x1c + b'4'),
        _ => character(bytes, at_end),
    }
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new(code, modifiers))
}

/// A UTF-8 character; Shift with a capital, as crossterm reports it.
fn character(bytes: &[u8], at_end: bool) -> Step {
    let width = match bytes[0] {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return Step::Skip(1),
    };
    let Some(encoded) = bytes.get(..width) else {
        return if at_end { Step::Skip(1) } else { Step::More };
    };
    match std::str::from_utf8(encoded)
        .ok()
        .and_then(|s| s.chars().next())
    {
        Some(c) => {
            let modifiers = if c.is_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            Step::Event(key(KeyCode::Char(c), modifiers), width)
        }
        None => Step::Skip(1),
    }
}

/// What follows an Esc: a control sequence, an SS3 key, a terminal string, or Alt with a key.
fn escape(bytes: &[u8], at_end: bool) -> Step {
    let Some(&next) = bytes.get(1) else {
        return if at_end {
            Step::Event(key(KeyCode::Esc, KeyModifiers::NONE), 1)
        } else {
            Step::More
        };
    };
    match next {
        b'[' => control_sequence(bytes, at_end),
        b'O' => ss3(bytes, at_end),
        b']' | b'P' | b'_' | b'^' | b'X' => terminal_string(bytes, at_end),
        ESC => Step::Event(key(KeyCode::Esc, KeyModifiers::NONE), 1),
        _ => alt(bytes, at_end),
    }
}

/// Esc and a key typed together: the key with Alt. Esc before anything else is the Esc key.
fn alt(bytes: &[u8], at_end: bool) -> Step {
    match step(&bytes[1..], at_end) {
        Step::Event(Event::Key(mut event), taken) => {
            event.modifiers |= KeyModifiers::ALT;
            Step::Event(Event::Key(event), taken + 1)
        }
        Step::More => Step::More,
        _ => Step::Event(key(KeyCode::Esc, KeyModifiers::NONE), 1),
    }
}

/// `Esc O X`: arrows, Home, End and F1–F4 in application mode.
fn ss3(bytes: &[u8], at_end: bool) -> Step {
    let code = match bytes.get(2) {
        None if !at_end => return Step::More,
        Some(b'A') => KeyCode::Up,
        Some(b'B') => KeyCode::Down,
        Some(b'C') => KeyCode::Right,
        Some(b'D') => KeyCode::Left,
        Some(b'H') => KeyCode::Home,
        Some(b'F') => KeyCode::End,
        Some(&c @ b'P'..=b'S') => KeyCode::F(c - b'P' + 1),
        // Alt+O and what follows, or Alt+O alone.
        Some(_) | None => return alt(bytes, at_end),
    };
    Step::Event(key(code, KeyModifiers::NONE), 3)
}

/// OSC, DCS, APC, PM and SOS strings, up to BEL or `Esc \`: skipped whole. One that is not
/// finished when input stops was Alt and a key.
fn terminal_string(bytes: &[u8], at_end: bool) -> Step {
    if let Some(offset) = bytes[2..].iter().position(|b| *b == BEL || *b == ESC) {
        let found = 2 + offset;
        match (bytes[found], bytes.get(found + 1)) {
            (BEL, _) => return Step::Skip(found + 1),
            (_, Some(b'\\')) => return Step::Skip(found + 2),
            // An Esc that is not a string terminator ends the string without one.
            (_, Some(_)) => return Step::Skip(found),
            (_, None) => {}
        }
    }
    if at_end {
        alt(bytes, at_end)
    } else if bytes.len() > STRING_CAP {
        Step::Skip(bytes.len())
    } else {
        Step::More
    }
}

/// `Esc [`, parameters and a final byte; the normal mouse report's three raw bytes; the Linux
/// console's `Esc [ [ A`–`E` for F1–F5.
fn control_sequence(bytes: &[u8], at_end: bool) -> Step {
    let unfinished = || {
        if at_end {
            alt(bytes, at_end)
        } else {
            Step::More
        }
    };
    match bytes.get(2) {
        None => return unfinished(),
        Some(b'M') => {
            return match bytes.get(3..6) {
                Some(&[b, x, y]) => match meaning::normal_mouse([b, x, y]) {
                    Some(event) => Step::Event(event, 6),
                    None => Step::Skip(6),
                },
                _ => unfinished(),
            };
        }
        Some(b'[') => {
            return match bytes.get(3) {
                None => unfinished(),
                Some(&c @ b'A'..=b'E') => {
                    Step::Event(key(KeyCode::F(c - b'A' + 1), KeyModifiers::NONE), 4)
                }
                Some(_) => Step::Skip(4),
            };
        }
        Some(_) => {}
    }
    for (at, &byte) in bytes.iter().enumerate().skip(2) {
        match byte {
            0x20..=0x3f if at < SEQUENCE_CAP => {}
            0x40..=0x7e => return finished_sequence(&bytes[2..at], byte, at + 1),
            // A byte that cannot be in a sequence ends it unfinished; the byte is read anew.
            _ => return Step::Skip(at),
        }
    }
    unfinished()
}

/// A whole control sequence of `taken` bytes with its parameters and final byte.
fn finished_sequence(params: &[u8], last: u8, taken: usize) -> Step {
    let meaning = match params.first() {
        Some(b'<') if matches!(last, b'M' | b'm') => {
            meaning::sgr_mouse(Params(&params[1..]), last).map_or(Meaning::Nothing, Meaning::Input)
        }
        // Answers of the terminal (`?…c`, `?…u`, `>…c`).
        Some(b'<' | b'=' | b'>' | b'?') => Meaning::Nothing,
        _ => meaning::csi(Params(params), last),
    };
    match meaning {
        Meaning::Input(event) => Step::Event(event, taken),
        Meaning::PasteStart => Step::PasteStart(taken),
        Meaning::Nothing => Step::Skip(taken),
    }
}
