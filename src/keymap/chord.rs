//! A key with its modifiers as the keymap stores it: parsed from `ctrl+x`, matched against
//! crossterm's key events, and written back for the help overlay.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::fmt;

/// A key with its modifiers, normalised so that `?` and `shift+/` compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct KeyChord {
    code: KeyCodeOrd,
    modifiers: u8,
}

/// `KeyCode` with an order, for sorted help output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum KeyCodeOrd {
    Char(char),
    F(u8),
    Named(u8),
}

const NAMED: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
];

const CTRL: u8 = 1;
const ALT: u8 = 2;
const SHIFT: u8 = 4;

impl KeyChord {
    /// The chord of a key event; `None` for key releases and keys that cannot be bound.
    pub(crate) fn from_event(event: &KeyEvent) -> Option<KeyChord> {
        if event.kind == KeyEventKind::Release {
            return None;
        }
        let mut modifiers = 0;
        if event.modifiers.contains(KeyModifiers::CONTROL) {
            modifiers |= CTRL;
        }
        if event.modifiers.contains(KeyModifiers::ALT) {
            modifiers |= ALT;
        }
        let shift = event.modifiers.contains(KeyModifiers::SHIFT);
        let code = match event.code {
            // A character already carries its shift (`?`, `G`); ctrl+shift+z arrives as `Z`.
            KeyCode::Char(c) => {
                if shift && c.is_ascii_lowercase() {
                    KeyCodeOrd::Char(c.to_ascii_uppercase())
                } else {
                    KeyCodeOrd::Char(c)
                }
            }
            KeyCode::F(n) => {
                if shift {
                    modifiers |= SHIFT;
                }
                KeyCodeOrd::F(n)
            }
            KeyCode::BackTab => KeyCodeOrd::Named(named_index(KeyCode::BackTab)?),
            other => {
                if shift {
                    modifiers |= SHIFT;
                }
                KeyCodeOrd::Named(named_index(other)?)
            }
        };
        Some(KeyChord { code, modifiers })
    }

    /// Parses `ctrl+c`, `alt+enter`, `shift+enter`, `f1`, `?`, `G`, `space`, `pageup`.
    pub fn parse(text: &str) -> Result<KeyChord, String> {
        let mut modifiers = 0;
        let mut parts: Vec<&str> = text.split('+').collect();
        // `ctrl++` binds the plus key.
        if text.ends_with("++") {
            parts.truncate(parts.len().saturating_sub(2));
            parts.push("+");
        }
        let key = parts
            .pop()
            .filter(|k| !k.is_empty())
            .ok_or_else(|| format!("empty key in {text:?}"))?;
        for part in parts {
            modifiers |= match part.to_ascii_lowercase().as_str() {
                "ctrl" | "control" | "c" => CTRL,
                "alt" | "meta" | "m" => ALT,
                "shift" | "s" => SHIFT,
                other => return Err(format!("unknown modifier {other:?} in {text:?}")),
            };
        }
        let lower = key.to_ascii_lowercase();
        let code = if key.chars().count() == 1 {
            let c = key.chars().next().unwrap_or(' ');
            if modifiers & SHIFT != 0 && c.is_ascii_alphabetic() {
                modifiers &= !SHIFT;
                KeyCodeOrd::Char(c.to_ascii_uppercase())
            } else {
                KeyCodeOrd::Char(c)
            }
        } else if lower == "space" {
            KeyCodeOrd::Char(' ')
        } else if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
            KeyCodeOrd::F(n)
        } else if let Some(i) = NAMED.iter().position(|(name, _)| *name == lower) {
            KeyCodeOrd::Named(i as u8)
        } else {
            return Err(format!("unknown key {key:?} in {text:?}"));
        };
        if matches!(code, KeyCodeOrd::Char(_)) {
            modifiers &= !SHIFT;
        }
        Ok(KeyChord { code, modifiers })
    }
}

fn named_index(code: KeyCode) -> Option<u8> {
    NAMED.iter().position(|(_, c)| *c == code).map(|i| i as u8)
}

impl fmt::Display for KeyChord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers & CTRL != 0 {
            f.write_str("ctrl+")?;
        }
        if self.modifiers & ALT != 0 {
            f.write_str("alt+")?;
        }
        if self.modifiers & SHIFT != 0 {
            f.write_str("shift+")?;
        }
        match self.code {
            KeyCodeOrd::Char(' ') => f.write_str("space"),
            // `G` alone reads well; with ctrl or alt the shift is spelled out.
            KeyCodeOrd::Char(c) if c.is_uppercase() && self.modifiers & (CTRL | ALT) != 0 => {
                write!(f, "shift+{}", c.to_lowercase())
            }
            KeyCodeOrd::Char(c) => write!(f, "{c}"),
            KeyCodeOrd::F(n) => write!(f, "F{n}"),
            KeyCodeOrd::Named(i) => f.write_str(NAMED.get(i as usize).map_or("?", |(n, _)| n)),
        }
    }
}
