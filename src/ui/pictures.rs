//! Pictures drawn over the rows the Markdown layout keeps for them, with ratatui-image in the
//! protocol the terminal has (kitty, iTerm2, sixel, or colour half blocks anywhere). A picture
//! is never read here: one not decoded yet is asked for ([`PictureCache::take_wanted`]), the
//! loop decodes it off the loop and hands it back ([`PictureCache::decoded`]); the last few
//! decoded are kept. Each is encoded once per size and part shown: one scrolled partly out of
//! view has the part in view drawn, cropped from the picture.

use super::markdown::Placement;
use crate::tui::graphics::{Graphics, TerminalGraphics};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;
use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::protocol::Protocol;
use ratatui_image::{Image, Resize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A cell's size in pixels when the terminal does not say (about a 1:2 cell).
pub const DEFAULT_CELL: (u16, u16) = (10, 20);

/// What one encoding is for: the picture, its size in cells, and the rows of it shown.
type EncodedKey = (PathBuf, u16, u16, u16, u16);

/// Encodings kept at most (older ones are dropped).
const ENCODED_KEPT: usize = 48;
/// Decoded pictures kept at most.
const DECODED_KEPT: usize = 3;

/// Encoded pictures, kept between frames.
pub struct PictureCache {
    /// How to encode them; `None`: pictures are not drawn.
    picker: Option<Picker>,
    encoded: HashMap<EncodedKey, Option<Protocol>>,
    /// The last pictures decoded (`None`: it could not be), newest last.
    decoded: Vec<(PathBuf, Option<Arc<image::DynamicImage>>)>,
    /// Pictures to decode, asked for by frames since the loop last took them.
    wanted: Vec<PathBuf>,
    /// Pictures being decoded.
    asked: Vec<PathBuf>,
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
            decoded: Vec::new(),
            wanted: Vec::new(),
            asked: Vec::new(),
            graphics: match graphics.protocol {
                Graphics::Auto => Graphics::Halfblocks,
                other => other,
            },
        }
    }

    /// The pictures frames asked for since the last call, to decode off the loop.
    pub fn take_wanted(&mut self) -> Vec<PathBuf> {
        std::mem::take(&mut self.wanted)
    }

    /// A picture decoded off the loop (`None`: it could not be): kept among the last few, and
    /// drawn from the next frame.
    pub fn decoded(&mut self, path: &Path, image: Option<Arc<image::DynamicImage>>) {
        self.asked.retain(|p| p != path);
        self.decoded.retain(|(p, _)| p != path);
        if self.decoded.len() >= DECODED_KEPT {
            self.decoded.remove(0);
        }
        self.decoded.push((path.to_path_buf(), image));
    }

    /// Draws the rows of a picture in view into `area`: `hidden_above` of its rows are
    /// scrolled out above it, and it has `area.height` rows in view.
    pub(crate) fn draw(
        &mut self,
        placement: &Placement,
        area: Rect,
        hidden_above: u16,
        buf: &mut Buffer,
    ) {
        let Some(picker) = &self.picker else {
            return;
        };
        let key = (
            placement.path.clone(),
            placement.cols,
            placement.rows,
            hidden_above,
            area.height,
        );
        if !self.encoded.contains_key(&key) {
            let Some(at) = self.decoded.iter().position(|(p, _)| *p == placement.path) else {
                // Not decoded yet: asked for, drawn when it is.
                if !self.asked.contains(&placement.path) {
                    self.asked.push(placement.path.clone());
                    self.wanted.push(placement.path.clone());
                }
                return;
            };
            let entry = self.decoded.remove(at);
            self.decoded.push(entry);
            if self.encoded.len() >= ENCODED_KEPT {
                // The encodings of other pictures go first; this one's other parts last.
                self.encoded.retain(|(path, ..), _| *path == placement.path);
                if self.encoded.len() >= ENCODED_KEPT {
                    self.encoded.clear();
                }
            }
            let decoded = self.decoded.last().and_then(|(_, image)| image.as_deref());
            let protocol = decoded.and_then(|image| {
                let part = crop_rows(image, placement.rows, hidden_above, area.height);
                let size = Rect::new(0, 0, area.width, area.height);
                picker.new_protocol(part, size, Resize::Fit(None)).ok()
            });
            self.encoded.insert(key.clone(), protocol);
        }
        if let Some(Some(protocol)) = self.encoded.get_mut(&key) {
            Image::new(protocol).render(area, buf);
        }
    }
}

/// The rows `hidden_above .. hidden_above + shown` of a picture laid out over `rows` rows, as
/// the part of the picture they cover (the whole picture when all are shown).
fn crop_rows(
    image: &image::DynamicImage,
    rows: u16,
    hidden_above: u16,
    shown: u16,
) -> image::DynamicImage {
    let rows = u32::from(rows.max(1));
    let (hidden, shown) = (u32::from(hidden_above), u32::from(shown));
    if hidden == 0 && shown >= rows {
        return image.clone();
    }
    let height = image.height();
    let top = height * hidden / rows;
    let bottom = (height * (hidden + shown) / rows).clamp(top + 1, height.max(top + 1));
    image.crop_imm(0, top, image.width(), bottom - top)
}
