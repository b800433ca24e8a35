//! Pictures in an answer: a Markdown image of a file this program saved gets its caption
//! and rows kept free under it, which the transcript draws the picture over.

use super::render::{Renderer, spans_width};
use crate::config::theme::Role;
use ratatui::text::Line;

/// A picture's place among the rows: drawn over `rows` rows from `row`, `indent` columns in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placement {
    /// The picture file.
    pub path: std::path::PathBuf,
    /// Its first row.
    pub row: usize,
    /// Columns left of it.
    pub indent: u16,
    /// Its size in cells.
    pub cols: u16,
    /// Its height in cells.
    pub rows: u16,
}

/// Most rows a picture takes, in a view tall enough.
pub(crate) const PICTURE_ROWS: u16 = 20;
/// Most columns a picture takes.
const PICTURE_COLS: u16 = 80;

/// Cells for a picture of `pixels` with cells of `cell` pixels, at most `width` columns and
/// `most_rows` rows (0: [`PICTURE_ROWS`]): the picture's own size when it fits, else as large
/// as fits keeping its shape.
pub(crate) fn picture_cells(
    pixels: (u32, u32),
    cell: (u16, u16),
    width: usize,
    most_rows: u16,
) -> (u16, u16) {
    let most_rows = if most_rows == 0 {
        PICTURE_ROWS
    } else {
        most_rows.min(PICTURE_ROWS)
    };
    let (px_w, px_h) = (f64::from(pixels.0.max(1)), f64::from(pixels.1.max(1)));
    let (cell_w, cell_h) = (f64::from(cell.0.max(1)), f64::from(cell.1.max(1)));
    let most_cols = f64::from(
        PICTURE_COLS
            .min(u16::try_from(width).unwrap_or(u16::MAX))
            .max(1),
    );
    let mut cols = (px_w / cell_w).ceil().min(most_cols).max(1.0);
    let mut rows = (cols * cell_w * px_h / px_w / cell_h).ceil().max(1.0);
    if rows > f64::from(most_rows) {
        rows = f64::from(most_rows);
        cols = (rows * cell_h * px_w / px_h / cell_w)
            .ceil()
            .clamp(1.0, most_cols);
    }
    // Both are at most 80 here.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    (cols as u16, rows as u16)
}

impl Renderer<'_, '_> {
    /// A picture this program saved: its caption, then rows kept free for it, which the
    /// transcript draws the picture over. False for any other image (shown as text).
    pub(super) fn picture(&mut self, url: &str, alt: &str) -> bool {
        let Some(cell) = self.style.options.pictures else {
            return false;
        };
        if !crate::pictures::is_ours(url, self.style.pictures_dir) {
            return false;
        }
        let path = std::path::PathBuf::from(url);
        let probe = self.style.picture_sizes.and_then(|sizes| sizes.get(&path));
        self.pieces.truncate(self.image_start);
        let accent = self.role(Role::Accent);
        let muted = self.role(Role::Muted);
        self.piece(&format!("▣ {alt}"), accent);
        self.piece(&format!(" · {url}"), muted);
        let pixels = match probe {
            Some(Ok(pixels)) => *pixels,
            Some(Err(why)) => {
                self.piece(&format!(" ({why})"), muted);
                return true;
            }
            // Its size is being read off the loop; the message is laid out again then.
            None => {
                self.piece(" (loading)", muted);
                return true;
            }
        };
        self.flush();
        let prefix = self.prefix(false);
        let indent = spans_width(&prefix);
        let (cols, rows) = picture_cells(
            pixels,
            cell,
            self.style.width.saturating_sub(indent),
            self.style.options.picture_rows,
        );
        self.pictures.push(Placement {
            path,
            row: self.out.len(),
            indent: u16::try_from(indent).unwrap_or(u16::MAX),
            cols,
            rows,
        });
        for _ in 0..rows {
            self.out.push(Line::from(prefix.clone()));
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::picture_cells;

    #[test]
    fn pictures_keep_their_shape_within_the_room() {
        // A square picture in 1:2 cells: twice as many columns as rows, at most 20 rows.
        assert_eq!(picture_cells((1024, 1024), (10, 20), 100, 0), (40, 20));
        // In a view of 19 rows, a square picture takes 16 (the caption and a row spare).
        assert_eq!(picture_cells((1024, 1024), (10, 20), 100, 16), (32, 16));
        // A narrow window gives the width, the height follows.
        assert_eq!(picture_cells((1024, 1024), (10, 20), 20, 0), (20, 10));
        // A small picture keeps its own size.
        assert_eq!(picture_cells((30, 40), (10, 20), 100, 0), (3, 2));
        assert_eq!(picture_cells((0, 0), (0, 0), 0, 0), (1, 1));
    }
}
