//! Files attached to a prompt, as bytes: images, documents, text files and videos told apart by
//! their bytes, measured, named by content (reading and keeping them is the app's).

mod inspect;
mod media;
pub mod png;

pub use inspect::{describe, dimensions, pdf_pages, sample_pdf};
pub use media::{Kind, Media, detect};

use base64::Engine;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The largest file read as an attachment: more than any model on Bedrock takes in a request
/// body (Nova's 25 MB payload holds about 18 MB of a file once it is base64).
pub const ATTACHMENT_CAP: u64 = 32 << 20;

/// A file attached to a prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Its file name (no directories), for people and for document names.
    pub name: String,
    /// Its format, told by its bytes.
    pub media: Media,
    /// Its bytes.
    pub data: Bytes,
    /// The SHA-256 of the bytes, hex (computed once).
    digest: String,
}

/// How a session file names an attachment: by content, beside the conversation's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// The file name.
    pub name: String,
    /// The MIME type.
    pub media: Media,
    /// The SHA-256 of its bytes, hex.
    pub sha256: String,
    /// Its length in bytes.
    pub bytes: u64,
}

/// A file name fit to show and to send: the last part of the path, control characters and
/// quotes dropped, at most 100 characters; `attachment` when nothing is left.
pub fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '`'))
        .take(100)
        .collect();
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() {
        "attachment".to_string()
    } else {
        cleaned
    }
}

impl Attachment {
    /// An attachment of these bytes named `name`.
    pub fn from_bytes(name: &str, data: impl Into<Bytes>) -> Result<Attachment, String> {
        let data = data.into();
        let name = clean_name(name);
        if data.is_empty() {
            return Err(format!("{name} is empty"));
        }
        if data.len() as u64 > ATTACHMENT_CAP {
            return Err(format!(
                "{name} is {}: larger than the {} an attachment may be",
                crate::text::human_size(data.len() as u64),
                crate::text::human_size(ATTACHMENT_CAP)
            ));
        }
        let media = detect(&name, &data)?;
        let digest = sha256_hex(&data);
        Ok(Attachment {
            name,
            media,
            data,
            digest,
        })
    }

    /// Image, document, text or video.
    pub fn kind(&self) -> Kind {
        self.media.kind()
    }

    /// The bytes as standard base64.
    pub fn base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.data)
    }

    /// A `data:` URI of the bytes.
    pub fn data_uri(&self) -> String {
        format!("data:{};base64,{}", self.media.mime(), self.base64())
    }

    /// The text of a text file.
    pub fn text(&self) -> Option<&str> {
        (self.kind() == Kind::Text)
            .then(|| std::str::from_utf8(&self.data).ok())
            .flatten()
    }

    /// The SHA-256 of the bytes, hex.
    pub fn sha256(&self) -> String {
        self.digest.clone()
    }

    /// An attachment read back from the store: `media` as the session saved it.
    pub fn restored(name: &str, media: Media, data: Bytes) -> Attachment {
        let digest = sha256_hex(&data);
        Attachment {
            name: clean_name(name),
            media,
            data,
            digest,
        }
    }

    /// `name (PNG 640×480, 12.0 KiB)`.
    pub fn describe(&self) -> String {
        format!("{} ({})", self.name, describe(self.media, &self.data))
    }

    /// How a session file names it.
    pub fn reference(&self) -> Reference {
        Reference {
            name: self.name.clone(),
            media: self.media,
            sha256: self.sha256(),
            bytes: self.data.len() as u64,
        }
    }

    /// The text a text file becomes in a prompt: the file between `<document>` tags that name
    /// it, as every family reads it.
    pub fn inline_text(&self) -> Option<String> {
        let text = self.text()?;
        Some(format!(
            "<document name=\"{}\" type=\"{}\">\n{}\n</document>",
            self.name,
            self.media.mime(),
            text.trim_end()
        ))
    }
}

/// The SHA-256 of `data`, hex (an attachment's name in the store; kept files' names).
pub fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            use std::fmt::Write;
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_and_bytes_told_apart() {
        assert_eq!(clean_name("/tmp/x/photo.png"), "photo.png");
        assert_eq!(clean_name("a\u{1b}[31m\"b\".txt"), "a[31mb.txt");
        assert_eq!(clean_name("///"), "attachment");
        let notes = Attachment::from_bytes("/tmp/notes.md", &b"# Notes\nhello\n"[..]).unwrap();
        assert_eq!(notes.media, Media::Markdown);
        assert_eq!(
            notes.inline_text().unwrap(),
            "<document name=\"notes.md\" type=\"text/markdown\">\n# Notes\nhello\n</document>"
        );
        assert_eq!(notes.reference().bytes, 14);
        assert_eq!(notes.sha256().len(), 64);
        assert!(
            Attachment::from_bytes("empty.txt", Bytes::new())
                .unwrap_err()
                .contains("empty")
        );
    }
}
