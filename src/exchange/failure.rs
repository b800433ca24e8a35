//! A failed call as screens, transcripts and session files keep it: the error's name, message,
//! statuses, and whether it came inside the event stream.

use crate::bedrock::BedrockError;

/// An error as it is shown and saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorInfo {
    /// Exception or error name (`ThrottlingException`, `TruncatedStream`, ...).
    pub name: String,
    /// The message.
    pub message: String,
    /// HTTP status, for errors returned before the stream began.
    pub status: Option<u16>,
    /// A model stream error's original status code.
    pub original_status: Option<i64>,
    /// Whether the error arrived inside the event stream.
    pub in_stream: bool,
}

impl ErrorInfo {
    /// Describes a wire error; `in_stream` says whether the stream had begun.
    pub(crate) fn from_error(error: &BedrockError, in_stream: bool) -> ErrorInfo {
        let service = error.service();
        ErrorInfo {
            name: error.name().to_string(),
            // The Display of a service error already carries the original status.
            message: match service {
                Some(s) => s.message.clone(),
                None => error.to_string(),
            },
            status: service.and_then(|s| s.status),
            original_status: service.and_then(|s| s.original_status_code),
            in_stream,
        }
    }
}
