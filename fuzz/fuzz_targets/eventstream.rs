//! The event-stream decoder on arbitrary bytes fed at arbitrary split points: it never panics,
//! and every rejection is a typed error after which it stops.
#![no_main]

use bedrock_tui::bedrock::eventstream::Decoder;
use bytes::Bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first two bytes choose the read size; the rest is the stream.
    let (split, stream) = match data {
        [a, b, rest @ ..] => (usize::from(u16::from_le_bytes([*a, *b])).max(1), rest),
        _ => return,
    };
    let mut decoder = Decoder::new();
    for read in stream.chunks(split) {
        decoder.push(Bytes::copy_from_slice(read));
        loop {
            match decoder.next_message() {
                Ok(Some(message)) => {
                    let _ = message.payload();
                    for header in message.headers() {
                        let _ = header.name;
                    }
                }
                Ok(None) => break,
                Err(_) => return,
            }
        }
    }
});
