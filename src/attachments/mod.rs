//! Files attached to a prompt: images, documents, text files and videos, read carefully, told
//! apart by their bytes, checked against the limits of the model they go to, and kept by content
//! next to the saved conversations so a resumed one sends them again.

mod inspect;
mod media;
pub mod store;

pub use inspect::{describe, dimensions, pdf_pages, sample_pdf};
pub use media::{Kind, Media, detect};

use base64::Engine;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

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
                crate::files::human_size(data.len() as u64),
                crate::files::human_size(ATTACHMENT_CAP)
            ));
        }
        let media = detect(&name, &data)?;
        let digest = digest_of(&data);
        Ok(Attachment {
            name,
            media,
            data,
            digest,
        })
    }

    /// Reads a regular file (never a FIFO or a device) of at most [`ATTACHMENT_CAP`] bytes.
    pub fn read(path: &Path) -> Result<Attachment, String> {
        let shown = path.display();
        let data = crate::files::read_capped(path, ATTACHMENT_CAP).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("{shown}: no such file"),
            _ => format!("{shown}: {e}"),
        })?;
        let name = path
            .file_name()
            .map_or_else(|| shown.to_string(), |n| n.to_string_lossy().into_owned());
        Attachment::from_bytes(&name, data)
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
    pub(crate) fn restored(name: &str, media: Media, data: Bytes) -> Attachment {
        let digest = digest_of(&data);
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

/// The SHA-256 of `data`, hex.
fn digest_of(data: &[u8]) -> String {
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
    fn names_are_cleaned_and_files_read_carefully() {
        assert_eq!(clean_name("/tmp/x/photo.png"), "photo.png");
        assert_eq!(clean_name("a\u{1b}[31m\"b\".txt"), "a[31mb.txt");
        assert_eq!(clean_name("///"), "attachment");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.md");
        std::fs::write(&path, "# Notes\nhello\n").unwrap();
        let notes = Attachment::read(&path).unwrap();
        assert_eq!(notes.media, Media::Markdown);
        assert_eq!(
            notes.inline_text().unwrap(),
            "<document name=\"notes.md\" type=\"text/markdown\">\n# Notes\nhello\n</document>"
        );
        assert_eq!(notes.reference().bytes, 14);
        assert_eq!(notes.sha256().len(), 64);
        let missing = Attachment::read(&dir.path().join("gone.png")).unwrap_err();
        assert!(missing.contains("no such file"), "{missing}");
        let empty = dir.path().join("empty.txt");
        std::fs::write(&empty, "").unwrap();
        assert!(Attachment::read(&empty).unwrap_err().contains("empty"));
        assert!(Attachment::read(dir.path()).is_err());
    }
}
