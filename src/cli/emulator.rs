//! `bedrock-tui emulator`: runs the local Bedrock Runtime in the foreground and prints the shell
//! lines that point AWS clients at it.

use super::EmulatorArgs;
use crate::emulator::{Emulator, EmulatorConfig, faults::FAULT_NAMES};

/// Runs the emulator until Ctrl+C or SIGTERM; returns the exit status.
pub async fn run(args: EmulatorArgs, global: &super::GlobalArgs) -> i32 {
    let region = global.region.as_deref().unwrap_or("us-east-1");
    let mut config = EmulatorConfig::with_random_credentials(region);
    config.port = args.port;
    if !(args.tokens_per_second.is_finite()
        && (0.0..=crate::emulator::MAX_TOKENS_PER_SECOND).contains(&args.tokens_per_second))
    {
        eprintln!(
            "error: --tokens-per-second {}: a number of tokens a second from 0 (as fast as the socket allows) to {}",
            args.tokens_per_second,
            crate::emulator::MAX_TOKENS_PER_SECOND
        );
        return 2;
    }
    config.tokens_per_second = args.tokens_per_second;
    config.strict_templates = args.strict_templates;
    if !args.guardrail_words.is_empty() {
        config
            .guardrail
            .denied_words
            .clone_from(&args.guardrail_words);
    }
    config.guardrail.block_email = !args.guardrail_allow_email;
    config.replay_streams = args.replay_streams;
    config.resources.extend(args.resource);
    config.deny_lookups = args.deny_lookups;
    let creds = &mut config.credentials;
    if let Some(id) = args.access_key_id {
        creds.access_key_id = id;
    }
    if let Some(secret) = args.secret_access_key {
        creds.secret_access_key = secret;
    }
    if let Some(token) = args.session_token {
        creds.session_token = (!token.is_empty()).then_some(token);
    }
    if let Some(bearer) = args.bearer_token {
        creds.bearer_token = (!bearer.is_empty()).then_some(bearer);
    }
    let emulator = match Emulator::start(config).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!(
                "error: ConfigError: cannot start the emulator on port {}: {e}",
                args.port
            );
            return 1;
        }
    };
    for line in emulator.shell_exports() {
        crate::cli::term::out_line(&line);
    }
    if let Some(bearer) = &emulator.config().credentials.bearer_token {
        crate::cli::term::out_line(&format!(
            "# API-key mode instead of SigV4: export AWS_BEARER_TOKEN_BEDROCK={bearer}"
        ));
    }
    let region = &emulator.config().credentials.region;
    for resource in &emulator.config().resources {
        eprintln!(
            "bedrock-tui emulator: {} serves {}",
            resource.arn(region),
            resource.model
        );
    }
    eprintln!(
        "bedrock-tui emulator: serving Bedrock Runtime on {} ({} tokens/s; faults: {}); Ctrl+C stops it",
        emulator.endpoint(),
        emulator.config().tokens_per_second,
        FAULT_NAMES.join(", ")
    );
    wait_for_signal().await;
    emulator.shutdown();
    0
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
