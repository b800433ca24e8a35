//! What every command but the chat sets up the same way: config.toml read leniently (each
//! warning said), the connection options (never the built-in emulator unless asked), and the
//! emulator's pacing.

use super::GlobalArgs;
use crate::config::Config;
use crate::exchange::Defaults;

/// The config file and its request defaults; a broken file is reported and the defaults used,
/// as in the chat.
pub(crate) fn load_config(global: &GlobalArgs) -> (Config, Defaults) {
    let Some(path) = global.config_path() else {
        return (Config::default(), Defaults::default());
    };
    match Config::load_lenient(&path) {
        Ok((config, warnings)) => {
            for warning in warnings {
                crate::cli::term::err_line(&format!("bedrock-tui: {warning}"));
            }
            let defaults = Defaults::from_config(&config);
            (config, defaults)
        }
        Err(e) => {
            eprintln!("bedrock-tui: {e}; using the defaults");
            (Config::default(), Defaults::default())
        }
    }
}

/// How a command that is not the chat connects: never to the built-in emulator unless asked.
pub(crate) fn connect_options(
    global: &GlobalArgs,
    config: &Config,
    demo_tokens_per_second: f64,
) -> Result<crate::connect::ConnectOptions, String> {
    Ok(crate::connect::ConnectOptions {
        settings: crate::settings::Settings::resolve(&global.flags(), config)?,
        demo_tokens_per_second: demo_pacing(
            config
                .demo_tokens_per_second
                .unwrap_or(demo_tokens_per_second),
        )?,
        fallback_to_demo: false,
    })
}

/// The emulator's pacing: `BEDROCK_TUI_DEMO_TPS` over the given one; a value that is not a
/// number from 0 to [`crate::emulator::MAX_TOKENS_PER_SECOND`] is an error that says so.
pub(crate) fn demo_pacing(given: f64) -> Result<f64, String> {
    use crate::emulator::MAX_TOKENS_PER_SECOND as MOST;
    match std::env::var("BEDROCK_TUI_DEMO_TPS") {
        Ok(value) => value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && (0.0..=MOST).contains(v))
            .ok_or_else(|| {
                format!(
                    "BEDROCK_TUI_DEMO_TPS={}: a number of tokens a second from 0 (as fast as it goes) to {MOST}",
                    crate::text::cut_chars(&crate::text::sanitize_for_terminal(&value), 40)
                )
            }),
        Err(_) => Ok(given),
    }
}
