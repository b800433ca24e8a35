//! The request editor: the JSON body beside the per-request settings.

use super::{centered, frame, put};
use crate::app::state::State;
use crate::config::theme::Role;
use crate::keymap::{Action, Context};
use crate::text::sanitize_for_terminal;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Widget};

/// The request editor: the JSON body on the left (above on a narrow screen), the per-request
/// settings beside it, and the error or the keys at the bottom.
pub(crate) fn resend(
    state: &State,
    form: &crate::app::popups::resend::ResendForm,
    area: Rect,
    buf: &mut Buffer,
) {
    use crate::app::popups::resend::FIELDS;
    use ratatui::layout::{Constraint, Direction, Layout};
    let theme = &state.settings.theme;
    let rect = centered(
        area,
        area.width.saturating_sub(2),
        area.height.saturating_sub(1),
    );
    let title = format!(
        "edit and send again · {}",
        crate::models::catalog::display_name(&form.model)
    );
    let inner = frame(state, rect, &title, buf);
    if inner.width < 4 || inner.height < 3 {
        return;
    }
    let [main, footer] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let direction = if main.width >= 90 {
        Direction::Horizontal
    } else {
        Direction::Vertical
    };
    let fields_size = if direction == Direction::Horizontal {
        38
    } else {
        FIELDS.len() as u16
    };
    let parts = Layout::default()
        .direction(direction)
        .constraints([Constraint::Min(1), Constraint::Length(fields_size)])
        .split(main);
    let border = |focused: bool| {
        if focused {
            theme.style(Role::BorderFocused)
        } else {
            theme.style(Role::Border)
        }
    };
    let body_block = Block::default()
        .borders(Borders::ALL)
        .border_style(border(form.focus == 0))
        .title(" body (JSON) ");
    let body_area = body_block.inner(parts[0]);
    body_block.render(parts[0], buf);
    (&form.body).render(body_area, buf);
    let fields_area = parts[1];
    for (index, name) in FIELDS.iter().enumerate() {
        let y = index as u16;
        if y >= fields_area.height {
            break;
        }
        let focused = form.focus == index + 1;
        let value = form
            .values
            .get(index)
            .map(String::as_str)
            .unwrap_or_default();
        let shown = if value.is_empty() { "-" } else { value };
        let style = if focused {
            theme.style(Role::Selection)
        } else {
            theme.style(Role::Text)
        };
        let line = Line::from(vec![
            Span::styled(format!(" {name:<17} "), theme.style(Role::Muted)),
            Span::styled(sanitize_for_terminal(shown).into_owned(), style),
        ]);
        put(buf, fields_area, y, &line);
    }
    let keys = |action| state.settings.keymap.hint(Context::Resend, action);
    let line = match &form.error {
        Some(error) => Line::from(Span::styled(
            format!("✗ {}", sanitize_for_terminal(error)),
            theme.style(Role::Error),
        )),
        None => Line::from(Span::styled(
            format!(
                "{} next field · {} sends · {} closes · Streaming: space toggles",
                keys(Action::SelectNext),
                keys(Action::Send),
                keys(Action::Close)
            ),
            theme.style(Role::Muted),
        )),
    };
    put(buf, footer, 0, &line);
}
