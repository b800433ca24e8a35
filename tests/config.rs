//! The config file as a user meets it: `bedrock-tui config path|show|sample` from the real
//! binary, and what the chat screen starts with for good, partial and broken files.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

use bedrock_tui::app::state::Speaker;
use bedrock_tui::cli::Cli;
use bedrock_tui::cli::chat::startup;
use bedrock_tui::config::theme::{Role, Theme};
use bedrock_tui::keymap::{Action, Context};
use clap::Parser;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_bedrock-tui");

fn config_command(home: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("xdg"))
        .arg("config")
        .args(args)
        .output()
        .expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn config_path_show_and_sample() {
    let home = tempfile::tempdir().unwrap();
    let (code, path, _) = config_command(home.path(), &["path"]);
    assert_eq!(code, 0);
    assert_eq!(
        path.trim(),
        home.path()
            .join("xdg/bedrock-tui/config.toml")
            .to_string_lossy()
    );
    let (code, shown, _) = config_command(home.path(), &["show"]);
    assert_eq!(code, 0);
    assert!(
        shown.contains("does not exist: the defaults apply"),
        "{shown}"
    );

    // The sample is a valid config, and `show` reads a real file back.
    let (code, sample, _) = config_command(home.path(), &["sample"]);
    assert_eq!(code, 0);
    let file = home.path().join("mine.toml");
    std::fs::write(
        &file,
        format!("model = \"amazon.nova-micro-v1:0\"\n{sample}"),
    )
    .unwrap();
    let (code, shown, stderr) =
        config_command(home.path(), &["--config", &file.to_string_lossy(), "show"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(shown.contains("amazon.nova-micro-v1:0"), "{shown}");
    assert!(stderr.is_empty(), "{stderr}");
    // The settings in effect, each with where it came from.
    let from = |key: &str| {
        shown
            .lines()
            .find(|l| l.starts_with(&format!("{key} =")))
            .and_then(|l| l.rsplit("# ").next())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(from("model"), "config.toml", "{shown}");
    assert_eq!(from("mouse"), "config.toml", "{shown}");
    assert_eq!(from("demo"), "default", "{shown}");
    assert!(shown.contains("demo_tokens_per_second = 60"), "{shown}");

    // Themes: the built-in ones are listed and printed as files to copy.
    let (code, listed, _) = config_command(home.path(), &["themes"]);
    assert_eq!(code, 0);
    assert!(listed.contains("dark (built in)") && listed.contains("high-contrast (built in)"));
    let (code, dark, _) = config_command(home.path(), &["theme", "dark"]);
    assert_eq!(code, 0);
    // The copy has the built-in's colours, under its own file's name.
    let copy = home.path().join("copy.toml");
    std::fs::write(&copy, &dark).unwrap();
    let mut copied = Theme::load(&copy.to_string_lossy()).unwrap();
    assert_eq!(copied.name, "copy");
    copied.name = "dark".into();
    assert_eq!(copied, Theme::load("dark").unwrap());
    let (code, _, stderr) = config_command(home.path(), &["theme", "solarized"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("there are: dark, light, high-contrast"),
        "{stderr}"
    );

    std::fs::write(&file, "theme = \"dark\"\nmouse = maybe\n").unwrap();
    let (code, _, stderr) =
        config_command(home.path(), &["--config", &file.to_string_lossy(), "show"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("line 2, column"), "{stderr}");
}

/// The chat's startup for a command line.
fn start(args: &[&str]) -> bedrock_tui::cli::chat::Startup {
    let mut argv = vec!["bedrock-tui"];
    argv.extend_from_slice(args);
    let cli = Cli::parse_from(argv);
    startup(&cli.chat, &cli.global)
}

fn notices(state: &bedrock_tui::app::state::State) -> Vec<String> {
    state
        .chat
        .messages
        .iter()
        .filter(|m| m.speaker == Speaker::Notice)
        .map(|m| m.text.clone())
        .collect()
}

#[test]
fn the_chat_starts_with_the_file_and_flags_win() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        r#"
model = "amazon.nova-micro-v1:0"
theme = "light"
region = "eu-west-1"

[parameters]
system = "Be brief."
max_tokens = 512
temperature = 0.2

[keys.chat]
"ctrl+o" = "open_model_picker"
"ctrl+p" = "none"
"#,
    )
    .unwrap();
    let path = file.to_string_lossy().into_owned();
    let started = start(&["--config", &path]);
    let state = &started.state;
    assert!(notices(state).is_empty(), "{:?}", notices(state));
    assert_eq!(state.chat.model, "amazon.nova-micro-v1:0");
    assert_eq!(state.chat.system.as_deref(), Some("Be brief."));
    assert_eq!(state.chat.params.max_tokens, Some(512));
    assert_eq!(state.chat.params.temperature, Some(0.2));
    assert_eq!(
        state.settings.theme.style(Role::Text),
        Theme::load("light").unwrap().style(Role::Text)
    );
    let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
    assert_eq!(
        state.settings.keymap.action(Context::Chat, &key('o')),
        Some(Action::OpenModelPicker)
    );
    assert_eq!(state.settings.keymap.action(Context::Chat, &key('p')), None);
    assert_eq!(
        started
            .options
            .settings
            .region
            .as_ref()
            .map(|r| r.value.as_str()),
        Some("eu-west-1")
    );

    // Flags beat the file.
    let started = start(&[
        "--config",
        &path,
        "--model",
        "us.meta.llama3-3-70b-instruct-v1:0",
        "--theme",
        "high-contrast",
        "--region",
        "us-west-2",
    ]);
    assert_eq!(
        started.state.chat.model,
        "us.meta.llama3-3-70b-instruct-v1:0"
    );
    assert_eq!(
        started.state.settings.theme.style(Role::Text),
        Theme::load("high-contrast").unwrap().style(Role::Text)
    );
    assert_eq!(
        started
            .options
            .settings
            .region
            .as_ref()
            .map(|r| r.value.as_str()),
        Some("us-west-2")
    );
}

#[test]
fn a_broken_file_is_reported_with_its_line_and_the_defaults_apply() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    let path = file.to_string_lossy().into_owned();
    let default = start(&["--config", "/nonexistent/bedrock-tui.toml"]);
    assert!(notices(&default.state).is_empty());

    for (text, expected) in [
        ("model = \"x\"\n[parameters\n", "line 2"),
        ("modle = \"typo\"\n", "modle"),
        ("mouse = \"yes\"\n", "line 1"),
        ("theme = \"no-such-theme\"\n", "unknown theme"),
        ("[keys.chat]\n\"ctrl+o\" = \"fly\"\n", "fly"),
        ("[keys.chat]\n\"hyper+q\" = \"quit\"\n", "hyper+q"),
    ] {
        std::fs::write(&file, text).unwrap();
        let started = start(&["--config", &path]);
        let notes = notices(&started.state);
        assert!(
            notes.iter().any(|n| n.contains(expected)),
            "{text:?}: {notes:?}"
        );
        assert_eq!(
            started.state.chat.model, default.state.chat.model,
            "{text:?}"
        );
        // The file is left as the user wrote it.
        assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    }
}

#[test]
fn a_theme_by_name_is_found_in_the_themes_directory_beside_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "theme = \"ocean\"\n").unwrap();
    std::fs::create_dir(dir.path().join("themes")).unwrap();
    std::fs::write(
        dir.path().join("themes/ocean.toml"),
        "name = \"ocean\"\n[roles]\ntext = \"#00ffcc\"\n",
    )
    .unwrap();
    let path = config.to_string_lossy().into_owned();
    let started = start(&["--config", &path]);
    assert!(
        notices(&started.state).is_empty(),
        "{:?}",
        notices(&started.state)
    );
    assert_eq!(started.state.settings.theme.name, "ocean");
    assert_ne!(
        started.state.settings.theme.style(Role::Text),
        Theme::default().style(Role::Text)
    );
    // A name that is neither built in nor a user theme says where it looked.
    let started = start(&["--config", &path, "--theme", "forest"]);
    let notes = notices(&started.state);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("forest.toml in") && n.contains("themes")),
        "{notes:?}"
    );
}

#[test]
fn the_readme_theme_example_loads_as_written() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = &readme[readme.find("## Themes").unwrap()..];
    let start = section.find("```toml\n").unwrap() + "```toml\n".len();
    let example = &section[start..start + section[start..].find("```").unwrap()];
    assert!(
        example.contains("user = "),
        "the example sets roles at the top level: {example}"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.toml");
    std::fs::write(&path, example).unwrap();
    let theme = Theme::load(&path.to_string_lossy()).unwrap();
    assert_eq!(theme.name, "mine");
    assert_eq!(
        theme.style(Role::User).fg,
        Some(ratatui::style::Color::Rgb(0xff, 0x88, 0x00))
    );
    assert!(
        theme
            .style(Role::Assistant)
            .add_modifier
            .contains(ratatui::style::Modifier::BOLD)
    );
    // What it leaves out comes from the default theme.
    assert_eq!(
        theme.style(Role::Error),
        Theme::default().style(Role::Error)
    );
}

#[test]
fn tools_and_mcp_servers_are_shown_without_their_environment_values() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("tools.toml");
    std::fs::write(
        &file,
        "[tools]\nbuiltin = [\"read_file\"]\n\n[mcp.notes]\ncommand = \"mcp-notes\"\nargs = [\"--dir\", \"x\"]\nenv = { NOTES_TOKEN = \"s3cr3t-value\" }\n",
    )
    .unwrap();
    let (code, shown, stderr) =
        config_command(home.path(), &["--config", &file.to_string_lossy(), "show"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(shown.contains("builtin = [\"read_file\"]"), "{shown}");
    assert!(shown.contains("[mcp.notes]"), "{shown}");
    assert!(shown.contains("# env: NOTES_TOKEN"), "{shown}");
    assert!(!shown.contains("s3cr3t-value"), "{shown}");
    // A server with neither a command nor a URL is refused with its name.
    std::fs::write(&file, "[mcp.broken]\nargs = [\"x\"]\n").unwrap();
    let (_, _, stderr) =
        config_command(home.path(), &["--config", &file.to_string_lossy(), "show"]);
    assert!(
        stderr.contains("mcp.broken: give it either command"),
        "{stderr}"
    );
}

#[test]
fn config_keys_lists_every_action_and_an_unknown_one_is_told_the_valid_ones() {
    let home = tempfile::tempdir().unwrap();
    let (code, stdout, _) = config_command(home.path(), &["keys"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("[keys.chat]"), "{stdout}");
    let send = stdout.lines().find(|l| l.starts_with("send ")).unwrap();
    assert!(send.contains("enter"), "{send}");
    assert!(
        stdout.contains("[keys.tools]") && stdout.contains("allow_once"),
        "{stdout}"
    );
    // A keymap naming no action says which there are.
    let config = home.path().join("config.toml");
    std::fs::write(&config, "[keys.chat]\n\"ctrl+o\" = \"open_pickr\"\n").unwrap();
    let startup = start(&["--config", &config.display().to_string()]);
    let said = notices(&startup.state).join("\n");
    assert!(said.contains("unknown action \"open_pickr\""), "{said}");
    assert!(said.contains("open_model_picker"), "{said}");
}

#[test]
fn a_typo_costs_its_own_key_and_the_rest_of_the_file_applies() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        "model = \"amazon.nova-lite-v1:0\"\nmouse = \"yes\"\n\n[display]\nheading_marks = true\nimagse = \"off\"\n",
    )
    .unwrap();
    let started = start(&["--config", &file.to_string_lossy()]);
    assert_eq!(started.state.chat.model, "amazon.nova-lite-v1:0");
    assert!(started.state.settings.markdown.heading_marks);
    let notes = notices(&started.state).join("\n");
    assert!(notes.contains("mouse (line 2) is left out"), "{notes}");
    assert!(
        notes.contains("display.imagse (line 6) is left out"),
        "{notes}"
    );
}

#[test]
fn a_copied_built_in_theme_is_named_by_its_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("themes")).unwrap();
    // `bedrock-tui config theme dark > themes/mine.toml`
    let (code, dark, _) = config_command(dir.path(), &["theme", "dark"]);
    assert_eq!(code, 0);
    assert!(dark.contains("name = \"dark\""));
    std::fs::write(dir.path().join("themes/mine.toml"), &dark).unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "theme = \"mine\"\n").unwrap();
    let started = start(&["--config", &config.to_string_lossy()]);
    assert_eq!(started.state.settings.theme.name, "mine");
}

#[test]
fn display_breaks_is_read_and_a_wrong_value_names_the_choices() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(&file, "[display]\nbreaks = \"soft\"\n").unwrap();
    let started = start(&["--config", &file.to_string_lossy()]);
    assert_eq!(
        started.state.settings.markdown.breaks,
        bedrock_tui::config::Breaks::Soft
    );
    std::fs::write(&file, "[display]\nbreaks = \"wrap\"\n").unwrap();
    let started = start(&["--config", &file.to_string_lossy()]);
    assert_eq!(
        started.state.settings.markdown.breaks,
        bedrock_tui::config::Breaks::Auto,
        "the default applies"
    );
    let notes = notices(&started.state).join("\n");
    assert!(
        notes.contains("display.breaks (line 2)")
            && notes.contains("auto")
            && notes.contains("keep")
            && notes.contains("soft"),
        "{notes}"
    );
}
