//! The rows around a message's body: its header (the name with the cursor's pointer,
//! versions, status, figures, reasoning) and its footer (tool calls, the guardrail's verdict,
//! the error with its hints, notes).

use super::message::Layout;
use crate::app::state::{AnswerStatus, Message, Speaker};
use crate::config::theme::Role;
use crate::text::sanitize_for_terminal;
use crate::ui::wrap::{Break, StyledLine, wrap_into};
use ratatui::text::{Line, Span};

pub(super) fn head(
    message: &Message,
    layout: &Layout<'_>,
    selected: bool,
    out: &mut Vec<Line<'static>>,
) {
    let (theme, keys, width) = (layout.theme, &layout.keys, layout.width);
    let show_reasoning = layout.show_reasoning;
    let muted = theme.style(Role::Muted);
    // The message cursor: a pointer and the selection style on the name.
    let role = match message.speaker {
        Speaker::User => Role::User,
        Speaker::Assistant => Role::Assistant,
        Speaker::Notice | Speaker::Tool => Role::Muted,
    };
    let (bar, name_style) = if selected {
        ("▶ ", theme.style(role).patch(theme.style(Role::Selection)))
    } else {
        ("▌ ", theme.style(role))
    };
    let mut spans = match message.speaker {
        Speaker::User => vec![Span::styled(format!("{bar}You"), name_style)],
        Speaker::Assistant => {
            let model = message.model.as_deref().unwrap_or("model");
            vec![Span::styled(
                format!(
                    "{bar}{}",
                    sanitize_for_terminal(&crate::models::catalog::display_name(model))
                ),
                name_style,
            )]
        }
        Speaker::Notice => vec![Span::styled(format!("{bar}bedrock-tui"), name_style)],
        Speaker::Tool => vec![Span::styled(format!("{bar}Tools"), name_style)],
    };
    if let Some(alternatives) = &message.alternatives {
        let (at, of) = alternatives.position();
        let text = if selected {
            format!("  ‹{at}/{of}› [ ]")
        } else {
            format!("  ‹{at}/{of}›")
        };
        spans.push(Span::styled(text, theme.style(Role::Accent)));
    }
    if message.speaker == Speaker::Assistant {
        let status = match &message.status {
            AnswerStatus::Waiting => Some((
                match &message.retrying {
                    Some(retry) => format!("  {}", sanitize_for_terminal(retry)),
                    None => "  waiting…".to_string(),
                },
                muted,
            )),
            AnswerStatus::Streaming => Some(("  streaming…".to_string(), muted)),
            AnswerStatus::Cancelled => {
                Some(("  cancelled".to_string(), theme.style(Role::Warning)))
            }
            AnswerStatus::Failed(_) => Some(("  failed".to_string(), theme.style(Role::Error))),
            AnswerStatus::Complete => {
                let mut figures = Vec::new();
                if let Some(total) = message.stats.total {
                    figures.push(format!("{:.1} s", total.as_secs_f64()));
                }
                if let Some(out) = message.stats.output_tokens() {
                    figures.push(crate::text::count(out, "token", "tokens"));
                }
                if let Some(cache) = message.stats.cache_line() {
                    figures.push(cache);
                }
                if let Some(reason) = &message.stop_reason {
                    let words = crate::models::stop_reason::in_words(reason);
                    figures.push(sanitize_for_terminal(&words).into_owned());
                }
                (!figures.is_empty()).then(|| (format!("  {}", figures.join(" · ")), muted))
            }
        };
        if let Some((text, style)) = status {
            spans.push(Span::styled(text, style));
        }
        if message.detached {
            spans.push(Span::styled(
                "  (edited request, not in the conversation)",
                muted,
            ));
        } else if message.superseded {
            spans.push(Span::styled("  (superseded by a retry)", muted));
        }
    }
    let mut header = StyledLine::plain("", muted);
    header.pieces = spans
        .into_iter()
        .map(|s| (s.content.into_owned(), s.style))
        .collect();
    wrap_into(&header, width, out);
    if message.reasoning.is_empty() {
        return;
    }
    let style = theme.style(Role::Reasoning);
    if !show_reasoning {
        let words = message.reasoning.split_whitespace().count();
        let fold = StyledLine::plain(
            format!("▸ thinking · {words} words ({} unfolds)", keys.reasoning),
            style,
        );
        wrap_into(&fold, width, out);
        return;
    }
    wrap_into(
        &StyledLine::plain(format!("▾ thinking ({} folds)", keys.reasoning), style),
        width,
        out,
    );
    for line in message.reasoning.trim_end().split('\n') {
        let safe = sanitize_for_terminal(line).replace('\t', "    ");
        let mut styled = StyledLine::plain(safe, style);
        styled.prefix = vec![Span::styled("│ ", style)];
        styled.continuation = styled.prefix.clone();
        wrap_into(&styled, width, out);
    }
}

pub(super) fn foot(message: &Message, layout: &Layout<'_>, out: &mut Vec<Line<'static>>) {
    let (theme, keys, width) = (layout.theme, &layout.keys, layout.width);
    let error_style = theme.style(Role::Error);
    for call in &message.stats.tool_calls {
        let mut line = StyledLine::plain(
            format!("⚙ calls {}", call.summary()),
            theme.style(Role::Muted),
        );
        line.breaks = Break::Words;
        wrap_into(&line, width, out);
    }
    if let Some(guardrail) = &message.stats.guardrail
        && (guardrail.intervened() || !guardrail.policies.is_empty())
    {
        // An intervention is its own notice: the text above is what the guardrail returned.
        let style = if guardrail.intervened() {
            theme.style(Role::Warning)
        } else {
            theme.style(Role::Muted)
        };
        let mut text = format!("⛨ {}", guardrail.summary());
        if guardrail.intervened() {
            text.push_str(" · the text above is the guardrail's");
        }
        let mut line = StyledLine::plain(sanitize_for_terminal(&text).into_owned(), style);
        line.breaks = Break::Words;
        wrap_into(&line, width, out);
    }
    if let AnswerStatus::Failed(error) = &message.status {
        let mut title = format!("✗ {}", error.name);
        if let Some(status) = error.status {
            title.push_str(&format!(" (HTTP {status})"));
        }
        if let Some(original) = error.original_status {
            title.push_str(&format!(" (original status {original})"));
        }
        if error.in_stream && !message.text.is_empty() {
            title.push_str(" in the stream; the partial answer is kept above");
        }
        let mut line = StyledLine::plain(sanitize_for_terminal(&title).into_owned(), error_style);
        line.breaks = Break::Words;
        wrap_into(&line, width, out);
        let mut detail = StyledLine::plain(
            sanitize_for_terminal(&error.message).into_owned(),
            theme.style(Role::Text),
        );
        detail.prefix = vec![Span::styled("  ", error_style)];
        detail.continuation = detail.prefix.clone();
        wrap_into(&detail, width, out);
        if !message.superseded {
            wrap_into(
                &StyledLine::plain(
                    format!("  {} retries", keys.retry),
                    theme.style(Role::Muted),
                ),
                width,
                out,
            );
        }
    }
    if message.status == AnswerStatus::Cancelled {
        wrap_into(
            &StyledLine::plain(
                format!("■ cancelled; {} retries", keys.retry),
                theme.style(Role::Warning),
            ),
            width,
            out,
        );
    }
    if message.goes_again && !message.kept && !message.superseded && !message.detached {
        let drops = if keys.delete.is_empty() {
            String::new()
        } else {
            format!("; {} on it in the transcript drops the turn", keys.delete)
        };
        wrap_into(
            &StyledLine::plain(
                format!(
                    "  its prompt goes again with your next one, and the model answers both ({} retries it alone{drops})",
                    keys.retry
                ),
                theme.style(Role::Muted),
            ),
            width,
            out,
        );
    }
    if message.is_partial() && !message.superseded && !message.detached && !keys.keep.is_empty() {
        let text = if message.kept {
            format!(
                "  kept: sent as context ({} in the transcript stops)",
                keys.keep
            )
        } else {
            format!(
                "  not sent as context ({} in the transcript keeps it)",
                keys.keep
            )
        };
        wrap_into(
            &StyledLine::plain(text, theme.style(Role::Muted)),
            width,
            out,
        );
    }
    for note in &message.notes {
        let mut line = StyledLine::plain(
            format!("note: {}", sanitize_for_terminal(note)),
            theme.style(Role::Muted),
        );
        line.prefix = vec![Span::raw("  ")];
        line.continuation = line.prefix.clone();
        wrap_into(&line, width, out);
    }
    out.push(Line::default());
}
