//! Fault injection: what the emulator should break in a response, chosen by the
//! `X-Emulator-Fault` header or a `[[fault:NAME ...]]` marker in the newest prompt's own text:
//! the last paragraph of the last user message. A prompt whose answer failed is sent again with
//! the next one, in one turn, a blank line between them: its marker acted on its own turn and
//! does not break the next one. `[[fault:none]]` asks for none.
//!
//! Syntax: `NAME`, `NAME after=N` (after N chunk frames; default 5), `slow-first-byte ms=N`
//! (default 3000), `flaky=K` (the first K attempts of the same request get a 429).

use bedrock_tui_wire::ExceptionKind;

/// Where to break a stream by default: after `message_start`, `content_block_start` and three
/// text deltas, so there is partial text to keep.
pub(crate) const DEFAULT_AFTER: usize = 5;
/// Default delay of `slow-first-byte`.
pub(crate) const DEFAULT_SLOW_MS: u64 = 3000;

/// A fault to inject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// An exception frame after `after` chunk frames.
    StreamException {
        /// The exception.
        kind: ExceptionKind,
        /// Chunk frames sent before it.
        after: usize,
    },
    /// An HTTP error instead of the response.
    Http(ExceptionKind),
    /// A frame with a wrong message CRC after `after` chunk frames.
    BadCrc {
        /// Chunk frames sent before it.
        after: usize,
    },
    /// Half a frame, then a clean end of the body.
    Truncate {
        /// Chunk frames sent before it.
        after: usize,
    },
    /// A clean end of the stream after `after` chunk frames: the model's last event (its stop
    /// reason, Bedrock's invocation metrics) never comes. InvokeModel answers in full.
    EarlyEnd {
        /// Chunk frames sent before the end.
        after: usize,
    },
    /// The connection is aborted.
    Reset {
        /// Chunk frames sent before it.
        after: usize,
    },
    /// Nothing more is sent, and the connection stays open.
    Stall {
        /// Chunk frames sent before it.
        after: usize,
    },
    /// The response headers are delayed.
    SlowFirstByte {
        /// Delay in milliseconds.
        ms: u64,
    },
    /// The first `attempts` attempts of the same request get a ThrottlingException.
    Flaky {
        /// How many attempts fail.
        attempts: u32,
    },
    /// After `after` chunk frames, 1 GiB of frames padded to 1 MiB each (a runaway server).
    Flood {
        /// Chunk frames sent before it.
        after: usize,
    },
    /// After the first chunk, one frame with a 32,767-byte header and a 16 MiB payload (the
    /// largest the format allows), then the rest of the answer.
    BigFrame,
    /// A 200 with the wrong content type: an HTML page where the event stream or the model's
    /// JSON should be (what a misconfigured proxy in the way sends).
    WrongContentType,
}

/// Every fault name, for documentation and `--help`.
pub const FAULT_NAMES: &[&str] = &[
    "throttling",
    "validation",
    "model-stream-error",
    "internal",
    "model-timeout",
    "service-unavailable",
    "http-throttling",
    "http-validation",
    "http-access-denied",
    "http-not-found",
    "http-model-timeout",
    "http-model-error",
    "http-quota",
    "http-not-ready",
    "http-internal",
    "http-unavailable",
    "bad-crc",
    "truncate",
    "early-end",
    "reset",
    "stall",
    "slow-first-byte",
    "flaky=K",
    "wrong-content-type",
    "flood",
    "big-frame",
];

fn exception_of(name: &str) -> Option<ExceptionKind> {
    Some(match name {
        "throttling" => ExceptionKind::Throttling,
        "validation" => ExceptionKind::Validation,
        "model-stream-error" => ExceptionKind::ModelStreamError,
        "internal" => ExceptionKind::InternalServer,
        "model-timeout" => ExceptionKind::ModelTimeout,
        "service-unavailable" => ExceptionKind::ServiceUnavailable,
        _ => return None,
    })
}

fn http_exception_of(name: &str) -> Option<ExceptionKind> {
    Some(match name {
        "http-throttling" => ExceptionKind::Throttling,
        "http-validation" => ExceptionKind::Validation,
        "http-access-denied" => ExceptionKind::AccessDenied,
        "http-not-found" => ExceptionKind::ResourceNotFound,
        "http-model-timeout" => ExceptionKind::ModelTimeout,
        "http-model-error" => ExceptionKind::ModelError,
        "http-quota" => ExceptionKind::ServiceQuotaExceeded,
        "http-not-ready" => ExceptionKind::ModelNotReady,
        "http-internal" => ExceptionKind::InternalServer,
        "http-unavailable" => ExceptionKind::ServiceUnavailable,
        _ => return None,
    })
}

/// Parses a fault spec such as `throttling after=2`; `Err` names what is wrong.
pub fn parse(spec: &str) -> Result<Fault, String> {
    let mut words = spec.split_whitespace();
    let name = words.next().ok_or("empty fault")?;
    let mut after = DEFAULT_AFTER;
    let mut ms = DEFAULT_SLOW_MS;
    for word in words {
        let (key, value) = word
            .split_once('=')
            .ok_or_else(|| format!("fault option {word:?} is not key=value"))?;
        if key == "model" {
            // Which requests it applies to is decided by `applies_to`.
            continue;
        }
        let number: u64 = value
            .parse()
            .map_err(|_| format!("fault option {word:?} needs a number"))?;
        match key {
            "after" => after = number as usize,
            "ms" => ms = number,
            _ => return Err(format!("unknown fault option {key:?}")),
        }
    }
    if let Some(count) = name.strip_prefix("flaky=") {
        let attempts = count
            .parse()
            .map_err(|_| format!("flaky needs a count, got {count:?}"))?;
        return Ok(Fault::Flaky { attempts });
    }
    if let Some(kind) = exception_of(name) {
        return Ok(Fault::StreamException { kind, after });
    }
    if let Some(kind) = http_exception_of(name) {
        return Ok(Fault::Http(kind));
    }
    Ok(match name {
        "bad-crc" => Fault::BadCrc { after },
        "truncate" => Fault::Truncate { after },
        "early-end" => Fault::EarlyEnd { after },
        "reset" => Fault::Reset { after },
        "stall" => Fault::Stall { after },
        "slow-first-byte" => Fault::SlowFirstByte { ms },
        "wrong-content-type" => Fault::WrongContentType,
        "flood" => Fault::Flood { after },
        "big-frame" => Fault::BigFrame,
        other => {
            return Err(format!(
                "unknown fault {other:?}; known: {}",
                FAULT_NAMES.join(", ")
            ));
        }
    })
}

/// Whether a fault spec applies to a request for `model`: a `model=TEXT` option limits it to
/// model ids containing TEXT (so one prompt sent to several models can fail in one of them).
pub(crate) fn applies_to(spec: &str, model: &str) -> bool {
    spec.split_whitespace()
        .filter_map(|word| word.strip_prefix("model="))
        .all(|wanted| model.contains(wanted))
}

/// Finds the last `[[fault:...]]` marker in the last paragraph of text (the newest prompt's
/// own); `none` is no fault.
pub(crate) fn find_marker(text: &str) -> Option<&str> {
    let text = text.trim_end();
    let newest = text.rfind("\n\n").map_or(text, |at| &text[at + 2..]);
    let text = newest;
    let start = text.rfind("[[fault:")? + "[[fault:".len();
    let len = text[start..].find("]]")?;
    Some(text[start..start + len].trim()).filter(|spec| *spec != "none")
}

/// The text without `[[fault:…]]` and `[[emulator:…]]` markers, so that a fault does not
/// change the answer it interrupts.
pub(crate) fn strip_markers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = ["[[fault:", "[[emulator:"]
            .iter()
            .filter_map(|m| rest.find(m))
            .min();
        if let Some((start, end)) =
            next.and_then(|at| rest[at..].find("]]").map(|len| (at, at + len + 2)))
        {
            out.push_str(&rest[..start]);
            rest = &rest[end..];
        } else {
            out.push_str(rest);
            return out.trim().to_string();
        }
    }
}

/// Whether the text holds `[[emulator:hostile]]`: the answer carries terminal escape
/// sequences (CSI, OSC 52, OSC 8, DCS, C1 controls), as untrusted model output can.
pub(crate) fn hostile_requested(text: &str) -> bool {
    text.contains("[[emulator:hostile]]")
}

/// The answer of `[[emulator:hostile]]`.
pub(crate) const HOSTILE_ANSWER: &str = "Plain words first. A window resize \x1b[8;1;1t and a screen clear \x1b[2J, a clipboard write \x1b]52;c;aGFja2Vk\x07, a hyperlink \x1b]8;;https://example.invalid\x1b\\click\x1b]8;;\x1b\\, a device control string \x1bP1$qm\x1b\\, a C1 request \u{9b}6n, a bell \x07 and a backspace \x08. Plain words last.";

/// Whether the text holds `[[emulator:echo]]`: the answer is the prompt itself (markers
/// removed), so tests can put any text, escape sequences included, in a model's mouth.
pub(crate) fn echo_requested(text: &str) -> bool {
    text.contains("[[emulator:echo]]")
}

/// Finds an `[[emulator:tokens=N]]` marker asking for an answer of N tokens.
pub(crate) fn requested_tokens(text: &str) -> Option<usize> {
    let start = text.find("[[emulator:tokens=")? + "[[emulator:tokens=".len();
    let len = text[start..].find("]]")?;
    text[start..start + len].trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_documented_name() {
        for name in FAULT_NAMES {
            let spec = name.replace("=K", "=2");
            assert!(parse(&spec).is_ok(), "{spec}");
        }
        assert_eq!(
            parse("throttling after=2"),
            Ok(Fault::StreamException {
                kind: ExceptionKind::Throttling,
                after: 2
            })
        );
        assert_eq!(parse("flaky=3"), Ok(Fault::Flaky { attempts: 3 }));
        assert_eq!(
            parse("slow-first-byte ms=10"),
            Ok(Fault::SlowFirstByte { ms: 10 })
        );
        assert!(parse("nope").is_err());
        assert_eq!(
            parse("throttling after=2 model=nova"),
            parse("throttling after=2")
        );
        assert!(applies_to(
            "throttling model=nova",
            "amazon.nova-micro-v1:0"
        ));
        assert!(!applies_to("throttling model=nova", "anthropic.claude"));
        assert!(applies_to("throttling", "anything"));
        assert!(parse("stall after=x").is_err());
    }

    #[test]
    fn markers() {
        assert_eq!(
            find_marker("hi [[fault:reset after=1]] there"),
            Some("reset after=1")
        );
        assert_eq!(find_marker("hi"), None);
        assert_eq!(
            find_marker("a [[fault:reset]]\n\nb [[fault:stall after=2]]"),
            Some("stall after=2")
        );
        assert_eq!(find_marker("a [[fault:reset]]\n\nb [[fault:none]]"), None);
        // A failed prompt sent again with the next: its marker is not the next one's.
        assert_eq!(find_marker("a [[fault:throttling]]\n\nb"), None);
        assert_eq!(requested_tokens("x [[emulator:tokens=500]]"), Some(500));
        assert_eq!(
            strip_markers("a [[fault:reset]] b [[emulator:tokens=5]]"),
            "a  b"
        );
        assert_eq!(strip_markers("a [[fault:open"), "a [[fault:open");
    }
}
