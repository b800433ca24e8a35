//! Why bytes could not be decoded or a message encoded: each error names the byte offset or
//! the header at fault, in words a person can act on.

use super::{MAX_HEADER_VALUE_LEN, MAX_HEADERS_LEN, MAX_PAYLOAD_LEN};

/// Why a stream of event-stream bytes was rejected. `offset` is the byte offset, counted from the
/// start of the stream, at which the problem lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The prelude CRC does not match bytes 0..8 of the frame.
    PreludeChecksum {
        /// Offset of the frame.
        offset: u64,
        /// CRC of the received prelude.
        computed: u32,
        /// CRC written in the frame.
        expected: u32,
    },
    /// The message CRC does not match the frame.
    MessageChecksum {
        /// Offset of the frame.
        offset: u64,
        /// CRC of the received frame.
        computed: u32,
        /// CRC written in the frame.
        expected: u32,
    },
    /// `total_length` is below the 16-byte minimum.
    MessageTooShort {
        /// Offset of the frame.
        offset: u64,
        /// The claimed total length.
        total_len: u32,
    },
    /// `headers_length` does not fit inside the frame.
    HeadersLengthOutOfBounds {
        /// Offset of the frame.
        offset: u64,
        /// The claimed headers length.
        headers_len: u32,
        /// The claimed total length.
        total_len: u32,
    },
    /// The header block is larger than [`MAX_HEADERS_LEN`].
    HeadersTooLarge {
        /// Offset of the frame.
        offset: u64,
        /// The claimed headers length.
        headers_len: u32,
    },
    /// The payload is larger than [`MAX_PAYLOAD_LEN`].
    PayloadTooLarge {
        /// Offset of the frame.
        offset: u64,
        /// The implied payload length.
        payload_len: u64,
    },
    /// A header name has length 0.
    EmptyHeaderName {
        /// Offset of the header.
        offset: u64,
    },
    /// A header name, type code or value runs past the end of the header block.
    HeaderOverrun {
        /// Offset of the header.
        offset: u64,
        /// The part that did not fit: "name", "value type" or "value".
        what: &'static str,
    },
    /// A header name is not UTF-8.
    HeaderNameUtf8 {
        /// Offset of the header.
        offset: u64,
    },
    /// A header has a value type outside 0..=9.
    HeaderValueType {
        /// Offset of the header.
        offset: u64,
        /// The type code found.
        type_code: u8,
    },
    /// A string header value is not UTF-8.
    HeaderStringUtf8 {
        /// Offset of the header.
        offset: u64,
    },
    /// The stream ended in the middle of a frame.
    Truncated {
        /// Offset of the incomplete frame.
        offset: u64,
        /// Bytes the frame needs (12 when the prelude itself is incomplete).
        need: u64,
        /// Bytes received.
        have: u64,
    },
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::PreludeChecksum {
                computed,
                expected,
                offset,
                ..
            } => write!(
                f,
                "prelude checksum mismatch at byte {offset}: computed {computed:#010x}, frame says {expected:#010x}"
            ),
            Self::MessageChecksum {
                computed,
                expected,
                offset,
                ..
            } => write!(
                f,
                "message checksum mismatch at byte {offset}: computed {computed:#010x}, frame says {expected:#010x}"
            ),
            Self::MessageTooShort {
                offset, total_len, ..
            } => write!(
                f,
                "frame at byte {offset} claims a total length of {total_len}, below the 16-byte minimum"
            ),
            Self::HeadersLengthOutOfBounds {
                headers_len,
                offset,
                total_len,
                ..
            } => write!(
                f,
                "frame at byte {offset}: headers length {headers_len} does not fit in a total length of {total_len}"
            ),
            Self::HeadersTooLarge {
                headers_len,
                offset,
                ..
            } => write!(
                f,
                "frame at byte {offset}: headers length {headers_len} exceeds the limit of {MAX_HEADERS_LEN} bytes"
            ),
            Self::PayloadTooLarge {
                offset,
                payload_len,
                ..
            } => write!(
                f,
                "frame at byte {offset}: payload length {payload_len} exceeds the limit of {MAX_PAYLOAD_LEN} bytes"
            ),
            Self::EmptyHeaderName { offset, .. } => {
                write!(f, "header at byte {offset}: name length is 0")
            }
            Self::HeaderOverrun { offset, what, .. } => write!(
                f,
                "header at byte {offset}: {what} runs past the end of the header block"
            ),
            Self::HeaderNameUtf8 { offset, .. } => {
                write!(f, "header at byte {offset}: name is not valid UTF-8")
            }
            Self::HeaderValueType {
                offset, type_code, ..
            } => write!(f, "header at byte {offset}: unknown value type {type_code}"),
            Self::HeaderStringUtf8 { offset, .. } => write!(
                f,
                "header at byte {offset}: string value is not valid UTF-8"
            ),
            Self::Truncated {
                have, need, offset, ..
            } => write!(
                f,
                "stream ended inside a frame at byte {offset}: {have} of {need} bytes received"
            ),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Why a message could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncodeError {
    /// A header name is empty or longer than 255 bytes.
    HeaderName(String),
    /// A string or byte-array value is longer than 32,767 bytes.
    HeaderValueTooLong(String),
    /// The header block is over the limit.
    HeadersTooLarge(usize),
    /// The payload is over the limit.
    PayloadTooLarge(usize),
}

impl std::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::HeaderName(v0) => write!(f, "header name {v0:?} must be 1 to 255 bytes long"),
            Self::HeaderValueTooLong(v0) => write!(
                f,
                "header {v0:?}: value longer than {MAX_HEADER_VALUE_LEN} bytes"
            ),
            Self::HeadersTooLarge(v0) => write!(
                f,
                "headers take {v0} bytes, over the {MAX_HEADERS_LEN}-byte limit"
            ),
            Self::PayloadTooLarge(v0) => write!(
                f,
                "payload of {v0} bytes is over the {MAX_PAYLOAD_LEN}-byte limit"
            ),
        }
    }
}

impl std::error::Error for EncodeError {}
