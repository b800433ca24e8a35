//! `bedrock-tui` with no subcommand: the chat screen. Reads the config, theme and keymap
//! (problems become notices, never a crash), starts the connection in the background, and runs
//! the event loop inside the terminal guard.

use super::{ChatArgs, GlobalArgs};
use crate::app::state::{Speaker, State};
use crate::config::Config;
use crate::config::theme::Theme;
use crate::exchange::Defaults;
use crate::keymap::Keymap;
use crate::models::Parameters;
use crate::run::App;
use crate::run::tasks::SystemClipboard;
use crate::transcript::store::{self, Loaded, SessionFile, StoreError};
use crate::tui::TerminalGuard;
use std::io::IsTerminal;

/// Pacing of the in-process emulator in the chat, so answers visibly stream.
const DEMO_TOKENS_PER_SECOND: f64 = 60.0;

/// Everything the chat starts with, and what went wrong reading it.
pub struct Startup {
    /// The initial state.
    pub state: State,
    /// Connection options.
    pub options: crate::connect::ConnectOptions,
    /// How answers are drawn.
    pub display: crate::config::DisplayConfig,
    /// Capture the mouse.
    pub mouse: bool,
    /// Save the conversation.
    pub save: bool,
    /// Where roles are (`roles/` beside the config file).
    pub roles_dir: Option<std::path::PathBuf>,
    /// The MCP servers to start.
    pub mcp: std::collections::BTreeMap<String, crate::config::tool_config::McpServerConfig>,
    /// How long the start of a key sequence waits for its rest.
    pub escape_wait: std::time::Duration,
}

/// Reads the config, theme and keymap for `args`; problems become notices in the transcript.
pub fn startup(args: &ChatArgs, global: &GlobalArgs) -> Startup {
    let mut warnings = Vec::new();
    let config_path = global.config_path();
    let config = match &config_path {
        Some(path) => match Config::load_lenient(path) {
            Ok((config, left_out)) => {
                warnings.extend(left_out);
                config
            }
            Err(e) => {
                warnings.push(format!("{e}; using the defaults"));
                Config::default()
            }
        },
        None => Config::default(),
    };
    // User themes live in `themes/` beside the config file in use.
    let themes_dir = config_path
        .as_deref()
        .and_then(std::path::Path::parent)
        .map(|dir| dir.join("themes"));
    let theme_name = args.theme.clone().or(config.theme.clone());
    let theme = match theme_name {
        Some(name) => Theme::load_from(&name, themes_dir.as_deref()).unwrap_or_else(|e| {
            warnings.push(format!("{e}; using the default theme"));
            Theme::default()
        }),
        None => Theme::default(),
    };
    let theme = if Theme::no_color_asked() {
        theme.without_colors()
    } else {
        theme
    };
    let config_text = config_path
        .as_deref()
        .filter(|_| !config.keys.is_empty())
        .and_then(|p| crate::files::read_capped_text(p, crate::files::SETTINGS_FILE_CAP).ok());
    let (keymap, key_warnings) = Keymap::with_overrides(&config.keys, config_text.as_deref());
    warnings.extend(key_warnings);
    let roles_dir = crate::config::roles::roles_dir(config_path.as_deref());
    let mut defaults = Defaults::from_config(&config);
    let mut role = None;
    if let Some(name) = &args.role {
        match crate::config::roles::find(roles_dir.as_deref(), name) {
            Ok(found) => {
                defaults = defaults.with_role(&found);
                role = Some(found.name);
            }
            Err(e) => warnings.push(format!("{e}; no role is in use")),
        }
    }
    // A model's name where an id belongs is taken as the one model it names best, or said.
    let mut model = defaults.model(args.model.as_deref());
    match super::model_names::resolve(&model, args.family) {
        Ok(Some((id, said))) => {
            warnings.push(said);
            model = id;
        }
        Ok(None) => {}
        Err(why) => warnings.push(why),
    }
    let mut state = State::new(model, keymap, theme);
    state.chat.family_override = args.family;
    state.chat.api = args.api.or(defaults.api).unwrap_or_default();
    state.chat.system = defaults.system(None);
    state.chat.params = defaults.params(&Parameters::default());
    state.chat.role = role;
    state.settings.title_model = config.title_model.clone().filter(|m| !m.trim().is_empty());
    state.settings.prompt_cache = !defaults.prompt_cache_off;
    state.tools.toolbox = crate::tools::Toolbox::from_config(&config.tools);
    state.settings.request_options = defaults.options.clone();
    // Flags over config.toml's [request]; a guardrail named by flag turns trace on.
    let options = &mut state.settings.request_options;
    if let Some(id) = &args.guardrail_id {
        options.guardrail_identifier = Some(id.clone());
        options.trace.get_or_insert_with(|| "ENABLED".to_string());
    }
    for (flag, slot) in [
        (&args.guardrail_version, &mut options.guardrail_version),
        (&args.latency, &mut options.performance_latency),
        (&args.service_tier, &mut options.service_tier),
    ] {
        if flag.is_some() {
            slot.clone_from(flag);
        }
    }
    if let Err(e) = state.settings.request_options.validate() {
        state.push(
            Speaker::Notice,
            format!("{e}: requests are refused until it is fixed (F2 has the fields)"),
        );
    }
    for warning in warnings {
        state.push(Speaker::Notice, warning);
    }
    let settings =
        crate::settings::Settings::resolve(&global.flags(), &config).unwrap_or_else(|e| {
            state.push(Speaker::Notice, format!("{e}; using the defaults"));
            crate::settings::Settings::resolve(&crate::settings::Flags::default(), &config)
                .unwrap_or_default()
        });
    let pace = config
        .demo_tokens_per_second
        .unwrap_or(DEMO_TOKENS_PER_SECOND);
    let pace = super::setup::demo_pacing(pace).unwrap_or_else(|e| {
        state.push(
            Speaker::Notice,
            format!("{e}; the emulator is paced at {pace}"),
        );
        pace
    });
    let options = crate::connect::ConnectOptions {
        settings,
        demo_tokens_per_second: pace,
        fallback_to_demo: true,
    };
    state.settings.markdown.heading_marks = config.display.heading_marks.unwrap_or(false);
    state.settings.markdown.breaks = config.display.breaks.unwrap_or_default();
    state.settings.markdown.hyperlinks = match config.display.hyperlinks.unwrap_or_default() {
        crate::config::Hyperlinks::Always => true,
        crate::config::Hyperlinks::Never => false,
        crate::config::Hyperlinks::Auto => crate::ui::links::terminal_supports_them(),
    };
    state.settings.pictures_dir = crate::pictures::images_dir();
    state.settings.attachments_dir = crate::attachments::store::attachments_dir();
    Startup {
        state,
        options,
        display: config.display.clone(),
        mouse: config.mouse.unwrap_or(true),
        save: !args.no_save && config.save_conversations.unwrap_or(true),
        roles_dir,
        mcp: config.mcp.clone(),
        escape_wait: std::time::Duration::from_millis(
            config
                .input
                .escape_wait_ms
                .unwrap_or(crate::config::DEFAULT_ESCAPE_WAIT_MS),
        ),
    }
}

/// The session to continue (`--resume`): found, locked and loaded before the terminal is
/// taken over, so that a missing or busy session is a plain error message.
pub fn resume(spec: &str) -> Result<(SessionFile, Loaded), StoreError> {
    let dir = store::sessions_dir()?;
    let path = store::resolve(&dir, spec)?;
    let file = SessionFile::open(&path)?;
    let loaded = store::load(&path)?;
    Ok((file, loaded))
}

/// Runs the chat screen and returns the exit status.
pub async fn run(args: ChatArgs, global: GlobalArgs) -> i32 {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!("error: the chat screen needs a terminal; for scripts use `bedrock-tui ask`");
        return super::ask::EXIT_USAGE;
    }
    // Syntax definitions load while the session and the terminal are set up.
    crate::ui::highlight::preload();
    let Startup {
        mut state,
        options,
        display,
        mouse,
        save,
        roles_dir,
        mcp,
        escape_wait,
    } = startup(&args, &global);
    let mut resumed = match args.resume.as_deref().map(resume).transpose() {
        Ok(resumed) => resumed,
        // `--resume` alone with nothing saved yet: a new conversation, with a word about it.
        // (An id or a file that does not exist stays an error.)
        Err(StoreError::NotFound(spec)) if spec == "last" => {
            state.push(
                Speaker::Notice,
                "no saved conversation to resume yet: this is a new one".to_string(),
            );
            None
        }
        Err(e) => {
            crate::cli::term::err_line(&format!("error: {e}"));
            return 1;
        }
    };
    if let Some((_, loaded)) = &mut resumed {
        // The model as resolved above (a name typed becomes its id).
        let model = args
            .model
            .is_some()
            .then(|| (state.chat.model.clone(), state.chat.family_override));
        let role = state
            .chat
            .role
            .clone()
            .map(|name| (name, state.chat.system.clone(), state.chat.params.clone()));
        crate::app::popups::sessions::apply_loaded(&mut state, loaded);
        // A model given on the command line wins over the session's last one, and so does a
        // role.
        if let Some((model, family)) = model {
            state.chat.model = model;
            state.chat.family_override = family;
        }
        if let Some((name, system, params)) = role {
            state.chat.role = Some(name);
            state.chat.system = system;
            state.chat.params = params;
        }
    }
    let sessions_dir = if save {
        match store::sessions_dir() {
            Ok(dir) => Some(dir),
            Err(e) => {
                state.push(Speaker::Notice, format!("conversations are not saved: {e}"));
                None
            }
        }
    } else {
        None
    };
    let guard = match TerminalGuard::enter(mouse) {
        Ok(guard) => guard,
        Err(e) => {
            crate::tui::restore();
            eprintln!("error: cannot set up the terminal: {e}");
            return 1;
        }
    };
    let backend = ratatui::backend::CrosstermBackend::new(std::io::stdout());
    let mut terminal = match ratatui::Terminal::new(backend) {
        Ok(t) => t,
        Err(e) => {
            drop(guard);
            eprintln!("error: cannot set up the terminal: {e}");
            return 1;
        }
    };
    // Asked in raw mode, before anything reads the input.
    let graphics = crate::tui::graphics::detect(display.images.unwrap_or_default());
    if graphics.protocol != crate::tui::graphics::Graphics::Off {
        state.settings.markdown.pictures =
            Some(graphics.cell.unwrap_or(crate::ui::pictures::DEFAULT_CELL));
    }
    let hyperlinks = state.settings.markdown.hyperlinks;
    let mut app = App::new(state, Box::new(SystemClipboard));
    app.cache.set_graphics(graphics);
    if hyperlinks {
        app.hyperlinks = Some(Box::new(std::io::stdout()));
    }
    app.roles_dir = roles_dir;
    if let Some(dir) = sessions_dir {
        app.save_sessions(dir, resumed.map(|(file, _)| file));
    }
    app.connect_with(options);
    app.start_mcp(mcp);
    watch_signals(app.sender());
    let mut events = crate::tui::terminal_events(escape_wait);
    let result = app.run(&mut terminal, &mut events).await;
    app.finish();
    let saved = app
        .state
        .chat
        .session
        .as_ref()
        .map(|s| (s.id.clone(), s.title.clone()));
    drop(terminal);
    drop(guard);
    match result {
        Ok(()) => {
            // How to come back to the conversation, once the terminal is the shell's again.
            if let Some((id, title)) = saved {
                crate::cli::term::err_line(&format!(
                    "“{title}” is saved: bedrock-tui --resume {id} goes on with it"
                ));
            }
            0
        }
        Err(e) => {
            eprintln!("error: the terminal failed: {e}");
            1
        }
    }
}

/// SIGTERM and SIGHUP end the loop like a quit, so the terminal is restored.
fn watch_signals(tx: tokio::sync::mpsc::UnboundedSender<crate::app::Msg>) {
    #[cfg(unix)]
    tokio::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = hup.recv() => {}
        }
        let _ = tx.send(crate::app::Msg::Terminate);
    });
    #[cfg(not(unix))]
    let _ = tx;
}
