//! The transcript pane. Each message is laid out once per width and kept ([`message`]); while
//! an answer streams only its last block is laid out again, so a frame costs the same however
//! long the conversation is. Layout is lazy: the messages in view are laid out first (a
//! resumed conversation of thousands of turns shows its end at once), the rest a slice per
//! frame, counted meanwhile at a guessed height. Only the visible rows are drawn.

mod edges;
mod lazy;

pub use lazy::ROWS_KEPT;
mod message;

use super::links::LinkRun;
use super::pictures::PictureCache;
use crate::app::state::{Focus, Message, Scroll, State, ViewMetrics};
use crate::config::theme::Role;
use crate::keymap::{Action, Context};
use message::{Keys, Layout, MessageView};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use std::collections::HashMap;

/// Laid-out messages, kept between frames, in the order of the transcript (so that a frame
/// walks two vectors side by side instead of looking thousands of ids up).
#[derive(Debug, Default)]
pub struct ViewCache {
    views: Vec<MessageView>,
    metrics: ViewMetrics,
    /// Messages still counted at a guessed height.
    pending: bool,
    /// While scrolled to a line: how far the rows above moved as their guessed heights were
    /// replaced, and the scroll position that was in force.
    shift: isize,
    scroll: Scroll,
    /// Pictures encoded for the terminal.
    pictures: PictureCache,
    /// Frames drawn (the first lays out only what is in view).
    frames: u64,
    /// The first row of each message, and the total at the end (one more than messages).
    starts: Vec<usize>,
    /// The id and revision of each message as laid out.
    seen: Vec<(u64, u64)>,
    /// What the last frame's layout was for.
    key: Option<lazy::FrameKey>,
    /// The links on screen in the last frame.
    links: Vec<LinkRun>,
}

impl ViewCache {
    /// Lines the views up with the messages: new messages get empty views; when messages
    /// were removed or reordered, views are matched again by id.
    fn align(&mut self, messages: &[Message]) {
        let prefix_matches = self.views.len() <= messages.len()
            && self.views.iter().zip(messages).all(|(v, m)| v.id == m.id);
        if !prefix_matches {
            let mut old: HashMap<u64, MessageView> =
                self.views.drain(..).map(|view| (view.id, view)).collect();
            self.views.extend(
                messages
                    .iter()
                    .map(|m| old.remove(&m.id).unwrap_or_else(|| MessageView::new(m.id))),
            );
            return;
        }
        let known = self.views.len();
        self.views
            .extend(messages[known..].iter().map(|m| MessageView::new(m.id)));
    }

    /// Sizes of the last frame.
    pub fn metrics(&self) -> ViewMetrics {
        self.metrics
    }

    /// Rows of laid-out messages held now (at most about [`lazy::ROWS_KEPT`] beyond those in
    /// view).
    pub fn rows_held(&self) -> usize {
        self.views.iter().map(MessageView::rows_held).sum()
    }

    /// Whether messages are still waiting for their layout (the loop draws again soon).
    pub fn pending(&self) -> bool {
        self.pending
    }

    /// The links on screen in the last frame.
    pub fn links(&self) -> &[LinkRun] {
        &self.links
    }

    /// Draws pictures as the terminal answered it can.
    pub fn set_graphics(&mut self, graphics: crate::tui::graphics::TerminalGraphics) {
        self.pictures = PictureCache::new(graphics);
    }

    /// The protocol pictures are drawn with.
    pub fn graphics(&self) -> crate::tui::graphics::Graphics {
        self.pictures.graphics
    }

    /// The pictures the last frames wanted drawn and had not decoded, to decode off the loop.
    pub fn take_wanted_pictures(&mut self) -> Vec<std::path::PathBuf> {
        self.pictures.take_wanted()
    }

    /// A picture decoded off the loop (`None`: it could not be).
    pub fn picture_decoded(
        &mut self,
        path: &std::path::Path,
        image: Option<std::sync::Arc<image::DynamicImage>>,
    ) {
        self.pictures.decoded(path, image);
    }

    /// Records the size of a scrollable popup's content and view, and the first row shown.
    pub(crate) fn set_overlay_size(&mut self, content: usize, viewport: usize, first: usize) {
        self.metrics.overlay_content = content;
        self.metrics.overlay_viewport = viewport;
        self.metrics.overlay_first = first;
    }
}

/// Draws the transcript into `area`.
pub fn render(state: &State, cache: &mut ViewCache, area: Rect, buf: &mut Buffer) {
    let retry_key = state.settings.keymap.hint(Context::Chat, Action::Retry);
    let reasoning_key = state
        .settings
        .keymap
        .hint(Context::Chat, Action::ToggleReasoning);
    let keep_key = state
        .settings
        .keymap
        .hint(Context::Transcript, Action::KeepPartial);
    let fold_key = state
        .settings
        .keymap
        .hint(Context::Transcript, Action::ToggleFold);
    let delete_key = state
        .settings
        .keymap
        .hint(Context::Transcript, Action::DeleteTurn);
    let layout = Layout {
        pictures_dir: state.settings.pictures_dir.as_deref(),
        picture_sizes: Some(&state.screen.picture_sizes),
        width: area.width as usize,
        show_reasoning: state.settings.show_reasoning,
        theme: &state.settings.theme,
        // A picture fits in the view with its caption and a row to spare.
        options: crate::ui::markdown::MarkdownOptions {
            picture_rows: area.height.saturating_sub(3).max(1),
            ..state.settings.markdown
        },
        keys: Keys {
            retry: &retry_key,
            reasoning: &reasoning_key,
            keep: &keep_key,
            fold: &fold_key,
            delete: &delete_key,
        },
    };
    cache.links.clear();
    let viewport = area.height as usize;
    let cursor = state
        .screen
        .cursor
        .filter(|_| state.screen.focus == Focus::Transcript);
    if cache.scroll != state.screen.scroll {
        cache.scroll = state.screen.scroll;
        cache.shift = 0;
    }
    let top = lazy::lay_out(state, cache, &layout, cursor, viewport);
    let total = cache.starts.last().copied().unwrap_or(0);
    cache.metrics = ViewMetrics {
        content_height: total,
        viewport_height: viewport,
        top,
        ..cache.metrics
    };
    if state.chat.messages.is_empty() {
        let send = state.settings.keymap.hint(Context::Chat, Action::Send);
        let hint = Line::from(Span::styled(
            format!("No messages yet. Type a prompt below and press {send}."),
            state.settings.theme.style(Role::Muted),
        ));
        buf.set_line(area.x, area.y, &hint, area.width);
        return;
    }
    // Absolute row of the first row of each message; only the visible rows are drawn, then
    // the pictures wholly in view over the rows kept for them.
    let mut y = 0;
    let mut pictures = Vec::new();
    let link_style = state.settings.theme.style(Role::Link);
    let first = lazy::first_at(&cache.starts, top);
    for (index, view) in cache.views.iter().enumerate().skip(first) {
        let (Some(&row), Some(&end)) = (cache.starts.get(index), cache.starts.get(index + 1))
        else {
            break;
        };
        if row >= top + viewport {
            break;
        }
        for offset in top.saturating_sub(row)..end - row {
            if y >= viewport {
                break;
            }
            if let Some(line) = view.row(offset) {
                let y = area.y + y as u16;
                if state.settings.markdown.hyperlinks {
                    let line = take_links(line, area.x, y, link_style, &mut cache.links);
                    buf.set_line(area.x, y, &line, area.width);
                } else {
                    buf.set_line(area.x, y, line, area.width);
                }
            }
            y += 1;
        }
        // The part of each picture in view: rows scrolled out above or below are left out.
        for placement in view.placements() {
            let start = row + placement.row;
            let end = start + usize::from(placement.rows);
            let (first, last) = (start.max(top), end.min(top + viewport));
            if first < last && placement.indent < area.width {
                let rect = Rect::new(
                    area.x + placement.indent,
                    area.y + (first - top) as u16,
                    placement.cols.min(area.width - placement.indent),
                    (last - first) as u16,
                );
                pictures.push((placement, rect, (first - start) as u16));
            }
        }
    }
    for (placement, rect, hidden_above) in pictures {
        cache.pictures.draw(&placement, rect, hidden_above, buf);
    }
}

/// `line` without its link marks, each link's place noted in `links`.
fn take_links(
    line: &Line<'static>,
    x: u16,
    y: u16,
    link_style: ratatui::style::Style,
    links: &mut Vec<LinkRun>,
) -> Line<'static> {
    let mut plain = line.clone();
    let mut column = x;
    for span in &mut plain.spans {
        let width = u16::try_from(span.width()).unwrap_or(u16::MAX);
        if let Some((id, style)) = super::links::unmark(span.style, link_style) {
            span.style = style;
            match links.last_mut() {
                Some(last) if last.id == id && last.y == y && last.x + last.width == column => {
                    last.width += width;
                }
                _ => links.push(LinkRun {
                    y,
                    x: column,
                    width,
                    id,
                }),
            }
        }
        column = column.saturating_add(width);
    }
    plain
}

/// The first row to show so that the rows `start..start + height` are in view, moving from
/// `top` as little as it takes (a message taller than the view shows its start).
fn keep_in_view(top: usize, start: usize, height: usize, viewport: usize) -> usize {
    if start >= top && start + height <= top + viewport {
        top
    } else if start < top || height >= viewport {
        start
    } else {
        start + height - viewport
    }
}

/// One message laid out on its own at `width` (compare panes): body and footer, without the
/// header (the pane's title says whose answer it is).
pub(crate) fn lay_out(state: &State, message: &Message, width: usize) -> Vec<Line<'static>> {
    let retry = state.settings.keymap.hint(Context::Compare, Action::Retry);
    let reasoning = state
        .settings
        .keymap
        .hint(Context::Chat, Action::ToggleReasoning);
    let layout = Layout {
        pictures_dir: state.settings.pictures_dir.as_deref(),
        picture_sizes: Some(&state.screen.picture_sizes),
        width: width.max(1),
        show_reasoning: state.settings.show_reasoning,
        theme: &state.settings.theme,
        options: state.settings.markdown,
        keys: Keys {
            retry: &retry,
            reasoning: &reasoning,
            keep: "",
            fold: "",
            delete: "",
        },
    };
    let mut view = MessageView::new(message.id);
    view.lay_out(message, &layout, false);
    let head = view.head_rows();
    // Panes show links as text (their URL after them), not as hyperlinks.
    let link_style = state.settings.theme.style(Role::Link);
    (head..view.height())
        .filter_map(|i| view.row(i))
        .map(|row| take_links(row, 0, 0, link_style, &mut Vec::new()))
        .collect()
}

#[cfg(test)]
mod tests;
