//! Syntax highlighting of code blocks with syntect and the syntax definitions bat ships
//! (two-face: Rust, Python, JavaScript/TypeScript, Go, Java, C/C++, shell, JSON, YAML, TOML,
//! SQL, HTML, CSS, diff, Dockerfile and many more). The definitions load in the background
//! ([`preload`]) so the first frame never waits for them; until they are ready, and for
//! languages they lack, a small keyword tokenizer colours the code. Colours come from the
//! theme: TextMate scopes map to the `code_*` roles ([`SCOPE_ROLES`]), and a theme's
//! `[highlight]` table styles any scope of its own.

mod keywords;

use crate::config::theme::{Role, Theme};
use ratatui::style::Style;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};

static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
static LOADING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Starts loading the syntax definitions on a thread of their own (once).
pub fn preload() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        LOADING.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = std::thread::Builder::new()
            .name("syntaxes".into())
            .spawn(|| {
                SYNTAXES.get_or_init(two_face::syntax::extra_newlines);
            });
    });
}

/// Loads the syntax definitions now (tests, benchmarks, `ask`).
pub fn load_now() {
    SYNTAXES.get_or_init(two_face::syntax::extra_newlines);
}

/// Whether the syntax definitions are being loaded and are not ready yet.
pub fn loading() -> bool {
    LOADING.load(std::sync::atomic::Ordering::Relaxed) && !ready()
}

/// Whether the syntax definitions are loaded.
pub fn ready() -> bool {
    SYNTAXES.get().is_some()
}

/// TextMate scope prefixes and the theme role that colours them; the most specific prefix of
/// the innermost scope that has one wins.
pub const SCOPE_ROLES: &[(&str, Role)] = &[
    ("comment", Role::CodeComment),
    ("punctuation.definition.comment", Role::CodeComment),
    ("string", Role::CodeString),
    ("punctuation.definition.string", Role::CodeString),
    ("constant.numeric", Role::CodeNumber),
    ("constant", Role::CodeConstant),
    ("support.constant", Role::CodeConstant),
    ("variable.language", Role::CodeKeyword),
    ("keyword.operator", Role::CodeOperator),
    ("keyword", Role::CodeKeyword),
    ("storage.type.primitive", Role::CodeType),
    ("storage", Role::CodeKeyword),
    ("entity.name.function", Role::CodeFunction),
    ("support.function", Role::CodeFunction),
    ("variable.function", Role::CodeFunction),
    ("support.macro", Role::CodeFunction),
    ("entity.name.type", Role::CodeType),
    ("entity.name.class", Role::CodeType),
    ("entity.name.struct", Role::CodeType),
    ("entity.name.enum", Role::CodeType),
    ("entity.name.trait", Role::CodeType),
    ("entity.name.interface", Role::CodeType),
    ("entity.other.inherited-class", Role::CodeType),
    ("support.type", Role::CodeType),
    ("support.class", Role::CodeType),
    ("entity.name.tag", Role::CodeTag),
    ("entity.other.attribute-name", Role::CodeAttribute),
    ("meta.attribute", Role::CodeAttribute),
    ("meta.mapping.key", Role::CodeAttribute),
    ("markup.inserted", Role::CodeInserted),
    ("markup.deleted", Role::CodeDeleted),
    ("meta.diff.range", Role::CodeFunction),
    ("meta.diff.header", Role::CodeKeyword),
    ("markup.heading", Role::CodeKeyword),
];

/// The role of one scope: the longest prefix of it (by whole atoms) in [`SCOPE_ROLES`].
fn role_of_scope(scope: &str) -> Option<Role> {
    SCOPE_ROLES
        .iter()
        .filter(|(prefix, _)| {
            scope == *prefix
                || scope
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|(_, role)| *role)
}

thread_local! {
    /// Roles of the scopes seen so far (a scope is a small integer; its string is built once).
    static ROLES: RefCell<HashMap<Scope, Option<Role>>> = RefCell::new(HashMap::new());
}

/// The style a theme's `[highlight]` table gives the innermost scope it names (scope names
/// are built once per scope).
fn highlight_of_stack(stack: &ScopeStack, theme: &Theme) -> Option<Style> {
    thread_local! {
        static NAMES: RefCell<HashMap<Scope, String>> = RefCell::new(HashMap::new());
    }
    let table = theme.highlight();
    if table.is_empty() {
        return None;
    }
    NAMES.with(|names| {
        let mut names = names.borrow_mut();
        stack.as_slice().iter().rev().find_map(|scope| {
            let name = names.entry(*scope).or_insert_with(|| scope.build_string());
            table
                .iter()
                .find(|(prefix, _)| {
                    name == prefix
                        || name
                            .strip_prefix(prefix.as_str())
                            .is_some_and(|rest| rest.starts_with('.'))
                })
                .map(|(_, style)| *style)
        })
    })
}

fn role_of_stack(stack: &ScopeStack) -> Option<Role> {
    ROLES.with(|roles| {
        let mut roles = roles.borrow_mut();
        stack.as_slice().iter().rev().find_map(|scope| {
            *roles
                .entry(*scope)
                .or_insert_with(|| role_of_scope(&scope.build_string()))
        })
    })
}

/// The syntax for a fence's language, with the names people write that syntect does not
/// know as tokens.
fn syntax_for(syntaxes: &'static SyntaxSet, language: &str) -> Option<&'static SyntaxReference> {
    let token = language.trim().to_ascii_lowercase();
    let token = match token.as_str() {
        "" | "text" | "plain" | "plaintext" | "txt" => return None,
        "shell" | "zsh" | "console" | "shell-session" | "sh" => "bash",
        "node" | "jsx" => "js",
        "typescript" | "tsx" => "ts",
        "golang" => "go",
        "c++" | "hpp" | "cc" => "cpp",
        "py3" | "python3" => "py",
        "patch" => "diff",
        "docker" | "containerfile" => "dockerfile",
        "jsonc" | "json5" => "json",
        "terraform" | "tf" => "hcl",
        "c#" | "csharp" => "cs",
        "ps1" | "pwsh" => "powershell",
        other => other,
    };
    syntaxes
        .find_syntax_by_token(token)
        .or_else(|| syntaxes.find_syntax_by_name(language.trim()))
}

/// Colours a code block line by line, carrying the parser state from one line to the next.
#[derive(Debug, Clone)]
pub struct LineHighlighter {
    inner: Inner,
}

#[derive(Debug, Clone)]
enum Inner {
    Syntect {
        state: Box<ParseState>,
        stack: ScopeStack,
    },
    Keywords(String),
}

impl LineHighlighter {
    /// A highlighter for code in `language` (a fence's first word).
    pub fn new(language: &str) -> LineHighlighter {
        let inner = SYNTAXES
            .get()
            .and_then(|syntaxes| syntax_for(syntaxes, language))
            .map_or_else(
                || Inner::Keywords(language.to_string()),
                |syntax| Inner::Syntect {
                    state: Box::new(ParseState::new(syntax)),
                    stack: ScopeStack::new(),
                },
            );
        LineHighlighter { inner }
    }

    /// A highlighter for `language`: syntect's when `full` and it has the language, else the
    /// keyword fallback (benchmarks compare the two).
    pub fn for_language(language: &str, full: bool) -> LineHighlighter {
        if full {
            LineHighlighter::new(language)
        } else {
            LineHighlighter {
                inner: Inner::Keywords(language.to_string()),
            }
        }
    }

    /// Whether syntect colours this block (not the keyword fallback).
    pub fn is_full(&self) -> bool {
        matches!(self.inner, Inner::Syntect { .. })
    }

    /// The pieces of one line (without its newline), on the code-block style.
    pub fn line(&mut self, line: &str, theme: &Theme) -> Vec<(String, Style)> {
        let base = theme.style(Role::CodeBlock);
        let (state, stack) = match &mut self.inner {
            Inner::Keywords(language) => return keywords::highlight(line, language, theme),
            Inner::Syntect { state, stack } => (state, stack),
        };
        let Some(syntaxes) = SYNTAXES.get() else {
            return vec![(line.to_string(), base)];
        };
        let with_newline = format!("{line}\n");
        let Ok(ops) = state.parse_line(&with_newline, syntaxes) else {
            // A grammar that fails on this input: the rest of the block plain.
            self.inner = Inner::Keywords(String::new());
            return vec![(line.to_string(), base)];
        };
        let mut pieces: Vec<(String, Style)> = Vec::new();
        let mut push = |text: &str, stack: &ScopeStack| {
            if text.is_empty() {
                return;
            }
            let style = match highlight_of_stack(stack, theme) {
                Some(own) => base.patch(own),
                None => role_of_stack(stack).map_or(base, |role| base.patch(theme.style(role))),
            };
            match pieces.last_mut() {
                Some((last, previous)) if *previous == style => last.push_str(text),
                _ => pieces.push((text.to_string(), style)),
            }
        };
        let mut at = 0;
        for (offset, op) in ops {
            let offset = offset.min(line.len());
            if offset > at && line.is_char_boundary(offset) {
                push(&line[at..offset], stack);
                at = offset;
            }
            if stack.apply(&op).is_err() {
                break;
            }
        }
        push(&line[at.min(line.len())..], stack);
        if pieces.is_empty() {
            pieces.push((String::new(), base));
        }
        pieces
    }
}

/// The languages the syntax definitions cover (for `config` output and tests).
pub fn languages() -> Vec<String> {
    load_now();
    SYNTAXES
        .get()
        .map(|s| {
            s.syntaxes()
                .iter()
                .map(|syntax| syntax.name.clone())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
