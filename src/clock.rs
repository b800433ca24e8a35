//! Times as people read them: stored in UTC (RFC 3339, so that they sort as text and move
//! between machines), shown in the local time zone (`TZ`, else the system's).

use jiff::Timestamp;
use jiff::tz::TimeZone;

fn zoned(utc: &str) -> Option<jiff::Zoned> {
    let at: Timestamp = utc.trim().parse().ok()?;
    Some(at.to_zoned(TimeZone::system()))
}

/// `2026-12-01 15:20`, in the local time zone; the stored text's first 16 characters when it
/// is no time.
pub fn local_minutes(utc: &str) -> String {
    zoned(utc).map_or_else(
        || utc.get(..16).unwrap_or(utc).replace('T', " "),
        |z| z.strftime("%Y-%m-%d %H:%M").to_string(),
    )
}

/// `2026-12-01 15:20:07 CET`, in the local time zone, with its name (for exports).
pub fn local_seconds(utc: &str) -> String {
    zoned(utc).map_or_else(
        || utc.get(..19).unwrap_or(utc).replace('T', " "),
        |z| z.strftime("%Y-%m-%d %H:%M:%S %Z").to_string(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_that_are_not_times_are_shown_as_they_are() {
        assert_eq!(super::local_minutes("yesterday"), "yesterday");
        assert_eq!(super::local_minutes(""), "");
        assert_eq!(super::local_minutes("2026-12-01T14:20:00.123Z").len(), 16);
    }
}
