//! Files attached to a prompt: read carefully from disk, and kept by content next to the saved
//! conversations so a resumed one sends them again. What an attachment is (its bytes told
//! apart, measured and checked against a model's limits) is the models crate's.

pub mod store;

pub use bedrock_tui_models::attachments::*;

use std::path::Path;

/// Reads a regular file (never a FIFO or a device) of at most [`ATTACHMENT_CAP`] bytes as an
/// attachment.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_read_carefully() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.md");
        std::fs::write(&path, "# Notes\nhello\n").unwrap();
        let notes = read(&path).unwrap();
        assert_eq!(notes.media, Media::Markdown);
        assert_eq!(notes.name, "notes.md");
        let missing = read(&dir.path().join("gone.png")).unwrap_err();
        assert!(missing.contains("no such file"), "{missing}");
        let empty = dir.path().join("empty.txt");
        std::fs::write(&empty, "").unwrap();
        assert!(read(&empty).unwrap_err().contains("empty"));
        assert!(read(dir.path()).is_err());
    }
}
