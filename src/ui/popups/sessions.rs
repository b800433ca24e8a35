//! The saved-conversation browser: the filter, one row per session, the rename and delete
//! prompts.

use super::{cell, centered, frame, put};
use crate::app::popups::sessions::{BrowserMode, SessionBrowser};
use crate::app::state::State;
use crate::config::theme::Role;
use crate::keymap::{Action, Context};
use crate::text::sanitize_for_terminal;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

/// The saved-conversation browser: filter, one row per session (date, turns, title, models),
/// and a footer that asks for a new title or a delete confirmation when one is under way.
pub fn sessions(state: &State, browser: &SessionBrowser, area: Rect, buf: &mut Buffer) {
    let theme = &state.settings.theme;
    let rect = centered(
        area,
        area.width.saturating_sub(4).max(20),
        area.height.saturating_sub(2),
    );
    let count = match (&browser.items, &browser.index) {
        (Some(items), Some(_)) => format!("{}/{}", browser.matches.len(), items.len()),
        (Some(items), None) => format!(
            "{}/{} · reading their text…",
            browser.matches.len(),
            items.len()
        ),
        (None, _) => "loading…".to_string(),
    };
    let inner = frame(state, rect, &format!("saved conversations · {count}"), buf);
    if inner.height == 0 {
        return;
    }
    put(buf, inner, 0, &super::filter_line(state, &browser.filter));
    let rows = inner.height.saturating_sub(2) as usize;
    let items = browser.items.as_deref().unwrap_or_default();
    if items.is_empty() && browser.items.is_some() && rows > 0 {
        let empty = Line::from(Span::styled(
            "No saved conversations yet: each conversation is saved from its first prompt.",
            theme.style(Role::Muted),
        ));
        put(buf, inner, 1, &empty);
    }
    let current = state.chat.session.as_ref().map(|s| &s.path);
    let first = browser.selected.saturating_sub(rows.saturating_sub(1));
    for (row, &index) in browser.matches.iter().enumerate().skip(first).take(rows) {
        let Some(item) = items.get(index) else {
            continue;
        };
        let mut style = theme.style(Role::Text);
        if row == browser.selected {
            style = theme.style(Role::Selection);
        }
        let when = crate::clock::local_minutes(&item.created);
        let models = crate::models::catalog::display_names(&item.models);
        let marks = format!(
            "{}{}",
            if current == Some(&item.path) {
                "●"
            } else {
                " "
            },
            if item.damaged || item.oversized.is_some() {
                "!"
            } else {
                " "
            }
        );
        let title = sanitize_for_terminal(&item.title);
        // A conversation found by its text shows the line that matched.
        let found = browser.text_hits.get(&item.path);
        let last_column = match found {
            Some(line) => format!("“{line}”"),
            None => String::new(),
        };
        let text = match (inner.width, found) {
            (90.., Some(_)) => format!("{marks} {when:<16} {}  {last_column}", cell(&title, 24)),
            (90.., None) => {
                let head = format!(
                    "{marks} {when:<16} {:>3} {}  {}  ",
                    item.turns,
                    if item.turns == 1 { "turn " } else { "turns" },
                    cell(&title, 40),
                );
                // Every model is named or counted: none goes past the edge unseen.
                let room = (inner.width as usize).saturating_sub(head.width());
                format!("{head}{}", crate::text::fit_names(&models, room))
            }
            (50.., Some(_)) => format!("{marks} {}  {last_column}", cell(&title, 24)),
            (50.., None) => format!("{marks} {when:<16} {:>3}  {title}", item.turns),
            (_, Some(_)) => format!("{marks} {last_column}"),
            _ => format!("{marks} {title}"),
        };
        put(
            buf,
            inner,
            1 + (row - first) as u16,
            &Line::from(Span::styled(text, style)),
        );
    }
    let keys = |action| state.settings.keymap.hint(Context::Sessions, action);
    let footer = match &browser.mode {
        BrowserMode::Browse => Line::from(Span::styled(
            format!(
                "Enter opens · {} renames · {} deletes · {} / {} export md / json · ● on screen, ! damaged",
                keys(Action::Rename),
                keys(Action::Delete),
                keys(Action::ExportMarkdown),
                keys(Action::ExportJson)
            ),
            theme.style(Role::Muted),
        )),
        BrowserMode::Rename(title) => Line::from(vec![
            Span::styled("new title: ", theme.style(Role::Accent)),
            Span::raw(sanitize_for_terminal(title).into_owned()),
            Span::styled(
                "▏ Enter saves · Esc keeps the old one",
                theme.style(Role::Muted),
            ),
        ]),
        BrowserMode::ConfirmDelete if inner.width < 60 => Line::from(Span::styled(
            "Delete it? y: yes · other keys: no",
            theme.style(Role::Error),
        )),
        BrowserMode::ConfirmDelete => Line::from(Span::styled(
            format!(
                "Delete “{}” for good? y deletes, any other key keeps it",
                browser
                    .selected_item()
                    .map(|s| sanitize_for_terminal(&s.title).into_owned())
                    .unwrap_or_default()
            ),
            theme.style(Role::Error),
        )),
    };
    put(buf, inner, inner.height - 1, &footer);
}
