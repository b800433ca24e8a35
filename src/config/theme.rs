//! Themes: semantic roles (user, assistant, error, code, ...) mapped to terminal styles, read
//! from `themes/*.toml`; the built-in themes are embedded, and a role a theme leaves out falls
//! back to the default theme's.

use ratatui::style::{Color, Modifier, Style};
use std::path::Path;

macro_rules! roles {
    ($($variant:ident => $name:literal: $doc:literal,)*) => {
        /// A semantic colour role.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Role {
            $(#[doc = $doc] $variant,)*
        }

        impl Role {
            /// Every role, in declaration order.
            pub const ALL: &'static [Role] = &[$(Role::$variant,)*];

            /// The role's name in theme files.
            pub fn name(self) -> &'static str {
                match self {
                    $(Role::$variant => $name,)*
                }
            }
        }
    };
}

roles! {
    Text => "text": "Ordinary text.",
    User => "user": "The user's name tag and turn marker.",
    Assistant => "assistant": "The model's name tag.",
    Reasoning => "reasoning": "Reasoning (thinking) text.",
    Error => "error": "Inline exceptions and errors.",
    Warning => "warning": "Warnings and cancelled turns.",
    Muted => "muted": "Secondary text: hints, timings.",
    Accent => "accent": "Highlights: the selected row, the model name.",
    Border => "border": "Pane borders.",
    BorderFocused => "border_focused": "The focused pane's border.",
    Heading => "heading": "Markdown headings.",
    Emphasis => "emphasis": "Markdown *emphasis*.",
    Strong => "strong": "Markdown **strong** text.",
    Quote => "quote": "Markdown block quotes.",
    Link => "link": "Links.",
    Code => "code": "Inline `code`.",
    CodeBlock => "code_block": "Fenced code blocks.",
    CodeKeyword => "code_keyword": "Keywords in code blocks.",
    CodeString => "code_string": "Strings in code blocks.",
    CodeComment => "code_comment": "Comments in code blocks.",
    CodeNumber => "code_number": "Numbers in code blocks.",
    CodeConstant => "code_constant": "Constants in code blocks (true, None, escapes).",
    CodeFunction => "code_function": "Function and macro names in code blocks.",
    CodeType => "code_type": "Type and class names in code blocks.",
    CodeOperator => "code_operator": "Operators in code blocks.",
    CodeTag => "code_tag": "Markup tags in code blocks (HTML, XML).",
    CodeAttribute => "code_attribute": "Attributes and keys in code blocks (HTML, YAML, JSON).",
    CodeInserted => "code_inserted": "Added lines of a diff.",
    CodeDeleted => "code_deleted": "Removed lines of a diff.",
    Status => "status": "The status bar.",
    StatusAccent => "status_accent": "The status bar's state badge.",
    Selection => "selection": "The selected row of a list.",
    Popup => "popup": "Popups: picker, parameters, help.",
}

/// The built-in themes: name and TOML text.
pub(crate) const BUILT_IN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

/// A theme: one style per role.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// The theme's name.
    pub name: String,
    styles: Vec<Style>,
    /// `[highlight]`: TextMate scope prefixes with their own style, over the `code_*` roles.
    highlight: Vec<(String, Style)>,
}

/// A theme that could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ThemeError(pub String);

impl Default for Theme {
    fn default() -> Self {
        // The embedded dark theme is checked by a test; should it not parse, plain styles.
        parse_theme(BUILT_IN[0].1, None).unwrap_or_else(|_| Theme {
            name: "plain".to_string(),
            styles: vec![Style::default(); Role::ALL.len()],
            highlight: Vec::new(),
        })
    }
}

impl Theme {
    /// The scope styles of `[highlight]` (scope prefix, style), longest prefix first.
    pub fn highlight(&self) -> &[(String, Style)] {
        &self.highlight
    }

    /// The style of a role.
    pub fn style(&self, role: Role) -> Style {
        self.styles.get(role as usize).copied().unwrap_or_default()
    }

    /// The theme without colours, for `NO_COLOR` (no-color.org): bold, italic and the like stay,
    /// and what only a colour told apart is shown another way (the selected row reversed, the
    /// focused border bold, errors bold).
    #[must_use]
    pub fn without_colors(mut self) -> Theme {
        use ratatui::style::{Color, Modifier};
        for (index, style) in self.styles.iter_mut().enumerate() {
            let mut plain = Style::default().add_modifier(style.add_modifier);
            plain.fg = Some(Color::Reset);
            plain.bg = Some(Color::Reset);
            let extra = match Role::ALL.get(index) {
                Some(Role::Selection | Role::StatusAccent) => Modifier::REVERSED,
                Some(Role::BorderFocused | Role::Error | Role::Heading) => Modifier::BOLD,
                Some(Role::Muted | Role::Reasoning) => Modifier::DIM,
                _ => Modifier::empty(),
            };
            *style = plain.add_modifier(extra);
        }
        self.name = format!("{} (NO_COLOR)", self.name);
        self
    }

    /// Whether `NO_COLOR` asks for no colours (set and not empty).
    pub fn no_color_asked() -> bool {
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    }

    /// Loads a built-in theme by name, or a theme file by path (anything with a `/` or ending
    /// in `.toml`). Roles the theme lacks fall back to the default theme.
    pub fn load(name_or_path: &str) -> Result<Theme, ThemeError> {
        Theme::load_from(name_or_path, super::paths::themes_dir().as_deref())
    }

    /// [`Theme::load`] with the user themes in `themes_dir`: a name is a built-in theme, else
    /// `<themes_dir>/<name>.toml`; anything with a slash or ending `.toml` is a path.
    pub(crate) fn load_from(
        name_or_path: &str,
        themes_dir: Option<&Path>,
    ) -> Result<Theme, ThemeError> {
        if let Some((_, text)) = BUILT_IN.iter().find(|(name, _)| *name == name_or_path) {
            return parse_theme(text, Some(&Theme::default()));
        }
        let looks_like_path = name_or_path.contains(std::path::MAIN_SEPARATOR)
            || name_or_path.contains('/')
            || std::path::Path::new(name_or_path)
                .extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("toml"));
        let path = if looks_like_path {
            Path::new(name_or_path).to_path_buf()
        } else {
            let user = themes_dir
                .map(|dir| dir.join(format!("{name_or_path}.toml")))
                .filter(|p| p.is_file());
            let Some(user) = user else {
                let names: Vec<&str> = BUILT_IN.iter().map(|(n, _)| *n).collect();
                let searched = themes_dir.map_or_else(String::new, |d| {
                    format!(", a {name_or_path}.toml in {}", d.display())
                });
                return Err(ThemeError(format!(
                    "unknown theme {name_or_path:?}; built in: {}{searched}, or give a path to a .toml file",
                    names.join(", ")
                )));
            };
            user
        };
        let text = crate::files::read_capped_text(&path, crate::files::SETTINGS_FILE_CAP)
            .map_err(|e| ThemeError(format!("cannot read theme {}: {e}", path.display())))?;
        let mut theme = parse_theme(&text, Some(&Theme::default()))
            .map_err(|ThemeError(e)| ThemeError(format!("theme {}: {e}", path.display())))?;
        // A theme file is named by its file (a copy of `config theme dark` keeps `name = "dark"`
        // inside, and `theme = "mine"` chose it).
        if let Some(stem) = path.file_stem() {
            theme.name = stem.to_string_lossy().into_owned();
        }
        Ok(theme)
    }
}

/// Parses a theme file; roles it lacks come from `fallback` (or the plain style).
pub(crate) fn parse_theme(text: &str, fallback: Option<&Theme>) -> Result<Theme, ThemeError> {
    let doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| ThemeError(super::describe_toml_error(text, &e)))?;
    let name = doc
        .get("name")
        .and_then(|v| v.as_str())
        .unwrap_or("custom")
        .to_string();
    let known = |key: &str| Role::ALL.iter().any(|r| r.name() == key);
    let role_names = || {
        Role::ALL
            .iter()
            .map(|r| r.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Roles may be written in a `[roles]` table or at the top level (both: the table wins).
    let mut roles = toml::Table::new();
    for (key, value) in &doc {
        match key.as_str() {
            "name" | "roles" | "highlight" => {}
            role if known(role) => {
                roles.insert(role.to_string(), value.clone());
            }
            other => {
                return Err(ThemeError(format!(
                    "{}unknown key {other:?}: a theme has `name`, roles ({}) and a `[highlight]` table",
                    at_line(text, None, other),
                    role_names()
                )));
            }
        }
    }
    match doc.get("roles") {
        None => {}
        Some(toml::Value::Table(table)) => {
            for (key, value) in table {
                if !known(key) {
                    return Err(ThemeError(format!(
                        "{}unknown role {key:?}; roles are: {}",
                        at_line(text, Some("roles"), key),
                        role_names()
                    )));
                }
                roles.insert(key.clone(), value.clone());
            }
        }
        Some(_) => return Err(ThemeError("`roles` must be a table".to_string())),
    }
    let mut styles = Vec::with_capacity(Role::ALL.len());
    for role in Role::ALL {
        let style = match roles.get(role.name()) {
            Some(value) => parse_style(value).map_err(|e| {
                let in_table = doc
                    .get("roles")
                    .and_then(toml::Value::as_table)
                    .is_some_and(|t| t.contains_key(role.name()));
                let table = in_table.then_some("roles");
                ThemeError(format!(
                    "{}role {:?}: {e}",
                    at_line(text, table, role.name()),
                    role.name()
                ))
            })?,
            None => fallback.map(|t| t.style(*role)).unwrap_or_default(),
        };
        styles.push(style);
    }
    let mut highlight = Vec::new();
    match doc.get("highlight") {
        None => {}
        Some(toml::Value::Table(table)) => {
            for (scope, value) in table {
                let style = parse_style(value).map_err(|e| {
                    ThemeError(format!(
                        "{}highlight {scope:?}: {e}",
                        at_line(text, Some("highlight"), scope)
                    ))
                })?;
                highlight.push((scope.trim().to_string(), style));
            }
        }
        Some(_) => {
            return Err(ThemeError(
                "`highlight` must be a table of scope = style".to_string(),
            ));
        }
    }
    highlight.sort_by_key(|(scope, _)| std::cmp::Reverse(scope.len()));
    Ok(Theme {
        name,
        styles,
        highlight,
    })
}

/// `line N: ` for the line where `key` is set, in `table` (`None`: the top level), when found.
fn at_line(text: &str, table: Option<&str>, key: &str) -> String {
    let mut current: Option<String> = None;
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(header) = trimmed.strip_prefix('[').and_then(|h| h.split(']').next()) {
            current = Some(header.trim().to_string());
            continue;
        }
        let here = current.as_deref() == table;
        let sets = trimmed
            .strip_prefix(key)
            .or_else(|| trimmed.strip_prefix(&format!("\"{key}\"")))
            .is_some_and(|rest| rest.trim_start().starts_with('='));
        if here && sets {
            return format!("line {}: ", number + 1);
        }
    }
    String::new()
}

fn parse_style(value: &toml::Value) -> Result<Style, String> {
    match value {
        toml::Value::String(colour) => Ok(Style::default().fg(parse_color(colour)?)),
        toml::Value::Table(table) => {
            let mut style = Style::default();
            for (key, value) in table {
                style = match (key.as_str(), value) {
                    ("fg", toml::Value::String(c)) => style.fg(parse_color(c)?),
                    ("bg", toml::Value::String(c)) => style.bg(parse_color(c)?),
                    (flag, toml::Value::Boolean(on)) => {
                        let modifier = match flag {
                            "bold" => Modifier::BOLD,
                            "italic" => Modifier::ITALIC,
                            "underline" => Modifier::UNDERLINED,
                            "dim" => Modifier::DIM,
                            "reversed" => Modifier::REVERSED,
                            other => return Err(format!("unknown style flag {other:?}")),
                        };
                        if *on {
                            style.add_modifier(modifier)
                        } else {
                            style.remove_modifier(modifier)
                        }
                    }
                    (other, _) => {
                        return Err(format!(
                            "unknown or mistyped key {other:?} (fg, bg: colours; bold, italic, underline, dim, reversed: true/false)"
                        ));
                    }
                };
            }
            Ok(style)
        }
        _ => Err("expected a colour string or a table".to_string()),
    }
}

fn parse_color(text: &str) -> Result<Color, String> {
    let lower = text.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    if let Some(hex) = lower.strip_prefix('#') {
        let valid = hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit());
        let channel = |i: usize| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        };
        return match (valid, channel(0), channel(2), channel(4)) {
            (true, Some(r), Some(g), Some(b)) => Ok(Color::Rgb(r, g, b)),
            _ => Err(format!("{text:?} is not a #rrggbb colour")),
        };
    }
    Ok(match lower.as_str() {
        "reset" | "default" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" | "grey" => Color::Gray,
        "dark_gray" | "dark_grey" => Color::DarkGray,
        "light_red" => Color::LightRed,
        "light_green" => Color::LightGreen,
        "light_yellow" => Color::LightYellow,
        "light_blue" => Color::LightBlue,
        "light_magenta" => Color::LightMagenta,
        "light_cyan" => Color::LightCyan,
        "white" => Color::White,
        other => match other.parse::<u8>() {
            Ok(index) => Color::Indexed(index),
            Err(_) => return Err(format!("unknown colour {text:?}")),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_colors_the_selection_still_shows() {
        let plain = Theme::default().without_colors();
        let selected = plain.style(Role::Selection);
        assert!(
            selected
                .add_modifier
                .contains(ratatui::style::Modifier::REVERSED)
        );
        for role in Role::ALL {
            let style = plain.style(*role);
            assert!(
                matches!(style.fg, None | Some(ratatui::style::Color::Reset))
                    && matches!(style.bg, None | Some(ratatui::style::Color::Reset)),
                "{role:?}: {style:?}"
            );
        }
    }

    #[test]
    fn built_in_themes_define_every_role() {
        for (name, text) in BUILT_IN {
            let theme = parse_theme(text, None).unwrap();
            assert_eq!(&theme.name, name);
            let doc: toml::Table = text.parse().unwrap();
            let roles = doc["roles"].as_table().unwrap();
            for role in Role::ALL {
                assert!(
                    roles.contains_key(role.name()),
                    "{name} lacks {}",
                    role.name()
                );
            }
        }
    }

    #[test]
    fn missing_roles_fall_back_and_errors_are_clear() {
        let theme = parse_theme(
            "name = \"mine\"\n[roles]\nerror = \"#ff0000\"\n",
            Some(&Theme::default()),
        )
        .unwrap();
        assert_eq!(theme.style(Role::Error).fg, Some(Color::Rgb(255, 0, 0)));
        assert_eq!(theme.style(Role::User), Theme::default().style(Role::User));
        let err = parse_theme("[roles]\nuser = \"#12\"\n", None).unwrap_err();
        assert!(err.0.contains("#rrggbb"), "{err}");
        let err = parse_theme("[roles]\nusr = \"red\"\n", None).unwrap_err();
        assert!(err.0.contains("line 2: unknown role \"usr\""), "{err}");
        // Roles at the top level, as the README shows them, work too.
        let theme = parse_theme(
            "name = \"top\"\nuser = \"#ff0000\"\nassistant = { fg = \"#00ff00\", bold = true }\n",
            Some(&Theme::default()),
        )
        .unwrap();
        assert_eq!(theme.style(Role::User).fg, Some(Color::Rgb(255, 0, 0)));
        assert!(
            theme
                .style(Role::Assistant)
                .add_modifier
                .contains(Modifier::BOLD)
        );
        // An unknown key anywhere is named with its line.
        let err = parse_theme("name = \"x\"\n\ncolour = \"red\"\n", None).unwrap_err();
        assert!(err.0.contains("line 3: unknown key \"colour\""), "{err}");
        let err =
            parse_theme("[roles]\nuser = { fg = \"red\", blink = true }\n", None).unwrap_err();
        assert!(err.0.contains("line 2: role \"user\""), "{err}");
        let err = parse_theme("[roles\nuser = 1", None).unwrap_err();
        assert!(err.0.contains("line 1"), "{err}");
        assert!(Theme::load("solarized").is_err());
        assert_eq!(Theme::load("light").unwrap().name, "light");
    }
}
