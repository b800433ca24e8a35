//! What the built-in file tools never read, whatever a model asks: bedrock-tui's own process
//! under `/proc` (its environment and memory hold the account's credentials), the environment
//! and memory of any other process (a parent shell's environment holds them too), and the
//! stores of credentials the AWS CLI and SDKs keep. The check is made on the file as opened
//! (the path the kernel names for the open descriptor), so neither a symbolic link nor a
//! `..` nor a rename between check and read reaches them.

use std::path::{Component, Path, PathBuf};

/// Files of a process under `/proc/PID/` that hold its environment or memory.
const PROCESS_SECRETS: &[&str] = &["environ", "mem", "auxv", "pagemap", "map_files"];

/// Why `real` (a path as the kernel names an open file) is not read, if it is one of them.
pub(super) fn refusal(real: &Path) -> Option<String> {
    if let Some(why) = proc_refusal(real) {
        return Some(why);
    }
    aws_stores()
        .iter()
        .any(|store| real.starts_with(store))
        .then(|| {
            format!(
                "{} is where AWS credentials are kept; the built-in tools never read it",
                real.display()
            )
        })
}

/// The path the kernel gives for an open file: what was really opened.
pub(super) fn opened_path(file: &std::fs::File, asked: &Path) -> PathBuf {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        if let Ok(real) = std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())) {
            return real;
        }
    }
    let _ = file;
    std::fs::canonicalize(asked).unwrap_or_else(|_| asked.to_path_buf())
}

fn proc_refusal(real: &Path) -> Option<String> {
    let mut parts = real.components().filter_map(|c| match c {
        Component::Normal(part) => part.to_str(),
        _ => None,
    });
    if parts.next() != Some("proc") {
        return None;
    }
    let process = parts.next()?;
    let ours = matches!(process, "self" | "thread-self")
        || process == std::process::id().to_string()
        || (process.bytes().all(|b| b.is_ascii_digit())
            && Path::new("/proc/self/task").join(process).exists());
    if ours {
        return Some(format!(
            "{} belongs to bedrock-tui's own process, whose environment and memory hold the account's credentials; the built-in tools never read it",
            real.display()
        ));
    }
    if !process.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // PID/environ, or PID/task/TID/environ.
    let mut rest = parts.next()?;
    if rest == "task" {
        parts.next()?;
        rest = parts.next()?;
    }
    PROCESS_SECRETS.contains(&rest).then(|| {
        format!(
            "{} is a process's environment or memory, which can hold credentials; the built-in tools never read it",
            real.display()
        )
    })
}

/// The AWS stores of credentials: the shared credentials file, and the caches of SSO tokens,
/// of assumed-role and login credentials (each resolved, when it exists).
fn aws_stores() -> Vec<PathBuf> {
    let mut stores = Vec::new();
    if let Some(file) = std::env::var_os("AWS_SHARED_CREDENTIALS_FILE") {
        stores.push(PathBuf::from(file));
    }
    if let Some(home) = std::env::var_os("HOME") {
        let aws = PathBuf::from(home).join(".aws");
        stores.push(aws.join("credentials"));
        for cache in ["sso/cache", "cli/cache", "login/cache", "boto/cache"] {
            stores.push(aws.join(cache));
        }
    }
    stores
        .into_iter()
        .map(|p| std::fs::canonicalize(&p).unwrap_or(p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_other_processes_secrets_and_aws_stores_are_refused() {
        let pid = std::process::id();
        for path in [
            "/proc/self/environ".to_string(),
            "/proc/thread-self/status".to_string(),
            format!("/proc/{pid}/environ"),
            format!("/proc/{pid}/task/{pid}/mem"),
            "/proc/1/environ".to_string(),
            "/proc/1/task/1/environ".to_string(),
        ] {
            assert!(refusal(Path::new(&path)).is_some(), "{path}");
        }
        for path in ["/proc/1/status", "/proc/cpuinfo", "/etc/hostname", "/tmp"] {
            assert!(refusal(Path::new(path)).is_none(), "{path}");
        }
        if let Some(home) = std::env::var_os("HOME") {
            let credentials = PathBuf::from(home).join(".aws/credentials");
            assert!(refusal(&credentials).is_some());
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_link_to_the_environment_is_seen_through() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("innocent.txt");
        std::os::unix::fs::symlink("/proc/self/environ", &link).unwrap();
        let file = std::fs::File::open(&link).unwrap();
        let real = opened_path(&file, &link);
        assert!(refusal(&real).is_some(), "{}", real.display());
    }
}
