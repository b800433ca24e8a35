//! The sizes of the pictures the transcript shows (an image model's, a prompt's attached PNG
//! or JPEG): read off the loop when a picture first appears (an answer's pictures, a prompt
//! sent with files, a conversation opened), kept in the state, and the messages that show one
//! laid out again when its size arrives. Until then its caption says it is loading.

use super::Effect;
use super::state::{Message, State};
use crate::attachments::Media;
use crate::pictures::Probe;
use std::path::PathBuf;

/// The pictures `message` shows: those its text links to in the pictures directory, and its
/// attached PNG and JPEG files as kept in the attachments directory.
pub(crate) fn shown_by(state: &State, message: &Message) -> Vec<PathBuf> {
    let mut paths = state
        .settings
        .pictures_dir
        .as_deref()
        .map(|dir| crate::pictures::paths_in(&message.text, dir))
        .unwrap_or_default();
    if let Some(kept) = &state.settings.attachments_dir {
        paths.extend(
            message
                .attachments
                .iter()
                .filter(|file| matches!(file.media, Media::Png | Media::Jpeg))
                .map(|file| crate::attachments::store::kept_at(kept, file)),
        );
    }
    paths
}

/// Asks for the sizes of `paths` not known or asked for yet; the message with id `shown_in`
/// (when there is one on screen: a compare pane's is laid out every frame) is laid out again
/// when each arrives.
pub(crate) fn probe(state: &mut State, shown_in: Option<u64>, paths: Vec<PathBuf>) -> Vec<Effect> {
    let new = wait_for(state, shown_in, paths);
    ask(new)
}

/// Notes that `shown_in` waits for the sizes of `paths`; the ones not asked for yet (none when
/// pictures are not drawn: their captions need no size).
fn wait_for(state: &mut State, shown_in: Option<u64>, paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if state.settings.markdown.pictures.is_none() {
        return Vec::new();
    }
    let mut new = Vec::new();
    for path in paths {
        if state.screen.picture_sizes.contains_key(&path) {
            continue;
        }
        let waiting = state.screen.pictures_probing.entry(path.clone());
        if matches!(waiting, std::collections::hash_map::Entry::Vacant(_)) {
            new.push(path);
        }
        let ids = waiting.or_default();
        if let Some(id) = shown_in.filter(|id| !ids.contains(id)) {
            ids.push(id);
        }
    }
    new
}

fn ask(paths: Vec<PathBuf>) -> Vec<Effect> {
    if paths.is_empty() {
        Vec::new()
    } else {
        vec![Effect::ProbePictures(paths)]
    }
}

/// Asks for the sizes of the pictures the message with this id shows.
pub(crate) fn probe_message(state: &mut State, id: u64) -> Vec<Effect> {
    probe_messages(state, &[id])
}

/// Asks for the sizes of the pictures the messages with these ids show (a version brought on
/// screen).
pub(crate) fn probe_messages(state: &mut State, ids: &[u64]) -> Vec<Effect> {
    probe_where(state, |message| ids.contains(&message.id))
}

/// Asks for the sizes of every picture the conversation on screen shows (one opened; its
/// other versions are asked for when they are brought on screen).
pub(crate) fn probe_all(state: &mut State) -> Vec<Effect> {
    probe_where(state, |_| true)
}

fn probe_where(state: &mut State, pick: impl Fn(&Message) -> bool) -> Vec<Effect> {
    let shown: Vec<(u64, Vec<PathBuf>)> = state
        .chat
        .messages
        .iter()
        .filter(|message| pick(message))
        .map(|message| (message.id, shown_by(state, message)))
        .filter(|(_, paths)| !paths.is_empty())
        .collect();
    let mut new = Vec::new();
    for (id, paths) in shown {
        new.extend(wait_for(state, Some(id), paths));
    }
    ask(new)
}

/// A picture's size arrived: kept, and the messages that wait for it laid out again.
pub(crate) fn on_probed(state: &mut State, path: PathBuf, probe: Probe) {
    let waiting = state
        .screen
        .pictures_probing
        .remove(&path)
        .unwrap_or_default();
    state.screen.picture_sizes.insert(path, probe);
    for id in waiting {
        if let Some(message) = state.message_mut(id) {
            message.changed();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::state::Speaker;

    #[test]
    fn a_size_read_lays_out_again_the_messages_that_wait_for_it_and_no_other() {
        let mut state = State::new(
            "m".into(),
            crate::keymap::Keymap::default(),
            crate::config::theme::Theme::default(),
        );
        let dir = PathBuf::from("/data/bedrock-tui/images");
        state.settings.pictures_dir = Some(dir.clone());
        state.settings.markdown.pictures = Some((10, 20));
        let picture = dir.join(format!("{}.png", "ab".repeat(16)));
        let shown = format!("![picture 1]({})", picture.display());
        let first = state.push(Speaker::Assistant, shown.clone());
        let plain = state.push(Speaker::User, "no picture here");
        let again = state.push(Speaker::Assistant, shown);
        // One question for the picture, however many messages show it.
        assert_eq!(
            probe_all(&mut state),
            [Effect::ProbePictures(vec![picture.clone()])]
        );
        assert!(probe_message(&mut state, first).is_empty(), "asked already");
        let revision = |state: &State, id: u64| {
            state
                .chat
                .messages
                .iter()
                .find(|m| m.id == id)
                .unwrap()
                .revision()
        };
        let before: Vec<u64> = [first, plain, again].map(|id| revision(&state, id)).into();
        on_probed(&mut state, picture.clone(), Ok((4, 3)));
        let after: Vec<u64> = [first, plain, again].map(|id| revision(&state, id)).into();
        assert_eq!(after[0], before[0] + 1);
        assert_eq!(after[1], before[1], "a message without the picture stays");
        assert_eq!(after[2], before[2] + 1);
        assert_eq!(state.screen.picture_sizes.get(&picture), Some(&Ok((4, 3))));
        assert!(probe_all(&mut state).is_empty(), "known now");
        // Where pictures are not drawn, their captions need no size: nothing is read.
        let other = dir.join(format!("{}.png", "cd".repeat(16)));
        state.push(
            Speaker::Assistant,
            format!("![picture 2]({})", other.display()),
        );
        state.settings.markdown.pictures = None;
        assert!(probe_all(&mut state).is_empty());
    }
}
