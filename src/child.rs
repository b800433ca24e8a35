//! Programs bedrock-tui starts for the user (the clipboard helper, later `$EDITOR`) get the
//! environment without AWS secrets: they have no business with the account.

use std::ffi::OsStr;
use std::process::Command;

pub(crate) use crate::bedrock::scrub::is_secret;

/// Removes from `command` every secret among `names` (the variables of this process).
fn scrub_names<I, S>(command: &mut Command, names: I) -> &mut Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    for name in names {
        if is_secret(name.as_ref()) {
            command.env_remove(name.as_ref());
        }
    }
    command
}

/// `command` with this process's AWS secrets taken out of its environment.
pub(crate) fn without_secrets(command: &mut Command) -> &mut Command {
    scrub_names(command, std::env::vars_os().map(|(name, _)| name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_removed_and_the_rest_kept() {
        let mut command = Command::new("xclip");
        let names = [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_SECURITY_TOKEN",
            "AWS_BEARER_TOKEN_BEDROCK",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "BEDROCK_TUI_EMULATOR_SECRET_KEY",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_REGION",
            "DISPLAY",
            "PATH",
        ];
        scrub_names(&mut command, names);
        let removed: Vec<String> = command
            .get_envs()
            .filter(|(_, value)| value.is_none())
            .map(|(name, _)| name.to_string_lossy().into_owned())
            .collect();
        assert_eq!(removed.len(), 7, "{removed:?}");
        for kept in [
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_REGION",
            "DISPLAY",
            "PATH",
        ] {
            assert!(!removed.iter().any(|r| r == kept), "{kept}");
        }
    }
}
