//! `bedrock-tui config path|show|sample`: where the config file is, what it resolves to, and a
//! commented sample to start from.

use super::{ConfigArgs, ConfigCommand};
use crate::config::{Config, SAMPLE_CONFIG};

/// Runs `config` and returns the exit status.
pub fn run(args: &ConfigArgs, global: &super::GlobalArgs) -> i32 {
    let path = global.config_path();
    match args.command {
        ConfigCommand::Path => {
            if let Some(path) = path {
                println!("{}", path.display());
                0
            } else {
                eprintln!("error: no home directory, so no config file; set BEDROCK_TUI_CONFIG");
                1
            }
        }
        ConfigCommand::Show => {
            let Some(path) = path else {
                print!("{}", Config::default().to_toml());
                return 0;
            };
            let exists = path.exists();
            match Config::load(&path) {
                Ok(config) => {
                    if exists {
                        println!("# {}", path.display());
                    } else {
                        println!("# {} does not exist: the defaults apply", path.display());
                    }
                    print!("{}", config.to_toml());
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
                    0
                }
                Err(e) => {
                    crate::cli::term::err_line(&format!("error: {e}"));
                    1
                }
            }
        }
        ConfigCommand::Sample => {
            print!("{SAMPLE_CONFIG}");
            0
        }
    }
}
