//! Tests of syntax highlighting: scopes mapped to theme roles, and the keyword fallback.

use super::*;

fn roles_in(language: &str, line: &str) -> Vec<(String, Style)> {
    load_now();
    let mut highlighter = LineHighlighter::new(language);
    assert!(highlighter.is_full(), "{language} has a syntax");
    highlighter.line(line, &Theme::default())
}

fn style_of(pieces: &[(String, Style)], needle: &str) -> Style {
    pieces
        .iter()
        .find(|(text, _)| text.contains(needle))
        .map_or_else(
            || panic!("{needle:?} not in {pieces:?}"),
            |(_, style)| *style,
        )
}

#[test]
fn the_languages_answers_use_have_syntaxes() {
    load_now();
    let Some(syntaxes) = SYNTAXES.get() else {
        panic!("loaded")
    };
    for language in [
        "rust",
        "rs",
        "python",
        "py",
        "javascript",
        "js",
        "typescript",
        "ts",
        "tsx",
        "go",
        "golang",
        "java",
        "c",
        "cpp",
        "c++",
        "bash",
        "sh",
        "shell",
        "zsh",
        "json",
        "yaml",
        "yml",
        "toml",
        "sql",
        "html",
        "css",
        "diff",
        "patch",
        "dockerfile",
        "Dockerfile",
        "kotlin",
        "swift",
        "ruby",
        "terraform",
        "hcl",
        "xml",
        "markdown",
        "csharp",
        "php",
        "lua",
    ] {
        assert!(
            syntax_for(syntaxes, language).is_some(),
            "no syntax for {language}"
        );
    }
    assert!(syntax_for(syntaxes, "text").is_none());
}

#[test]
fn scopes_map_to_theme_roles() {
    let theme = Theme::default();
    let code = theme.style(Role::CodeBlock);
    let rust = roles_in("rust", "fn main() { let s = \"hi\"; // note");
    assert_eq!(
        style_of(&rust, "hi").fg,
        code.patch(theme.style(Role::CodeString)).fg
    );
    assert_eq!(
        style_of(&rust, "note").fg,
        code.patch(theme.style(Role::CodeComment)).fg
    );
    assert_eq!(
        style_of(&rust, "fn").fg,
        code.patch(theme.style(Role::CodeKeyword)).fg
    );
    assert_eq!(
        style_of(&rust, "main").fg,
        code.patch(theme.style(Role::CodeFunction)).fg
    );
    let diff = roles_in("diff", "+added line");
    assert_eq!(
        style_of(&diff, "added").fg,
        code.patch(theme.style(Role::CodeInserted)).fg
    );
    let python = roles_in("python", "x = 42");
    assert_eq!(
        style_of(&python, "42").fg,
        code.patch(theme.style(Role::CodeNumber)).fg
    );
    // The text is kept exactly.
    let joined: String = rust.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(joined, "fn main() { let s = \"hi\"; // note");
}

#[test]
fn state_carries_from_line_to_line() {
    load_now();
    let theme = Theme::default();
    let mut highlighter = LineHighlighter::new("python");
    highlighter.line("s = \"\"\"start", &theme);
    let inside = highlighter.line("still inside", &theme);
    assert_eq!(
        inside[0].1.fg,
        theme
            .style(Role::CodeBlock)
            .patch(theme.style(Role::CodeString))
            .fg
    );
}

#[test]
fn scope_prefixes_match_whole_atoms() {
    assert_eq!(
        role_of_scope("string.quoted.double.rust"),
        Some(Role::CodeString)
    );
    assert_eq!(
        role_of_scope("constant.numeric.integer"),
        Some(Role::CodeNumber)
    );
    assert_eq!(role_of_scope("constant.language"), Some(Role::CodeConstant));
    assert_eq!(
        role_of_scope("keyword.operator.arithmetic"),
        Some(Role::CodeOperator)
    );
    assert_eq!(role_of_scope("stringly"), None);
    assert_eq!(role_of_scope("source.rust"), None);
}

#[test]
fn a_themes_highlight_table_styles_any_scope() {
    load_now();
    let theme = crate::config::theme::parse_theme(
        "[highlight]\n\"entity.name.function\" = \"#ff0000\"\n\"keyword\" = { fg = \"#00ff00\", bold = true }\nstorage = \"#00ff00\"\n",
        Some(&Theme::default()),
    )
    .unwrap();
    let mut highlighter = LineHighlighter::new("rust");
    let pieces = highlighter.line("fn main() {}", &theme);
    assert_eq!(
        style_of(&pieces, "main").fg,
        Some(ratatui::style::Color::Rgb(255, 0, 0))
    );
    assert_eq!(
        style_of(&pieces, "fn").fg,
        Some(ratatui::style::Color::Rgb(0, 255, 0))
    );
    let broken = crate::config::theme::parse_theme("[highlight]\nkeyword = 3\n", None);
    assert!(broken.unwrap_err().0.contains("line 2"), "names the line");
}
