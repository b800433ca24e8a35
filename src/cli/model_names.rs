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
    if model.starts_with("arn:") {
        return true;
    }
    if model.contains(char::is_whitespace) {
        return false;
    }
    // `provider.model…` (`ai21.j2-…`, or a profile's `us.…`): a letter after the first dot; a
    // version's dot (`sonnet4.5`) is a name's.
    let provider = model.split_once('.').is_some_and(|(head, rest)| {
        !head.is_empty()
            && head.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && rest.starts_with(|c: char| c.is_ascii_alphabetic())
    });
    provider || model.contains(':')
}

/// The model a name given where an id belongs means: `Ok(None)` for an id (left as it is),
/// `Ok(Some((id, note)))` when one model matches best (`sonnet45` is Claude Sonnet 4.5), and
/// an error naming the candidates when none or several match equally well. With a `--family`
/// the id is the user's own, whatever it looks like (an imported model's), and is left as it is.
pub(crate) fn resolve(
    model: &str,
    family: Option<crate::models::FamilyId>,
) -> Result<Option<(String, String)>, String> {
    if family.is_some() || looks_like_an_id(model) {
        return Ok(None);
    }
    // A number typed must be one of the name's own (`opus5` is no Opus 4.5).
    let numbers = numbers_in(model);
    let scored: Vec<_> = scored_models(model)
        .into_iter()
        .filter(|(_, m)| {
            let own = numbers_in(&m.name);
            numbers.iter().all(|n| own.contains(n))
        })
        .collect();
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

/// The numbers in a name, a version's dots left out: `Claude Sonnet 4.5` has `45`, `Llama 3.1
/// 70B` has `31` and `70`; `sonnet45` has `45`.
fn numbers_in(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut numbers = Vec::new();
    let mut current = String::new();
    for (at, &c) in chars.iter().enumerate() {
        let dot_in_number =
            c == '.' && !current.is_empty() && chars.get(at + 1).is_some_and(char::is_ascii_digit);
        if c.is_ascii_digit() {
            current.push(c);
        } else if !dot_in_number && !current.is_empty() {
            numbers.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        numbers.push(current);
    }
    numbers
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
        let id = |name: &str| resolve(name, None).map(|found| found.map(|(id, _)| id));
        assert_eq!(
            id("sonnet45").unwrap().as_deref(),
            Some("anthropic.claude-sonnet-4-5-20250929-v1:0")
        );
        assert_eq!(
            id("nova pro").unwrap().as_deref(),
            Some("amazon.nova-pro-v1:0")
        );
        assert_eq!(id("us.amazon.nova-pro-v1:0").unwrap(), None);
        let several = resolve("claude", None).unwrap_err();
        assert!(several.contains("several models"), "{several}");
        let none = resolve("zzzzqqq", None).unwrap_err();
        assert!(none.contains("names no model"), "{none}");
        // A number that is no model's own is no match.
        assert!(resolve("opus5", None).is_err());
        assert_eq!(
            resolve("opus5", Some(crate::models::FamilyId::Anthropic)),
            Ok(None)
        );
        assert_eq!(
            id("llama 3.1 70b").unwrap().as_deref(),
            Some("meta.llama3-1-70b-instruct-v1:0")
        );
        assert_eq!(numbers_in("Llama 3.1 70B Instruct"), ["31", "70"]);
        assert!(looks_like_an_id(
            "us-gov.anthropic.claude-3-haiku-20240307-v1:0"
        ));
        assert!(!looks_like_an_id("sonnet4.5"));
        assert!(looks_like_an_id("ai21.j2-ultra-v1"));
    }
}
