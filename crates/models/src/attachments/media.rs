//! What a file is, told by its bytes: the magic numbers of images, PDF, Office documents and
//! videos, and UTF-8 text named by its extension. The declared type of a file never decides
//! alone: a `.png` that is a JPEG is sent as the JPEG it is.

use serde::{Deserialize, Serialize};

/// The kinds of attachment a model may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// PNG, JPEG, GIF, WebP.
    Image,
    /// PDF and Office documents (sent in a family's document block, where it has one).
    Document,
    /// Plain text, Markdown, CSV, HTML: sent as text in the prompt by every text family.
    Text,
    /// MP4, MOV, MKV, WebM, FLV, MPEG, WMV, 3GP.
    Video,
}

impl Kind {
    /// The kind in words, plural (`images`).
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Image => "images",
            Kind::Document => "documents",
            Kind::Text => "text files",
            Kind::Video => "videos",
        }
    }
}

macro_rules! media {
    ($($variant:ident: $mime:literal, $format:literal, $kind:ident, $label:literal;)*) => {
        /// A file format an attachment can have.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Media {
            $(#[doc = $label] #[serde(rename = $mime)] $variant,)*
        }

        impl Media {
            /// Every format.
            pub const ALL: &'static [Media] = &[$(Media::$variant,)*];

            /// The MIME type (`image/png`).
            pub fn mime(self) -> &'static str {
                match self { $(Media::$variant => $mime,)* }
            }

            /// The short format name Nova's blocks use (`png`, `three_gp`).
            pub fn format(self) -> &'static str {
                match self { $(Media::$variant => $format,)* }
            }

            /// Image, document, text or video.
            pub fn kind(self) -> Kind {
                match self { $(Media::$variant => Kind::$kind,)* }
            }

            /// The format's name for people (`PNG`).
            pub fn label(self) -> &'static str {
                match self { $(Media::$variant => $label,)* }
            }
        }
    };
}

media! {
    Png: "image/png", "png", Image, "PNG";
    Jpeg: "image/jpeg", "jpeg", Image, "JPEG";
    Gif: "image/gif", "gif", Image, "GIF";
    Webp: "image/webp", "webp", Image, "WebP";
    Pdf: "application/pdf", "pdf", Document, "PDF";
    Doc: "application/msword", "doc", Document, "Word (DOC)";
    Docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", Document, "Word (DOCX)";
    Xls: "application/vnd.ms-excel", "xls", Document, "Excel (XLS)";
    Xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", Document, "Excel (XLSX)";
    PlainText: "text/plain", "txt", Text, "text";
    Markdown: "text/markdown", "md", Text, "Markdown";
    Csv: "text/csv", "csv", Text, "CSV";
    Html: "text/html", "html", Text, "HTML";
    Mp4: "video/mp4", "mp4", Video, "MP4";
    Mov: "video/quicktime", "mov", Video, "QuickTime (MOV)";
    Mkv: "video/x-matroska", "mkv", Video, "Matroska (MKV)";
    Webm: "video/webm", "webm", Video, "WebM";
    Flv: "video/x-flv", "flv", Video, "FLV";
    Mpeg: "video/mpeg", "mpeg", Video, "MPEG";
    Wmv: "video/x-ms-wmv", "wmv", Video, "WMV";
    ThreeGp: "video/3gpp", "three_gp", Video, "3GP";
}

impl Media {
    /// The format of a MIME type.
    pub fn from_mime(mime: &str) -> Option<Media> {
        let mime = mime.split(';').next().unwrap_or("").trim();
        Media::ALL
            .iter()
            .copied()
            .find(|m| m.mime().eq_ignore_ascii_case(mime))
            .or(match mime {
                "image/jpg" => Some(Media::Jpeg),
                _ => None,
            })
    }
}

/// The extension of a file name, lower case.
fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default()
}

/// What the bytes of a file named `name` are, or why they are none of the formats a model
/// takes.
pub fn detect(name: &str, bytes: &[u8]) -> Result<Media, String> {
    if let Some(media) = by_magic(name, bytes) {
        return Ok(media);
    }
    let ext = extension(name);
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(format!(
            "{name} is a ZIP archive that is no Word or Excel file; models take no archives"
        ));
    }
    // Text: UTF-8 without NUL or control characters other than tab, newlines, form feed and
    // escape (which the transcript neutralises).
    let head = &bytes[..bytes.len().min(1 << 16)];
    let binary = head
        .iter()
        .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b));
    let text = !binary && std::str::from_utf8(bytes).is_ok();
    if text {
        return Ok(match ext.as_str() {
            "md" | "markdown" => Media::Markdown,
            "csv" => Media::Csv,
            "html" | "htm" => Media::Html,
            _ => Media::PlainText,
        });
    }
    Err(format!(
        "{name} is not a file a model takes: not PNG, JPEG, GIF or WebP, not PDF, Word or Excel, not a video, and not UTF-8 text"
    ))
}

/// A format told by its first bytes.
fn by_magic(name: &str, bytes: &[u8]) -> Option<Media> {
    let ext = extension(name);
    let at = |offset: usize, magic: &[u8]| bytes.get(offset..offset + magic.len()) == Some(magic);
    if at(0, b"\x89PNG\r\n\x1a\n") {
        return Some(Media::Png);
    }
    if at(0, b"\xff\xd8\xff") {
        return Some(Media::Jpeg);
    }
    if at(0, b"GIF87a") || at(0, b"GIF89a") {
        return Some(Media::Gif);
    }
    if at(0, b"RIFF") && at(8, b"WEBP") {
        return Some(Media::Webp);
    }
    // A PDF's header may follow a few bytes of junk; readers look in the first kilobyte.
    if memchr::memmem::find(&bytes[..bytes.len().min(1024)], b"%PDF-").is_some() {
        return Some(Media::Pdf);
    }
    if at(0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        return Some(if ext == "xls" { Media::Xls } else { Media::Doc });
    }
    if at(0, b"PK\x03\x04") {
        let head = &bytes[..bytes.len().min(1 << 20)];
        let has = |needle: &[u8]| memchr::memmem::find(head, needle).is_some();
        return if has(b"word/") || ext == "docx" {
            Some(Media::Docx)
        } else if has(b"xl/") || ext == "xlsx" {
            Some(Media::Xlsx)
        } else {
            None
        };
    }
    if at(4, b"ftyp") {
        return Some(if at(8, b"qt  ") {
            Media::Mov
        } else if at(8, b"3g") {
            Media::ThreeGp
        } else {
            Media::Mp4
        });
    }
    if at(0, b"\x1a\x45\xdf\xa3") {
        let head = &bytes[..bytes.len().min(64)];
        return Some(if memchr::memmem::find(head, b"webm").is_some() {
            Media::Webm
        } else {
            Media::Mkv
        });
    }
    if at(0, b"FLV\x01") {
        return Some(Media::Flv);
    }
    if at(0, b"\x00\x00\x01\xba") || at(0, b"\x00\x00\x01\xb3") {
        return Some(Media::Mpeg);
    }
    if at(0, b"\x30\x26\xb2\x75\x8e\x66\xcf\x11") {
        return Some(Media::Wmv);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_their_bytes_not_their_names() {
        let png = crate::attachments::png::picture(2, 2, 1);
        assert_eq!(detect("photo.jpg", &png), Ok(Media::Png));
        assert_eq!(detect("a", b"\xff\xd8\xff\xe0rest"), Ok(Media::Jpeg));
        assert_eq!(detect("a", b"GIF89a...."), Ok(Media::Gif));
        assert_eq!(detect("a", b"RIFF\x10\0\0\0WEBPVP8 "), Ok(Media::Webp));
        assert_eq!(detect("a.txt", b"%PDF-1.7\n"), Ok(Media::Pdf));
        assert_eq!(
            detect("sheet.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
            Ok(Media::Xls)
        );
        assert_eq!(
            detect("a", b"PK\x03\x04....word/document.xml"),
            Ok(Media::Docx)
        );
        assert_eq!(
            detect("a", b"PK\x03\x04....xl/workbook.xml"),
            Ok(Media::Xlsx)
        );
        assert!(detect("archive.zip", b"PK\x03\x04....other").is_err());
        assert_eq!(detect("a", b"\0\0\0\x18ftypmp42"), Ok(Media::Mp4));
        assert_eq!(detect("a", b"\0\0\0\x14ftypqt  "), Ok(Media::Mov));
        assert_eq!(detect("a", b"\0\0\0\x14ftyp3gp4"), Ok(Media::ThreeGp));
        assert_eq!(
            detect("a", b"\x1a\x45\xdf\xa3\x9fB\x82\x84webm"),
            Ok(Media::Webm)
        );
        assert_eq!(
            detect("notes.md", "# Title\n".as_bytes()),
            Ok(Media::Markdown)
        );
        assert_eq!(detect("data.csv", b"a,b\n1,2\n"), Ok(Media::Csv));
        assert_eq!(detect("page.HTM", b"<p>x</p>"), Ok(Media::Html));
        assert_eq!(detect("x", b"plain"), Ok(Media::PlainText));
        let refused = detect("blob.bin", b"\x00\x01\x02\xff").unwrap_err();
        assert!(refused.contains("blob.bin"), "{refused}");
    }

    #[test]
    fn mime_types_round_trip() {
        for media in Media::ALL {
            assert_eq!(Media::from_mime(media.mime()), Some(*media));
        }
        assert_eq!(Media::from_mime("image/jpg"), Some(Media::Jpeg));
        assert_eq!(
            Media::from_mime("text/plain; charset=utf-8"),
            Some(Media::PlainText)
        );
    }
}
