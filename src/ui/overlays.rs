//! Popups over the chat: the model picker, the parameters form and the help overlay (generated
//! from the keymap).

use crate::app::params::{FIELDS, ParamsForm, capability_hint};
use crate::app::picker::Picker;
use crate::app::sessions::{BrowserMode, SessionBrowser};
use crate::app::state::State;
use crate::config::theme::Role;
use crate::keymap::{Action, Context};
use crate::text::sanitize_for_terminal;
use crate::ui::wrap::{StyledLine, wrap_into};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};
use unicode_width::UnicodeWidthStr;

/// A rectangle of at most `width` x `height` centred in `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// Clears `rect`, draws a titled border and returns the inside.
fn frame(state: &State, rect: Rect, title: &str, buf: &mut Buffer) -> Rect {
    Clear.render(rect, buf);
    let theme = &state.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::BorderFocused))
        .style(theme.style(Role::Popup))
        .title(format!(" {title} "));
    let inner = block.inner(rect);
    block.render(rect, buf);
    inner
}

fn put(buf: &mut Buffer, area: Rect, row: u16, line: &Line<'_>) {
    if row < area.height {
        buf.set_line(area.x, area.y + row, line, area.width);
    }
}

/// The model picker: filter, then one row per model.
pub fn picker(state: &State, picker: &Picker, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let rect = centered(
        area,
        area.width.saturating_sub(4).max(20),
        area.height.saturating_sub(2),
    );
    let source = if state.listed_models.is_some() {
        "live listing"
    } else {
        "catalog"
    };
    let inner = frame(
        state,
        rect,
        &format!(
            "models · {source} · {}/{}",
            picker.matches.len(),
            picker.items.len()
        ),
        buf,
    );
    if inner.height == 0 {
        return;
    }
    let filter = Line::from(vec![
        Span::styled("> ", theme.style(Role::Accent)),
        Span::raw(sanitize_for_terminal(&picker.filter).into_owned()),
        Span::styled("▏", theme.style(Role::Accent)),
    ]);
    put(buf, inner, 0, &filter);
    let rows = inner.height.saturating_sub(2) as usize;
    if rows == 0 {
        return;
    }
    let first = picker.selected.saturating_sub(rows.saturating_sub(1));
    for (row, &index) in picker.matches.iter().enumerate().skip(first).take(rows) {
        let Some(item) = picker.items.get(index) else {
            continue;
        };
        let selected = row == picker.selected;
        let mut style = if item.chats() {
            theme.style(Role::Text)
        } else {
            theme.style(Role::Muted)
        };
        if selected {
            style = theme.style(Role::Selection);
        }
        let stream = if item.streaming { "stream" } else { "invoke" };
        let modalities = format!(
            "{}→{}",
            if item.input.is_empty() {
                "?".to_string()
            } else {
                item.input.join("+")
            },
            if item.output.is_empty() {
                "?".to_string()
            } else {
                item.output.join("+")
            }
        );
        let price = item
            .price
            .map(|(input, output)| format!("${}/${}", per_million(input), per_million(output)))
            .unwrap_or_else(|| "-".to_string());
        let name = sanitize_for_terminal(&item.name);
        let id = sanitize_for_terminal(&item.id);
        let text = match inner.width {
            110.. => format!(
                "{:<26.26} {:<10.10} {:<6} {:<16.16} {:<15} {}",
                name, item.provider, stream, modalities, price, id
            ),
            72.. => format!(
                "{:<24.24} {:<10.10} {:<6} {:<16.16} {}",
                name, item.provider, stream, modalities, price
            ),
            _ => format!("{:<14.14} {:<6} {}", name, stream, price),
        };
        let text = match &picker.compare {
            Some(marked) if crate::app::picker::is_marked(marked, &item.id) => format!("✓ {text}"),
            Some(_) => format!("  {text}"),
            None => text,
        };
        let line = Line::from(Span::styled(text, style));
        let y = 1 + (row - first) as u16;
        if selected {
            buf.set_style(
                Rect {
                    x: inner.x,
                    y: inner.y + y,
                    width: inner.width,
                    height: 1,
                },
                style,
            );
        }
        put(buf, inner, y, &line);
    }
    let selected_id = picker
        .selected_item()
        .map(|item| sanitize_for_terminal(&item.id).into_owned())
        .unwrap_or_default();
    let what = match &picker.compare {
        Some(marked) => format!(
            " · {}/4 marked: {} · {} marks · Enter compares",
            marked.len(),
            marked
                .iter()
                .map(|m| State::model_name(m))
                .collect::<Vec<_>>()
                .join(", "),
            state.keymap.hint(Context::Picker, Action::ToggleMark),
        ),
        None => " · Enter switches · Esc closes · USD per 1M tokens in/out".to_string(),
    };
    let hint = Line::from(vec![
        Span::styled(selected_id, theme.style(Role::Accent)),
        Span::styled(what, theme.style(Role::Muted)),
    ]);
    put(buf, inner, inner.height - 1, &hint);
}

/// The parameters form.
pub fn parameters(state: &State, form: &ParamsForm, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let height = FIELDS.len() as u16 + 6;
    let rect = centered(area, 76, height);
    let inner = frame(state, rect, "parameters", buf);
    for (i, label) in FIELDS.iter().enumerate() {
        let selected = i == form.selected;
        let value = form.values.get(i).map(String::as_str).unwrap_or_default();
        let mut spans = vec![
            Span::styled(
                format!("{label:>16}: "),
                if selected {
                    theme.style(Role::Accent)
                } else {
                    theme.style(Role::Muted)
                },
            ),
            Span::styled(
                sanitize_for_terminal(value).into_owned(),
                theme.style(Role::Text),
            ),
        ];
        if selected {
            spans.push(Span::styled("▏", theme.style(Role::Accent)));
        }
        put(buf, inner, i as u16, &Line::from(spans));
    }
    let hint_row = FIELDS.len() as u16 + 1;
    put(
        buf,
        inner,
        hint_row,
        &Line::from(Span::styled(
            capability_hint(&state.model),
            theme.style(Role::Muted),
        )),
    );
    if let Some(error) = &form.error {
        put(
            buf,
            inner,
            hint_row + 1,
            &Line::from(Span::styled(
                sanitize_for_terminal(error).into_owned(),
                theme.style(Role::Error),
            )),
        );
    }
    put(
        buf,
        inner,
        hint_row + 2,
        &Line::from(Span::styled(
            "↑↓/Tab field · empty = model default · stops comma-separated · Enter apply · Esc cancel",
            theme.style(Role::Muted),
        )),
    );
}

/// The help overlay: every binding of every context, from the keymap.
pub fn help(state: &State, scroll: usize, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let rect = centered(area, 96, area.height.saturating_sub(2));
    let inner = frame(state, rect, "help · Esc closes", buf);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let width = inner.width as usize;
    // Keys sit in a right-aligned column; a key list wider than the column gets a row of
    // its own and the description goes under it.
    let column = (width / 3).clamp(6, 18);
    let continuation = vec![Span::raw(" ".repeat(column + 2))];
    let mut lines: Vec<Line<'static>> = Vec::new();
    for (context, rows) in state.keymap.help() {
        if rows.is_empty() {
            continue;
        }
        let title = match context {
            Context::Chat => "Prompt (keys not listed edit the prompt)",
            Context::Transcript => "Transcript (Tab from the prompt)",
            Context::Picker => "Model picker (type to filter)",
            Context::Parameters => "Parameters form",
            Context::Help => "This help",
            Context::Sessions => "Saved conversations (type to filter)",
            Context::Inspector => "Wire inspector",
            Context::Matrix => "Accept / content-type matrix",
            Context::Compare => "Models side by side",
            Context::Resend => "Editing a request",
        };
        wrap_into(
            &StyledLine::plain(title, theme.style(Role::Heading)),
            width,
            &mut lines,
        );
        for (keys, description) in rows {
            let key_width = UnicodeWidthStr::width(keys.as_str());
            let prefix = if key_width <= column {
                vec![Span::styled(
                    format!("{keys:>column$}  "),
                    theme.style(Role::Accent),
                )]
            } else {
                wrap_into(
                    &StyledLine::plain(keys, theme.style(Role::Accent)),
                    width,
                    &mut lines,
                );
                continuation.clone()
            };
            let mut row = StyledLine::plain(description, theme.style(Role::Text));
            row.prefix = prefix;
            row.continuation = continuation.clone();
            wrap_into(&row, width, &mut lines);
        }
        lines.push(Line::default());
    }
    wrap_into(
        &StyledLine::plain(
            "Keys are configurable: [keys.<context>] in the config file (bedrock-tui config path).",
            theme.style(Role::Muted),
        ),
        width,
        &mut lines,
    );
    let first = scroll.min(lines.len().saturating_sub(inner.height as usize));
    for (row, line) in lines
        .iter()
        .skip(first)
        .take(inner.height as usize)
        .enumerate()
    {
        put(buf, inner, row as u16, line);
    }
}

/// A price per thousand tokens shown per million, without trailing zeros.
fn per_million(per_thousand: f64) -> String {
    let text = format!("{:.3}", per_thousand * 1000.0);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The saved-conversation browser: filter, one row per session (date, turns, title, models),
/// and a footer that asks for a new title or a delete confirmation when one is under way.
pub fn sessions(state: &State, browser: &SessionBrowser, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let rect = centered(
        area,
        area.width.saturating_sub(4).max(20),
        area.height.saturating_sub(2),
    );
    let count = match &browser.items {
        Some(items) => format!("{}/{}", browser.matches.len(), items.len()),
        None => "loading…".to_string(),
    };
    let inner = frame(state, rect, &format!("saved conversations · {count}"), buf);
    if inner.height == 0 {
        return;
    }
    let filter = Line::from(vec![
        Span::styled("> ", theme.style(Role::Accent)),
        Span::raw(sanitize_for_terminal(&browser.filter).into_owned()),
        Span::styled("▏", theme.style(Role::Accent)),
    ]);
    put(buf, inner, 0, &filter);
    let rows = inner.height.saturating_sub(2) as usize;
    let items = browser.items.as_deref().unwrap_or_default();
    if items.is_empty() && browser.items.is_some() && rows > 0 {
        let empty = Line::from(Span::styled(
            "No saved conversations yet: each conversation is saved from its first prompt.",
            theme.style(Role::Muted),
        ));
        put(buf, inner, 1, &empty);
    }
    let current = state.session.as_ref().map(|s| &s.path);
    let first = browser.selected.saturating_sub(rows.saturating_sub(1));
    for (row, &index) in browser.matches.iter().enumerate().skip(first).take(rows) {
        let Some(item) = items.get(index) else {
            continue;
        };
        let mut style = theme.style(Role::Text);
        if row == browser.selected {
            style = theme.style(Role::Selection);
        }
        let when = item
            .created
            .get(..16)
            .unwrap_or(&item.created)
            .replace('T', " ");
        let models: Vec<String> = item.models.iter().map(|m| State::model_name(m)).collect();
        let marks = format!(
            "{}{}",
            if current == Some(&item.path) {
                "●"
            } else {
                " "
            },
            if item.damaged { "!" } else { " " }
        );
        let title = sanitize_for_terminal(&item.title);
        let text = match inner.width {
            90.. => format!(
                "{marks} {when:<16} {:>3} {}  {:<40.40}  {}",
                item.turns,
                if item.turns == 1 { "turn " } else { "turns" },
                title,
                models.join(", ")
            ),
            50.. => format!("{marks} {when:<16} {:>3}  {title}", item.turns),
            _ => format!("{marks} {title}"),
        };
        put(
            buf,
            inner,
            1 + (row - first) as u16,
            &Line::from(Span::styled(text, style)),
        );
    }
    let keys = |action| state.keymap.hint(Context::Sessions, action);
    let footer = match &browser.mode {
        BrowserMode::Browse => Line::from(Span::styled(
            format!(
                "Enter opens · {} renames · {} deletes · {} / {} export md / json · ● on screen, ! damaged",
                keys(Action::Rename),
                keys(Action::Delete),
                keys(Action::ExportMarkdown),
                keys(Action::ExportJson)
            ),
            theme.style(Role::Muted),
        )),
        BrowserMode::Rename(title) => Line::from(vec![
            Span::styled("new title: ", theme.style(Role::Accent)),
            Span::raw(sanitize_for_terminal(title).into_owned()),
            Span::styled(
                "▏ Enter saves · Esc keeps the old one",
                theme.style(Role::Muted),
            ),
        ]),
        BrowserMode::ConfirmDelete if inner.width < 60 => Line::from(Span::styled(
            "Delete it? y: yes · other keys: no",
            theme.style(Role::Error),
        )),
        BrowserMode::ConfirmDelete => Line::from(Span::styled(
            format!(
                "Delete “{}” for good? y or Enter deletes, any other key keeps it",
                browser
                    .selected_item()
                    .map(|s| sanitize_for_terminal(&s.title).into_owned())
                    .unwrap_or_default()
            ),
            theme.style(Role::Error),
        )),
    };
    put(buf, inner, inner.height - 1, &footer);
}

/// The wire inspector for one answer of the transcript.
pub fn inspector(
    state: &State,
    message: u64,
    scroll: usize,
    area: Rect,
    buf: &mut Buffer,
    cache: &mut crate::ui::ViewCache,
) {
    let answers: Vec<&crate::app::state::Message> = state
        .messages
        .iter()
        .filter(|m| m.exchange.is_some())
        .collect();
    let position = answers.iter().position(|m| m.id == message);
    let Some(answer) = position.and_then(|p| answers.get(p)) else {
        return;
    };
    let Some(exchange) = answer.exchange.as_deref() else {
        return;
    };
    let model = answer
        .model
        .as_deref()
        .map(State::model_name)
        .unwrap_or_default();
    let title = format!(
        "inspector · answer {} of {} · {model} · ←/→ other answers · Esc closes",
        position.map_or(0, |p| p + 1),
        answers.len()
    );
    exchange_view(state, &title, exchange, scroll, area, buf, cache);
}

/// An exchange, scrolled: the request as sent, the response and every frame.
fn exchange_view(
    state: &State,
    title: &str,
    exchange: &crate::inspect::Exchange,
    scroll: usize,
    area: Rect,
    buf: &mut Buffer,
    cache: &mut crate::ui::ViewCache,
) {
    use crate::inspect::{LineKind, describe};
    let theme = &state.theme;
    let rect = centered(
        area,
        area.width.saturating_sub(2),
        area.height.saturating_sub(1),
    );
    let inner = frame(state, rect, title, buf);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let width = inner.width as usize;
    let style_of = |kind: LineKind| match kind {
        LineKind::Section => theme.style(Role::Heading),
        LineKind::Start => theme.style(Role::Accent),
        LineKind::Header => theme.style(Role::Text),
        LineKind::Body => theme.style(Role::Code),
        LineKind::Frame => theme.style(Role::Muted),
        LineKind::Problem => theme.style(Role::Error),
        LineKind::Note => theme.style(Role::Muted),
    };
    // Rows of each line once wrapped; only the visible ones are built.
    let rows_of = |text: &str| UnicodeWidthStr::width(text).div_ceil(width).max(1);
    let safe: Vec<(LineKind, String)> = describe(exchange)
        .into_iter()
        .map(|(kind, text)| (kind, sanitize_for_terminal(&text).into_owned()))
        .collect();
    let total: usize = safe.iter().map(|(_, text)| rows_of(text)).sum();
    let viewport = inner.height as usize;
    cache.set_overlay_size(total, viewport);
    let first = scroll.min(total.saturating_sub(viewport));
    let mut row = 0;
    let mut y = 0u16;
    for (kind, text) in &safe {
        let rows = rows_of(text);
        if row + rows <= first {
            row += rows;
            continue;
        }
        let mut styled = StyledLine::plain(text.clone(), style_of(*kind));
        styled.breaks = crate::ui::wrap::Break::Anywhere;
        let mut wrapped = Vec::new();
        wrap_into(&styled, width, &mut wrapped);
        for line in wrapped.iter().skip(first.saturating_sub(row)) {
            if y >= inner.height {
                return;
            }
            put(buf, inner, y, line);
            y += 1;
        }
        row += rows;
    }
}

/// The accept / content-type matrix: one row per combination, filled in as answers arrive;
/// Enter opens the selected row's exchange.
pub fn matrix(
    state: &State,
    view: &crate::app::matrix::MatrixView,
    area: Rect,
    buf: &mut Buffer,
    cache: &mut crate::ui::ViewCache,
) {
    let theme = &state.theme;
    if let (Some(scroll), Some(outcome)) = (view.inspect, view.selected_outcome()) {
        let c = &outcome.combination;
        let title = format!(
            "inspector · {} · Accept {} · Content-Type {} · {} · ←/→ other rows · Esc back",
            State::model_name(&view.model),
            c.accept,
            c.content_type,
            if c.stream { "stream" } else { "invoke" }
        );
        exchange_view(state, &title, &outcome.exchange, scroll, area, buf, cache);
        return;
    }
    let rect = centered(
        area,
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    );
    let done = view.rows.iter().filter(|(_, o)| o.is_some()).count();
    let title = format!(
        "accept / content-type · {} · {done}/{} · Enter inspects · Esc closes",
        State::model_name(&view.model),
        view.rows.len()
    );
    let inner = frame(state, rect, &title, buf);
    if inner.height == 0 {
        return;
    }
    // Every column on a wide screen; the combination and its result on a narrow one.
    let widths: &[usize] = if inner.width >= 100 {
        &[17, 17, 6, 26, 17, 7, 7, 7, 0]
    } else {
        &[17, 17, 6, 0]
    };
    let header = crate::compare::row_text(&crate::compare::COLUMNS, widths);
    put(
        buf,
        inner,
        0,
        &Line::from(Span::styled(header, theme.style(Role::Heading))),
    );
    for (index, (combination, outcome)) in view.rows.iter().enumerate() {
        let y = 1 + index as u16;
        if y >= inner.height {
            break;
        }
        let cells = crate::compare::cells(combination, outcome.as_deref())
            .map(|cell| sanitize_for_terminal(&cell).into_owned());
        let text = crate::compare::row_text(&cells, widths);
        let failed = outcome.as_ref().is_some_and(|o| o.error.is_some());
        let mut style = if failed {
            theme.style(Role::Error)
        } else {
            theme.style(Role::Text)
        };
        if index == view.selected {
            style = theme.style(Role::Selection);
        }
        put(buf, inner, y, &Line::from(Span::styled(text, style)));
    }
}

/// Models side by side: one pane per model (columns, or rows on a narrow screen), each
/// following the end of its answer, with the figures at the bottom.
pub fn compare(
    state: &State,
    view: &crate::app::compare::CompareView,
    area: Rect,
    buf: &mut Buffer,
) {
    use ratatui::layout::{Constraint, Direction, Layout};
    let theme = &state.theme;
    let rect = centered(area, area.width, area.height.saturating_sub(1));
    let keys = |action| state.keymap.hint(Context::Compare, action);
    let title = format!(
        "compare · {} · {} keeps · {} cancels · {} retries · ←/→ · Esc",
        sanitize_for_terminal(
            &view
                .prompt
                .lines()
                .next()
                .unwrap_or_default()
                .chars()
                .take(30)
                .collect::<String>()
        ),
        keys(Action::Confirm),
        keys(Action::Cancel),
        keys(Action::Retry)
    );
    let inner = frame(state, rect, &title, buf);
    if inner.width == 0 || inner.height == 0 || view.panes.is_empty() {
        return;
    }
    let count = view.panes.len() as u32;
    let side_by_side = inner.width as u32 / count >= 24;
    let direction = if side_by_side {
        Direction::Horizontal
    } else {
        Direction::Vertical
    };
    let panes = Layout::default()
        .direction(direction)
        .constraints(vec![Constraint::Ratio(1, count); view.panes.len()])
        .split(inner);
    for (index, (pane, rect)) in view.panes.iter().zip(panes.iter()).enumerate() {
        let focused = index == view.focus;
        let border = if focused {
            theme.style(Role::BorderFocused)
        } else {
            theme.style(Role::Border)
        };
        let status = match &pane.answer.status {
            crate::app::state::AnswerStatus::Waiting => "waiting",
            crate::app::state::AnswerStatus::Streaming => "streaming",
            crate::app::state::AnswerStatus::Complete => "done",
            crate::app::state::AnswerStatus::Cancelled => "cancelled",
            crate::app::state::AnswerStatus::Failed(_) => "failed",
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(border)
            .title(format!(" {} · {status} ", State::model_name(&pane.model)));
        let body = block.inner(*rect);
        block.render(*rect, buf);
        if body.width == 0 || body.height == 0 {
            continue;
        }
        let lines = crate::ui::transcript::lay_out(state, &pane.answer, body.width as usize);
        let stats = &pane.answer.stats;
        let mut figures = Vec::new();
        if let Some(t) = stats.first_token {
            figures.push(format!("ttft {} ms", t.as_millis()));
        }
        if let Some(rate) = stats.tokens_per_second() {
            figures.push(format!("{rate:.0} tok/s"));
        }
        if let (Some(i), Some(o)) = (stats.input_tokens, stats.output_tokens) {
            figures.push(format!("{i}/{o} tok"));
        }
        if let Some(cost) = stats.cost {
            figures.push(format!("${cost:.5}"));
        }
        let text_rows = body.height.saturating_sub(1) as usize;
        let first = lines.len().saturating_sub(text_rows);
        for (row, line) in lines.iter().skip(first).take(text_rows).enumerate() {
            put(buf, body, row as u16, line);
        }
        let footer = Line::from(Span::styled(figures.join(" · "), theme.style(Role::Muted)));
        put(buf, body, body.height - 1, &footer);
    }
}

/// The request editor: the JSON body on the left (above on a narrow screen), the per-request
/// settings beside it, and the error or the keys at the bottom.
pub fn resend(state: &State, form: &crate::app::resend::ResendForm, area: Rect, buf: &mut Buffer) {
    use crate::app::resend::FIELDS;
    use ratatui::layout::{Constraint, Direction, Layout};
    let theme = &state.theme;
    let rect = centered(
        area,
        area.width.saturating_sub(2),
        area.height.saturating_sub(1),
    );
    let title = format!("edit and send again · {}", State::model_name(&form.model));
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
    let keys = |action| state.keymap.hint(Context::Resend, action);
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
