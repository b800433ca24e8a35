//! What `ask` makes of answers that are not text: embeddings described by their size, norm
//! and first values; pictures written to files.

use super::output::Output;
use crate::bedrock::BedrockError;
use std::path::{Path, PathBuf};

/// Prints each embedding's dimensions, Euclidean norm and first values.
pub(super) fn describe_embeddings(embeddings: &[Vec<f64>], out: &mut Output) {
    for (index, vector) in embeddings.iter().enumerate() {
        let norm = vector.iter().map(|v| v * v).sum::<f64>().sqrt();
        let first: Vec<String> = vector.iter().take(8).map(|v| format!("{v:.6}")).collect();
        out.line(&format!(
            "embedding {index}: {} dimensions, norm {norm:.6}, first values [{}{}]",
            vector.len(),
            first.join(", "),
            if vector.len() > first.len() {
                ", …"
            } else {
                ""
            }
        ));
    }
}

/// Writes the images to `--output` (numbered when there are several) or to
/// `bedrock-tui-image-<time>-<n>.png` in the current directory; names each on stderr.
pub(super) fn save_images(
    output: Option<&Path>,
    images: &[Vec<u8>],
) -> Result<Vec<String>, BedrockError> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut written = Vec::new();
    for (index, image) in images.iter().enumerate() {
        let extension = if image.starts_with(b"\xff\xd8") {
            "jpg"
        } else {
            "png"
        };
        let path = match output {
            Some(path) if images.len() == 1 => path.to_path_buf(),
            Some(path) => {
                let stem = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let ext = path.extension().map_or_else(
                    || extension.to_string(),
                    |e| e.to_string_lossy().into_owned(),
                );
                path.with_file_name(format!("{stem}-{}.{ext}", index + 1))
            }
            None => PathBuf::from(format!(
                "bedrock-tui-image-{stamp}-{}.{extension}",
                index + 1
            )),
        };
        std::fs::write(&path, image).map_err(|e| {
            BedrockError::Config(format!("cannot write the image to {}: {e}", path.display()))
        })?;
        eprintln!(
            "bedrock-tui: wrote {} ({} bytes)",
            path.display(),
            image.len()
        );
        written.push(path.display().to_string());
    }
    Ok(written)
}
