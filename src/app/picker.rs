//! The model picker's state: the catalog (merged with the live listing when it has arrived),
//! a fuzzy filter and the selected row.

use super::popup::{Popup, Reply};
use super::state::State;
use crate::keymap::{Action, Context};
use crate::listing::Row;
use crate::models::{FamilyId, OutputKind, catalog};
use crossterm::event::KeyEvent;

/// One model the picker offers.
#[derive(Debug, Clone, PartialEq)]
pub struct PickerItem {
    /// The id sent to Bedrock (an inference profile for models that need one).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Provider.
    pub provider: String,
    /// Request format.
    pub family: Option<FamilyId>,
    /// Whether it streams.
    pub streaming: bool,
    /// Input modalities, lower case.
    pub input: Vec<String>,
    /// Output modalities, lower case.
    pub output: Vec<String>,
    /// USD per 1k input and output tokens.
    pub price: Option<(f64, f64)>,
    /// Seen in the live listing of the region.
    pub live: bool,
    /// Lower-case text the filter searches: id, name, provider.
    haystack: String,
}

impl PickerItem {
    /// Whether the chat can use it (a text model of a known family).
    pub(crate) fn chats(&self) -> bool {
        self.family.is_some_and(|f| f.output() == OutputKind::Text)
    }
}

/// The picker popup.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Picker {
    /// What the user typed.
    pub filter: String,
    /// Index into `matches` of the selected row.
    pub selected: usize,
    /// Every model offered.
    pub items: Vec<PickerItem>,
    /// Indices of the items that match the filter, best first.
    pub matches: Vec<usize>,
    /// Choosing models to compare (Tab marks): their ids, in the order marked.
    pub compare: Option<Vec<String>>,
}

/// Whether two ids name the same model (an inference profile and its model do).
pub(crate) fn same_model(a: &str, b: &str) -> bool {
    a == b || crate::models::base_model_id(a) == crate::models::base_model_id(b)
}

/// Whether `id` is among the marked models.
pub(crate) fn is_marked(marked: &[String], id: &str) -> bool {
    marked.iter().any(|m| same_model(m, id))
}

/// The inference-profile prefix for a region: `us.` for us-*, `eu.` for eu-*, `apac.` for
/// ap-*, else `global.`.
pub(crate) fn geography_prefix(region: &str) -> &'static str {
    match region.split('-').next() {
        Some("us") => "us.",
        Some("eu") => "eu.",
        Some("ap") => "apac.",
        Some("ca") => "ca.",
        _ => "global.",
    }
}

fn lower(list: &[String]) -> Vec<String> {
    list.iter().map(|s| s.to_ascii_lowercase()).collect()
}

impl Picker {
    /// A picker over the live listing when there is one, else the catalog, with the current
    /// model selected. Models that need an inference profile are offered through one.
    pub fn new(listed: Option<&[Row]>, region: &str, current: &str) -> Picker {
        let rows: Vec<Row> = match listed {
            Some(rows) => rows.to_vec(),
            None => catalog::models().iter().map(Row::from_catalog).collect(),
        };
        let items = rows
            .iter()
            .map(|row| {
                let id = if row.profile_required {
                    let prefix = geography_prefix(region);
                    row.profiles
                        .iter()
                        .find(|p| p.starts_with(prefix))
                        .or(row.profiles.first())
                        .cloned()
                        .unwrap_or_else(|| format!("{prefix}{}", row.id))
                } else {
                    row.id.clone()
                };
                let known = catalog::lookup(&row.id);
                let name = if row.name.is_empty() {
                    row.id.clone()
                } else {
                    row.name.clone()
                };
                let haystack = format!("{id} {name} {}", row.provider).to_lowercase();
                PickerItem {
                    id,
                    name,
                    provider: row.provider.clone(),
                    family: row.family,
                    streaming: row.streaming,
                    input: known
                        .map(|m| lower(&m.input_modalities))
                        .unwrap_or_default(),
                    output: lower(&row.output),
                    price: row.price,
                    live: listed.is_some(),
                    haystack,
                }
            })
            .collect();
        let mut picker = Picker {
            items,
            ..Picker::default()
        };
        picker.refilter();
        let base = crate::models::base_model_id(current);
        if let Some(position) = picker.matches.iter().position(|&i| {
            let id = &picker.items[i].id;
            id == current || crate::models::base_model_id(id) == base
        }) {
            picker.selected = position;
        }
        picker
    }

    /// Marks or unmarks the selected model for comparison (at most `limit`); says why not.
    pub(crate) fn toggle_mark(&mut self, limit: usize) -> Result<(), String> {
        let Some(item) = self.selected_item().cloned() else {
            return Ok(());
        };
        let Some(marked) = &mut self.compare else {
            return Ok(());
        };
        if let Some(position) = marked.iter().position(|id| same_model(id, &item.id)) {
            marked.remove(position);
            return Ok(());
        }
        if !item.chats() {
            return Err(format!("{} is not a text model", item.name));
        }
        if marked.len() >= limit {
            return Err(format!("at most {limit} models side by side"));
        }
        marked.push(item.id);
        Ok(())
    }

    /// Recomputes the matches after the filter changed; the best match is selected.
    pub(crate) fn refilter(&mut self) {
        let query = self.filter.to_lowercase();
        let mut scored: Vec<(i64, usize)> = self
            .items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| fuzzy_score(&query, &item.haystack).map(|s| (s, i)))
            .collect();
        // Best score first; the catalog's order among equals.
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        self.matches = scored.into_iter().map(|(_, i)| i).collect();
        self.selected = 0;
    }

    /// The selected model.
    pub fn selected_item(&self) -> Option<&PickerItem> {
        self.matches
            .get(self.selected)
            .and_then(|&i| self.items.get(i))
    }

    /// Moves the selection by `delta` rows, clamped.
    pub(crate) fn move_selection(&mut self, delta: isize) {
        if self.matches.is_empty() {
            self.selected = 0;
            return;
        }
        let last = self.matches.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }
}

impl Popup for Picker {
    fn context(&self) -> Context {
        Context::Picker
    }

    fn on_action(&mut self, state: &mut State, action: Action) -> Reply {
        let page = state.view.viewport_height.saturating_sub(2).max(1) as isize;
        match action {
            Action::Confirm => return self.confirm(state),
            Action::Close => return Reply::close(),
            Action::SelectPrevious => self.move_selection(-1),
            Action::SelectNext => self.move_selection(1),
            Action::PageUp => self.move_selection(-page),
            Action::PageDown => self.move_selection(page),
            Action::ToggleMark => {
                if let Err(e) = self.toggle_mark(super::compare::MAX_PANES) {
                    state.flash(e, true);
                }
            }
            _ => {}
        }
        Reply::stay()
    }

    fn on_key(&mut self, _state: &mut State, key: &KeyEvent) -> Reply {
        if super::keys::edit_field(&mut self.filter, key) {
            self.refilter();
        }
        Reply::stay()
    }

    fn on_paste(&mut self, _state: &mut State, text: &str) -> Reply {
        self.filter
            .push_str(text.lines().next().unwrap_or_default());
        self.refilter();
        Reply::stay()
    }

    fn on_scroll(&mut self, _state: &mut State, delta: isize) {
        self.move_selection(delta.signum());
    }
}

impl Picker {
    /// Enter: switch to the selected model, or (choosing models to compare) send the prompt to
    /// the marked ones.
    fn confirm(&mut self, state: &mut State) -> Reply {
        if let Some(marked) = &self.compare {
            if marked.len() < 2 {
                let mark = state.keymap.hint(Context::Picker, Action::ToggleMark);
                state.flash(format!("mark 2 to 4 models with {mark}"), true);
                return Reply::stay();
            }
            return super::compare::start(state, &marked.clone());
        }
        let Some(item) = self.selected_item().cloned() else {
            return Reply::stay();
        };
        if !item.chats() {
            let what = match item.family.map(FamilyId::output) {
                Some(OutputKind::Embedding) => "makes embeddings",
                Some(OutputKind::Image) => "makes images",
                _ => "has a request format bedrock-tui does not know",
            };
            state.flash(
                format!(
                    "{} {what}; the chat needs a text model (try `bedrock-tui ask --model {}`)",
                    item.name, item.id
                ),
                true,
            );
            return Reply::stay();
        }
        Reply::close().with(super::turns::switch_model(state, item.id))
    }
}

/// A fuzzy match score: every query character must appear in order; consecutive characters
/// and characters at word starts score higher. Spaces in the query separate words that may
/// match anywhere. `None` when it does not match.
pub(crate) fn fuzzy_score(query: &str, haystack: &str) -> Option<i64> {
    let mut total = 0;
    for word in query.split_whitespace() {
        total += word_score(word, haystack)?;
    }
    Some(total)
}

fn word_score(word: &str, haystack: &str) -> Option<i64> {
    if let Some(at) = haystack.find(word) {
        // A contiguous hit beats any scattered one; earlier and at a word start is better.
        let at_start = at == 0 || !haystack.as_bytes()[at - 1].is_ascii_alphanumeric();
        return Some(1000 + 10 * word.len() as i64 + if at_start { 50 } else { 0 } - at as i64 / 4);
    }
    let mut score = 0;
    let mut previous: Option<usize> = None;
    let mut first: Option<usize> = None;
    let mut chars = haystack.char_indices();
    for wanted in word.chars() {
        let (position, _) = chars.by_ref().find(|(_, c)| *c == wanted)?;
        score += match previous {
            Some(p) if position == p + 1 => 8,
            _ => 1,
        };
        let at_start = position == 0 || !haystack.as_bytes()[position - 1].is_ascii_alphanumeric();
        if at_start {
            score += 4;
        }
        previous = Some(position);
        first.get_or_insert(position);
    }
    // Letters strewn across the whole line are noise, not a match.
    let span = previous.unwrap_or(0) - first.unwrap_or(0) + 1;
    (span <= 3 * word.len()).then_some(score)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_matches_in_order_and_ranks_contiguous_first() {
        assert!(fuzzy_score("hku", "claude haiku").is_some());
        assert!(fuzzy_score("zz", "claude haiku").is_none());
        let contiguous = fuzzy_score("nova", "amazon.nova-pro").unwrap();
        let scattered = fuzzy_score("nova", "n o v a").unwrap();
        assert!(contiguous > scattered);
        assert!(fuzzy_score("llama 70b", "meta.llama3-70b-instruct meta").is_some());
    }

    #[test]
    fn picker_filters_the_catalog_and_uses_profiles() {
        let mut picker = Picker::new(None, "us-east-1", "amazon.nova-micro-v1:0");
        assert_eq!(picker.items.len(), catalog::models().len());
        assert_eq!(picker.selected_item().unwrap().id, "amazon.nova-micro-v1:0");
        picker.filter = "sonnet 4.6".into();
        picker.refilter();
        let item = picker.selected_item().unwrap();
        assert!(
            item.id.starts_with("us.anthropic.claude-sonnet-4-6"),
            "{}",
            item.id
        );
        picker.filter = "qqqqq".into();
        picker.refilter();
        assert!(picker.selected_item().is_none());
        picker.move_selection(3);
        assert_eq!(picker.selected, 0);
    }
}
