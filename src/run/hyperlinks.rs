//! After a frame: the cells of the links on screen drawn again inside OSC 8 hyperlinks, and
//! the cells of links that went away drawn again without, so no cell keeps a link it no
//! longer shows (ratatui's diff would not redraw a cell whose text stayed the same).

use crate::ui::links::{LinkRun, osc8, url_of};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::buffer::{Buffer, Cell};
use std::io::Write;

/// Cells to draw again: the URL to link them to (`None`: plain) and the cells.
pub(crate) type Redraw = Vec<(Option<String>, Vec<(u16, u16, Cell)>)>;

/// The cells of `now`'s links, and of `before`'s that are not among them, from `buffer`.
pub(crate) fn cells_to_redraw(buffer: &Buffer, now: &[LinkRun], before: &[LinkRun]) -> Redraw {
    let cells = |run: &LinkRun| -> Vec<(u16, u16, Cell)> {
        (run.x..run.x.saturating_add(run.width))
            .filter_map(|x| buffer.cell((x, run.y)).map(|cell| (x, run.y, cell.clone())))
            .collect()
    };
    let mut redraw: Redraw = now
        .iter()
        .filter_map(|run| url_of(run.id).map(|url| (Some(url), cells(run))))
        .collect();
    redraw.extend(
        before
            .iter()
            .filter(|run| !now.contains(run))
            .map(|run| (None, cells(run))),
    );
    redraw
}

/// Draws the cells again, each link's inside its hyperlink; `out` writes to the same terminal
/// as the backend (the chat's stdout).
pub(crate) fn draw_links<B: Backend>(
    terminal: &mut Terminal<B>,
    out: &mut dyn Write,
    redraw: &Redraw,
) -> Result<(), B::Error> {
    for (url, cells) in redraw {
        if cells.is_empty() {
            continue;
        }
        terminal.backend_mut().flush()?;
        if let Some(url) = url {
            let _ = out.write_all(osc8(Some(url)).as_bytes());
            let _ = out.flush();
        }
        terminal
            .backend_mut()
            .draw(cells.iter().map(|(x, y, cell)| (*x, *y, cell)))?;
        terminal.backend_mut().flush()?;
        if url.is_some() {
            let _ = out.write_all(osc8(None).as_bytes());
            let _ = out.flush();
        }
    }
    Ok(())
}
