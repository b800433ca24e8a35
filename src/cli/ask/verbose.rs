//! `ask --verbose`: the exchange on stderr as it happens, `>` for what was sent, `<` for what
//! came back, `*` for retries. Credentials were redacted before anything was kept.

use crate::bedrock::{BedrockError, Frame, ResponseMeta, RetryNotice, SentRequest};
use crate::inspect::{FrameRecord, body_view};
use crate::text::sanitize_for_terminal;
use std::io::{IsTerminal, Write};

fn print(lines: &[String]) {
    let stderr = std::io::stderr();
    let terminal = stderr.is_terminal();
    let mut err = stderr.lock();
    for line in lines {
        let shown = if terminal {
            sanitize_for_terminal(line)
        } else {
            line.as_str().into()
        };
        let _ = writeln!(err, "{shown}");
    }
}

/// An attempt as it went out.
pub(super) fn sent(request: &SentRequest) {
    let mut lines = Vec::new();
    if request.attempt > 1 {
        lines.push(format!(
            "* attempt {} at +{} ms",
            request.attempt,
            request.at.as_millis()
        ));
    }
    lines.push(format!("> {} {}", request.method, request.url));
    lines.extend(request.headers.iter().map(|(n, v)| format!("> {n}: {v}")));
    lines.push(">".to_string());
    lines.extend(body_view(&request.body).lines().map(|l| format!("> {l}")));
    print(&lines);
}

/// A retry about to happen.
pub(super) fn retrying(notice: &RetryNotice) {
    print(&[format!(
        "* attempt {} of {} failed ({}: {}); trying again in {} ms",
        notice.attempt,
        notice.max_attempts,
        notice.error.name(),
        notice.error,
        notice.wait.as_millis()
    )]);
}

/// The response status and headers.
pub(super) fn response(meta: &ResponseMeta) {
    let mut lines = vec![format!(
        "< HTTP {} (headers after {} ms)",
        meta.status,
        meta.first_byte.as_millis()
    )];
    lines.extend(meta.headers.iter().map(|(n, v)| format!("< {n}: {v}")));
    print(&lines);
}

/// A whole response body.
pub(super) fn body(body: &[u8]) {
    let lines: Vec<String> = body_view(body).lines().map(|l| format!("< {l}")).collect();
    print(&lines);
}

/// One event-stream frame.
pub(super) fn frame(number: usize, frame: &Frame) {
    let record = FrameRecord::from_frame(frame);
    let headers: Vec<String> = record
        .headers
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect();
    let mut lines = vec![format!(
        "< frame {number} +{} ms {}",
        record.elapsed.as_millis(),
        headers.join(" ")
    )];
    lines.push(format!(
        "<   payload {}",
        String::from_utf8_lossy(&record.payload)
    ));
    if let Some(decoded) = &record.decoded {
        lines.push(format!("<   decoded {}", String::from_utf8_lossy(decoded)));
    }
    print(&lines);
}

/// How the call failed.
pub(super) fn failure(error: &BedrockError) {
    let status = error
        .service()
        .and_then(|s| s.status)
        .map(|s| format!("HTTP {s} "))
        .unwrap_or_default();
    print(&[format!("< {status}{}: {error}", error.name())]);
}
