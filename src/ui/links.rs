//! Links as OSC 8 hyperlinks, where the terminal supports them. A link's text is laid out
//! with a marked style (its id in the underline colour, flagged by a removed `HIDDEN`) that the
//! transcript takes off again as it draws the row, noting where the link is on screen; after
//! the frame the loop draws those cells again inside `ESC ] 8 ; ; URL ESC \`. Only http, https
//! and mailto URLs of printable ASCII are made links; anything else stays text.

use ratatui::style::{Color, Modifier, Style};
use std::collections::HashMap;
use std::sync::Mutex;

/// Most distinct URLs given an id in a run (ids ride in 24 bits).
const MOST_LINKS: usize = 1 << 20;
/// Longest URL made a link.
const LONGEST_URL: usize = 2048;

#[derive(Default)]
struct Table {
    urls: Vec<String>,
    ids: HashMap<String, u32>,
}

static TABLE: Mutex<Option<Table>> = Mutex::new(None);

/// Whether `url` may become a hyperlink: http, https or mailto, printable ASCII only.
pub fn allowed(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:"))
        && url.len() <= LONGEST_URL
        && url.bytes().all(|b| (0x21..0x7f).contains(&b))
}

/// The id of an allowed URL (the same URL, the same id).
pub(crate) fn id_of(url: &str) -> Option<u32> {
    if !allowed(url) {
        return None;
    }
    let mut guard = TABLE.lock().ok()?;
    let table = guard.get_or_insert_with(Table::default);
    if let Some(id) = table.ids.get(url) {
        return Some(*id);
    }
    if table.urls.len() >= MOST_LINKS {
        return None;
    }
    let id = u32::try_from(table.urls.len()).ok()?;
    table.urls.push(url.to_string());
    table.ids.insert(url.to_string(), id);
    Some(id)
}

/// The URL of an id.
pub(crate) fn url_of(id: u32) -> Option<String> {
    let guard = TABLE.lock().ok()?;
    guard.as_ref()?.urls.get(id as usize).cloned()
}

/// `style` marked as the text of link `id`.
pub(crate) fn mark(style: Style, id: u32) -> Style {
    let [_, r, g, b] = id.to_be_bytes();
    let mut marked = style;
    marked.underline_color = Some(Color::Rgb(r, g, b));
    marked.sub_modifier.insert(Modifier::HIDDEN);
    marked
}

/// The link id a style is marked with, and the style as it is to be drawn (its underline
/// colour that of `link`).
pub(crate) fn unmark(style: Style, link: Style) -> Option<(u32, Style)> {
    if !style.sub_modifier.contains(Modifier::HIDDEN) {
        return None;
    }
    let Some(Color::Rgb(r, g, b)) = style.underline_color else {
        return None;
    };
    let mut plain = style;
    plain.sub_modifier.remove(Modifier::HIDDEN);
    plain.underline_color = link.underline_color;
    Some((u32::from_be_bytes([0, r, g, b]), plain))
}

/// A link on screen: row, first column, columns, URL id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LinkRun {
    /// The screen row.
    pub y: u16,
    /// The first column.
    pub x: u16,
    /// How many columns.
    pub width: u16,
    /// The URL's id.
    pub id: u32,
}

/// The sequence that opens a hyperlink to `url` (an allowed one), or closes it (`None`).
pub fn osc8(url: Option<&str>) -> String {
    format!("\x1b]8;;{}\x1b\\", url.unwrap_or_default())
}

/// Whether the terminal is one known to show OSC 8 hyperlinks (by its environment; there is
/// no query for them).
pub fn terminal_supports_them() -> bool {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let program = var("TERM_PROGRAM");
    let term = var("TERM");
    matches!(
        program.as_str(),
        "iTerm.app" | "WezTerm" | "vscode" | "ghostty" | "Hyper" | "rio" | "Tabby"
    ) || term == "xterm-kitty"
        || term.starts_with("foot")
        || term == "alacritty"
        || term == "xterm-ghostty"
        || !var("KITTY_WINDOW_ID").is_empty()
        || !var("WT_SESSION").is_empty()
        || !var("KONSOLE_VERSION").is_empty()
        || var("VTE_VERSION").parse::<u32>().is_ok_and(|v| v >= 5000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_and_mail_urls_of_printable_ascii_become_links() {
        assert!(allowed("https://docs.aws.amazon.com/bedrock/"));
        assert!(allowed("mailto:someone@example.com"));
        assert!(!allowed("javascript:alert(1)"));
        assert!(!allowed("file:///etc/passwd"));
        assert!(!allowed("https://example.com/\u{1b}]8;;x"));
        assert!(!allowed("https://example.com/a b"));
        assert!(!allowed("https://exämple.com"));
    }

    #[test]
    fn a_marked_style_gives_back_its_link() {
        let link = Style::default().underline_color(Color::Red);
        let id = id_of("https://example.com/a").unwrap();
        assert_eq!(id_of("https://example.com/a"), Some(id));
        let marked = mark(Style::default().fg(Color::Blue), id);
        let (back, plain) = unmark(marked, link).unwrap();
        assert_eq!(back, id);
        assert_eq!(plain.fg, Some(Color::Blue));
        assert_eq!(plain.underline_color, Some(Color::Red));
        assert!(!plain.sub_modifier.contains(Modifier::HIDDEN));
        assert_eq!(url_of(id).as_deref(), Some("https://example.com/a"));
        assert!(unmark(Style::default(), link).is_none());
        assert_eq!(osc8(Some("https://x")), "\x1b]8;;https://x\x1b\\");
    }
}
