//! The effects that do I/O for the loop: request tasks that report back over a channel with
//! their request id, and the clipboard (OSC 52, then a system clipboard command).

use super::state::ErrorInfo;
use super::{Msg, RequestSpec, StreamUpdate, WireUpdate};
use crate::bedrock::{BedrockError, Client, StreamEvent, WireLog};
use crate::models::StreamDecoder;
use base64::Engine;
use std::io::Write;
use std::time::Instant;
use tokio::sync::mpsc::UnboundedSender;

/// Runs one request and reports every step as `Msg::Stream` with its id. Text that already
/// arrived is never re-sent: a failure mid-stream ends the request.
pub async fn run_request(client: Client, spec: RequestSpec, tx: UnboundedSender<Msg>) {
    let id = spec.request_id;
    let send = |update: StreamUpdate| {
        // The loop has gone away: nothing left to report to.
        let _ = tx.send(Msg::Stream {
            request_id: id,
            update,
        });
    };
    let started = Instant::now();
    let options = spec.options.clone();
    let wire = WireLog::new();
    let sent = |update: WireUpdate| send(StreamUpdate::Wire(Box::new(update)));
    if !spec.stream {
        let result = client
            .invoke_logged(&spec.model, spec.body, &options, Some(&wire))
            .await;
        sent(WireUpdate::Sent(wire.requests()));
        match &result {
            Ok(response) => {
                sent(WireUpdate::Response(Box::new(response.meta.clone())));
                sent(WireUpdate::Body(response.body.clone()));
            }
            Err(e) => sent(WireUpdate::Failed(format!("{}: {e}", e.name()))),
        }
        let outcome = result.and_then(|response| {
            send(StreamUpdate::Started {
                first_byte: response.meta.first_byte,
            });
            let completion = spec
                .family
                .adapter()
                .parse_response(&response.body)
                .map_err(|e| BedrockError::MalformedResponse(e.to_string()))?;
            let mut delta = crate::models::ChunkDelta {
                text: completion.text,
                reasoning: completion.reasoning,
                stop_reason: completion.stop_reason,
                usage: completion.usage,
                metrics: None,
            };
            delta.usage.input_tokens = delta
                .usage
                .input_tokens
                .or(response.meta.metrics.input_tokens);
            delta.usage.output_tokens = delta
                .usage
                .output_tokens
                .or(response.meta.metrics.output_tokens);
            send(StreamUpdate::Delta {
                delta,
                elapsed: started.elapsed(),
            });
            Ok(())
        });
        send(match outcome {
            Ok(()) => StreamUpdate::Finished {
                elapsed: started.elapsed(),
            },
            Err(e) => StreamUpdate::Failed {
                error: ErrorInfo::from_error(&e, false),
                elapsed: started.elapsed(),
            },
        });
        return;
    }
    let result = client
        .invoke_stream_logged(&spec.model, spec.body, &options, Some(&wire))
        .await;
    sent(WireUpdate::Sent(wire.requests()));
    let mut stream = match result {
        Ok(stream) => {
            sent(WireUpdate::Response(Box::new(stream.meta.clone())));
            stream
        }
        Err(e) => {
            sent(WireUpdate::Failed(format!("{}: {e}", e.name())));
            send(StreamUpdate::Failed {
                error: ErrorInfo::from_error(&e, false),
                elapsed: started.elapsed(),
            });
            return;
        }
    };
    send(StreamUpdate::Started {
        first_byte: stream.meta.first_byte,
    });
    let mut decoder = StreamDecoder::new(spec.family);
    let failure = loop {
        let frame = match stream.next_frame().await {
            Ok(Some(frame)) => frame,
            Ok(None) => break None,
            Err(e) => break Some(e),
        };
        sent(WireUpdate::Frame(Box::new(
            crate::inspect::FrameRecord::from_frame(&frame),
        )));
        match frame.event {
            StreamEvent::Chunk(bytes) => match decoder.decode(&bytes) {
                Ok(delta) => send(StreamUpdate::Delta {
                    delta,
                    elapsed: frame.elapsed,
                }),
                Err(e) => break Some(BedrockError::MalformedResponse(e.to_string())),
            },
            StreamEvent::Unknown => {}
            other => {
                if let Some(error) = other.into_error() {
                    break Some(error);
                }
            }
        }
    };
    let rest = decoder.finish();
    if rest != crate::models::ChunkDelta::default() {
        send(StreamUpdate::Delta {
            delta: rest,
            elapsed: stream.elapsed(),
        });
    }
    if let Some(e) = &failure {
        sent(WireUpdate::Failed(format!("{}: {e}", e.name())));
    }
    send(match failure {
        None => StreamUpdate::Finished {
            elapsed: stream.elapsed(),
        },
        Some(e) => StreamUpdate::Failed {
            error: ErrorInfo::from_error(&e, true),
            elapsed: stream.elapsed(),
        },
    });
}

/// Where copied text goes.
pub trait Clipboard: Send {
    /// Copies `text`; the error says why it could not.
    fn copy(&mut self, text: &str) -> Result<(), String>;
}

/// The terminal's clipboard through OSC 52 (works over SSH and in tmux with
/// `set-clipboard on`), and the system clipboard through `wl-copy`, `xclip`, `xsel`,
/// `pbcopy` or `clip.exe` when one is installed.
#[derive(Debug, Default)]
pub struct SystemClipboard;

/// The OSC 52 sequence that puts `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text)
    )
}

impl Clipboard for SystemClipboard {
    fn copy(&mut self, text: &str) -> Result<(), String> {
        let mut stdout = std::io::stdout();
        let osc = stdout
            .write_all(osc52(text).as_bytes())
            .and_then(|_| stdout.flush());
        let text = text.to_string();
        // A clipboard command may wait on a display server: never on the UI thread.
        std::thread::spawn(move || {
            let _ = copy_with_command(&text);
        });
        osc.map_err(|e| format!("cannot write to the terminal: {e}"))
    }
}

fn copy_with_command(text: &str) -> Result<(), String> {
    use std::process::{Command, Stdio};
    let candidates: &[(&str, &[&str], bool)] = &[
        (
            "wl-copy",
            &[],
            std::env::var_os("WAYLAND_DISPLAY").is_some(),
        ),
        (
            "xclip",
            &["-selection", "clipboard"],
            std::env::var_os("DISPLAY").is_some(),
        ),
        (
            "xsel",
            &["--clipboard", "--input"],
            std::env::var_os("DISPLAY").is_some(),
        ),
        ("pbcopy", &[], cfg!(target_os = "macos")),
        (
            "clip.exe",
            &[],
            std::env::var_os("WSL_DISTRO_NAME").is_some(),
        ),
    ];
    for (program, args, applies) in candidates {
        if !applies {
            continue;
        }
        let Ok(mut child) = Command::new(program)
            .args(*args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        else {
            continue;
        };
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(text.as_bytes());
        }
        if child.wait().is_ok_and(|s| s.success()) {
            return Ok(());
        }
    }
    Err("no clipboard command".to_string())
}

/// A clipboard that remembers what was copied, for tests.
#[derive(Debug, Default, Clone)]
pub struct RecordingClipboard(pub std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl Clipboard for RecordingClipboard {
    fn copy(&mut self, text: &str) -> Result<(), String> {
        self.0
            .lock()
            .map_err(|_| "poisoned".to_string())?
            .push(text.to_string());
        Ok(())
    }
}
