//! Saved conversations in the chat: the session browser (fuzzy filter, open, rename, delete
//! with confirmation, export) and news from the session writer; a loaded session is turned
//! back into the transcript by `resume`.

use crate::app::popups::picker::Fuzzy;
use crate::app::popups::{Popup, Reply};
pub(crate) use crate::app::resume::apply_loaded;
use crate::app::state::{Overlay, SessionInfo, Speaker, State};
use crate::app::{Effect, ExportWhat};
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

    /// Filters in three tiers: sessions whose title, id or date match (fuzzy, best first);
    /// then those whose text holds every word as typed, each with its matching line; then
    /// those matched only by the ids of the models that answered (fuzzy), which say least
    /// about what a conversation was about. Newest first among equals.
    pub(crate) fn refilter(&mut self) {
        let query = self.filter.to_lowercase();
        let items = self.items.as_deref().unwrap_or_default();
        self.text_hits.clear();
        if query.trim().is_empty() {
            self.matches = (0..items.len()).collect();
            self.selected = self.selected.min(self.matches.len().saturating_sub(1));
            return;
        }
        let mut fuzzy = Fuzzy::new(&query);
        let mut by_name: Vec<(u32, usize)> = Vec::new();
        let mut by_model: Vec<(u32, usize)> = Vec::new();
        for (index, s) in items.iter().enumerate() {
            let name = format!("{} {} {}", s.title, s.id, s.created).to_lowercase();
            if let Some(score) = fuzzy.score(&name) {
                by_name.push((score, index));
            } else if let Some(score) = fuzzy.score(&s.models.join(" ").to_lowercase()) {
                by_model.push((score, index));
            }
        }
        let best_first = |a: &(u32, usize), b: &(u32, usize)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        by_name.sort_by(best_first);
        by_model.sort_by(best_first);
        self.matches = by_name.iter().map(|(_, index)| *index).collect();
        let mut taken: std::collections::HashSet<usize> = self.matches.iter().copied().collect();
        if let Some(index) = self.index.as_ref() {
            let at: std::collections::HashMap<&std::path::Path, usize> = items
                .iter()
                .enumerate()
                .map(|(i, s)| (s.path.as_path(), i))
                .collect();
            for hit in index.search(&query) {
                let Some(&item) = at.get(hit.path.as_path()) else {
                    continue;
                };
                if taken.insert(item) {
                    self.matches.push(item);
                    self.text_hits.insert(hit.path, hit.line);
                }
            }
        }
        self.matches.extend(
            by_model
                .into_iter()
                .map(|(_, index)| index)
                .filter(|index| taken.insert(*index)),
        );
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
        let current = state.chat.session.as_ref().map(|s| s.path.clone());
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
                let mut effects = crate::app::turns::cancel(state);
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
                super::edit_field(title, key);
            }
            BrowserMode::Browse => {
                if super::edit_field(&mut self.filter, key) {
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
    state.screen.overlay = Overlay::Sessions(SessionBrowser::new());
    vec![Effect::ListSessions]
}

/// The export action outside the browser: the conversation on screen.
pub(crate) fn export_current(state: &mut State, format: Format) -> Vec<Effect> {
    if let Some(session) = &state.chat.session {
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
            if let Overlay::Sessions(browser) = &mut state.screen.overlay {
                let paths = items.iter().map(|s| s.path.clone()).collect();
                browser.set_items(items);
                return vec![Effect::IndexSessions(paths)];
            }
        }
        Err(e) => {
            // The browser has nothing to show: it closes, and the status bar says why.
            if let Overlay::Sessions(_) = state.screen.overlay {
                state.screen.overlay = Overlay::None;
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
            state.chat.session = Some(SessionInfo {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::search::SearchIndex;
    use std::path::PathBuf;

    fn session(dir: &std::path::Path, id: &str, title: &str, model: &str, text: &str) -> Summary {
        let path = dir.join(format!("{id}.jsonl"));
        // As the session writer puts a prompt: `kind` first.
        let text = serde_json::to_string(text).unwrap();
        std::fs::write(
            &path,
            format!("{{\"kind\":\"user\",\"id\":1,\"text\":{text}}}\n"),
        )
        .unwrap();
        Summary {
            id: id.to_string(),
            path,
            title: title.to_string(),
            created: "2026-12-01T10:00:00Z".to_string(),
            models: vec![model.to_string()],
            turns: 1,
            damaged: false,
            oversized: None,
        }
    }

    #[test]
    fn text_hits_rank_above_matches_on_model_ids_and_below_titles() {
        let dir = tempfile::tempdir().unwrap();
        let items = vec![
            // Newest first: a model id that holds "haiku", a conversation about haiku, and a
            // title that says it.
            session(
                dir.path(),
                "a1",
                "Rust lifetimes",
                "anthropic.claude-haiku-4-5",
                "borrowing",
            ),
            session(
                dir.path(),
                "b2",
                "Poetry night",
                "amazon.nova-pro-v1:0",
                "write a haiku about rain",
            ),
            session(
                dir.path(),
                "c3",
                "Haiku contest",
                "amazon.nova-lite-v1:0",
                "five seven five",
            ),
        ];
        let paths: Vec<PathBuf> = items.iter().map(|s| s.path.clone()).collect();
        let mut browser = SessionBrowser::new();
        browser.set_items(items);
        browser.filter = "haiku".to_string();
        browser.refilter();
        // Before the text is gathered: the title, then the model id.
        assert_eq!(browser.matches, [2, 0]);
        browser.set_index(std::sync::Arc::new(SearchIndex::build(&paths)));
        assert_eq!(browser.matches, [2, 1, 0], "title, text, then model id");
        assert_eq!(
            browser.text_hits.get(&paths[1]).map(String::as_str),
            Some("write a haiku about rain")
        );
        assert!(!browser.text_hits.contains_key(&paths[0]));
        // A session that matches by its model and by its text is a text hit, with its line.
        browser.filter = "borrowing".to_string();
        browser.refilter();
        assert_eq!(browser.matches, [0]);
        // An empty filter lists everything, newest first.
        browser.filter.clear();
        browser.refilter();
        assert_eq!(browser.matches, [0, 1, 2]);
    }
}
