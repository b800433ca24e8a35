//! `bedrock-tui doctor`: which profile, region, endpoints and credentials a request would use,
//! and where each came from, as `aws configure list` shows them (the access key masked to its
//! last four characters); whether the built-in emulator would answer and why. No model is
//! called; `--check` lists the models to prove the credentials work.

use super::{DoctorArgs, GlobalArgs};
use crate::bedrock::{Auth, BedrockError};
use crate::connect::{ConnectOptions, connect, provider_of};
use crate::settings::{Settings, Source, no_aws_setup};
use crate::text::sanitize_for_terminal;
use serde_json::{Value, json};

/// An access key id masked as `aws configure list` masks it: all but the last 4 characters.
pub fn mask(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let shown: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("{}{shown}", "*".repeat(chars.len().saturating_sub(4)))
}

fn row(name: &str, value: &str, source: &str) -> Value {
    json!({"name": name, "value": value, "source": source})
}

/// Runs `doctor`; 0 when requests could go out (and, with `--check`, the listing answered).
pub async fn run(args: &DoctorArgs, global: &GlobalArgs) -> i32 {
    let (config, _) = super::setup::load_config(global);
    let settings = match Settings::resolve(&global.flags(), &config) {
        Ok(settings) => settings,
        Err(message) => {
            crate::cli::term::err_line(&format!("error: {message}"));
            return super::ask::EXIT_USAGE;
        }
    };
    let mut rows = Vec::new();
    let given = |setting: &Option<crate::settings::Setting>, default: &str| match setting {
        Some(s) => (s.value.clone(), s.source.to_string()),
        None => (default.to_string(), Source::Default.to_string()),
    };
    let (profile, profile_source) = given(&settings.profile, "default");
    rows.push(row("profile", &profile, &profile_source));
    let config_file = global
        .config_path()
        .map_or_else(|| "(none)".to_string(), |p| p.display().to_string());
    rows.push(row(
        "config.toml",
        &config_file,
        "flag --config, BEDROCK_TUI_CONFIG or default",
    ));
    let demo_reason = match &settings.demo {
        Some(source) => Some(format!("asked for ({source})")),
        None if no_aws_setup(&settings) => Some(
            "only in the chat: this machine has no AWS setup at all (ask, models --remote and compare-types fail instead)".to_string(),
        ),
        None => None,
    };
    let options = ConnectOptions {
        settings: settings.clone(),
        demo_tokens_per_second: 0.0,
        fallback_to_demo: false,
    };
    let mut status = 0;
    let connection = if settings.demo.is_some() {
        None
    } else {
        match connect(&options).await {
            Ok(connection) => Some(connection),
            Err(e) => {
                // Each problem on the row of what it is about; the rows it leaves without a
                // value say so.
                let about = match &e {
                    BedrockError::Credentials(_) => "credentials",
                    BedrockError::Config(message) if message.contains("region") => "region",
                    _ => "connection",
                };
                if about != "region" {
                    let (region, source) = given(&settings.region, "not set");
                    rows.push(row("region", &region, &source));
                }
                rows.push(row(about, &format!("{}: {e}", e.name()), "error"));
                for name in ["runtime endpoint", "control-plane endpoint"] {
                    rows.push(row(name, "not set (no connection)", ""));
                }
                if about != "credentials" {
                    rows.push(row("credentials", "not checked (no connection)", ""));
                }
                status = 1;
                None
            }
        }
    };
    if let Some(connection) = &connection {
        let config = connection.client.config();
        rows.push(row(
            "region",
            &config.region,
            &connection.region_source.to_string(),
        ));
        if let Some(routes) = &connection.routes {
            rows.push(row(
                "runtime endpoint",
                &routes.runtime.value,
                &routes.runtime.source.to_string(),
            ));
            rows.push(row(
                "control-plane endpoint",
                &routes.control.value,
                &routes.control.source.to_string(),
            ));
            let variants = match (routes.fips, routes.dual_stack) {
                (false, false) => "standard",
                (true, false) => "FIPS",
                (false, true) => "dual-stack",
                (true, true) => "FIPS, dual-stack",
            };
            rows.push(row(
                "endpoint variant",
                variants,
                "AWS_USE_FIPS_ENDPOINT / AWS_USE_DUALSTACK_ENDPOINT or the profile",
            ));
            match &routes.ca_bundle {
                Some(bundle) => rows.push(row(
                    "CA bundle",
                    &format!("{} ({} certificates)", bundle.value, routes.roots.len()),
                    &bundle.source.to_string(),
                )),
                None => rows.push(row("CA bundle", "the system's roots", "default")),
            }
        }
        match &config.auth {
            Auth::Bearer(_) => rows.push(row(
                "credentials",
                "API key (bearer token)",
                "environment AWS_BEARER_TOKEN_BEDROCK",
            )),
            Auth::SigV4(cache) => match cache.get().await {
                Ok(credentials) => {
                    rows.push(row(
                        "access key",
                        &mask(credentials.access_key_id()),
                        &provider_of(&credentials),
                    ));
                    let temporary = credentials.session_token().is_some();
                    let expiry = credentials.expiry().map_or_else(
                        || {
                            if temporary {
                                "not said (temporary keys: a session token is set)".to_string()
                            } else {
                                "never (long-term keys)".to_string()
                            }
                        },
                        |at| {
                            let left = at
                                .duration_since(std::time::SystemTime::now())
                                .map_or(0, |d| d.as_secs());
                            format!("in {} min", left / 60)
                        },
                    );
                    rows.push(row("expires", &expiry, &provider_of(&credentials)));
                }
                Err(e) => {
                    rows.push(row("credentials", &e.to_string(), "error"));
                    status = 1;
                }
            },
        }
        if args.check {
            match crate::bedrock::control::list_foundation_models(&connection.client).await {
                Ok(models) => rows.push(row(
                    "check",
                    &format!(
                        "{} listed",
                        crate::text::count(models.len() as u64, "model", "models")
                    ),
                    "ListFoundationModels",
                )),
                Err(e) => {
                    rows.push(row(
                        "check",
                        &format!("{}: {e}", e.name()),
                        "ListFoundationModels",
                    ));
                    status = 1;
                }
            }
        }
    }
    rows.push(row(
        "built-in emulator",
        demo_reason.as_deref().unwrap_or("no (AWS is configured)"),
        "",
    ));
    let proxy = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"]
        .iter()
        .find_map(|name| std::env::var(name).ok().map(|v| (v, *name)));
    if let Some((url, name)) = proxy {
        rows.push(row("proxy", &url, &format!("environment {name}")));
    }
    if args.json {
        super::term::out_json(&json!({ "settings": rows, "ok": status == 0 }).to_string());
    } else {
        for r in &rows {
            let line = format!(
                "{:<24} {:<48} {}",
                r["name"].as_str().unwrap_or_default(),
                r["value"].as_str().unwrap_or_default(),
                r["source"].as_str().unwrap_or_default()
            );
            crate::cli::term::out_line(&format!("{}", sanitize_for_terminal(line.trim_end())));
        }
    }
    status
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_masked_to_their_last_four() {
        assert_eq!(super::mask("AKIAIOSFODNN7EXAMPLE"), "****************MPLE");
        assert_eq!(super::mask("ab"), "ab");
    }
}
