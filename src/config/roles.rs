//! Roles: named system prompts, as aichat has them, in files in `roles/` beside the config
//! file. `NAME.md` (or `.txt`) is the prompt itself; `NAME.toml` has `prompt` and may set a
//! `description`, a `model` and `[parameters]`, which go over config.toml's while the role is
//! in use (the command line still wins).

use super::{ConfigError, ParametersConfig, describe_toml_error};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A role as its file says.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RoleDef {
    /// The file name without its extension.
    pub name: String,
    /// The system prompt.
    pub prompt: String,
    /// One line about it (a TOML role's `description`, else the prompt's first line).
    pub description: String,
    /// The model the role asks for.
    pub model: Option<String>,
    /// The API the role asks for (`invoke` or `converse`).
    pub api: Option<crate::bedrock::Api>,
    /// Parameters the role sets.
    pub parameters: ParametersConfig,
    /// The file.
    pub path: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleToml {
    prompt: String,
    description: Option<String>,
    model: Option<String>,
    api: Option<String>,
    #[serde(default)]
    parameters: ParametersConfig,
}

/// The roles directory beside the config file in use.
pub fn roles_dir(config_file: Option<&Path>) -> Option<PathBuf> {
    config_file
        .and_then(Path::parent)
        .map(|dir| dir.join("roles"))
}

/// Whether `name` can name a role file (no path separators, no leading dot).
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '))
}

/// Reads one role file; the error names the file and what is wrong.
pub fn read(path: &Path) -> Result<RoleDef, String> {
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = crate::files::read_capped_text(path, crate::files::SETTINGS_FILE_CAP)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let at = |e: String| format!("{}: {e}", path.display());
    let mut role = if path.extension().is_some_and(|e| e == "toml") {
        let parsed: RoleToml =
            toml::from_str(&text).map_err(|e| at(describe_toml_error(&text, &e)))?;
        if parsed.parameters.system.is_some() {
            return Err(at(
                "a role's prompt is `prompt = …`, not parameters.system".to_string()
            ));
        }
        parsed
            .parameters
            .check("parameters")
            .map_err(|ConfigError(e)| at(e))?;
        let api = super::check_api("api", parsed.api.as_deref()).map_err(|ConfigError(e)| at(e))?;
        RoleDef {
            name,
            prompt: parsed.prompt,
            description: parsed.description.unwrap_or_default(),
            model: parsed.model.filter(|m| !m.trim().is_empty()),
            api,
            parameters: parsed.parameters,
            path: path.to_path_buf(),
        }
    } else {
        RoleDef {
            name,
            prompt: text,
            path: path.to_path_buf(),
            ..RoleDef::default()
        }
    };
    role.prompt = role.prompt.trim().to_string();
    if role.prompt.is_empty() {
        return Err(at("the prompt is empty".to_string()));
    }
    if role.description.trim().is_empty() {
        role.description = role.prompt.lines().next().unwrap_or_default().to_string();
    }
    Ok(role)
}

/// The roles in `dir`, by name; files that cannot be used are described in the warnings. A
/// missing directory has no roles.
pub fn list(dir: &Path) -> (Vec<RoleDef>, Vec<String>) {
    let mut roles: Vec<RoleDef> = Vec::new();
    let mut warnings = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (roles, warnings);
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "toml" || e == "md" || e == "txt")
        })
        .collect();
    paths.sort();
    for path in paths {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !valid_name(&stem) {
            continue;
        }
        if roles.iter().any(|r| r.name == stem) {
            warnings.push(format!(
                "{}: a role named {stem} is already defined; this file is skipped",
                path.display()
            ));
            continue;
        }
        match read(&path) {
            Ok(role) => roles.push(role),
            Err(e) => warnings.push(e),
        }
    }
    roles.sort_by(|a, b| a.name.cmp(&b.name));
    (roles, warnings)
}

/// The role called `name` in `dir`; the error lists the roles there are.
pub fn find(dir: Option<&Path>, name: &str) -> Result<RoleDef, String> {
    let Some(dir) = dir else {
        return Err(format!(
            "no role {name:?}: there is no config directory for roles"
        ));
    };
    if !valid_name(name) {
        return Err(format!(
            "{name:?} is not a role name (a file name in {} without its extension)",
            dir.display()
        ));
    }
    for extension in ["toml", "md", "txt"] {
        let path = dir.join(format!("{name}.{extension}"));
        if path.exists() {
            return read(&path);
        }
    }
    let (roles, _) = list(dir);
    let names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
    Err(if names.is_empty() {
        format!(
            "no role {name:?}: {} has no roles (NAME.md holds a prompt; NAME.toml a prompt and parameters)",
            dir.display()
        )
    } else {
        format!(
            "no role {name:?} in {}; there are: {}",
            dir.display(),
            names.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_read_from_markdown_and_toml_and_bad_ones_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("terse.md"), "Answer in one sentence.\nNo lists.\n").unwrap();
        std::fs::write(
            d.join("reviewer.toml"),
            "prompt = \"Review the code.\"\ndescription = \"code review\"\nmodel = \"amazon.nova-micro-v1:0\"\n[parameters]\ntemperature = 0.1\n",
        )
        .unwrap();
        std::fs::write(d.join("broken.toml"), "prompt = 3\n").unwrap();
        std::fs::write(
            d.join("hot.toml"),
            "prompt = \"x\"\n[parameters]\ntemperature = 9\n",
        )
        .unwrap();
        std::fs::write(d.join("empty.md"), "  \n").unwrap();
        std::fs::write(d.join("notes.json"), "{}").unwrap();
        let (roles, warnings) = list(d);
        let names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["reviewer", "terse"]);
        assert_eq!(roles[1].prompt, "Answer in one sentence.\nNo lists.");
        assert_eq!(roles[1].description, "Answer in one sentence.");
        assert_eq!(roles[0].model.as_deref(), Some("amazon.nova-micro-v1:0"));
        assert_eq!(roles[0].parameters.temperature, Some(0.1));
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("broken.toml") && w.contains("line 1"))
        );
        assert!(warnings.iter().any(|w| w.contains("temperature = 9")));
        assert_eq!(find(Some(d), "terse").unwrap().name, "terse");
        let missing = find(Some(d), "poet").unwrap_err();
        assert!(missing.contains("there are: reviewer, terse"), "{missing}");
        assert!(find(Some(d), "../etc/passwd").is_err());
    }
}
