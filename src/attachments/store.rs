//! Attachments kept by content: `attachments/<sha256>` in the data directory beside
//! `sessions/`, mode 0600 in a 0700 directory, written once and read back only by hash.

use super::{Attachment, Reference};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The attachments directory.
pub fn attachments_dir() -> Option<PathBuf> {
    Some(crate::config::paths::data_home()?.join("attachments"))
}

/// Whether `hash` is a SHA-256 in hex (the only names read back).
pub(crate) fn is_hash(hash: &str) -> bool {
    hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Where an attachment is kept in `dir` (named by its SHA-256), whether it is there or not.
pub fn kept_at(dir: &Path, attachment: &Attachment) -> PathBuf {
    dir.join(attachment.sha256())
}

/// Whether `path` is a file of the attachments directory `dir` (named by its SHA-256).
pub fn is_kept(dir: &Path, path: &Path) -> bool {
    path.parent() == Some(dir)
        && path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(is_hash)
}

/// Keeps an attachment in `dir`; one kept before is not written again.
pub fn keep(dir: &Path, attachment: &Attachment) -> std::io::Result<Reference> {
    crate::files::ensure_private_dir(dir).map_err(|e| crate::files::at_path(dir, &e))?;
    let reference = attachment.reference();
    let path = dir.join(&reference.sha256);
    if !path.is_file() {
        // Written whole beside it, then renamed: a reader (the transcript drawing it, a crash
        // halfway) never sees part of a file under its hash.
        let part = dir.join(format!(
            ".{}.{:08x}.part",
            reference.sha256,
            fastrand::u32(..)
        ));
        let written = crate::files::create_private(&part)
            .and_then(|mut file| file.write_all(&attachment.data))
            .and_then(|()| std::fs::rename(&part, &path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&part);
            return Err(e);
        }
    }
    Ok(reference)
}

/// Reads back an attachment a session file names; its bytes must still have the hash.
pub fn load(dir: &Path, reference: &Reference) -> Result<Attachment, String> {
    if !is_hash(&reference.sha256) {
        return Err(format!(
            "{}: the session names it by {:?}, which is no SHA-256",
            reference.name, reference.sha256
        ));
    }
    let path = dir.join(reference.sha256.to_ascii_lowercase());
    let data = crate::files::read_capped(&path, super::ATTACHMENT_CAP)
        .map_err(|e| format!("{}: {} ({e})", reference.name, path.display()))?;
    let attachment = Attachment::restored(&reference.name, reference.media, data.into());
    if !attachment.sha256().eq_ignore_ascii_case(&reference.sha256) {
        return Err(format!(
            "{}: {} no longer has the content the session saved",
            reference.name,
            path.display()
        ));
    }
    Ok(attachment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachments_are_kept_once_privately_and_checked_when_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path().join("attachments");
        let png = crate::emulator::png::picture(3, 3, 2);
        let attachment = Attachment::from_bytes("p.png", png).unwrap();
        let reference = keep(&kept, &attachment).unwrap();
        assert_eq!(keep(&kept, &attachment).unwrap(), reference);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(kept.join(&reference.sha256))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(load(&kept, &reference).unwrap(), attachment);
        std::fs::write(kept.join(&reference.sha256), b"changed").unwrap();
        assert!(load(&kept, &reference).unwrap_err().contains("no longer"));
        let mut escape = reference.clone();
        escape.sha256 = "../../etc/passwd".into();
        assert!(load(&kept, &escape).is_err());
    }
}
