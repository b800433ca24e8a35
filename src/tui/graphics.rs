//! What the terminal can draw pictures with, asked once when the chat starts: the kitty
//! graphics query, the cell size in pixels and the device attributes (sixel), read back with
//! a deadline and no reader left behind; keys typed meanwhile go on to the input reader.
//! `images` in config.toml overrides the answer.

use std::time::{Duration, Instant};

/// How pictures are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Graphics {
    /// Ask the terminal (the default).
    #[default]
    Auto,
    /// The kitty graphics protocol (kitty, Ghostty, WezTerm).
    Kitty,
    /// iTerm2's inline images (iTerm2, WezTerm, mintty).
    Iterm2,
    /// Sixel (foot, xterm -ti vt340, mlterm, Windows Terminal).
    Sixel,
    /// Unicode half blocks in colour: any terminal.
    Halfblocks,
    /// No pictures: their file's path only.
    Off,
}

impl Graphics {
    /// The name in config.toml.
    pub fn name(self) -> &'static str {
        match self {
            Graphics::Auto => "auto",
            Graphics::Kitty => "kitty",
            Graphics::Iterm2 => "iterm2",
            Graphics::Sixel => "sixel",
            Graphics::Halfblocks => "halfblocks",
            Graphics::Off => "off",
        }
    }
}

/// What the terminal answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TerminalGraphics {
    /// The protocol to draw with (never `Auto`).
    pub protocol: Graphics,
    /// A cell's size in pixels, when the terminal said.
    pub cell: Option<(u16, u16)>,
}

/// The kitty graphics query (a 1x1 image that is only checked), the cell size in pixels, and
/// the primary device attributes, which every terminal answers: its answer ends the wait.
pub const QUERY: &str = "\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\\x1b[16t\x1b[c";

/// How long the terminal has to answer (a local terminal takes a millisecond; SSH its round
/// trip).
const DEADLINE: Duration = Duration::from_millis(400);

/// Reads what a terminal answered to [`QUERY`].
pub fn parse_answer(answer: &[u8], env_iterm2: bool) -> TerminalGraphics {
    let text = String::from_utf8_lossy(answer);
    let kitty = text.contains("\x1b_Gi=31;OK");
    let cell = text.find("\x1b[6;").and_then(|at| {
        let rest = &text[at + 4..];
        let end = rest.find('t')?;
        let (height, width) = rest[..end].split_once(';')?;
        Some((width.parse().ok()?, height.parse().ok()?))
    });
    let sixel = text.find("\x1b[?").is_some_and(|at| {
        let rest = &text[at + 3..];
        rest.find('c')
            .is_some_and(|end| rest[..end].split(';').any(|p| p == "4"))
    });
    let protocol = if kitty {
        Graphics::Kitty
    } else if env_iterm2 {
        Graphics::Iterm2
    } else if sixel {
        Graphics::Sixel
    } else {
        Graphics::Halfblocks
    };
    TerminalGraphics { protocol, cell }
}

/// Whether the environment names a terminal with iTerm2's inline images (they have no query).
fn iterm2_by_environment() -> bool {
    let program = std::env::var("TERM_PROGRAM").unwrap_or_default();
    let lc_terminal = std::env::var("LC_TERMINAL").unwrap_or_default();
    matches!(program.as_str(), "iTerm.app" | "WezTerm" | "mintty") || lc_terminal == "iTerm2"
}

/// Asks the terminal on stdin/stdout (in raw mode, before input is read) what it draws
/// pictures with; `choice` other than `Auto` is taken as it is.
pub fn detect(choice: Graphics) -> TerminalGraphics {
    // No pictures: nothing to ask.
    if choice == Graphics::Off {
        return TerminalGraphics {
            protocol: Graphics::Off,
            cell: None,
        };
    }
    if choice != Graphics::Auto {
        return TerminalGraphics {
            protocol: choice,
            cell: ask(DEADLINE).and_then(|answer| parse_answer(&answer, false).cell),
        };
    }
    match ask(DEADLINE) {
        Some(answer) => parse_answer(&answer, iterm2_by_environment()),
        None => TerminalGraphics {
            protocol: if iterm2_by_environment() {
                Graphics::Iterm2
            } else {
                Graphics::Halfblocks
            },
            cell: None,
        },
    }
}

/// Writes the query and reads the answer until the device attributes arrive or the deadline
/// passes; `None` when the terminal cannot be asked or said nothing. Everything read is handed
/// to the input reader too: keys typed meanwhile are not lost (the answers are skipped there).
#[cfg(unix)]
fn ask(deadline: Duration) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut stdout = std::io::stdout();
    stdout.write_all(QUERY.as_bytes()).ok()?;
    stdout.flush().ok()?;
    let mut answer = Vec::new();
    read_answer(deadline, &mut answer);
    super::input::read_ahead(&answer);
    (!answer.is_empty()).then_some(answer)
}

/// Reads into `answer` until the device attributes arrive, the deadline passes or the terminal
/// cannot be read.
#[cfg(unix)]
fn read_answer(deadline: Duration, answer: &mut Vec<u8>) {
    let started = Instant::now();
    let stdin = std::io::stdin();
    while let Some(left) = deadline.checked_sub(started.elapsed()) {
        let mut fds = [rustix::event::PollFd::new(
            &stdin,
            rustix::event::PollFlags::IN,
        )];
        match rustix::event::poll(&mut fds, Some(&super::input::timespec(left))) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let mut buffer = [0u8; 256];
        // Ready: the read does not block.
        match rustix::io::read(&stdin, &mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(read) => answer.extend_from_slice(&buffer[..read]),
        }
        if device_attributes_arrived(answer) {
            return;
        }
    }
}

#[cfg(not(unix))]
fn ask(_deadline: Duration) -> Option<Vec<u8>> {
    None
}

/// Whether the answer holds the device attributes (`ESC [ ? … c`), the last of the three.
fn device_attributes_arrived(answer: &[u8]) -> bool {
    answer.windows(3).enumerate().any(|(at, w)| {
        w == b"\x1b[?"
            && answer[at + 3..]
                .iter()
                .find(|b| !(b.is_ascii_digit() || **b == b';'))
                .is_some_and(|b| *b == b'c')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_terminals_answer() {
        let kitty = b"\x1b_Gi=31;OK\x1b\\\x1b[6;20;10t\x1b[?62;22c";
        assert_eq!(
            parse_answer(kitty, false),
            TerminalGraphics {
                protocol: Graphics::Kitty,
                cell: Some((10, 20))
            }
        );
        let foot = b"\x1b[6;17;8t\x1b[?62;4;22c";
        assert_eq!(parse_answer(foot, false).protocol, Graphics::Sixel);
        let plain = b"\x1b[?1;2c";
        assert_eq!(
            parse_answer(plain, false),
            TerminalGraphics {
                protocol: Graphics::Halfblocks,
                cell: None
            }
        );
        assert_eq!(parse_answer(plain, true).protocol, Graphics::Iterm2);
        assert!(device_attributes_arrived(b"x\x1b[?62;4c"));
        assert!(!device_attributes_arrived(b"\x1b[?62;4"));
        assert!(!device_attributes_arrived(b"\x1b_Gi=31;OK\x1b\\"));
    }
}
