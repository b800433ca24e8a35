//! `bedrock-tui config path|show|sample|themes|theme NAME`: where the config file is, what it
//! resolves to, a commented sample to start from, and the themes (built-in ones printed as
//! files to copy).

use super::{ConfigArgs, ConfigCommand};
use crate::config::{Config, SAMPLE_CONFIG};

/// Runs `config` and returns the exit status.
pub fn run(args: &ConfigArgs, global: &super::GlobalArgs) -> i32 {
    let path = global.config_path();
    match &args.command {
        ConfigCommand::Path => {
            if let Some(path) = path {
                crate::cli::term::out_line(&path.display().to_string());
                0
            } else {
                eprintln!("error: no home directory, so no config file; set BEDROCK_TUI_CONFIG");
                1
            }
        }
        ConfigCommand::Show => {
            let Some(path) = path else {
                crate::cli::term::out_text(&Config::default().to_toml());
                return 0;
            };
            let exists = path.exists();
            match Config::load_lenient(&path) {
                Ok((config, left_out)) => {
                    for warning in &left_out {
                        crate::cli::term::err_line(&format!("warning: {warning}"));
                    }
                    if exists {
                        crate::cli::term::out_line(&format!("# {}", path.display()));
                    } else {
                        crate::cli::term::out_line(&format!(
                            "# {} does not exist: the defaults apply",
                            path.display()
                        ));
                    }
                    crate::cli::term::out_text(&in_effect(&config));
                    let text =
                        crate::files::read_capped_text(&path, crate::files::SETTINGS_FILE_CAP).ok();
                    let (_, warnings) =
                        crate::keymap::Keymap::with_overrides(&config.keys, text.as_deref());
                    for warning in &warnings {
                        crate::cli::term::err_line(&format!("warning: {warning}"));
                    }
                    if let Some(theme) = &config.theme
                        && let Err(e) = crate::config::theme::Theme::load(theme)
                    {
                        crate::cli::term::err_line(&format!("warning: {e}"));
                    }
                    // What was left out is a failure to check for, though the rest applies.
                    i32::from(!left_out.is_empty())
                }
                Err(e) => {
                    crate::cli::term::err_line(&format!("error: {e}"));
                    1
                }
            }
        }
        ConfigCommand::Sample => {
            crate::cli::term::out_text(SAMPLE_CONFIG);
            0
        }
        ConfigCommand::Keys => {
            let keymap = crate::keymap::Keymap::default();
            for (context, rows) in keymap.help() {
                if rows.is_empty() {
                    continue;
                }
                crate::cli::term::out_line(&format!("[keys.{}]", context.name()));
                for action in keymap.actions_of(context) {
                    let keys: Vec<String> = keymap
                        .keys_for(context, action)
                        .iter()
                        .map(ToString::to_string)
                        .collect();
                    crate::cli::term::out_line(&format!(
                        "{:<22} {:<28} {}",
                        action.name(),
                        keys.join(", "),
                        action.describe_in(context)
                    ));
                }
                crate::cli::term::out_line("");
            }
            crate::cli::term::out_line("none                   unbinds a key");
            0
        }
        ConfigCommand::Themes => {
            for (name, _) in crate::config::theme::BUILT_IN {
                crate::cli::term::out_line(&format!("{name} (built in)"));
            }
            let dir = path
                .as_deref()
                .and_then(std::path::Path::parent)
                .map(|d| d.join("themes"));
            if let Some(dir) = dir {
                let mut found: Vec<String> = std::fs::read_dir(&dir)
                    .into_iter()
                    .flatten()
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                    .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                    .collect();
                found.sort();
                for name in found {
                    crate::cli::term::out_line(&format!("{name} ({})", dir.display()));
                }
                crate::cli::term::out_line(&format!(
                    "# user themes: {}/NAME.toml (start from `bedrock-tui config theme dark`)",
                    dir.display()
                ));
            }
            0
        }
        ConfigCommand::Theme { name } => {
            let built_in = crate::config::theme::BUILT_IN;
            if let Some((_, text)) = built_in.iter().find(|(n, _)| n == name) {
                crate::cli::term::out_text(text);
                return 0;
            }
            let names: Vec<&str> = built_in.iter().map(|(n, _)| *n).collect();
            crate::cli::term::err_line(&format!(
                "error: no built-in theme {name:?}; there are: {}",
                names.join(", ")
            ));
            2
        }
    }
}

/// The settings in effect, the file's merged over the defaults, each with where it came from.
fn in_effect(config: &Config) -> String {
    use crate::config::ParametersConfig;
    let mut out = String::new();
    let row = |key: &str, value: Option<String>, default: Option<&str>| {
        let (entry, from) = match (value, default) {
            (Some(v), _) => (format!("{key} = {v}"), "config.toml"),
            (None, Some(d)) => (format!("{key} = {d}"), "default"),
            (None, None) => (format!("# {key}"), "not set"),
        };
        format!("{entry:<48} # {from}\n")
    };
    let mut line = |key: &str, value: Option<String>, default: Option<&str>| {
        out.push_str(&row(key, value, default));
    };
    let quoted = |v: &Option<String>| v.as_ref().map(|s| format!("{s:?}"));
    let default_model = format!("{:?}", crate::models::catalog::default_model());
    line("model", quoted(&config.model), Some(&default_model));
    line("region", quoted(&config.region), None);
    line("profile", quoted(&config.profile), None);
    line("endpoint_url", quoted(&config.endpoint_url), None);
    line("theme", quoted(&config.theme), Some("\"dark\""));
    line("mouse", config.mouse.map(|b| b.to_string()), Some("true"));
    line("demo", config.demo.map(|b| b.to_string()), Some("false"));
    line(
        "demo_tokens_per_second",
        config.demo_tokens_per_second.map(|n| n.to_string()),
        Some("60"),
    );
    line(
        "save_conversations",
        config.save_conversations.map(|b| b.to_string()),
        Some("true"),
    );
    line("title_model", quoted(&config.title_model), None);
    line(
        "prompt_caching",
        config.prompt_caching.map(|b| b.to_string()),
        Some("true"),
    );
    out.push_str(
        "# region, profile and endpoint_url are the file's: `bedrock-tui doctor` shows what the\n# flags, the environment and the AWS profile make of them.\n",
    );
    out.push_str("\n[parameters]                                     # what is not set: each model's default\n");
    let ParametersConfig {
        system,
        max_tokens,
        temperature,
        top_p,
        top_k,
        stop_sequences,
        thinking,
    } = &config.parameters;
    let mut line = |key: &str, value: Option<String>| {
        let entry = match value {
            Some(v) => format!("{key} = {v}"),
            None => format!("# {key}"),
        };
        let from = if entry.starts_with('#') {
            "not set"
        } else {
            "config.toml"
        };
        out.push_str(&format!("{entry:<48} # {from}\n"));
    };
    line("system", system.as_ref().map(|s| format!("{s:?}")));
    line("max_tokens", max_tokens.map(|n| n.to_string()));
    line("temperature", temperature.map(|n| n.to_string()));
    line("top_p", top_p.map(|n| n.to_string()));
    line("top_k", top_k.map(|n| n.to_string()));
    line(
        "stop_sequences",
        (!stop_sequences.is_empty()).then(|| format!("{stop_sequences:?}")),
    );
    line("thinking", thinking.map(|n| n.to_string()));
    out.push_str(
        "\n[request]                                        # every request of the chat and ask\n",
    );
    let request = &config.request;
    for (key, value) in [
        ("guardrail_id", &request.guardrail_id),
        ("guardrail_version", &request.guardrail_version),
        ("trace", &request.trace),
        ("latency", &request.latency),
        ("service_tier", &request.service_tier),
    ] {
        out.push_str(&row(key, value.as_ref().map(|v| format!("{v:?}")), None));
    }
    out.push_str("\n[display]\n");
    let display = &config.display;
    out.push_str(&row(
        "heading_marks",
        display.heading_marks.map(|b| b.to_string()),
        Some("false"),
    ));
    out.push_str(&row(
        "hyperlinks",
        display.hyperlinks.map(|h| format!("{:?}", h.name())),
        Some("\"auto\""),
    ));
    out.push_str(&row(
        "images",
        display.images.map(|g| format!("{:?}", g.name())),
        Some("\"auto\""),
    ));
    out.push_str(&row(
        "breaks",
        display.breaks.map(|b| format!("{:?}", b.name())),
        Some("\"auto\""),
    ));
    out.push_str("\n[input]\n");
    out.push_str(&row(
        "escape_wait_ms",
        config.input.escape_wait_ms.map(|ms| ms.to_string()),
        Some("40"),
    ));
    out.push_str("\n[tools]\n");
    let tools = &config.tools;
    let list = |names: &[String]| (!names.is_empty()).then(|| format!("{names:?}"));
    out.push_str(&row("builtin", list(&tools.builtin), Some("[]")));
    out.push_str(&row("allow", list(&tools.allow), Some("[]")));
    if tools
        .allow
        .iter()
        .any(|a| a == "read_file" || a == "list_directory")
    {
        out.push_str(
            "# allow: the model reads any file you can (bar this process's own /proc files, other\n\
             # processes' environments and the AWS credential stores), without asking; secrets\n\
             # bedrock-tui knows are scrubbed from what it reads\n",
        );
    }
    out.push_str(&row(
        "max_calls_per_turn",
        tools.max_calls_per_turn.map(|n| n.to_string()),
        Some("10"),
    ));
    out.push_str(&row(
        "timeout_secs",
        tools.timeout_secs.map(|n| n.to_string()),
        Some("60"),
    ));
    for (name, server) in &config.mcp {
        out.push_str(&format!("\n[mcp.{name}]\n"));
        out.push_str(&row(
            "command",
            server.command.as_ref().map(|c| format!("{c:?}")),
            None,
        ));
        if !server.args.is_empty() {
            out.push_str(&row("args", Some(format!("{:?}", server.args)), None));
        }
        // Environment values may be secrets of the server's own: names only.
        if !server.env.is_empty() {
            let names: Vec<&str> = server.env.keys().map(String::as_str).collect();
            out.push_str(&format!(
                "{:<48} # config.toml (values not shown)\n",
                format!("# env: {}", names.join(", "))
            ));
        }
        out.push_str(&row(
            "url",
            server.url.as_ref().map(|u| format!("{u:?}")),
            None,
        ));
    }
    for (context, keys) in &config.keys {
        out.push_str(&format!("\n[keys.{context}]                                   # over the defaults (F1 in the chat lists them all)\n"));
        for (key, action) in keys {
            out.push_str(&format!(
                "{:<48} # config.toml\n",
                format!("{key:?} = {action:?}")
            ));
        }
    }
    out
}
