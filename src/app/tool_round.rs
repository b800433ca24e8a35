//! Tool calls in the chat. After an answer that calls tools, each call is asked about in turn
//! (unless config.toml or an earlier "always" allows its tool), the allowed ones run in the
//! background, and once every call has its result the results go back to the model as a
//! message of their own (shown folded under the answer) and the answer goes on. Esc or Ctrl+C
//! cancels the round: calls not yet answered are given back as cancelled and nothing more is
//! sent. A limit of calls per prompt stops a model that keeps calling.
//!
//! The question takes only a key pressed for it: keys that arrive before it has been on screen
//! for [`ARMING`] without a key (typing that was on its way) go to the prompt instead, and a
//! call runs only once the user has had all of it on screen (scrolled to its end, or read in
//! the pager when it is too long to show).

use super::popups::{Popup, Reply};
use super::state::{AnswerStatus, Message, Speaker, State};
use super::{Effect, Msg};
use crate::keymap::{Action, Context};
use crate::models::tool_use::{ToolCall, name_calls};
use crate::tools::{Approval, Ran, Toolbox};
use std::time::{Duration, Instant};

/// How long a tool question must be on screen, with no key pressed, before a key answers it.
pub const ARMING: Duration = Duration::from_millis(500);

/// An answer's calls on their way to results.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ToolRound {
    /// Its id (tool results of another round are dropped).
    pub id: u64,
    /// The conversation it belongs to (a new or another conversation abandons it).
    conversation: u64,
    /// The calls, ids given.
    pub calls: Vec<ToolCall>,
    /// Each call's result, once it has one.
    pub runs: Vec<Option<Ran>>,
    /// Each call was sent to run.
    started: Vec<bool>,
}

/// A call to run in the background.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolJob {
    /// The round it belongs to.
    pub round: u64,
    /// Which call of the round.
    pub index: usize,
    /// The call.
    pub call: ToolCall,
    /// The tools (what runs it, with its time limit).
    pub toolbox: Toolbox,
}

impl ToolJob {
    /// Runs the call; the news for the loop.
    pub(crate) async fn run(self) -> Msg {
        let ran = self.toolbox.run(&self.call).await;
        Msg::ToolRan {
            round: self.round,
            index: self.index,
            ran: Box::new(ran),
        }
    }
}

/// The approval asked for one call.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolApproval {
    /// The round.
    pub round: u64,
    /// Which call of it.
    pub index: usize,
    /// How many calls the round has.
    pub of: usize,
    /// The call.
    pub call: ToolCall,
    /// Where the tool comes from: `built-in`, `MCP server NAME`.
    pub source: String,
    /// The call as shown.
    pub shown: crate::tools::shown::Shown,
    /// First row of the call shown.
    pub scroll: usize,
    /// The call's rows the user has had on screen, from the top.
    pub seen: usize,
    /// The call was read whole in the pager.
    pub viewed: bool,
    /// From when a key answers the question; every key before moves it on.
    pub armed_at: Instant,
}

impl ToolApproval {
    /// The question about call `index` of `round`, armed [`ARMING`] from now.
    pub(crate) fn new(round: &ToolRound, index: usize, source: String) -> ToolApproval {
        let call = round.calls[index].clone();
        ToolApproval {
            round: round.id,
            index,
            of: round.calls.len(),
            shown: crate::tools::shown::shown(&call),
            call,
            source,
            scroll: 0,
            seen: 0,
            viewed: false,
            armed_at: Instant::now() + ARMING,
        }
    }

    /// Whether a key answers the question now.
    pub fn armed(&self, now: Instant) -> bool {
        now >= self.armed_at
    }

    /// Whether the user has had the whole call before them: every row on screen, or the
    /// whole in the pager (the only way for a call too long to show).
    pub fn read_whole(&self, state: &State) -> bool {
        self.viewed
            || (self.shown.cut.is_none()
                && state.screen.view.overlay_content > 0
                && self.seen.max(Self::in_view(state)) >= state.screen.view.overlay_content)
    }

    /// The rows from the top that the last frame had on screen (what was drawn, not what a
    /// scroll not yet drawn would show).
    fn in_view(state: &State) -> usize {
        state.screen.view.overlay_first + state.screen.view.overlay_viewport
    }
}

/// The answer `answer` ended: its tool calls get ids, and a round begins when tools are on,
/// the answer completed, and the limit of calls per prompt allows it.
pub(crate) fn after_answer(state: &mut State, answer: u64) -> Vec<Effect> {
    let toolbox_empty = state.tools.toolbox.is_empty();
    let Some(message) = state.message_mut(answer) else {
        return Vec::new();
    };
    if message.stats.tool_calls.is_empty() {
        return Vec::new();
    }
    name_calls(&mut message.stats.tool_calls);
    message.changed();
    if message.status != AnswerStatus::Complete || toolbox_empty {
        return Vec::new();
    }
    let calls = message.stats.tool_calls.clone();
    let limit = state.tools.toolbox.max_calls();
    if state.tools.tool_calls_this_prompt + calls.len() as u32 > limit {
        state.push(
            Speaker::Notice,
            format!(
                "Tool calls stopped: the answer asks for {} more, past the limit of {limit} for one prompt (tools.max_calls_per_turn in config.toml). Send a prompt to go on.",
                calls.len()
            ),
        );
        return Vec::new();
    }
    state.tools.tool_calls_this_prompt += calls.len() as u32;
    let id = state.new_request_id();
    state.tools.tool_round = Some(ToolRound {
        id,
        conversation: state.chat.id,
        runs: vec![None; calls.len()],
        started: vec![false; calls.len()],
        calls,
    });
    advance(state)
}

/// Moves the round on: allowed calls are started, a call that needs approval is asked about
/// (one at a time), and once every call has a result the round is finished.
fn advance(state: &mut State) -> Vec<Effect> {
    let mut effects = Vec::new();
    if state
        .tools
        .tool_round
        .as_ref()
        .is_some_and(|r| r.conversation != state.chat.id)
    {
        return abandon(state);
    }
    // A server that stopped has its tools withdrawn before anything is asked about them.
    super::mcp::withdraw_gone(state);
    let Some(round) = state.tools.tool_round.as_mut() else {
        return effects;
    };
    for index in 0..round.calls.len() {
        if round.runs[index].is_some() || round.started[index] {
            continue;
        }
        let call = &round.calls[index];
        // Asked already (maybe with the help read over the question).
        let asking = state
            .screen
            .overlay
            .tool_question()
            .is_some_and(|asked| asked.round == round.id && asked.index == index);
        match state.tools.toolbox.approval(&call.name) {
            Approval::Allowed => {
                round.started[index] = true;
                effects.push(Effect::RunTool(Box::new(ToolJob {
                    round: round.id,
                    index,
                    call: call.clone(),
                    toolbox: state.tools.toolbox.clone(),
                })));
            }
            Approval::Unknown => {
                // Its server stopped while the user was reading the call: nothing to ask.
                if asking {
                    state.screen.overlay.close_tool_question();
                }
                round.runs[index] = Some(match state.tools.toolbox.withdrawn_from(&call.name) {
                    Some(server) => Ran::refused(
                        call,
                        &format!("the MCP server {server} has stopped; its tools were withdrawn"),
                    ),
                    None => Ran::unknown(call),
                });
            }
            // Still being asked about (another call finished meanwhile): the question stays
            // as the user has it, read so far and armed.
            Approval::Ask if asking => return effects,
            Approval::Ask => {
                let source = state.tools.toolbox.source(&call.name).unwrap_or_default();
                state.screen.overlay = super::popups::Overlay::Tools(Box::new(ToolApproval::new(
                    round, index, source,
                )));
                return effects;
            }
        }
    }
    if round.runs.iter().all(Option::is_some) {
        effects.extend(finish(state));
    }
    effects
}

/// Every call has its result: they are shown and sent back, and the answer goes on.
fn finish(state: &mut State) -> Vec<Effect> {
    let Some(round) = state.tools.tool_round.take() else {
        return Vec::new();
    };
    push_results(state, round);
    let conversation = state.conversation();
    match super::turns::prepare_turn(state, &state.chat.model, &conversation) {
        Ok(prepared) => super::turns::begin(state, prepared),
        Err(e) => {
            state.push(Speaker::Notice, e.clone());
            state.flash(e, true);
            Vec::new()
        }
    }
}

/// The round's results as a tool message in the transcript.
fn push_results(state: &mut State, round: ToolRound) {
    let mut message = Message::new(Speaker::Tool, "");
    message.tool_runs = round.runs.into_iter().flatten().collect();
    state.push_message(message);
}

/// A call ran: its result is taken (if its round is still on) and the round moves on.
pub(crate) fn on_ran(state: &mut State, round: u64, index: usize, ran: Ran) -> Vec<Effect> {
    // A call that failed because its server died: the server's tools go now.
    super::mcp::withdraw_gone(state);
    match state.tools.tool_round.as_mut() {
        Some(r) if r.id == round && index < r.runs.len() => r.runs[index] = Some(ran),
        _ => return Vec::new(),
    }
    advance(state)
}

/// Drops the round of a conversation no longer on screen (a new one, another one opened): its
/// calls still running are stopped, nothing is shown or sent.
pub(crate) fn abandon(state: &mut State) -> Vec<Effect> {
    let Some(round) = state.tools.tool_round.take() else {
        return Vec::new();
    };
    state.screen.overlay.close_tool_question();
    vec![Effect::CancelTools { round: round.id }]
}

/// Cancels the round under way, if any: calls without a result are given back as cancelled
/// (so the conversation stays whole) and nothing more is sent; true when there was one.
pub(crate) fn cancel(state: &mut State) -> Option<Vec<Effect>> {
    let mut round = state.tools.tool_round.take()?;
    state.screen.overlay.close_tool_question();
    for (call, run) in round.calls.iter().zip(round.runs.iter_mut()) {
        if run.is_none() {
            *run = Some(Ran::refused(
                call,
                "cancelled by the user before it finished",
            ));
        }
    }
    let id = round.id;
    push_results(state, round);
    state.flash(
        "tool calls cancelled: the model was not asked to go on",
        false,
    );
    super::turns::unqueue(state);
    Some(vec![Effect::CancelTools { round: id }])
}

impl ToolApproval {
    /// The call runs (and its tool, with `always`, runs unasked from now on).
    fn allow(&self, state: &mut State, always: bool) -> Vec<Effect> {
        if always && !state.tools.toolbox.allow(&self.call.name) {
            state.flash(
                format!("{} always asks; allowed this once", self.call.name),
                false,
            );
        }
        let Some(round) = state
            .tools
            .tool_round
            .as_mut()
            .filter(|r| r.id == self.round)
        else {
            return Vec::new();
        };
        round.started[self.index] = true;
        let mut effects = vec![Effect::RunTool(Box::new(ToolJob {
            round: self.round,
            index: self.index,
            call: self.call.clone(),
            toolbox: state.tools.toolbox.clone(),
        }))];
        effects.extend(advance(state));
        effects
    }

    /// The call does not run; the model is told.
    fn deny(&self, state: &mut State) -> Vec<Effect> {
        let Some(round) = state
            .tools
            .tool_round
            .as_mut()
            .filter(|r| r.id == self.round)
        else {
            return Vec::new();
        };
        round.runs[self.index] = Some(Ran::refused(&self.call, "the user denied this call"));
        advance(state)
    }
}

/// The pager showed the call whole: it may be answered.
pub(crate) fn on_viewed(state: &mut State, round: u64, index: usize) {
    if let Some(approval) = state.screen.overlay.tool_question_mut()
        && approval.round == round
        && approval.index == index
    {
        approval.viewed = true;
        // Reading took a while: keys typed on the way back do not answer.
        approval.armed_at = Instant::now() + ARMING;
    }
}

impl Popup for ToolApproval {
    fn context(&self) -> Context {
        Context::Tools
    }

    /// Before it is armed a key does not answer: it moves the arming on, and a character goes
    /// to the prompt it was likely typed for. Esc and Ctrl+C still cancel (nothing runs).
    fn early_key(&mut self, state: &mut State, key: &crossterm::event::KeyEvent) -> Option<Reply> {
        use crossterm::event::{KeyCode, KeyModifiers};
        let now = Instant::now();
        if self.armed(now) {
            self.seen = self.seen.max(Self::in_view(state));
            return None;
        }
        if state.settings.keymap.action(Context::Tools, key) == Some(Action::Cancel) {
            return None;
        }
        self.armed_at = now + ARMING;
        if matches!(key.code, KeyCode::Char(_))
            && !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            state.edit_with_key(*key);
        }
        Some(Reply::stay())
    }

    fn on_action(&mut self, state: &mut State, action: Action) -> Reply {
        self.seen = self.seen.max(Self::in_view(state));
        if matches!(action, Action::AllowOnce | Action::AllowAlways) && !self.read_whole(state) {
            let how = if self.shown.cut.is_some() {
                format!(
                    "{} shows it in the pager",
                    state
                        .settings
                        .keymap
                        .hint(Context::Tools, Action::ViewWhole)
                )
            } else {
                "scroll to its end first".to_string()
            };
            state.flash(format!("read the whole call before it runs: {how}"), true);
            return Reply::stay();
        }
        let effects = match action {
            Action::AllowOnce => self.allow(state, false),
            Action::AllowAlways => self.allow(state, true),
            Action::Deny => self.deny(state),
            Action::Cancel => cancel(state).unwrap_or_default(),
            Action::ViewWhole => {
                return Reply::stay().with(vec![Effect::ViewToolCall {
                    round: self.round,
                    index: self.index,
                    text: crate::tools::shown::whole_text(&self.call),
                }]);
            }
            other => {
                super::popups::inspector::scroll_exchange(state, &mut self.scroll, other);
                return Reply::stay();
            }
        };
        Reply::close().with(effects)
    }

    fn on_scroll(&mut self, state: &mut State, delta: isize) {
        self.seen = self.seen.max(Self::in_view(state));
        super::popups::inspector::wheel_exchange(state, &mut self.scroll, delta);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::popups::Overlay;
    use crate::config::theme::Theme;
    use crate::config::tool_config::ToolsConfig;
    use crate::keymap::Keymap;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    /// A state whose last answer called `list_directory`, which runs unasked.
    fn answered() -> (State, u64) {
        let model = "global.anthropic.claude-haiku-4-5-20251001-v1:0";
        let mut state = State::new(model.into(), Keymap::default(), Theme::default());
        state.tools.toolbox = Toolbox::from_config(&ToolsConfig {
            builtin: vec!["list_directory".into()],
            allow: vec!["list_directory".into()],
            ..ToolsConfig::default()
        });
        state.push(Speaker::User, "list it");
        let mut answer = Message::answer(model);
        answer.status = AnswerStatus::Complete;
        answer.stats.tool_calls.push(ToolCall {
            index: 0,
            id: String::new(),
            name: "list_directory".into(),
            input: "{}".into(),
        });
        let id = state.push_message(answer);
        (state, id)
    }

    #[test]
    fn a_round_of_a_conversation_left_is_abandoned_and_its_news_dropped() {
        let (mut state, answer) = answered();
        let effects = after_answer(&mut state, answer);
        let Some(Effect::RunTool(job)) = effects.first() else {
            panic!("{effects:?}");
        };
        let job = (**job).clone();
        assert_eq!(job.call.id, "call_0", "calls get ids before they run");
        // Regenerating while the call runs is refused with a word.
        assert!(state.refuse_while_streaming());
        // A new conversation drops the round and stops what runs.
        let effects = crate::app::update::update(
            &mut state,
            Msg::Key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL)),
        );
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::CancelTools { round } if *round == job.round)),
            "{effects:?}"
        );
        assert!(!state.tools_pending());
        let late = Ran::refused(&job.call, "late");
        assert!(on_ran(&mut state, job.round, 0, late).is_empty());
        assert!(
            state
                .chat
                .messages
                .iter()
                .all(|m| m.speaker != Speaker::Tool)
        );
    }

    #[test]
    fn a_question_read_under_the_help_stays_as_it_is_when_another_call_finishes() {
        let (mut state, answer) = answered();
        state.tools.toolbox.offer("read_file");
        let id = state
            .chat
            .messages
            .iter()
            .position(|m| m.id == answer)
            .unwrap();
        state.chat.messages[id].stats.tool_calls.push(ToolCall {
            index: 1,
            id: String::new(),
            name: "read_file".into(),
            input: r#"{"path":"Cargo.toml"}"#.into(),
        });
        let effects = after_answer(&mut state, answer);
        let Some(Effect::RunTool(job)) = effects.first() else {
            panic!("{effects:?}");
        };
        let job = (**job).clone();
        if let Some(question) = state.screen.overlay.tool_question_mut() {
            question.armed_at = Instant::now().checked_sub(ARMING).unwrap();
        }
        let asked_at = state
            .screen
            .overlay
            .tool_question()
            .map(|q| (q.index, q.armed_at));
        assert_eq!(asked_at.map(|(index, _)| index), Some(1));
        // F1 over the question, then the other call finishes.
        crate::app::update::update(
            &mut state,
            Msg::Key(KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE)),
        );
        assert!(matches!(state.screen.overlay, Overlay::Help(_)));
        on_ran(&mut state, job.round, 0, Ran::refused(&job.call, "done"));
        assert!(
            matches!(state.screen.overlay, Overlay::Help(_)),
            "the help stays"
        );
        assert_eq!(
            state
                .screen
                .overlay
                .tool_question()
                .map(|q| (q.index, q.armed_at)),
            asked_at,
            "the same question under it, armed as it was"
        );
        // A new conversation closes it, under the help too.
        abandon(&mut state);
        assert!(state.screen.overlay.tool_question().is_none());
    }

    #[test]
    fn results_go_back_and_the_answer_goes_on() {
        let (mut state, answer) = answered();
        let effects = after_answer(&mut state, answer);
        let Some(Effect::RunTool(job)) = effects.first() else {
            panic!("{effects:?}");
        };
        let ran = Ran::refused(&job.call, "x");
        let effects = on_ran(&mut state, job.round, 0, ran);
        assert!(
            effects.iter().any(|e| matches!(e, Effect::Send(_))),
            "{effects:?}"
        );
        assert!(!state.tools_pending());
        let conversation = state.conversation();
        assert_eq!(conversation.turns.len(), 3);
        assert_eq!(conversation.turns[1].tool_calls[0].id, "call_0");
        assert_eq!(conversation.turns[2].tool_results[0].id, "call_0");
    }
}
