//! The model picker's state: the catalog (merged with the live listing when it has arrived),
//! a fuzzy filter and the selected row.

use crate::app::Effect;
use crate::app::popups::{Popup, Reply};
use crate::app::state::State;
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
    /// Where the model is in its lifecycle, when not plain active (`legacy until …`).
    pub lifecycle: Option<String>,
    /// Lower-case text the filter searches: id, name, provider.
    haystack: String,
}

impl PickerItem {
    /// Whether the chat can use it: a text or image model of a known family (an image model's
    /// pictures are drawn in the transcript), or a text model of a provider's whose native body
    /// is not known, through Converse.
    pub(crate) fn chats(&self) -> bool {
        match self.family {
            Some(family) => matches!(family.output(), OutputKind::Text | OutputKind::Image),
            None => self.via_converse(),
        }
    }

    /// A text model whose native body bedrock-tui does not know: the chat reaches it through
    /// Converse.
    pub(crate) fn via_converse(&self) -> bool {
        self.family.is_none()
            && self.output.iter().any(|o| o == "text")
            && crate::models::model_id::names_a_provider_model(&self.id)
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

/// The inference-profile prefix the picker offers a model through in a region: the region's
/// geography's (the models crate's rule), else `global.` (the picker lists the profile it
/// picks, so the choice is seen before it is made).
pub(crate) fn geography_prefix(region: &str) -> &'static str {
    crate::models::model_id::geography_prefix(region).unwrap_or("global.")
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
                let mut name = if row.name.is_empty() {
                    row.id.clone()
                } else {
                    row.name.clone()
                };
                // A legacy model says so (and until when, once picked).
                if let Some(lifecycle) = &row.lifecycle {
                    name = format!("{name} ({})", lifecycle.status.to_ascii_lowercase());
                }
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
                    lifecycle: row.lifecycle.as_ref().map(crate::listing::Lifecycle::words),
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
        let mut fuzzy = Fuzzy::new(&self.filter);
        let mut scored: Vec<(u32, usize)> = self
            .items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| fuzzy.score(&item.haystack).map(|s| (s, i)))
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
        let page = state.screen.view.viewport_height.saturating_sub(2).max(1) as isize;
        match action {
            Action::Confirm => return self.confirm(state),
            Action::Close => return Reply::close(),
            Action::SelectPrevious => self.move_selection(-1),
            Action::SelectNext => self.move_selection(1),
            Action::PageUp => self.move_selection(-page),
            Action::PageDown => self.move_selection(page),
            Action::ToggleMark => {
                if let Err(e) = self.toggle_mark(crate::app::popups::compare::MAX_PANES) {
                    state.flash(e, true);
                }
            }
            Action::RefreshModels => {
                state.flash("asking the region for its models…", false);
                return Reply::stay().with(vec![Effect::ListModels { refresh: true }]);
            }
            _ => {}
        }
        Reply::stay()
    }

    fn on_key(&mut self, _state: &mut State, key: &KeyEvent) -> Reply {
        if super::edit_field(&mut self.filter, key) {
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
                let mark = state
                    .settings
                    .keymap
                    .hint(Context::Picker, Action::ToggleMark);
                state.flash(format!("mark 2 to 4 models with {mark}"), true);
                return Reply::stay();
            }
            return crate::app::popups::compare::start(state, &marked.clone());
        }
        let Some(item) = self.selected_item().cloned() else {
            return Reply::stay();
        };
        if !item.chats() {
            let what = match item.family.map(FamilyId::output) {
                Some(OutputKind::Embedding) => "makes embeddings",
                _ => "has a request format bedrock-tui does not know",
            };
            state.flash(
                format!(
                    "{} {what}; the chat needs a text or image model (try `bedrock-tui ask --model {}`)",
                    item.name, item.id
                ),
                true,
            );
            return Reply::stay();
        }
        // The model in use picked again keeps its id (a `global.` profile stays `global.`).
        if same_model(&item.id, &state.chat.model) {
            return Reply::close();
        }
        let effects = crate::app::turns::switch_model(state, item.id);
        if let Some(lifecycle) = &item.lifecycle {
            state.flash(
                format!(
                    "{} is {lifecycle} on Bedrock",
                    crate::models::catalog::display_name(&state.chat.model)
                ),
                false,
            );
        }
        Reply::close().with(effects)
    }
}

/// Fuzzy matching as fzf and helix do it (nucleo-matcher): the query's characters in order,
/// ranked by contiguity, word starts and camelCase; spaces separate words matched anywhere.
/// Built once per query, used for every item.
pub(crate) struct Fuzzy {
    matcher: nucleo_matcher::Matcher,
    pattern: nucleo_matcher::pattern::Pattern,
    chars: Vec<char>,
}

impl Fuzzy {
    /// A matcher for `query` (case ignored, accents folded).
    pub(crate) fn new(query: &str) -> Fuzzy {
        use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
        Fuzzy {
            matcher: nucleo_matcher::Matcher::new(nucleo_matcher::Config::DEFAULT),
            pattern: Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart),
            chars: Vec::new(),
        }
    }

    /// The score of `haystack`, `None` when it does not match (every item matches an empty
    /// query).
    pub(crate) fn score(&mut self, haystack: &str) -> Option<u32> {
        let text = nucleo_matcher::Utf32Str::new(haystack, &mut self.chars);
        self.pattern.score(text, &mut self.matcher)
    }

    /// The positions (in characters) of the matched characters of `haystack`, sorted.
    pub(crate) fn indices(&mut self, haystack: &str) -> Vec<usize> {
        let mut found = Vec::new();
        let text = nucleo_matcher::Utf32Str::new(haystack, &mut self.chars);
        if self
            .pattern
            .indices(text, &mut self.matcher, &mut found)
            .is_none()
        {
            return Vec::new();
        }
        found.sort_unstable();
        found.dedup();
        found.into_iter().map(|i| i as usize).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_model_of_an_unknown_format_is_offered_through_converse() {
        let row = |id: &str, output: &str| Row {
            id: id.into(),
            name: id.into(),
            provider: "Qwen".into(),
            family: crate::models::family_of(id),
            streaming: true,
            output: vec![output.into()],
            context: None,
            max_output: None,
            profile_required: false,
            profiles: Vec::new(),
            price: None,
            in_catalog: false,
            lifecycle: None,
        };
        let rows = [
            row("qwen.qwen3-32b-v1:0", "TEXT"),
            row("acme.embedder-v1", "EMBEDDING"),
            row("amazon.nova-lite-v1:0", "TEXT"),
        ];
        let picker = Picker::new(Some(&rows), "us-east-1", "amazon.nova-lite-v1:0");
        let item = |id: &str| picker.items.iter().find(|i| i.id == id).unwrap();
        assert!(item("qwen.qwen3-32b-v1:0").via_converse());
        assert!(item("qwen.qwen3-32b-v1:0").chats());
        assert!(!item("acme.embedder-v1").chats());
        assert!(!item("amazon.nova-lite-v1:0").via_converse());
        // A legacy model says so, and when it ends once picked.
        let mut old = row("anthropic.claude-v2:1", "TEXT");
        old.lifecycle = Some(crate::listing::Lifecycle {
            status: "LEGACY".into(),
            end_of_life: Some("2027-03-01".into()),
        });
        let picker = Picker::new(Some(&[old]), "us-east-1", "amazon.nova-lite-v1:0");
        assert!(picker.items[0].name.ends_with("(legacy)"));
        assert_eq!(
            picker.items[0].lifecycle.as_deref(),
            Some("legacy until 2027-03-01")
        );
    }

    #[test]
    fn fuzzy_matches_in_order_and_ranks_contiguous_first() {
        let score = |q: &str, h: &str| Fuzzy::new(q).score(h);
        assert!(score("hku", "claude haiku").is_some());
        assert!(score("zz", "claude haiku").is_none());
        let contiguous = score("nova", "amazon.nova-pro").unwrap();
        let scattered = score("nova", "anxoxvxa").unwrap();
        assert!(contiguous > scattered);
        assert!(score("llama 70b", "meta.llama3-70b-instruct meta").is_some());
        assert_eq!(Fuzzy::new("nova").indices("amazon.nova-pro"), [7, 8, 9, 10]);
    }

    #[test]
    fn subsequences_find_models_as_fzf_would() {
        for (query, wanted) in [
            ("sonnet45", "claude-sonnet-4-5"),
            ("cl45", "claude-sonnet-4-5"),
            ("hk45", "claude-haiku-4-5"),
        ] {
            let mut picker = Picker::new(None, "us-east-1", "amazon.nova-micro-v1:0");
            picker.filter = query.into();
            picker.refilter();
            assert!(
                picker
                    .matches
                    .iter()
                    .take(5)
                    .any(|&i| picker.items[i].id.contains(wanted)),
                "{query}: {:?}",
                picker
                    .matches
                    .iter()
                    .take(5)
                    .map(|&i| &picker.items[i].id)
                    .collect::<Vec<_>>()
            );
        }
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
