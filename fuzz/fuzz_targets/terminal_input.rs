//! What a terminal sends the chat, on arbitrary bytes cut into reads at arbitrary places: the
//! input decoder never panics, and where a read ends never changes what is decoded.
#![no_main]

use bedrock_tui::fuzzing;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&cut, bytes)) = data.split_first() else {
        return;
    };
    let whole = fuzzing::terminal_input(&[bytes]);
    let cut = usize::from(cut).min(bytes.len());
    let (first, rest) = bytes.split_at(cut);
    assert_eq!(fuzzing::terminal_input(&[first, rest]), whole);
});
