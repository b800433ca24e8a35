//! Slash commands typed in the prompt: `/attach PATH`, `/detach [N]`, `/tools`, `/mcp restart
//! NAME` and `/help`. They act here and are never sent to a model; a `/word` that is no command
//! is refused with the list (a prompt that must start with a slash starts with two: `//word`
//! sends `/word`).

use super::Effect;
use super::attach::{ATTACH, DETACH, command_argument};
use super::state::State;

/// The commands, as the refusal lists them.
const COMMANDS: &str = "/attach PATH, /detach [N], /tools, /mcp (restart NAME), /notices, /help";

/// What became of a draft that may be a command.
pub(crate) enum Command {
    /// It was one: done (with these effects), nothing to send.
    Done(Vec<Effect>),
    /// It is a prompt: send this text (a leading `//` made `/`).
    Prompt(String),
}

/// Runs the draft when it is a command; else the prompt to send.
pub(crate) fn run(state: &mut State, draft: String) -> Command {
    let line = draft.trim();
    if let Some(literal) = line.strip_prefix("//") {
        return Command::Prompt(format!("/{literal}"));
    }
    let Some(word) = command_word(line) else {
        return Command::Prompt(draft);
    };
    let done = Command::Done(Vec::new());
    if let Some(rest) = command_argument(line, ATTACH) {
        if rest.is_empty() {
            state.flash("/attach PATH: Tab completes the path", true);
        } else if super::attach::attach_path(state, rest) {
            state.set_draft("");
        }
        return done;
    }
    if let Some(rest) = command_argument(line, DETACH) {
        let n = rest.parse::<usize>().ok();
        if rest.is_empty() || n.is_some() {
            super::attach::detach(state, n);
            state.set_draft("");
        } else {
            state.flash("/detach N removes attached file N; /detach the last", true);
        }
        return done;
    }
    match word {
        "/tools" => {
            super::mcp::list(state);
            state.set_draft("");
            done
        }
        "/mcp" => {
            let effects = super::mcp::command(state, line["/mcp".len()..].trim());
            Command::Done(effects)
        }
        "/notices" => {
            state.set_draft("");
            state.show_status_log();
            done
        }
        "/help" => {
            state.set_draft("");
            super::keys::open_help(state);
            done
        }
        other => {
            state.flash(
                format!(
                    "{other} is no command ({COMMANDS}); start with // to send a prompt that begins with /"
                ),
                true,
            );
            done
        }
    }
}

/// The command a one-line draft names: `/word` where the word is lowercase letters and `-`
/// (`/usr/bin/env` or `/5` are no command).
fn command_word(line: &str) -> Option<&str> {
    if line.contains('\n') {
        return None;
    }
    let word = line.split_whitespace().next()?;
    let name = word.strip_prefix('/')?;
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '-')).then_some(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_words_after_a_slash() {
        assert_eq!(command_word("/help"), Some("/help"));
        assert_eq!(command_word("  /mcp restart fs"), Some("/mcp"));
        assert_eq!(command_word("/usr/bin/env is what?"), None);
        assert_eq!(command_word("/5 of them"), None);
        assert_eq!(command_word("a /help"), None);
        assert_eq!(command_word("/help\nmore"), None);
    }
}
