//! Pictures an image model made in the chat: saved by content (`images/<sha256>.png` in the
//! data directory, mode 0600), and written into the answer as a Markdown image whose target is
//! that file, so the transcript draws it, the session file keeps it and exports link it.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Largest picture file the transcript reads back.
pub const PICTURE_CAP: u64 = 64 << 20;

/// The most memory a picture may take decoded to be shown (a few screens' worth of pixels at
/// any resolution a terminal has; 4096×4096 in 8-bit RGBA is half of it). A picture beyond it,
/// a small file that decodes huge among them, is refused by its header, before any pixel is
/// decoded.
pub const DECODE_BUDGET: u64 = 128 << 20;

/// The widest and tallest picture decoded.
const MAX_SIDE: u32 = 16_384;

/// Why a picture is not shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unshown {
    /// Its header says it would take more than [`DECODE_BUDGET`] decoded (or a side longer
    /// than the decoder takes): what it is and the budget.
    TooLarge(String),
    /// It is missing, not a picture, or not one the decoder reads.
    Unreadable,
}

impl std::fmt::Display for Unshown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unshown::TooLarge(why) => f.write_str(why),
            Unshown::Unreadable => f.write_str("cannot be read"),
        }
    }
}

/// A picture's size in pixels, or why it is not shown.
pub type Probe = Result<(u32, u32), Unshown>;

/// A picture's size in pixels, when it can be shown: its header is read (not its pixels), and
/// one that would take more than [`DECODE_BUDGET`] decoded is refused with the reason. File
/// I/O: run it off the loop.
pub fn showable(path: &Path) -> Probe {
    use image::ImageDecoder;
    let decoder = image::ImageReader::open(path)
        .ok()
        .and_then(|reader| reader.with_guessed_format().ok())
        .and_then(|reader| reader.into_decoder().ok())
        .ok_or(Unshown::Unreadable)?;
    let (width, height) = decoder.dimensions();
    let bytes = decoder.total_bytes();
    if bytes > DECODE_BUDGET || width > MAX_SIDE || height > MAX_SIDE {
        return Err(Unshown::TooLarge(format!(
            "too large to show: {width}×{height} in {:?} takes {} decoded, past the {} pictures may take",
            decoder.color_type(),
            crate::files::human_size(bytes),
            crate::files::human_size(DECODE_BUDGET)
        )));
    }
    Ok((width, height))
}

/// A picture read for the screen (its size was measured already): its pixels decoded within
/// the budget, which the decoder's own limits hold to. File I/O: run it off the loop.
pub fn read_for_screen(path: &Path) -> Option<image::DynamicImage> {
    let bytes = crate::files::read_capped(path, PICTURE_CAP).ok()?;
    decode(&bytes)
}

/// The pictures of this program's pictures directory `dir` that `text` links to, each once.
pub fn paths_in(text: &str, dir: &Path) -> Vec<PathBuf> {
    let Some(needle) = dir.to_str().filter(|d| !d.is_empty()) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = Vec::new();
    for at in memchr::memmem::find_iter(text.as_bytes(), needle.as_bytes()) {
        // The needle is whole UTF-8, so `at` is on a character boundary.
        let rest = &text[at..];
        let end = rest.find([')', '>', '\n']).unwrap_or(rest.len());
        let target = &rest[..end];
        if is_ours(target, Some(dir)) && !found.iter().any(|p| p.as_os_str() == target) {
            found.push(PathBuf::from(target));
        }
    }
    found
}

/// Decodes a picture within [`DECODE_BUDGET`] (the decoder's own limits refuse more, whatever
/// the header said).
pub fn decode(bytes: &[u8]) -> Option<image::DynamicImage> {
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(DECODE_BUDGET + (DECODE_BUDGET / 4));
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    reader.limits(limits);
    reader.decode().ok()
}

/// The pictures directory: `images` beside `sessions` in the data directory.
pub fn images_dir() -> Option<PathBuf> {
    Some(crate::config::paths::data_home()?.join("images"))
}

/// A picture written to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedPicture {
    /// Where it is.
    pub path: PathBuf,
    /// Its size in pixels, when its header could be read.
    pub size: Option<(u32, u32)>,
    /// `PNG` or `JPEG`.
    pub format: &'static str,
    /// Its length in bytes.
    pub bytes: usize,
}

impl SavedPicture {
    /// The Markdown that shows it in an answer (number `n` of the answer's pictures).
    pub fn markdown(&self, n: usize) -> String {
        let size = self
            .size
            .map(|(w, h)| format!("{w}×{h} "))
            .unwrap_or_default();
        format!(
            "![picture {n}: {size}{}, {}]({})",
            self.format,
            crate::files::human_size(self.bytes as u64),
            self.path.display()
        )
    }
}

/// The format of a picture's bytes, by their magic number.
fn format_of(bytes: &[u8]) -> (&'static str, &'static str) {
    if bytes.starts_with(b"\xff\xd8\xff") {
        ("JPEG", "jpg")
    } else {
        ("PNG", "png")
    }
}

/// A PNG's or JPEG's size from its header.
pub fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?
        .into_dimensions()
        .ok()
}

/// Saves a picture in `dir` (created 0700) under its content's hash; a picture saved before is
/// not written again.
pub fn save(dir: &Path, bytes: &[u8]) -> std::io::Result<SavedPicture> {
    crate::files::ensure_private_dir(dir).map_err(|e| crate::files::at_path(dir, &e))?;
    let (format, extension) = format_of(bytes);
    let name = crate::attachments::sha256_hex(bytes);
    let path = dir.join(format!("{}.{extension}", &name[..32]));
    if !path.is_file() {
        match crate::files::create_private(&path) {
            Ok(mut file) => file.write_all(bytes)?,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Ok(SavedPicture {
        path,
        size: dimensions(bytes),
        format,
        bytes: bytes.len(),
    })
}

/// Whether `target` (an image's URL in an answer) is a picture this program saved: a path in
/// the pictures directory, so a model's answer cannot make the chat read other files.
pub fn is_ours(target: &str, dir: Option<&Path>) -> bool {
    let path = Path::new(target);
    let Some(dir) = dir else {
        return false;
    };
    // Attached files are kept beside the pictures, in `attachments/`, named by their hash.
    if let Some(kept) = dir.parent().map(|d| d.join("attachments"))
        && crate::attachments::store::is_kept(&kept, path)
    {
        return true;
    }
    path.parent() == Some(dir)
        && path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
            let (stem, ext) = n.rsplit_once('.').unwrap_or((n, ""));
            stem.len() == 32
                && stem.bytes().all(|b| b.is_ascii_hexdigit())
                && matches!(ext, "png" | "jpg")
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_picture_that_decodes_huge_is_refused_by_its_header() {
        // A PNG whose header says 8000×8000 in 16-bit RGBA (488 MiB decoded), with a few bytes
        // of pixels: what matters is that nothing is decoded on the header's word.
        let chunk = |kind: &[u8], data: &[u8]| {
            let mut out = (data.len() as u32).to_be_bytes().to_vec();
            out.extend_from_slice(kind);
            out.extend_from_slice(data);
            let mut crc = crc32fast::Hasher::new();
            crc.update(kind);
            crc.update(data);
            out.extend_from_slice(&crc.finalize().to_be_bytes());
            out
        };
        let mut header = Vec::new();
        header.extend_from_slice(&8000u32.to_be_bytes());
        header.extend_from_slice(&8000u32.to_be_bytes());
        header.extend_from_slice(&[16, 6, 0, 0, 0]);
        let mut bomb = b"\x89PNG\r\n\x1a\n".to_vec();
        bomb.extend(chunk(b"IHDR", &header));
        bomb.extend(chunk(b"IDAT", &[0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1]));
        bomb.extend(chunk(b"IEND", &[]));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bomb.png");
        std::fs::write(&path, &bomb).unwrap();
        let why = super::showable(&path).unwrap_err().to_string();
        assert!(
            why.starts_with("too large to show: 8000×8000") && why.contains("488.3 MiB"),
            "{why}"
        );
        assert_eq!(
            super::showable(&dir.path().join("missing.png")),
            Err(super::Unshown::Unreadable)
        );
        assert!(super::decode(&std::fs::read(&path).unwrap()).is_none());
        // An ordinary picture is shown.
        let small = dir.path().join("small.png");
        image::RgbaImage::new(64, 32).save(&small).unwrap();
        assert_eq!(super::showable(&small), Ok((64, 32)));
        assert!(super::decode(&std::fs::read(&small).unwrap()).is_some());
    }

    use super::*;

    #[test]
    fn the_pictures_a_text_links_to_are_found_once_and_only_ours() {
        let dir = Path::new("/data/bedrock-tui/images");
        let ours = format!("{}/{}.png", dir.display(), "ab".repeat(16));
        let text = format!(
            "![picture 1: 4×3 PNG, 93 B]({ours})\n\n![again](<{ours}>) and ![not ours](/etc/passwd) \
             [a link](/data/bedrock-tui/images/../secrets.png)"
        );
        assert_eq!(paths_in(&text, dir), [PathBuf::from(&ours)]);
        assert!(paths_in("no pictures here", dir).is_empty());
    }

    #[test]
    fn pictures_are_saved_once_by_content_and_privately() {
        let dir = tempfile::tempdir().unwrap();
        let images = dir.path().join("images");
        let png = crate::emulator::png::picture(4, 3, 7);
        let saved = save(&images, &png).unwrap();
        assert_eq!(saved.size, Some((4, 3)));
        assert_eq!(saved.format, "PNG");
        assert_eq!(std::fs::read(&saved.path).unwrap(), png);
        assert_eq!(save(&images, &png).unwrap().path, saved.path);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&saved.path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let target = saved.path.display().to_string();
        assert!(is_ours(&target, Some(&images)));
        assert!(!is_ours("/etc/passwd", Some(&images)));
        assert!(!is_ours(
            &format!("{}/../x.png", images.display()),
            Some(&images)
        ));
        let markdown = saved.markdown(1);
        assert!(markdown.starts_with("![picture 1: 4×3 PNG, "), "{markdown}");
    }
}
