//! The sizes of the pictures the transcript shows (an image model's, a prompt's attached PNG
//! or JPEG): read off the loop when a picture first appears (an answer's pictures, a prompt
//! sent with files, a conversation opened), kept in the state, and the messages that show one
//! laid out again when its size arrives. Until then its caption says it is loading.

use super::Effect;
use super::state::{Message, State};
use crate::attachments::Media;
use crate::pictures::Probe;
use std::path::{Path, PathBuf};

/// The pictures `message` shows: those its text links to in the pictures directory, and its
/// attached PNG and JPEG files as kept in the attachments directory.
pub(crate) fn shown_by(state: &State, message: &Message) -> Vec<PathBuf> {
    let mut paths = state
        .pictures_dir
        .as_deref()
        .map(|dir| crate::pictures::paths_in(&message.text, dir))
        .unwrap_or_default();
    if let Some(kept) = &state.attachments_dir {
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

/// Asks for the sizes of `paths` not known or asked for yet.
pub(crate) fn probe(state: &mut State, paths: Vec<PathBuf>) -> Vec<Effect> {
    let new: Vec<PathBuf> = paths
        .into_iter()
        .filter(|path| !state.screen.picture_sizes.contains_key(path))
        .filter(|path| !state.screen.pictures_probing.contains(path))
        .collect();
    if new.is_empty() {
        return Vec::new();
    }
    state.screen.pictures_probing.extend(new.iter().cloned());
    vec![Effect::ProbePictures(new)]
}

/// Asks for the sizes of the pictures the message with this id shows.
pub(crate) fn probe_message(state: &mut State, id: u64) -> Vec<Effect> {
    let paths = state
        .messages
        .iter()
        .rfind(|m| m.id == id)
        .map(|message| shown_by(state, message))
        .unwrap_or_default();
    probe(state, paths)
}

/// Asks for the sizes of every picture the conversation shows (one opened).
pub(crate) fn probe_all(state: &mut State) -> Vec<Effect> {
    let paths: Vec<PathBuf> = state
        .messages
        .iter()
        .flat_map(|message| shown_by(state, message))
        .collect();
    probe(state, paths)
}

/// A picture's size arrived: kept, and the messages that show it laid out again.
pub(crate) fn on_probed(state: &mut State, path: PathBuf, probe: Probe) {
    state.screen.pictures_probing.remove(&path);
    let showing: Vec<u64> = state
        .messages
        .iter()
        .filter(|message| shows(state, message, &path))
        .map(|message| message.id)
        .collect();
    state.screen.picture_sizes.insert(path, probe);
    for id in showing {
        if let Some(message) = state.message_mut(id) {
            message.changed();
        }
    }
}

fn shows(state: &State, message: &Message, path: &Path) -> bool {
    path.to_str().is_some_and(|p| message.text.contains(p))
        || (!message.attachments.is_empty() && shown_by(state, message).iter().any(|p| p == path))
}
