//! Request authentication as Bedrock does it: SigV4 recomputed with `aws-sigv4` from the request
//! as received (or a bearer API key), answered with the AWS error names and messages.

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    SessionTokenMode, SignableBody, SignableRequest, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use bedrock_tui_wire::ExceptionKind;
use http::HeaderMap;
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The credentials the emulator accepts.
#[derive(Clone)]
pub struct EmulatorCredentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token, when the key pair is temporary.
    pub session_token: Option<String>,
    /// Bedrock API key accepted as `Authorization: Bearer`.
    pub bearer_token: Option<String>,
    /// The region requests must be scoped to.
    pub region: String,
}

impl std::fmt::Debug for EmulatorCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// A rejected request: the exception and its message.
pub(crate) type AuthError = (ExceptionKind, String);

/// How far the request time may be from the server's.
const MAX_SKEW: Duration = Duration::from_mins(15);

const BAD_TOKEN: &str = "The security token included in the request is invalid.";
const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Formats a time as `YYYYMMDDTHHMMSSZ`.
pub(crate) fn amz_date(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Parses `YYYYMMDDTHHMMSSZ`.
#[allow(clippy::many_single_char_names)] // y, mo, d, h, mi, s: the date's own fields.
pub(crate) fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (h, mi, s) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    let secs = days * 86_400 + h * 3600 + mi * 60 + s;
    u64::try_from(secs)
        .ok()
        .map(|s| UNIX_EPOCH + Duration::from_secs(s))
}

// Howard Hinnant's civil-date algorithms.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

struct Authorization<'a> {
    access_key: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Option<Authorization<'_>> {
    let rest = value.strip_prefix("AWS4-HMAC-SHA256")?.trim();
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (key, val) = part.trim().split_once('=')?;
        match key {
            "Credential" => credential = Some(val),
            "SignedHeaders" => signed = Some(val),
            "Signature" => signature = Some(val),
            _ => {}
        }
    }
    let mut scope = credential?.split('/');
    let access_key = scope.next()?;
    let date = scope.next()?;
    let region = scope.next()?;
    let service = scope.next()?;
    if scope.next()? != "aws4_request" {
        return None;
    }
    Some(Authorization {
        access_key,
        date,
        region,
        service,
        signed_headers: signed?.split(';').collect(),
        signature: signature?,
    })
}

/// Checks a request's authentication. `path_and_query` is the request target exactly as
/// received.
pub(crate) fn verify(
    creds: &EmulatorCredentials,
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: SystemTime,
) -> Result<(), AuthError> {
    let Some(auth) = header(headers, "authorization") else {
        return Err((
            ExceptionKind::Other("MissingAuthenticationTokenException".into()),
            "Missing Authentication Token".to_string(),
        ));
    };
    if let Some(token) = auth.strip_prefix("Bearer ") {
        return match &creds.bearer_token {
            Some(expected) if expected == token.trim() => Ok(()),
            _ => Err((ExceptionKind::UnrecognizedClient, BAD_TOKEN.to_string())),
        };
    }
    let invalid = |msg: &str| (ExceptionKind::InvalidSignature, msg.to_string());
    let parsed = parse_authorization(auth).ok_or_else(|| {
        invalid("Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.")
    })?;
    if parsed.access_key != creds.access_key_id {
        return Err((ExceptionKind::UnrecognizedClient, BAD_TOKEN.to_string()));
    }
    let sent_token = header(headers, "x-amz-security-token");
    if sent_token != creds.session_token.as_deref() {
        return Err((ExceptionKind::UnrecognizedClient, BAD_TOKEN.to_string()));
    }
    if parsed.service != bedrock_tui_wire::auth::SIGNING_NAME {
        return Err(invalid(
            "Credential should be scoped to correct service: 'bedrock'. ",
        ));
    }
    if parsed.region != creds.region {
        return Err(invalid("Credential should be scoped to a valid region. "));
    }
    let date_text = header(headers, "x-amz-date").ok_or_else(|| {
        invalid(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        )
    })?;
    let time = parse_amz_date(date_text).ok_or_else(|| invalid("Invalid X-Amz-Date format"))?;
    if !date_text.starts_with(parsed.date) {
        return Err(invalid("Credential should be scoped to a valid date."));
    }
    if time + MAX_SKEW < now {
        return Err(invalid(&format!(
            "Signature expired: {date_text} is now earlier than {} ({} - 15 min.)",
            amz_date(now - MAX_SKEW),
            amz_date(now)
        )));
    }
    if time > now + MAX_SKEW {
        return Err(invalid(&format!(
            "Signature not yet current: {date_text} is still later than {} ({} + 15 min.)",
            amz_date(now + MAX_SKEW),
            amz_date(now)
        )));
    }
    let expected = recompute(creds, &parsed, method, path_and_query, headers, body, time)
        .ok_or_else(|| invalid(MISMATCH))?;
    if expected != parsed.signature {
        return Err(invalid(MISMATCH));
    }
    Ok(())
}

fn recompute(
    creds: &EmulatorCredentials,
    auth: &Authorization<'_>,
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    time: SystemTime,
) -> Option<String> {
    let host = header(headers, "host")?;
    let uri = format!("http://{host}{path_and_query}");
    let mut signable_headers = Vec::new();
    for name in &auth.signed_headers {
        if *name == "x-amz-security-token" {
            continue; // added by the signer from the identity
        }
        for value in headers.get_all(*name) {
            signable_headers.push((*name, value.to_str().ok()?));
        }
    }
    let content_sha = header(headers, "x-amz-content-sha256");
    let body_hash = hex(&Sha256::digest(body));
    let signable_body = match content_sha {
        Some("UNSIGNED-PAYLOAD") => SignableBody::UnsignedPayload,
        Some(hash) if hash == body_hash => SignableBody::Precomputed(hash.to_string()),
        Some(_) => return None,
        None => SignableBody::Bytes(body),
    };
    let mut settings = SigningSettings::default();
    settings.excluded_headers = None;
    if !auth.signed_headers.contains(&"x-amz-security-token") {
        settings.session_token_mode = SessionTokenMode::Exclude;
    }
    let credentials = Credentials::new(
        &creds.access_key_id,
        &creds.secret_access_key,
        creds.session_token.clone(),
        None,
        "emulator",
    );
    let identity: Identity = credentials.into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(auth.region)
        .name(auth.service)
        .time(time)
        .settings(settings)
        .build()
        .ok()?
        .into();
    let request =
        SignableRequest::new(method, uri, signable_headers.into_iter(), signable_body).ok()?;
    let (_, signature) = sign(request, &params).ok()?.into_parts();
    Some(signature)
}

/// Lower-case hexadecimal of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_dates_round_trip() {
        let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(amz_date(t), "20231114T221320Z");
        assert_eq!(parse_amz_date("20231114T221320Z"), Some(t));
        assert_eq!(parse_amz_date("2023-11-14"), None);
        assert_eq!(parse_amz_date("20231314T221320Z"), None);
    }
}
