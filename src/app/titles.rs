//! Titles written by a model: off unless config.toml names one (`title_model`), since it costs
//! a request. After a conversation's first answer completes, that model is asked for a title of
//! a few words (the first prompt and the start of the answer, through the same exchange path as
//! every request); the session is renamed with what it says, cleaned to one short line.

use super::state::{AnswerStatus, Speaker, State};
use super::{Effect, Msg};
use crate::bedrock::Client;
use crate::exchange::{self, Content, Intent, Prepared};
use crate::models::{Conversation, Parameters};
use tokio::sync::mpsc::UnboundedSender;

/// What the title model is asked.
const ASK: &str = "Write a title of at most six words for the conversation below. Reply with \
the title only: no quotes, no punctuation at the end.";
/// Characters of the prompt and the answer the title model reads.
const EXCERPT: usize = 1_500;

/// A title to ask for: which conversation it is for and the request.
#[derive(Debug, Clone, PartialEq)]
pub struct TitleRequest {
    /// The state's conversation number; a title for another one is dropped.
    pub conversation: u64,
    /// The request to the title model.
    pub prepared: Prepared,
}

/// After an answer ends (or the session file opens): asks for a title when a title model is
/// set, the conversation is saved, and its one answer so far completed.
pub(crate) fn after_answer(state: &mut State) -> Vec<Effect> {
    let Some(model) = state.settings.title_model.clone() else {
        return Vec::new();
    };
    if state.chat.titled == Some(state.chat.id) || state.chat.session.is_none() {
        return Vec::new();
    }
    let mut shown = state
        .chat
        .messages
        .iter()
        .filter(|m| m.speaker != Speaker::Notice && !m.deleted);
    let (Some(prompt), Some(answer)) = (shown.next(), shown.next()) else {
        return Vec::new();
    };
    if prompt.speaker != Speaker::User
        || answer.status != AnswerStatus::Complete
        || shown.next().is_some()
    {
        return Vec::new();
    }
    let excerpt = |text: &str| text.chars().take(EXCERPT).collect::<String>();
    let text = format!(
        "{ASK}\n\nUser: {}\n\nAssistant: {}",
        excerpt(&prompt.text),
        excerpt(&answer.text)
    );
    let intent = Intent {
        model: model.clone(),
        family: None,
        looked_up: None,
        content: Content::Conversation {
            conversation: Conversation::single(text),
            params: Parameters {
                max_tokens: Some(32),
                ..Parameters::default()
            },
        },
        options: crate::bedrock::InvokeOptions::default(),
        stream: false,
        text_only: true,
        prompt_cache: false,
        api: crate::bedrock::Api::Invoke,
        region: state.connected_region(),
    };
    state.chat.titled = Some(state.chat.id);
    match exchange::prepare(&intent) {
        Ok(prepared) => vec![Effect::WriteTitle(Box::new(TitleRequest {
            conversation: state.chat.id,
            prepared,
        }))],
        Err(refusal) => {
            state.flash(format!("title_model {model}: {refusal}"), true);
            Vec::new()
        }
    }
}

/// Runs the title request and reports what the model wrote.
pub(crate) async fn write(client: Client, request: TitleRequest, tx: UnboundedSender<Msg>) {
    let outcome = exchange::call(&client, &request.prepared, |_| {}).await;
    let result = match outcome.error {
        None => Ok(outcome.text),
        Some(e) => Err(format!("{}: {e}", e.name())),
    };
    let _ = tx.send(Msg::TitleWritten {
        conversation: request.conversation,
        result,
    });
}

/// The model's answer arrived: the session is renamed with it, cleaned.
pub(crate) fn on_written(
    state: &mut State,
    conversation: u64,
    result: Result<String, String>,
) -> Vec<Effect> {
    if conversation != state.chat.id {
        return Vec::new();
    }
    let Some(session) = &state.chat.session else {
        return Vec::new();
    };
    match result.map(|text| clean(&text)) {
        Ok(Some(title)) => vec![Effect::RenameSession {
            path: session.path.clone(),
            title,
        }],
        Ok(None) => {
            state.flash(
                "the title model wrote no title; the first prompt's stays",
                true,
            );
            Vec::new()
        }
        Err(e) => {
            state.flash(format!("no title from the title model: {e}"), true);
            Vec::new()
        }
    }
}

/// One line of at most 60 characters, quotes and a closing period taken off, controls made
/// visible; `None` when nothing is left.
fn clean(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let line = line
        .trim_start_matches(|c: char| c == '#' || c.is_whitespace())
        .trim_start_matches(['"', '\'', '“', '*'])
        .trim_end_matches(['"', '\'', '”', '*', '.'])
        .trim();
    let line = line.strip_prefix("Title:").map_or(line, str::trim);
    if line.is_empty() {
        return None;
    }
    let safe = crate::text::sanitize_for_terminal(line);
    let mut title: String = safe.chars().take(60).collect();
    if safe.chars().count() > 60 {
        title.push('…');
    }
    Some(title)
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn what_the_model_writes_is_cleaned_to_one_short_line() {
        assert_eq!(
            clean("\"Retry Budgets Explained.\"\n").as_deref(),
            Some("Retry Budgets Explained")
        );
        assert_eq!(
            clean("Title: Lakes of Asia").as_deref(),
            Some("Lakes of Asia")
        );
        assert_eq!(
            clean("## **Event streams**\nmore").as_deref(),
            Some("Event streams")
        );
        assert_eq!(clean("  \n ").as_deref(), None);
        assert_eq!(clean("a\u{1b}[2Jb").as_deref(), Some("a␛[2Jb"));
    }
}
