//! The AWS event-stream binary format (`application/vnd.amazon.eventstream`): an incremental,
//! strict decoder and an encoder, hand-written on `crc32fast`.
//!
//! Frame layout (big-endian): `total_length u32 | headers_length u32 | prelude_crc u32 |
//! headers | payload | message_crc u32`, where `prelude_crc` covers bytes `0..8` and
//! `message_crc` covers everything before it (prelude CRC included).
//!
//! Limits enforced by the decoder (the botocore / aws-sdk-go limits):
//! - [`MAX_HEADERS_LEN`]: the header block is at most 128 KiB;
//! - [`MAX_PAYLOAD_LEN`]: the payload is at most 16 MiB;
//! - header names are 1..=255 bytes of UTF-8; string values are UTF-8;
//! - a frame is at least 16 bytes.
//!
//! Header values of strings and byte arrays may be up to 65,535 bytes on read (what the u16 length
//! allows, as smithy-rs accepts); the encoder refuses more than 32,767 bytes, the AWS limit.
//! Duplicate header names are kept (as smithy-rs does); lookups return the first.

mod decode;
mod encode;
mod error;

pub use decode::{Decoder, Headers, Message};
pub use encode::{encode_message, encoded_len};
pub use error::{DecodeError, EncodeError};

/// Length of the prelude: total length, headers length and prelude CRC.
pub const PRELUDE_LEN: usize = 12;
/// Smallest possible frame: prelude plus message CRC.
pub const MIN_MESSAGE_LEN: usize = 16;
/// Largest header block the decoder accepts (128 KiB).
pub const MAX_HEADERS_LEN: usize = 128 * 1024;
/// Largest payload the decoder accepts (16 MiB).
pub const MAX_PAYLOAD_LEN: usize = 16 * 1024 * 1024;
/// Largest string or byte-array header value the encoder writes.
pub const MAX_HEADER_VALUE_LEN: usize = i16::MAX as usize;

/// One header value; strings and byte arrays borrow from the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderValue<'a> {
    /// Type 0 (true) or 1 (false).
    Bool(bool),
    /// Type 2.
    Byte(i8),
    /// Type 3.
    Int16(i16),
    /// Type 4.
    Int32(i32),
    /// Type 5.
    Int64(i64),
    /// Type 6: u16 length and bytes.
    Bytes(&'a [u8]),
    /// Type 7: u16 length and UTF-8.
    String(&'a str),
    /// Type 8: milliseconds since the Unix epoch.
    Timestamp(i64),
    /// Type 9: 16 bytes.
    Uuid([u8; 16]),
}

impl HeaderValue<'_> {
    /// The wire type code of this value.
    pub fn type_code(&self) -> u8 {
        match self {
            HeaderValue::Bool(true) => 0,
            HeaderValue::Bool(false) => 1,
            HeaderValue::Byte(_) => 2,
            HeaderValue::Int16(_) => 3,
            HeaderValue::Int32(_) => 4,
            HeaderValue::Int64(_) => 5,
            HeaderValue::Bytes(_) => 6,
            HeaderValue::String(_) => 7,
            HeaderValue::Timestamp(_) => 8,
            HeaderValue::Uuid(_) => 9,
        }
    }

    /// The value as a string, when it is a string header.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            HeaderValue::String(s) => Some(s),
            _ => None,
        }
    }
}

/// A named header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    /// Header name, 1..=255 bytes.
    pub name: &'a str,
    /// Header value.
    pub value: HeaderValue<'a>,
}

impl<'a> Header<'a> {
    /// A string-valued header, the kind Bedrock uses for `:event-type` and friends.
    pub fn string(name: &'a str, value: &'a str) -> Self {
        Header {
            name,
            value: HeaderValue::String(value),
        }
    }
}

/// Formats a UUID as its hyphenated lowercase string.
pub fn format_uuid(uuid: &[u8; 16]) -> String {
    let mut out = String::with_capacity(36);
    for (i, byte) in uuid.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push_str(&format!("{byte:02x}"));
    }
    out
}
