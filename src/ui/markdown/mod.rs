//! Markdown with pulldown-cmark (CommonMark, GFM tables, strikethrough, task lists, footnotes),
//! laid out to terminal rows, streaming-safe: a message's finished top-level blocks are laid
//! out once and kept; only the last block, which may still grow, is parsed again as tokens
//! arrive (and shown settled, see [`stream`], so markers never flash up).

mod breaks;
mod code;
mod picture;
mod render;
mod stream;
mod table;

use crate::config::theme::Theme;
use pulldown_cmark::{CodeBlockKind, Event, Parser};
use ratatui::text::Line;

pub(crate) use code::CodeCache;
pub(crate) use picture::Placement;

pub use crate::config::MarkdownOptions;

use crate::text::markdown::extensions;

/// What drawing needs besides the text.
pub(crate) struct Style<'a> {
    pub theme: &'a Theme,
    pub width: usize,
    pub options: MarkdownOptions,
    /// Where the pictures this program saved are (the only ones drawn).
    pub pictures_dir: Option<&'a std::path::Path>,
    /// The pictures' sizes as read off the loop (`None`, or a picture not in it: loading).
    pub picture_sizes: Option<&'a PictureSizes>,
}

/// The sizes of pictures, by file, as the state keeps them.
pub(crate) type PictureSizes =
    std::collections::HashMap<std::path::PathBuf, crate::pictures::Probe>;

/// One message's text laid out at one width, kept between frames: rows of the finished
/// blocks, and rows of the last block while the message is still streaming.
#[derive(Debug, Default)]
pub(crate) struct Document {
    /// Bytes of the text laid out into `rows` for good.
    done: usize,
    /// Rows of the finished blocks.
    pub rows: Vec<Line<'static>>,
    /// Code blocks among the finished rows (the tail numbers on from here).
    code_blocks: usize,
    /// Rows of the unfinished last block.
    pub tail: Vec<Line<'static>>,
    /// Pictures among the finished rows.
    pub pictures: Vec<Placement>,
    /// Pictures among the tail's rows (rows counted from the tail's start).
    pub tail_pictures: Vec<Placement>,
    /// Highlighted lines of a code block in the tail, so a streaming block is not coloured
    /// again from its start at every token.
    code: CodeCache,
    /// Laid out while streaming: once the answer is complete it is laid out again whole
    /// (footnotes and link definitions may refer to blocks that came earlier).
    streamed: bool,
    /// Code was coloured by the fallback before the syntax definitions had loaded.
    fallback_code: bool,
}

impl Document {
    /// Brings the layout up to `text` (which only grew since the last call, or the document
    /// is laid out again). `in_flight`: more text may follow; `cut`: the text ends where an
    /// answer was cancelled or failed, maybe inside markup (shown settled, as while it streamed).
    pub fn update(&mut self, text: &str, in_flight: bool, cut: bool, style: &Style<'_>) {
        if text.len() < self.done
            || !text.is_char_boundary(self.done)
            || (!in_flight && self.streamed)
        {
            *self = Document::default();
        }
        self.streamed |= in_flight;
        self.tail.clear();
        self.tail_pictures.clear();
        let rest = &text[self.done..];
        if rest.is_empty() {
            return;
        }
        if !in_flight {
            let settled = if cut {
                stream::settle(rest)
            } else {
                std::borrow::Cow::Borrowed(rest)
            };
            self.keep(&settled, text.len() - self.done, style);
            return;
        }
        let settled = stream::settle(rest);
        let last = last_block_start(&settled);
        // The blocks before the last one are final: `settle` only changes the end.
        if last > 0 && rest.is_char_boundary(last) {
            self.keep(&rest[..last], last, style);
        }
        let tail = &settled[last.min(settled.len())..];
        if !tail.trim().is_empty() {
            let gap = !self.rows.is_empty();
            let blocks = render::render(
                tail,
                style,
                gap,
                self.code_blocks,
                Some(&mut self.code),
                (&mut self.tail, &mut self.tail_pictures),
            );
            self.count_code(blocks);
        }
    }

    /// Lays `source` out into the finished rows for good; `consumed` bytes of the text are
    /// done with it.
    fn keep(&mut self, source: &str, consumed: usize, style: &Style<'_>) {
        let gap = !self.rows.is_empty();
        let blocks = render::render(
            source,
            style,
            gap,
            self.code_blocks,
            None,
            (&mut self.rows, &mut self.pictures),
        );
        self.count_code(blocks);
        self.code_blocks += blocks;
        self.done += consumed;
        self.code = CodeCache::default();
    }

    /// Every picture with its first row counted from the document's first row.
    pub fn placements(&self) -> impl Iterator<Item = Placement> + '_ {
        let finished = self.rows.len();
        self.pictures
            .iter()
            .cloned()
            .chain(self.tail_pictures.iter().map(move |p| Placement {
                row: p.row + finished,
                ..p.clone()
            }))
    }

    /// Whether code here was coloured by the fallback while the definitions load.
    pub fn waits_for_syntaxes(&self) -> bool {
        self.fallback_code && crate::ui::highlight::loading()
    }

    /// Whether code here was coloured before the syntax definitions loaded, and they have.
    pub fn needs_highlighting(&self) -> bool {
        self.fallback_code && crate::ui::highlight::ready()
    }

    fn count_code(&mut self, blocks: usize) {
        if blocks > 0 && !crate::ui::highlight::ready() {
            self.fallback_code = true;
        }
    }

    /// Rows laid out, finished and unfinished.
    pub fn height(&self) -> usize {
        self.rows.len() + self.tail.len()
    }
}

/// Where the last top-level block of `text` starts (0 when it is the first).
fn last_block_start(text: &str) -> usize {
    let mut depth = 0usize;
    let mut last = 0;
    for (event, range) in Parser::new_ext(text, extensions()).into_offset_iter() {
        match event {
            Event::Start(_) => {
                if depth == 0 {
                    last = range.start;
                }
                depth += 1;
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Rule if depth == 0 => last = range.start,
            _ => {}
        }
    }
    last
}

/// `text` laid out whole at one width (tests).
#[cfg(test)]
pub(crate) fn lay_out(text: &str, style: &Style<'_>) -> Vec<Line<'static>> {
    let mut rows = Vec::new();
    render::render(text, style, false, 0, None, (&mut rows, &mut Vec::new()));
    rows
}

/// The language a code block names (its info string's first word), if any.
fn language_of(kind: &CodeBlockKind<'_>) -> String {
    match kind {
        CodeBlockKind::Fenced(info) => info
            .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
            .next()
            .unwrap_or_default()
            .to_string(),
        CodeBlockKind::Indented => String::new(),
    }
}

#[cfg(test)]
mod tests;
