//! The effects that do I/O for the loop: request tasks that report back over a channel with
//! their request id, and the clipboard (OSC 52, then a system clipboard command).

use crate::app::{Msg, RequestSpec, StreamUpdate, WireUpdate};
use crate::bedrock::Client;
use crate::exchange::{self, ErrorInfo, Event};
use crate::inspect::FrameRecord;
use base64::Engine;
use std::io::Write;
use tokio::sync::mpsc::UnboundedSender;

/// Runs one request through the exchange layer and reports every step as `Msg::Stream` with its
/// id. Text that already arrived is never sent again: a failure mid-stream ends the request.
/// Pictures the answer makes are saved in `pictures_dir`.
pub(crate) async fn run_request(
    client: Client,
    spec: RequestSpec,
    pictures_dir: Option<std::path::PathBuf>,
    tx: UnboundedSender<Msg>,
) {
    let id = spec.request_id;
    let send = |update: StreamUpdate| {
        // The loop has gone away: nothing left to report to.
        let _ = tx.send(Msg::Stream {
            request_id: id,
            update,
        });
    };
    let wire = |update: WireUpdate| send(StreamUpdate::Wire(Box::new(update)));
    let outcome = exchange::call(&client, &spec.prepared, |event| match event {
        Event::Sent(request) => wire(WireUpdate::Sent(Box::new(request.clone()))),
        Event::Retrying(notice) => send(StreamUpdate::Retrying {
            text: format!(
                "retrying {}/{} after {} in {:.1} s",
                notice.attempt + 1,
                notice.max_attempts,
                notice.error.name(),
                notice.wait.as_secs_f64()
            ),
        }),
        Event::Response(meta) => {
            wire(WireUpdate::Response(Box::new(meta.clone())));
            send(StreamUpdate::Started {
                first_byte: meta.first_byte,
            });
        }
        Event::Body(body) => wire(WireUpdate::Body(body.clone())),
        Event::Frame(frame) => wire(WireUpdate::Frame(Box::new(FrameRecord::from_frame(frame)))),
        Event::Note(note) => send(StreamUpdate::Note(note.to_string())),
        Event::Delta(delta, elapsed) => send(StreamUpdate::Delta {
            delta: Box::new(delta.clone()),
            elapsed,
        }),
        Event::Drained => {}
    })
    .await;
    if !outcome.images.is_empty() {
        send(StreamUpdate::Pictures(save_pictures(
            pictures_dir.as_deref(),
            &outcome.images,
        )));
    }
    let figures = Box::new(outcome.figures.clone());
    send(match &outcome.error {
        None => StreamUpdate::Finished { figures },
        Some(e) => {
            wire(WireUpdate::Failed(format!("{}: {e}", e.name())));
            StreamUpdate::Failed {
                error: ErrorInfo::from_error(e, outcome.failed_in_stream()),
                figures,
            }
        }
    });
}

/// Saves an answer's pictures in the pictures directory; the Markdown that shows them (or
/// says why one could not be saved).
fn save_pictures(dir: Option<&std::path::Path>, images: &[Vec<u8>]) -> String {
    let lines: Vec<String> = images
        .iter()
        .enumerate()
        .map(|(index, bytes)| {
            let saved = dir
                .ok_or_else(|| "no data directory".to_string())
                .and_then(|dir| crate::pictures::save(dir, bytes).map_err(|e| e.to_string()));
            match saved {
                Ok(saved) => saved.markdown(index + 1),
                Err(e) => format!(
                    "picture {} ({} bytes) could not be saved: {e}",
                    index + 1,
                    bytes.len()
                ),
            }
        })
        .collect();
    lines.join("\n\n")
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
pub(crate) struct SystemClipboard;

/// The OSC 52 sequence that puts `text` on the clipboard.
pub(crate) fn osc52(text: &str) -> String {
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
            .and_then(|()| stdout.flush());
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
        let Ok(mut child) = crate::child::without_secrets(&mut Command::new(program))
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

/// The image on the system clipboard, as PNG: `wl-paste` (Wayland), `xclip` (X11) or
/// `pngpaste` (macOS), whichever applies and is installed; at most the attachment cap, within
/// five seconds. The helper gets no AWS secrets.
pub(crate) async fn clipboard_image() -> Result<Vec<u8>, String> {
    let candidates: &[(&str, &[&str], bool)] = &[
        (
            "wl-paste",
            &["--no-newline", "--type", "image/png"],
            std::env::var_os("WAYLAND_DISPLAY").is_some(),
        ),
        (
            "xclip",
            &["-selection", "clipboard", "-t", "image/png", "-o"],
            std::env::var_os("DISPLAY").is_some(),
        ),
        ("pngpaste", &["-"], cfg!(target_os = "macos")),
    ];
    image_from(candidates).await
}

/// The first image one of `candidates` (program, arguments, whether it applies here) prints.
async fn image_from(candidates: &[(&str, &[&str], bool)]) -> Result<Vec<u8>, String> {
    use tokio::io::AsyncReadExt;
    let cap = crate::attachments::ATTACHMENT_CAP;
    let mut tried = Vec::new();
    for (program, args, applies) in candidates {
        if !applies {
            continue;
        }
        let mut command = std::process::Command::new(program);
        crate::child::without_secrets(&mut command)
            .args(*args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null());
        let Ok(mut child) = tokio::process::Command::from(command)
            .kill_on_drop(true)
            .spawn()
        else {
            tried.push(format!("{program} is not installed"));
            continue;
        };
        let Some(stdout) = child.stdout.take() else {
            continue;
        };
        let read = async {
            let mut bytes = Vec::new();
            stdout.take(cap + 1).read_to_end(&mut bytes).await?;
            let status = child.wait().await?;
            Ok::<_, std::io::Error>((bytes, status))
        };
        match tokio::time::timeout(std::time::Duration::from_secs(5), read).await {
            Ok(Ok((bytes, status))) if status.success() && !bytes.is_empty() => {
                if bytes.len() as u64 > cap {
                    return Err(format!(
                        "the clipboard image is larger than {}",
                        crate::files::human_size(cap)
                    ));
                }
                return Ok(bytes);
            }
            Ok(Ok(_)) => tried.push(format!("{program} found no image")),
            Ok(Err(e)) => tried.push(format!("{program}: {e}")),
            Err(_) => tried.push(format!("{program} did not answer in 5 s")),
        }
    }
    if tried.is_empty() {
        Err("no clipboard to read here (no WAYLAND_DISPLAY or DISPLAY, not macOS)".to_string())
    } else {
        Err(tried.join("; "))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_clipboard_image_is_read_from_the_helper_and_a_missing_one_is_said() {
        let dir = tempfile::tempdir().unwrap();
        let png = crate::emulator::png::picture(2, 2, 3);
        let image = dir.path().join("image.png");
        std::fs::write(&image, &png).unwrap();
        let helper = dir.path().join("fake-paste");
        std::fs::write(&helper, format!("#!/bin/sh\ncat '{}'\n", image.display())).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let program = helper.display().to_string();
        let got = image_from(&[("absent-helper", &[], true), (program.as_str(), &[], true)])
            .await
            .unwrap();
        assert_eq!(got, png);
        let empty = dir.path().join("empty-paste");
        std::fs::write(&empty, "#!/bin/sh\nexit 1\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&empty, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let empty = empty.display().to_string();
        let none = image_from(&[(empty.as_str(), &[], true)])
            .await
            .unwrap_err();
        assert!(none.contains("found no image"), "{none}");
        let nothing = image_from(&[("xclip", &[], false)]).await.unwrap_err();
        assert!(nothing.contains("no clipboard"), "{nothing}");
    }
}
