//! The transcript pane: each message is laid out once per width and cached; while an answer
//! streams only its unfinished last line is laid out again, so a frame costs the same however
//! long the conversation is. Only the visible rows are drawn.

use super::markdown::{BlockState, render_line};
use super::wrap::{Break, StyledLine, wrap_into};
use crate::app::state::{AnswerStatus, Message, Scroll, Speaker, State, ViewMetrics};
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
    revision: u64,
    width: usize,
    show_reasoning: bool,
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

/// Laid-out messages, kept between frames.
#[derive(Debug, Default)]
pub struct ViewCache {
    views: HashMap<u64, MessageView>,
    metrics: ViewMetrics,
}

impl ViewCache {
    /// Sizes of the last frame.
    pub fn metrics(&self) -> ViewMetrics {
        self.metrics
    }
}

/// Draws the transcript into `area`.
pub fn render(state: &State, cache: &mut ViewCache, area: Rect, buf: &mut Buffer) {
    let width = area.width as usize;
    let theme = &state.theme;
    let retry_key = state.keymap.hint(Context::Chat, Action::Retry);
    let reasoning_key = state.keymap.hint(Context::Chat, Action::ToggleReasoning);
    let keys = Keys {
        retry: &retry_key,
        reasoning: &reasoning_key,
    };
    if cache.views.len() > state.messages.len() {
        let live: std::collections::HashSet<u64> = state.messages.iter().map(|m| m.id).collect();
        cache.views.retain(|id, _| live.contains(id));
    }
    let mut total = 0;
    for message in &state.messages {
        let view = cache.views.entry(message.id).or_default();
        layout(message, view, width, state.show_reasoning, theme, &keys);
        total += view.height();
    }
    let viewport = area.height as usize;
    cache.metrics = ViewMetrics {
        content_height: total,
        viewport_height: viewport,
    };
    let max_top = total.saturating_sub(viewport);
    let top = match state.scroll {
        Scroll::Follow => max_top,
        Scroll::Line(line) => line.min(max_top),
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
    for message in &state.messages {
        let Some(view) = cache.views.get(&message.id) else {
            continue;
        };
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

struct Keys<'a> {
    retry: &'a str,
    reasoning: &'a str,
}

fn layout(
    message: &Message,
    view: &mut MessageView,
    width: usize,
    show_reasoning: bool,
    theme: &Theme,
    keys: &Keys<'_>,
) {
    let fresh = view.width != width || view.show_reasoning != show_reasoning;
    if !fresh && view.revision == message.revision && view.height() > 0 {
        return;
    }
    if fresh || message.text.len() < view.body_done {
        *view = MessageView::default();
    }
    view.revision = message.revision;
    view.width = width;
    view.show_reasoning = show_reasoning;
    view.head.clear();
    head(message, show_reasoning, theme, keys, width, &mut view.head);
    // Only lines finished since the last layout are added; earlier rows stay as they are.
    let text = &message.text;
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
        let styled = body_line(rest, &mut blocks, body_style, theme);
        wrap_into(&styled, width, &mut view.tail);
    }
    view.foot.clear();
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
    theme: &Theme,
    keys: &Keys<'_>,
    width: usize,
    out: &mut Vec<Line<'static>>,
) {
    let muted = theme.style(Role::Muted);
    let mut spans = match message.speaker {
        Speaker::User => vec![Span::styled("▌ You", theme.style(Role::User))],
        Speaker::Assistant => {
            let model = message.model.as_deref().unwrap_or("model");
            vec![Span::styled(
                format!("▌ {}", sanitize_for_terminal(&State::model_name(model))),
                theme.style(Role::Assistant),
            )]
        }
        Speaker::Notice => vec![Span::styled("▌ bedrock-tui", muted)],
    };
    if message.speaker == Speaker::Assistant {
        let status = match &message.status {
            AnswerStatus::Waiting => Some(("  waiting…".to_string(), muted)),
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
                if let Some(out) = message.stats.output_tokens {
                    figures.push(format!("{out} tokens"));
                }
                if let Some(reason) = &message.stop_reason {
                    figures.push(sanitize_for_terminal(reason).into_owned());
                }
                (!figures.is_empty()).then(|| (format!("  {}", figures.join(" · ")), muted))
            }
        };
        if let Some((text, style)) = status {
            spans.push(Span::styled(text, style));
        }
        if message.superseded {
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
