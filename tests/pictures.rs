//! Pictures of image models and hyperlinks in the chat, through a real pseudo-terminal
//! (`script`): the test plays the terminal. When it answers the kitty graphics query, the
//! picture is sent with the kitty protocol; when it answers only the device attributes, the
//! picture is drawn with colour half blocks. The built-in emulator makes a real PNG; it is
//! saved privately and its Markdown is in the answer. Links are OSC 8 hyperlinks when asked
//! for, web URLs only.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_bedrock-tui");

/// The chat in a pseudo-terminal, and everything it wrote.
struct Chat {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    output: Arc<Mutex<Vec<u8>>>,
    data: tempfile::TempDir,
}

impl Chat {
    fn start() -> Chat {
        Chat::start_with("--model amazon.titan-image-generator-v2:0", "")
    }

    /// The chat with more arguments and this config file.
    fn start_with(args: &str, config: &str) -> Chat {
        Chat::start_sized(args, config, (100, 40))
    }

    /// The chat in a terminal of `size` columns and rows.
    fn start_sized(args: &str, config: &str, size: (u16, u16)) -> Chat {
        let data = tempfile::tempdir().unwrap();
        let config_file = data.path().join("config.toml");
        std::fs::write(&config_file, config).unwrap();
        let mut child = Command::new("script")
            .args([
                "-qfec",
                &format!(
                    "stty rows {} cols {}; exec '{BIN}' --config '{}' --demo --no-save {args}",
                    size.1,
                    size.0,
                    config_file.display()
                ),
                "/dev/null",
            ])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("TERM", "xterm-256color")
            .env("HOME", data.path())
            .env("BEDROCK_TUI_DATA_DIR", data.path().join("data"))
            .env("BEDROCK_TUI_DEMO_TPS", "0")
            .env("AWS_CONFIG_FILE", data.path().join("no-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                data.path().join("no-credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("script (util-linux) runs the chat in a pseudo-terminal");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let output = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&output);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 16384];
            while let Ok(n) = stdout.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buffer[..n]);
            }
        });
        Chat {
            child,
            stdin,
            output,
            data,
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
    }

    fn wait_for(&self, what: &str, found: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let text = self.text();
            if found(&text) {
                return text;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "waited for {what}; the chat wrote {:?}",
                &text[text.len().saturating_sub(3000)..]
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn write(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Plays the terminal's part: `answer` to the graphics query, then `prompt` typed and
    /// sent; returns the output once `done` shows, and a moment more.
    fn ask(&mut self, answer: &[u8], prompt: &str, done: &str) -> String {
        self.wait_for("the graphics query", |t| t.contains("\x1b_Gi=31,s=1"));
        self.write(answer);
        self.wait_for("the first frame", |t| {
            t.contains("IDLE") || t.contains("CONNECTING")
        });
        self.wait_for("the connection", |t| t.contains("IDLE"));
        self.write(prompt.as_bytes());
        std::thread::sleep(Duration::from_millis(150));
        self.write(b"\r");
        self.wait_for(done, |t| t.contains(done));
        // What goes with it is written in the same frame; give the write a moment.
        std::thread::sleep(Duration::from_millis(300));
        self.text()
    }

    fn ask_for_a_picture(&mut self, answer: &[u8]) -> String {
        self.ask(answer, "a red fox in the snow", "picture 1:")
    }

    /// The picture file the chat saved.
    fn saved_picture(&self) -> std::path::PathBuf {
        let dir = self.data.path().join("data").join("images");
        let entry = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .next()
            .expect("a picture saved")
            .unwrap();
        entry.path()
    }
}

impl Drop for Chat {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_terminal_that_answers_the_kitty_query_gets_the_picture_in_the_kitty_protocol() {
    let mut chat = Chat::start();
    let output = chat.ask_for_a_picture(b"\x1b_Gi=31;OK\x1b\\\x1b[6;20;10t\x1b[?62;22c");
    let after_prompt = &output[output.find("picture 1:").unwrap_or(0)..];
    assert!(
        output.contains("a=T,U=1"),
        "a kitty transmission: {:?}",
        &after_prompt[..after_prompt.len().min(400)]
    );
    let picture = chat.saved_picture();
    let bytes = std::fs::read(&picture).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&picture).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn a_terminal_without_graphics_gets_half_blocks() {
    let mut chat = Chat::start();
    let output = chat.ask_for_a_picture(b"\x1b[?62;22c");
    let after = &output[output.find("picture 1:").unwrap_or(0)..];
    assert!(
        after.contains('▀'),
        "half blocks drawn: {:?}",
        &after[..after.len().min(400)]
    );
    assert!(!output.contains("a=T,U=1"), "no kitty transmission");
    assert!(chat.saved_picture().is_file());
}

#[test]
fn links_are_hyperlinks_when_asked_for_and_only_web_ones() {
    let mut chat = Chat::start_with("", "[display]\nhyperlinks = \"always\"\n");
    let output = chat.ask(
        b"\x1b[?62;22c",
        "see [the docs](https://example.com/docs) or [this](javascript:alert(1)) [[emulator:echo]]",
        "finished",
    );
    assert!(
        output.contains("\x1b]8;;https://example.com/docs\x1b\\"),
        "an OSC 8 link: {:?}",
        &output[output.len().saturating_sub(2000)..]
    );
    assert!(output.contains("\x1b]8;;\x1b\\"), "closed");
    assert!(!output.contains("\x1b]8;;javascript"), "no script link");
}

#[test]
fn links_are_plain_text_when_not_asked_for() {
    let mut chat = Chat::start_with("", "[display]\nhyperlinks = \"never\"\n");
    let output = chat.ask(
        b"\x1b[?62;22c",
        "see [the docs](https://example.com/docs) [[emulator:echo]]",
        "finished",
    );
    assert!(output.contains("example.com/docs"), "the URL is shown");
    assert!(!output.contains("\x1b]8;;"), "no OSC 8");
}

#[test]
fn keys_typed_before_the_terminal_answers_are_kept() {
    let mut chat = Chat::start();
    chat.wait_for("the graphics query", |t| t.contains("\x1b_Gi=31,s=1"));
    // Typed while the chat waits for the terminal's answer, and right after it in one read.
    chat.write(b"typed early");
    chat.write(b"\x1b_Gi=31;OK\x1b\\\x1b[6;20;10t\x1b[?62;22c and late");
    let output = chat.wait_for("the keys in the prompt", |t| {
        t.contains("typed early and late")
    });
    assert!(
        !output.contains("Gi=31;OK") && !output.contains("62;22c"),
        "the answers are not typed into the prompt"
    );
}

#[test]
fn a_picture_fits_a_small_terminal() {
    // At 80x24 the transcript has 19 rows: a picture 20 rows tall was never drawn.
    let mut chat = Chat::start_sized("--model amazon.titan-image-generator-v2:0", "", (80, 24));
    let output = chat.ask_for_a_picture(b"\x1b[?62;22c");
    let after = &output[output.find("picture 1:").unwrap_or(0)..];
    assert!(
        after.contains('▀'),
        "half blocks drawn at 80x24: {:?}",
        &after[..after.len().min(400)]
    );
}
