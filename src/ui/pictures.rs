//! Pictures drawn over the rows the Markdown layout keeps for them, with ratatui-image in the
//! protocol the terminal has (kitty, iTerm2, sixel, or colour half blocks anywhere). Each
//! picture is read, decoded and encoded once per size; one that is not wholly in view is not
//! drawn (its rows stay blank under its caption).

use super::markdown::Placement;
use crate::tui::graphics::{Graphics, TerminalGraphics};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;
use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::protocol::Protocol;
use ratatui_image::{Image, Resize};
use std::collections::HashMap;
use std::path::PathBuf;

/// A cell's size in pixels when the terminal does not say (about a 1:2 cell).
pub const DEFAULT_CELL: (u16, u16) = (10, 20);

/// Encoded pictures, kept between frames.
pub struct PictureCache {
    /// How to encode them; `None`: pictures are not drawn.
    picker: Option<Picker>,
    encoded: HashMap<(PathBuf, u16, u16), Option<Protocol>>,
    /// The protocol in use, for the status of tests and `doctor`.
    pub graphics: Graphics,
}

impl std::fmt::Debug for PictureCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PictureCache")
            .field("graphics", &self.graphics)
            .field("encoded", &self.encoded.len())
            .finish_non_exhaustive()
    }
}

impl Default for PictureCache {
    fn default() -> Self {
        PictureCache::new(TerminalGraphics {
            protocol: Graphics::Halfblocks,
            cell: None,
        })
    }
}

impl PictureCache {
    /// Pictures drawn as `graphics` says.
    pub fn new(graphics: TerminalGraphics) -> PictureCache {
        let protocol = match graphics.protocol {
            Graphics::Kitty => Some(ProtocolType::Kitty),
            Graphics::Iterm2 => Some(ProtocolType::Iterm2),
            Graphics::Sixel => Some(ProtocolType::Sixel),
            Graphics::Halfblocks | Graphics::Auto => Some(ProtocolType::Halfblocks),
            Graphics::Off => None,
        };
        let picker = protocol.map(|protocol| {
            // The cell size is the terminal's own answer (or the 1:2 guess), not a query of
            // ratatui-image's: the chat asked once already (see `tui::graphics`).
            #[allow(deprecated)]
            let mut picker = Picker::from_fontsize(graphics.cell.unwrap_or(DEFAULT_CELL));
            picker.set_protocol_type(protocol);
            picker
        });
        PictureCache {
            picker,
            encoded: HashMap::new(),
            graphics: match graphics.protocol {
                Graphics::Auto => Graphics::Halfblocks,
                other => other,
            },
        }
    }

    /// Draws a picture into `area` (its rows, wholly in view).
    pub(crate) fn draw(&mut self, placement: &Placement, area: Rect, buf: &mut Buffer) {
        let Some(picker) = &self.picker else {
            return;
        };
        let key = (placement.path.clone(), area.width, area.height);
        let protocol = self.encoded.entry(key).or_insert_with(|| {
            let bytes =
                crate::files::read_capped(&placement.path, crate::pictures::PICTURE_CAP).ok()?;
            crate::pictures::showable(&placement.path).ok()?;
            let image = crate::pictures::decode(&bytes)?;
            let size = Rect::new(0, 0, area.width, area.height);
            picker.new_protocol(image, size, Resize::Fit(None)).ok()
        });
        if let Some(protocol) = protocol {
            Image::new(protocol).render(area, buf);
        }
    }
}
