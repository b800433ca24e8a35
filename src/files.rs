//! Careful file access for what users and other programs can put in the way: reads capped in
//! size and refused on anything but a regular file (a FIFO never blocks the read, `/dev/zero`
//! never fills memory), opens that never follow a symbolic link, and replacing a file only when
//! it is a regular file, keeping its stricter mode.

use std::fs::{File, OpenOptions};
use std::io::{Error, ErrorKind, Read};
use std::path::Path;

pub use bedrock_tui_models::text::human_size;

/// The largest config, theme or keymap file read.
pub const SETTINGS_FILE_CAP: u64 = 1 << 20;

/// Makes `options` refuse a symbolic link as the last part of the path (`O_NOFOLLOW`) and not
/// wait on a FIFO (`O_NONBLOCK`, which regular files ignore).
pub(crate) fn no_follow(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    options
}

/// Whether an open error means the path was a symbolic link refused by [`no_follow`].
pub(crate) fn is_symlink_refusal(error: &Error) -> bool {
    #[cfg(unix)]
    {
        error.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = error;
        false
    }
}

/// What a path is, in words, when it is not a regular file.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let kind = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Checks that an open file is a regular file.
pub(crate) fn ensure_regular(file: &File) -> std::io::Result<std::fs::Metadata> {
    let meta = file.metadata()?;
    if meta.is_file() {
        Ok(meta)
    } else {
        Err(Error::new(
            ErrorKind::InvalidInput,
            format!("{} (only regular files are read)", kind_of(&meta)),
        ))
    }
}

/// Opens a file to read without waiting on it: a FIFO with no writer opens at once (and is
/// then refused by [`ensure_regular`]) instead of hanging the caller.
pub(crate) fn open_to_read(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Reads a regular file of at most `cap` bytes (a symbolic link to one is followed). A FIFO, a
/// device, a directory or a longer file is an error that says so; a missing file is
/// `ErrorKind::NotFound`.
pub fn read_capped(path: &Path, cap: u64) -> std::io::Result<Vec<u8>> {
    read_open_capped(open_to_read(path)?, cap)
}

/// [`read_capped`] of a file already open.
pub(crate) fn read_open_capped(file: File, cap: u64) -> std::io::Result<Vec<u8>> {
    let meta = ensure_regular(&file)?;
    if meta.len() > cap {
        return Err(too_large(meta.len(), cap));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The file may grow while it is read: never more than the cap.
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(too_large(bytes.len() as u64, cap));
    }
    Ok(bytes)
}

/// [`read_capped`] as UTF-8 text.
pub fn read_capped_text(path: &Path, cap: u64) -> std::io::Result<String> {
    String::from_utf8(read_capped(path, cap)?)
        .map_err(|_| Error::new(ErrorKind::InvalidData, "not UTF-8 text"))
}

fn too_large(len: u64, cap: u64) -> Error {
    Error::new(
        ErrorKind::InvalidData,
        format!(
            "{} is larger than the {} this file may be",
            human_size(len),
            human_size(cap)
        ),
    )
}

/// Before replacing `path`: `Ok(None)` when nothing is there, `Ok(Some(mode))` for a regular
/// file (its permission bits), and an error for a symbolic link, a device, a FIFO or a
/// directory, which are never replaced.
pub(crate) fn replaceable(path: &Path) -> std::io::Result<Option<u32>> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
        Ok(meta) if meta.file_type().is_file() => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                Ok(Some(meta.permissions().mode() & 0o7777))
            }
            #[cfg(not(unix))]
            Ok(Some(0o600))
        }
        Ok(meta) => Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "{} is {}; it is not replaced",
                path.display(),
                kind_of(&meta)
            ),
        )),
    }
}

/// Creates `path` for writing, readable by the user only (mode 0600 on Unix); never an
/// existing file, never through a symbolic link.
pub(crate) fn create_private(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    no_follow(&mut options).open(path)
}

/// Creates the directory (and its parents) with mode 0700 if it does not exist, and makes it
/// 0700 if it does: the sessions, attachments and pictures directories.
pub(crate) fn ensure_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        builder.mode(0o700);
        builder.create(dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    #[cfg(not(unix))]
    builder.create(dir)?;
    Ok(())
}

/// `error` with the path it happened at in its message.
pub(crate) fn at_path(path: &Path, error: &std::io::Error) -> std::io::Error {
    Error::new(error.kind(), format!("{}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_capped_and_only_from_regular_files() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("small.toml");
        std::fs::write(&small, "a = 1\n").unwrap();
        assert_eq!(read_capped_text(&small, 100).unwrap(), "a = 1\n");
        let big = dir.path().join("big.toml");
        std::fs::write(&big, vec![b'#'; 2000]).unwrap();
        let error = read_capped(&big, 1000).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("2.0 KiB is larger than the 1000 B"),
            "{error}"
        );
        #[cfg(unix)]
        {
            let error = read_capped(Path::new("/dev/zero"), 1000).unwrap_err();
            assert!(error.to_string().contains("a device"), "{error}");
            let link = dir.path().join("link.toml");
            std::os::unix::fs::symlink(&small, &link).unwrap();
            assert_eq!(read_capped_text(&link, 100).unwrap(), "a = 1\n");
            assert!(replaceable(&link).is_err());
        }
        assert!(read_capped(dir.path(), 1000).is_err());
        assert_eq!(
            read_capped(&dir.path().join("none"), 10)
                .unwrap_err()
                .kind(),
            ErrorKind::NotFound
        );
        assert_eq!(replaceable(&dir.path().join("none")).unwrap(), None);
        assert!(replaceable(&small).unwrap().is_some());
    }
}
