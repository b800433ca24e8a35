//! Saved conversations in the chat: the session browser (fuzzy filter, open, rename, delete
//! with confirmation, export) and news from the session writer; a loaded session is turned
//! back into the transcript by `resume`.

use super::picker::Fuzzy;
use super::popup::{Popup, Reply};
pub(crate) use super::resume::apply_loaded;
use super::state::{Overlay, SessionInfo, Speaker, State};
use super::{Effect, ExportWhat};
use crate::keymap::{Action, Context};
use crate::transcript::export::Format;
use crate::transcript::store::Summary;
use crate::transcript::writer::WriterNews;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What the browser is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserMode {
    /// Listing and filtering.
    Browse,
    /// Typing a new title for the selected session.
    Rename(String),
    /// Asking whether to delete the selected session.
    ConfirmDelete,
}

/// The saved-conversation browser.
#[derive(Debug, Clone)]
pub struct SessionBrowser {
    /// Every session, newest first (`None` while the list loads).
    pub items: Option<Vec<Summary>>,
    /// What the user typed.
    pub filter: String,
    /// Indices into `items` that match, best first.
    pub matches: Vec<usize>,
    /// The text of the sessions, once gathered: the filter searches it too.
    pub index: Option<std::sync::Arc<crate::transcript::search::SearchIndex>>,
    /// Sessions that match by their text only, with the line that matched.
    pub text_hits: std::collections::HashMap<std::path::PathBuf, String>,
    /// Index into `matches` of the selected row.
    pub selected: usize,
    /// Browsing, renaming or confirming a delete.
    pub mode: BrowserMode,
}

impl SessionBrowser {
    /// A browser waiting for its list.
    pub fn new() -> SessionBrowser {
        SessionBrowser {
            items: None,
            index: None,
            text_hits: std::collections::HashMap::new(),
            filter: String::new(),
            matches: Vec::new(),
            selected: 0,
            mode: BrowserMode::Browse,
        }
    }

    /// Puts the list in, keeping the filter.
    pub(crate) fn set_items(&mut self, items: Vec<Summary>) {
        self.items = Some(items);
        self.refilter();
    }

    /// Puts the text index in and filters again.
    pub(crate) fn set_index(
        &mut self,
        index: std::sync::Arc<crate::transcript::search::SearchIndex>,
    ) {
        self.index = Some(index);
        self.refilter();
    }

    /// Filters by title, id, date and models (fuzzy), then by the text of the conversations
    /// (every word, as typed): those come after, each with its matching line.
    pub(crate) fn refilter(&mut self) {
        let query = self.filter.to_lowercase();
        let mut fuzzy = Fuzzy::new(&query);
        let items = self.items.as_deref().unwrap_or_default();
        let mut scored: Vec<(i64, usize)> = items
            .iter()
            .enumerate()
            .filter_map(|(index, s)| {
                if query.is_empty() {
                    return Some((0, index));
                }
                let haystack = format!("{} {} {} {}", s.title, s.id, s.created, s.models.join(" "))
                    .to_lowercase();
                fuzzy
                    .score(&haystack)
                    .map(|score| (i64::from(score), index))
            })
            .collect();
        // Best match first; newest first among equals (the list is newest first).
        scored.sort_by_key(|(score, index)| (-score, *index));
        self.matches = scored.into_iter().map(|(_, index)| index).collect();
        self.text_hits.clear();
        if let Some(index) = self.index.as_ref().filter(|_| !query.trim().is_empty()) {
            let at: std::collections::HashMap<&std::path::Path, usize> = items
                .iter()
                .enumerate()
                .map(|(i, s)| (s.path.as_path(), i))
                .collect();
            let by_title: std::collections::HashSet<usize> = self.matches.iter().copied().collect();
            for hit in index.search(&query) {
                let Some(&item) = at.get(hit.path.as_path()) else {
                    continue;
                };
                if !by_title.contains(&item) {
                    self.matches.push(item);
                    self.text_hits.insert(hit.path, hit.line);
                }
            }
        }
        self.selected = self.selected.min(self.matches.len().saturating_sub(1));
    }

    /// The selected session.
    pub fn selected_item(&self) -> Option<&Summary> {
        let index = *self.matches.get(self.selected)?;
        self.items.as_ref()?.get(index)
    }

    fn move_selection(&mut self, delta: isize) {
        let last = self.matches.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, last.max(0)) as usize;
    }
}

impl Default for SessionBrowser {
    fn default() -> Self {
        SessionBrowser::new()
    }
}

/// Rows a page of the browser moves.
const PAGE: isize = 10;

impl Popup for SessionBrowser {
    fn context(&self) -> Context {
        Context::Sessions
    }

    fn on_action(&mut self, state: &mut State, action: Action) -> Reply {
        let current = state.session.as_ref().map(|s| s.path.clone());
        match (&self.mode, action) {
            (BrowserMode::Rename(_) | BrowserMode::ConfirmDelete, Action::Close) => {
                self.mode = BrowserMode::Browse;
            }
            (_, Action::Close) => return Reply::close(),
            (BrowserMode::Rename(title), Action::Confirm) => {
                let title = title.trim().to_string();
                let Some(selected) = self.selected_item() else {
                    return Reply::stay();
                };
                let path = selected.path.clone();
                self.mode = BrowserMode::Browse;
                if title.is_empty() {
                    state.flash("a title cannot be empty", true);
                    return Reply::stay();
                }
                return Reply::stay().with(vec![Effect::RenameSession { path, title }]);
            }
            // Only `y` deletes (see on_key); Enter keeps the conversation.
            (BrowserMode::ConfirmDelete, Action::Confirm) => self.mode = BrowserMode::Browse,
            (BrowserMode::Browse, Action::Confirm) => {
                let Some(selected) = self.selected_item() else {
                    return Reply::stay();
                };
                let path = selected.path.clone();
                if current.as_ref() == Some(&path) {
                    state.flash("that conversation is the one on screen", false);
                    return Reply::close();
                }
                // The answer in flight (if any) is cancelled and recorded in its own session
                // before the other one replaces it.
                let mut effects = super::turns::cancel(state);
                effects.push(Effect::OpenSession(path));
                state.flash("opening…", false);
                return Reply::close().with(effects);
            }
            (BrowserMode::Browse, Action::Rename) => {
                if let Some(selected) = self.selected_item() {
                    self.mode = BrowserMode::Rename(selected.title.clone());
                }
            }
            (BrowserMode::Browse, Action::Delete) => {
                let Some(selected) = self.selected_item() else {
                    return Reply::stay();
                };
                if current.as_ref() == Some(&selected.path) {
                    state.flash(
                        "that conversation is the one on screen; start a new one first",
                        true,
                    );
                    return Reply::stay();
                }
                self.mode = BrowserMode::ConfirmDelete;
            }
            (BrowserMode::Browse, Action::ExportMarkdown | Action::ExportJson) => {
                let format = if action == Action::ExportJson {
                    Format::Json
                } else {
                    Format::Md
                };
                if let Some(selected) = self.selected_item() {
                    return Reply::stay().with(vec![Effect::Export {
                        what: ExportWhat::File(selected.path.clone()),
                        format,
                    }]);
                }
            }
            (BrowserMode::Browse, Action::SelectPrevious) => self.move_selection(-1),
            (BrowserMode::Browse, Action::SelectNext) => self.move_selection(1),
            (BrowserMode::Browse, Action::PageUp) => self.move_selection(-PAGE),
            (BrowserMode::Browse, Action::PageDown) => self.move_selection(PAGE),
            _ => {}
        }
        Reply::stay()
    }

    /// A key no binding claims: it edits the filter or the new title, or answers the delete
    /// question.
    fn on_key(&mut self, _state: &mut State, key: &KeyEvent) -> Reply {
        match &mut self.mode {
            BrowserMode::ConfirmDelete => {
                let plain = !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
                if plain && matches!(key.code, KeyCode::Char('y' | 'Y')) {
                    return self.confirm_delete();
                }
                self.mode = BrowserMode::Browse;
            }
            BrowserMode::Rename(title) => {
                super::keys::edit_field(title, key);
            }
            BrowserMode::Browse => {
                if super::keys::edit_field(&mut self.filter, key) {
                    self.selected = 0;
                    self.refilter();
                }
            }
        }
        Reply::stay()
    }

    fn on_paste(&mut self, _state: &mut State, text: &str) -> Reply {
        let line = text.lines().next().unwrap_or_default();
        match &mut self.mode {
            BrowserMode::Rename(title) => title.push_str(line),
            BrowserMode::Browse => {
                self.filter.push_str(line);
                self.refilter();
            }
            BrowserMode::ConfirmDelete => {}
        }
        Reply::stay()
    }

    fn on_scroll(&mut self, _state: &mut State, delta: isize) {
        self.move_selection(delta.signum());
    }
}

impl SessionBrowser {
    fn confirm_delete(&mut self) -> Reply {
        self.mode = BrowserMode::Browse;
        match self.selected_item() {
            Some(selected) => {
                Reply::stay().with(vec![Effect::DeleteSession(selected.path.clone())])
            }
            None => Reply::stay(),
        }
    }
}

/// Opens the browser and asks for the list.
pub fn open_browser(state: &mut State) -> Vec<Effect> {
    state.overlay = Overlay::Sessions(SessionBrowser::new());
    vec![Effect::ListSessions]
}

/// The export action outside the browser: the conversation on screen.
pub(crate) fn export_current(state: &mut State, format: Format) -> Vec<Effect> {
    if let Some(session) = &state.session {
        vec![Effect::Export {
            what: ExportWhat::Current(session.path.clone()),
            format,
        }]
    } else {
        state.flash(
            "nothing to export yet: the conversation is saved from its first prompt",
            true,
        );
        Vec::new()
    }
}

/// The session list arrived: its text is gathered next, for the search.
pub(crate) fn on_listed(state: &mut State, result: Result<Vec<Summary>, String>) -> Vec<Effect> {
    match result {
        Ok(items) => {
            if let Overlay::Sessions(browser) = &mut state.overlay {
                let paths = items.iter().map(|s| s.path.clone()).collect();
                browser.set_items(items);
                return vec![Effect::IndexSessions(paths)];
            }
        }
        Err(e) => {
            // The browser has nothing to show: it closes, and the status bar says why.
            if let Overlay::Sessions(_) = state.overlay {
                state.overlay = Overlay::None;
            }
            state.flash(format!("no saved conversations to browse: {e}"), true);
        }
    }
    Vec::new()
}

/// News from the session writer.
pub(crate) fn on_news(state: &mut State, news: WriterNews) {
    match news {
        WriterNews::Opened { id, title, path } => {
            state.session = Some(SessionInfo {
                id,
                title,
                path,
                last_entry: 0,
            });
        }
        WriterNews::Failed(e) => {
            state.push(
                Speaker::Notice,
                format!("this conversation is not being saved: {e}"),
            );
        }
        WriterNews::Loaded(result) => match *result {
            Ok(mut loaded) => apply_loaded(state, &mut loaded),
            Err(e) => state.flash(format!("cannot open that conversation: {e}"), true),
        },
    }
}
