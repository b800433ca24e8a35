//! The transcript's layout and drawing: pictures, links, lazy layout, views kept in step with
//! the messages.

use super::*;
use crate::app::state::Speaker;
use crate::config::theme::Theme;
use crate::keymap::Keymap;

fn rows_at(state: &State, cache: &mut ViewCache, width: u16, height: u16) -> Vec<String> {
    let area = Rect::new(0, 0, width, height);
    let mut buf = Buffer::empty(area);
    render(state, cache, area, &mut buf);
    (0..area.height)
        .map(|y| {
            (0..area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect()
}

fn rows(state: &State, cache: &mut ViewCache) -> Vec<String> {
    rows_at(state, cache, 30, 12)
}

fn new_state() -> State {
    State::new("m".into(), Keymap::default(), Theme::default())
}

#[test]
fn tool_calls_are_shown_under_the_answer_and_their_results_folded() {
    let mut state = new_state();
    let id = state.push(Speaker::Assistant, "Let me check.");
    let call = crate::models::tool_use::ToolCall {
        index: 1,
        id: "toolu_1".into(),
        name: "weather".into(),
        input: "{\"city\": \"Paris\"}".into(),
    };
    if let Some(m) = state.message_mut(id) {
        m.stats.tool_calls.push(call.clone());
    }
    let mut results = crate::app::message::Message::new(Speaker::Tool, "");
    results.tool_runs.push(crate::tools::Ran {
        result: crate::models::tool_use::ToolResult {
            id: call.id.clone(),
            name: call.name.clone(),
            input: call.input.clone(),
            content: "sunny\n\x1b[31m24 degrees".into(),
            is_error: false,
        },
        elapsed: std::time::Duration::from_millis(12),
        ran: true,
    });
    let tools = state.push_message(results);
    let mut cache = ViewCache::default();
    let screen = rows_at(&state, &mut cache, 90, 12).join("\n");
    assert!(
        screen.contains("⚙ calls weather {\"city\":\"Paris\"}"),
        "{screen}"
    );
    assert!(screen.contains("▌ Tools"), "{screen}");
    assert!(
        screen.contains("⚙ weather {\"city\":\"Paris\"} → 21 B in 12 ms"),
        "{screen}"
    );
    assert!(screen.contains("▸ results folded (z unfolds)"), "{screen}");
    assert!(!screen.contains("sunny"), "{screen}");
    if let Some(m) = state.message_mut(tools) {
        m.unfolded = true;
        m.changed();
    }
    let screen = rows_at(&state, &mut cache, 90, 12).join("\n");
    assert!(screen.contains("│ sunny"), "{screen}");
    // What a tool returns is shown as text, never as terminal commands.
    assert!(!screen.contains('\x1b'), "{screen}");
    assert!(screen.contains("24 degrees"), "{screen}");
}

#[test]
fn hidden_characters_in_an_answer_are_shown_for_what_they_are() {
    let mut state = new_state();
    let smuggled: String = "obey me"
        .chars()
        .map(|c| char::from_u32(0xE0000 + c as u32).unwrap())
        .collect();
    state.push(
        Speaker::Assistant,
        format!("Sure{smuggled}. co\u{ad}py a\u{2028}b \u{180e}x\u{34f}y"),
    );
    let mut cache = ViewCache::default();
    let screen = rows_at(&state, &mut cache, 90, 12).join("\n");
    assert!(screen.contains("Sure⟨tags: obey me⟩."), "{screen}");
    assert!(
        screen.contains("co⟨U+00AD⟩py a⟨U+2028⟩b ⟨U+180E⟩x⟨U+034F⟩y"),
        "{screen}"
    );
}

#[test]
fn a_picture_fits_the_view_and_its_part_in_view_is_drawn_when_scrolled() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("images");
    let mut png = Vec::new();
    // Stripes, so that each half block has two colours.
    image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(400, 400, |_, y| {
        if (y / 11) % 2 == 0 {
            image::Rgb([200, 40, 40])
        } else {
            image::Rgb([20, 20, 220])
        }
    }))
    .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
    .unwrap();
    let saved = crate::pictures::save(&images, &png).unwrap();
    let mut state = new_state();
    state.settings.pictures_dir = Some(images);
    state.settings.markdown.pictures = Some((10, 20));
    state.push(
        Speaker::Assistant,
        format!("Here:\n\n{}\n\nThe end.", saved.markdown(1)),
    );
    // Rows with picture cells: coloured half blocks.
    let drawn = |state: &State, cache: &mut ViewCache| {
        let area = Rect::new(0, 0, 60, 12);
        let mut buf = Buffer::empty(area);
        render(state, cache, area, &mut buf);
        (0..area.height)
            .filter(|&y| {
                (0..area.width).any(|x| {
                    let cell = &buf[(x, y)];
                    cell.bg != ratatui::style::Color::Reset && matches!(cell.symbol(), "▀" | " ")
                })
            })
            .count()
    };
    // Its size not read yet: its caption says it is loading, and nothing is read here.
    let mut cache = ViewCache::default();
    assert_eq!(drawn(&state, &mut cache), 0);
    let screen = rows(&state, &mut cache).join("\n");
    assert!(screen.contains("(loading)"), "{screen}");
    assert!(
        cache.take_wanted_pictures().is_empty(),
        "no rows to draw yet"
    );
    // The loop read its size (a message laid out again), then the frame asks for its
    // pixels, which the loop decodes and hands back.
    let id = state.chat.messages[0].id;
    state
        .screen
        .picture_sizes
        .insert(saved.path.clone(), crate::pictures::showable(&saved.path));
    state.message_mut(id).unwrap().changed();
    assert_eq!(drawn(&state, &mut cache), 0, "not decoded yet");
    assert_eq!(
        cache.take_wanted_pictures(),
        std::slice::from_ref(&saved.path)
    );
    assert!(cache.take_wanted_pictures().is_empty(), "asked once");
    let image = crate::pictures::read_for_screen(&saved.path).map(std::sync::Arc::new);
    cache.picture_decoded(&saved.path, image);
    // A view of 12 rows: the picture takes 9, all of it drawn.
    assert_eq!(drawn(&state, &mut cache), 9);
    // Scrolled to the top, only its upper rows are in view: those are drawn.
    state.screen.scroll = Scroll::Line(0);
    let shown = drawn(&state, &mut cache);
    assert!(shown > 0 && shown < 9, "{shown} rows drawn");
}

#[test]
fn views_follow_messages_that_are_removed_or_replaced() {
    let mut state = new_state();
    let first = state.push(Speaker::User, "first");
    state.push(Speaker::User, "second");
    state.push(Speaker::User, "third");
    let mut cache = ViewCache::default();
    let before = rows(&state, &mut cache);
    assert!(before.iter().any(|r| r == "second"), "{before:?}");
    state.chat.messages.remove(1);
    let after = rows(&state, &mut cache);
    assert!(!after.iter().any(|r| r == "second"), "{after:?}");
    assert!(after.iter().any(|r| r == "third"), "{after:?}");
    state.chat.messages.clear();
    state.push(Speaker::User, "fresh");
    let fresh = rows(&state, &mut cache);
    assert!(fresh.iter().any(|r| r == "fresh"), "{fresh:?}");
    assert!(!fresh.iter().any(|r| r == "first"), "{first} {fresh:?}");
    assert_eq!(cache.views.len(), 1);
}

#[test]
fn a_streamed_block_is_laid_out_again_and_finished_blocks_are_kept() {
    let mut state = new_state();
    let id = state.push(Speaker::Assistant, "one\n\ntw");
    if let Some(m) = state.message_mut(id) {
        m.status = crate::app::state::AnswerStatus::Streaming;
    }
    let mut cache = ViewCache::default();
    rows(&state, &mut cache);
    let finished = cache.views[0].finished_rows();
    if let Some(m) = state.message_mut(id) {
        m.text.push_str("o three");
        m.changed();
    }
    let screen = rows(&state, &mut cache);
    assert!(screen.iter().any(|r| r == "two three"), "{screen:?}");
    assert_eq!(
        cache.views[0].finished_rows(),
        finished,
        "the first paragraph stayed"
    );
}

fn long_conversation(turns: usize) -> State {
    let mut state = new_state();
    for turn in 0..turns {
        state.push(Speaker::User, format!("question {turn}"));
        state.push(
            Speaker::Assistant,
            format!(
                "answer {turn}\n\n- a\n- b\n\n| x | y |\n|---|---|\n| {turn} | 2 |\n\n{}",
                "words in a paragraph ".repeat(20)
            ),
        );
    }
    state
}

#[test]
fn the_end_of_a_long_conversation_is_shown_first_and_the_rest_follows() {
    let state = long_conversation(4_000);
    let mut cache = ViewCache::default();
    let screen = rows_at(&state, &mut cache, 40, 10);
    assert_eq!(screen[8], "in a paragraph", "the end: {screen:?}");
    assert!(cache.pending(), "most of it is still to lay out");
    let laid = cache.views.iter().filter(|v| v.laid_out_rows()).count();
    assert!(
        laid < 4_000,
        "{laid} of 8,000 views laid out in the first frame"
    );
    let mut frames = 1;
    while cache.pending() {
        let again = rows_at(&state, &mut cache, 40, 10);
        assert_eq!(
            again, screen,
            "the view holds still while the rest is laid out"
        );
        frames += 1;
        assert!(frames < 1_000);
    }
    let exact: usize = state
        .chat
        .messages
        .iter()
        .map(|m| {
            let mut view = MessageView::new(m.id);
            let layout = test_layout(&state, 40);
            view.lay_out(m, &layout, false);
            view.height()
        })
        .sum();
    assert_eq!(cache.metrics().content_height, exact);
}

fn test_layout(state: &State, width: usize) -> Layout<'_> {
    Layout {
        pictures_dir: None,
        picture_sizes: None,
        width,
        show_reasoning: false,
        theme: &state.settings.theme,
        options: state.settings.markdown,
        keys: Keys {
            retry: "",
            reasoning: "",
            keep: "",
            fold: "",
            delete: "",
        },
    }
}

#[test]
fn a_view_scrolled_up_stays_on_its_rows_while_the_rows_above_are_laid_out() {
    let state = long_conversation(3_000);
    let mut cache = ViewCache::default();
    rows_at(&state, &mut cache, 40, 10);
    let mut state = state;
    state.screen.scroll = Scroll::Line(cache.metrics().top.saturating_sub(25));
    let first = rows_at(&state, &mut cache, 40, 10);
    while cache.pending() {
        let again = rows_at(&state, &mut cache, 40, 10);
        assert_eq!(again, first, "rows above were laid out under the view");
    }
}

#[test]
fn going_to_the_top_shows_the_first_message() {
    let mut state = long_conversation(3_000);
    let mut cache = ViewCache::default();
    rows_at(&state, &mut cache, 40, 10);
    state.screen.scroll = Scroll::Line(0);
    let top = rows_at(&state, &mut cache, 40, 10);
    assert!(top[0].contains("You"), "{top:?}");
    assert_eq!(top[1], "question 0", "{top:?}");
}
