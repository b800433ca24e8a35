//! Which messages are laid out this frame: the streaming answers and the message the cursor
//! holds always, then the ones in view, then (while any wait) a slice of the rest, nearest
//! the view first. Messages not laid out count at a guessed height; while scrolled to a line,
//! the rows above the view that change height move the view with them, so what is on screen
//! holds still. A steady frame is one pass over the messages.

use super::message::Layout;
use super::{ViewCache, keep_in_view};
use crate::app::state::{Scroll, State};

/// Text laid out per frame beyond what is in view, while messages wait for their layout.
const BACKGROUND_BYTES: usize = 192 * 1024;

/// Lays out what this frame needs and returns the first row in view; `cache.starts` holds
/// every message's first row after it.
pub(super) fn lay_out(
    state: &State,
    cache: &mut ViewCache,
    layout: &Layout<'_>,
    cursor: Option<u64>,
    viewport: usize,
) -> usize {
    let held = match state.scroll {
        Scroll::Message(id) => Some(id),
        _ => None,
    };
    let key = FrameKey {
        width: layout.width,
        show_reasoning: layout.show_reasoning,
        cursor,
        syntaxes_ready: crate::ui::highlight::ready(),
    };
    let steady = (cache.key == Some(key) && !cache.pending)
        .then(|| steady_frame(state, cache, layout, cursor, held))
        .flatten();
    let (mut stale, waits) = if let Some(stale) = steady {
        (stale, false)
    } else {
        cache.align(&state.messages);
        measure(state, cache, layout, cursor, held)
    };
    cache.key = Some(key);
    let mut top = in_view(state, cache, layout, cursor, viewport);
    if stale > 0 {
        stale = lay_out_more(state, cache, layout, cursor, top);
        starts_from(state, cache, layout, 0);
        top = in_view(state, cache, layout, cursor, viewport);
    }
    cache.pending = stale > 0 || waits;
    cache.metrics.top = top;
    if steady.is_none() {
        remember(state, cache);
    }
    top
}

/// What, besides the messages themselves, decides every message's layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FrameKey {
    width: usize,
    show_reasoning: bool,
    cursor: Option<u64>,
    syntaxes_ready: bool,
}

/// A frame like the last but for some messages' revisions (an answer streaming): only those
/// are looked at, and the first rows counted again from the first of them. `None` when
/// messages came, went or moved (the full pass is needed). Returns how many changed
/// messages wait for their layout.
fn steady_frame(
    state: &State,
    cache: &mut ViewCache,
    layout: &Layout<'_>,
    cursor: Option<u64>,
    held: Option<u64>,
) -> Option<usize> {
    if cache.seen.len() != state.messages.len() || cache.views.len() != state.messages.len() {
        return None;
    }
    let mut first_changed = None;
    let mut stale = 0;
    for (index, message) in state.messages.iter().enumerate() {
        let seen = cache.seen.get(index).copied();
        if seen == Some((message.id, message.revision)) {
            continue;
        }
        if seen.map(|(id, _)| id) != Some(message.id) {
            return None;
        }
        first_changed.get_or_insert(index);
        let view = cache.views.get_mut(index)?;
        if message.in_flight() || held == Some(message.id) {
            view.lay_out(message, layout, cursor == Some(message.id));
        } else {
            stale += 1;
        }
        if let Some(seen) = cache.seen.get_mut(index) {
            *seen = (message.id, message.revision);
        }
    }
    if let Some(held) = held
        && let Some(index) = state.messages.iter().position(|m| m.id == held)
        && let (Some(message), Some(view)) = (state.messages.get(index), cache.views.get_mut(index))
        && !view.is_current(message, layout, cursor == Some(held))
    {
        view.lay_out(message, layout, cursor == Some(held));
        first_changed = Some(first_changed.map_or(index, |f: usize| f.min(index)));
    }
    if let Some(from) = first_changed {
        starts_from(state, cache, layout, from);
    }
    Some(stale)
}

/// The ids and revisions the layout is for.
fn remember(state: &State, cache: &mut ViewCache) {
    cache.seen.clear();
    cache
        .seen
        .extend(state.messages.iter().map(|m| (m.id, m.revision)));
}

/// One pass: lays out the streaming answers and the held message, and counts every message's
/// first row. Returns how many messages are not laid out as they are now, and whether any
/// waits for the syntax definitions.
fn measure(
    state: &State,
    cache: &mut ViewCache,
    layout: &Layout<'_>,
    cursor: Option<u64>,
    held: Option<u64>,
) -> (usize, bool) {
    let mut stale = 0;
    let mut waits = false;
    let mut total = 0;
    cache.starts.clear();
    for (message, view) in state.messages.iter().zip(cache.views.iter_mut()) {
        let selected = cursor == Some(message.id);
        if !view.is_current(message, layout, selected) {
            if message.in_flight() || held == Some(message.id) {
                view.lay_out(message, layout, selected);
            } else {
                stale += 1;
            }
        }
        waits |= view.waits_for_syntaxes();
        cache.starts.push(total);
        total += view.estimated_height(message, layout);
    }
    cache.starts.push(total);
    (stale, waits)
}

/// Counts the first rows again from message `from` on.
fn starts_from(state: &State, cache: &mut ViewCache, layout: &Layout<'_>, from: usize) {
    cache.starts.truncate(from + 1);
    let mut total = cache.starts.last().copied().unwrap_or(0);
    if from == 0 {
        cache.starts.clear();
        total = 0;
        cache.starts.push(0);
    }
    for (message, view) in state.messages.iter().zip(cache.views.iter_mut()).skip(from) {
        total += view.estimated_height(message, layout);
        cache.starts.push(total);
    }
}

/// The first row in view for the scroll position and the current heights.
fn top_of(state: &State, cache: &ViewCache, viewport: usize) -> usize {
    let total = cache.starts.last().copied().unwrap_or(0);
    let max_top = total.saturating_sub(viewport);
    match state.scroll {
        Scroll::Follow => max_top,
        Scroll::Line(line) => line.saturating_add_signed(cache.shift).min(max_top),
        Scroll::Message(id) => state
            .messages
            .iter()
            .position(|m| m.id == id)
            .and_then(|index| {
                let start = *cache.starts.get(index)?;
                let end = *cache.starts.get(index + 1)?;
                Some(keep_in_view(
                    cache.metrics.top,
                    start,
                    end - start,
                    viewport,
                ))
            })
            .unwrap_or(cache.metrics.top)
            .min(max_top),
    }
}

/// Lays out the messages in view until the view holds still; returns its first row.
fn in_view(
    state: &State,
    cache: &mut ViewCache,
    layout: &Layout<'_>,
    cursor: Option<u64>,
    viewport: usize,
) -> usize {
    let mut top = top_of(state, cache, viewport);
    for _ in 0..8 {
        let first = cache
            .starts
            .partition_point(|&start| start <= top)
            .saturating_sub(1);
        let mut changed = None;
        for index in first..state.messages.len() {
            let (Some(&start), Some(message)) =
                (cache.starts.get(index), state.messages.get(index))
            else {
                break;
            };
            if start >= top + viewport {
                break;
            }
            let Some(view) = cache.views.get_mut(index) else {
                break;
            };
            let selected = cursor == Some(message.id);
            if view.is_current(message, layout, selected) {
                continue;
            }
            let before = view.estimated_height(message, layout);
            view.lay_out(message, layout, selected);
            let after = view.estimated_height(message, layout);
            if after != before {
                changed.get_or_insert(index);
                if start < top && matches!(state.scroll, Scroll::Line(_)) {
                    cache.shift += after as isize - before as isize;
                }
            }
        }
        let Some(from) = changed else {
            break;
        };
        starts_from(state, cache, layout, from);
        top = top_of(state, cache, viewport);
    }
    top
}

/// Lays out up to [`BACKGROUND_BYTES`] of the messages still waiting, those below the view
/// first, then upwards from it (none on the very first frame, which shows the view as soon as
/// it can). Returns how many still wait.
fn lay_out_more(
    state: &State,
    cache: &mut ViewCache,
    layout: &Layout<'_>,
    cursor: Option<u64>,
    top: usize,
) -> usize {
    let mut budget = if cache.frames == 0 {
        0
    } else {
        BACKGROUND_BYTES
    };
    cache.frames += 1;
    let first_visible = cache
        .starts
        .partition_point(|&start| start <= top)
        .saturating_sub(1)
        .min(state.messages.len());
    let order = (first_visible..state.messages.len()).chain((0..first_visible).rev());
    let mut waiting = 0;
    for index in order {
        let (Some(message), Some(view)) = (state.messages.get(index), cache.views.get_mut(index))
        else {
            continue;
        };
        let selected = cursor == Some(message.id);
        if view.is_current(message, layout, selected) {
            continue;
        }
        if budget == 0 {
            waiting += 1;
            continue;
        }
        let before = view.estimated_height(message, layout);
        budget = budget.saturating_sub(view.lay_out(message, layout, selected).max(1));
        let after = view.estimated_height(message, layout);
        if index < first_visible && matches!(state.scroll, Scroll::Line(_)) {
            cache.shift += after as isize - before as isize;
        }
    }
    waiting
}
