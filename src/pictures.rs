//! Pictures an image model made in the chat: saved by content (`images/<sha256>.png` in the
//! data directory, mode 0600), and written into the answer as a Markdown image whose target is
//! that file, so the transcript draws it, the session file keeps it and exports link it.

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Largest picture file the transcript reads back.
pub const PICTURE_CAP: u64 = 64 << 20;

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
    crate::transcript::store::ensure_private_dir(dir).map_err(std::io::Error::other)?;
    let (format, extension) = format_of(bytes);
    let digest = Sha256::digest(bytes);
    let name = digest.iter().take(16).fold(String::new(), |mut name, b| {
        use std::fmt::Write;
        let _ = write!(name, "{b:02x}");
        name
    });
    let path = dir.join(format!("{name}.{extension}"));
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
    use super::*;

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
