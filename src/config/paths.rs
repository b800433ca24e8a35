//! Where bedrock-tui keeps its files, per platform (`directories`): the config file, and the
//! data directory for sessions. `BEDROCK_TUI_CONFIG` overrides the config file's path.

use directories::ProjectDirs;
use std::path::PathBuf;

fn project_dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "bedrock-tui")
}

/// The config file: `BEDROCK_TUI_CONFIG`, else `config.toml` in the platform config directory
/// (`~/.config/bedrock-tui/config.toml` on Linux). `None` when no home directory is known.
pub(crate) fn config_file() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("BEDROCK_TUI_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    project_dirs().map(|d| d.config_dir().join("config.toml"))
}

/// The directory for user themes (`themes/` beside the config file).
pub(crate) fn themes_dir() -> Option<PathBuf> {
    config_file().and_then(|f| f.parent().map(|p| p.join("themes")))
}

/// The data directory (sessions live here).
pub(crate) fn data_dir() -> Option<PathBuf> {
    project_dirs().map(|d| d.data_dir().to_path_buf())
}

/// Where sessions and pictures are kept: `BEDROCK_TUI_DATA_DIR`, else [`data_dir`].
pub(crate) fn data_home() -> Option<PathBuf> {
    match std::env::var_os("BEDROCK_TUI_DATA_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => Some(PathBuf::from(dir)),
        None => data_dir(),
    }
}
