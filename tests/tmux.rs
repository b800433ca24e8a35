//! The real binary in a real terminal: `bedrock-tui` runs in a tmux pane against
//! `bedrock-tui emulator`, a prompt is typed with `send-keys` and the screen is read back with
//! `capture-pane`. Without tmux the test says so and passes, unless
//! `BEDROCK_TUI_REQUIRE_TMUX=1` (set by `.ci/run`, which installs tmux).
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_bedrock-tui");
const MODEL: &str = "global.anthropic.claude-haiku-4-5-20251001-v1:0";

/// A private tmux server (its own socket), killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    /// A tmux server of its own with one 100x30 session running the launcher.
    fn start(name: &str, home: &Path, exports: &[(String, String)]) -> Tmux {
        Tmux::start_with(name, home, exports, "")
    }

    /// `start`, with more arguments for the chat.
    fn start_with(name: &str, home: &Path, exports: &[(String, String)], args: &str) -> Tmux {
        let tmux = Tmux {
            socket: format!("bedrock-tui-test-{}-{name}", std::process::id()),
        };
        let script = launcher(home, exports, args);
        tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "chat",
            "-x",
            "100",
            "-y",
            "30",
            "sh",
            &script.to_string_lossy(),
        ]);
        tmux
    }

    /// The pid of the program the launcher runs.
    fn chat_pid(&self) -> u32 {
        let shell = self.display("#{pane_pid}");
        let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"))
            .expect("the launcher's children");
        children
            .split_whitespace()
            .next()
            .and_then(|pid| pid.parse().ok())
            .expect("the chat runs under the launcher")
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.args(["-L", &self.socket, "-f", "/dev/null"]);
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        // A key sent on its own comes a moment after what was typed before it, as a person's
        // would: input that arrives within milliseconds of other input is a paste to the chat.
        if args.first() == Some(&"send-keys") && !args.contains(&"-l") {
            std::thread::sleep(Duration::from_millis(60));
        }
        let out = self.command().args(args).output().expect("tmux runs");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn capture(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "chat"]).stdout)
            .into_owned()
    }

    fn display(&self, format: &str) -> String {
        String::from_utf8_lossy(
            &self
                .run(&["display-message", "-p", "-t", "chat", format])
                .stdout,
        )
        .trim()
        .to_string()
    }

    /// Polls the screen until `done` holds, or panics with the screen after 20 s.
    fn wait_for(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.capture();
            if done(&screen) {
                return screen;
            }
            assert!(
                Instant::now() <= deadline,
                "timed out waiting for {what}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.command().arg("kill-server").output();
    }
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Starts `bedrock-tui emulator` and returns it with the `export` lines it prints.
fn start_emulator(home: &Path) -> (Server, Vec<(String, String)>) {
    let mut child = Command::new(BIN)
        .env_clear()
        .env("HOME", home)
        .args(["emulator", "--port", "0", "--tokens-per-second", "300"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("emulator starts");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let mut exports = Vec::new();
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line.expect("emulator output");
        if let Some((name, value)) = line.strip_prefix("export ").and_then(|l| l.split_once('=')) {
            exports.push((name.to_string(), value.to_string()));
        }
        if exports.len() == 6 {
            break;
        }
    }
    assert_eq!(exports.len(), 6, "the emulator printed its exports");
    // Keep reading, so that the emulator never writes into a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (server, exports)
}

/// A shell script that sets a clean environment, runs the chat and then reports how it
/// ended, so the pane outlives the program and shows the terminal it left behind.
fn launcher(home: &Path, exports: &[(String, String)], args: &str) -> PathBuf {
    let mut script = String::from("#!/bin/sh\n");
    let mut set = |name: &str, value: &str| {
        script.push_str(&format!(
            "export {name}='{}'\n",
            value.replace('\'', "'\\''")
        ));
    };
    set("HOME", &home.to_string_lossy());
    set("XDG_CONFIG_HOME", &home.join("config").to_string_lossy());
    set("XDG_DATA_HOME", &home.join("data").to_string_lossy());
    set("BEDROCK_TUI_DATA_DIR", &home.join("data").to_string_lossy());
    set("AWS_CONFIG_FILE", &home.join("no-config").to_string_lossy());
    set(
        "AWS_SHARED_CREDENTIALS_FILE",
        &home.join("no-credentials").to_string_lossy(),
    );
    set("AWS_EC2_METADATA_DISABLED", "true");
    for (name, value) in exports {
        set(name, value);
    }
    script.push_str(&format!(
        "'{BIN}' --model '{MODEL}' {args}\nstatus=$?\n\
         echo \"tty modes: $(stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' ')\"\n\
         echo \"bedrock-tui exited with $status\"\nsleep 60\n"
    ));
    let path = home.join("launch.sh");
    std::fs::write(&path, script).expect("write the launcher");
    path
}

#[test]
fn the_real_binary_chats_in_tmux_and_restores_the_terminal() {
    if skip_without_tmux() {
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let (_server, exports) = start_emulator(home.path());
    // The answer the emulator gives this prompt, as `ask` prints it.
    let prompt = "How do streams arrive in a terminal? [[emulator:tokens=30]]";
    let asked = Command::new(BIN)
        .env_clear()
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", home.path().join("no-config"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(exports.iter().map(|(n, v)| (n, v)))
        .args(["ask", "--model", MODEL, prompt])
        .output()
        .expect("ask runs");
    assert!(
        asked.status.success(),
        "{}",
        String::from_utf8_lossy(&asked.stderr)
    );
    // The chat renders the markdown that `ask` prints as it came.
    let answer = String::from_utf8_lossy(&asked.stdout).replace(['*', '`'], "");
    let first_words: String = answer
        .split_whitespace()
        .take(4)
        .collect::<Vec<_>>()
        .join(" ");

    let tmux = Tmux::start("chat", home.path(), &exports);
    let endpoint = &exports[0].1;
    let port = endpoint.rsplit(':').next().unwrap_or_default();
    let screen = tmux.wait_for("the first frame", |s| s.contains("IDLE"));
    assert!(screen.contains("Claude Haiku 4.5"), "{screen}");
    assert!(
        screen.contains(port) && !screen.contains("built-in emulator"),
        "the status bar names the endpoint it talks to: {screen}"
    );
    assert_eq!(
        tmux.display("#{alternate_on}"),
        "1",
        "the chat uses the alternate screen"
    );

    tmux.run(&["send-keys", "-t", "chat", "-l", prompt]);
    tmux.run(&["send-keys", "-t", "chat", "Enter"]);
    let screen = tmux.wait_for("the streamed answer", |s| {
        s.contains(&first_words) && s.contains("IDLE")
    });
    assert!(screen.contains(prompt), "{screen}");
    assert!(screen.contains(" in · "), "per-turn figures: {screen}");

    // A fault marker shows the exception inline, where it happened.
    tmux.run(&[
        "send-keys",
        "-t",
        "chat",
        "-l",
        "once more [[fault:throttling after=3]]",
    ]);
    tmux.run(&["send-keys", "-t", "chat", "Enter"]);
    let screen = tmux.wait_for("the inline exception", |s| {
        s.contains("ThrottlingException") && s.contains("ERROR")
    });
    assert!(
        screen.contains("retries"),
        "a one-key retry is offered: {screen}"
    );

    // Enter while an answer streams queues the prompt; it goes when the answer ends. (The
    // failed answer above is not sent, so its prompt goes with this one: `[[fault:none]]`.)
    tmux.run(&[
        "send-keys",
        "-t",
        "chat",
        "-l",
        "a longer one [[emulator:tokens=900]] [[fault:none]]",
    ]);
    tmux.run(&["send-keys", "-t", "chat", "Enter"]);
    tmux.wait_for("the stream", |s| s.contains("STREAMING"));
    tmux.run(&[
        "send-keys",
        "-t",
        "chat",
        "-l",
        "then this [[emulator:tokens=5]]",
    ]);
    tmux.run(&["send-keys", "-t", "chat", "Enter"]);
    tmux.wait_for("the queued prompt", |s| s.contains("queued: sent when"));
    let screen = tmux.wait_for("the queued prompt to be sent and answered", |s| {
        s.contains("You") && s.contains("then this") && s.contains("IDLE") && !s.contains("queued")
    });
    assert!(!screen.contains("STREAMING"), "{screen}");

    // Ctrl+C while an answer streams cancels it (the chat stays).
    tmux.run(&[
        "send-keys",
        "-t",
        "chat",
        "-l",
        "a very long one [[emulator:tokens=6000]]",
    ]);
    tmux.run(&["send-keys", "-t", "chat", "Enter"]);
    tmux.wait_for("the long stream", |s| s.contains("STREAMING"));
    tmux.run(&["send-keys", "-t", "chat", "C-c"]);
    let screen = tmux.wait_for("the cancel", |s| s.contains("■ cancelled"));
    assert!(!screen.contains("bedrock-tui exited"), "{screen}");

    // Ctrl+C twice quits and leaves the terminal as it was.
    tmux.run(&["send-keys", "-t", "chat", "C-c"]);
    tmux.run(&["send-keys", "-t", "chat", "C-c"]);
    let screen = tmux.wait_for("the program to exit", |s| {
        s.contains("bedrock-tui exited with")
    });
    assert!(screen.contains("bedrock-tui exited with 0"), "{screen}");
    assert_terminal_restored(&tmux, &screen);
    assert!(
        !screen.contains("IDLE"),
        "the chat screen is gone after quitting: {screen}"
    );
    // How to come back to it.
    assert!(
        screen.contains("is saved: bedrock-tui --resume "),
        "{screen}"
    );
}

#[test]
fn sigterm_in_the_middle_of_a_stream_restores_the_terminal() {
    if skip_without_tmux() {
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let (_server, exports) = start_emulator(home.path());
    let tmux = Tmux::start("term", home.path(), &exports);
    tmux.wait_for("the first frame", |s| s.contains("IDLE"));
    // 300 tokens/s: a 3,000-token answer is still streaming when the signal comes.
    tmux.run(&[
        "send-keys",
        "-t",
        "chat",
        "-l",
        "a long one [[emulator:tokens=3000]]",
    ]);
    tmux.run(&["send-keys", "-t", "chat", "Enter"]);
    tmux.wait_for("the stream", |s| s.contains("STREAMING"));
    let pid = tmux.chat_pid();
    let killed = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let screen = tmux.wait_for("the program to exit", |s| {
        s.contains("bedrock-tui exited with")
    });
    assert!(!screen.contains("STREAMING"), "{screen}");
    assert_terminal_restored(&tmux, &screen);
}

/// The chat left the terminal as it found it: main screen, no mouse reporting, a visible
/// cursor, line mode and echo (the launcher prints the tty modes after the chat exits).
fn assert_terminal_restored(tmux: &Tmux, screen: &str) {
    assert_eq!(
        tmux.display("#{alternate_on}"),
        "0",
        "the alternate screen is left"
    );
    assert_eq!(
        tmux.display("#{mouse_any_flag}"),
        "0",
        "mouse reporting is off"
    );
    assert_eq!(tmux.display("#{cursor_flag}"), "1", "the cursor is visible");
    assert!(
        screen.contains("tty modes: icanon echo"),
        "raw mode is off again: {screen}"
    );
}

fn skip_without_tmux() -> bool {
    if tmux_available() {
        return false;
    }
    assert!(
        std::env::var_os("BEDROCK_TUI_REQUIRE_TMUX").is_none(),
        "BEDROCK_TUI_REQUIRE_TMUX is set but tmux is not installed"
    );
    eprintln!("tmux is not installed: the end-to-end terminal test is skipped");
    true
}

/// `bedrock-tui ask` against the emulator, with the test's data directory.
fn ask(home: &Path, exports: &[(String, String)], args: &[&str]) -> Output {
    Command::new(BIN)
        .env_clear()
        .env("HOME", home)
        .env("BEDROCK_TUI_DATA_DIR", home.join("data"))
        .env("AWS_CONFIG_FILE", home.join("no-config"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(exports.iter().map(|(n, v)| (n, v)))
        .arg("ask")
        .args(args)
        .output()
        .expect("ask runs")
}

#[test]
fn resume_continues_a_saved_conversation_and_sigkill_keeps_the_partial_answer() {
    use bedrock_tui::transcript::{EndStatus, store};
    if skip_without_tmux() {
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let (_server, exports) = start_emulator(home.path());
    let first = ask(
        home.path(),
        &exports,
        &[
            "--session",
            "new",
            "Saved from a script [[emulator:tokens=20]]",
        ],
    );
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let sessions = home.path().join("data/sessions");
    let path = store::list(&sessions).expect("list")[0].path.clone();

    let tmux = Tmux::start_with("resume", home.path(), &exports, "--resume");
    let screen = tmux.wait_for("the resumed conversation", |s| {
        s.contains("Saved from a script") && s.contains("IDLE")
    });
    assert!(screen.contains("opened"), "{screen}");
    // A long answer at 300 tokens/s, killed with SIGKILL while it streams.
    tmux.run(&[
        "send-keys",
        "-t",
        "chat",
        "-l",
        "Keep going [[emulator:tokens=3000]]",
    ]);
    tmux.run(&["send-keys", "-t", "chat", "Enter"]);
    tmux.wait_for("the stream", |s| s.contains("STREAMING"));
    std::thread::sleep(Duration::from_millis(300));
    let killed = Command::new("kill")
        .args(["-KILL", &tmux.chat_pid().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    tmux.wait_for("the launcher to notice", |s| {
        s.contains("bedrock-tui exited with")
    });

    let loaded = store::load(&path).expect("load");
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let t = loaded.transcript;
    assert_eq!(t.turns(), 2, "both prompts are in the one session");
    let cut = t.entries.last().expect("the answer");
    assert_eq!(
        cut.end.as_ref().map(|e| e.status),
        Some(EndStatus::Interrupted)
    );
    assert!(
        cut.text.len() > 20,
        "the partial answer is on disk: {:?}",
        cut.text
    );
    // The lock died with the process: the session can be continued at once.
    let again = ask(
        home.path(),
        &exports,
        &["--session", "last", "After the crash"],
    );
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}

#[test]
fn escape_sequences_from_the_model_never_reach_the_terminal_raw() {
    if skip_without_tmux() {
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let (_server, exports) = start_emulator(home.path());
    let tmux = Tmux::start("bytes", home.path(), &exports);
    tmux.wait_for("the first frame", |s| s.contains("IDLE"));
    // Every byte the chat writes to the terminal from here on goes to a file.
    let log = home.path().join("terminal-bytes");
    tmux.run(&[
        "pipe-pane",
        "-o",
        "-t",
        "chat",
        &format!("cat >> '{}'", log.display()),
    ]);
    tmux.run(&[
        "send-keys",
        "-t",
        "chat",
        "-l",
        "hostile text please [[emulator:hostile]]",
    ]);
    tmux.run(&["send-keys", "-t", "chat", "Enter"]);
    let screen = tmux.wait_for("the hostile answer", |s| {
        s.contains("Plain words last.") && s.contains("IDLE")
    });
    // Shown as symbols on screen...
    assert!(screen.contains("␛]52;c;aGFja2Vk␇"), "{screen}");
    assert!(screen.contains("␛[8;1;1t"), "{screen}");
    tmux.run(&["pipe-pane", "-t", "chat"]);
    let bytes = std::fs::read(&log).expect("the terminal bytes");
    assert!(
        bytes.len() > 1000,
        "the answer was drawn: {} bytes",
        bytes.len()
    );
    // ...and never sent as sequences: none of the model's sequences is in what the chat wrote.
    let find = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    for (name, sequence) in [
        ("OSC 52 clipboard write", &b"\x1b]52;"[..]),
        ("OSC 8 hyperlink", b"\x1b]8;"),
        ("DCS", b"\x1bP1$q"),
        ("window resize", b"\x1b[8;1;1t"),
        ("C1 CSI", "\u{9b}".as_bytes()),
        ("backspace", b"\x08"),
        ("bell", b"\x07"),
    ] {
        assert!(!find(sequence), "{name} reached the terminal");
    }
    assert!(
        find("␛]52;c;aGFja2Vk␇".as_bytes()),
        "the stand-ins were drawn"
    );
}

#[test]
fn the_chat_connects_again_once_credentials_appear() {
    if skip_without_tmux() {
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let (_server, exports) = start_emulator(home.path());
    let get = |name: &str| {
        exports
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    // The endpoint and region are set, the credentials are not there yet: the chat says it
    // cannot connect (it never answers from the built-in emulator on an AWS-configured machine).
    let credentials = home.path().join("credentials");
    let setup = vec![
        (
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME".to_string(),
            get("AWS_ENDPOINT_URL_BEDROCK_RUNTIME"),
        ),
        (
            "AWS_ENDPOINT_URL_BEDROCK".to_string(),
            get("AWS_ENDPOINT_URL_BEDROCK"),
        ),
        ("AWS_REGION".to_string(), "us-east-1".to_string()),
        (
            "AWS_SHARED_CREDENTIALS_FILE".to_string(),
            credentials.to_string_lossy().into_owned(),
        ),
    ];
    let tmux = Tmux::start_with("reconnect", home.path(), &setup, "--no-save");
    let screen = tmux.wait_for("the failed connection", |s| s.contains("cannot connect"));
    assert!(screen.contains("no AWS credentials found"), "{screen}");
    assert!(!screen.contains("built-in Bedrock emulator"), "{screen}");
    // `aws configure` in another terminal, then the next prompt connects and is answered.
    std::fs::write(
        &credentials,
        format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\naws_session_token = {}\n",
            get("AWS_ACCESS_KEY_ID"),
            get("AWS_SECRET_ACCESS_KEY"),
            get("AWS_SESSION_TOKEN")
        ),
    )
    .expect("write credentials");
    tmux.run(&[
        "send-keys",
        "-t",
        "chat",
        "-l",
        "Hello again [[emulator:tokens=12]]",
    ]);
    tmux.run(&["send-keys", "-t", "chat", "Enter"]);
    let screen = tmux.wait_for("the answer", |s| {
        s.contains("12 tokens") && s.contains("IDLE")
    });
    assert!(screen.contains("Hello again"), "{screen}");
    tmux.run(&["send-keys", "-t", "chat", "C-c"]);
    tmux.run(&["send-keys", "-t", "chat", "C-c"]);
    tmux.wait_for("the program to exit", |s| {
        s.contains("bedrock-tui exited with 0")
    });
}

#[test]
fn a_paste_without_bracketed_paste_sends_nothing_until_enter() {
    if skip_without_tmux() {
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let (_server, exports) = start_emulator(home.path());
    let tmux = Tmux::start_with("paste", home.path(), &exports, "--no-save");
    tmux.wait_for("the first frame", |s| s.contains("IDLE"));
    // Keys, not a bracketed paste: 240 lines, each ended by Enter (CR), written at once, as a
    // terminal without bracketed paste (or tmux without `-p`) sends a pasted text. Longer than
    // the terminal's buffer, so it is read in pieces, and all of it arrives without more keys.
    let pasted = (1..=240).fold(String::new(), |mut pasted, n| {
        pasted.push_str(&format!("pasted line {n} [[emulator:tokens=5]]\r"));
        pasted
    });
    assert!(pasted.len() > 8192);
    tmux.run(&["send-keys", "-t", "chat", "-l", &pasted]);
    let screen = tmux.wait_for("the whole paste in the editor", |s| s.contains("241 lines"));
    std::thread::sleep(Duration::from_millis(300));
    let screen_after = tmux.capture();
    assert!(
        screen_after.contains("No messages yet") && screen_after.contains("IDLE"),
        "a prompt was sent from inside the paste:\n{screen_after}\n{screen}"
    );
    // The user's own Enter sends it, once.
    tmux.run(&["send-keys", "-t", "chat", "BSpace"]);
    tmux.run(&["send-keys", "-t", "chat", "Enter"]);
    let screen = tmux.wait_for("the answer", |s| {
        s.contains("5 tokens") && s.contains("IDLE")
    });
    assert_eq!(
        screen.matches("▌ Claude Haiku 4.5").count(),
        1,
        "one answer: {screen}"
    );
    assert!(
        screen.contains("a long prompt: 240 lines"),
        "all of it was sent: {screen}"
    );
}

#[test]
fn the_prompt_opens_in_the_editor_and_comes_back_edited() {
    if skip_without_tmux() {
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let (_server, mut exports) = start_emulator(home.path());
    // An "editor" that appends a line and notes what it was given and whether secrets reached it.
    let editor = home.path().join("editor.sh");
    let seen = home.path().join("seen.txt");
    std::fs::write(
        &editor,
        format!(
            "#!/bin/sh\nprintf '%s|%s' \"$(cat \"$1\")\" \"${{AWS_SECRET_ACCESS_KEY:-none}}\" > '{}'\nprintf '\\nfrom the editor [[emulator:tokens=4]]\\n' >> \"$1\"\n",
            seen.display()
        ),
    )
    .expect("write the editor");
    std::process::Command::new("chmod")
        .args(["+x", &editor.to_string_lossy()])
        .status()
        .expect("chmod");
    exports.push(("EDITOR".to_string(), editor.to_string_lossy().into_owned()));
    let tmux = Tmux::start_with("editor", home.path(), &exports, "--no-save");
    tmux.wait_for("the first frame", |s| s.contains("IDLE"));
    tmux.run(&["send-keys", "-t", "chat", "-l", "from the chat"]);
    tmux.run(&["send-keys", "-t", "chat", "C-x"]);
    tmux.run(&["send-keys", "-t", "chat", "C-e"]);
    let screen = tmux.wait_for("the edited prompt", |s| s.contains("from the editor"));
    assert!(screen.contains("from the chat"), "{screen}");
    assert_eq!(
        tmux.display("#{alternate_on}"),
        "1",
        "the chat took the screen back"
    );
    let seen = std::fs::read_to_string(&seen).expect("the editor ran");
    assert_eq!(
        seen, "from the chat|none",
        "the editor got the prompt and no secrets"
    );
    // Typing still works after the editor, and the edited prompt is sent.
    tmux.run(&["send-keys", "-t", "chat", "Enter"]);
    let screen = tmux.wait_for("the answer", |s| {
        s.contains("4 tokens") && s.contains("IDLE")
    });
    assert!(screen.contains("from the editor"), "{screen}");
}

#[test]
fn resume_with_nothing_saved_starts_a_new_conversation() {
    if skip_without_tmux() {
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let (_server, exports) = start_emulator(home.path());
    let tmux = Tmux::start_with("resume-none", home.path(), &exports, "--resume");
    let screen = tmux.wait_for("the first frame", |s| s.contains("IDLE"));
    assert!(
        screen.contains("no saved conversation to resume yet"),
        "{screen}"
    );
}

/// Bytes as `send-keys -H` takes them: each as two hex digits.
fn hex(bytes: &[u8]) -> Vec<String> {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn shift_enter_makes_a_newline_in_the_forms_terminals_send() {
    if skip_without_tmux() {
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let (_server, exports) = start_emulator(home.path());
    let tmux = Tmux::start_with("shift-enter", home.path(), &exports, "--no-save");
    tmux.wait_for("the first frame", |s| s.contains("IDLE"));
    // xterm's modifyOtherKeys form (also tmux's `extended-keys-format xterm`), then kitty's.
    for (line, shift_enter) in [
        ("first line", "\x1b[27;2;13~"),
        ("second line", "\x1b[13;2u"),
    ] {
        tmux.run(&["send-keys", "-t", "chat", "-l", line]);
        let mut args = vec!["send-keys", "-t", "chat", "-H"];
        let bytes = hex(shift_enter.as_bytes());
        args.extend(bytes.iter().map(String::as_str));
        tmux.run(&args);
    }
    // The xterm form again, cut in two writes (two tmux commands, some milliseconds apart), as
    // a slow link may deliver it: the reader waits 40 ms for the rest of a sequence.
    tmux.run(&["send-keys", "-t", "chat", "-l", "third line"]);
    let (head, tail) = "\x1b[27;2;13~".split_at(5);
    for part in [head, tail] {
        let bytes = hex(part.as_bytes());
        let mut send = tmux.command();
        send.args(["send-keys", "-t", "chat", "-H"]).args(&bytes);
        assert!(send.output().expect("tmux runs").status.success());
    }
    tmux.run(&[
        "send-keys",
        "-t",
        "chat",
        "-l",
        "fourth line [[emulator:tokens=3]]",
    ]);
    let screen = tmux.wait_for("four lines in the prompt", |s| s.contains("fourth line"));
    let lines: Vec<&str> = screen.lines().collect();
    let rows: Vec<Option<usize>> = ["first line", "second line", "third line", "fourth line"]
        .iter()
        .map(|text| lines.iter().position(|l| l.contains(text)))
        .collect();
    assert!(
        rows.windows(2)
            .all(|pair| matches!(pair, [Some(a), Some(b)] if a < b)),
        "each Shift+Enter is a newline, nothing is sent:\n{screen}"
    );
    assert!(screen.contains("No messages yet"), "{screen}");
    tmux.run(&["send-keys", "-t", "chat", "Enter"]);
    let screen = tmux.wait_for("the answer", |s| {
        s.contains("3 tokens") && s.contains("IDLE")
    });
    assert_eq!(
        screen.matches("▌ Claude Haiku 4.5").count(),
        1,
        "one prompt: {screen}"
    );
}

#[test]
fn a_tool_call_too_long_to_show_is_read_in_the_pager_before_it_runs() {
    if skip_without_tmux() {
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let (_server, mut exports) = start_emulator(home.path());
    let config = home.path().join("config.toml");
    std::fs::write(&config, "[tools]\nbuiltin = [\"run_shell\"]\n").expect("config");
    // A "pager" that keeps what it was shown.
    let seen = home.path().join("seen.txt");
    let pager = home.path().join("pager.sh");
    std::fs::write(
        &pager,
        format!("#!/bin/sh\ncp \"$1\" '{}'\n", seen.display()),
    )
    .expect("write the pager");
    Command::new("chmod")
        .args(["+x", &pager.to_string_lossy()])
        .status()
        .expect("chmod");
    exports.push(("PAGER".into(), pager.to_string_lossy().into_owned()));
    exports.push((
        "BEDROCK_TUI_CONFIG".into(),
        config.to_string_lossy().into_owned(),
    ));
    let touched = home.path().join("touched");
    let command = format!("{}touch '{}'", "true\n".repeat(6_000), touched.display());
    let prompt = format!(
        "Run it [[emulator:tool=run_shell {}]]",
        serde_json::json!({ "command": command })
    );
    let buffer = home.path().join("prompt.txt");
    std::fs::write(&buffer, &prompt).expect("the prompt");
    let tmux = Tmux::start_with("pager", home.path(), &exports, "--no-save");
    tmux.wait_for("the first frame", |s| s.contains("IDLE"));
    tmux.run(&["load-buffer", "-b", "prompt", &buffer.to_string_lossy()]);
    tmux.run(&["paste-buffer", "-p", "-b", "prompt", "-t", "chat"]);
    tmux.run(&["send-keys", "-t", "chat", "Enter"]);
    tmux.wait_for("the question", |s| s.contains("only its start is shown"));
    std::thread::sleep(Duration::from_millis(700));
    tmux.run(&["send-keys", "-t", "chat", "y"]);
    tmux.wait_for("the refusal", |s| {
        s.contains("read the whole call before it runs")
    });
    assert!(!touched.exists());
    tmux.run(&["send-keys", "-t", "chat", "v"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !seen.exists() {
        assert!(Instant::now() < deadline, "the pager never ran");
        std::thread::sleep(Duration::from_millis(50));
    }
    let shown = std::fs::read_to_string(&seen).expect("what the pager showed");
    assert!(shown.starts_with("$ true\n"), "{}", &shown[..40]);
    assert_eq!(shown.lines().filter(|l| *l == "true").count(), 5_999);
    assert!(shown.contains("touch"), "the pager showed it whole");
    tmux.wait_for("the question again", |s| {
        s.contains("The model asks to run")
    });
    std::thread::sleep(Duration::from_millis(700));
    tmux.run(&["send-keys", "-t", "chat", "y"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !touched.exists() {
        assert!(
            Instant::now() < deadline,
            "the call did not run: {}",
            tmux.capture()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_program_typing_a_prompt_and_enter_sends_it_and_the_escape_wait_is_set_in_config() {
    if skip_without_tmux() {
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let (_server, mut exports) = start_emulator(home.path());
    let config = home.path().join("config.toml");
    std::fs::write(&config, "[input]\nescape_wait_ms = 400\n").expect("config");
    exports.push((
        "BEDROCK_TUI_CONFIG".into(),
        config.to_string_lossy().into_owned(),
    ));
    let tmux = Tmux::start_with("burst", home.path(), &exports, "--no-save");
    tmux.wait_for("the first frame", |s| s.contains("IDLE"));
    // One tmux command: the text and the Enter arrive together, as from vim-slime.
    tmux.run(&[
        "send-keys",
        "-t",
        "chat",
        "-l",
        "typed by a program [[emulator:tokens=4]]",
        ";",
        "send-keys",
        "-t",
        "chat",
        "Enter",
    ]);
    let screen = tmux.wait_for("the answer", |s| {
        s.contains("4 tokens") && s.contains("IDLE")
    });
    assert!(screen.contains("typed by a program"), "{screen}");
    // With a 400 ms wait, an Esc and a key 100 ms later are Alt and that key: no `q` is typed.
    tmux.run(&["send-keys", "-t", "chat", "Escape"]);
    std::thread::sleep(Duration::from_millis(100));
    tmux.run(&["send-keys", "-t", "chat", "-l", "q"]);
    tmux.run(&["send-keys", "-t", "chat", "-l", "z"]);
    let screen = tmux.wait_for("the z", |s| s.contains("│z ") || s.contains("│qz"));
    assert!(
        !screen.contains("│qz"),
        "the Esc and q were read as two keys: {screen}"
    );
}
