//! Slash commands typed in the prompt (`keymap::SLASH_COMMANDS`: `/attach PATH`, `/detach [N]`,
//! `/tools`, `/mcp [restart NAME]`, `/notices`, `/help`). They act here and are never sent to a model; a `/word` that is no command
//! is refused with the list (a prompt that must start with a slash starts with two: `//word`
//! sends `/word`).

use super::Effect;
use super::attach::{ATTACH, DETACH, command_argument};
use super::state::State;

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
    if line.starts_with("//") && command_word(&line[1..]).is_some() {
        // The escape: one slash less, the rest as typed.
        let at = draft.len() - draft.trim_start().len();
        return Command::Prompt(format!("{}{}", &draft[..at], &draft[at + 1..]));
    }
    let Some(word) = command_word(line) else {
        return Command::Prompt(draft);
    };
    let done = Command::Done(Vec::new());
    if let Some(rest) = command_argument(line, ATTACH) {
        if rest.is_empty() {
            state.flash("/attach PATH: Tab completes the path", true);
        } else {
            let effects = super::attach::attach_path(state, rest);
            state.set_draft("");
            return Command::Done(effects);
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
            let commands: Vec<&str> = crate::keymap::SLASH_COMMANDS
                .iter()
                .map(|(command, _)| *command)
                .collect();
            state.flash(
                format!(
                    "{other} is no command ({}); start with // to send a prompt that begins with /",
                    commands.join(", ")
                ),
                true,
            );
            done
        }
    }
}

/// A sent prompt as it must be typed to be sent again: one that reads as a command gets its
/// escape back (`/help` → `//help`), so bringing it back into the editor (history, an edit, a
/// queued prompt) never runs it.
pub(crate) fn as_typed(prompt: &str) -> std::borrow::Cow<'_, str> {
    if command_word(prompt).is_none() {
        return std::borrow::Cow::Borrowed(prompt);
    }
    let at = prompt.len() - prompt.trim_start().len();
    std::borrow::Cow::Owned(format!("{}/{}", &prompt[..at], &prompt[at..]))
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

    #[test]
    fn two_slashes_escape_a_command_and_leave_any_other_prompt_as_typed() {
        let mut state = State::new(
            "m".into(),
            crate::keymap::Keymap::default(),
            crate::config::theme::Theme::default(),
        );
        let prompt = |state: &mut State, draft: &str| match run(state, draft.to_string()) {
            Command::Prompt(text) => text,
            Command::Done(_) => panic!("{draft:?} ran as a command"),
        };
        assert_eq!(prompt(&mut state, "  //help me "), "  /help me ");
        // Not an escaped command: sent whole, indentation and all.
        let pasted = "// Copyright 2026\n  fn main() {}\n";
        assert_eq!(prompt(&mut state, pasted), pasted);
        assert_eq!(prompt(&mut state, "//5 slashes"), "//5 slashes");
    }

    #[test]
    fn a_prompt_that_reads_as_a_command_is_typed_with_its_escape() {
        assert_eq!(as_typed("/help"), "//help");
        assert_eq!(as_typed("  /mcp restart fs"), "  //mcp restart fs");
        assert_eq!(as_typed("/usr/bin/env is what?"), "/usr/bin/env is what?");
        assert_eq!(
            as_typed("// Copyright\nfn main() {}"),
            "// Copyright\nfn main() {}"
        );
    }
}
