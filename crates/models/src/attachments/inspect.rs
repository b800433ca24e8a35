//! What the limits are checked against: an image's size in pixels (read from its header with
//! `imagesize`, nothing decoded) and a PDF's page count.
//!
//! The page count is our own tolerant scan, not a PDF parser: the largest `/Count` of a page
//! tree node, else the number of `/Type /Page` objects. A parser crate (lopdf) would be a large
//! dependency to read one number, and a damaged PDF should still get a count to check.

use super::media::Media;

/// An image's width and height in pixels, when its header can be read.
pub fn dimensions(media: Media, bytes: &[u8]) -> Option<(u32, u32)> {
    if media.kind() != super::Kind::Image {
        return None;
    }
    let size = imagesize::blob_size(bytes).ok()?;
    Some((
        u32::try_from(size.width).ok()?,
        u32::try_from(size.height).ok()?,
    ))
}

/// The number of pages of a PDF, when anything in it tells.
pub fn pdf_pages(bytes: &[u8]) -> Option<u32> {
    let mut largest_count: Option<u32> = None;
    let mut page_objects = 0u32;
    let mut at = 0;
    while let Some(found) = memchr::memmem::find(&bytes[at..], b"/Type") {
        let start = at + found + b"/Type".len();
        at = start;
        let rest = &bytes[start..bytes.len().min(start + 64)];
        let name = rest.iter().position(|&b| b == b'/').map(|i| &rest[i + 1..]);
        let Some(name) = name else { continue };
        let word: Vec<u8> = name
            .iter()
            .copied()
            .take_while(u8::is_ascii_alphanumeric)
            .collect();
        match word.as_slice() {
            b"Page" => page_objects += 1,
            b"Pages" => {
                // The node's `/Count` is within its dictionary, near the `/Type`.
                let from = start.saturating_sub(512);
                let window = &bytes[from..bytes.len().min(start + 512)];
                if let Some(count) = count_in(window) {
                    largest_count = Some(largest_count.map_or(count, |c| c.max(count)));
                }
            }
            _ => {}
        }
    }
    largest_count
        .filter(|&c| c > 0)
        .or((page_objects > 0).then_some(page_objects))
}

/// The value of the first `/Count N` in `window`.
fn count_in(window: &[u8]) -> Option<u32> {
    let at = memchr::memmem::find(window, b"/Count")? + b"/Count".len();
    let digits: String = window[at..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| char::from(b))
        .collect();
    digits.parse().ok()
}

/// A short description for people and for the emulator's answer: `PNG 640×480, 12.0 KiB`,
/// `PDF 3 pages, 80.1 KiB`.
pub fn describe(media: Media, bytes: &[u8]) -> String {
    let size = crate::text::human_size(bytes.len() as u64);
    if let Some((w, h)) = dimensions(media, bytes) {
        return format!("{} {w}×{h}, {size}", media.label());
    }
    if media == Media::Pdf
        && let Some(pages) = pdf_pages(bytes)
    {
        let s = if pages == 1 { "" } else { "s" };
        return format!("PDF {pages} page{s}, {size}");
    }
    format!("{}, {size}", media.label())
}

/// A small PDF of `pages` pages, for tests and the emulator's examples.
pub fn sample_pdf(pages: u32) -> Vec<u8> {
    let mut pdf = String::from("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n");
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", i + 3)).collect();
    pdf.push_str(&format!(
        "2 0 obj << /Type /Pages /Kids [{}] /Count {pages} >> endobj\n",
        kids.join(" ")
    ));
    for i in 0..pages {
        pdf.push_str(&format!(
            "{} 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\n",
            i + 3
        ));
    }
    pdf.push_str("trailer << /Root 1 0 R >>\n%%EOF\n");
    pdf.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_counted_from_the_tree_or_the_page_objects() {
        assert_eq!(pdf_pages(&sample_pdf(3)), Some(3));
        assert_eq!(pdf_pages(&sample_pdf(1)), Some(1));
        let no_tree = b"%PDF-1.4 << /Type/Page >> << /Type /Page >> << /Type /Pages >>";
        assert_eq!(pdf_pages(no_tree), Some(2));
        assert_eq!(pdf_pages(b"%PDF-1.4 nothing"), None);
        assert_eq!(
            describe(Media::Pdf, &sample_pdf(2)).split(',').next(),
            Some("PDF 2 pages")
        );
    }

    #[test]
    fn images_are_measured_from_their_headers() {
        let png = crate::attachments::png::picture(7, 5, 1);
        assert_eq!(dimensions(Media::Png, &png), Some((7, 5)));
        assert!(describe(Media::Png, &png).starts_with("PNG 7×5, "));
        assert_eq!(dimensions(Media::Png, b"\x89PNG\r\n\x1a\n"), None);
    }
}
