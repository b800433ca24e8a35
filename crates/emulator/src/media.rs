//! The emulator's checks of attached files, per family: the base64 must decode, the bytes
//! must be the type the block declares (told by their magic numbers), sizes and counts within
//! the model's limits; the answer then names what was received (type, size, image dimensions,
//! PDF pages), so tests can tell what arrived.

use base64::Engine;
use bedrock_tui_models::attachments::{self, Kind, Media};
use bedrock_tui_models::catalog::ModelInfo;

/// What one request carried.
#[derive(Debug, Clone, Default)]
pub(crate) struct Received {
    /// One description per file, in order (`PNG 4×3, 93 B`).
    pub files: Vec<String>,
    images: usize,
    videos: usize,
    /// Documents taken through Converse.
    pub documents: usize,
    /// Pages of the PDFs received.
    pub pdf_pages: u32,
}

impl Received {
    /// The sentence the answer begins with, if any file came.
    pub(crate) fn sentence(&self) -> Option<String> {
        (!self.files.is_empty()).then(|| format!("Received {}. ", self.files.join("; ")))
    }
}

/// Whether a model takes images (and so documents and videos), by the catalog.
fn sees(model: &ModelInfo) -> bool {
    model.input_modalities.iter().any(|m| m == "IMAGE")
}

/// Decodes base64 as Bedrock does (standard alphabet, padding optional).
pub(crate) fn decode(data: &str) -> Option<Vec<u8>> {
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    engine.decode(data.trim()).ok()
}

/// The bytes of a `data:<mime>;base64,…` URI and its declared type.
pub(crate) fn data_uri(uri: &str) -> Option<(String, Vec<u8>)> {
    let rest = uri.strip_prefix("data:")?;
    let (mime, data) = rest.split_once(";base64,")?;
    Some((mime.to_string(), decode(data)?))
}

/// The text files a prompt carries inline (`<document name="…" type="…">…</document>`),
/// described as `notes.md (text/markdown, 31 B)`.
pub(crate) fn inline_documents(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("<document name=\"") {
        rest = &rest[at + "<document name=\"".len()..];
        let Some((name, after)) = rest.split_once('"') else {
            break;
        };
        let kind = after
            .strip_prefix(" type=\"")
            .and_then(|t| t.split_once('"'))
            .map_or("text/plain", |(t, _)| t);
        let Some(open_end) = after.find(">\n") else {
            break;
        };
        let body = &after[open_end + 2..];
        let Some(end) = body.find("\n</document>") else {
            break;
        };
        found.push(format!(
            "{name} ({kind}, {})",
            bedrock_tui_models::text::human_size(body[..end].len() as u64)
        ));
        rest = &body[end..];
    }
    found
}

impl Received {
    /// Checks one file that declares `declared` (a MIME type or a Nova format name) and adds
    /// it. `at` names the block in errors (`messages.0.content.0.image.source`).
    pub(crate) fn take(
        &mut self,
        model: &ModelInfo,
        at: &str,
        kind: Kind,
        declared: &str,
        bytes: &[u8],
    ) -> Result<(), String> {
        if !sees(model) {
            let block = match kind {
                Kind::Video => "video",
                Kind::Document | Kind::Text => "document",
                Kind::Image => "image",
            };
            return Err(format!(
                "This model doesn't support the {block} content block that you provided. Try again with a model that supports {block}s."
            ));
        }
        let actual = attachments::detect("", bytes).ok();
        let matches = actual.is_some_and(|m| {
            m.mime().eq_ignore_ascii_case(declared)
                || m.format().eq_ignore_ascii_case(declared)
                || (m == Media::Jpeg && matches!(declared, "jpg" | "image/jpg"))
                || (m == Media::Mp4 && declared == "mov")
                || (m == Media::Mov && declared == "mp4")
                || (m == Media::Mpeg && declared == "mpg")
                || (m == Media::Mkv && declared == "webm")
        });
        let Some(media) = actual.filter(|m| m.kind() == kind && matches) else {
            let what = match kind {
                Kind::Image => "Image",
                Kind::Video => "Video",
                _ => "Document",
            };
            return Err(format!(
                "{at}: {what} does not match the provided media type {declared}"
            ));
        };
        match kind {
            Kind::Image => self.images += 1,
            Kind::Video => self.videos += 1,
            _ => {}
        }
        if let Some((w, h)) = attachments::dimensions(media, bytes)
            && (w > 8000 || h > 8000)
        {
            return Err(format!(
                "{at}: image dimensions exceed max allowed size: 8000 pixels"
            ));
        }
        self.files.push(attachments::describe(media, bytes));
        Ok(())
    }

    /// Checks one document of a Converse request (any text model takes them there) that
    /// declares `format`, and adds it.
    pub(crate) fn take_document(
        &mut self,
        at: &str,
        format: &str,
        bytes: &[u8],
    ) -> Result<(), String> {
        let actual = attachments::detect("", bytes)
            .ok()
            .filter(|m| m.kind() == Kind::Document && m.format().eq_ignore_ascii_case(format));
        let Some(media) = actual else {
            return Err(format!(
                "{at}: Document does not match the provided media type {format}"
            ));
        };
        if bytes.len() > 4_500_000 {
            return Err(format!(
                "{at}: the document is larger than the maximum of 4.5 MB"
            ));
        }
        self.documents += 1;
        self.files.push(attachments::describe(media, bytes));
        Ok(())
    }

    /// Checks the counts a family allows.
    pub(crate) fn within(
        &self,
        max_images: Option<usize>,
        max_videos: usize,
    ) -> Result<(), String> {
        if let Some(max) = max_images
            && self.images > max
        {
            return Err(format!(
                "Too many images: {} were provided; the maximum is {max}.",
                self.images
            ));
        }
        if self.videos > max_videos {
            return Err(format!(
                "Too many videos: {} were provided; the maximum is {max_videos}.",
                self.videos
            ));
        }
        Ok(())
    }
}
