//! Which model takes which attachment, and the limits each family documents, checked before
//! anything is sent: a refusal names the limit, or the models that do take the file.
//!
//! Sources: Claude: Bedrock's image limits for Claude (20 images, 3.75 MB and 8,000 px each) and
//! Anthropic's PDF limits (100 pages), Bedrock's 20 MB Claude request body and 5 documents a
//! request. Nova: the Nova user guides (25 MB payload, 8,000×8,000 px, one video, Nova 2 five
//! images; documents through Converse only). Llama: Meta's (3.2 Vision one image, Llama 4 five).
//! Pixtral: Mistral's (8 images, 10 MB each). Cohere Embed: one image of at most 5 MB.

use super::{Conversation, FamilyId, OutputKind, Role, catalog};
use crate::attachments::{Attachment, Kind, Media};

/// The image formats every image-taking family documents.
const IMAGE_FORMATS: &[Media] = &[Media::Png, Media::Jpeg, Media::Gif, Media::Webp];

/// Limits on images.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImageLimits {
    /// The formats taken.
    pub formats: &'static [Media],
    /// Images in one request.
    pub count: Option<usize>,
    /// Bytes of one image.
    pub bytes: Option<u64>,
    /// Pixels on a side.
    pub side: Option<u32>,
}

/// What one model takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Images, with their limits; `None`: no images.
    pub images: Option<ImageLimits>,
    /// PDFs in one request and their pages in all; `None`: no PDFs.
    pub pdfs: Option<(usize, u32)>,
    /// Word and Excel files too, counted with the PDFs, each of at most this many bytes
    /// (Converse); `None`: PDFs only.
    pub office: Option<u64>,
    /// Videos in one request; `None`: no videos.
    pub videos: Option<usize>,
    /// Text files (put into the prompt as text).
    pub text_files: bool,
    /// The largest request body.
    pub body_bytes: Option<u64>,
}

const NONE: Limits = Limits {
    images: None,
    pdfs: None,
    office: None,
    videos: None,
    text_files: false,
    body_bytes: None,
};

/// Whether a model takes images, by the catalog; a model the catalog does not know is given the
/// benefit of the doubt (the service answers for it).
fn sees(model: &str, family: FamilyId) -> bool {
    if family == FamilyId::Converse {
        return catalog::lookup(model)
            .is_none_or(|m| m.input_modalities.iter().any(|i| i == "IMAGE"));
    }
    catalog::entry_for(model, family)
        .is_none_or(|m| m.input_modalities.iter().any(|i| i == "IMAGE"))
}

/// What `model`, called with bodies of `family`, takes.
pub fn limits(model: &str, family: FamilyId) -> Limits {
    let text = Limits {
        text_files: family.output() == OutputKind::Text,
        ..NONE
    };
    let vision = sees(model, family);
    match family {
        FamilyId::Anthropic if vision => Limits {
            images: Some(ImageLimits {
                formats: IMAGE_FORMATS,
                count: Some(20),
                bytes: Some(3_750_000),
                side: Some(8000),
            }),
            pdfs: Some((5, 100)),
            body_bytes: Some(20_000_000),
            ..text
        },
        FamilyId::Anthropic => Limits {
            body_bytes: Some(20_000_000),
            ..text
        },
        // Converse, for any text model: 20 images of at most 3.75 MB and 8,000 px, 5
        // documents (PDF, Word, Excel) of at most 4.5 MB, one video for Nova (§7.2).
        FamilyId::Converse => Limits {
            images: vision.then_some(ImageLimits {
                formats: IMAGE_FORMATS,
                count: Some(20),
                bytes: Some(3_750_000),
                side: Some(8000),
            }),
            pdfs: Some((5, u32::MAX)),
            office: Some(4_500_000),
            videos: super::base_model_id(model)
                .starts_with("amazon.nova")
                .then_some(1),
            ..text
        },
        FamilyId::Nova if vision => Limits {
            images: Some(ImageLimits {
                formats: IMAGE_FORMATS,
                count: super::base_model_id(model)
                    .starts_with("amazon.nova-2")
                    .then_some(5),
                bytes: None,
                side: Some(8000),
            }),
            videos: Some(1),
            body_bytes: Some(25_000_000),
            ..text
        },
        FamilyId::Llama3 | FamilyId::Llama4 if vision => Limits {
            images: Some(ImageLimits {
                formats: IMAGE_FORMATS,
                count: Some(if family == FamilyId::Llama4 { 5 } else { 1 }),
                bytes: None,
                side: None,
            }),
            ..text
        },
        FamilyId::MistralChat if vision => Limits {
            images: Some(ImageLimits {
                formats: IMAGE_FORMATS,
                count: Some(8),
                bytes: Some(10_000_000),
                side: None,
            }),
            ..text
        },
        FamilyId::CohereEmbed if vision => Limits {
            images: Some(ImageLimits {
                formats: IMAGE_FORMATS,
                count: Some(1),
                bytes: Some(5_000_000),
                side: None,
            }),
            ..NONE
        },
        // Image to image: Titan Image and Nova Canvas make variations of up to five images,
        // Stability starts from one (PNG or JPEG; WebP too for Stable Image).
        FamilyId::TitanImage if vision => Limits {
            images: Some(ImageLimits {
                formats: &[Media::Png, Media::Jpeg],
                count: Some(5),
                bytes: None,
                side: Some(4096),
            }),
            ..NONE
        },
        FamilyId::StabilitySdxl | FamilyId::StabilityImage if vision => Limits {
            images: Some(ImageLimits {
                formats: if family == FamilyId::StabilityImage {
                    &[Media::Png, Media::Jpeg, Media::Webp]
                } else {
                    &[Media::Png, Media::Jpeg]
                },
                count: Some(1),
                bytes: None,
                side: None,
            }),
            ..NONE
        },
        _ => text,
    }
}

impl Limits {
    /// Whether a file of this format can go at all.
    pub fn takes(&self, media: Media) -> bool {
        match media.kind() {
            Kind::Image => self.images.is_some_and(|i| i.formats.contains(&media)),
            Kind::Document => self.pdfs.is_some() && (media == Media::Pdf || self.office.is_some()),
            Kind::Text => self.text_files,
            Kind::Video => self.videos.is_some(),
        }
    }
}

/// Up to five chat models that take files like `media`: the newest of each family first.
pub fn models_that_take(media: Media) -> Vec<&'static str> {
    let takers: Vec<&catalog::ModelInfo> = catalog::models()
        .iter()
        .filter(|m| m.family.output() == OutputKind::Text && limits(&m.id, m.family).takes(media))
        .collect();
    let mut families = Vec::new();
    let mut names: Vec<&'static str> = Vec::new();
    for m in &takers {
        if !families.contains(&m.family) {
            families.push(m.family);
            names.push(m.name.as_str());
        }
    }
    for m in &takers {
        if names.len() >= 5 {
            break;
        }
        if !names.contains(&m.name.as_str()) {
            names.push(m.name.as_str());
        }
    }
    names.truncate(5);
    names
}

/// Why `name` cannot go to `model`, naming the models that take it.
fn refusal(model: &str, family: FamilyId, attachment: &Attachment) -> String {
    let shown = catalog::display_name(model);
    let media = attachment.media;
    if family != FamilyId::Converse
        && matches!(media, Media::Doc | Media::Docx | Media::Xls | Media::Xlsx)
    {
        return format!(
            "{}: {} files reach models on Bedrock only through the Converse API: send it with --api converse (Alt+C in the chat), or save it as PDF (Claude takes PDFs) or as text",
            attachment.name,
            media.label()
        );
    }
    if media == Media::Pdf && family == FamilyId::Nova {
        return format!(
            "{}: Nova takes documents only through the Converse API: send it with --api converse (Alt+C in the chat); models that take PDFs on InvokeModel: {}",
            attachment.name,
            models_that_take(media).join(", ")
        );
    }
    let others = models_that_take(media);
    let kind = media.kind().plural();
    if others.is_empty() {
        format!("{}: {shown} takes no {kind}", attachment.name)
    } else {
        format!(
            "{}: {shown} takes no {kind}; models that do: {}",
            attachment.name,
            others.join(", ")
        )
    }
}

/// Checks one attachment for `model` as it would be attached now.
pub fn check_one(model: &str, family: FamilyId, attachment: &Attachment) -> Result<(), String> {
    let limits = limits(model, family);
    if let Some(images) = limits.images
        && attachment.kind() == Kind::Image
        && !images.formats.contains(&attachment.media)
    {
        let taken: Vec<&str> = images.formats.iter().map(|m| m.label()).collect();
        return Err(format!(
            "{}: {} takes {} images, not {}",
            attachment.name,
            catalog::display_name(model),
            taken.join(", "),
            attachment.media.label()
        ));
    }
    if !limits.takes(attachment.media) {
        return Err(refusal(model, family, attachment));
    }
    if let (Kind::Document, Some(max)) = (attachment.kind(), limits.office)
        && attachment.data.len() as u64 > max
    {
        return Err(format!(
            "{} is {}: {} takes documents of at most {} through Converse",
            attachment.name,
            crate::text::human_size(attachment.data.len() as u64),
            catalog::display_name(model),
            megabytes(max)
        ));
    }
    if let (Kind::Image, Some(image)) = (attachment.kind(), limits.images) {
        let name = &attachment.name;
        let shown = catalog::display_name(model);
        if let Some(max) = image
            .bytes
            .filter(|&max| attachment.data.len() as u64 > max)
        {
            return Err(format!(
                "{name} is {}: {shown} takes images of at most {}",
                crate::text::human_size(attachment.data.len() as u64),
                megabytes(max)
            ));
        }
        if let (Some(side), Some((w, h))) = (
            image.side,
            crate::attachments::dimensions(attachment.media, &attachment.data),
        ) && (w > side || h > side)
        {
            return Err(format!(
                "{name} is {w}×{h} pixels: {shown} takes images of at most {side}×{side}"
            ));
        }
    }
    Ok(())
}

/// `20 MB`.
fn megabytes(bytes: u64) -> String {
    let mb = bytes as f64 / 1e6;
    if mb.fract() == 0.0 {
        format!("{mb:.0} MB")
    } else {
        format!("{mb} MB")
    }
}

/// Fits a conversation's attachments to `model`: the last prompt's must all go (else the
/// refusal names the limit); earlier turns' files that the model cannot take stay out, with a
/// note each (a model switch keeps the conversation going). Then the counts are checked.
pub fn fit(
    model: &str,
    family: FamilyId,
    conversation: &mut Conversation,
) -> Result<Vec<super::note::Note>, String> {
    let mut notes = Vec::new();
    let last_user = conversation
        .turns
        .iter()
        .rposition(|t| t.role == Role::User);
    for (at, turn) in conversation.turns.iter_mut().enumerate() {
        if Some(at) == last_user {
            for attachment in &turn.attachments {
                check_one(model, family, attachment)?;
            }
            continue;
        }
        turn.attachments
            .retain(|attachment| match check_one(model, family, attachment) {
                Ok(()) => true,
                Err(why) => {
                    notes.push(super::note::Note::new(
                        "earlier file stays out",
                        format!("an earlier file stays out: {why}"),
                    ));
                    false
                }
            });
    }
    let limits = limits(model, family);
    let shown = catalog::display_name(model);
    let all: Vec<&Attachment> = conversation
        .turns
        .iter()
        .flat_map(|t| &t.attachments)
        .collect();
    let count = |kind: Kind| all.iter().filter(|a| a.kind() == kind).count();
    if let Some(max) = limits.images.and_then(|i| i.count) {
        let n = count(Kind::Image);
        if n > max {
            return Err(format!(
                "{n} images in the conversation: {shown} takes at most {max} in a request"
            ));
        }
    }
    if let Some((max, max_pages)) = limits.pdfs {
        let documents = all.iter().filter(|a| a.kind() == Kind::Document).count();
        if documents > max {
            let what = if limits.office.is_some() {
                "documents"
            } else {
                "PDFs"
            };
            return Err(format!(
                "{documents} {what} in the conversation: {shown} takes at most {max} documents in a request"
            ));
        }
        let pdfs: Vec<&&Attachment> = all.iter().filter(|a| a.media == Media::Pdf).collect();
        let pages: u32 = pdfs
            .iter()
            .filter_map(|a| crate::attachments::pdf_pages(&a.data))
            .sum();
        if pages > max_pages {
            return Err(format!(
                "the PDFs have {pages} pages: {shown} takes at most {max_pages} in a request"
            ));
        }
    }
    if let Some(max) = limits.videos {
        let n = count(Kind::Video);
        if n > max {
            return Err(format!(
                "{n} videos in the conversation: {shown} takes {max} in a request"
            ));
        }
    }
    Ok(notes)
}

/// Checks the size of the body about to be sent.
pub fn check_body(model: &str, family: FamilyId, body_len: usize) -> Result<(), String> {
    match limits(model, family).body_bytes {
        Some(max) if body_len as u64 > max => Err(format!(
            "the request would be {} with its files base64-encoded: {} takes at most {}",
            crate::text::human_size(body_len as u64),
            catalog::display_name(model),
            megabytes(max)
        )),
        _ => Ok(()),
    }
}
