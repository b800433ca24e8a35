//! Markdown read as text, not drawn: the extensions answers are read with, and the code
//! blocks of a message (what the chat copies and the transcript numbers).

use pulldown_cmark::{Event, Options as Extensions, Parser, Tag, TagEnd};

/// The Markdown extensions answers are read with.
pub(crate) fn extensions() -> Extensions {
    Extensions::ENABLE_TABLES
        | Extensions::ENABLE_STRIKETHROUGH
        | Extensions::ENABLE_TASKLISTS
        | Extensions::ENABLE_FOOTNOTES
        | Extensions::ENABLE_GFM
}

/// The code blocks of a text, in order (their exact text, without the fences and without the
/// last newline), numbered from 1 as the transcript shows them; an unterminated last block
/// counts as far as it goes.
pub(crate) fn code_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for event in Parser::new_ext(text, extensions()) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => current = Some(String::new()),
            Event::Text(piece) => {
                if let Some(block) = current.as_mut() {
                    block.push_str(&piece);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(mut block) = current.take() {
                    if block.ends_with('\n') {
                        block.pop();
                    }
                    blocks.push(block);
                }
            }
            _ => {}
        }
    }
    blocks
}
