//! A config file read as far as it is valid: a typo or a value out of range costs its own key,
//! not the whole file. Each key that cannot be used is left out with a warning that names it and
//! its line; the rest of the file applies. Only text that is not TOML at all (whose keys cannot
//! be told apart) is an error.

use super::{Config, ConfigError};
use serde::Deserialize;

/// The most keys left out before the file is given up on (a file of nothing but mistakes).
const MOST_LEFT_OUT: usize = 64;

/// Reads config text: the config of its valid keys, and a warning for each key left out.
pub(crate) fn parse(text: &str) -> Result<(Config, Vec<String>), ConfigError> {
    let mut table: toml::Table =
        toml::from_str(text).map_err(|e| ConfigError(super::describe_toml_error(text, &e)))?;
    let mut warnings = Vec::new();
    // Keys that do not read as what they should be: each top-level key is read alone, and in
    // a table that does not read, each of its keys.
    let keys: Vec<String> = table.keys().cloned().collect();
    for key in keys {
        let Some(value) = table.get(&key).cloned() else {
            continue;
        };
        let Err(why) = read_alone(&key, value.clone()) else {
            continue;
        };
        let toml::Value::Table(inner) = value else {
            table.remove(&key);
            warnings.push(left_out(text, &key, None, &why));
            continue;
        };
        let mut kept = toml::Table::new();
        for (sub, sub_value) in inner {
            let mut one = toml::Table::new();
            one.insert(sub.clone(), sub_value.clone());
            match read_alone(&key, toml::Value::Table(one)) {
                Ok(()) => {
                    kept.insert(sub, sub_value);
                }
                Err(why) => warnings.push(left_out(text, &key, Some(&sub), &why)),
            }
        }
        if read_alone(&key, toml::Value::Table(kept.clone())).is_ok() {
            table.insert(key, toml::Value::Table(kept));
        } else {
            table.remove(&key);
            warnings.push(left_out(text, &key, None, &why));
        }
    }
    let mut config = Config::deserialize(toml::Value::Table(table.clone()))
        .map_err(|e| ConfigError(e.to_string()))?;
    // Values out of range: the check names the setting; it is left out and the check run again.
    while let Err(ConfigError(why)) = config.check() {
        let Some(path) = setting_of(&why) else {
            return Err(ConfigError(why));
        };
        if !remove_path(&mut table, &path) || warnings.len() >= MOST_LEFT_OUT {
            return Err(ConfigError(why));
        }
        let (section, key) = match path.rsplit_once('.') {
            Some((section, key)) => (section.to_string(), Some(key.to_string())),
            None => (path.clone(), None),
        };
        warnings.push(left_out(text, &section, key.as_deref(), &why));
        config = Config::deserialize(toml::Value::Table(table.clone()))
            .map_err(|e| ConfigError(e.to_string()))?;
    }
    Ok((config, warnings))
}

/// Whether `key = value` alone reads as a config.
fn read_alone(key: &str, value: toml::Value) -> Result<(), String> {
    let mut one = toml::Table::new();
    one.insert(key.to_string(), value);
    Config::deserialize(toml::Value::Table(one))
        .map(|_| ())
        .map_err(|e| e.to_string().trim().to_string())
}

/// `tools.allow (line 12) is left out: why`.
fn left_out(text: &str, section: &str, key: Option<&str>, why: &str) -> String {
    let name = key.map_or_else(|| section.to_string(), |k| format!("{section}.{k}"));
    let line =
        setting_line(text, section, key).map_or_else(String::new, |line| format!(" (line {line})"));
    let why = why.lines().next().unwrap_or_default();
    format!("{name}{line} is left out: {why}")
}

/// The setting a check's message names: `tools.allow: …`, `parameters.top_p = 2: …`.
fn setting_of(message: &str) -> Option<String> {
    let end = message.find([':', ' '])?;
    let path = &message[..end];
    (!path.is_empty()
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    .then(|| path.to_string())
}

/// Removes the setting at a dotted path; false when there is none.
fn remove_path(table: &mut toml::Table, path: &str) -> bool {
    match path.split_once('.') {
        None => table.remove(path).is_some(),
        Some((head, rest)) => match table.get_mut(head) {
            Some(toml::Value::Table(inner)) => {
                remove_path(inner, rest) || {
                    // A table named in full (`mcp.fs`) goes whole.
                    inner.remove(rest).is_some()
                }
            }
            _ => false,
        },
    }
}

/// The line of `key` in the `[section]` table (or of the section's header, or of a top-level
/// `section = …` when `key` is `None`), counted from 1.
pub(crate) fn setting_line(text: &str, section: &str, key: Option<&str>) -> Option<usize> {
    let mut current = String::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(table) = line.strip_prefix('[') {
            current = table
                .trim_end_matches(']')
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'')
                .collect();
            if key.is_none() && (current == section || current.starts_with(&format!("{section}.")))
            {
                return Some(number + 1);
            }
            continue;
        }
        let Some((name, _)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim().trim_matches(|c| c == '"' || c == '\'');
        let found = match key {
            None => current.is_empty() && name == section,
            Some(key) => {
                (current == section && name == key)
                    || (current.is_empty() && name == format!("{section}.{key}"))
            }
        };
        if found {
            return Some(number + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mistake_costs_its_own_key_and_says_its_line() {
        let text = "model = \"amazon.nova-lite-v1:0\"\nmodle = \"x\"\n\n[parameters]\ntemperature = 0.3\ntop_p = 7\n\n[display]\nheading_marks = true\nimages = \"fancy\"\n\n[tools]\nallow = [\"RUN_SHELL\"]\n";
        let (config, warnings) = parse(text).unwrap();
        assert_eq!(config.model.as_deref(), Some("amazon.nova-lite-v1:0"));
        assert_eq!(config.parameters.temperature, Some(0.3));
        assert_eq!(config.display.heading_marks, Some(true));
        let all = warnings.join("\n");
        assert!(all.contains("modle (line 2) is left out"), "{all}");
        assert!(
            all.contains("display.images (line 10) is left out"),
            "{all}"
        );
        assert!(
            all.contains("parameters.top_p (line 6) is left out"),
            "{all}"
        );
        assert!(all.contains("tools.allow (line 13) is left out"), "{all}");
        assert!(config.parameters.top_p.is_none() && config.tools.allow.is_empty());
        // Text that is not TOML at all is an error that names its line.
        let error = parse("model = \"x\"\n[display\n").unwrap_err().to_string();
        assert!(error.contains("line 2"), "{error}");
    }
}
