//! Event-stream encoder, used by the emulator and by tests.

use super::{
    EncodeError, Header, HeaderValue, MAX_HEADER_VALUE_LEN, MAX_HEADERS_LEN, MAX_PAYLOAD_LEN,
    MIN_MESSAGE_LEN,
};

fn value_len(value: &HeaderValue<'_>) -> usize {
    match value {
        HeaderValue::Bool(_) => 0,
        HeaderValue::Byte(_) => 1,
        HeaderValue::Int16(_) => 2,
        HeaderValue::Int32(_) => 4,
        HeaderValue::Int64(_) | HeaderValue::Timestamp(_) => 8,
        HeaderValue::Bytes(b) => 2 + b.len(),
        HeaderValue::String(s) => 2 + s.len(),
        HeaderValue::Uuid(_) => 16,
    }
}

fn headers_len(headers: &[Header<'_>]) -> usize {
    headers
        .iter()
        .map(|h| 1 + h.name.len() + 1 + value_len(&h.value))
        .sum()
}

/// The encoded size of a message with these headers and payload.
pub fn encoded_len(headers: &[Header<'_>], payload_len: usize) -> usize {
    MIN_MESSAGE_LEN + headers_len(headers) + payload_len
}

/// Appends one encoded message to `out`. Nothing is appended on error.
pub fn encode_message(
    headers: &[Header<'_>],
    payload: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    for header in headers {
        if header.name.is_empty() || header.name.len() > 255 {
            return Err(EncodeError::HeaderName(header.name.to_string()));
        }
        let too_long = match header.value {
            HeaderValue::Bytes(b) => b.len() > MAX_HEADER_VALUE_LEN,
            HeaderValue::String(s) => s.len() > MAX_HEADER_VALUE_LEN,
            _ => false,
        };
        if too_long {
            return Err(EncodeError::HeaderValueTooLong(header.name.to_string()));
        }
    }
    let block_len = headers_len(headers);
    if block_len > MAX_HEADERS_LEN {
        return Err(EncodeError::HeadersTooLarge(block_len));
    }
    if payload.len() > MAX_PAYLOAD_LEN {
        return Err(EncodeError::PayloadTooLarge(payload.len()));
    }
    let total = MIN_MESSAGE_LEN + block_len + payload.len();
    let start = out.len();
    out.reserve(total);
    // Both lengths were bounded above, so they fit in u32.
    out.extend_from_slice(&(total as u32).to_be_bytes());
    out.extend_from_slice(&(block_len as u32).to_be_bytes());
    let prelude_crc = crc32fast::hash(&out[start..start + 8]);
    out.extend_from_slice(&prelude_crc.to_be_bytes());
    for header in headers {
        out.push(header.name.len() as u8);
        out.extend_from_slice(header.name.as_bytes());
        out.push(header.value.type_code());
        match header.value {
            HeaderValue::Bool(_) => {}
            HeaderValue::Byte(v) => out.push(v as u8),
            HeaderValue::Int16(v) => out.extend_from_slice(&v.to_be_bytes()),
            HeaderValue::Int32(v) => out.extend_from_slice(&v.to_be_bytes()),
            HeaderValue::Int64(v) | HeaderValue::Timestamp(v) => {
                out.extend_from_slice(&v.to_be_bytes());
            }
            HeaderValue::Bytes(b) => {
                out.extend_from_slice(&(b.len() as u16).to_be_bytes());
                out.extend_from_slice(b);
            }
            HeaderValue::String(s) => {
                out.extend_from_slice(&(s.len() as u16).to_be_bytes());
                out.extend_from_slice(s.as_bytes());
            }
            HeaderValue::Uuid(u) => out.extend_from_slice(&u),
        }
    }
    out.extend_from_slice(payload);
    let message_crc = crc32fast::hash(&out[start..]);
    out.extend_from_slice(&message_crc.to_be_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Decoder;

    #[test]
    fn round_trips_every_value_type() {
        let uuid = [7u8; 16];
        let headers = [
            Header {
                name: "t",
                value: HeaderValue::Bool(true),
            },
            Header {
                name: "f",
                value: HeaderValue::Bool(false),
            },
            Header {
                name: "b",
                value: HeaderValue::Byte(-3),
            },
            Header {
                name: "s",
                value: HeaderValue::Int16(-300),
            },
            Header {
                name: "i",
                value: HeaderValue::Int32(70000),
            },
            Header {
                name: "l",
                value: HeaderValue::Int64(-1 << 40),
            },
            Header {
                name: "bytes",
                value: HeaderValue::Bytes(&[0, 1, 255]),
            },
            Header::string("str", "héllo"),
            Header {
                name: "ts",
                value: HeaderValue::Timestamp(1_700_000_000_123),
            },
            Header {
                name: "u",
                value: HeaderValue::Uuid(uuid),
            },
        ];
        let mut out = Vec::new();
        encode_message(&headers, b"payload", &mut out).unwrap();
        assert_eq!(out.len(), encoded_len(&headers, 7));
        let mut decoder = Decoder::new();
        decoder.push_slice(&out);
        let message = decoder.next_message().unwrap().unwrap();
        assert_eq!(message.headers().collect::<Vec<_>>(), headers.to_vec());
        assert_eq!(message.payload(), b"payload");
    }

    #[test]
    fn refuses_bad_names_and_long_values() {
        let mut out = Vec::new();
        assert!(encode_message(&[Header::string("", "x")], b"", &mut out).is_err());
        let long_name = "n".repeat(256);
        assert!(encode_message(&[Header::string(&long_name, "x")], b"", &mut out).is_err());
        let long_value = "v".repeat(MAX_HEADER_VALUE_LEN + 1);
        assert!(encode_message(&[Header::string("n", &long_value)], b"", &mut out).is_err());
        assert!(out.is_empty());
    }
}
