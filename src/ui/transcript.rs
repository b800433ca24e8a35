//! The transcript pane: each message is laid out once per width and cached; while an answer
//! streams only its unfinished last line is laid out again, so a frame costs the same however
//! long the conversation is. Only the visible rows are drawn.

use super::markdown::{BlockState, render_line};
use super::wrap::{Break, StyledLine, wrap_into};
use crate::app::state::{AnswerStatus, Focus, Message, Scroll, Speaker, State, ViewMetrics};
use crate::config::theme::{Role, Theme};
use crate::keymap::{Action, Context};
use crate::text::sanitize_for_terminal;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use std::collections::HashMap;

/// A message laid out for one width.
#[derive(Debug, Default)]
struct MessageView {
    /// The message this view lays out.
    id: u64,
    revision: u64,
    width: usize,
    show_reasoning: bool,
    /// Laid out as the message under the cursor.
    selected: bool,
    /// Header, reasoning.
    head: Vec<Line<'static>>,
    /// Rows of the body's finished lines.
    body: Vec<Line<'static>>,
    /// Bytes of the text laid out into `body` (up to and including the last newline).
    body_done: usize,
    /// Markdown state after `body_done`.
    blocks: BlockState,
    /// Rows of the unfinished last line.
    tail: Vec<Line<'static>>,
    /// Error, notes, the blank separator.
    foot: Vec<Line<'static>>,
}

impl MessageView {
    fn height(&self) -> usize {
        self.head.len() + self.body.len() + self.tail.len() + self.foot.len()
    }

    fn row(&self, mut index: usize) -> Option<&Line<'static>> {
        for part in [&self.head, &self.body, &self.tail, &self.foot] {
            if index < part.len() {
                return part.get(index);
            }
            index -= part.len();
        }
        None
    }
}

/// Laid-out messages, kept between frames, in the order of the transcript (so that a frame
/// walks two vectors side by side instead of looking thousands of ids up).
#[derive(Debug, Default)]
pub struct ViewCache {
    views: Vec<MessageView>,
    metrics: ViewMetrics,
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
            self.views.extend(messages.iter().map(|m| {
                old.remove(&m.id).unwrap_or_else(|| MessageView {
                    id: m.id,
                    ..MessageView::default()
                })
            }));
            return;
        }
        let known = self.views.len();
        self.views
            .extend(messages[known..].iter().map(|m| MessageView {
                id: m.id,
                ..MessageView::default()
            }));
    }
}

impl ViewCache {
    /// Sizes of the last frame.
    pub fn metrics(&self) -> ViewMetrics {
        self.metrics
    }

    /// Records the size of a scrollable popup's content and view.
    pub(crate) fn set_overlay_size(&mut self, content: usize, viewport: usize) {
        self.metrics.overlay_content = content;
        self.metrics.overlay_viewport = viewport;
    }
}

/// Draws the transcript into `area`.
pub fn render(state: &State, cache: &mut ViewCache, area: Rect, buf: &mut Buffer) {
    let width = area.width as usize;
    let theme = &state.theme;
    let retry_key = state.keymap.hint(Context::Chat, Action::Retry);
    let reasoning_key = state.keymap.hint(Context::Chat, Action::ToggleReasoning);
    let keep_key = state.keymap.hint(Context::Transcript, Action::KeepPartial);
    let fold_key = state.keymap.hint(Context::Transcript, Action::ToggleFold);
    let keys = Keys {
        retry: &retry_key,
        reasoning: &reasoning_key,
        keep: &keep_key,
        fold: &fold_key,
    };
    cache.align(&state.messages);
    let cursor = state.cursor.filter(|_| state.focus == Focus::Transcript);
    let held = match state.scroll {
        Scroll::Message(id) => Some(id),
        _ => None,
    };
    let mut total = 0;
    let mut held_rows = None;
    for (message, view) in state.messages.iter().zip(cache.views.iter_mut()) {
        let selected = cursor == Some(message.id);
        layout(
            message,
            view,
            width,
            state.show_reasoning,
            selected,
            theme,
            &keys,
        );
        if held == Some(message.id) {
            held_rows = Some((total, view.height()));
        }
        total += view.height();
    }
    let viewport = area.height as usize;
    let max_top = total.saturating_sub(viewport);
    let top = match state.scroll {
        Scroll::Follow => max_top,
        Scroll::Line(line) => line.min(max_top),
        Scroll::Message(_) => match held_rows {
            Some((start, height)) => keep_in_view(cache.metrics.top, start, height, viewport),
            None => cache.metrics.top,
        }
        .min(max_top),
    };
    cache.metrics = ViewMetrics {
        content_height: total,
        viewport_height: viewport,
        top,
        ..cache.metrics
    };
    if state.messages.is_empty() {
        let hint = Line::from(Span::styled(
            "No messages yet. Type a prompt below and press Enter.",
            theme.style(Role::Muted),
        ));
        buf.set_line(area.x, area.y, &hint, area.width);
        return;
    }
    // Absolute row of the first row of each message; only the visible rows are drawn.
    let mut row = 0;
    let mut y = 0;
    for view in &cache.views {
        let height = view.height();
        if row + height <= top {
            row += height;
            continue;
        }
        for index in top.saturating_sub(row)..height {
            if y >= viewport {
                return;
            }
            if let Some(line) = view.row(index) {
                buf.set_line(area.x, area.y + y as u16, line, area.width);
            }
            y += 1;
        }
        row += height;
    }
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
    let retry = state.keymap.hint(Context::Compare, Action::Retry);
    let reasoning = state.keymap.hint(Context::Chat, Action::ToggleReasoning);
    let keys = Keys {
        retry: &retry,
        reasoning: &reasoning,
        keep: "",
        fold: "",
    };
    let mut view = MessageView {
        id: message.id,
        ..MessageView::default()
    };
    layout(
        message,
        &mut view,
        width.max(1),
        state.show_reasoning,
        false,
        &state.theme,
        &keys,
    );
    (view.head.len()..view.height())
        .filter_map(|i| view.row(i).cloned())
        .collect()
}

struct Keys<'a> {
    retry: &'a str,
    reasoning: &'a str,
    /// Keeps a partial answer as context (empty: not offered).
    keep: &'a str,
    /// Unfolds a long prompt.
    fold: &'a str,
}

fn layout(
    message: &Message,
    view: &mut MessageView,
    width: usize,
    show_reasoning: bool,
    selected: bool,
    theme: &Theme,
    keys: &Keys<'_>,
) {
    if message.deleted {
        // Not shown: no rows.
        *view = MessageView {
            id: message.id,
            revision: message.revision,
            width,
            ..MessageView::default()
        };
        return;
    }
    let fresh = view.width != width || view.show_reasoning != show_reasoning;
    if !fresh && view.revision == message.revision && view.selected == selected && view.height() > 0
    {
        return;
    }
    // A long prompt shows its first lines only, until it is unfolded.
    let fold = message.fold();
    let text = match fold {
        Some((cut, _)) => &message.text[..cut],
        None => message.text.as_str(),
    };
    if fresh || text.len() < view.body_done {
        *view = MessageView {
            id: message.id,
            ..MessageView::default()
        };
    }
    view.revision = message.revision;
    view.width = width;
    view.show_reasoning = show_reasoning;
    view.selected = selected;
    view.head.clear();
    head(
        message,
        show_reasoning,
        selected,
        theme,
        keys,
        width,
        &mut view.head,
    );
    // Only lines finished since the last layout are added; earlier rows stay as they are.
    let body_style = match message.speaker {
        Speaker::Notice => Some(theme.style(Role::Muted)),
        _ => None,
    };
    if let Some(done) = text[view.body_done..]
        .rfind('\n')
        .map(|i| view.body_done + i + 1)
    {
        for line in text[view.body_done..done - 1].split('\n') {
            let styled = body_line(line, &mut view.blocks, body_style, theme);
            wrap_into(&styled, width, &mut view.body);
        }
        view.body_done = done;
    }
    view.tail.clear();
    let rest = &text[view.body_done..];
    if !rest.is_empty() {
        let mut blocks = view.blocks.clone();
        blocks.open_ended = message.in_flight();
        let styled = body_line(rest, &mut blocks, body_style, theme);
        wrap_into(&styled, width, &mut view.tail);
    }
    view.foot.clear();
    if let Some((_, lines)) = fold {
        let size = crate::files::human_size(message.text.len() as u64);
        let fold_line = StyledLine::plain(
            format!(
                "  ▸ a long prompt: {lines} lines, {size}, sent whole ({} unfolds)",
                keys.fold
            ),
            theme.style(Role::Muted),
        );
        wrap_into(&fold_line, width, &mut view.foot);
    }
    foot(message, theme, keys, width, &mut view.foot);
}

fn body_line(
    raw: &str,
    blocks: &mut BlockState,
    fixed: Option<ratatui::style::Style>,
    theme: &Theme,
) -> StyledLine {
    let raw = raw.strip_suffix('\r').unwrap_or(raw);
    let safe = sanitize_for_terminal(raw).replace('\t', "    ");
    match fixed {
        Some(style) => {
            let mut line = StyledLine::plain(safe, style);
            line.prefix = vec![Span::styled("  ", style)];
            line.continuation = line.prefix.clone();
            line
        }
        None => render_line(&safe, blocks, theme),
    }
}

fn head(
    message: &Message,
    show_reasoning: bool,
    selected: bool,
    theme: &Theme,
    keys: &Keys<'_>,
    width: usize,
    out: &mut Vec<Line<'static>>,
) {
    let muted = theme.style(Role::Muted);
    // The message cursor: a pointer and the selection style on the name.
    let role = match message.speaker {
        Speaker::User => Role::User,
        Speaker::Assistant => Role::Assistant,
        Speaker::Notice => Role::Muted,
    };
    let (bar, name_style) = if selected {
        ("▶ ", theme.style(role).patch(theme.style(Role::Selection)))
    } else {
        ("▌ ", theme.style(role))
    };
    let mut spans = match message.speaker {
        Speaker::User => vec![Span::styled(format!("{bar}You"), name_style)],
        Speaker::Assistant => {
            let model = message.model.as_deref().unwrap_or("model");
            vec![Span::styled(
                format!(
                    "{bar}{}",
                    sanitize_for_terminal(&crate::models::catalog::display_name(model))
                ),
                name_style,
            )]
        }
        Speaker::Notice => vec![Span::styled(format!("{bar}bedrock-tui"), name_style)],
    };
    if let Some(alternatives) = &message.alternatives {
        let (at, of) = alternatives.position();
        let text = if selected {
            format!("  ‹{at}/{of}› [ ]")
        } else {
            format!("  ‹{at}/{of}›")
        };
        spans.push(Span::styled(text, theme.style(Role::Accent)));
    }
    if message.speaker == Speaker::Assistant {
        let status = match &message.status {
            AnswerStatus::Waiting => Some((
                match &message.retrying {
                    Some(retry) => format!("  {}", sanitize_for_terminal(retry)),
                    None => "  waiting…".to_string(),
                },
                muted,
            )),
            AnswerStatus::Streaming => Some(("  streaming…".to_string(), muted)),
            AnswerStatus::Cancelled => {
                Some(("  cancelled".to_string(), theme.style(Role::Warning)))
            }
            AnswerStatus::Failed(_) => Some(("  failed".to_string(), theme.style(Role::Error))),
            AnswerStatus::Complete => {
                let mut figures = Vec::new();
                if let Some(total) = message.stats.total {
                    figures.push(format!("{:.1} s", total.as_secs_f64()));
                }
                if let Some(out) = message.stats.output_tokens() {
                    figures.push(format!("{out} tokens"));
                }
                if let Some(reason) = &message.stop_reason {
                    let words = crate::models::stop_reason::in_words(reason);
                    figures.push(sanitize_for_terminal(&words).into_owned());
                }
                (!figures.is_empty()).then(|| (format!("  {}", figures.join(" · ")), muted))
            }
        };
        if let Some((text, style)) = status {
            spans.push(Span::styled(text, style));
        }
        if message.detached {
            spans.push(Span::styled(
                "  (edited request, not in the conversation)",
                muted,
            ));
        } else if message.superseded {
            spans.push(Span::styled("  (superseded by a retry)", muted));
        }
    }
    let mut header = StyledLine::plain("", muted);
    header.pieces = spans
        .into_iter()
        .map(|s| (s.content.into_owned(), s.style))
        .collect();
    wrap_into(&header, width, out);
    if message.reasoning.is_empty() {
        return;
    }
    let style = theme.style(Role::Reasoning);
    if !show_reasoning {
        let words = message.reasoning.split_whitespace().count();
        let fold = StyledLine::plain(
            format!("▸ thinking · {words} words ({} unfolds)", keys.reasoning),
            style,
        );
        wrap_into(&fold, width, out);
        return;
    }
    wrap_into(
        &StyledLine::plain(format!("▾ thinking ({} folds)", keys.reasoning), style),
        width,
        out,
    );
    for line in message.reasoning.trim_end().split('\n') {
        let safe = sanitize_for_terminal(line).replace('\t', "    ");
        let mut styled = StyledLine::plain(safe, style);
        styled.prefix = vec![Span::styled("│ ", style)];
        styled.continuation = styled.prefix.clone();
        wrap_into(&styled, width, out);
    }
}

fn foot(
    message: &Message,
    theme: &Theme,
    keys: &Keys<'_>,
    width: usize,
    out: &mut Vec<Line<'static>>,
) {
    let error_style = theme.style(Role::Error);
    if let AnswerStatus::Failed(error) = &message.status {
        let mut title = format!("✗ {}", error.name);
        if let Some(status) = error.status {
            title.push_str(&format!(" (HTTP {status})"));
        }
        if let Some(original) = error.original_status {
            title.push_str(&format!(" (original status {original})"));
        }
        if error.in_stream && !message.text.is_empty() {
            title.push_str(" in the stream; the partial answer is kept above");
        }
        let mut line = StyledLine::plain(sanitize_for_terminal(&title).into_owned(), error_style);
        line.breaks = Break::Words;
        wrap_into(&line, width, out);
        let mut detail = StyledLine::plain(
            sanitize_for_terminal(&error.message).into_owned(),
            theme.style(Role::Text),
        );
        detail.prefix = vec![Span::styled("  ", error_style)];
        detail.continuation = detail.prefix.clone();
        wrap_into(&detail, width, out);
        if !message.superseded {
            wrap_into(
                &StyledLine::plain(
                    format!("  {} retries", keys.retry),
                    theme.style(Role::Muted),
                ),
                width,
                out,
            );
        }
    }
    if message.status == AnswerStatus::Cancelled {
        wrap_into(
            &StyledLine::plain(
                format!("■ cancelled; {} retries", keys.retry),
                theme.style(Role::Warning),
            ),
            width,
            out,
        );
    }
    if message.is_partial() && !message.superseded && !message.detached && !keys.keep.is_empty() {
        let text = if message.kept {
            format!(
                "  kept: sent as context ({} in the transcript stops)",
                keys.keep
            )
        } else {
            format!(
                "  not sent as context ({} in the transcript keeps it)",
                keys.keep
            )
        };
        wrap_into(
            &StyledLine::plain(text, theme.style(Role::Muted)),
            width,
            out,
        );
    }
    for note in &message.notes {
        let mut line = StyledLine::plain(
            format!("note: {}", sanitize_for_terminal(note)),
            theme.style(Role::Muted),
        );
        line.prefix = vec![Span::raw("  ")];
        line.continuation = line.prefix.clone();
        wrap_into(&line, width, out);
    }
    out.push(Line::default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keymap::Keymap;

    fn rows(state: &State, cache: &mut ViewCache) -> Vec<String> {
        let area = Rect::new(0, 0, 30, 12);
        let mut buf = Buffer::empty(area);
        render(state, cache, area, &mut buf);
        (0..area.height)
            .map(|y| {
                (0..area.width)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn views_follow_messages_that_are_removed_or_replaced() {
        let mut state = State::new("m".into(), Keymap::default(), Theme::default());
        let first = state.push(Speaker::User, "first");
        state.push(Speaker::User, "second");
        state.push(Speaker::User, "third");
        let mut cache = ViewCache::default();
        let before = rows(&state, &mut cache);
        assert!(before.iter().any(|r| r == "second"), "{before:?}");
        state.messages.remove(1);
        let after = rows(&state, &mut cache);
        assert!(!after.iter().any(|r| r == "second"), "{after:?}");
        assert!(after.iter().any(|r| r == "third"), "{after:?}");
        state.messages.clear();
        state.push(Speaker::User, "fresh");
        let fresh = rows(&state, &mut cache);
        assert!(fresh.iter().any(|r| r == "fresh"), "{fresh:?}");
        assert!(!fresh.iter().any(|r| r == "first"), "{first} {fresh:?}");
        assert_eq!(cache.views.len(), 1);
    }

    #[test]
    fn a_streamed_line_is_laid_out_again_and_finished_lines_are_kept() {
        let mut state = State::new("m".into(), Keymap::default(), Theme::default());
        let id = state.push(Speaker::Assistant, "one\ntw");
        let mut cache = ViewCache::default();
        rows(&state, &mut cache);
        let done = cache.views[0].body_done;
        assert_eq!(done, "one\n".len());
        if let Some(m) = state.message_mut(id) {
            m.text.push_str("o three");
            m.revision += 1;
        }
        let screen = rows(&state, &mut cache);
        assert!(screen.iter().any(|r| r == "two three"), "{screen:?}");
        assert_eq!(cache.views[0].body_done, done, "the finished line stayed");
    }
}
