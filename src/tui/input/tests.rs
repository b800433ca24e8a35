//! The decoder on what terminals send: legacy keys, xterm's `modifyOtherKeys`, kitty's
//! `CSI u`, mouse reports, bracketed paste, terminal answers, and input cut anywhere.

use super::decode::{Decoder, Waiting};
use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers, MouseButton, MouseEvent,
    MouseEventKind,
};
use proptest::prelude::*;

fn decode(bytes: &[u8]) -> Vec<Event> {
    let mut decoder = Decoder::default();
    let mut events = Vec::new();
    decoder.feed(bytes, &mut events);
    decoder.flush(&mut events);
    events
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new(code, modifiers))
}

fn plain(code: KeyCode) -> Event {
    key(code, KeyModifiers::NONE)
}

const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const ALT: KeyModifiers = KeyModifiers::ALT;

#[test]
fn shift_enter_in_every_form_terminals_send() {
    let shift_enter = key(KeyCode::Enter, SHIFT);
    // xterm with modifyOtherKeys, tmux with `extended-keys-format xterm`.
    assert_eq!(decode(b"\x1b[27;2;13~"), std::slice::from_ref(&shift_enter));
    // kitty, foot, WezTerm, Ghostty (kitty protocol); tmux with `extended-keys-format csi-u`.
    assert_eq!(decode(b"\x1b[13;2u"), [shift_enter]);
    assert_eq!(decode(b"\x1b[27;3;13~"), [key(KeyCode::Enter, ALT)]);
    assert_eq!(decode(b"\x1b[27;5;13~"), [key(KeyCode::Enter, CTRL)]);
    // Other keys in the same form: Ctrl+Shift+Z (xterm sends the capital), Ctrl+; and Ctrl+I.
    assert_eq!(
        decode(b"\x1b[27;6;90~"),
        [key(KeyCode::Char('Z'), CTRL | SHIFT)]
    );
    assert_eq!(decode(b"\x1b[27;5;59~"), [key(KeyCode::Char(';'), CTRL)]);
    assert_eq!(decode(b"\x1b[27;5;105~"), [key(KeyCode::Char('i'), CTRL)]);
    assert_eq!(decode(b"\x1b[27;2;9~"), [key(KeyCode::BackTab, SHIFT)]);
    assert_eq!(decode(b"\x1b[27;5;127~"), [key(KeyCode::Backspace, CTRL)]);
    // A form with no key code means nothing.
    assert_eq!(decode(b"\x1b[27;5~"), []);
}

#[test]
fn legacy_keys_as_crossterm_reads_them() {
    assert_eq!(decode(b"\r"), [plain(KeyCode::Enter)]);
    assert_eq!(decode(b"\n"), [key(KeyCode::Char('j'), CTRL)]);
    assert_eq!(decode(b"\t"), [plain(KeyCode::Tab)]);
    assert_eq!(decode(b"\x7f"), [plain(KeyCode::Backspace)]);
    assert_eq!(
        decode(b"\x01\x1a\x00\x1c"),
        [
            key(KeyCode::Char('a'), CTRL),
            key(KeyCode::Char('z'), CTRL),
            key(KeyCode::Char(' '), CTRL),
            key(KeyCode::Char('4'), CTRL),
        ]
    );
    assert_eq!(
        decode("aÉ€😀".as_bytes()),
        [
            plain(KeyCode::Char('a')),
            key(KeyCode::Char('É'), SHIFT),
            plain(KeyCode::Char('€')),
            plain(KeyCode::Char('😀')),
        ]
    );
    assert_eq!(
        decode(b"\x1bx\x1b\r\x1b\x7f"),
        [
            key(KeyCode::Char('x'), ALT),
            key(KeyCode::Enter, ALT),
            key(KeyCode::Backspace, ALT),
        ]
    );
    assert_eq!(
        decode(b"\x1b[A\x1bOB\x1b[1;5C\x1b[1;3D\x1b[H\x1b[F\x1b[Z"),
        [
            plain(KeyCode::Up),
            plain(KeyCode::Down),
            key(KeyCode::Right, CTRL),
            key(KeyCode::Left, ALT),
            plain(KeyCode::Home),
            plain(KeyCode::End),
            key(KeyCode::BackTab, SHIFT),
        ]
    );
    assert_eq!(
        decode(b"\x1b[3~\x1b[5;5~\x1b[6~\x1b[2~\x1b[1~\x1b[4~"),
        [
            plain(KeyCode::Delete),
            key(KeyCode::PageUp, CTRL),
            plain(KeyCode::PageDown),
            plain(KeyCode::Insert),
            plain(KeyCode::Home),
            plain(KeyCode::End),
        ]
    );
    assert_eq!(
        decode(b"\x1bOP\x1b[15~\x1b[24;2~\x1b[[A\x1b[1;2P"),
        [
            plain(KeyCode::F(1)),
            plain(KeyCode::F(5)),
            key(KeyCode::F(12), SHIFT),
            plain(KeyCode::F(1)),
            key(KeyCode::F(1), SHIFT),
        ]
    );
}

#[test]
fn kitty_keys() {
    assert_eq!(decode(b"\x1b[27u"), [plain(KeyCode::Esc)]);
    assert_eq!(
        decode(b"\x1b[122;6u"),
        [key(KeyCode::Char('Z'), CTRL | SHIFT)]
    );
    assert_eq!(decode(b"\x1b[105;5u"), [key(KeyCode::Char('i'), CTRL)]);
    assert_eq!(decode(b"\x1b[97:65;2u"), [plain(KeyCode::Char('A'))]);
    assert_eq!(decode(b"\x1b[9;2u"), [key(KeyCode::BackTab, SHIFT)]);
    assert_eq!(
        decode(b"\x1b[97;5:3u"),
        [Event::Key(KeyEvent::new_with_kind(
            KeyCode::Char('a'),
            CTRL,
            KeyEventKind::Release
        ))]
    );
    assert_eq!(
        decode(b"\x1b[57400u"),
        [Event::Key(KeyEvent::new_with_kind_and_state(
            KeyCode::Char('1'),
            KeyModifiers::NONE,
            KeyEventKind::Press,
            KeyEventState::KEYPAD
        ))]
    );
    assert_eq!(decode(b"\x1b[57376u"), [plain(KeyCode::F(13))]);
    // Caps lock on is a state, not a modifier.
    assert_eq!(
        decode(b"\x1b[97;69u"),
        [Event::Key(KeyEvent::new_with_kind_and_state(
            KeyCode::Char('a'),
            CTRL,
            KeyEventKind::Press,
            KeyEventState::CAPS_LOCK
        ))]
    );
}

#[test]
fn mouse_reports() {
    let at = |kind, column, row, modifiers| {
        Event::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers,
        })
    };
    assert_eq!(
        decode(b"\x1b[<64;10;5M\x1b[<65;1;1M"),
        [
            at(MouseEventKind::ScrollUp, 9, 4, KeyModifiers::NONE),
            at(MouseEventKind::ScrollDown, 0, 0, KeyModifiers::NONE),
        ]
    );
    assert_eq!(
        decode(b"\x1b[<0;3;4M\x1b[<0;3;4m\x1b[<16;300;200M"),
        [
            at(
                MouseEventKind::Down(MouseButton::Left),
                2,
                3,
                KeyModifiers::NONE
            ),
            at(
                MouseEventKind::Up(MouseButton::Left),
                2,
                3,
                KeyModifiers::NONE
            ),
            at(MouseEventKind::Down(MouseButton::Left), 299, 199, CTRL),
        ]
    );
    assert_eq!(
        decode(b"\x1b[M`!!"),
        [at(MouseEventKind::ScrollUp, 0, 0, KeyModifiers::NONE)]
    );
    assert_eq!(
        decode(b"\x1b[96;2;3M"),
        [at(MouseEventKind::ScrollUp, 1, 2, KeyModifiers::NONE)]
    );
}

#[test]
fn a_bracketed_paste_is_one_event_whatever_it_holds() {
    assert_eq!(
        decode(b"\x1b[200~line 1\r\nline 2\x1b[A\x03\x1b[201~x"),
        [
            Event::Paste("line 1\r\nline 2\x1b[A\x03".to_string()),
            plain(KeyCode::Char('x'))
        ]
    );
    // Read in pieces, the end marker cut too.
    let mut decoder = Decoder::default();
    let mut events = Vec::new();
    for piece in [&b"\x1b[20"[..], b"0~abc\x1b[2", b"01", b"~"] {
        decoder.feed(piece, &mut events);
    }
    assert_eq!(events, [Event::Paste("abc".to_string())]);
    assert_eq!(decoder.waiting(), Waiting::Nothing);
    // Invalid UTF-8 is replaced, not dropped.
    assert_eq!(
        decode(b"\x1b[200~a\xffb\x1b[201~"),
        [Event::Paste("a\u{fffd}b".to_string())]
    );
}

#[test]
fn a_paste_whose_end_never_comes_is_delivered_when_input_stops() {
    let mut decoder = Decoder::default();
    let mut events = Vec::new();
    decoder.feed(b"\x1b[200~half a paste\x1b[20", &mut events);
    assert!(events.is_empty());
    assert_eq!(decoder.waiting(), Waiting::Paste);
    decoder.flush(&mut events);
    assert_eq!(events, [Event::Paste("half a paste\x1b[20".to_string())]);
    assert_eq!(decoder.waiting(), Waiting::Nothing);
}

#[test]
fn terminal_answers_never_type_into_the_prompt() {
    // Late answers to the picture query (kitty graphics, cell size, device attributes), the
    // keyboard-protocol answer, a cursor report, OSC colour answers with BEL and with ST.
    let answers = b"\x1b_Gi=31;OK\x1b\\\x1b[6;20;10t\x1b[?62;22c\x1b[?1u\x1b[12;40R\
                    \x1b]11;rgb:0000/0000/0000\x07\x1b]10;rgb:ffff/ffff/ffff\x1b\\\x1bP1$r0m\x1b\\";
    let mut bytes = answers.to_vec();
    bytes.extend_from_slice(b"ok");
    assert_eq!(
        decode(&bytes),
        [plain(KeyCode::Char('o')), plain(KeyCode::Char('k'))]
    );
    assert_eq!(
        decode(b"\x1b[I\x1b[O"),
        [Event::FocusGained, Event::FocusLost]
    );
}

#[test]
fn input_that_stops_short_is_read_as_typed() {
    let mut decoder = Decoder::default();
    let mut events = Vec::new();
    decoder.feed(b"\x1b", &mut events);
    assert!(events.is_empty(), "a lone Esc waits for what may follow");
    assert_eq!(decoder.waiting(), Waiting::Sequence);
    decoder.flush(&mut events);
    assert_eq!(events, [plain(KeyCode::Esc)]);
    // Alt+[ and Alt+O (Esc and a sequence's introducer, then nothing).
    assert_eq!(decode(b"\x1b["), [key(KeyCode::Char('['), ALT)]);
    assert_eq!(decode(b"\x1bO"), [key(KeyCode::Char('O'), ALT | SHIFT)]);
    assert_eq!(decode(b"\x1b]"), [key(KeyCode::Char(']'), ALT)]);
    // Two Esc presses are two.
    assert_eq!(
        decode(b"\x1b\x1b"),
        [plain(KeyCode::Esc), plain(KeyCode::Esc)]
    );
    // A character cut short waits, and is finished by the next read.
    let mut events = Vec::new();
    decoder.feed(&"é".as_bytes()[..1], &mut events);
    assert!(events.is_empty());
    decoder.feed(&"é".as_bytes()[1..], &mut events);
    assert_eq!(events, [plain(KeyCode::Char('é'))]);
}

#[test]
fn broken_input_is_dropped_and_what_follows_is_read() {
    // A byte that cannot be in a sequence ends it; bad UTF-8 is skipped.
    assert_eq!(
        decode(b"\x1b[1;\x01a\xff\xc3b"),
        [
            key(KeyCode::Char('a'), CTRL),
            plain(KeyCode::Char('a')),
            plain(KeyCode::Char('b')),
        ]
    );
    // A sequence longer than any key is dropped rather than waited for.
    let mut long = b"\x1b[".to_vec();
    long.extend(std::iter::repeat_n(b'1', 400));
    long.extend_from_slice(b"~q");
    assert_eq!(decode(&long).last(), Some(&plain(KeyCode::Char('q'))));
    // Unknown sequences are nothing.
    assert_eq!(decode(b"\x1b[99~\x1b[2J\x1b[201~"), []);
}

/// The input cut in two at `split`, fed in two reads.
fn decode_in_two(bytes: &[u8], split: usize) -> Vec<Event> {
    let mut decoder = Decoder::default();
    let mut events = Vec::new();
    decoder.feed(&bytes[..split], &mut events);
    decoder.feed(&bytes[split..], &mut events);
    decoder.flush(&mut events);
    events
}

/// Bytes that look like terminal input: pieces of real sequences and arbitrary bytes.
fn terminal_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        prop::sample::select(vec![
            &b"\x1b"[..],
            b"\x1b[",
            b"\x1b[27;2;13~",
            b"\x1b[13;2u",
            b"\x1b[200~",
            b"\x1b[201~",
            b"\x1b[<64;10;5M",
            b"\x1b[M`!!",
            b"\x1b]11;rgb:0/0/0\x07",
            b"\x1b_Gi=1;OK\x1b\\",
            b"\x1bO",
            b"\r",
            "é".as_bytes(),
            b";",
            b"1",
        ])
        .prop_map(<[u8]>::to_vec),
        prop::collection::vec(any::<u8>(), 0..4),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn where_a_read_ends_changes_nothing(bytes in terminal_bytes(), split in any::<prop::sample::Index>()) {
        let split = split.index(bytes.len() + 1);
        prop_assert_eq!(decode_in_two(&bytes, split), decode(&bytes));
    }

    #[test]
    fn any_bytes_decode_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let events = decode(&bytes);
        prop_assert!(events.len() <= bytes.len());
    }
}
