//! A model's name where an id belongs (`-m sonnet45`, `-m "nova pro"`): told from an id, and
//! answered with the ids it may mean, matched as the picker matches.

use crate::models::catalog;

/// What is said of a model's name given where an id belongs: the models it may mean.
pub(crate) fn not_an_id(model: &str) -> String {
    let suggestions = suggest_models(model);
    if suggestions.is_empty() {
        format!(
            "{model:?} is no model id and names no model of the catalog; `bedrock-tui models` lists the ids"
        )
    } else {
        format!(
            "{model:?} is no model id: did you mean {}? (`bedrock-tui models` lists the ids)",
            suggestions.join(", or ")
        )
    }
}

/// Whether `model` is written as a model id, profile id or ARN (`provider.name…`), not as a
/// model's name (`sonnet45`, `nova pro`).
pub(crate) fn looks_like_an_id(model: &str) -> bool {
    model.contains('.') || model.contains(':') || model.starts_with("arn:")
}

/// The catalog's models whose name best matches `query`, as the picker matches, each with the
/// id to pass (and, for a model served through inference profiles only, the profiles to use).
fn suggest_models(query: &str) -> Vec<String> {
    let mut fuzzy = crate::app::popups::picker::Fuzzy::new(query);
    let mut scored: Vec<(u32, &crate::models::catalog::ModelInfo)> = catalog::models()
        .iter()
        .filter_map(|m| {
            let haystack = format!("{} {} {}", m.name, m.provider, m.id).to_lowercase();
            fuzzy.score(&haystack).map(|score| (score, m))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    scored
        .into_iter()
        .take(3)
        .map(|(_, m)| {
            if m.inference_profile_required {
                format!(
                    "{} (-m us.{} or another inference profile of it)",
                    m.name, m.id
                )
            } else {
                format!("{} (-m {})", m.name, m.id)
            }
        })
        .collect()
}
