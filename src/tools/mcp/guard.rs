//! A guard between an MCP server's standard output and the MCP client, so that what a server
//! sends is bounded before anything parses it: each message (one line of JSON-RPC) is scanned
//! as it arrives, in constant memory, and passed on with every string longer than
//! [`STRING_KEEP`] cut (the cut said in the string, as a long tool result is cut). A message
//! still longer than [`MESSAGE_CAP`] after that, or nested deeper than [`DEPTH_CAP`], is not
//! passed on: a response becomes a JSON-RPC error for its id that names the limit (so the call
//! waiting for it fails at once, instead of waiting out its time), anything else is dropped.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, ReadBuf};

/// The longest message passed on, in bytes, after long strings are cut.
pub const MESSAGE_CAP: usize = 4 << 20;

/// The longest string of a message kept, in bytes as sent (the rest is cut, and that is said).
/// A little under a tool result's cap, so that the cut text and its note fit in it.
pub const STRING_KEEP: usize = crate::tools::RESULT_CAP - 256;

/// The deepest nesting passed on (JSON readers stop at 128).
pub const DEPTH_CAP: usize = 100;

/// The longest id kept to answer a message that is too large.
const ID_CAP: usize = 256;

/// The scanner's state inside one message.
#[derive(Debug, Default)]
struct Scan {
    /// The message as passed on so far.
    line: Vec<u8>,
    /// Bytes of the message as sent.
    seen: usize,
    /// The message passed [`MESSAGE_CAP`] or [`DEPTH_CAP`]: only scanned on for its id.
    over: bool,
    /// Open arrays and objects: `b'['` or `b'{'`.
    stack: Vec<u8>,
    /// Depth beyond the stack (nesting past [`DEPTH_CAP`] is counted, not kept).
    deeper: usize,
    /// The nesting went past [`DEPTH_CAP`].
    too_deep: bool,
    /// In an object, the next string is a key.
    expect_key: bool,
    /// Inside a string.
    in_string: bool,
    /// The string is a key of the message's own object.
    top_key: bool,
    /// The key just read at the top (`id`, `method`).
    last_top_key: Vec<u8>,
    /// The string's bytes as sent, and those not kept.
    string_len: usize,
    string_cut: usize,
    /// Right after a backslash; hex digits of a `\u` escape still to come, and their value.
    escape: bool,
    hex_left: u8,
    hex_value: u32,
    /// The last escape was a high surrogate: the low one must follow it, so no cut here.
    high_surrogate: bool,
    /// The raw value of the top-level `id`, and whether the message has a `method`.
    id: Vec<u8>,
    reading_id: bool,
    has_method: bool,
}

/// An MCP server's output, guarded.
pub(crate) struct Guarded<R> {
    inner: R,
    scan: Scan,
    ready: VecDeque<u8>,
    /// What was cut or refused, for the server's error messages.
    pub(crate) notes: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl<R> Guarded<R> {
    /// Guards `inner`.
    pub(crate) fn new(inner: R) -> Guarded<R> {
        Guarded {
            inner,
            scan: Scan::default(),
            ready: VecDeque::new(),
            notes: std::sync::Arc::default(),
        }
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for Guarded<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        loop {
            if !this.ready.is_empty() {
                let (front, _) = this.ready.as_slices();
                let n = front.len().min(out.remaining());
                out.put_slice(&front[..n]);
                this.ready.drain(..n);
                return Poll::Ready(Ok(()));
            }
            let mut buffer = [0u8; 16 * 1024];
            let mut read = ReadBuf::new(&mut buffer);
            match Pin::new(&mut this.inner).poll_read(cx, &mut read) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(())) if read.filled().is_empty() => return Poll::Ready(Ok(())),
                Poll::Ready(Ok(())) => {
                    for &byte in read.filled() {
                        if let Some(done) = this.scan.feed(byte) {
                            match done {
                                Done::Pass(line) => this.ready.extend(line),
                                Done::Refused { answer, note } => {
                                    if let Ok(mut notes) = this.notes.lock() {
                                        notes.push(note);
                                        let excess = notes.len().saturating_sub(8);
                                        notes.drain(..excess);
                                    }
                                    this.ready.extend(answer);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What the guard passes on of `bytes` (an MCP server's output), line by line: each message
/// as passed, or what stands for a refused one (for the fuzz targets).
pub fn guard_lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut scan = Scan::default();
    bytes
        .iter()
        .filter_map(|b| scan.feed(*b))
        .map(|done| match done {
            Done::Pass(line) => line,
            Done::Refused { answer, .. } => answer,
        })
        .collect()
}

/// What becomes of a message once its line ends.
#[derive(Debug, PartialEq, Eq)]
enum Done {
    /// Passed on (with its newline).
    Pass(Vec<u8>),
    /// Refused: what goes on instead (an error for its id, or nothing), and why.
    Refused { answer: Vec<u8>, note: String },
}

impl Scan {
    /// Takes in one byte; at the end of a line, what becomes of the message.
    fn feed(&mut self, byte: u8) -> Option<Done> {
        if byte == b'\n' {
            return Some(self.finish());
        }
        self.seen += 1;
        if self.in_string {
            self.string_byte(byte);
            return None;
        }
        // The top-level id's value, as sent, up to the `,` or `}` that ends it.
        if self.reading_id && self.deeper == 0 {
            if self.stack.len() == 1 && matches!(byte, b',' | b'}') {
                self.reading_id = false;
            } else if !byte.is_ascii_whitespace() && self.id.len() < ID_CAP {
                self.id.push(byte);
            }
        }
        match byte {
            b'"' => {
                self.in_string = true;
                self.string_len = 0;
                self.string_cut = 0;
                self.top_key = self.expect_key && self.stack.len() == 1 && self.deeper == 0;
                if self.top_key {
                    self.last_top_key.clear();
                }
            }
            b'{' | b'[' => {
                if self.stack.len() >= DEPTH_CAP {
                    self.deeper += 1;
                    self.too_deep = true;
                    self.over = true;
                } else {
                    self.stack.push(byte);
                }
                self.expect_key = byte == b'{';
            }
            b'}' | b']' => {
                if self.deeper > 0 {
                    self.deeper -= 1;
                } else {
                    self.stack.pop();
                }
                self.expect_key = false;
            }
            b',' => self.expect_key = self.stack.last() == Some(&b'{') && self.deeper == 0,
            b':' => {
                self.expect_key = false;
                if self.stack.len() == 1 && self.deeper == 0 {
                    match self.last_top_key.as_slice() {
                        b"id" => {
                            self.reading_id = true;
                            self.id.clear();
                        }
                        b"method" => self.has_method = true,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        self.push(&[byte]);
        None
    }

    /// A byte inside a string: kept up to [`STRING_KEEP`] (to the next place a cut leaves
    /// valid JSON), counted past it; the closing quote ends it, with the cut said.
    fn string_byte(&mut self, byte: u8) {
        let in_escape = self.escape || self.hex_left > 0;
        if !in_escape && byte == b'"' {
            self.in_string = false;
            if self.string_cut > 0 {
                let note = format!(
                    "\\n[cut: {} in all, the first {} shown]",
                    crate::files::human_size(self.string_len as u64),
                    crate::files::human_size((self.string_len - self.string_cut) as u64)
                );
                self.push(note.as_bytes());
            }
            self.push(b"\"");
            if self.reading_id && self.id.len() < ID_CAP {
                self.id.push(b'"');
            }
            return;
        }
        // A cut may fall before this byte: not inside an escape, not inside a character, not
        // between the two halves of a surrogate pair.
        let may_cut = !in_escape && (byte & 0xC0) != 0x80 && !self.high_surrogate;
        self.string_len += 1;
        if self.string_cut > 0 || (self.string_len > STRING_KEEP && may_cut) {
            self.string_cut += 1;
        } else {
            self.push(&[byte]);
            if self.top_key && self.last_top_key.len() < 16 {
                self.last_top_key.push(byte);
            }
            if self.reading_id && self.id.len() < ID_CAP {
                self.id.push(byte);
            }
        }
        if self.escape {
            self.escape = false;
            if byte == b'u' {
                self.hex_left = 4;
                self.hex_value = 0;
            } else {
                self.high_surrogate = false;
            }
        } else if self.hex_left > 0 {
            self.hex_left -= 1;
            self.hex_value = self.hex_value * 16 + char::from(byte).to_digit(16).unwrap_or(0);
            if self.hex_left == 0 {
                self.high_surrogate = (0xD800..0xDC00).contains(&self.hex_value);
            }
        } else if byte == b'\\' {
            self.escape = true;
        } else {
            self.high_surrogate = false;
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        if self.over {
            return;
        }
        if self.line.len() + bytes.len() > MESSAGE_CAP {
            self.over = true;
            self.line = Vec::new();
            return;
        }
        self.line.extend_from_slice(bytes);
    }

    /// The line ended: the message, or what stands for it.
    fn finish(&mut self) -> Done {
        let scan = std::mem::take(self);
        if !scan.over {
            let mut line = scan.line;
            line.push(b'\n');
            return Done::Pass(line);
        }
        let size = crate::files::human_size(scan.seen as u64);
        let why = if scan.too_deep {
            format!("nested deeper than {DEPTH_CAP}")
        } else {
            format!(
                "larger than {} even with its long strings cut",
                crate::files::human_size(MESSAGE_CAP as u64)
            )
        };
        let note = format!("it sent a message of {size} {why}, which was refused");
        let id_ok = !scan.id.is_empty()
            && scan.id.len() < ID_CAP
            && serde_json::from_slice::<serde_json::Value>(&scan.id)
                .is_ok_and(|v| v.is_string() || v.is_number());
        let answer = if id_ok && !scan.has_method {
            let message = format!("the MCP server's answer was refused: {note}");
            let mut answer = format!(
                "{{\"jsonrpc\":\"2.0\",\"id\":{},\"error\":{{\"code\":-32603,\"message\":{}}}}}",
                String::from_utf8_lossy(&scan.id),
                serde_json::Value::String(message)
            )
            .into_bytes();
            answer.push(b'\n');
            answer
        } else {
            Vec::new()
        };
        Done::Refused { answer, note }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn through(input: &[u8]) -> Vec<Done> {
        let mut scan = Scan::default();
        input.iter().filter_map(|b| scan.feed(*b)).collect()
    }

    fn passed(done: &Done) -> Value {
        match done {
            Done::Pass(line) => serde_json::from_slice(line).unwrap(),
            Done::Refused { .. } => panic!("refused: {done:?}"),
        }
    }

    #[test]
    fn ordinary_messages_pass_byte_for_byte() {
        let message = json!({"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"é \\\"q\\\" \\u00e9 😀"}],"isError":false}});
        let line = format!("{message}\n");
        assert_eq!(through(line.as_bytes()), [Done::Pass(line.into_bytes())]);
    }

    #[test]
    fn a_long_string_is_cut_and_says_so_and_stays_valid_json() {
        for filler in ["x", "é", "😀", "\\u00e9", "\\ud83d\\ude00", "\\\""] {
            let text = filler.repeat(STRING_KEEP / filler.len() + 500);
            let line = format!(
                "{{\"jsonrpc\":\"2.0\",\"result\":{{\"content\":[{{\"type\":\"text\",\"text\":\"{text}\"}}]}},\"id\":\"a\"}}\n"
            );
            let done = through(line.as_bytes());
            let value = passed(&done[0]);
            let kept = value["result"]["content"][0]["text"].as_str().unwrap();
            assert!(kept.contains("\n[cut: "), "{filler}");
            assert!(
                kept.len() < crate::tools::RESULT_CAP,
                "{filler}: {}",
                kept.len()
            );
            assert_eq!(value["id"], "a");
        }
    }

    #[test]
    fn a_message_too_large_becomes_an_error_for_its_id() {
        // Many strings, each under the cut, together over the cap.
        let items: Vec<String> = (0..(MESSAGE_CAP / 1000 + 10))
            .map(|_| format!("\"{}\"", "y".repeat(1000)))
            .collect();
        let line = format!(
            "{{\"jsonrpc\":\"2.0\",\"result\":{{\"tools\":[{}]}},\"id\":42}}\n",
            items.join(",")
        );
        let done = through(line.as_bytes());
        let Done::Refused { answer, note } = &done[0] else {
            panic!("{:?}", done.len());
        };
        let answer: Value = serde_json::from_slice(answer).unwrap();
        assert_eq!(answer["id"], 42);
        assert!(
            answer["error"]["message"]
                .as_str()
                .unwrap()
                .contains("refused")
        );
        assert!(note.contains("larger than 4.0 MiB"), "{note}");
        // A notification that large is dropped; deep nesting is refused too.
        let deep = format!("{}{}\n", "[".repeat(200), "]".repeat(200));
        assert!(
            matches!(&through(deep.as_bytes())[0], Done::Refused { answer, .. } if answer.is_empty())
        );
        let deep_response = format!(
            "{{\"id\":3,\"result\":{}{}}}\n",
            "[".repeat(200),
            "]".repeat(200)
        );
        let done = through(deep_response.as_bytes());
        let Done::Refused { answer, note } = &done[0] else {
            panic!();
        };
        assert!(note.contains("nested deeper"));
        assert_eq!(serde_json::from_slice::<Value>(answer).unwrap()["id"], 3);
    }

    #[tokio::test]
    async fn a_reader_in_pieces_gives_the_same_lines() {
        use tokio::io::AsyncReadExt;
        let text = "z".repeat(STRING_KEEP * 3);
        let input = format!("{{\"id\":1,\"result\":\"{text}\"}}\n{{\"id\":2,\"result\":1}}\n");
        let mut guarded = Guarded::new(std::io::Cursor::new(input.into_bytes()));
        let mut out = String::new();
        guarded.read_to_string(&mut out).await.unwrap();
        let lines: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0]["result"].as_str().unwrap().ends_with("shown]"));
        assert_eq!(lines[1]["id"], 2);
    }
}
