//! Which messages are laid out this frame: the streaming answers and the message the cursor
//! holds always, then the ones in view, then (while any wait) a slice of the rest, nearest
//! the view first. Messages not laid out count at a guessed height; while scrolled to a line,
//! the rows above the view that change height move the view with them, so what is on screen
//! holds still. A steady frame is one pass over the messages.
//!
//! Laid-out rows take many times the size of their text, so only [`ROWS_KEPT`] of them are
//! kept: past that, the rows of the messages farthest from the view are dropped, their height
//! remembered, and laid out again when they come back into view.

use super::message::Layout;
use super::{ViewCache, keep_in_view};
use crate::app::state::{Scroll, State};

/// Text laid out per frame beyond what is in view, while messages wait for their layout.
const BACKGROUND_BYTES: usize = 192 * 1024;

/// The most laid-out rows kept across all messages (about a few tens of MiB).
pub const ROWS_KEPT: usize = 50_000;

/// Lays out what this frame needs and returns the first row in view; `cache.starts` holds
/// every message's first row after it.
pub(super) fn lay_out(
    state: &State,
    cache: &mut ViewCache,
    layout: &Layout<'_>,
    cursor: Option<u64>,
    viewport: usize,
) -> usize {
    let frame = Frame {
        state,
        layout,
        cursor,
        held: match state.screen.scroll {
            Scroll::Message(id) => Some(id),
            _ => None,
        },
        viewport,
    };
    let key = FrameKey {
        width: layout.width,
        show_reasoning: layout.show_reasoning,
        cursor,
        syntaxes_ready: crate::ui::highlight::ready(),
        picture_rows: layout.options.picture_rows,
    };
    let steady = (cache.key == Some(key) && !cache.pending)
        .then(|| steady_frame(&frame, cache))
        .flatten();
    let (mut stale, waits) = if let Some(stale) = steady {
        (stale, false)
    } else {
        cache.align(&state.chat.messages);
        measure(&frame, cache)
    };
    cache.key = Some(key);
    let mut top = in_view(&frame, cache);
    if stale > 0 {
        stale = lay_out_more(&frame, cache, top);
        starts_from(&frame, cache, 0);
        top = in_view(&frame, cache);
    }
    cache.pending = stale > 0 || waits;
    cache.metrics.top = top;
    if steady.is_none() {
        remember(state, cache);
        forget_far_rows(&frame, cache, top);
    }
    top
}

/// Drops the rows of the messages farthest from the view while more than [`ROWS_KEPT`] are
/// held (never those in view, streaming or held).
fn forget_far_rows(frame: &Frame<'_>, cache: &mut ViewCache, top: usize) {
    let held: usize = cache
        .views
        .iter()
        .map(super::message::MessageView::rows_held)
        .sum();
    if held <= ROWS_KEPT {
        return;
    }
    let bottom = top + frame.viewport;
    let mut far: Vec<(usize, usize)> = Vec::new();
    for (index, (message, view)) in frame
        .state
        .chat
        .messages
        .iter()
        .zip(&cache.views)
        .enumerate()
    {
        let (Some(&start), Some(&end)) = (cache.starts.get(index), cache.starts.get(index + 1))
        else {
            break;
        };
        if view.rows_held() == 0 || frame.always(message) || (end > top && start < bottom) {
            continue;
        }
        let distance = if end <= top {
            top - end
        } else {
            start - bottom
        };
        far.push((distance, index));
    }
    far.sort_unstable_by(|a, b| b.cmp(a));
    let mut held = held;
    for (_, index) in far {
        if held <= ROWS_KEPT {
            break;
        }
        if let (Some(message), Some(view)) = (
            frame.state.chat.messages.get(index),
            cache.views.get_mut(index),
        ) {
            held -= view.forget_rows(message);
        }
    }
}

/// What this frame is laid out for.
struct Frame<'f> {
    state: &'f State,
    layout: &'f Layout<'f>,
    /// The message under the cursor (drawn selected).
    cursor: Option<u64>,
    /// The message the view keeps in view.
    held: Option<u64>,
    viewport: usize,
}

impl Frame<'_> {
    fn selected(&self, id: u64) -> bool {
        self.cursor == Some(id)
    }

    /// Whether the message is laid out whatever the view (streaming, or held).
    fn always(&self, message: &crate::app::state::Message) -> bool {
        message.in_flight() || self.held == Some(message.id)
    }
}

/// The first message whose rows reach `top`.
pub(super) fn first_at(starts: &[usize], top: usize) -> usize {
    starts
        .partition_point(|&start| start <= top)
        .saturating_sub(1)
}

/// What, besides the messages themselves, decides every message's layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FrameKey {
    width: usize,
    show_reasoning: bool,
    cursor: Option<u64>,
    syntaxes_ready: bool,
    picture_rows: u16,
}

/// A frame like the last but for some messages' revisions (an answer streaming): only those
/// are looked at, and the first rows counted again from the first of them. `None` when
/// messages came, went or moved (the full pass is needed). Returns how many changed
/// messages wait for their layout.
fn steady_frame(frame: &Frame<'_>, cache: &mut ViewCache) -> Option<usize> {
    let (state, layout) = (frame.state, frame.layout);
    if cache.seen.len() != state.chat.messages.len()
        || cache.views.len() != state.chat.messages.len()
    {
        return None;
    }
    let mut first_changed = None;
    let mut stale = 0;
    for (index, message) in state.chat.messages.iter().enumerate() {
        let seen = cache.seen.get(index).copied();
        if seen == Some((message.id, message.revision())) {
            continue;
        }
        if seen.map(|(id, _)| id) != Some(message.id) {
            return None;
        }
        first_changed.get_or_insert(index);
        let view = cache.views.get_mut(index)?;
        if frame.always(message) {
            view.lay_out(message, layout, frame.selected(message.id));
        } else {
            stale += 1;
        }
        if let Some(seen) = cache.seen.get_mut(index) {
            *seen = (message.id, message.revision());
        }
    }
    if let Some(held) = frame.held
        && let Some(index) = state.chat.messages.iter().position(|m| m.id == held)
        && let (Some(message), Some(view)) =
            (state.chat.messages.get(index), cache.views.get_mut(index))
        && !view.is_current(message, layout, frame.selected(held))
    {
        view.lay_out(message, layout, frame.selected(held));
        first_changed = Some(first_changed.map_or(index, |f: usize| f.min(index)));
    }
    if let Some(from) = first_changed {
        starts_from(frame, cache, from);
    }
    Some(stale)
}

/// The ids and revisions the layout is for.
fn remember(state: &State, cache: &mut ViewCache) {
    cache.seen.clear();
    cache
        .seen
        .extend(state.chat.messages.iter().map(|m| (m.id, m.revision())));
}

/// One pass: lays out the streaming answers and the held message, and counts every message's
/// first row. Returns how many messages are not laid out as they are now, and whether any
/// waits for the syntax definitions.
fn measure(frame: &Frame<'_>, cache: &mut ViewCache) -> (usize, bool) {
    let (state, layout) = (frame.state, frame.layout);
    let mut stale = 0;
    let mut waits = false;
    let mut total = 0;
    cache.starts.clear();
    for (message, view) in state.chat.messages.iter().zip(cache.views.iter_mut()) {
        let selected = frame.selected(message.id);
        if !view.is_current(message, layout, selected) {
            if frame.always(message) {
                view.lay_out(message, layout, selected);
            } else if !view.measured(message, layout) {
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

/// Counts the first rows again from message `from` on (the rows before it stand).
fn starts_from(frame: &Frame<'_>, cache: &mut ViewCache, from: usize) {
    let from = from.min(cache.starts.len().saturating_sub(1));
    cache.starts.truncate(from + 1);
    if cache.starts.is_empty() {
        cache.starts.push(0);
    }
    let mut total = cache.starts.last().copied().unwrap_or(0);
    let messages = frame.state.chat.messages.iter().skip(from);
    for (message, view) in messages.zip(cache.views.iter_mut().skip(from)) {
        total += view.estimated_height(message, frame.layout);
        cache.starts.push(total);
    }
}

/// The first row in view for the scroll position and the current heights.
fn top_of(frame: &Frame<'_>, cache: &ViewCache) -> usize {
    let (state, viewport) = (frame.state, frame.viewport);
    let total = cache.starts.last().copied().unwrap_or(0);
    let max_top = total.saturating_sub(viewport);
    match state.screen.scroll {
        Scroll::Follow => max_top,
        Scroll::Line(line) => line.saturating_add_signed(cache.shift).min(max_top),
        Scroll::Message(id) => state
            .chat
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
fn in_view(frame: &Frame<'_>, cache: &mut ViewCache) -> usize {
    let (state, layout, viewport) = (frame.state, frame.layout, frame.viewport);
    let mut top = top_of(frame, cache);
    for _ in 0..8 {
        let first = first_at(&cache.starts, top);
        let mut changed = None;
        for index in first..state.chat.messages.len() {
            let (Some(&start), Some(message)) =
                (cache.starts.get(index), state.chat.messages.get(index))
            else {
                break;
            };
            if start >= top + viewport {
                break;
            }
            let Some(view) = cache.views.get_mut(index) else {
                break;
            };
            let selected = frame.selected(message.id);
            if view.is_current(message, layout, selected) {
                continue;
            }
            let before = view.estimated_height(message, layout);
            view.lay_out(message, layout, selected);
            let after = view.estimated_height(message, layout);
            if after != before {
                changed.get_or_insert(index);
                if start < top && matches!(state.screen.scroll, Scroll::Line(_)) {
                    cache.shift += after as isize - before as isize;
                }
            }
        }
        let Some(from) = changed else {
            break;
        };
        starts_from(frame, cache, from);
        top = top_of(frame, cache);
    }
    top
}

/// Lays out up to [`BACKGROUND_BYTES`] of the messages still waiting, those below the view
/// first, then upwards from it (none on the very first frame, which shows the view as soon as
/// it can). Returns how many still wait.
fn lay_out_more(frame: &Frame<'_>, cache: &mut ViewCache, top: usize) -> usize {
    let (state, layout) = (frame.state, frame.layout);
    let mut budget = if cache.frames == 0 {
        0
    } else {
        BACKGROUND_BYTES
    };
    cache.frames += 1;
    let first_visible = first_at(&cache.starts, top).min(state.chat.messages.len());
    let order = (first_visible..state.chat.messages.len()).chain((0..first_visible).rev());
    let mut waiting = 0;
    for index in order {
        let (Some(message), Some(view)) =
            (state.chat.messages.get(index), cache.views.get_mut(index))
        else {
            continue;
        };
        let selected = frame.selected(message.id);
        if view.is_current(message, layout, selected) || view.measured(message, layout) {
            continue;
        }
        if budget == 0 {
            waiting += 1;
            continue;
        }
        let before = view.estimated_height(message, layout);
        budget = budget.saturating_sub(view.lay_out(message, layout, selected).max(1));
        let after = view.estimated_height(message, layout);
        if index < first_visible && matches!(state.screen.scroll, Scroll::Line(_)) {
            cache.shift += after as isize - before as isize;
        }
    }
    waiting
}
