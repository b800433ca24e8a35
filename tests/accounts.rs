//! Real-account rules, checked with `bedrock-tui doctor` (which loads credentials but calls no
//! model) and the emulator on loopback: the order flag > environment > config.toml > AWS
//! profile, global options on either side of the subcommand, options refused where they do
//! not apply, and a profile named on the command line winning over keys in the environment.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use common::cli::*;
use serde_json::Value;
use std::path::Path;

/// An AWS config file with two profiles, each with its own region and static keys.
fn aws_files(home: &Path) -> std::process::Command {
    std::fs::write(
        home.join("aws-config"),
        "[default]\nregion = ap-south-1\n\n[profile work]\nregion = eu-north-1\n",
    )
    .unwrap();
    std::fs::write(
        home.join("aws-credentials"),
        "[default]\naws_access_key_id = AKIADEFAULTKEY00001\naws_secret_access_key = s1\n\n[work]\naws_access_key_id = AKIAWORKPROFILE0002\naws_secret_access_key = s2\n",
    )
    .unwrap();
    let mut cmd = bare(home);
    cmd.env("AWS_CONFIG_FILE", home.join("aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("aws-credentials"));
    cmd
}

/// (flag, AWS_REGION, config.toml region, expected region, expected source)
type Case<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    &'a str,
    &'a str,
);

#[test]
fn settings_follow_flag_then_environment_then_config_then_profile() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let config = |text: &str| std::fs::write(h.join("config.toml"), text).unwrap();
    let cases: &[Case] = &[
        (None, None, None, "ap-south-1", "profile default"),
        (None, None, Some("us-west-2"), "us-west-2", "config.toml"),
        (
            None,
            Some("eu-west-3"),
            Some("us-west-2"),
            "eu-west-3",
            "environment AWS_REGION",
        ),
        (
            Some("ca-central-1"),
            Some("eu-west-3"),
            Some("us-west-2"),
            "ca-central-1",
            "flag --region",
        ),
    ];
    for (flag, env, file, expected, source) in cases {
        config(&file.map_or(String::new(), |r| format!("region = \"{r}\"\n")));
        let mut cmd = aws_files(h);
        if let Some(env) = env {
            cmd.env("AWS_REGION", env);
        }
        if let Some(flag) = flag {
            cmd.args(["--region", flag]);
        }
        let settings = doctor(&mut cmd);
        assert_eq!(
            settings["region"],
            (expected.to_string(), source.to_string()),
            "{flag:?} {env:?} {file:?}: {settings:?}"
        );
    }
    // The profile: flag over AWS_PROFILE over config.toml; its region comes with it.
    config("profile = \"work\"\n");
    let settings = doctor(&mut aws_files(h));
    assert_eq!(settings["profile"], ("work".into(), "config.toml".into()));
    assert_eq!(settings["region"].0, "eu-north-1");
    let settings = doctor(aws_files(h).env("AWS_PROFILE", "default"));
    assert_eq!(
        settings["profile"],
        ("default".into(), "environment AWS_PROFILE".into())
    );
    let settings = doctor(
        aws_files(h)
            .env("AWS_PROFILE", "default")
            .args(["--profile", "work"]),
    );
    assert_eq!(
        settings["profile"],
        ("work".into(), "flag --profile".into())
    );
}

#[test]
fn a_named_profile_wins_over_keys_in_the_environment() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let with_env_keys = || {
        let mut cmd = aws_files(h);
        cmd.env("AWS_ACCESS_KEY_ID", "AKIAFROMTHEENVIRON3")
            .env("AWS_SECRET_ACCESS_KEY", "s3");
        cmd
    };
    // AWS_PROFILE does not beat keys in the environment (as with the aws CLI and boto3)…
    let settings = doctor(with_env_keys().env("AWS_PROFILE", "work"));
    assert_eq!(
        settings["access key"].0, "***************RON3",
        "{settings:?}"
    );
    assert_eq!(settings["access key"].1, "EnvironmentVariable");
    // …but --profile (before or after the subcommand) and config.toml's profile do.
    for args in [
        &["--profile", "work", "doctor"][..],
        &["doctor", "--profile", "work"],
    ] {
        let out = run(with_env_keys().args(args).arg("--json"));
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        let key = json["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "access key")
            .unwrap()
            .clone();
        assert_eq!(key["value"], "***************0002", "{args:?}: {json}");
        assert_eq!(key["source"], "ProfileFile", "{args:?}");
    }
    std::fs::write(h.join("config.toml"), "profile = \"work\"\n").unwrap();
    let settings = doctor(&mut with_env_keys());
    assert_eq!(settings["access key"].0, "***************0002");
    // No secret is ever shown.
    let out = run(with_env_keys().args(["doctor"]));
    let shown = text(&out.stdout);
    assert!(
        !shown.contains("AKIAWORKPROFILE0002") && !shown.contains("s2"),
        "{shown}"
    );
}

#[test]
fn global_options_work_on_both_sides_and_are_refused_where_they_do_not_apply() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let before = doctor(aws_files(h).args(["--region", "sa-east-1"]));
    let after = {
        let out = run(aws_files(h).args(["doctor", "--json", "--region", "sa-east-1"]));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    assert_eq!(before["region"].0, "sa-east-1");
    assert!(after.to_string().contains("sa-east-1"));
    for (args, expected) in [
        (
            &["transcripts", "list", "--region", "x"][..],
            "`transcripts` does not take --region",
        ),
        (
            &["--profile", "p", "transcripts", "list"],
            "`transcripts` does not take --profile",
        ),
        (
            &["models", "--region", "x"],
            "only `models --remote` asks AWS",
        ),
        (
            &["--model", "x", "ask", "hi"],
            "--model before `ask` are options of the chat screen",
        ),
        (
            &["emulator", "--profile", "p"],
            "`emulator` does not take --profile",
        ),
        (
            &["ask", "--idle-timeout", "inf", "hi"],
            "--idle-timeout inf",
        ),
    ] {
        let out = run(bare(h).args(args));
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains(expected),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn doctor_says_when_the_emulator_would_answer_and_what_is_missing() {
    let home = tempfile::tempdir().unwrap();
    let out = run(bare(home.path()).args(["doctor"]));
    assert_eq!(out.status.code(), Some(1), "no credentials");
    let shown = text(&out.stdout);
    assert!(shown.contains("no AWS credentials found"), "{shown}");
    assert!(shown.contains("only in the chat"), "{shown}");
    let out = run(bare(home.path()).args(["doctor", "--demo"]));
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("asked for (flag --demo)"));
}

#[test]
fn credential_process_sso_and_their_failures_name_the_fix() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let script = |name: &str, body: &str| {
        let path = h.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        path
    };
    let good = script(
        "good.sh",
        r#"echo '{"Version": 1, "AccessKeyId": "AKIAPROCESSKEY00009", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2099-01-01T00:00:00Z"}'"#,
    );
    let bad = script(
        "bad.sh",
        "echo 'no session: run the login tool first' >&2; exit 3",
    );
    let pidfile = h.join("helper.pid");
    let slow = script(
        "slow.sh",
        &format!("sleep 60 &\necho $! > {}\nwait", pidfile.display()),
    );
    std::fs::write(
        h.join("aws-config"),
        format!(
            // Run through `sh`: a script written a moment ago can be busy for exec (ETXTBSY)
            // while other tests fork.
            "[default]\nregion = us-east-1\n\n[profile good]\ncredential_process = sh {}\n\n[profile bad]\ncredential_process = sh {}\n\n[profile slow]\ncredential_process = sh {}\n\n[profile sso]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Dev\nregion = us-east-1\n",
            good.display(),
            bad.display(),
            slow.display()
        ),
    )
    .unwrap();
    let with = |profile: &str| {
        let mut cmd = bare(h);
        cmd.env("AWS_CONFIG_FILE", h.join("aws-config"))
            .env("AWS_REGION", "us-east-1")
            .args(["--profile", profile]);
        cmd
    };
    let settings = doctor(&mut with("good"));
    assert_eq!(
        settings.get("access key").map(|k| k.0.as_str()),
        Some("***************0009"),
        "{settings:?}"
    );
    assert!(settings["expires"].0.starts_with("in "), "{settings:?}");
    let settings = doctor(&mut with("bad"));
    let error = &settings["credentials"].0;
    assert!(
        error.contains("credential_process") || error.contains("exit"),
        "{error}"
    );
    let started = std::time::Instant::now();
    let settings = doctor(&mut with("slow"));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert!(
        settings["credentials"].0.contains("took longer than"),
        "{settings:?}"
    );
    let settings = doctor(&mut with("sso"));
    assert!(
        settings["credentials"]
            .0
            .contains("aws sso login --profile sso"),
        "{settings:?}"
    );
}

#[test]
fn a_credential_endpoint_that_never_answers_fails_within_ten_seconds() {
    let home = tempfile::tempdir().unwrap();
    // A container-credentials endpoint that accepts connections and never says a word.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let started = std::time::Instant::now();
    let out = run(bare(home.path())
        .env("AWS_REGION", "us-east-1")
        .env(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            format!("http://127.0.0.1:{port}/credentials"),
        )
        .args(["ask", "hi"]));
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1));
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: CredentialsError: "), "{stderr}");
}

#[test]
fn an_aws_login_profile_is_understood() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    std::fs::write(
        h.join("aws-config"),
        "[profile console]\nlogin_session = arn:aws:iam::123456789012:user/Admin\nregion = us-east-1\n",
    )
    .unwrap();
    // Without a cached login the error is the login's own, never one about a cargo feature.
    let settings = doctor(
        bare(h)
            .env("AWS_CONFIG_FILE", h.join("aws-config"))
            .args(["--profile", "console"]),
    );
    let error = &settings["credentials"].0;
    assert!(!error.contains("feature"), "{error}");
    assert!(error.contains("aws login --profile console"), "{error}");
}

#[test]
fn doctor_puts_each_problem_on_its_row_and_says_what_is_not_set() {
    let home = tempfile::tempdir().unwrap();
    // Keys but no region: the region row says why, the others say they were not reached.
    let settings = doctor(
        bare(home.path())
            .env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEKEYID0001")
            .env("AWS_SECRET_ACCESS_KEY", "secret/example/secret/example")
            .env("AWS_SESSION_TOKEN", "session-token-example-0123456789"),
    );
    let (region, source) = &settings["region"];
    assert!(region.contains("no AWS region configured"), "{settings:?}");
    assert_eq!(source, "error");
    assert_eq!(settings["credentials"].0, "not checked (no connection)");
    assert_eq!(settings["runtime endpoint"].0, "not set (no connection)");
    // With a region: temporary keys without an expiry are not called long-term.
    let settings = doctor(
        bare(home.path())
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEKEYID0001")
            .env("AWS_SECRET_ACCESS_KEY", "secret/example/secret/example")
            .env("AWS_SESSION_TOKEN", "session-token-example-0123456789"),
    );
    assert_eq!(
        settings["expires"].0, "not said (temporary keys: a session token is set)",
        "{settings:?}"
    );
}
