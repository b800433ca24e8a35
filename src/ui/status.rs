//! The status bar: state badge, model, where requests go, the role or system prompt in use, and
//! the last answer's figures (time to first token, tokens per second, tokens in and out,
//! estimated cost), or a flash message.

use crate::app::state::{ConnectionState, Speaker, State};
use crate::config::theme::Role;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

/// Draws the status bar into a one-row area.
pub fn render(state: &State, area: Rect, buf: &mut Buffer) {
    let theme = &state.settings.theme;
    let base = theme.style(Role::Status);
    buf.set_style(area, base);
    let activity = state.activity();
    let badge_style = match activity {
        "error" => theme.style(Role::Error).patch(
            ratatui::style::Style::default().bg(theme
                .style(Role::Status)
                .bg
                .unwrap_or(ratatui::style::Color::Reset)),
        ),
        _ => theme.style(Role::StatusAccent),
    };
    let mut spans = vec![
        Span::styled(format!(" {} ", activity.to_uppercase()), badge_style),
        Span::styled(" ", base),
        Span::styled(
            crate::text::sanitize_for_terminal(&crate::models::catalog::display_name(
                &state.chat.model,
            ))
            .into_owned(),
            base.patch(theme.style(Role::Accent))
                .bg(base.bg.unwrap_or_default()),
        ),
    ];
    if state.route() == crate::bedrock::Api::Converse {
        spans.push(Span::styled(" via Converse", base));
    }
    let place = match &state.requests.connection {
        ConnectionState::Pending => "resolving credentials…".to_string(),
        ConnectionState::Ready { emulator: true, .. } => "emulator".to_string(),
        ConnectionState::Ready { description, .. } => description.clone(),
        ConnectionState::Failed(_) => "not connected".to_string(),
    };
    spans.push(Span::styled(format!(" · {place}"), base));
    // The role in use, or that a system prompt is set.
    match (&state.chat.role, &state.chat.system) {
        (Some(role), _) => spans.push(Span::styled(
            format!(" · role {}", crate::text::sanitize_for_terminal(role)),
            base,
        )),
        (None, Some(system)) if !system.trim().is_empty() => {
            spans.push(Span::styled(" · system prompt", base));
        }
        _ => {}
    }
    let right = if let Some(flash) = &state.screen.flash {
        let style = if flash.error {
            theme.style(Role::Error).bg(base.bg.unwrap_or_default())
        } else {
            base
        };
        Span::styled(
            format!(" {} ", crate::text::sanitize_for_terminal(&flash.text)),
            style,
        )
    } else {
        // The figures that fit, the least important (time to first token) dropped first.
        let left_width = Line::from(spans.clone()).width();
        let mut parts = figures(state);
        let text = loop {
            let text = format!("{} ", parts.join(" · "));
            if left_width + text.chars().count() < area.width as usize || parts.len() <= 1 {
                break text;
            }
            parts.remove(0);
        };
        Span::styled(text, base)
    };
    let badge = spans[0].clone();
    let left = Line::from(spans);
    let left_width = left.width() as u16;
    buf.set_line(area.x, area.y, &left, area.width);
    let right_width = right.width() as u16;
    if left_width + right_width < area.width {
        let x = area.x + area.width - right_width;
        buf.set_span(x, area.y, &right, right_width);
    } else if state.screen.flash.is_some() {
        // A message goes after the state badge and the model name (the endpoint gives way);
        // when it does not fit there it wins over the model name, cut with an ellipsis only
        // when even that is too little room.
        buf.set_style(area, base);
        let head = Line::from(spans_head(&left));
        let head_width = head.width() as u16;
        let room = area.width.saturating_sub(head_width + 1) as usize;
        let (x, shown) = if right.content.trim_end().width() <= room {
            buf.set_line(area.x, area.y, &head, area.width);
            (area.x + head_width + 1, room)
        } else {
            let badge_width = (badge.width() as u16).min(area.width);
            buf.set_span(area.x, area.y, &badge, badge_width);
            (
                area.x + badge_width,
                area.width.saturating_sub(badge_width) as usize,
            )
        };
        let text = crate::ui::wrap::cut_to_width(right.content.trim_end(), shown);
        buf.set_span(
            x,
            area.y,
            &Span::styled(text, right.style),
            u16::try_from(shown).unwrap_or(u16::MAX),
        );
    }
}

/// The state badge, the space after it and the model name.
fn spans_head(left: &Line<'static>) -> Vec<Span<'static>> {
    left.spans.iter().take(3).cloned().collect()
}

/// `ttft 120 ms`, `48 tok/s`, `12 in`, `345 out`, `$0.0012`: figures of the latest answer.
fn figures(state: &State) -> Vec<String> {
    let Some(answer) = state
        .chat
        .messages
        .iter()
        .rev()
        .find(|m| m.speaker == Speaker::Assistant)
    else {
        let help = state.settings.keymap.hint(
            crate::keymap::Context::Chat,
            crate::keymap::Action::ToggleHelp,
        );
        return vec![format!("{help} help")];
    };
    let stats = &answer.stats;
    let mut parts = Vec::new();
    if let (Some(flight), Some((asked, news))) =
        (state.requests.in_flight, state.requests.in_flight_clock)
        && flight.message_id == answer.id
    {
        return live_figures(answer, asked, news);
    }
    if let Some(t) = stats.first_token {
        parts.push(format!("ttft {} ms", t.as_millis()));
    }
    if let Some(rate) = stats.tokens_per_second() {
        parts.push(format!("{rate:.0} tok/s"));
    }
    if let Some(n) = stats.input_tokens() {
        parts.push(format!("{n} in"));
    }
    if let Some(n) = stats.output_tokens() {
        parts.push(format!("{n} out"));
    }
    if let Some(cache) = stats.cache_line() {
        parts.push(cache);
    }
    if let Some(cost) = answer.cost() {
        parts.push(crate::exchange::format_cost(cost));
    }
    if let Some(gauge) = context_gauge(state, stats) {
        parts.push(gauge);
    }
    parts
}

/// `ctx 12.3k/200k`: how much of the model's context window the conversation fills, by what
/// Bedrock metered for the last answer (its prompt, cached or not, and its output).
fn context_gauge(state: &State, stats: &crate::exchange::Figures) -> Option<String> {
    let window = crate::models::catalog::lookup(&state.chat.model)?.context_window;
    let used = stats.input_tokens()?
        + stats.cache_read_tokens.unwrap_or(0)
        + stats.cache_write_tokens.unwrap_or(0)
        + stats.output_tokens().unwrap_or(0);
    let short = |n: u64| {
        if n >= 1000 {
            format!("{:.1}k", n as f64 / 1000.0)
        } else {
            n.to_string()
        }
    };
    let short = |n: u64| short(n).replace(".0k", "k");
    Some(format!("ctx {}/{}", short(used), short(u64::from(window))))
}

/// While an answer streams: its time so far, its tokens so far (counted by the service once it
/// says, else estimated from the text at four characters a token, marked `~`), the rate, and
/// how long the stream has been silent once that passes two seconds.
fn live_figures(
    answer: &crate::app::state::Message,
    asked: std::time::Instant,
    news: std::time::Instant,
) -> Vec<String> {
    let now = std::time::Instant::now();
    let elapsed = now.saturating_duration_since(asked);
    let mut parts = Vec::new();
    let guess =
        ((answer.text.chars().count() + answer.reasoning.chars().count()) as u64).div_ceil(4);
    // A count the service sent early (Claude's message_start says 1) is not the answer's yet.
    let (tokens, estimated) = match answer.stats.output_tokens() {
        Some(n) if n >= guess => (n, false),
        _ => (guess, true),
    };
    if tokens > 0 {
        parts.push(format!("{}{tokens} tok", if estimated { "~" } else { "" }));
        if let Some(first) = answer.stats.first_token {
            let streaming = elapsed.saturating_sub(first).as_secs_f64();
            if streaming > 0.2 {
                parts.push(format!("{:.0} tok/s", tokens as f64 / streaming));
            }
        }
    }
    parts.push(format!("{:.1} s", elapsed.as_secs_f64()));
    let silent = now.saturating_duration_since(news);
    if silent >= std::time::Duration::from_secs(2) {
        parts.push(format!("silent {} s", silent.as_secs()));
    }
    parts
}
