//! Attaching files in the chat: `/attach PATH` (Tab completes the path), a pasted file path
//! offered as an attachment (Alt+A takes it), `/detach [N]` and Alt+X. Each file is checked
//! against the current model when it is attached, listed above the prompt, and kept by content
//! in the attachments directory, so the transcript can draw it and a resumed conversation sends
//! it again.
//!
//! Nothing here touches the disk on the loop: reading a file (up to 32 MiB), keeping it,
//! listing a directory for Tab and looking at a pasted path are effects, whose news comes back
//! as messages ([`on_read`], [`on_completed`], [`on_pasted_file`]).

use super::Effect;
use super::state::State;
use crate::attachments::{Attachment, Kind, store};
use crate::models::attachment_rules as rules;
use std::path::{Path, PathBuf};

/// The command that attaches a file.
pub(crate) const ATTACH: &str = "/attach";
/// The command that removes attached files.
pub(crate) const DETACH: &str = "/detach";

/// A path as a user types or a terminal pastes it: quotes and a `file://` scheme taken off,
/// `~/` expanded, backslash-escaped spaces unescaped.
pub(crate) fn clean_path(raw: &str) -> PathBuf {
    let mut text = raw.trim();
    for quote in ['"', '\''] {
        if text.len() >= 2 && text.starts_with(quote) && text.ends_with(quote) {
            text = &text[1..text.len() - 1];
        }
    }
    let text = text.strip_prefix("file://").unwrap_or(text);
    let decoded = percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .map_or_else(|_| text.to_string(), std::borrow::Cow::into_owned);
    let text = if raw.trim().starts_with("file://") {
        decoded
    } else {
        text.replace("\\ ", " ")
    };
    match text.strip_prefix("~/") {
        Some(rest) => std::env::var_os("HOME")
            .map_or_else(|| PathBuf::from(&text), |home| Path::new(&home).join(rest)),
        None => PathBuf::from(text),
    }
}

/// Starts reading the file at `raw` to attach it; it is listed as being read until then.
pub(crate) fn attach_path(state: &mut State, raw: &str) -> Vec<Effect> {
    read(state, clean_path(raw), None)
}

/// Starts reading `path`; `pasted`: the text of a pasted path, taken out of the draft once
/// the file is attached (and left there when it is not).
fn read(state: &mut State, path: PathBuf, pasted: Option<String>) -> Vec<Effect> {
    state.composer.attaching.push((path.clone(), pasted));
    vec![Effect::ReadAttachment(path)]
}

/// A file was read (or could not be): it is attached (a pasted path's text then leaves the
/// draft), or the status bar says why not and an empty prompt gets the command back to
/// correct.
pub(crate) fn on_read(
    state: &mut State,
    path: &Path,
    result: Result<Attachment, String>,
) -> Vec<Effect> {
    let pasted = match state.composer.attaching.iter().position(|(p, _)| p == path) {
        Some(at) => state.composer.attaching.remove(at).1,
        None => None,
    };
    let before = state.composer.attached.len();
    let effects = match result {
        Ok(attachment) => attach(state, attachment),
        Err(e) => {
            state.flash(format!("not attached: {e}"), true);
            Vec::new()
        }
    };
    let attached = state.composer.attached.len() > before;
    match pasted {
        Some(pasted) if attached => {
            let draft = state.draft();
            if let Some(at) = draft.rfind(&pasted) {
                let mut without = draft.clone();
                without.replace_range(at..at + pasted.len(), "");
                state.set_draft(&without);
            }
        }
        None if !attached && state.draft_is_empty() => {
            state.set_draft(&format!("{ATTACH} {}", path.display()));
        }
        _ => {}
    }
    effects
}

/// Attaches a file read already, if the current model takes it; keeping it in the
/// attachments directory is the effect returned.
pub(crate) fn attach(state: &mut State, attachment: Attachment) -> Vec<Effect> {
    // The same bytes twice would be sent twice.
    if state
        .composer
        .attached
        .iter()
        .any(|a| a.sha256() == attachment.sha256())
    {
        state.flash(
            format!("{} is attached already", attachment.describe()),
            true,
        );
        return Vec::new();
    }
    let family = state.family();
    if let Some(family) = family
        && let Err(why) = rules::check_one(&state.chat.model, family, &attachment)
    {
        state.flash(format!("not attached: {why}"), true);
        return Vec::new();
    }
    // Kept by content: the transcript draws it from there and a resumed conversation reads it
    // back (pictures a model makes are kept the same way).
    let described = attachment.describe();
    let Some(dir) = state.settings.attachments_dir.clone() else {
        state.flash(
            format!("attached {described}, but it is not kept for later: no data directory"),
            true,
        );
        state.composer.attached.push(attachment);
        return Vec::new();
    };
    state.flash(
        format!("attached {described}: it goes with the next prompt (Alt+X removes the last)"),
        false,
    );
    let keep = vec![Effect::KeepAttachment {
        dir,
        attachment: Box::new(attachment.clone()),
    }];
    state.composer.attached.push(attachment);
    keep
}

/// Keeps a file in the attachments directory (run off the loop).
pub(crate) fn keep(dir: &Path, attachment: &Attachment) -> Result<(), String> {
    store::keep(dir, attachment)
        .map(|_| ())
        .map_err(|e| format!("{} is not kept for later: {e}", attachment.describe()))
}

/// Removes attached file `n` (1-based), or the last one.
pub(crate) fn detach(state: &mut State, n: Option<usize>) {
    let at = match n {
        Some(n) if n >= 1 && n <= state.composer.attached.len() => n - 1,
        Some(n) => {
            state.flash(
                format!(
                    "no attached file {n} (there are {})",
                    state.composer.attached.len()
                ),
                true,
            );
            return;
        }
        None if state.composer.attached.is_empty() => {
            state.flash("no file is attached", true);
            return;
        }
        None => state.composer.attached.len() - 1,
    };
    let removed = state.composer.attached.remove(at);
    state.flash(format!("removed {}", removed.name), false);
}

/// What follows `name` when `line` is that command (`/attach x` → `x`).
pub(crate) fn command_argument<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(name)?;
    (rest.is_empty() || rest.starts_with(' ')).then(|| rest.trim())
}

/// The path typed after `/attach` in a one-line draft, if that is what the draft is.
fn typed_path(draft: &str) -> Option<&str> {
    draft
        .strip_prefix(ATTACH)
        .and_then(|r| r.strip_prefix(' '))
        .filter(|_| !draft.contains('\n'))
}

/// Tab in a `/attach` draft: the directory is listed off the loop ([`on_completed`] takes the
/// answer). `None` when the draft is no `/attach`.
pub(crate) fn complete(state: &State) -> Option<Vec<Effect>> {
    let partial = typed_path(&state.draft())?.to_string();
    Some(vec![Effect::CompletePath(partial)])
}

/// The completion of `partial`: the path as far as it is unique, and the choices when there
/// are several (unless the draft changed meanwhile).
pub(crate) fn on_completed(state: &mut State, partial: &str, completed: &str, choices: &[String]) {
    if typed_path(&state.draft()) != Some(partial) {
        return;
    }
    if completed != partial {
        state.set_draft(&format!("{ATTACH} {completed}"));
    }
    match choices.len() {
        0 => state.flash("no file matches", true),
        1 => {}
        n => {
            let shown: Vec<&str> = choices.iter().take(8).map(String::as_str).collect();
            let more = if n > 8 {
                format!(" … {} more", n - 8)
            } else {
                String::new()
            };
            state.flash(format!("{}{more}", shown.join("  ")), false);
        }
    }
}

/// The longest unique completion of a typed path, and the names that match.
pub(crate) fn complete_path(partial: &str) -> (String, Vec<String>) {
    let expanded = clean_path(partial);
    let typed_dir = partial.ends_with('/') || partial.is_empty();
    let (dir, stem) = if typed_dir {
        (expanded.clone(), String::new())
    } else {
        (
            expanded
                .parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
            expanded
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        )
    };
    let listed = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir.clone()
    };
    let Ok(entries) = std::fs::read_dir(&listed) else {
        return (partial.to_string(), Vec::new());
    };
    let mut names: Vec<(String, bool)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            (name.starts_with(&stem) && (!name.starts_with('.') || stem.starts_with('.')))
                .then_some((name, is_dir))
        })
        .collect();
    names.sort();
    let Some((first, _)) = names.first() else {
        return (partial.to_string(), Vec::new());
    };
    let common = names.iter().fold(first.clone(), |common, (name, _)| {
        common
            .chars()
            .zip(name.chars())
            .take_while(|(a, b)| a == b)
            .map(|(a, _)| a)
            .collect()
    });
    // What was typed keeps its form (`~/`, relative); only the name grows.
    let typed_head = if typed_dir {
        partial.to_string()
    } else {
        partial
            .rfind('/')
            .map_or_else(String::new, |at| partial[..=at].to_string())
    };
    let mut completed = format!("{typed_head}{common}");
    if let [(name, true)] = names.as_slice()
        && *name == common
    {
        completed.push('/');
    }
    let choices = names
        .into_iter()
        .map(|(name, is_dir)| if is_dir { format!("{name}/") } else { name })
        .collect();
    (completed, choices)
}

/// A paste that looks like the path of a file (as terminals paste a dropped file) is looked
/// at off the loop; when it is one, [`on_pasted_file`] offers it.
pub(crate) fn offer_pasted_path(pasted: &str) -> Vec<Effect> {
    let trimmed = pasted.trim();
    if trimmed.is_empty() || trimmed.contains('\n') || trimmed.len() > 4096 {
        return Vec::new();
    }
    let path = clean_path(trimmed);
    if !path.is_absolute() && !trimmed.starts_with("file://") && !trimmed.starts_with('~') {
        return Vec::new();
    }
    vec![Effect::CheckPastedPath {
        path,
        pasted: pasted.to_string(),
    }]
}

/// Whether `path` is a file (run off the loop).
pub(crate) fn is_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// A pasted path is a file: Alt+A attaches it instead of the text (while the text is still in
/// the draft).
pub(crate) fn on_pasted_file(state: &mut State, path: PathBuf, pasted: String) {
    if !state.draft().contains(&pasted) {
        return;
    }
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    state.composer.offered_path = Some((path, pasted));
    state.flash(
        format!("pasted the path of {name}: Alt+A attaches the file instead"),
        false,
    );
}

/// Alt+A: attaches the offered pasted path (taking its text out of the prompt), else starts
/// an `/attach` command.
pub(crate) fn attach_key(state: &mut State) -> Vec<Effect> {
    if let Some((path, pasted)) = state.composer.offered_path.take() {
        return read(state, path, Some(pasted));
    }
    if state.draft().trim().is_empty() {
        state.set_draft(&format!("{ATTACH} "));
        state.flash(
            "type the file's path (Tab completes it) and press Enter",
            false,
        );
    } else {
        state.flash(
            "/attach PATH on an empty prompt attaches a file (the draft is kept: clear it or send it first)",
            true,
        );
    }
    Vec::new()
}

/// One line per attached file for the list above the prompt: `1 red.png · PNG 4×3, 93 B`,
/// then one per file still being read.
pub(crate) fn listed(state: &State) -> Vec<String> {
    let reading = state.composer.attaching.iter().map(|(path, _)| {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        format!("… {name} · reading")
    });
    state
        .composer
        .attached
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let icon = match a.kind() {
                Kind::Image => "▣",
                Kind::Video => "▶",
                Kind::Document | Kind::Text => "▤",
            };
            format!(
                "{icon} {} {} · {}",
                i + 1,
                a.name,
                crate::attachments::describe(a.media, &a.data)
            )
        })
        .chain(reading)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_and_typed_paths_are_cleaned() {
        assert_eq!(clean_path("'/tmp/a b.png'"), PathBuf::from("/tmp/a b.png"));
        assert_eq!(clean_path("/tmp/a\\ b.png"), PathBuf::from("/tmp/a b.png"));
        assert_eq!(
            clean_path("file:///tmp/a%20b.png"),
            PathBuf::from("/tmp/a b.png")
        );
    }

    #[test]
    fn paths_complete_as_far_as_they_are_unique() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("report-2025.pdf"), "x").unwrap();
        std::fs::write(dir.path().join("report-2026.pdf"), "x").unwrap();
        std::fs::create_dir(dir.path().join("photos")).unwrap();
        let base = format!("{}/", dir.path().display());
        let (completed, choices) = complete_path(&format!("{base}rep"));
        assert_eq!(completed, format!("{base}report-202"));
        assert_eq!(choices, ["report-2025.pdf", "report-2026.pdf"]);
        let (completed, _) = complete_path(&format!("{base}ph"));
        assert_eq!(completed, format!("{base}photos/"));
        let (completed, choices) = complete_path(&format!("{base}zzz"));
        assert_eq!(completed, format!("{base}zzz"));
        assert!(choices.is_empty());
    }
}
