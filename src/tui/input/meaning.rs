//! What a finished control sequence means: a key with its modifiers (the legacy forms, xterm's
//! `modifyOtherKeys` form `CSI 27;mods;code~` and the kitty form `CSI code;mods u`), a mouse
//! report, focus, or the start of a bracketed paste. Answers of the terminal and sequences
//! that are not input mean nothing.

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers, MediaKeyCode,
    ModifierKeyCode, MouseButton, MouseEvent, MouseEventKind,
};

/// What a control sequence is to the chat.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Meaning {
    /// An input event.
    Input(Event),
    /// `CSI 200~`: what follows is pasted text, up to `CSI 201~`.
    PasteStart,
    /// Not input (an answer of the terminal, an unknown key): dropped.
    Nothing,
}

/// The numbers of a control sequence's parameters: `;` between fields, `:` between the parts
/// of a field (`CSI 97:65;6:1u`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Params<'a>(pub(super) &'a [u8]);

impl Params<'_> {
    /// Part `part` of field `field`; `None` when absent, empty or not a number.
    pub(super) fn get(&self, field: usize, part: usize) -> Option<u32> {
        let field = self.0.split(|b| *b == b';').nth(field)?;
        let digits = field.split(|b| *b == b':').nth(part)?;
        if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The meaning of `CSI params last` without a private marker (`?`, `<`, `>`, `=`).
pub(super) fn csi(params: Params, last: u8) -> Meaning {
    let input = |event: Option<Event>| event.map_or(Meaning::Nothing, Meaning::Input);
    match last {
        b'~' => tilde(params),
        b'u' => input(params.get(0, 0).and_then(|code| {
            codepoint_key(
                code,
                params.get(0, 1),
                params.get(1, 0),
                kind(params.get(1, 1)),
            )
        })),
        b'I' if params.is_empty() => Meaning::Input(Event::FocusGained),
        b'O' if params.is_empty() => Meaning::Input(Event::FocusLost),
        b'Z' => input(legacy(params, KeyCode::BackTab).map(|mut event| {
            if let Event::Key(key) = &mut event {
                key.modifiers |= KeyModifiers::SHIFT;
            }
            event
        })),
        b'M' => input(rxvt_mouse(params)),
        // `CSI R` with numbers is a cursor position report, never F3 (kitty sends `CSI 13~`).
        _ => input(letter_key(last).and_then(|code| legacy(params, code))),
    }
}

/// The key of a legacy `CSI 1;mods X` sequence's final letter.
fn letter_key(last: u8) -> Option<KeyCode> {
    Some(match last {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        b'E' => KeyCode::KeypadBegin,
        b'P' => KeyCode::F(1),
        b'Q' => KeyCode::F(2),
        b'S' => KeyCode::F(4),
        _ => return None,
    })
}

/// A key sent as `CSI X` or `CSI 1;mods[:kind] X`.
fn legacy(params: Params, code: KeyCode) -> Option<Event> {
    if !params.is_empty() && params.get(0, 0) != Some(1) {
        return None;
    }
    Some(key(
        code,
        params.get(1, 0),
        kind(params.get(1, 1)),
        KeyEventState::NONE,
    ))
}

/// `CSI n[;mods[:kind]]~`: editing and function keys, the paste start, and xterm's
/// `modifyOtherKeys` form `CSI 27;mods;code~` (Shift+Enter is `CSI 27;2;13~`).
fn tilde(params: Params) -> Meaning {
    let Some(number) = params.get(0, 0) else {
        return Meaning::Nothing;
    };
    let code = match number {
        200 => return Meaning::PasteStart,
        27 => {
            return params
                .get(2, 0)
                .and_then(|code| codepoint_key(code, None, params.get(1, 0), KeyEventKind::Press))
                .map_or(Meaning::Nothing, Meaning::Input);
        }
        1 | 7 => KeyCode::Home,
        2 => KeyCode::Insert,
        3 => KeyCode::Delete,
        4 | 8 => KeyCode::End,
        5 => KeyCode::PageUp,
        6 => KeyCode::PageDown,
        n @ 11..=15 => KeyCode::F(function_number(n - 10)),
        n @ 17..=21 => KeyCode::F(function_number(n - 11)),
        n @ 23..=26 => KeyCode::F(function_number(n - 12)),
        n @ 28..=29 => KeyCode::F(function_number(n - 15)),
        n @ 31..=34 => KeyCode::F(function_number(n - 17)),
        _ => return Meaning::Nothing,
    };
    Meaning::Input(key(
        code,
        params.get(1, 0),
        kind(params.get(1, 1)),
        KeyEventState::NONE,
    ))
}

/// A function key's number as crossterm keeps it (the ranges above stay well under 256).
fn function_number(n: u32) -> u8 {
    u8::try_from(n).unwrap_or(u8::MAX)
}

/// A key given by its Unicode code point (kitty and `modifyOtherKeys`), with the shifted key
/// kitty may add. Shift with a letter gives the capital, as typing it does.
fn codepoint_key(
    code: u32,
    shifted: Option<u32>,
    mask: Option<u32>,
    kind: KeyEventKind,
) -> Option<Event> {
    if let Some((keycode, state)) = functional_key(code) {
        return Some(key(keycode, mask, kind, state));
    }
    let Event::Key(mut event) = key(KeyCode::Null, mask, kind, KeyEventState::NONE) else {
        return None;
    };
    let shift = event.modifiers.contains(KeyModifiers::SHIFT);
    event.code = match char::from_u32(code)? {
        '\u{1b}' => KeyCode::Esc,
        '\r' => KeyCode::Enter,
        '\t' if shift => KeyCode::BackTab,
        '\t' => KeyCode::Tab,
        '\u{7f}' | '\u{8}' => KeyCode::Backspace,
        c if c.is_control() => return None,
        c if shift => match shifted.and_then(char::from_u32) {
            Some(shifted) => {
                event.modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::Char(shifted)
            }
            None => KeyCode::Char(capital(c)),
        },
        c => KeyCode::Char(c),
    };
    Some(Event::Key(event))
}

/// The capital of a letter when it is one character; the character itself otherwise.
fn capital(c: char) -> char {
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(capital), None) => capital,
        _ => c,
    }
}

/// A key event with the modifiers of an xterm modifier parameter (1 + a bit mask).
fn key(code: KeyCode, mask: Option<u32>, kind: KeyEventKind, state: KeyEventState) -> Event {
    let bits = mask.unwrap_or(1).saturating_sub(1);
    let mut modifiers = KeyModifiers::NONE;
    let mut state = state;
    for (bit, modifier) in [
        (1, KeyModifiers::SHIFT),
        (2, KeyModifiers::ALT),
        (4, KeyModifiers::CONTROL),
        (8, KeyModifiers::SUPER),
        (16, KeyModifiers::HYPER),
        (32, KeyModifiers::META),
    ] {
        if bits & bit != 0 {
            modifiers |= modifier;
        }
    }
    if bits & 64 != 0 {
        state |= KeyEventState::CAPS_LOCK;
    }
    if bits & 128 != 0 {
        state |= KeyEventState::NUM_LOCK;
    }
    Event::Key(KeyEvent::new_with_kind_and_state(
        code, modifiers, kind, state,
    ))
}

/// Kitty's event type: 1 press, 2 repeat, 3 release.
fn kind(code: Option<u32>) -> KeyEventKind {
    match code {
        Some(2) => KeyEventKind::Repeat,
        Some(3) => KeyEventKind::Release,
        _ => KeyEventKind::Press,
    }
}

/// Keys kitty sends with code points of Unicode's private use area.
fn functional_key(code: u32) -> Option<(KeyCode, KeyEventState)> {
    const KEYPAD: [KeyCode; 29] = [
        KeyCode::Char('0'),
        KeyCode::Char('1'),
        KeyCode::Char('2'),
        KeyCode::Char('3'),
        KeyCode::Char('4'),
        KeyCode::Char('5'),
        KeyCode::Char('6'),
        KeyCode::Char('7'),
        KeyCode::Char('8'),
        KeyCode::Char('9'),
        KeyCode::Char('.'),
        KeyCode::Char('/'),
        KeyCode::Char('*'),
        KeyCode::Char('-'),
        KeyCode::Char('+'),
        KeyCode::Enter,
        KeyCode::Char('='),
        KeyCode::Char(','),
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::Insert,
        KeyCode::Delete,
        KeyCode::KeypadBegin,
    ];
    const LOCKS: [KeyCode; 6] = [
        KeyCode::CapsLock,
        KeyCode::ScrollLock,
        KeyCode::NumLock,
        KeyCode::PrintScreen,
        KeyCode::Pause,
        KeyCode::Menu,
    ];
    const MEDIA: [MediaKeyCode; 13] = [
        MediaKeyCode::Play,
        MediaKeyCode::Pause,
        MediaKeyCode::PlayPause,
        MediaKeyCode::Reverse,
        MediaKeyCode::Stop,
        MediaKeyCode::FastForward,
        MediaKeyCode::Rewind,
        MediaKeyCode::TrackNext,
        MediaKeyCode::TrackPrevious,
        MediaKeyCode::Record,
        MediaKeyCode::LowerVolume,
        MediaKeyCode::RaiseVolume,
        MediaKeyCode::MuteVolume,
    ];
    const MODIFIERS: [ModifierKeyCode; 14] = [
        ModifierKeyCode::LeftShift,
        ModifierKeyCode::LeftControl,
        ModifierKeyCode::LeftAlt,
        ModifierKeyCode::LeftSuper,
        ModifierKeyCode::LeftHyper,
        ModifierKeyCode::LeftMeta,
        ModifierKeyCode::RightShift,
        ModifierKeyCode::RightControl,
        ModifierKeyCode::RightAlt,
        ModifierKeyCode::RightSuper,
        ModifierKeyCode::RightHyper,
        ModifierKeyCode::RightMeta,
        ModifierKeyCode::IsoLevel3Shift,
        ModifierKeyCode::IsoLevel5Shift,
    ];
    let index = |first: u32| usize::try_from(code - first).unwrap_or(usize::MAX);
    Some(match code {
        57358..=57363 => (LOCKS[index(57358)], KeyEventState::NONE),
        57376..=57398 => (
            KeyCode::F(function_number(code - 57376 + 13)),
            KeyEventState::NONE,
        ),
        57399..=57427 => (KEYPAD[index(57399)], KeyEventState::KEYPAD),
        57428..=57440 => (KeyCode::Media(MEDIA[index(57428)]), KeyEventState::NONE),
        57441..=57454 => (
            KeyCode::Modifier(MODIFIERS[index(57441)]),
            KeyEventState::NONE,
        ),
        _ => return None,
    })
}

/// An SGR mouse report, `CSI < button;column;row M` (`m` for a release).
pub(super) fn sgr_mouse(params: Params, last: u8) -> Option<Event> {
    let (kind, modifiers) = mouse_button(params.get(0, 0)?)?;
    let kind = match (last, kind) {
        (b'm', MouseEventKind::Down(button)) => MouseEventKind::Up(button),
        (_, kind) => kind,
    };
    Some(mouse(kind, modifiers, params.get(1, 0)?, params.get(2, 0)?))
}

/// An rxvt mouse report, `CSI button;column;row M` with the button offset by 32.
fn rxvt_mouse(params: Params) -> Option<Event> {
    let (kind, modifiers) = mouse_button(params.get(0, 0)?.checked_sub(32)?)?;
    Some(mouse(kind, modifiers, params.get(1, 0)?, params.get(2, 0)?))
}

/// A normal (X10) mouse report's three bytes after `CSI M`, each offset by 32.
pub(super) fn normal_mouse(bytes: [u8; 3]) -> Option<Event> {
    let [button, column, row] = bytes.map(|b| u32::from(b.saturating_sub(32)));
    let (kind, modifiers) = mouse_button(button)?;
    Some(mouse(kind, modifiers, column, row))
}

/// A mouse event at a 1-based column and row.
fn mouse(kind: MouseEventKind, modifiers: KeyModifiers, column: u32, row: u32) -> Event {
    let cell = |n: u32| u16::try_from(n.saturating_sub(1)).unwrap_or(u16::MAX);
    Event::Mouse(MouseEvent {
        kind,
        column: cell(column),
        row: cell(row),
        modifiers,
    })
}

/// The button byte of a mouse report: button, drag and the modifiers held.
fn mouse_button(code: u32) -> Option<(MouseEventKind, KeyModifiers)> {
    let button = (code & 0b11) | ((code & 0b1100_0000) >> 4);
    let dragging = code & 0b10_0000 != 0;
    let kind = match (button, dragging) {
        (0, false) => MouseEventKind::Down(MouseButton::Left),
        (1, false) => MouseEventKind::Down(MouseButton::Middle),
        (2, false) => MouseEventKind::Down(MouseButton::Right),
        (0, true) => MouseEventKind::Drag(MouseButton::Left),
        (1, true) => MouseEventKind::Drag(MouseButton::Middle),
        (2, true) => MouseEventKind::Drag(MouseButton::Right),
        (3, false) => MouseEventKind::Up(MouseButton::Left),
        (3..=5, true) => MouseEventKind::Moved,
        (4, false) => MouseEventKind::ScrollUp,
        (5, false) => MouseEventKind::ScrollDown,
        (6, false) => MouseEventKind::ScrollLeft,
        (7, false) => MouseEventKind::ScrollRight,
        _ => return None,
    };
    let mut modifiers = KeyModifiers::NONE;
    for (bit, modifier) in [
        (0b100, KeyModifiers::SHIFT),
        (0b1000, KeyModifiers::ALT),
        (0b1_0000, KeyModifiers::CONTROL),
    ] {
        if code & bit != 0 {
            modifiers |= modifier;
        }
    }
    Some((kind, modifiers))
}
