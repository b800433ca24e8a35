//! A model's name where an id belongs (`-m sonnet45`, `-m "nova pro"`): told from an id, taken
//! as the one model it names best when there is one, and otherwise answered with the ids it may
//! mean, matched as the picker matches.

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

/// The model a name given where an id belongs means: `Ok(None)` for an id (left as it is),
/// `Ok(Some((id, note)))` when one model matches best (`sonnet45` is Claude Sonnet 4.5), and
/// an error naming the candidates when none or several match equally well.
pub(crate) fn resolve(model: &str) -> Result<Option<(String, String)>, String> {
    if looks_like_an_id(model) {
        return Ok(None);
    }
    let scored = scored_models(model);
    match scored.as_slice() {
        [] => Err(not_an_id(model)),
        [(best, m), rest @ ..] if rest.first().is_none_or(|(next, _)| next < best) => Ok(Some((
            m.id.clone(),
            format!("{model:?} is {} ({})", m.name, m.id),
        ))),
        _ => Err(format!(
            "{model:?} names several models equally well: {}; name one more closely or pass its id",
            suggest_models(model).join(", or ")
        )),
    }
}

/// The catalog's models that match `query`, best first, as the picker matches.
fn scored_models(query: &str) -> Vec<(u32, &'static crate::models::catalog::ModelInfo)> {
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
}

/// The catalog's models whose name best matches `query`, as the picker matches, each with the
/// id to pass (and, for a model served through inference profiles only, the profiles to use).
fn suggest_models(query: &str) -> Vec<String> {
    scored_models(query)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_people_type_resolve_to_one_model_or_say_which_they_may_mean() {
        let id = |name: &str| resolve(name).map(|found| found.map(|(id, _)| id));
        assert_eq!(
            id("sonnet45").unwrap().as_deref(),
            Some("anthropic.claude-sonnet-4-5-20250929-v1:0")
        );
        assert_eq!(
            id("nova pro").unwrap().as_deref(),
            Some("amazon.nova-pro-v1:0")
        );
        assert_eq!(id("us.amazon.nova-pro-v1:0").unwrap(), None);
        let several = resolve("claude").unwrap_err();
        assert!(several.contains("several models"), "{several}");
        let none = resolve("zzzzqqq").unwrap_err();
        assert!(none.contains("names no model"), "{none}");
    }
}
