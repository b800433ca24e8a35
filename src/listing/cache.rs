//! The live listing kept on disk for a day, per place it came from (control endpoint, region,
//! credentials): the picker opens on it at once and `models --remote` answers from it, until a
//! refresh (Ctrl+R in the picker, `models --refresh`) or its age asks the region again. A file
//! that is damaged, too large, of another place or from the future is not used.

use super::Row;
use crate::bedrock::{BedrockError, Client};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a listing is used before the region is asked again.
pub(crate) const KEPT_FOR: Duration = Duration::from_hours(24);

/// The largest listing file read back.
const FILE_CAP: u64 = 16 << 20;

/// A listing as kept.
#[derive(Serialize, Deserialize)]
struct Kept {
    /// The SHA-256 of the place it came from (the place itself, which names an access key id,
    /// is not written).
    place: String,
    /// When it was fetched, in seconds since the epoch.
    fetched_at: u64,
    /// The rows.
    rows: Vec<Row>,
}

/// Where listings are kept: `listings/` in the data directory.
pub(crate) fn dir() -> Option<PathBuf> {
    Some(crate::config::paths::data_home()?.join("listings"))
}

/// The place a client lists: its control endpoint (or the region's default), its region,
/// where its credentials came from and whose they are (the access key id, an identifier and no
/// secret; all Bedrock API keys count as one). Only its hash is written.
pub(crate) async fn place_of(client: &Client, credentials_source: &str) -> String {
    let config = client.config();
    let endpoint = config
        .control_endpoint
        .clone()
        .unwrap_or_else(|| crate::bedrock::client::default_control_endpoint(&config.region));
    let whose = match &config.auth {
        crate::bedrock::Auth::SigV4(cache) => cache
            .get()
            .await
            .map(|c| c.access_key_id().to_string())
            .unwrap_or_default(),
        crate::bedrock::Auth::Bearer(_) => "bearer".to_string(),
    };
    format!("{endpoint} {} {credentials_source} {whose}", config.region)
}

/// The SHA-256 of `text`, hex.
fn hash(text: &str) -> String {
    crate::attachments::sha256_hex(text.as_bytes())
}

fn path_for(dir: &Path, place: &str) -> PathBuf {
    dir.join(format!("{}.json", &hash(place)[..16]))
}

/// The rows kept for `place` and their age, when they are younger than [`KEPT_FOR`].
pub(crate) fn load(dir: &Path, place: &str, now: SystemTime) -> Option<(Vec<Row>, Duration)> {
    let bytes = crate::files::read_capped(&path_for(dir, place), FILE_CAP).ok()?;
    let kept: Kept = serde_json::from_slice(&bytes).ok()?;
    if kept.place != hash(place) {
        return None;
    }
    let fetched = UNIX_EPOCH.checked_add(Duration::from_secs(kept.fetched_at))?;
    let age = now.duration_since(fetched).ok()?;
    (age < KEPT_FOR).then_some((kept.rows, age))
}

/// Keeps `rows` for `place` (a private directory, the file written whole or not at all).
pub(crate) fn store(dir: &Path, place: &str, rows: &[Row], now: SystemTime) -> std::io::Result<()> {
    crate::files::ensure_private_dir(dir)?;
    let kept = Kept {
        place: hash(place),
        fetched_at: now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()),
        rows: rows.to_vec(),
    };
    let json = serde_json::to_vec(&kept).map_err(std::io::Error::other)?;
    crate::transcript::export::write_atomic(&path_for(dir, place), &json, true)
}

/// The region's listing: the one kept for `place` unless `refresh` or it is a day old, else
/// asked of the control plane and kept. The age says it was kept (`None`: just asked).
pub(crate) async fn rows(
    client: &Client,
    place: Option<&str>,
    refresh: bool,
) -> Result<(Vec<Row>, Option<Duration>), BedrockError> {
    let kept_in = place.and_then(|place| Some((dir()?, place)));
    if !refresh
        && let Some((dir, place)) = &kept_in
        && let Some((rows, age)) = load(dir, place, SystemTime::now())
    {
        return Ok((rows, Some(age)));
    }
    let rows = super::remote_rows(client).await?;
    if let Some((dir, place)) = &kept_in {
        // A listing that cannot be kept is still shown; the next run asks again.
        let _ = store(dir, place, &rows, SystemTime::now());
    }
    Ok((rows, None))
}

/// `2 h ago`, `5 min ago`, `just now`.
pub(crate) fn age_in_words(age: Duration) -> String {
    let minutes = age.as_secs() / 60;
    match minutes {
        0 => "just now".to_string(),
        1..=59 => format!("{minutes} min ago"),
        _ => format!("{} h ago", minutes / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::catalog;

    #[test]
    fn a_listing_is_used_for_a_day_for_its_own_place_only() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path().join("listings");
        let rows: Vec<Row> = catalog::models()
            .iter()
            .take(3)
            .map(Row::from_catalog)
            .collect();
        let then = UNIX_EPOCH + Duration::from_hours(500_000);
        store(
            &dir,
            "https://bedrock.us-east-1 us-east-1 ProfileFile",
            &rows,
            then,
        )
        .unwrap();
        let place = "https://bedrock.us-east-1 us-east-1 ProfileFile";
        let (back, age) = load(&dir, place, then + Duration::from_hours(2)).unwrap();
        assert_eq!(back.len(), 3);
        assert_eq!(back[0].id, rows[0].id);
        assert_eq!(age_in_words(age), "2 h ago");
        // A day old, another place, a time before it was fetched: asked again.
        assert!(load(&dir, place, then + KEPT_FOR).is_none());
        assert!(
            load(
                &dir,
                "https://bedrock.eu-west-1 eu-west-1 ProfileFile",
                then
            )
            .is_none()
        );
        assert!(load(&dir, place, then - Duration::from_mins(1)).is_none());
        // A damaged file is not used.
        std::fs::write(path_for(&dir, place), b"{not json").unwrap();
        assert!(load(&dir, place, then).is_none());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{mode:o}");
        }
    }
}
