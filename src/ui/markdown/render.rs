//! pulldown-cmark events to terminal rows: quotes, list items and footnotes are containers
//! that give each row its prefix; inline styles are a stack; code blocks and tables are laid
//! out by their own modules.

use super::code::{CodeCache, code_rows};
use super::picture::Placement;
use super::table::Table;
use super::{Style, extensions, language_of};
use crate::config::theme::Role;
use crate::text::sanitize_for_terminal;
use crate::ui::wrap::{StyledLine, wrap_into};
use pulldown_cmark::{BlockQuoteKind, Event, HeadingLevel, Parser, Tag, TagEnd};
use ratatui::style::{Modifier, Style as Look};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

/// Lays `text` out into `out`; `gap`: a blank row goes before the first block. Code blocks
/// are numbered from `first_code + 1`; returns how many there were.
pub(super) fn render(
    text: &str,
    style: &Style<'_>,
    gap: bool,
    first_code: usize,
    cache: Option<&mut CodeCache>,
    (out, pictures): (&mut Vec<Line<'static>>, &mut Vec<Placement>),
) -> usize {
    let mut renderer = Renderer {
        image_start: 0,
        pictures,
        style,
        out,
        containers: Vec::new(),
        lists: Vec::new(),
        looks: Vec::new(),
        pieces: Vec::new(),
        links: Vec::new(),
        code: None,
        table: None,
        need_gap: gap,
        join_lines: false,
        code_number: first_code,
        cache,
    };
    for (event, range) in Parser::new_ext(text, extensions()).into_offset_iter() {
        // Whether this block's single newlines are spaces is told by all of its lines.
        if let Event::Start(tag @ (Tag::Paragraph | Tag::Item)) = &event {
            let source = text.get(range).unwrap_or("");
            let item = matches!(tag, Tag::Item);
            renderer.join_lines = super::breaks::joins(style.options.breaks, source, item);
        }
        renderer.event(event);
    }
    renderer.flush();
    renderer.code_number - first_code
}

/// A block that gives the rows inside it a prefix.
enum Container {
    Quote,
    /// A list item or a footnote definition: its marker on its first row, as many spaces on
    /// the rows after.
    Item {
        marker: String,
        look: Look,
        used: bool,
    },
}

struct List {
    /// The next item's number (ordered lists).
    next: Option<u64>,
    /// Items hold paragraphs: a blank row between items.
    loose: bool,
    items: usize,
}

struct CodeBlock {
    language: String,
    text: String,
}

pub(super) struct Renderer<'a, 'o> {
    pub(super) style: &'a Style<'a>,
    pub(super) out: &'o mut Vec<Line<'static>>,
    containers: Vec<Container>,
    lists: Vec<List>,
    /// Inline styles in force, innermost last.
    looks: Vec<Look>,
    /// The line being gathered.
    pub(super) pieces: Vec<(String, Look)>,
    /// Open links: their URL and the text shown so far inside them.
    links: Vec<(String, String)>,
    code: Option<CodeBlock>,
    table: Option<Table>,
    /// A blank row is due before the next block.
    need_gap: bool,
    /// A single newline in the block being laid out is a space (see `breaks`).
    join_lines: bool,
    code_number: usize,
    cache: Option<&'a mut CodeCache>,
    /// Where the open image's pieces begin.
    pub(super) image_start: usize,
    /// Pictures laid out, by their first row in `out`.
    pub(super) pictures: &'o mut Vec<Placement>,
}

/// Containers that add to a row's prefix.
const MAX_DEPTH: usize = 16;

impl Renderer<'_, '_> {
    fn look(&self) -> Look {
        self.looks
            .last()
            .copied()
            .unwrap_or_else(|| self.style.theme.style(Role::Text))
    }

    fn push_look(&mut self, role_or_modifier: Look) {
        let look = self.look().patch(role_or_modifier);
        self.looks.push(look);
    }

    pub(super) fn role(&self, role: Role) -> Look {
        self.style.theme.style(role)
    }

    fn event(&mut self, event: Event<'_>) {
        if let Some(code) = self.code.as_mut() {
            match event {
                Event::Text(text) => code.text.push_str(&text),
                Event::End(TagEnd::CodeBlock) => self.end_code(),
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.text(&text),
            Event::Code(text) | Event::InlineMath(text) | Event::DisplayMath(text) => {
                let look = self.look().patch(self.role(Role::Code));
                self.piece(&text, look);
            }
            Event::Html(html) => {
                // An HTML block is shown as its text.
                for line in html.lines() {
                    self.piece(line, self.role(Role::Muted));
                    self.flush();
                }
            }
            Event::InlineHtml(html) => {
                let tag = html.trim().to_ascii_lowercase();
                if matches!(tag.as_str(), "<br>" | "<br/>" | "<br />") {
                    self.hard_break();
                } else {
                    self.piece(&html, self.role(Role::Muted));
                }
            }
            Event::FootnoteReference(label) => {
                let look = self.role(Role::Accent);
                self.piece(&format!("[{label}]"), look);
            }
            // A single newline is a line break, as models mostly mean it (and as GitHub shows
            // comments), unless `[display] breaks` or the paragraph's look says it is a space.
            Event::SoftBreak if self.join_lines && self.table.is_none() => {
                let look = self.look();
                self.piece(" ", look);
            }
            Event::SoftBreak | Event::HardBreak => self.hard_break(),
            Event::Rule => {
                self.block_start();
                let mut rule = StyledLine::plain("─", self.role(Role::Muted));
                rule.rule = true;
                rule.prefix = self.prefix(true);
                self.emit(&rule);
                self.need_gap = true;
            }
            Event::TaskListMarker(done) => {
                let (mark, look) = if done {
                    ("☑ ", self.role(Role::Accent))
                } else {
                    ("☐ ", self.role(Role::Muted))
                };
                self.piece(mark, look);
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {
                self.block_start();
                if let Some(list) = self.lists.last_mut()
                    && matches!(self.containers.last(), Some(Container::Item { .. }))
                {
                    list.loose = true;
                }
            }
            Tag::Heading { level, .. } => {
                self.block_start();
                let look = self.heading_look(level);
                self.looks.push(look);
                if self.style.options.heading_marks {
                    let marks = "#".repeat(level as usize);
                    self.piece(&format!("{marks} "), look);
                }
            }
            Tag::BlockQuote(kind) => {
                self.block_start();
                self.containers.push(Container::Quote);
                let quote = self.role(Role::Quote);
                self.push_look(quote);
                if let Some(kind) = kind {
                    let (name, role) = alert(kind);
                    let look = self.role(role).add_modifier(Modifier::BOLD);
                    self.piece(name, look);
                    self.flush();
                }
            }
            Tag::CodeBlock(kind) => {
                self.block_start();
                self.code = Some(CodeBlock {
                    language: language_of(&kind),
                    text: String::new(),
                });
            }
            Tag::List(start) => {
                self.flush();
                self.block_start();
                self.lists.push(List {
                    next: start,
                    loose: false,
                    items: 0,
                });
            }
            Tag::Item => {
                self.flush();
                let depth = self.lists.len();
                let accent = self.role(Role::Accent);
                let Some(list) = self.lists.last_mut() else {
                    return;
                };
                if list.items > 0 && list.loose {
                    self.need_gap = true;
                } else if list.items > 0 {
                    self.need_gap = false;
                }
                list.items += 1;
                let marker = match list.next.as_mut() {
                    Some(number) => {
                        let marker = format!("{number}. ");
                        *number += 1;
                        marker
                    }
                    None => match depth {
                        0 | 1 => "• ",
                        2 => "◦ ",
                        _ => "▪ ",
                    }
                    .to_string(),
                };
                self.block_start();
                self.containers.push(Container::Item {
                    marker,
                    look: accent,
                    used: false,
                });
            }
            Tag::FootnoteDefinition(label) => {
                self.block_start();
                self.containers.push(Container::Item {
                    marker: format!("[{}] ", sanitize_for_terminal(&label)),
                    look: self.role(Role::Accent),
                    used: false,
                });
            }
            Tag::Table(alignments) => {
                self.block_start();
                self.table = Some(Table::new(alignments));
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(table) = self.table.as_mut() {
                    table.start_row();
                }
            }
            Tag::TableCell => self.pieces.clear(),
            Tag::Emphasis => {
                let look = self.role(Role::Emphasis);
                self.push_look(look);
            }
            Tag::Strong => {
                let look = self.role(Role::Strong);
                self.push_look(look);
            }
            Tag::Strikethrough => self.push_look(Look::new().add_modifier(Modifier::CROSSED_OUT)),
            Tag::Superscript | Tag::Subscript => self.push_look(Look::new()),
            Tag::Link { dest_url, .. } => {
                let look = self.role(Role::Link);
                self.push_look(look);
                if self.style.options.hyperlinks
                    && let Some(id) = crate::ui::links::id_of(&dest_url)
                    && let Some(top) = self.looks.last_mut()
                {
                    *top = crate::ui::links::mark(*top, id);
                }
                self.links.push((dest_url.to_string(), String::new()));
            }
            Tag::Image { dest_url, .. } => {
                let look = self.role(Role::Muted);
                self.image_start = self.pieces.len();
                self.piece("[image: ", look);
                self.push_look(look);
                self.links.push((dest_url.to_string(), String::new()));
            }
            Tag::HtmlBlock
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => self.block_start(),
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) => {
                self.flush();
                self.looks.pop();
                self.need_gap = true;
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.containers.pop();
                self.looks.pop();
                self.need_gap = true;
            }
            TagEnd::CodeBlock => self.end_code(),
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
                self.need_gap = true;
            }
            TagEnd::Item | TagEnd::FootnoteDefinition => {
                self.flush();
                self.containers.pop();
            }
            TagEnd::TableCell => {
                let cell = std::mem::take(&mut self.pieces);
                if let Some(table) = self.table.as_mut() {
                    table.push_cell(cell);
                }
            }
            TagEnd::TableHead | TagEnd::TableRow => {}
            TagEnd::Table => {
                if let Some(table) = self.table.take() {
                    let prefix = self.prefix(true);
                    let continuation = self.prefix(false);
                    let width = self
                        .style
                        .width
                        .saturating_sub(spans_width(&continuation))
                        .max(1);
                    for (index, row) in table
                        .lay_out(width, self.style.theme)
                        .into_iter()
                        .enumerate()
                    {
                        let mut spans = if index == 0 {
                            prefix.clone()
                        } else {
                            continuation.clone()
                        };
                        spans.extend(row);
                        self.out.push(Line::from(spans));
                    }
                }
                self.need_gap = true;
            }
            TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript => {
                self.looks.pop();
            }
            TagEnd::Link => {
                self.looks.pop();
                if let Some((url, shown)) = self.links.pop() {
                    self.link_target(&url, &shown);
                }
            }
            TagEnd::Image => {
                self.looks.pop();
                let look = self.role(Role::Muted);
                let Some((url, alt)) = self.links.pop() else {
                    self.piece("]", look);
                    return;
                };
                if !self.picture(&url, &alt) {
                    let url = sanitize_for_terminal(&url);
                    self.piece(&format!("] ({url})"), look);
                }
            }
            TagEnd::Paragraph
            | TagEnd::HtmlBlock
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::MetadataBlock(_) => {
                self.flush();
                self.need_gap = true;
            }
        }
    }

    /// After a link's text: its URL, unless the text says it already (autolinks).
    fn link_target(&mut self, url: &str, shown: &str) {
        let url = sanitize_for_terminal(url);
        let bare = url.strip_prefix("mailto:").unwrap_or(&url);
        if url.is_empty() || shown == url.as_ref() || shown == bare {
            return;
        }
        let look = self.role(Role::Muted);
        self.piece(&format!(" ({url})"), look);
    }

    fn heading_look(&self, level: HeadingLevel) -> Look {
        let heading = self.role(Role::Text).patch(self.role(Role::Heading));
        match level {
            HeadingLevel::H1 => heading.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            HeadingLevel::H2 => heading.add_modifier(Modifier::BOLD),
            HeadingLevel::H3 => heading,
            _ => heading.add_modifier(Modifier::ITALIC),
        }
    }

    fn text(&mut self, text: &str) {
        let look = self.look();
        for (_, shown) in &mut self.links {
            shown.push_str(text);
        }
        self.piece(text, look);
    }

    /// Adds text to the line being gathered (made safe for the terminal here: entities such
    /// as `&#27;` decode to control characters).
    pub(super) fn piece(&mut self, text: &str, look: Look) {
        let safe = sanitize_for_terminal(text);
        let safe = if safe.contains('\t') {
            safe.replace('\t', "    ")
        } else {
            safe.into_owned()
        };
        match self.pieces.last_mut() {
            Some((last, previous)) if *previous == look && last != "\n" => last.push_str(&safe),
            _ => self.pieces.push((safe, look)),
        }
    }

    fn hard_break(&mut self) {
        if self.table.is_some() {
            let look = self.look();
            self.pieces.push(("\n".to_string(), look));
        } else {
            self.flush();
        }
    }

    /// A block begins: the blank row due before it.
    fn block_start(&mut self) {
        self.flush();
        if std::mem::take(&mut self.need_gap) {
            let mut spans = self.prefix(false);
            // Only the quote bars show on a blank row.
            while spans.last().is_some_and(|s| s.content.trim().is_empty()) {
                spans.pop();
            }
            for span in &mut spans {
                span.content = span.content.trim_end().to_string().into();
            }
            self.out.push(Line::from(spans));
        }
    }

    /// The prefix of a row: quote bars and list markers (`first`: the first row of a block,
    /// where an item's marker shows once).
    pub(super) fn prefix(&mut self, first: bool) -> Vec<Span<'static>> {
        let bar = self.role(Role::Muted);
        let mut spans = Vec::new();
        // Quotes and lists nested deeper than this show no more prefix (a hostile answer of
        // thousands of `>` would otherwise cost rows × depth).
        for container in self.containers.iter_mut().take(MAX_DEPTH) {
            match container {
                Container::Quote => spans.push(Span::styled("│ ", bar)),
                Container::Item { marker, look, used } => {
                    if first && !*used {
                        *used = true;
                        spans.push(Span::styled(marker.clone(), *look));
                    } else {
                        spans.push(Span::raw(" ".repeat(marker.width())));
                    }
                }
            }
        }
        spans
    }

    /// Wraps the gathered line into rows.
    pub(super) fn flush(&mut self) {
        if self.pieces.is_empty() || self.table.is_some() {
            return;
        }
        let pieces = std::mem::take(&mut self.pieces);
        let mut line = StyledLine::plain("", self.look());
        line.pieces = pieces;
        line.prefix = self.prefix(true);
        line.continuation = self.prefix(false);
        self.emit(&line);
    }

    fn emit(&mut self, line: &StyledLine) {
        wrap_into(line, self.style.width, self.out);
    }

    fn end_code(&mut self) {
        let Some(block) = self.code.take() else {
            return;
        };
        self.code_number += 1;
        let prefix = self.prefix(true);
        let continuation = self.prefix(false);
        let cache = self.cache.as_deref_mut();
        code_rows(
            &block.language,
            &block.text,
            self.code_number,
            (prefix, continuation),
            self.style,
            cache,
            self.out,
        );
        self.need_gap = true;
    }
}

pub(super) fn spans_width(spans: &[Span<'_>]) -> usize {
    spans.iter().map(Span::width).sum()
}

/// A GFM alert's title and colour.
fn alert(kind: BlockQuoteKind) -> (&'static str, Role) {
    match kind {
        BlockQuoteKind::Note => ("Note", Role::Accent),
        BlockQuoteKind::Tip => ("Tip", Role::Assistant),
        BlockQuoteKind::Important => ("Important", Role::Accent),
        BlockQuoteKind::Warning => ("Warning", Role::Warning),
        BlockQuoteKind::Caution => ("Caution", Role::Error),
    }
}
