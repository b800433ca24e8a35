//! `bedrock-tui ask` and `bedrock-tui emulator` as a user runs them: the real binary, against
//! the emulator on loopback, with a clean environment (no AWS settings of the machine).
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use common::cli::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_and_invokes_the_same_answer() {
    let home = tempfile::tempdir().unwrap();
    let emulator = emulator().await;
    let streamed = run(against(&emulator, home.path()).args([
        "ask",
        "--model",
        HAIKU_3,
        "Tell me about retries",
    ]));
    assert!(streamed.status.success(), "{}", text(&streamed.stderr));
    assert!(streamed.stderr.is_empty(), "{}", text(&streamed.stderr));
    let invoked = run(against(&emulator, home.path()).args([
        "ask",
        "--no-stream",
        "--model",
        HAIKU_3,
        "Tell me about retries",
    ]));
    assert!(invoked.status.success());
    assert!(streamed.stdout.len() > 200);
    assert_eq!(streamed.stdout, invoked.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_and_events_output() {
    let home = tempfile::tempdir().unwrap();
    let emulator = emulator().await;
    let out = run(against(&emulator, home.path()).args([
        "ask",
        "--json",
        "--model",
        HAIKU_3,
        "--max-tokens",
        "7",
        "--system",
        "Be brief.",
        "hello",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["stop_reason"], "max_tokens");
    assert_eq!(summary["usage"]["output_tokens"], 7);
    assert!(summary["request_id"].as_str().unwrap().len() == 36);
    assert!(summary["total_ms"].as_u64().is_some());
    assert!(!summary["text"].as_str().unwrap().is_empty());

    let out = run(against(&emulator, home.path()).args([
        "ask",
        "--events",
        "--model",
        HAIKU_3,
        "hi [[fault:throttling after=3]]",
    ]));
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["headers"][":event-type"], "chunk");
    assert_eq!(lines[0]["headers"][":message-type"], "event");
    assert_eq!(lines[0]["decoded"]["type"], "message_start");
    assert!(
        lines[0]["payload"]
            .as_str()
            .unwrap()
            .starts_with("{\"bytes\":")
    );
    assert_eq!(lines[3]["headers"][":message-type"], "exception");
    assert_eq!(
        lines[3]["headers"][":exception-type"],
        "throttlingException"
    );
    assert!(lines[3].get("decoded").is_none());
    assert!(text(&out.stderr).starts_with("error: ThrottlingException: "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_keep_partial_text_and_exit_1() {
    let home = tempfile::tempdir().unwrap();
    let emulator = emulator().await;
    let full = run(against(&emulator, home.path()).args([
        "ask",
        "--model",
        HAIKU_3,
        "x [[fault:model-stream-error after=99999]]",
    ]));
    let out = run(against(&emulator, home.path()).args([
        "ask",
        "--model",
        HAIKU_3,
        "x [[fault:model-stream-error after=8]]",
    ]));
    assert_eq!(out.status.code(), Some(1));
    let partial = text(&out.stdout);
    assert!(!partial.is_empty());
    // The partial text is exactly the start of the full answer (6 text deltas), ended with a
    // newline before the error line.
    assert!(partial.ends_with('\n'));
    assert!(text(&full.stdout).starts_with(partial.trim_end_matches('\n')));
    assert!(partial.len() < full.stdout.len());
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: ModelStreamErrorException: "),
        "{stderr}"
    );
    assert!(stderr.contains("original status 500"));

    let out = run(against(&emulator, home.path()).args([
        "ask",
        "--model",
        HAIKU_3,
        "--max-attempts",
        "1",
        "x [[fault:http-quota]]",
    ]));
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).starts_with("error: ServiceQuotaExceededException: "));

    let out = run(against(&emulator, home.path()).args([
        "ask",
        "--model",
        HAIKU_3,
        "--idle-timeout",
        "0.3",
        "x [[fault:stall after=4]]",
    ]));
    assert_eq!(out.status.code(), Some(1));
    assert!(!out.stdout.is_empty());
    assert!(
        text(&out.stderr).starts_with("error: IdleTimeout: idle timeout"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_is_sent_verbatim_and_prompt_can_come_from_stdin() {
    let home = tempfile::tempdir().unwrap();
    let emulator = emulator().await;
    let body_file = home.path().join("body.json");
    std::fs::write(&body_file, claude_body("from a file")).unwrap();
    let from_file = run(against(&emulator, home.path())
        .args(["ask", "--model", HAIKU_3, "--body"])
        .arg(&body_file));
    assert!(from_file.status.success(), "{}", text(&from_file.stderr));
    let from_stdin = run_with_stdin(
        against(&emulator, home.path()).args(["ask", "--model", HAIKU_3]),
        b"from a file",
    );
    assert!(from_stdin.status.success());
    assert_eq!(from_file.stdout, from_stdin.stdout);
    // A malformed body gets Bedrock's validation error.
    std::fs::write(&body_file, b"{\"messages\":[]}").unwrap();
    let out = run(against(&emulator, home.path())
        .args(["ask", "--model", HAIKU_3, "--body"])
        .arg(&body_file));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with("error: ValidationException: Malformed input request"));
}

#[test]
fn without_credentials_it_fails_and_says_what_it_looked_for_unless_the_demo_is_asked_for() {
    let home = tempfile::tempdir().unwrap();
    let started = Instant::now();
    // A script in CI whose credentials are gone gets an error, never canned text.
    for region in [None, Some("eu-west-1")] {
        let mut cmd = bare(home.path());
        if let Some(region) = region {
            cmd.env("AWS_REGION", region);
        }
        let out = run(cmd.args(["ask", "hello"]));
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        assert!(out.stdout.is_empty());
        let stderr = text(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        for expected in [
            "error: CredentialsError: no AWS credentials found",
            "AWS_ACCESS_KEY_ID",
            "no-config",
            "aws configure",
            "aws sso login --profile default",
            "--demo",
        ] {
            assert!(stderr.contains(expected), "{expected}: {stderr}");
        }
    }
    assert!(started.elapsed() < Duration::from_secs(10));
    // Asked for, the built-in emulator answers, and says so on one line; `demo = true` in
    // config.toml asks the same, and `--demo` works before or after the subcommand.
    let out = run(demo(home.path()).args(["ask", "hello"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("built-in Bedrock emulator") && stderr.contains("--demo"));
    assert!(out.stdout.len() > 100);
    let after = run(bare(home.path()).args(["ask", "hello", "--demo"]));
    assert_eq!(after.stdout, out.stdout);
    std::fs::write(home.path().join("config.toml"), "demo = true\n").unwrap();
    let configured = run(bare(home.path()).args(["ask", "hello"]));
    assert!(configured.status.success(), "{}", text(&configured.stderr));
    assert_eq!(configured.stdout, out.stdout);
}

#[test]
fn configuration_mistakes_are_quick_one_line_errors() {
    let home = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = run(bare(home.path()).args(["ask", "--profile", "missing", "hi"]));
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: CredentialsError: "), "{stderr}");
    assert!(stderr.contains("missing"));

    let out = run(bare(home.path())
        .env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .args(["ask", "hi"]));
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: ConfigError: no AWS region"),
        "{stderr}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    let opaque = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3";
    let out = run(demo(home.path()).args(["ask", "--model", opaque, "hi"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--family"),
        "{}",
        text(&out.stderr)
    );
    let out = run(demo(home.path()).args(["ask", "--family", "llama9", "hi"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("llama3"));
    let out = run(demo(home.path()).args([
        "ask",
        "--model",
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        "--temperature",
        "0.5",
        "--top-p",
        "0.9",
        "hi",
    ]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not both"),
        "{}",
        text(&out.stderr)
    );
    let out = run(demo(home.path()).args(["ask", "--trace", "LOUD", "hi"]));
    assert_eq!(out.status.code(), Some(2));
    let out = run(demo(home.path()).args(["ask"]));
    assert_eq!(out.status.code(), Some(2));
    let out = run(demo(home.path()).args(["ask", "--bogus-flag"]));
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_key_mode() {
    let home = tempfile::tempdir().unwrap();
    let emulator = emulator().await;
    let key = emulator.config().credentials.bearer_token.clone().unwrap();
    let mut cmd = bare(home.path());
    cmd.env("AWS_BEARER_TOKEN_BEDROCK", &key)
        .env("AWS_ENDPOINT_URL", emulator.endpoint())
        .env("AWS_REGION", "us-east-1")
        .args(["ask", "--model", HAIKU_3, "hi"]);
    let out = run(&mut cmd);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut cmd = bare(home.path());
    cmd.env("AWS_BEARER_TOKEN_BEDROCK", "wrong")
        .env("AWS_ENDPOINT_URL", emulator.endpoint())
        .env("AWS_REGION", "us-east-1")
        .args(["ask", "--model", HAIKU_3, "hi"]);
    let out = run(&mut cmd);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: UnrecognizedClientException"));
    assert!(!stderr.contains("wrong"));
}

#[test]
fn emulator_command_prints_exports_that_work() {
    let home = tempfile::tempdir().unwrap();
    let mut server = bare(home.path())
        .args(["emulator", "--port", "0", "--tokens-per-second", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let mut exports = Vec::new();
    while exports.len() < 6 {
        let line = lines.next().unwrap().unwrap();
        let (name, value) = line
            .strip_prefix("export ")
            .and_then(|l| l.split_once('='))
            .unwrap_or_else(|| panic!("not an export line: {line}"));
        exports.push((name.to_string(), value.to_string()));
    }
    let names: Vec<&str> = exports.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
            "AWS_ENDPOINT_URL_BEDROCK",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_REGION"
        ]
    );
    let mut cmd = bare(home.path());
    cmd.envs(exports.iter().map(|(n, v)| (n, v)))
        .args(["ask", "--model", HAIKU_3, "hi"]);
    let out = run(&mut cmd);
    let _ = server.kill();
    let _ = server.wait();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty());
    assert!(out.stdout.len() > 100);
}

/// A catalog model of each family, as Bedrock accepts it (profile prefix where required).
fn one_model_per_family() -> Vec<(bedrock_tui::models::FamilyId, String)> {
    use bedrock_tui::models::{FamilyId, catalog};
    // Converse is a route every text model has (tests/converse.rs), no model's own format.
    FamilyId::ALL
        .iter()
        .filter(|family| **family != FamilyId::Converse)
        .map(|family| {
            let model = catalog::models()
                .iter()
                .find(|m| m.family == *family)
                .unwrap();
            let id = if model.inference_profile_required {
                format!("us.{}", model.id)
            } else {
                model.id.clone()
            };
            (*family, id)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_family_answers_through_ask() {
    use bedrock_tui::models::{FamilyId, OutputKind};
    let home = tempfile::tempdir().unwrap();
    let emulator = emulator().await;
    for (family, model) in one_model_per_family() {
        let json_of = |out: &Output| -> serde_json::Value {
            assert!(out.status.success(), "{model}: {}", text(&out.stderr));
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{model}: {e}"))
        };
        match family.output() {
            OutputKind::Text => {
                let args = [
                    "ask",
                    "--model",
                    &model,
                    "--system",
                    "Be brief.",
                    "--max-tokens",
                    "200",
                    "Tell me about retries",
                ];
                let streamed = run(against(&emulator, home.path()).args(args).arg("--json"));
                let invoked = run(against(&emulator, home.path())
                    .args(args)
                    .args(["--json", "--no-stream"]));
                let (s, i) = (json_of(&streamed), json_of(&invoked));
                assert!(
                    s["text"].as_str().unwrap().trim().len() > 20,
                    "{model}: {s}"
                );
                assert_eq!(
                    s["text"].as_str().unwrap().trim(),
                    i["text"].as_str().unwrap().trim(),
                    "{model}"
                );
                assert!(s["stop_reason"].is_string(), "{model}: {s}");
                assert!(i["stop_reason"].is_string(), "{model}: {i}");
                assert!(
                    s["usage"]["output_tokens"].as_u64().unwrap() > 0,
                    "{model}: {s}"
                );
                if !family.streams() {
                    assert!(
                        text(&streamed.stderr).contains("does not stream"),
                        "{model}"
                    );
                }
                // Plain output: the answer on stdout, reasoning (DeepSeek) on stderr.
                let plain = run(against(&emulator, home.path()).args(args));
                assert!(plain.status.success(), "{model}: {}", text(&plain.stderr));
                assert_eq!(
                    text(&plain.stdout).trim(),
                    s["text"].as_str().unwrap().trim(),
                    "{model}"
                );
                if family == FamilyId::DeepSeek {
                    assert!(
                        text(&plain.stderr).contains("[reasoning]\nThe user asks"),
                        "{}",
                        text(&plain.stderr)
                    );
                    assert!(
                        s["reasoning"]
                            .as_str()
                            .unwrap()
                            .starts_with("The user asks")
                    );
                }
            }
            OutputKind::Embedding => {
                let out = run(against(&emulator, home.path()).args([
                    "ask",
                    "--model",
                    &model,
                    "embed this",
                ]));
                assert!(out.status.success(), "{model}: {}", text(&out.stderr));
                let stdout = text(&out.stdout);
                assert!(
                    stdout.starts_with("embedding 0: ") && stdout.contains("dimensions, norm 1.0"),
                    "{model}: {stdout}"
                );
                let whole = json_of(&run(against(&emulator, home.path()).args([
                    "ask",
                    "--model",
                    &model,
                    "--json",
                    "embed this",
                ])));
                let vector = whole["embeddings"][0].as_array().unwrap();
                assert!(vector.len() >= 1024, "{model}");
            }
            OutputKind::Image => {
                let path = home.path().join(format!("{}.png", family.name()));
                let out = run(against(&emulator, home.path())
                    .args(["ask", "--model", &model, "--save-image"])
                    .arg(&path)
                    .arg("a lighthouse at dusk"));
                assert!(out.status.success(), "{model}: {}", text(&out.stderr));
                assert!(
                    text(&out.stderr).contains(&format!("wrote {}", path.display())),
                    "{}",
                    text(&out.stderr)
                );
                let png = std::fs::read(&path).unwrap();
                assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{model}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn models_lists_the_catalog_and_the_remote_listing() {
    let home = tempfile::tempdir().unwrap();
    let out = run(bare(home.path()).args(["models", "--json"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let catalog: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let count = catalog["models"].as_array().unwrap().len();
    assert!(count >= 60, "{count}");
    let table = text(&run(bare(home.path()).args(["models", "--provider", "meta"])).stdout);
    assert!(table.starts_with("MODEL ID"), "{table}");
    assert!(
        table.contains("meta.llama4-scout-17b-instruct-v1:0     llama4  no"),
        "{table}"
    );
    assert!(!table.contains("anthropic."), "{table}");
    let families = text(&run(bare(home.path()).args(["models", "--families"])).stdout);
    assert_eq!(
        families.lines().count(),
        bedrock_tui::models::FamilyId::ALL.len()
    );

    let emulator = emulator().await;
    let remote = run(against(&emulator, home.path())
        .env("AWS_ENDPOINT_URL_BEDROCK", emulator.endpoint())
        .args(["models", "--remote", "--json"]));
    assert!(remote.status.success(), "{}", text(&remote.stderr));
    let remote: serde_json::Value = serde_json::from_slice(&remote.stdout).unwrap();
    let models = remote["models"].as_array().unwrap();
    // The region serves models the catalog does not know: they are listed too, without a
    // family (the chat reaches a text one through Converse).
    let newer = bedrock_tui::emulator::newer::models().len();
    assert_eq!(models.len(), count + newer);
    let qwen = models
        .iter()
        .find(|m| m["id"] == "qwen.qwen3-32b-v1:0")
        .expect("a live model the catalog does not know");
    assert_eq!(qwen["in_catalog"], false);
    assert!(qwen["family"].is_null(), "{qwen}");
    assert_eq!(qwen["route"], "converse");
    // A legacy model says so, and until when.
    let legacy = models
        .iter()
        .find(|m| m["id"] == "anthropic.claude-v2:1")
        .unwrap();
    assert_eq!(
        legacy["lifecycle"],
        serde_json::json!({"status": "LEGACY", "end_of_life": "2027-03-01"})
    );
    // The listing is kept for a day: the next run answers from it, and says so.
    let kept = run(against(&emulator, home.path())
        .env("AWS_ENDPOINT_URL_BEDROCK", emulator.endpoint())
        .args(["models", "--remote"]));
    assert!(
        text(&kept.stderr).contains("the region's listing of just now (kept for a day"),
        "{}",
        text(&kept.stderr)
    );
    assert!(home.path().join("data/listings").is_dir());
    let table = run(against(&emulator, home.path())
        .env("AWS_ENDPOINT_URL_BEDROCK", emulator.endpoint())
        .args(["models", "--remote", "--refresh"]));
    assert!(
        !text(&table.stderr).contains("kept for a day"),
        "{}",
        text(&table.stderr)
    );
    let table = text(&table.stdout);
    let v21 = table
        .lines()
        .find(|l| l.starts_with("anthropic.claude-v2:1 "))
        .unwrap();
    assert!(v21.contains("LEGACY UNTIL 2027-03-01"), "{v21}");
    let qwen = table
        .lines()
        .find(|l| l.starts_with("qwen.qwen3-32b-v1:0 "))
        .unwrap();
    assert!(qwen.contains("(converse)"), "{qwen}");
    let haiku = models
        .iter()
        .find(|m| m["id"] == "anthropic.claude-haiku-4-5-20251001-v1:0")
        .unwrap();
    assert_eq!(haiku["family"], "anthropic");
    assert_eq!(haiku["inference_profile_required"], true);
    let profiles: Vec<&str> = haiku["inference_profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        profiles.contains(&"global.anthropic.claude-haiku-4-5-20251001-v1:0"),
        "{profiles:?}"
    );
    // More than one page of profiles (100 per page) was followed.
    let total: usize = models
        .iter()
        .map(|m| m["inference_profiles"].as_array().unwrap().len())
        .sum();
    assert!(total > 100, "{total}");
    let table = text(
        &run(against(&emulator, home.path())
            .env("AWS_ENDPOINT_URL_BEDROCK", emulator.endpoint())
            .args(["models", "--remote", "--provider", "anthropic"]))
        .stdout,
    );
    assert!(table.contains("us eu apac jp au global"), "{table}");
    // Wrong credentials on the control plane are the same typed error as on the runtime (the
    // region asked again: a kept listing is the same access key's).
    let denied = run(against(&emulator, home.path())
        .env("AWS_ENDPOINT_URL_BEDROCK", emulator.endpoint())
        .env("AWS_SECRET_ACCESS_KEY", "wrong")
        .args(["models", "--remote", "--refresh"]));
    // Another access key is another place: its listing is asked for, not the kept one.
    let other = run(against(&emulator, home.path())
        .env("AWS_ENDPOINT_URL_BEDROCK", emulator.endpoint())
        .env("AWS_ACCESS_KEY_ID", "AKIAOTHERKEY")
        .args(["models", "--remote"]));
    assert!(
        !text(&other.stderr).contains("kept for a day"),
        "{}",
        text(&other.stderr)
    );
    assert_eq!(denied.status.code(), Some(1));
    assert!(
        text(&denied.stderr).starts_with("error: InvalidSignatureException"),
        "{}",
        text(&denied.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_shows_the_exchange_with_credentials_redacted() {
    let home = tempfile::tempdir().unwrap();
    let emulator = emulator().await;
    let c = emulator.config().credentials.clone();
    let out = run(against(&emulator, home.path()).args([
        "ask",
        "--verbose",
        "--model",
        HAIKU_3,
        "hi [[emulator:tokens=4]]",
    ]));
    assert!(out.status.success());
    let stderr = text(&out.stderr);
    for expected in [
        "> POST http://127.0.0.1:",
        "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke-with-response-stream",
        "> authorization: AWS4-HMAC-SHA256 Credential=[redacted]/",
        "Signature=[redacted]",
        "> x-amz-security-token: [redacted]",
        "> content-length: ",
        ">   \"anthropic_version\": \"bedrock-2023-05-31\",",
        "< HTTP 200",
        "< x-amzn-requestid: ",
        "< frame 1 +",
        ":event-type=chunk",
        "<   decoded {\"message\":",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
    for secret in [
        c.access_key_id.as_str(),
        c.secret_access_key.as_str(),
        c.session_token.as_deref().unwrap(),
    ] {
        assert!(!stderr.contains(secret), "a secret reached stderr");
    }
    assert!(
        !text(&out.stdout).contains("> POST"),
        "stdout has only the answer"
    );

    // An API key, an HTTP error, an in-stream exception.
    let key = c.bearer_token.clone().unwrap();
    let out = run(bare(home.path())
        .env("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", emulator.endpoint())
        .env("AWS_BEARER_TOKEN_BEDROCK", &key)
        .env("AWS_REGION", "us-east-1")
        .args([
            "ask",
            "-v",
            "--max-attempts",
            "1",
            "hi [[fault:http-throttling]]",
        ]));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("> authorization: Bearer [redacted]"),
        "{stderr}"
    );
    assert!(
        stderr.contains("< HTTP 429 ThrottlingException: "),
        "{stderr}"
    );
    assert!(!stderr.contains(&key));
    let out =
        run(against(&emulator, home.path()).args(["ask", "-v", "hi [[fault:throttling after=2]]"]));
    let stderr = text(&out.stderr);
    assert!(stderr.contains(":message-type=exception"), "{stderr}");
    assert!(
        stderr.contains(":exception-type=throttlingException"),
        "{stderr}"
    );
}

#[test]
fn compare_types_tabulates_every_combination() {
    let home = tempfile::tempdir().unwrap();
    let out = run(demo(home.path()).args(["compare-types", "--json", "hi [[emulator:tokens=5]]"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 8, "2 accepts x 2 content types x stream/invoke");
    for row in &rows {
        let content_type_ok = row["content_type"] == "application/json";
        if content_type_ok {
            assert_eq!(row["status"], 200, "{row}");
            assert_eq!(row["response_content_type"], "application/json", "{row}");
            assert!(row["bytes"].as_u64().unwrap() > 100, "{row}");
            assert!(!row["first_line"].as_str().unwrap().is_empty());
        } else {
            assert_eq!(row["status"], 400, "{row}");
            assert_eq!(row["error"], "ValidationException", "{row}");
            assert!(
                row["first_line"].as_str().unwrap().contains("Content-Type"),
                "{row}"
            );
        }
    }
    assert!(rows.iter().any(|r| r["stream"] == true) && rows.iter().any(|r| r["stream"] == false));

    let out = run(demo(home.path()).args([
        "compare-types",
        "--accept",
        "text/plain",
        "--accept",
        "application/json",
        "-m",
        "us.meta.llama4-scout-17b-instruct-v1:0",
        "hi",
    ]));
    let table = text(&out.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "header and two invoke-only rows:\n{table}");
    assert!(
        lines[1].starts_with("text/plain") && lines[1].contains("400 ValidationException"),
        "{table}"
    );
    assert!(lines[2].contains(" invoke 200 "), "{table}");
}

#[test]
fn several_models_answer_one_after_another_with_their_figures() {
    let home = tempfile::tempdir().unwrap();
    let out = run(demo(home.path()).args([
        "ask",
        "-m",
        "global.anthropic.claude-haiku-4-5-20251001-v1:0",
        "-m",
        "meta.llama4-scout-17b-instruct-v1:0",
        "-m",
        "amazon.nova-micro-v1:0",
        "Compare us [[emulator:tokens=6]] [[fault:http-validation model=llama4]]",
    ]));
    assert_eq!(out.status.code(), Some(1), "one of the three failed");
    let stdout = text(&out.stdout);
    let headers: Vec<&str> = stdout.lines().filter(|l| l.starts_with("== ")).collect();
    assert_eq!(
        headers,
        [
            "== Claude Haiku 4.5 (global.anthropic.claude-haiku-4-5-20251001-v1:0)",
            "== Llama 4 Scout 17B Instruct (meta.llama4-scout-17b-instruct-v1:0)",
            "== Nova Micro (amazon.nova-micro-v1:0)"
        ],
        "{stdout}"
    );
    let figures: Vec<&str> = stdout.lines().filter(|l| l.starts_with("-- ")).collect();
    assert_eq!(figures.len(), 3, "{stdout}");
    assert!(
        figures[0].contains(" in / 6 out") && figures[0].contains('$'),
        "{stdout}"
    );
    assert_eq!(figures[1], "-- failed: ValidationException", "{stdout}");
    assert!(figures[2].contains(" in / 6 out"), "{stdout}");

    let out = run(demo(home.path()).args([
        "ask",
        "--json",
        "-m",
        "global.anthropic.claude-haiku-4-5-20251001-v1:0",
        "-m",
        "amazon.nova-micro-v1:0",
        "Compare us [[emulator:tokens=6]]",
    ]));
    assert!(out.status.success());
    let models: Vec<String> = text(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["model"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        models,
        [
            "global.anthropic.claude-haiku-4-5-20251001-v1:0",
            "amazon.nova-micro-v1:0"
        ]
    );
    let refused =
        run(demo(home.path()).args(["ask", "--session", "new", "-m", "a", "-m", "b", "x"]));
    assert_eq!(refused.status.code(), Some(2));
}

#[test]
fn a_response_with_the_wrong_content_type_is_reported() {
    let home = tempfile::tempdir().unwrap();
    for flag in [None, Some("--no-stream")] {
        let mut cmd = demo(home.path());
        cmd.arg("ask");
        if let Some(flag) = flag {
            cmd.arg(flag);
        }
        let out = run(cmd.arg("a proxy in the way [[fault:wrong-content-type]]"));
        assert_eq!(out.status.code(), Some(1), "{flag:?}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(
                "error: UnexpectedContentType: unexpected response content type \"text/html\""
            ),
            "{flag:?}: {stderr}"
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn a_runaway_stream_hits_the_size_limit_and_the_largest_frames_are_read() {
    let home = tempfile::tempdir().unwrap();
    // 1 GiB of padding frames: cut at the documented limit, quickly, with the text so far.
    let started = Instant::now();
    let out = run(demo(home.path()).args(["ask", "flood me [[fault:flood]]"]));
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error: ResponseTooLarge: the stream passed the 128 MiB limit"),
        "{stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    // A frame with a 32,767-byte header and a 16 MiB payload is read like any other.
    let whole = run(demo(home.path()).args(["ask", "big one"]));
    let big = run(demo(home.path()).args(["ask", "big one [[fault:big-frame]]"]));
    assert!(big.status.success(), "{}", text(&big.stderr));
    assert_eq!(text(&big.stdout), text(&whole.stdout));
}

#[test]
fn every_fault_gives_its_message_status_and_partial_text_and_text_is_never_resent() {
    use bedrock_tui::emulator::faults::FAULT_NAMES;
    // The matrix covers every fault the emulator knows.
    for name in FAULT_NAMES {
        let name = name.trim_end_matches("=K");
        assert!(
            FAULT_MATRIX.iter().any(|(spec, ..)| spec.starts_with(name)),
            "{name} is not in the matrix"
        );
    }
    let home = tempfile::tempdir().unwrap();
    let prompt = "Explain the matrix";
    let full = text(&run(demo(home.path()).args(["ask", prompt])).stdout);
    for &(spec, status, name, partial) in FAULT_MATRIX {
        let out = run(demo(home.path()).args([
            "ask",
            "--verbose",
            "--max-attempts",
            "3",
            "--idle-timeout",
            "0.5",
            &format!("{prompt} [[fault:{spec}]]"),
        ]));
        let stdout = text(&out.stdout);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(status), "{spec}: {stderr}");
        if name.is_empty() {
            assert_eq!(stdout, full, "{spec}: the whole answer");
        } else {
            assert!(
                stderr.contains(&format!("error: {name}: ")),
                "{spec}: {stderr}"
            );
            assert!(
                full.starts_with(stdout.trim_end_matches('\n')),
                "{spec}: only the answer's own text"
            );
            assert_eq!(!stdout.is_empty(), partial, "{spec}: {stdout:?}");
        }
        // A stream that produced text is never sent again; errors before it may be retried.
        let attempts = stderr.matches("> POST ").count();
        if partial {
            assert_eq!(attempts, 1, "{spec}: retried after text");
        }
        let retryable = spec.starts_with("http-throttling")
            || spec.starts_with("http-internal")
            || spec.starts_with("http-unavailable")
            || spec.starts_with("http-not-ready")
            || spec.starts_with("flaky");
        if retryable {
            assert_eq!(attempts, 3, "{spec}: retried up to --max-attempts");
        }
    }
}

#[test]
fn the_contract_for_scripts() {
    let home = tempfile::tempdir().unwrap();
    // A prompt argument and piped text are both sent: the argument, then the text.
    let out = run_with_stdin(
        demo(home.path()).args(["ask", "Summarize this log: [[emulator:echo]]"]),
        b"line one\nline two\n",
    );
    assert!(out.status.success());
    let echoed = text(&out.stdout);
    assert!(
        echoed.contains("Summarize this log:")
            && echoed.contains("line one")
            && echoed.contains("line two"),
        "{echoed}"
    );
    // The answer ends with a newline.
    assert!(echoed.ends_with('\n'));
    // One JSON object on failure too, with the partial text; `--output json` is `--json`.
    for flag in ["--json", "--output=json"] {
        let out = run(demo(home.path()).args(["ask", flag, "x [[fault:throttling after=3]]"]));
        assert_eq!(out.status.code(), Some(1));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{flag}: {e}: {}", text(&out.stdout)));
        assert_eq!(json["error"]["name"], "ThrottlingException", "{json}");
        assert!(!json["text"].as_str().unwrap().is_empty(), "{json}");
        assert!(json["total_ms"].is_number());
    }
    let out = run(bare(home.path()).args(["ask", "--json", "hi"]));
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["error"]["name"], "CredentialsError");
    // When the reader of stdout goes away, the request ends at once and quietly.
    let mut child = demo(home.path())
        .env("BEDROCK_TUI_DEMO_TPS", "50")
        .args(["ask", "a long one [[emulator:tokens=2000]]"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 100];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    let closed = Instant::now();
    drop(stdout);
    let status = child.wait().unwrap();
    let took = closed.elapsed();
    assert!(status.success(), "{status:?}");
    // 2,000 tokens at 50 a second would take 40 s; the next token (20 ms) finds the pipe closed.
    assert!(
        took < Duration::from_millis(250),
        "{took:?} after stdout closed"
    );
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!stderr.contains("error"), "{stderr}");
    eprintln!("stdout closed: ask ended after {took:?}");
}

#[test]
fn completions_and_the_manual_page_are_generated_from_the_command_line() {
    let home = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = run(bare(home.path()).args(["completions", shell]));
        assert!(out.status.success(), "{shell}");
        let script = text(&out.stdout);
        assert!(
            script.contains("compare-types") && script.contains("doctor"),
            "{shell}"
        );
    }
    let man = run(bare(home.path()).arg("man"));
    assert!(man.status.success());
    let page = text(&man.stdout);
    assert!(
        page.contains(".TH bedrock-tui 1") && page.contains("doctor"),
        "{page}"
    );
}

#[test]
fn parameters_are_sent_exactly_as_typed() {
    let home = tempfile::tempdir().unwrap();
    let out = run(demo(home.path()).args([
        "ask",
        "--verbose",
        "--model",
        "amazon.nova-micro-v1:0",
        "--temperature",
        "0.3",
        "--top-p",
        "0.9",
        "hi",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("\"temperature\": 0.3"), "{stderr}");
    assert!(stderr.contains("\"topP\": 0.9"), "{stderr}");
    assert!(!stderr.contains("0.30000001"), "{stderr}");
}

#[test]
fn json_counts_the_attempts_and_names_the_request_of_an_http_error() {
    let home = tempfile::tempdir().unwrap();
    let out = run(demo(home.path()).args([
        "ask",
        "--json",
        "--max-attempts",
        "3",
        "hi [[fault:http-throttling]]",
    ]));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["attempts"], 3, "{summary}");
    assert!(summary["request_id"].is_string(), "{summary}");
    assert_eq!(
        summary["request_id"], summary["error"]["request_id"],
        "{summary}"
    );
}

#[test]
fn a_models_name_where_an_id_belongs_is_the_model_it_names_or_the_ids_it_may_mean() {
    let home = tempfile::tempdir().unwrap();
    // One model matches best: it is taken, said, and (served through profiles only) sent
    // through the profile of the region's geography.
    for (name, meant, sent) in [
        (
            "sonnet45",
            "\"sonnet45\" is Claude Sonnet 4.5",
            "sent through us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        ),
        ("nova pro", "\"nova pro\" is Nova Pro", "served on demand"),
    ] {
        let out = run(demo(home.path()).args(["ask", "-m", name, "hi"]));
        let said = text(&out.stderr);
        assert!(out.status.success(), "{name}: {said}");
        assert!(said.contains(meant), "{name}: {said}");
        if sent == "served on demand" {
            assert!(!said.contains("sent through"), "{name}: {said}");
        } else {
            assert!(said.contains(sent), "{name}: {said}");
        }
        assert!(!text(&out.stdout).is_empty());
    }
    // Several equally good: the ids it may mean, never family advice.
    let out = run(demo(home.path()).args(["ask", "-m", "claude", "hi"]));
    assert_eq!(out.status.code(), Some(2));
    let said = text(&out.stderr);
    assert!(said.contains("names several models equally well"), "{said}");
    assert!(said.contains("(-m "), "{said}");
    assert!(!said.contains("--family"), "{said}");
    let out = run(demo(home.path()).args(["ask", "-m", "zzzzqqq", "hi"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("names no model"),
        "{}",
        text(&out.stderr)
    );
}
