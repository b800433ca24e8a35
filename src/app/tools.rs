//! Tool calls in the chat. After an answer that calls tools, each call is asked about in turn
//! (unless config.toml or an earlier "always" allows its tool), the allowed ones run in the
//! background, and once every call has its result the results go back to the model as a
//! message of their own (shown folded under the answer) and the answer goes on. Esc or Ctrl+C
//! cancels the round: calls not yet answered are given back as cancelled and nothing more is
//! sent. A limit of calls per prompt stops a model that keeps calling.

use super::popup::{Popup, Reply};
use super::state::{AnswerStatus, Message, Speaker, State};
use super::{Effect, Msg};
use crate::keymap::{Action, Context};
use crate::models::tools::{ToolCall, name_calls};
use crate::tools::{Approval, Ran, Toolbox};

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
}

/// The answer `answer` ended: its tool calls get ids, and a round begins when tools are on,
/// the answer completed, and the limit of calls per prompt allows it.
pub(crate) fn after_answer(state: &mut State, answer: u64) -> Vec<Effect> {
    let toolbox_empty = state.toolbox.is_empty();
    let Some(message) = state.message_mut(answer) else {
        return Vec::new();
    };
    if message.stats.tool_calls.is_empty() {
        return Vec::new();
    }
    name_calls(&mut message.stats.tool_calls);
    message.revision += 1;
    if message.status != AnswerStatus::Complete || toolbox_empty {
        return Vec::new();
    }
    let calls = message.stats.tool_calls.clone();
    let limit = state.toolbox.max_calls();
    if state.tool_calls_this_prompt + calls.len() as u32 > limit {
        state.push(
            Speaker::Notice,
            format!(
                "Tool calls stopped: the answer asks for {} more, past the limit of {limit} for one prompt (tools.max_calls_per_turn in config.toml). Send a prompt to go on.",
                calls.len()
            ),
        );
        return Vec::new();
    }
    state.tool_calls_this_prompt += calls.len() as u32;
    let id = state.new_request_id();
    state.tool_round = Some(ToolRound {
        id,
        conversation: state.conversation,
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
        .tool_round
        .as_ref()
        .is_some_and(|r| r.conversation != state.conversation)
    {
        return abandon(state);
    }
    let Some(round) = state.tool_round.as_mut() else {
        return effects;
    };
    for index in 0..round.calls.len() {
        if round.runs[index].is_some() || round.started[index] {
            continue;
        }
        let call = &round.calls[index];
        match state.toolbox.approval(&call.name) {
            Approval::Allowed => {
                round.started[index] = true;
                effects.push(Effect::RunTool(Box::new(ToolJob {
                    round: round.id,
                    index,
                    call: call.clone(),
                    toolbox: state.toolbox.clone(),
                })));
            }
            Approval::Unknown => {
                round.runs[index] = Some(Ran::unknown(call));
            }
            Approval::Ask => {
                state.overlay = super::popup::Overlay::Tools(ToolApproval {
                    round: round.id,
                    index,
                    of: round.calls.len(),
                    call: call.clone(),
                });
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
    let Some(round) = state.tool_round.take() else {
        return Vec::new();
    };
    push_results(state, round);
    let conversation = state.conversation();
    match super::turns::prepare_turn(state, &state.model, &conversation) {
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
    match state.tool_round.as_mut() {
        Some(r) if r.id == round && index < r.runs.len() => r.runs[index] = Some(ran),
        _ => return Vec::new(),
    }
    advance(state)
}

/// Drops the round of a conversation no longer on screen (a new one, another one opened): its
/// calls still running are stopped, nothing is shown or sent.
pub(crate) fn abandon(state: &mut State) -> Vec<Effect> {
    let Some(round) = state.tool_round.take() else {
        return Vec::new();
    };
    if matches!(state.overlay, super::popup::Overlay::Tools(_)) {
        state.overlay = super::popup::Overlay::None;
    }
    vec![Effect::CancelTools { round: round.id }]
}

/// Cancels the round under way, if any: calls without a result are given back as cancelled
/// (so the conversation stays whole) and nothing more is sent; true when there was one.
pub(crate) fn cancel(state: &mut State) -> Option<Vec<Effect>> {
    let mut round = state.tool_round.take()?;
    if matches!(state.overlay, super::popup::Overlay::Tools(_)) {
        state.overlay = super::popup::Overlay::None;
    }
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

/// `/tools`: the tools offered, where they come from and whether they ask.
pub(crate) fn list(state: &mut State) {
    let toolbox = &state.toolbox;
    let mut lines = Vec::new();
    if toolbox.is_empty() {
        lines.push("No tools are offered to models. Turn built-ins on in config.toml: [tools] builtin = [\"read_file\", \"list_directory\", \"run_shell\"]; [mcp.NAME] adds an MCP server's; allow = [\"read_file\"] lets a tool run without asking.".to_string());
    } else {
        lines.push(format!(
            "Tools offered to models (at most {} calls per prompt):",
            toolbox.max_calls()
        ));
        for spec in toolbox.specs() {
            let asks = match toolbox.approval(&spec.name) {
                Approval::Allowed => "runs without asking",
                _ => "asks first",
            };
            let source = toolbox.source(&spec.name).unwrap_or_default();
            lines.push(format!("  {} · {source} · {asks}", spec.name));
        }
    }
    for name in &state.mcp_starting {
        lines.push(format!("  MCP server {name} · starting…"));
    }
    state.push(Speaker::Notice, lines.join("\n"));
}

/// An MCP server is ready (its tools are offered from now on) or failed (said, not fatal);
/// once none is starting, a prompt that waited for them is sent.
pub(crate) fn on_mcp(
    state: &mut State,
    name: &str,
    result: Result<Vec<crate::tools::mcp::McpTool>, String>,
) -> Vec<Effect> {
    state.mcp_starting.retain(|n| n != name);
    match result {
        Ok(tools) => {
            let count = tools.len();
            let notes = state.toolbox.add_mcp(tools);
            for note in notes {
                state.push(Speaker::Notice, format!("MCP: {note}."));
            }
            state.flash(format!("MCP server {name}: {count} tools offered"), false);
        }
        Err(why) => {
            state.push(
                Speaker::Notice,
                format!("The MCP server {name} is not used: {why}. Its tools are not offered."),
            );
        }
    }
    if state.mcp_starting.is_empty() && state.in_flight.is_none() && state.tool_round.is_none() {
        return super::turns::send_queued(state, true);
    }
    Vec::new()
}

impl ToolApproval {
    /// The call runs (and its tool, with `always`, runs unasked from now on).
    fn allow(&self, state: &mut State, always: bool) -> Vec<Effect> {
        if always && !state.toolbox.allow(&self.call.name) {
            state.flash(
                format!("{} always asks; allowed this once", self.call.name),
                false,
            );
        }
        let Some(round) = state.tool_round.as_mut().filter(|r| r.id == self.round) else {
            return Vec::new();
        };
        round.started[self.index] = true;
        let mut effects = vec![Effect::RunTool(Box::new(ToolJob {
            round: self.round,
            index: self.index,
            call: self.call.clone(),
            toolbox: state.toolbox.clone(),
        }))];
        effects.extend(advance(state));
        effects
    }

    /// The call does not run; the model is told.
    fn deny(&self, state: &mut State) -> Vec<Effect> {
        let Some(round) = state.tool_round.as_mut().filter(|r| r.id == self.round) else {
            return Vec::new();
        };
        round.runs[self.index] = Some(Ran::refused(&self.call, "the user denied this call"));
        advance(state)
    }
}

impl Popup for ToolApproval {
    fn context(&self) -> Context {
        Context::Tools
    }

    fn on_action(&mut self, state: &mut State, action: Action) -> Reply {
        let effects = match action {
            Action::AllowOnce => self.allow(state, false),
            Action::AllowAlways => self.allow(state, true),
            Action::Deny => self.deny(state),
            Action::Cancel => cancel(state).unwrap_or_default(),
            _ => return Reply::stay(),
        };
        Reply::close().with(effects)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::theme::Theme;
    use crate::config::tools::ToolsConfig;
    use crate::keymap::Keymap;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    /// A state whose last answer called `list_directory`, which runs unasked.
    fn answered() -> (State, u64) {
        let model = "global.anthropic.claude-haiku-4-5-20251001-v1:0";
        let mut state = State::new(model.into(), Keymap::default(), Theme::default());
        state.toolbox = Toolbox::from_config(&ToolsConfig {
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
        assert!(state.messages.iter().all(|m| m.speaker != Speaker::Tool));
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
