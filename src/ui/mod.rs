//! Rendering: `render(&State, &mut ViewCache, &mut Frame)` draws the transcript, the prompt
//! editor, the status bar and any popup. It reads the state and does no I/O.

pub mod highlight;
pub mod links;
pub mod markdown;
pub mod pictures;
pub(crate) mod popups;
pub mod status;
pub mod transcript;
pub mod wrap;

pub use transcript::{ROWS_KEPT, ViewCache};

use crate::app::state::{Focus, Overlay, State};
use crate::config::theme::Role;
use crate::keymap::{Action, Context};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Block, Borders, Widget};
use unicode_width::UnicodeWidthStr;

/// Draws one frame.
pub fn render(state: &State, cache: &mut ViewCache, frame: &mut Frame<'_>) {
    let area = frame.area();
    if area.width == 0 || area.height == 0 {
        return;
    }
    let editor_height = editor_height(state, area);
    let [transcript_area, editor_area, status_area] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(editor_height),
        Constraint::Length(1),
    ])
    .areas(area);
    let theme = &state.settings.theme;
    let border = |focused: bool| {
        if focused {
            theme.style(Role::BorderFocused)
        } else {
            theme.style(Role::Border)
        }
    };
    let transcript_focused = state.screen.focus == Focus::Transcript;
    let title = if transcript_focused {
        transcript_title(state)
    } else {
        " transcript ".to_string()
    };
    let inner = if transcript_area.height >= 3 {
        let block = Block::default()
            .borders(Borders::TOP)
            .border_style(border(transcript_focused))
            .title(title)
            .title_style(border(transcript_focused));
        let inner = block.inner(transcript_area);
        block.render(transcript_area, frame.buffer_mut());
        inner
    } else {
        transcript_area
    };
    transcript::render(state, cache, inner, frame.buffer_mut());
    render_editor(
        state,
        editor_area,
        frame,
        border(state.screen.focus == Focus::Editor),
    );
    status::render(state, status_area, frame.buffer_mut());
    popup(
        state,
        &state.screen.overlay,
        area,
        frame.buffer_mut(),
        cache,
    );
}

/// The transcript's title in transcript focus: the keys of the message cursor.
fn transcript_title(state: &State) -> String {
    use crate::keymap::{Action, Context};
    let key = |action| state.settings.keymap.hint(Context::Transcript, action);
    format!(
        " transcript · {}/{} select · {} edit · {} regenerate · {}/{} versions · {} copy · {} delete · {} fork · {} keep ",
        key(Action::MessagePrevious),
        key(Action::MessageNext),
        key(Action::EditMessage),
        key(Action::Regenerate),
        key(Action::PreviousVersion),
        key(Action::NextVersion),
        key(Action::CopyMessage),
        key(Action::DeleteTurn),
        key(Action::Fork),
        key(Action::KeepPartial),
    )
}

/// Draws a popup (the one under the help first, when help was opened over it).
fn popup(
    state: &State,
    overlay: &Overlay,
    area: Rect,
    buf: &mut ratatui::buffer::Buffer,
    cache: &mut ViewCache,
) {
    match overlay {
        Overlay::None => {}
        Overlay::Picker(picker) => popups::picker::picker(state, picker, area, buf),
        Overlay::Parameters(form) => popups::parameters::parameters(state, form, area, buf),
        Overlay::Help(help) => {
            if let Some(under) = &help.under {
                popup(state, under, area, buf, cache);
                // What the help covers is not on screen: no rows of it count as read.
                cache.set_overlay_size(0, 0, 0);
            }
            popups::help::help(state, help.scroll, area, buf);
        }
        Overlay::Sessions(browser) => popups::sessions::sessions(state, browser, area, buf),
        Overlay::Roles(picker) => popups::roles::roles(state, picker, area, buf),
        Overlay::Matrix(view) => popups::matrix::matrix(state, view, area, buf, cache),
        Overlay::Compare(view) => popups::compare::compare(state, view, area, buf),
        Overlay::Resend(form) => popups::resend::resend(state, form, area, buf),
        Overlay::Tools(approval) => popups::tools::approval(state, approval, area, buf, cache),
        Overlay::Inspector(view) => {
            popups::inspector::inspector(state, view.message, view.scroll, area, buf, cache);
        }
    }
}

/// Rows the editor takes: its wrapped lines plus the border, at most a third of the screen.
fn editor_height(state: &State, area: Rect) -> u16 {
    let inner_width = area.width.saturating_sub(2).max(1) as usize;
    let rows: usize = state
        .composer
        .editor
        .lines()
        .iter()
        .map(|line| line.width().div_ceil(inner_width).max(1))
        .sum();
    let most = (area.height / 3).max(3);
    (rows as u16)
        .saturating_add(2)
        .saturating_add(attachment_rows(state))
        .clamp(3, most)
        .min(area.height.saturating_sub(1))
}

/// Rows of the list of attached files above the prompt: one per file, at most four (the
/// fourth then says how many more).
fn attachment_rows(state: &State) -> u16 {
    (state.composer.attached.len() + state.composer.attaching.len()).min(4) as u16
}

/// The attached files, listed at the top of the prompt box.
fn render_attachments(state: &State, area: Rect, frame: &mut Frame<'_>) -> Rect {
    let rows = attachment_rows(state).min(area.height.saturating_sub(1));
    if rows == 0 {
        return area;
    }
    let [list, rest] = Layout::vertical([Constraint::Length(rows), Constraint::Min(0)]).areas(area);
    let mut lines = crate::app::attach::listed(state);
    if lines.len() > rows as usize {
        let more = lines.len() - (rows as usize - 1);
        lines.truncate(rows as usize - 1);
        lines.push(format!("… and {more} more (/detach N removes file N)"));
    }
    let style = state.settings.theme.style(Role::Muted);
    for (i, line) in lines.iter().enumerate() {
        let row = Rect {
            y: list.y + i as u16,
            height: 1,
            ..list
        };
        frame.render_widget(
            ratatui::widgets::Paragraph::new(crate::text::sanitize_for_terminal(line).into_owned())
                .style(style),
            row,
        );
    }
    rest
}

fn render_editor(state: &State, area: Rect, frame: &mut Frame<'_>, border: ratatui::style::Style) {
    if area.height == 0 {
        return;
    }
    let lines = state.composer.editor.lines();
    let mut title = if lines.len() > 1 || lines.first().is_some_and(|l| l.chars().count() > 200) {
        let chars: usize = lines.iter().map(|l| l.chars().count()).sum::<usize>() + lines.len() - 1;
        let count = match lines.len() {
            1 => "1 line".to_string(),
            n => format!("{n} lines"),
        };
        format!(" prompt · {count} · {chars} chars ")
    } else {
        " prompt ".to_string()
    };
    if state.chat.editing.is_some() {
        let send = state.settings.keymap.hint(Context::Chat, Action::Send);
        let stop = state.settings.keymap.hint(Context::Chat, Action::Cancel);
        title = title.replacen(
            " prompt ",
            &format!(" editing an earlier prompt: {send} sends it as a new branch, {stop} stops "),
            1,
        );
    }
    if !state.composer.pastes.is_empty() {
        let bytes: usize = state.composer.pastes.iter().map(|p| p.text.len()).sum();
        title.push_str(&format!(
            "· {} pasted block{} ({}) ",
            state.composer.pastes.len(),
            if state.composer.pastes.len() == 1 {
                ""
            } else {
                "s"
            },
            crate::files::human_size(bytes as u64)
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(title)
        .title_style(border);
    let inner = block.inner(area);
    block.render(area, frame.buffer_mut());
    let inner = render_attachments(state, inner, frame);
    frame.render_widget(&state.composer.editor, inner);
}
