//! Incremental event-stream decoder: feed it byte chunks of any size, take complete messages.
//!
//! Payloads are never copied more than once: a frame that lies wholly inside one pushed chunk is
//! sliced out of it (zero copy); a frame split across chunks is assembled once in a buffer.

use super::{
    DecodeError, Header, HeaderValue, MAX_HEADERS_LEN, MAX_PAYLOAD_LEN, MIN_MESSAGE_LEN,
    PRELUDE_LEN,
};
use bytes::{Buf, Bytes, BytesMut};

/// One decoded event-stream message. Cheap to clone; the frame bytes are shared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    frame: Bytes,
    headers_len: usize,
}

impl Message {
    /// Iterates the headers in wire order.
    pub fn headers(&self) -> Headers<'_> {
        Headers {
            block: &self.frame[PRELUDE_LEN..PRELUDE_LEN + self.headers_len],
            pos: 0,
        }
    }

    /// The value of the first header with this name.
    pub fn header(&self, name: &str) -> Option<HeaderValue<'_>> {
        self.headers().find(|h| h.name == name).map(|h| h.value)
    }

    /// The value of a string header.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        match self.header(name)? {
            HeaderValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.frame[PRELUDE_LEN + self.headers_len..self.frame.len() - 4]
    }

    /// The payload as shared bytes (no copy).
    pub fn payload_bytes(&self) -> Bytes {
        self.frame
            .slice(PRELUDE_LEN + self.headers_len..self.frame.len() - 4)
    }

    /// The whole frame as received.
    pub fn frame(&self) -> &Bytes {
        &self.frame
    }
}

/// Iterator over the headers of a validated message.
#[derive(Debug, Clone)]
pub struct Headers<'a> {
    block: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Headers<'a> {
    type Item = Header<'a>;

    fn next(&mut self) -> Option<Header<'a>> {
        if self.pos >= self.block.len() {
            return None;
        }
        // The block was validated when the message was decoded, so this cannot fail; stop
        // quietly if it somehow did rather than panic.
        let (header, next) = parse_header(self.block, self.pos, 0).ok()?;
        self.pos = next;
        Some(header)
    }
}

/// Parses the header at `pos` in `block`, returning it and the position after it.
/// `base` is the stream offset of `block[0]`, used in errors.
fn parse_header(block: &[u8], pos: usize, base: u64) -> Result<(Header<'_>, usize), DecodeError> {
    let offset = base + pos as u64;
    let overrun = |what| DecodeError::HeaderOverrun { offset, what };
    let name_len = *block.get(pos).ok_or(overrun("name"))? as usize;
    if name_len == 0 {
        return Err(DecodeError::EmptyHeaderName { offset });
    }
    let name_end = pos + 1 + name_len;
    let name_bytes = block.get(pos + 1..name_end).ok_or(overrun("name"))?;
    let name =
        std::str::from_utf8(name_bytes).map_err(|_| DecodeError::HeaderNameUtf8 { offset })?;
    let type_code = *block.get(name_end).ok_or(overrun("value type"))?;
    let mut at = name_end + 1;
    let mut take = |n: usize| -> Result<&[u8], DecodeError> {
        let slice = block.get(at..at + n).ok_or(overrun("value"))?;
        at += n;
        Ok(slice)
    };
    let value = match type_code {
        0 => HeaderValue::Bool(true),
        1 => HeaderValue::Bool(false),
        2 => HeaderValue::Byte(take(1)?[0] as i8),
        3 => HeaderValue::Int16(i16::from_be_bytes(array(take(2)?))),
        4 => HeaderValue::Int32(i32::from_be_bytes(array(take(4)?))),
        5 => HeaderValue::Int64(i64::from_be_bytes(array(take(8)?))),
        6 | 7 => {
            let len = u16::from_be_bytes(array(take(2)?)) as usize;
            let bytes = take(len)?;
            if type_code == 6 {
                HeaderValue::Bytes(bytes)
            } else {
                HeaderValue::String(
                    std::str::from_utf8(bytes)
                        .map_err(|_| DecodeError::HeaderStringUtf8 { offset })?,
                )
            }
        }
        8 => HeaderValue::Timestamp(i64::from_be_bytes(array(take(8)?))),
        9 => HeaderValue::Uuid(array(take(16)?)),
        other => {
            return Err(DecodeError::HeaderValueType {
                offset,
                type_code: other,
            });
        }
    };
    Ok((Header { name, value }, at))
}

/// Copies a slice of known length into an array (the caller took exactly `N` bytes).
fn array<const N: usize>(slice: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&slice[..N]);
    out
}

fn be_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(array(&bytes[at..at + 4]))
}

/// Checks the prelude of the frame at the start of `data` (at least 12 bytes) and returns
/// `(total_len, headers_len)`.
fn check_prelude(data: &[u8], offset: u64) -> Result<(usize, usize), DecodeError> {
    let total_len = be_u32(data, 0);
    let headers_len = be_u32(data, 4);
    let expected = be_u32(data, 8);
    let computed = crc32fast::hash(&data[..8]);
    if computed != expected {
        return Err(DecodeError::PreludeChecksum {
            offset,
            computed,
            expected,
        });
    }
    if (total_len as usize) < MIN_MESSAGE_LEN {
        return Err(DecodeError::MessageTooShort { offset, total_len });
    }
    if headers_len > total_len - MIN_MESSAGE_LEN as u32 {
        return Err(DecodeError::HeadersLengthOutOfBounds {
            offset,
            headers_len,
            total_len,
        });
    }
    if headers_len as usize > MAX_HEADERS_LEN {
        return Err(DecodeError::HeadersTooLarge {
            offset,
            headers_len,
        });
    }
    let payload_len = u64::from(total_len - headers_len) - MIN_MESSAGE_LEN as u64;
    if payload_len > MAX_PAYLOAD_LEN as u64 {
        return Err(DecodeError::PayloadTooLarge {
            offset,
            payload_len,
        });
    }
    Ok((total_len as usize, headers_len as usize))
}

/// Validates a complete frame (`frame.len() == total_len`): message CRC, then every header.
fn check_frame(frame: &[u8], headers_len: usize, offset: u64) -> Result<(), DecodeError> {
    let crc_at = frame.len() - 4;
    let expected = be_u32(frame, crc_at);
    let computed = crc32fast::hash(&frame[..crc_at]);
    if computed != expected {
        return Err(DecodeError::MessageChecksum {
            offset,
            computed,
            expected,
        });
    }
    let block = &frame[PRELUDE_LEN..PRELUDE_LEN + headers_len];
    let base = offset + PRELUDE_LEN as u64;
    let mut pos = 0;
    while pos < block.len() {
        pos = parse_header(block, pos, base)?.1;
    }
    Ok(())
}

/// Decodes the frame at the start of `data`, if it is complete: `Ok(None)` means more bytes are
/// needed; `Ok(Some((total_len, headers_len)))` means `data[..total_len]` is a valid message.
fn try_frame(data: &[u8], offset: u64) -> Result<Option<(usize, usize)>, DecodeError> {
    if data.len() < PRELUDE_LEN {
        return Ok(None);
    }
    let (total_len, headers_len) = check_prelude(data, offset)?;
    if data.len() < total_len {
        return Ok(None);
    }
    check_frame(&data[..total_len], headers_len, offset)?;
    Ok(Some((total_len, headers_len)))
}

/// Incremental decoder. Push chunks with [`Decoder::push`], take messages with
/// [`Decoder::next_message`] until it returns `Ok(None)`, and call [`Decoder::finish`] at the
/// end of the stream. After an error the decoder keeps returning that error.
#[derive(Debug, Default)]
pub struct Decoder {
    /// Unconsumed part of the last pushed chunk, used while `partial` is empty (zero copy).
    head: Bytes,
    /// A frame assembled across chunks.
    partial: BytesMut,
    /// Stream offset of the first unconsumed byte.
    offset: u64,
    failed: Option<DecodeError>,
}

impl Decoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds bytes received from the stream.
    pub fn push(&mut self, chunk: Bytes) {
        if chunk.is_empty() {
            return;
        }
        if self.partial.is_empty() && self.head.is_empty() {
            self.head = chunk;
            return;
        }
        if !self.head.is_empty() {
            // `head` holds the start of a frame that did not fit: assemble it once.
            let head = std::mem::take(&mut self.head);
            self.partial.extend_from_slice(&head);
        }
        self.partial.extend_from_slice(&chunk);
    }

    /// Adds bytes received from the stream (copying them).
    pub fn push_slice(&mut self, chunk: &[u8]) {
        self.push(Bytes::copy_from_slice(chunk));
    }

    /// The next complete message, `Ok(None)` if more bytes are needed.
    pub fn next_message(&mut self) -> Result<Option<Message>, DecodeError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        let result = if self.partial.is_empty() {
            try_frame(&self.head, self.offset).map(|found| {
                found.map(|(total, headers_len)| (self.head.split_to(total), headers_len))
            })
        } else {
            try_frame(&self.partial, self.offset).map(|found| {
                found.map(|(total, headers_len)| {
                    (self.partial.split_to(total).freeze(), headers_len)
                })
            })
        };
        match result {
            Ok(Some((frame, headers_len))) => {
                self.offset += frame.len() as u64;
                Ok(Some(Message { frame, headers_len }))
            }
            Ok(None) => Ok(None),
            Err(err) => {
                self.failed = Some(err.clone());
                Err(err)
            }
        }
    }

    /// Whether a whole frame is already buffered, so `next_message` returns it without more
    /// bytes (a consumer can hold its output until the buffered frames are done).
    pub fn frame_ready(&self) -> bool {
        let data: &[u8] = if self.partial.is_empty() {
            &self.head
        } else {
            &self.partial
        };
        match data.get(..4) {
            Some(prefix) => {
                let total = u32::from_be_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]);
                data.len() >= total as usize
            }
            None => false,
        }
    }

    /// Bytes received but not yet returned as a message.
    pub fn buffered(&self) -> usize {
        self.head.len() + self.partial.len()
    }

    /// Stream offset of the first byte not yet returned as a message.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Call at the end of the stream: an error if a partial frame is left over.
    pub fn finish(&self) -> Result<(), DecodeError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        let have = self.buffered();
        if have == 0 {
            return Ok(());
        }
        let data = if self.partial.is_empty() {
            &self.head[..]
        } else {
            &self.partial[..]
        };
        let need = if have >= PRELUDE_LEN {
            u64::from((&data[..4]).get_u32())
        } else {
            PRELUDE_LEN as u64
        };
        Err(DecodeError::Truncated {
            offset: self.offset,
            need,
            have: have as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode_message;

    fn frame(headers: &[Header<'_>], payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        encode_message(headers, payload, &mut out).unwrap();
        out
    }

    #[test]
    fn decodes_across_every_split() {
        let bytes = frame(
            &[Header::string(":event-type", "chunk")],
            b"{\"bytes\":\"\"}",
        );
        for split in 1..bytes.len() {
            let mut decoder = Decoder::new();
            decoder.push_slice(&bytes[..split]);
            assert!(decoder.next_message().unwrap().is_none());
            decoder.push_slice(&bytes[split..]);
            let message = decoder.next_message().unwrap().unwrap();
            assert_eq!(message.payload(), b"{\"bytes\":\"\"}");
            assert_eq!(message.header_str(":event-type"), Some("chunk"));
            decoder.finish().unwrap();
        }
    }

    #[test]
    fn truncation_is_its_own_error() {
        let bytes = frame(&[], b"payload");
        let mut decoder = Decoder::new();
        decoder.push_slice(&bytes[..bytes.len() - 1]);
        assert!(decoder.next_message().unwrap().is_none());
        assert_eq!(
            decoder.finish(),
            Err(DecodeError::Truncated {
                offset: 0,
                need: bytes.len() as u64,
                have: bytes.len() as u64 - 1
            })
        );
    }

    #[test]
    fn huge_claimed_length_is_refused_before_buffering() {
        let mut prelude = Vec::new();
        prelude.extend_from_slice(&(u32::MAX).to_be_bytes());
        prelude.extend_from_slice(&0u32.to_be_bytes());
        let crc = crc32fast::hash(&prelude);
        prelude.extend_from_slice(&crc.to_be_bytes());
        let mut decoder = Decoder::new();
        decoder.push_slice(&prelude);
        assert!(matches!(
            decoder.next_message(),
            Err(DecodeError::PayloadTooLarge { offset: 0, .. })
        ));
        // The error sticks.
        assert!(decoder.next_message().is_err());
        assert!(decoder.finish().is_err());
    }

    #[test]
    fn error_offsets_count_from_stream_start() {
        let good = frame(&[], b"a");
        let mut bad = frame(&[], b"b");
        let last = bad.len() - 1;
        bad[last] ^= 1;
        let mut decoder = Decoder::new();
        decoder.push_slice(&good);
        decoder.push_slice(&bad);
        assert!(decoder.next_message().unwrap().is_some());
        match decoder.next_message() {
            Err(DecodeError::MessageChecksum { offset, .. }) => {
                assert_eq!(offset, good.len() as u64);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn empty_header_name_rejected() {
        // A header block of: name_len 0, type 0.
        let mut bytes = Vec::new();
        let total = 16 + 2u32;
        bytes.extend_from_slice(&total.to_be_bytes());
        bytes.extend_from_slice(&2u32.to_be_bytes());
        let crc = crc32fast::hash(&bytes);
        bytes.extend_from_slice(&crc.to_be_bytes());
        bytes.extend_from_slice(&[0, 0]);
        let crc = crc32fast::hash(&bytes);
        bytes.extend_from_slice(&crc.to_be_bytes());
        let mut decoder = Decoder::new();
        decoder.push_slice(&bytes);
        assert_eq!(
            decoder.next_message(),
            Err(DecodeError::EmptyHeaderName { offset: 12 })
        );
    }
}
