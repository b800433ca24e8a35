//! Entry points for the fuzz targets and property tests into the parsers of untrusted input
//! that are otherwise private: server error bodies and codes, the secret scrubber, the terminal
//! sanitizer, JSON for a terminal, the session listing's line scan, the terminal input
//! decoder, a tool call as its approval shows it, and the guard on an MCP server's messages.
//! Not an API.

/// A server error from a code header and a body, as its message is kept.
pub fn service_error(code: Option<&str>, body: &[u8]) -> (String, String) {
    let error = crate::bedrock::ServiceError::from_body(code, body);
    (error.kind.name().to_string(), error.message)
}

/// Secrets scrubbed from a server's text.
pub fn scrub(text: &str) -> String {
    crate::bedrock::scrub::scrub_secrets(text).into_owned()
}

/// Text as the terminal is given it.
pub fn sanitize(text: &str) -> String {
    crate::text::sanitize_for_terminal(text).into_owned()
}

/// JSON as a terminal is given it.
pub fn json_for_terminal(json: &str) -> String {
    crate::text::json_for_terminal(json).into_owned()
}

/// A session file's bytes as the listing reads them: `(turns, title, models, damaged)`.
pub fn listing(bytes: &[u8]) -> (usize, String, Vec<String>, bool) {
    let scan = crate::transcript::listing::scan_listing(std::io::Cursor::new(bytes), false)
        .unwrap_or_default();
    scan.summary_fields()
}

/// Terminal input as the chat's reader decodes it, read in the pieces given, then no more
/// input: the events.
pub fn terminal_input(reads: &[&[u8]]) -> Vec<crossterm::event::Event> {
    let mut decoder = crate::tui::input::Decoder::default();
    let mut events = Vec::new();
    for read in reads {
        decoder.feed(read, &mut events);
    }
    decoder.flush(&mut events);
    events
}

/// A tool call a model sent, as its approval shows it (every line, stand-ins written out) and
/// as its one-line summary.
pub fn tool_call_shown(name: &str, input: &str) -> (String, String) {
    let call = crate::models::tool_use::ToolCall {
        index: 0,
        id: "call".into(),
        name: name.into(),
        input: input.into(),
    };
    // As compacted, before the popup's own sanitizing: the stand-ins alone must make it safe.
    (
        crate::tools::shown::shown(&call).plain_text(),
        call.summary(),
    )
}

/// An MCP server's output as the guard passes it on, line by line.
pub fn mcp_messages(bytes: &[u8]) -> Vec<Vec<u8>> {
    crate::tools::mcp::guard_lines(bytes)
}
