//! One message laid out for one width: its header (name, versions, status, reasoning), its
//! body (Markdown for prompts and answers, plain for notices) and its footer (errors, notes).

use crate::app::state::{Message, Speaker};
use crate::config::theme::{Role, Theme};
use crate::text::sanitize_for_terminal;
use crate::ui::markdown::{self, Document, MarkdownOptions};
use crate::ui::wrap::{Break, StyledLine, wrap_into};
use ratatui::text::{Line, Span};

/// The keys the transcript names in its hints.
pub(crate) struct Keys<'a> {
    pub retry: &'a str,
    pub reasoning: &'a str,
    /// Keeps a partial answer as context (empty: not offered).
    pub keep: &'a str,
    /// Unfolds a long prompt.
    pub fold: &'a str,
    /// Deletes a turn (empty: not offered).
    pub delete: &'a str,
}

/// How the messages are to be laid out this frame.
pub(crate) struct Layout<'a> {
    pub pictures_dir: Option<&'a std::path::Path>,
    pub picture_sizes: Option<&'a crate::ui::markdown::PictureSizes>,
    pub width: usize,
    pub show_reasoning: bool,
    pub theme: &'a Theme,
    pub options: MarkdownOptions,
    pub keys: Keys<'a>,
}

/// A message laid out for one width.
#[derive(Debug, Default)]
pub(crate) struct MessageView {
    /// The message this view lays out.
    pub id: u64,
    revision: u64,
    width: usize,
    show_reasoning: bool,
    /// Laid out as the message under the cursor.
    selected: bool,
    /// The most rows a picture took when laid out.
    picture_rows: u16,
    /// Laid out at all (a deleted message has no rows but is laid out).
    laid_out: bool,
    /// Header, reasoning.
    head: Vec<Line<'static>>,
    /// The body in Markdown (prompts, answers).
    body: Document,
    /// The body of a notice.
    plain: Vec<Line<'static>>,
    /// Error, notes, the blank separator.
    foot: Vec<Line<'static>>,
    /// A guess at the height before the message is laid out: (revision, width, rows).
    estimate: Option<(u64, usize, usize)>,
    /// The estimate is the height it had when laid out (its rows were dropped since).
    measured: bool,
}

impl MessageView {
    pub fn new(id: u64) -> MessageView {
        MessageView {
            id,
            ..MessageView::default()
        }
    }

    pub fn height(&self) -> usize {
        self.head.len() + self.body.height() + self.plain.len() + self.foot.len()
    }

    pub fn row(&self, mut index: usize) -> Option<&Line<'static>> {
        for part in [
            &self.head,
            &self.body.rows,
            &self.body.tail,
            &self.plain,
            &self.foot,
        ] {
            if index < part.len() {
                return part.get(index);
            }
            index -= part.len();
        }
        None
    }

    /// Whether the view has been laid out (tests of lazy layout).
    #[cfg(test)]
    pub fn laid_out_rows(&self) -> bool {
        self.laid_out
    }

    /// Whether its code waits for the syntax definitions (drawn again once they are in).
    pub fn waits_for_syntaxes(&self) -> bool {
        self.body.waits_for_syntaxes()
    }

    /// The pictures in the body, their rows counted from the view's first row.
    pub fn placements(&self) -> impl Iterator<Item = markdown::Placement> + '_ {
        let head = self.head.len();
        self.body.placements().map(move |p| markdown::Placement {
            row: p.row + head,
            ..p
        })
    }

    /// Rows of the header.
    pub fn head_rows(&self) -> usize {
        self.head.len()
    }

    /// Rows of the body that are final (for tests of streaming).
    #[cfg(test)]
    pub fn finished_rows(&self) -> usize {
        self.head.len() + self.body.rows.len()
    }

    /// Whether the view shows `message` as it is now.
    pub fn is_current(&self, message: &Message, layout: &Layout<'_>, selected: bool) -> bool {
        self.laid_out
            && self.width == layout.width
            && self.show_reasoning == layout.show_reasoning
            && self.revision == message.revision()
            && self.selected == selected
            && !self.body.needs_highlighting()
            && (self.picture_rows == layout.options.picture_rows
                || self.body.placements().next().is_none())
    }

    /// Whether the view was laid out at this width (its height is a good guess while it is
    /// brought up to date).
    pub fn laid_out_at(&self, layout: &Layout<'_>) -> bool {
        self.laid_out && self.width == layout.width && self.show_reasoning == layout.show_reasoning
    }

    /// The height to count for a message not laid out yet: its last height at this width,
    /// else a guess from its text (one row per line, long lines by the width).
    pub fn estimated_height(&mut self, message: &Message, layout: &Layout<'_>) -> usize {
        if message.deleted {
            return 0;
        }
        if self.laid_out_at(layout) {
            return self.height();
        }
        if let Some((revision, width, rows)) = self.estimate
            && revision == message.revision()
            && width == layout.width
        {
            return rows;
        }
        let width = layout.width.max(1);
        let text = match message.fold() {
            Some((cut, _)) => &message.text[..cut],
            None => message.text.as_str(),
        };
        let (text, _) = shown_part(text);
        let body: usize = text.split('\n').map(|l| l.len() / width + 1).sum();
        let rows = 2 + body + usize::from(!message.reasoning.is_empty());
        self.estimate = Some((message.revision(), layout.width, rows));
        rows
    }

    /// Lays the message out (again) where it changed; returns the bytes of text it read.
    pub fn lay_out(&mut self, message: &Message, layout: &Layout<'_>, selected: bool) -> usize {
        if self.is_current(message, layout, selected) {
            return 0;
        }
        if message.deleted {
            *self = MessageView::new(message.id);
            self.laid_out = true;
            self.revision = message.revision();
            self.width = layout.width;
            self.show_reasoning = layout.show_reasoning;
            return 0;
        }
        // A message that is not streaming lays its body out whole when it changed; one that
        // streams only grows, and its finished blocks are kept.
        let fresh = !self.laid_out_at(layout)
            || (self.revision != message.revision() && !message.in_flight())
            || self.body.needs_highlighting()
            || self.picture_rows != layout.options.picture_rows;
        if fresh {
            *self = MessageView::new(message.id);
        }
        self.laid_out = true;
        self.revision = message.revision();
        self.width = layout.width;
        self.show_reasoning = layout.show_reasoning;
        self.selected = selected;
        self.picture_rows = layout.options.picture_rows;
        self.head.clear();
        super::edges::head(message, layout, selected, &mut self.head);
        let fold = message.fold();
        let text = match fold {
            Some((cut, _)) => &message.text[..cut],
            None => message.text.as_str(),
        };
        let (text, cut) = shown_part(text);
        let with_files;
        let text = if message.attachments.is_empty() {
            text
        } else {
            with_files = format!(
                "{text}\n\n{}",
                files_markdown(&message.attachments, layout.pictures_dir)
            );
            with_files.as_str()
        };
        let style = markdown::Style {
            theme: layout.theme,
            width: layout.width,
            options: layout.options,
            pictures_dir: layout.pictures_dir,
            picture_sizes: layout.picture_sizes,
        };
        match message.speaker {
            Speaker::Notice => {
                self.plain.clear();
                notice_rows(text, layout, &mut self.plain);
            }
            Speaker::Tool => {
                self.plain.clear();
                tool_rows(message, layout, &mut self.plain);
            }
            _ => self
                .body
                .update(text, message.in_flight(), message.is_partial(), &style),
        }
        self.foot.clear();
        if let Some((_, lines)) = fold {
            let size = crate::files::human_size(message.text.len() as u64);
            let fold_line = StyledLine::plain(
                format!(
                    "  ▸ a long prompt: {lines} lines, {size}, sent whole ({} unfolds)",
                    layout.keys.fold
                ),
                layout.theme.style(Role::Muted),
            );
            wrap_into(&fold_line, layout.width, &mut self.foot);
        }
        if cut {
            let note = StyledLine::plain(
                format!(
                    "  ⋯ the message goes on: {} in all, the first {} shown here. It is kept and sent whole; `bedrock-tui transcripts export` writes all of it.",
                    crate::files::human_size(message.text.len() as u64),
                    crate::files::human_size(text.len() as u64)
                ),
                layout.theme.style(Role::Muted),
            );
            wrap_into(&note, layout.width, &mut self.foot);
        }
        super::edges::foot(message, layout, &mut self.foot);
        if fresh { text.len() } else { 0 }
    }

    /// Drops the rows of a view far from the screen, remembering its height: laid out again
    /// when it comes into view. Returns the rows dropped.
    pub fn forget_rows(&mut self, message: &Message) -> usize {
        if !self.laid_out {
            return 0;
        }
        let rows = self.height();
        let (revision, width) = (self.revision, self.width);
        *self = MessageView::new(self.id);
        self.estimate = Some((revision, width, rows));
        self.measured = message.revision() == revision;
        rows
    }

    /// Whether its height at this width is known exactly (laid out once, rows since dropped):
    /// it needs no layout until it is in view.
    pub fn measured(&self, message: &Message, layout: &Layout<'_>) -> bool {
        self.measured
            && self.estimate.is_some_and(|(revision, width, _)| {
                revision == message.revision() && width == layout.width
            })
    }

    /// Rows it holds now.
    pub fn rows_held(&self) -> usize {
        if self.laid_out { self.height() } else { 0 }
    }
}

/// The most of one message's text the transcript lays out; a longer message shows its start
/// and says so (its rows would otherwise take many times its size in memory).
pub const SHOWN_TEXT_CAP: usize = 1 << 20;

/// The most lines of one message the transcript lays out.
pub const SHOWN_LINES: usize = 10_000;

/// The part of a message's text shown: all of it, or its first [`SHOWN_LINES`] lines and at
/// most [`SHOWN_TEXT_CAP`] bytes (to the end of a line when one ends in the last half), and
/// whether it was cut.
fn shown_part(text: &str) -> (&str, bool) {
    let bytes = text.as_bytes();
    let within = &bytes[..text.len().min(SHOWN_TEXT_CAP)];
    if let Some(line_end) = memchr::memchr_iter(b'\n', within).nth(SHOWN_LINES - 1)
        && line_end + 1 < text.len()
    {
        return (&text[..=line_end], true);
    }
    if text.len() <= SHOWN_TEXT_CAP {
        return (text, false);
    }
    let mut end = SHOWN_TEXT_CAP;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if let Some(newline) = memchr::memrchr(b'\n', &bytes[SHOWN_TEXT_CAP / 2..end]) {
        end = SHOWN_TEXT_CAP / 2 + newline + 1;
    }
    (&text[..end], true)
}

/// A prompt's files as Markdown below its text: a kept PNG or JPEG as a picture the transcript
/// draws, every other file as a line naming it.
fn files_markdown(
    files: &[crate::attachments::Attachment],
    pictures_dir: Option<&std::path::Path>,
) -> String {
    use crate::attachments::{Media, describe, store};
    // Attached files are kept beside the pictures.
    let kept = pictures_dir
        .and_then(std::path::Path::parent)
        .map(|d| d.join("attachments"));
    files
        .iter()
        .map(|file| {
            let name = escape_markdown(&file.name);
            let what = describe(file.media, &file.data);
            match kept.as_deref().map(|dir| store::kept_at(dir, file)) {
                Some(path) if matches!(file.media, Media::Png | Media::Jpeg) => {
                    format!("![{name} · {what}](<{}>)", path.display())
                }
                _ => format!("📎 **{name}** · {what}"),
            }
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Text with Markdown's punctuation escaped, shown as it is.
fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if "\\`*_[]()<>#!|~".contains(ch) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Most lines of a tool's result shown unfolded.
const TOOL_RESULT_LINES: usize = 200;

/// A tool message: one line per call (tool, arguments, result size and time, or why it did not
/// run); unfolded, each result's text below its line.
fn tool_rows(message: &Message, layout: &Layout<'_>, out: &mut Vec<Line<'static>>) {
    let theme = layout.theme;
    for run in &message.tool_runs {
        let style = if run.result.is_error {
            theme.style(Role::Warning)
        } else {
            theme.style(Role::Muted)
        };
        let mut line = StyledLine::plain(format!("⚙ {}", run.summary()), style);
        line.prefix = vec![Span::styled("  ", style)];
        line.continuation = vec![Span::styled("    ", style)];
        line.breaks = Break::Words;
        wrap_into(&line, layout.width, out);
        if !message.unfolded {
            continue;
        }
        let code = theme.style(Role::Muted);
        let lines: Vec<&str> = run.result.content.split('\n').collect();
        for raw in lines.iter().take(TOOL_RESULT_LINES) {
            let safe = sanitize_for_terminal(raw).replace('\t', "    ");
            let mut row = StyledLine::plain(safe, code);
            row.prefix = vec![Span::styled("    │ ", code)];
            row.continuation = row.prefix.clone();
            wrap_into(&row, layout.width, out);
        }
        if lines.len() > TOOL_RESULT_LINES {
            wrap_into(
                &StyledLine::plain(
                    format!("    │ … {} more lines", lines.len() - TOOL_RESULT_LINES),
                    code,
                ),
                layout.width,
                out,
            );
        }
    }
    if !message.unfolded
        && message
            .tool_runs
            .iter()
            .any(|r| !r.result.content.is_empty())
    {
        wrap_into(
            &StyledLine::plain(
                format!("  ▸ results folded ({} unfolds)", layout.keys.fold),
                theme.style(Role::Muted),
            ),
            layout.width,
            out,
        );
    }
}

/// A notice's text: plain, muted, indented.
fn notice_rows(text: &str, layout: &Layout<'_>, out: &mut Vec<Line<'static>>) {
    let style = layout.theme.style(Role::Muted);
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let safe = sanitize_for_terminal(raw).replace('\t', "    ");
        let mut line = StyledLine::plain(safe, style);
        line.prefix = vec![Span::styled("  ", style)];
        line.continuation = line.prefix.clone();
        wrap_into(&line, layout.width, out);
    }
}
