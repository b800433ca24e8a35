//! Snapshots of answers in Markdown at 80x24 and 40x12: tables (wide and narrow), nested
//! emphasis, lists, quotes, code in five languages and links, drawn by the chat screen's own
//! `ui::render` into a test terminal, each answer scrolled to its start.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use bedrock_tui::app::state::{AnswerStatus, Scroll, Speaker, State};
use bedrock_tui::config::theme::Theme;
use bedrock_tui::keymap::Keymap;
use bedrock_tui::ui::{self, ViewCache};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const MODEL: &str = "global.anthropic.claude-haiku-4-5-20251001-v1:0";

const TABLE: &str = "Prices per 1M tokens:

| Model | Input | Output | Notes |
|:------|------:|-------:|:-----:|
| Claude Haiku 4.5 | $1.00 | $5.00 | fast |
| Claude Sonnet 4.5 | $3.00 | $15.00 | balanced, with extended thinking |
| Amazon Nova Pro | $0.80 | $3.20 | multimodal |";

const EMPHASIS: &str = "Plain, *italic*, **bold**, ***both***, **bold with *italic* inside**, \
~~struck~~, `inline code`, and escaped \\*stars\\* that stay.

# A first-level heading

## A second-level heading

### A third-level heading";

const LISTS: &str = "Steps:

1. Sign the request with **SigV4**
2. Send it
   - over HTTP/1.1 or HTTP/2
   - with the `accept` header
     - nested a third level
3. Decode the frames

- [x] a task done
- [ ] a task open";

const QUOTES: &str =
    "> A quote that runs long enough to wrap onto a second row in a narrow terminal.
>
> > A quote inside it.

> [!NOTE]
> An alert, as GitHub writes them.

---

After the rule.";

const CODE: &str = "```rust
fn main() {
    println!(\"hello\"); // greet
}
```

```python
def total(xs: list[int]) -> int:
    return sum(xs)  # all of them
```

```typescript
const answer: number = 42;
```

```go
func main() { fmt.Println(\"go\") }
```

```sql
SELECT id, name FROM models WHERE price < 3;
```";

const LINKS: &str = "See [the Bedrock docs](https://docs.aws.amazon.com/bedrock/) and \
<https://aws.amazon.com/bedrock/>, or write to <someone@example.com>. A footnote[^1].

[^1]: Footnotes are listed where they are defined.";

fn screen(answer: &str, width: u16, height: u16) -> String {
    ui::highlight::load_now();
    let mut state = State::new(MODEL.to_string(), Keymap::default(), Theme::default());
    state.push(Speaker::User, "Show me");
    let id = state.push(Speaker::Assistant, answer);
    if let Some(message) = state.message_mut(id) {
        message.model = Some(MODEL.to_string());
        message.status = AnswerStatus::Complete;
    }
    // The answer's first row at the top of the transcript.
    state.screen.scroll = Scroll::Line(3);
    let mut cache = ViewCache::default();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| ui::render(&state, &mut cache, frame))
        .unwrap();
    common::screen_text(terminal.backend().buffer())
}

#[test]
fn markdown_at_80x24_and_40x12() {
    for (name, answer) in [
        ("table", TABLE),
        ("emphasis", EMPHASIS),
        ("lists", LISTS),
        ("quotes", QUOTES),
        ("code", CODE),
        ("links", LINKS),
    ] {
        for (width, height) in [(80, 24), (40, 12)] {
            insta::assert_snapshot!(
                format!("markdown_{name}_{width}x{height}"),
                screen(answer, width, height)
            );
        }
    }
}

#[test]
fn a_narrow_table_is_wrapped_and_a_very_narrow_one_is_shown_as_records() {
    // 40 columns: the table is shrunk and its cells wrapped.
    let narrow = screen(TABLE, 40, 24);
    assert!(narrow.contains('┬'), "{narrow}");
    for row in narrow.lines() {
        assert!(row.chars().count() <= 40, "{row}");
    }
    // 24 columns: too narrow for four columns.
    let records = screen(TABLE, 24, 24);
    assert!(!records.contains('┬'), "{records}");
    assert!(records.contains("Model: Claude Haiku 4.5"), "{records}");
}
