//! `credential_process`: the command a profile names, run through the shell, its JSON answer
//! read as every AWS SDK reads it (`Version` 1, `AccessKeyId`, `SecretAccessKey`, optional
//! `SessionToken` and `Expiration`). Unlike aws-config's provider, the process is killed when
//! the credential load gives up on it, so a hung helper does not outlive the request.

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, future};
use serde_json::Value;
use std::time::SystemTime;

/// A profile's `credential_process`.
#[derive(Debug, Clone)]
pub(crate) struct ProcessProvider {
    command: String,
}

impl ProcessProvider {
    pub fn new(command: String) -> Self {
        ProcessProvider { command }
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let mut command = if cfg!(windows) {
            let mut c = tokio::process::Command::new("cmd.exe");
            c.args(["/C", &self.command]);
            c
        } else {
            let mut c = tokio::process::Command::new("sh");
            c.args(["-c", &self.command]);
            c
        };
        command
            .kill_on_drop(true)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        // Its own process group, so that giving up kills whatever the helper started too.
        #[cfg(unix)]
        command.process_group(0);
        let child = command.spawn().map_err(|e| {
            CredentialsError::provider_error(format!("credential_process could not start: {e}"))
        })?;
        let mut reaper = Reaper(child.id());
        let output = child.wait_with_output().await;
        // It ended by itself: what it left running is its own business.
        reaper.0 = None;
        let output = output.map_err(|e| {
            CredentialsError::provider_error(format!("credential_process failed: {e}"))
        })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(CredentialsError::provider_error(format!(
                "credential_process exited with {}: {}",
                output.status,
                stderr.trim().chars().take(300).collect::<String>()
            )));
        }
        parse(&output.stdout).map_err(|why| {
            CredentialsError::provider_error(format!("credential_process answered {why}"))
        })
    }
}

/// Kills the helper's process group when the load is dropped before the helper ended (a
/// timeout); after a normal end there is nothing left to kill.
struct Reaper(Option<u32>);

impl Drop for Reaper {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(pid) = self.0 {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status();
        }
    }
}

impl ProvideCredentials for ProcessProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.load())
    }
}

/// Reads a `credential_process` answer; keys are matched without regard to case.
fn parse(stdout: &[u8]) -> Result<Credentials, String> {
    let value: Value =
        serde_json::from_slice(stdout).map_err(|e| format!("no JSON object ({e})"))?;
    let object = value.as_object().ok_or("no JSON object")?;
    let field = |name: &str| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    };
    let text = |name: &str| field(name).and_then(Value::as_str).map(str::to_string);
    match field("Version").and_then(Value::as_u64) {
        Some(1) => {}
        other => return Err(format!("version {other:?}; only version 1 is known")),
    }
    let key = text("AccessKeyId").ok_or("no AccessKeyId")?;
    let secret = text("SecretAccessKey").ok_or("no SecretAccessKey")?;
    let expiry = match text("Expiration") {
        Some(at) => Some(
            aws_smithy_types::DateTime::from_str(
                &at,
                aws_smithy_types::date_time::Format::DateTime,
            )
            .ok()
            .and_then(|t| SystemTime::try_from(t).ok())
            .ok_or_else(|| format!("an Expiration that is not a date ({at})"))?,
        ),
        None => None,
    };
    Ok(Credentials::new(
        key,
        secret,
        text("SessionToken"),
        expiry,
        "CredentialProcess",
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn answers_are_read_as_the_sdks_read_them() {
        let ok = super::parse(
            br#"{"version": 1, "accesskeyid": "AKIA1", "SecretAccessKey": "s", "Expiration": "2099-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(ok.access_key_id(), "AKIA1");
        assert!(ok.expiry().is_some());
        assert!(super::parse(br#"{"Version": 2}"#).is_err());
        assert!(super::parse(br#"{"Version": 1, "AccessKeyId": "a"}"#).is_err());
        assert!(super::parse(b"nope").is_err());
    }
}
