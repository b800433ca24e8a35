//! Key bindings as data: every user-facing command is an [`Action`] (serde, one doc line each),
//! the defaults live in code, and the `[keys.<context>]` tables of the config file are merged
//! over them. The help overlay is generated from the same tables.

use crossterm::event::KeyEvent;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

macro_rules! actions {
    ($($variant:ident => $name:literal: $doc:literal,)*) => {
        /// A command the user can bind to a key.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Action {
            $(#[doc = $doc] $variant,)*
        }

        impl Action {
            /// Every action.
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            /// The action's name in the config file.
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name,)* }
            }

            /// One line saying what it does, for the help overlay.
            pub(crate) fn describe(self) -> &'static str {
                match self { $(Action::$variant => $doc,)* }
            }

            /// The action called `name`.
            pub(crate) fn from_name(name: &str) -> Option<Action> {
                match name { $($name => Some(Action::$variant),)* _ => None }
            }
        }
    };
}

actions! {
    Send => "send": "Send the prompt. While an answer streams, queue it for when it ends.",
    Newline => "newline": "Insert a newline in the prompt.",
    Cancel => "cancel": "Take back a queued prompt, else cancel the answer being streamed (the partial text is kept).",
    Quit => "quit": "Quit (press twice).",
    Retry => "retry": "Ask again for the last answer (after an error or a cancel); the old one stays as another version.",
    MessagePrevious => "message_previous": "Select the previous message.",
    MessageNext => "message_next": "Select the next message.",
    PreviousVersion => "previous_version": "Show the previous version of the selected message (an edited prompt, a regenerated answer).",
    NextVersion => "next_version": "Show the next version of the selected message.",
    EditMessage => "edit_message": "Edit the selected prompt; Enter sends it as a new branch (the old one stays).",
    Regenerate => "regenerate": "Ask again for the selected answer; the old one stays as another version.",
    Fork => "fork": "Fork the conversation at the selected message into a new saved conversation.",
    DeleteTurn => "delete_turn": "Delete the selected turn, prompt and answer (asks first; kept in the session file).",
    KeepPartial => "keep_partial": "Send the selected cancelled or failed answer as context, or stop sending it.",
    ToggleFold => "toggle_fold": "Fold or unfold the selected long prompt.",
    CopyMessage => "copy_message": "Copy the selected message (1-9 copy its numbered code blocks).",
    OpenModelPicker => "open_model_picker": "Choose another model; the conversation carries over.",
    OpenParameters => "open_parameters": "Edit the system prompt and inference parameters.",
    OpenRoles => "open_roles": "Choose a role: a named system prompt from roles/ beside the config file.",
    ToggleHelp => "toggle_help": "Show or hide this help.",
    ToggleReasoning => "toggle_reasoning": "Fold or unfold reasoning (thinking) text.",
    RefreshModels => "refresh_models": "Ask the region for its models again (the listing is kept for a day).",
    SwitchApi => "switch_api": "Send the next turn through the other API: InvokeModel (native bodies) or Converse.",
    CopyLastAnswer => "copy_last_answer": "Copy the last answer (OSC 52, then the system clipboard).",
    CopyLastCodeBlock => "copy_last_code_block": "Copy the last code block of the selected message (or of the last answer).",
    NewConversation => "new_conversation": "Start a new conversation (the prompt draft is kept).",
    FocusTranscript => "focus_transcript": "Move the focus to the transcript.",
    FocusEditor => "focus_editor": "Move the focus back to the prompt.",
    HistoryPrevious => "history_previous": "On an empty prompt: recall the previous prompt.",
    HistoryNext => "history_next": "While recalling: the next prompt.",
    Undo => "undo": "Undo the last edit of the prompt.",
    KillToLineStart => "kill_to_line_start": "Delete from the start of the line to the cursor.",
    ClearDraft => "clear_draft": "Clear the prompt (kept in the history: Up brings it back).",
    EditInEditor => "edit_in_editor": "Write the prompt in $VISUAL or $EDITOR (also Ctrl+X Ctrl+E).",
    Attach => "attach": "Attach a file to the next prompt: starts /attach PATH (Tab completes), or takes a pasted file path.",
    Detach => "detach": "Remove the last attached file (/detach N removes file N).",
    DropOldest => "drop_oldest": "Delete the oldest turn of the conversation (asks first), to make room in the context window.",
    SummarizeOldest => "summarize_oldest": "Ask the model for a summary of the older half of the conversation; once it is complete, those turns are no longer sent.",
    PasteImage => "paste_image": "Attach the image on the system clipboard (wl-paste, xclip or pngpaste).",
    Redo => "redo": "Redo.",
    ScrollUp => "scroll_up": "Scroll the transcript up a line.",
    ScrollDown => "scroll_down": "Scroll the transcript down a line.",
    PageUp => "page_up": "Scroll the transcript up a page.",
    PageDown => "page_down": "Scroll the transcript down a page.",
    ScrollTop => "scroll_top": "Go to the start of the transcript.",
    ScrollBottom => "scroll_bottom": "Go to the end (and follow the stream).",
    Confirm => "confirm": "Pick the selected item / apply the form.",
    Close => "close": "Close the popup.",
    SelectPrevious => "select_previous": "Select the previous item.",
    SelectNext => "select_next": "Select the next item.",
    ToggleInspector => "toggle_inspector": "Show what went over the wire for an answer: request, response, frames.",
    EditRequest => "edit_request": "Edit the inspected request (JSON body and headers) and send it again.",
    CompareModels => "compare_models": "Send the prompt to 2 to 4 models side by side (mark them with Tab).",
    ToggleMark => "toggle_mark": "Mark or unmark the selected model for comparison.",
    CompareTypes => "compare_types": "Send the prompt with each Accept / Content-Type / streaming combination.",
    CompareTiers => "compare_tiers": "Send the prompt at standard and optimized latency, each at the default, priority and flex tiers.",
    OpenSessions => "open_sessions": "Browse saved conversations (open, rename, delete, export).",
    ExportMarkdown => "export_markdown": "Export the conversation as Markdown to the current directory.",
    ExportJson => "export_json": "Export the conversation as JSON to the current directory.",
    Rename => "rename": "Rename the selected conversation.",
    Delete => "delete": "Delete the selected conversation (asks first).",
    AllowOnce => "allow_once": "Run the tool call asked about, this once.",
    AllowAlways => "allow_always": "Run the tool call, and let this tool run unasked for the rest of the session.",
    Deny => "deny": "Do not run the tool call; the model is told it was denied.",
    ViewWhole => "view_whole": "Read the whole tool call in the pager ($PAGER, else less).",
    ShowStatusLog => "show_status_log": "Show the last status messages whole (the status bar may cut them).",
    None => "none": "Unbind the key.",
}

impl Action {
    /// What the action does where it is bound: the prompt's words for the chat, the popup's
    /// own where the same action does something else there.
    pub(crate) fn describe_in(self, context: Context) -> &'static str {
        use Action as A;
        use Context as C;
        let popup_scroll = !matches!(context, C::Chat | C::Transcript | C::Global);
        match (context, self) {
            (_, A::ScrollUp) if popup_scroll => "Scroll up a line.",
            (_, A::ScrollDown) if popup_scroll => "Scroll down a line.",
            (C::Picker | C::Sessions, A::PageUp) => "Up a page of the list.",
            (C::Picker | C::Sessions, A::PageDown) => "Down a page of the list.",
            (_, A::PageUp) if popup_scroll => "Scroll up a page.",
            (_, A::PageDown) if popup_scroll => "Scroll down a page.",
            (_, A::ScrollTop) if popup_scroll => "Go to the top.",
            (_, A::ScrollBottom) if popup_scroll => "Go to the end.",
            (C::Picker, A::Confirm) => {
                "Switch to the selected model (with models marked: ask them side by side)."
            }
            (C::Sessions, A::Confirm) => "Open the selected conversation.",
            (C::Parameters, A::Confirm) => "Apply the form.",
            (C::Matrix, A::Confirm) => {
                "Inspect the selected row's exchange (before billed requests: send them)."
            }
            (C::Compare, A::Confirm) => "Keep the focused pane's answer in the conversation.",
            (C::Compare, A::Cancel) => "Cancel the focused pane's answer.",
            (C::Compare, A::Retry) => "Ask the focused pane's model again.",
            (C::Compare, A::SelectPrevious) => "Focus the previous pane.",
            (C::Compare, A::SelectNext) => "Focus the next pane.",
            (C::Inspector, A::SelectPrevious) => {
                "The previous answer's exchange (the previous row's, from the matrix)."
            }
            (C::Inspector, A::SelectNext) => {
                "The next answer's exchange (the next row's, from the matrix)."
            }
            (C::Parameters | C::Resend, A::SelectPrevious) => "The previous field.",
            (C::Parameters | C::Resend, A::SelectNext) => "The next field.",
            (C::Resend, A::Send) => "Send the edited request (outside the conversation).",
            (C::Tools, A::Cancel) => {
                "Cancel the round: calls not yet answered are given back as cancelled, nothing more is sent."
            }
            (C::Tools, A::ScrollBottom) => {
                "Go to the end of the call (a call runs only once read to its end)."
            }
            (C::Help, A::Close | A::ToggleHelp) => "Close this help.",
            (C::Matrix, A::CompareTypes) => "Close the matrix.",
            _ => self.describe(),
        }
    }
}

/// Slash commands typed in the prompt, with what they do, for the help.
pub(crate) const SLASH_COMMANDS: &[(&str, &str)] = &[
    (
        "/attach PATH",
        "Attach a file to the next prompt (Tab completes the path).",
    ),
    ("/detach [N]", "Remove attached file N, else the last."),
    (
        "/tools",
        "List the tools offered to models, where each comes from and whether it asks.",
    ),
    (
        "/mcp",
        "The MCP servers and how each is; /mcp restart NAME starts one again.",
    ),
    ("/notices", "The last status messages, whole (as F9)."),
    (
        "/help",
        "This help. Any other /word is refused, never sent; //word sends a prompt that starts with /word.",
    ),
];

/// Where a key is pressed: which bindings apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// Everywhere, after the context's own bindings (quit, help).
    Global,
    /// The prompt editor has the focus (keys not bound here go to the editor).
    Chat,
    /// The transcript has the focus.
    Transcript,
    /// The model picker is open (unbound characters edit the filter).
    Picker,
    /// The parameters form is open (unbound characters edit the field).
    Parameters,
    /// The help overlay is open.
    Help,
    /// The saved-conversation browser is open (unbound characters edit the filter).
    Sessions,
    /// The wire inspector is open.
    Inspector,
    /// The accept / content-type matrix is open.
    Matrix,
    /// Models side by side.
    Compare,
    /// Editing a request to send it again.
    Resend,
    /// A tool call waits for the user's approval.
    Tools,
}

impl Context {
    /// Every context.
    pub const ALL: &'static [Context] = &[
        Context::Global,
        Context::Chat,
        Context::Transcript,
        Context::Picker,
        Context::Parameters,
        Context::Help,
        Context::Sessions,
        Context::Inspector,
        Context::Matrix,
        Context::Compare,
        Context::Resend,
        Context::Tools,
    ];

    /// The context's name in the config file.
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Chat => "chat",
            Context::Transcript => "transcript",
            Context::Picker => "picker",
            Context::Parameters => "parameters",
            Context::Help => "help",
            Context::Sessions => "sessions",
            Context::Inspector => "inspector",
            Context::Matrix => "matrix",
            Context::Compare => "compare",
            Context::Resend => "resend",
            Context::Tools => "tools",
        }
    }
}

mod checks;
mod chord;
mod defaults;

use defaults::DEFAULTS;

pub(crate) use chord::KeyChord;

/// The bindings of every context.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    bindings: BTreeMap<Context, BTreeMap<KeyChord, Action>>,
}

impl Default for Keymap {
    fn default() -> Self {
        let mut bindings: BTreeMap<Context, BTreeMap<KeyChord, Action>> = BTreeMap::new();
        for (context, key, action) in DEFAULTS {
            if let Ok(chord) = KeyChord::parse(key) {
                bindings.entry(*context).or_default().insert(chord, *action);
            }
        }
        Keymap { bindings }
    }
}

impl Keymap {
    /// The defaults with the user's `[keys.<context>]` tables merged over them. Entries that do
    /// not parse are skipped, two spellings of one key in a context are reported (the later
    /// wins), and a keymap that leaves no way to quit, send or open help keeps the default keys
    /// for those; each is described in the returned warnings, with its line in `text` (the
    /// config file) when given.
    pub(crate) fn with_overrides(
        overrides: &BTreeMap<String, BTreeMap<String, String>>,
        text: Option<&str>,
    ) -> (Keymap, Vec<String>) {
        let mut keymap = Keymap::default();
        let mut warnings = Vec::new();
        let at = |context: &str, key: &str| {
            text.and_then(|t| checks::key_line(t, context, key))
                .map_or_else(String::new, |line| format!(" (line {line})"))
        };
        for (context_name, keys) in overrides {
            let Some(context) = Context::ALL.iter().find(|c| c.name() == context_name) else {
                let names: Vec<&str> = Context::ALL.iter().map(|c| c.name()).collect();
                warnings.push(format!(
                    "keys: unknown context {context_name:?} (one of {})",
                    names.join(", ")
                ));
                continue;
            };
            let mut given: BTreeMap<KeyChord, &str> = BTreeMap::new();
            for (key, action_name) in keys {
                let chord = match KeyChord::parse(key) {
                    Ok(chord) => chord,
                    Err(e) => {
                        warnings.push(format!("keys.{context_name}: {e}{}", at(context_name, key)));
                        continue;
                    }
                };
                let Some(action) = Action::from_name(action_name) else {
                    let known: Vec<&str> = Keymap::default()
                        .actions_of(*context)
                        .into_iter()
                        .map(Action::name)
                        .collect();
                    warnings.push(format!(
                        "keys.{context_name}: unknown action {action_name:?} for {key:?}{}; the actions of keys.{context_name} are {}, and none (`bedrock-tui config keys` lists them with their keys)",
                        at(context_name, key),
                        known.join(", ")
                    ));
                    continue;
                };
                if let Some(earlier) = given.insert(chord, key) {
                    warnings.push(format!(
                        "keys.{context_name}: {earlier:?}{} and {key:?}{} are the same key ({chord}); {key:?} = {action_name:?} is used",
                        at(context_name, earlier),
                        at(context_name, key)
                    ));
                }
                let table = keymap.bindings.entry(*context).or_default();
                if action == Action::None {
                    table.remove(&chord);
                } else {
                    table.insert(chord, action);
                }
            }
        }
        for action in checks::ESSENTIAL {
            if !keymap.reachable_from_chat(action) {
                let kept = keymap.restore_defaults(action);
                warnings.push(format!(
                    "keys: this keymap leaves no key to {}; {kept} kept for it",
                    action.name().replace('_', " ")
                ));
            }
        }
        (keymap, warnings)
    }

    /// The action bound to a key in a context.
    pub fn action(&self, context: Context, event: &KeyEvent) -> Option<Action> {
        let chord = KeyChord::from_event(event)?;
        self.bindings.get(&context)?.get(&chord).copied()
    }

    /// The keys bound to an action in a context, for hints such as "ctrl+p: models".
    pub(crate) fn keys_for(&self, context: Context, action: Action) -> Vec<KeyChord> {
        self.bindings
            .get(&context)
            .map(|t| {
                t.iter()
                    .filter(|(_, a)| **a == action)
                    .map(|(k, _)| *k)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The first key bound to an action in a context (or globally), as text (`unbound` when
    /// there is none).
    pub fn hint(&self, context: Context, action: Action) -> String {
        let mut keys = self.keys_for(context, action);
        if keys.is_empty() {
            keys = self.keys_for(Context::Global, action);
        }
        keys.first()
            .map_or_else(|| "unbound".to_string(), std::string::ToString::to_string)
    }

    /// Help text per context: `(keys, description)` rows, one per action, in action order.
    /// The actions bound in `context`, in the order of [`Action::ALL`].
    pub(crate) fn actions_of(&self, context: Context) -> Vec<Action> {
        Action::ALL
            .iter()
            .copied()
            .filter(|action| !self.keys_for(context, *action).is_empty())
            .collect()
    }

    pub fn help(&self) -> Vec<(Context, Vec<(String, &'static str)>)> {
        Context::ALL
            .iter()
            .map(|context| {
                let rows = Action::ALL
                    .iter()
                    .filter_map(|action| {
                        let keys = self.keys_for(*context, *action);
                        (!keys.is_empty()).then(|| {
                            let keys: Vec<String> =
                                keys.iter().map(std::string::ToString::to_string).collect();
                            (keys.join(", "), action.describe_in(*context))
                        })
                    })
                    .collect();
                (*context, rows)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn defaults_parse_and_resolve() {
        let keymap = Keymap::default();
        let total: usize = keymap
            .bindings
            .values()
            .map(std::collections::BTreeMap::len)
            .sum();
        assert_eq!(total, DEFAULTS.len(), "every default key parses once");
        assert_eq!(
            keymap.action(Context::Chat, &key(KeyCode::Enter, KeyModifiers::NONE)),
            Some(Action::Send)
        );
        assert_eq!(
            keymap.action(Context::Chat, &key(KeyCode::Enter, KeyModifiers::SHIFT)),
            Some(Action::Newline)
        );
        assert_eq!(
            keymap.action(
                Context::Transcript,
                &key(KeyCode::Char('?'), KeyModifiers::SHIFT)
            ),
            Some(Action::ToggleHelp)
        );
        assert_eq!(
            keymap.action(
                Context::Transcript,
                &key(KeyCode::Char('G'), KeyModifiers::SHIFT)
            ),
            Some(Action::ScrollBottom)
        );
        assert_eq!(
            keymap.action(
                Context::Chat,
                &key(
                    KeyCode::Char('Z'),
                    KeyModifiers::CONTROL | KeyModifiers::SHIFT
                )
            ),
            Some(Action::Redo)
        );
        assert_eq!(
            keymap.action(Context::Chat, &key(KeyCode::Char('a'), KeyModifiers::NONE)),
            None
        );
    }

    #[test]
    fn overrides_merge_and_report() {
        let mut overrides = BTreeMap::new();
        overrides.insert(
            "chat".to_string(),
            BTreeMap::from([
                ("ctrl+o".to_string(), "open_model_picker".to_string()),
                ("ctrl+p".to_string(), "none".to_string()),
                ("ctrl+q".to_string(), "fly".to_string()),
                ("hyper+x".to_string(), "send".to_string()),
            ]),
        );
        overrides.insert("nowhere".to_string(), BTreeMap::new());
        let (keymap, warnings) = Keymap::with_overrides(&overrides, None);
        let ctrl = |c| key(KeyCode::Char(c), KeyModifiers::CONTROL);
        assert_eq!(
            keymap.action(Context::Chat, &ctrl('o')),
            Some(Action::OpenModelPicker)
        );
        assert_eq!(keymap.action(Context::Chat, &ctrl('p')), None);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert_eq!(
            keymap.hint(Context::Chat, Action::OpenModelPicker),
            "ctrl+o"
        );
    }

    #[test]
    fn chords_print_as_they_parse() {
        for text in [
            "ctrl+c",
            "alt+enter",
            "shift+enter",
            "F1",
            "?",
            "G",
            "space",
            "ctrl+shift+z",
        ] {
            let chord = KeyChord::parse(text).unwrap();
            assert_eq!(
                KeyChord::parse(&chord.to_string()).unwrap(),
                chord,
                "{text}"
            );
        }
        assert_eq!(
            KeyChord::parse("ctrl+shift+z").unwrap().to_string(),
            "ctrl+shift+z"
        );
    }

    #[test]
    fn every_action_has_a_name_that_round_trips() {
        for action in Action::ALL {
            assert_eq!(Action::from_name(action.name()), Some(*action));
            let json = serde_json::to_string(action).unwrap();
            assert_eq!(json, format!("\"{}\"", action.name()));
        }
    }
}
