//! The event loop, where the chat's state meets the terminal, the screen and I/O: one
//! `select!` over terminal input, task news and the connection, that owns the state, runs the
//! effects `update` returns (in [`effects`], their bodies in [`tasks`]) and redraws only when
//! something changed (at most one frame per ~16 ms, however fast tokens arrive). The terminal
//! is handed to the editor and the pager here ([`hand_off`]), and links are drawn again as
//! OSC 8 after a frame ([`hyperlinks`]). `app` knows nothing of this module nor of `ui`.

mod effects;
mod hand_off;
mod hyperlinks;
mod paste_burst;
mod recorder;
pub mod tasks;

use crate::app::state::State;
use crate::app::update::update;
use crate::app::{ConnectionInfo, Msg, RequestSpec};
use crate::bedrock::BedrockError;
use crate::connect::Connection;
use crate::transcript::store::SessionFile;
use crate::transcript::writer::{Writer, WriterNews};
use crate::ui::{self, ViewCache};
use crossterm::event::Event;
use futures_util::{FutureExt, Stream, StreamExt};
use paste_burst::{Burst, RUN_AS_PASTE};
use ratatui::Terminal;
use ratatui::backend::Backend;
use recorder::Recorder;
use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tasks::Clipboard;
use tokio::sync::{mpsc, oneshot};
use tokio::task::AbortHandle;

/// Shortest time between two frames.
pub(crate) const FRAME_INTERVAL: Duration = Duration::from_millis(16);

/// Messages taken from the channel per wake-up.
const BATCH: usize = 1024;

/// The running application: the state, the view cache and the effects' bookkeeping.
pub struct App {
    /// The state `update` owns.
    pub state: State,
    /// Laid-out transcript lines, reused between frames.
    pub cache: ViewCache,
    tx: mpsc::UnboundedSender<Msg>,
    rx: mpsc::UnboundedReceiver<Msg>,
    connecting: Option<oneshot::Receiver<Result<Connection, BedrockError>>>,
    /// How to connect again after a failure (the next prompt tries again, so logging in from
    /// another terminal is enough).
    reconnect: Option<crate::connect::ConnectOptions>,
    connection: Option<Connection>,
    requests: HashMap<u64, AbortHandle>,
    /// Tool calls running, by round.
    tool_tasks: Vec<(u64, AbortHandle)>,
    /// What lookups of opaque model ARNs found, for the session.
    lookups: crate::exchange::Lookups,
    queued: Vec<RequestSpec>,
    clipboard: Box<dyn Clipboard>,
    dirty: bool,
    last_draw: Option<Instant>,
    /// Frames drawn so far.
    pub frames: u64,
    /// The longest time a frame took to draw.
    pub slowest_frame: Duration,
    recorder: Recorder,
    writer: Option<Writer>,
    sessions_dir: Option<PathBuf>,
    /// Where roles are (`roles/` beside the config file).
    pub roles_dir: Option<PathBuf>,
    /// Where exports go (the current directory).
    pub export_dir: PathBuf,
    /// Tells a typed Enter from a pasted newline.
    enter_guard: paste_burst::EnterGuard,
    /// The last batch's input ended inside a paste of typed characters (see
    /// [`RUN_AS_PASTE`]): the next batch's may go on with it.
    paste_open: bool,
    /// The prompt is to be opened in the user's editor once the batch is handled.
    edit_draft: bool,
    /// A tool call to show whole in the pager once the batch is handled.
    view_tool: Option<(u64, usize, String)>,
    /// The first step has run (it asks for the sizes of the pictures of a resumed
    /// conversation).
    stepped: bool,
    /// Where OSC 8 hyperlinks are written (the terminal), when links are hyperlinks.
    pub hyperlinks: Option<Box<dyn std::io::Write + Send>>,
    /// The links drawn as hyperlinks in the last frame.
    links_drawn: Vec<crate::ui::links::LinkRun>,
}

/// How often the status bar's live figures are drawn while an answer is quiet.
const LIVE_FIGURES_EVERY: Duration = Duration::from_secs(1);

impl App {
    /// An application around `state`; call [`App::connect`] to give it somewhere to send.
    pub fn new(state: State, clipboard: Box<dyn Clipboard>) -> App {
        let (tx, rx) = mpsc::unbounded_channel();
        let recorder = Recorder::new(&state);
        App {
            recorder,
            writer: None,
            sessions_dir: None,
            roles_dir: None,
            export_dir: PathBuf::from("."),
            state,
            cache: ViewCache::default(),
            tx,
            rx,
            connecting: None,
            reconnect: None,
            connection: None,
            requests: HashMap::new(),
            tool_tasks: Vec::new(),
            lookups: crate::exchange::Lookups::new(),
            queued: Vec::new(),
            clipboard,
            dirty: true,
            last_draw: None,
            frames: 0,
            slowest_frame: Duration::ZERO,
            enter_guard: paste_burst::EnterGuard::default(),
            paste_open: false,
            edit_draft: false,
            view_tool: None,
            stepped: false,
            hyperlinks: None,
            links_drawn: Vec::new(),
        }
    }

    /// Saves conversations in `dir` from now on; `current` is the session the state was loaded
    /// from (`--resume`), already locked.
    pub fn save_sessions(&mut self, dir: PathBuf, current: Option<SessionFile>) {
        let tx = self.tx.clone();
        self.recorder = match current {
            Some(_) => Recorder::adopt(&self.state),
            None => Recorder::new(&self.state),
        };
        self.writer = Some(Writer::start(dir.clone(), current, move |news| {
            let _ = tx.send(Msg::Session(news));
        }));
        self.sessions_dir = Some(dir);
    }

    /// Writes what is pending and closes the session file; call before exiting.
    pub fn finish(&mut self) {
        self.persist();
        if let Some(writer) = self.writer.take() {
            writer.finish();
        }
    }

    /// Hands what changed since the last call to the session writer.
    fn persist(&mut self) {
        if let Some(writer) = &self.writer {
            writer.send(self.recorder.sync(&self.state));
        }
    }

    /// Where requests go, once connected.
    pub fn connection(&self) -> Option<&Connection> {
        self.connection.as_ref()
    }

    /// A sender for messages from outside (signals).
    pub(crate) fn sender(&self) -> mpsc::UnboundedSender<Msg> {
        self.tx.clone()
    }

    /// Resolves the connection in the background; the first frame does not wait for it.
    pub fn connect<F>(&mut self, connecting: F)
    where
        F: Future<Output = Result<Connection, BedrockError>> + Send + 'static,
    {
        let (done, wait) = oneshot::channel();
        tokio::spawn(async move {
            let _ = done.send(connecting.await);
        });
        self.connecting = Some(wait);
    }

    /// Starts MCP servers in the background; each reports as it is ready (or not), and a prompt
    /// sent before they all are waits for them.
    pub fn start_mcp(
        &mut self,
        servers: std::collections::BTreeMap<String, crate::config::tool_config::McpServerConfig>,
    ) {
        self.state.tools.mcp_servers.clone_from(&servers);
        for (name, config) in servers {
            self.start_one_mcp(name, config);
        }
    }

    /// Starts one MCP server in the background; it reports as it is ready (or not).
    pub(crate) fn start_one_mcp(
        &mut self,
        name: String,
        config: crate::config::tool_config::McpServerConfig,
    ) {
        if !self.state.tools.mcp_starting.contains(&name) {
            self.state.tools.mcp_starting.push(name.clone());
        }
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = crate::tools::mcp::connect(&name, &config).await;
            let _ = tx.send(Msg::McpConnected { name, result });
        });
    }

    /// Connects with `options` in the background, and again with them when a prompt is sent
    /// after a failed connection.
    pub fn connect_with(&mut self, options: crate::connect::ConnectOptions) {
        self.reconnect = Some(options.clone());
        self.connect(async move { crate::connect::connect(&options).await });
    }

    /// Runs until the user quits or the input ends.
    pub async fn run<B, S>(
        &mut self,
        terminal: &mut Terminal<B>,
        events: &mut S,
    ) -> Result<(), B::Error>
    where
        B: Backend,
        S: Stream<Item = std::io::Result<Event>> + Unpin,
    {
        self.draw(terminal)?;
        while self.step(terminal, events).await? {}
        Ok(())
    }

    /// Waits for the next input or news, handles everything that is ready, and draws when a
    /// frame is due. Returns false once the app should quit (or the input has ended).
    pub async fn step<B, S>(
        &mut self,
        terminal: &mut Terminal<B>,
        events: &mut S,
    ) -> Result<bool, B::Error>
    where
        B: Backend,
        S: Stream<Item = std::io::Result<Event>> + Unpin,
    {
        if !std::mem::replace(&mut self.stepped, true) {
            // A conversation resumed before the loop began: its pictures' sizes are read.
            for effect in crate::app::pictures::probe_all(&mut self.state) {
                self.run_effect(effect);
            }
        }
        let frame_due = self
            .last_draw
            .map_or_else(Instant::now, |t| t + FRAME_INTERVAL);
        let mut batch = Vec::new();
        let mut input_ended = false;
        let mut connection = None;
        let dirty = self.dirty;
        let quit_window = self.state.quit_armed;
        let enter_due = self.enter_guard.due();
        // A tool question that is not armed yet is drawn again when it is.
        let armed_due = match &self.state.screen.overlay {
            crate::app::popups::Overlay::Tools(question) if !question.armed(Instant::now()) => {
                Some(question.armed_at)
            }
            _ => None,
        };
        // While an answer is in flight the status bar's clock moves: a frame a second at least.
        let in_flight = self.state.requests.in_flight.is_some();
        let rx = &mut self.rx;
        let connecting = &mut self.connecting;
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => {
                    if let Some(msg) = msg_of(event) {
                        batch.push(msg);
                    }
                }
                // A terminal that can no longer be read: quit rather than spin.
                Some(Err(_)) | None => input_ended = true,
            },
            _ = rx.recv_many(&mut batch, BATCH) => {}
            result = async {
                match connecting.as_mut() {
                    Some(wait) => wait.await,
                    None => std::future::pending().await,
                }
            }, if connecting.is_some() => {
                connection = Some(result.unwrap_or_else(|_| {
                    Err(BedrockError::Config("the connection task ended".into()))
                }));
            }
            () = tokio::time::sleep_until(frame_due.into()), if dirty => {}
            () = async {
                match quit_window {
                    Some(until) => tokio::time::sleep_until(until.into()).await,
                    None => std::future::pending().await,
                }
            }, if quit_window.is_some() => {}
            () = async {
                match enter_due {
                    Some(due) => tokio::time::sleep_until(due.into()).await,
                    None => std::future::pending().await,
                }
            }, if enter_due.is_some() => {}
            () = async {
                match armed_due {
                    Some(due) => tokio::time::sleep_until(due.into()).await,
                    None => std::future::pending().await,
                }
            }, if armed_due.is_some() => {
                self.dirty = true;
            }
            () = tokio::time::sleep(LIVE_FIGURES_EVERY), if in_flight && !dirty => {
                self.dirty = true;
            }
        }
        if self.state.expire_quit(Instant::now()) {
            self.dirty = true;
        }
        // A burst of input (typing fast, a terminal without bracketed paste) is handled in one
        // wake-up and costs one frame.
        while batch.len() < BATCH {
            // Unconstrained: tokio's cooperative budget would end the batch after 128 events
            // that are already waiting, splitting a paste into many edits and frames.
            match tokio::task::unconstrained(events.next()).now_or_never() {
                Some(Some(Ok(event))) => batch.extend(msg_of(event)),
                Some(Some(Err(_)) | None) => {
                    input_ended = true;
                    break;
                }
                None => break,
            }
        }
        if let Some(result) = connection {
            self.connecting = None;
            let msg = self.connected(result);
            batch.insert(0, msg);
        }
        // What the user typed is shown at once; stream news waits for the next frame slot.
        let typed = batch
            .iter()
            .any(|m| matches!(m, Msg::Key(_) | Msg::Paste(_) | Msg::Mouse(_) | Msg::Resize));
        let keyed = batch
            .iter()
            .any(|m| matches!(m, Msg::Key(_) | Msg::Paste(_)));
        self.take_in(batch, Instant::now());
        if std::mem::take(&mut self.edit_draft) {
            let draft = self.state.draft();
            let edited = hand_off::edit_prompt(terminal, &draft).await?;
            self.handle(Msg::DraftEdited(edited));
            self.dirty = true;
        }
        if let Some((round, index, text)) = self.view_tool.take() {
            match hand_off::view_in_pager(terminal, &text).await? {
                Ok(()) => self.handle(Msg::ToolViewed { round, index }),
                Err(why) => self.handle(Msg::ProgramFailed(why)),
            }
            self.dirty = true;
        }
        self.persist();
        if self.dirty && (typed || self.last_draw.is_none_or(|t| t.elapsed() >= FRAME_INTERVAL)) {
            self.draw(terminal)?;
        }
        if keyed {
            self.enter_guard.ready(Instant::now());
        }
        Ok(!self.state.quit && !input_ended)
    }

    /// Handles a batch of messages in order, an Enter that would send going through the
    /// [`EnterGuard`](paste_burst::EnterGuard) (decided as it comes, since the messages
    /// before it may open a popup).
    fn take_in(&mut self, batch: Vec<Msg>, now: Instant) {
        let (burst, released) = self.enter_guard.begin(&batch, now);
        if let Some(msg) = released {
            self.handle(msg);
        }
        // Whether the batch's input ends inside a paste, which the next batch may go on with.
        let mut paste_open = false;
        let mut batch = batch.into_iter().enumerate().peekable();
        while let Some((index, msg)) = batch.next() {
            let Some(first) = self.typed_into_prompt(&msg) else {
                self.take_one(&burst, index, msg);
                continue;
            };
            // Characters for the prompt and pasted newlines that arrived with them.
            let mut text = String::from(first);
            let mut run = vec![(index, msg)];
            while let Some((next_index, next)) = batch.peek() {
                let c = match self.typed_into_prompt(next) {
                    Some(c) => c,
                    // An Enter inside a burst of lines is one of its newlines; one that ends a
                    // burst of text without any goes on its own (it may send).
                    None if (text.contains('\n')
                        || self.enter_guard.is_newline(&burst, *next_index))
                        && matches!(next, Msg::Key(key) if self.enter_would_send(key)) =>
                    {
                        '\n'
                    }
                    None => break,
                };
                text.push(c);
                run.extend(batch.next());
            }
            // The first input of a batch that goes on with a paste the batch before ended in.
            let goes_on = self.paste_open && burst.first == Some(index) && burst.soon_after_input;
            let run_ends_input = run.last().map(|(last, _)| *last) == burst.last;
            if text.contains('\n') {
                self.enter_guard.took_lines();
            }
            if goes_on {
                self.handle(Msg::PasteMore(text));
                paste_open = run_ends_input;
            } else if run.len() >= RUN_AS_PASTE || text.contains('\n') {
                self.handle(Msg::Paste(text));
                paste_open = run_ends_input;
            } else {
                for (index, msg) in run {
                    self.take_one(&burst, index, msg);
                }
            }
        }
        if burst.first.is_some() {
            self.paste_open = paste_open;
        }
    }

    /// One message of a batch; an Enter that would send goes through the Enter guard.
    fn take_one(&mut self, burst: &Burst, index: usize, msg: Msg) {
        match msg {
            Msg::Key(key) if self.enter_would_send(&key) => {
                if let Some(msg) = self.enter_guard.enter(burst, index, key) {
                    self.handle(msg);
                }
            }
            other => self.handle(other),
        }
    }

    /// The character a key types into the prompt as text (no binding, no popup, no pending
    /// question), if it is one.
    fn typed_into_prompt(&self, msg: &Msg) -> Option<char> {
        use crate::keymap::Context;
        use crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};
        let Msg::Key(key) = msg else { return None };
        let KeyCode::Char(c) = key.code else {
            return None;
        };
        let state = &self.state;
        (key.kind != KeyEventKind::Release
            && key.modifiers.difference(KeyModifiers::SHIFT).is_empty()
            && !c.is_control()
            && !state.screen.overlay.is_open()
            && state.screen.focus == crate::app::state::Focus::Editor
            && state.chat.pending_delete.is_none()
            && !state.composer.ctrl_x
            && state.settings.keymap.action(Context::Chat, key).is_none()
            && state.settings.keymap.action(Context::Global, key).is_none())
        .then_some(c)
    }

    /// Whether this key is an Enter that sends the prompt on the chat screen.
    fn enter_would_send(&self, key: &crossterm::event::KeyEvent) -> bool {
        use crate::keymap::{Action, Context};
        key.code == crossterm::event::KeyCode::Enter
            && key.kind != crossterm::event::KeyEventKind::Release
            && !self.state.screen.overlay.is_open()
            && self.state.screen.focus == crate::app::state::Focus::Editor
            && self.state.settings.keymap.action(Context::Chat, key) == Some(Action::Send)
    }

    /// Handles one terminal event at once, outside the loop (for benchmarks and tests that
    /// drive the app directly).
    pub fn input(&mut self, event: Event) {
        if let Some(msg) = msg_of(event) {
            self.handle(msg);
        }
    }

    /// Draws a frame now and feeds the sizes back to the state.
    pub fn draw<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> Result<(), B::Error> {
        let started = Instant::now();
        let before = std::mem::take(&mut self.links_drawn);
        let mut redraw = Vec::new();
        let linking = self.hyperlinks.is_some();
        terminal.draw(|frame| {
            ui::render(&self.state, &mut self.cache, frame);
            if linking {
                redraw =
                    hyperlinks::cells_to_redraw(frame.buffer_mut(), self.cache.links(), &before);
            }
        })?;
        if let Some(out) = self.hyperlinks.as_mut() {
            hyperlinks::draw_links(terminal, out.as_mut(), &redraw)?;
            self.links_drawn = self.cache.links().to_vec();
        }
        self.slowest_frame = self.slowest_frame.max(started.elapsed());
        self.state.screen.view = self.cache.metrics();
        // Pictures the frame wanted and had not decoded: decoded off the loop.
        for path in self.cache.take_wanted_pictures() {
            let tx = self.tx.clone();
            tokio::task::spawn_blocking(move || {
                let image = crate::pictures::read_for_screen(&path).map(std::sync::Arc::new);
                let _ = tx.send(Msg::PictureDecoded { path, image });
            });
        }
        // Messages still to lay out (a long resumed conversation), or code coloured before the
        // syntax definitions loaded: another frame soon.
        self.dirty = self.cache.pending();
        self.last_draw = Some(Instant::now());
        self.frames += 1;
        Ok(())
    }

    /// Applies one message and runs the effects it asks for.
    pub(crate) fn handle(&mut self, msg: Msg) {
        self.dirty = true;
        // The view's own news: pixels for its picture cache.
        let msg = match msg {
            Msg::PictureDecoded { path, image } => {
                self.cache.picture_decoded(&path, image);
                return;
            }
            other => other,
        };
        let connected = matches!(msg, Msg::Connected(Ok(_)));
        let opened = matches!(&msg, Msg::Session(WriterNews::Loaded(result)) if result.is_ok());
        let effects = update(&mut self.state, msg);
        if opened {
            // Everything on screen came from the file.
            self.recorder = Recorder::adopt(&self.state);
        }
        for effect in effects {
            self.run_effect(effect);
        }
        if connected {
            for spec in std::mem::take(&mut self.queued) {
                self.start(spec);
            }
        }
    }

    fn connected(&mut self, result: Result<Connection, BedrockError>) -> Msg {
        match result {
            Ok(connection) => {
                let config = connection.client.config();
                let info = ConnectionInfo {
                    description: if connection.emulator.is_some() {
                        "emulator".to_string()
                    } else {
                        connection.description.clone()
                    },
                    region: config.region.clone(),
                    emulator: connection.emulator.is_some(),
                    fallback_reason: connection.fallback_reason.clone(),
                };
                self.connection = Some(connection);
                Msg::Connected(Ok(info))
            }
            Err(e) => {
                self.queued.clear();
                Msg::Connected(Err(
                    crate::text::sanitize_for_terminal(&e.to_string()).into_owned()
                ))
            }
        }
    }
}

/// The message of a terminal event; `None` for events the app ignores.
pub(crate) fn msg_of(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) => Some(Msg::Key(key)),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Mouse(mouse) => Some(Msg::Mouse(mouse)),
        Event::Resize(_, _) => Some(Msg::Resize),
        Event::FocusGained | Event::FocusLost => None,
    }
}
