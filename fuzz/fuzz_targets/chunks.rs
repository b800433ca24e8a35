//! Every family's chunk decoder and response parser on arbitrary bytes, and the format detectors:
//! no panic, typed errors.
#![no_main]

use bedrock_tui::models::{FamilyId, StreamDecoder, detect};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let family = FamilyId::ALL[usize::from(choice) % FamilyId::ALL.len()];
    let _ = family.adapter().parse_response(rest);
    // Chunks separated by 0xFF bytes, as a stream of several events.
    let mut decoder = StreamDecoder::new(family);
    for chunk in rest.split(|b| *b == 0xff) {
        let _ = decoder.decode(chunk);
    }
    let _ = decoder.finish();
    // Telling a format by its shape, as the exchange does for bodies and answers.
    if let Some(value) = detect::json_object(rest) {
        let _ = (
            detect::of_request(&value),
            detect::of_response(&value),
            detect::of_chunk(&value),
        );
    }
});
