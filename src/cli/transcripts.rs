//! `bedrock-tui transcripts list|show|export|rename|delete`: saved conversations from the
//! command line.

use super::term::{err_line, out_json, out_line, out_text};
use super::{TranscriptsArgs, TranscriptsCommand};
use crate::text::sanitize_for_terminal;
use crate::transcript::export::{self, Format};
use crate::transcript::store::{self, StoreError};
use std::io::IsTerminal;

/// Runs `transcripts` and returns the exit status.
pub fn run(args: TranscriptsArgs) -> i32 {
    match execute(args.command) {
        Ok(()) => 0,
        Err(message) => {
            crate::cli::term::err_line(&format!("error: {message}"));
            1
        }
    }
}

fn execute(command: TranscriptsCommand) -> Result<(), String> {
    let dir = store::sessions_dir().map_err(|e| e.to_string())?;
    let find = |spec: &str| store::resolve(&dir, spec).map_err(|e: StoreError| e.to_string());
    match command {
        TranscriptsCommand::List { json } => {
            let sessions = store::list(&dir).map_err(|e| e.to_string())?;
            if !json && sessions.is_empty() {
                eprintln!("no saved conversations in {}", dir.display());
            } else if !json {
                out_line(&format!(
                    "{:<20}  {:<16}  {:>5}  {:<28}  TITLE",
                    "ID", "CREATED", "TURNS", "MODELS"
                ));
            }
            for s in sessions {
                if json {
                    let line = serde_json::json!({
                        "id": s.id, "title": s.title, "created": s.created,
                        "turns": s.turns, "models": s.models, "path": s.path,
                        "damaged": s.damaged, "oversized_bytes": s.oversized,
                    });
                    out_json(&line.to_string());
                    continue;
                }
                let created = crate::clock::local_minutes(&s.created);
                let models = crate::models::catalog::display_names(&s.models);
                // Everything but the counts comes from the file: one sanitizer for the line.
                let models: Vec<String> = models
                    .iter()
                    .map(|m| sanitize_for_terminal(m).into_owned())
                    .collect();
                // Every model is named or counted in its column (`Claude Haiku 4.5 +2`).
                let models = crate::text::fit_names(&models, 28);
                out_line(&format!(
                    "{:<20}  {:<16}  {:>5}  {}  {}{}",
                    sanitize_for_terminal(&s.id),
                    created,
                    s.turns,
                    pad_to_width(&models, 28),
                    sanitize_for_terminal(&s.title),
                    match s.oversized {
                        Some(size) =>
                            format!("  (too large to open: {})", crate::files::human_size(size)),
                        None if s.damaged => "  (damaged: see `show`)".to_string(),
                        None => String::new(),
                    }
                ));
            }
            Ok(())
        }
        TranscriptsCommand::Show { session } => {
            let loaded = store::load(&find(&session)?).map_err(|e| e.to_string())?;
            warn(&loaded.warnings);
            // Written a turn at a time: a large session is not held twice.
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let written = export::write_markdown(&loaded.transcript, &mut out)
                .and_then(|()| std::io::Write::flush(&mut out));
            if let Err(e) = written
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                return Err(format!("cannot write the conversation: {e}"));
            }
            Ok(())
        }
        TranscriptsCommand::Export {
            session,
            format,
            output,
            force,
        } => {
            let loaded = store::load(&find(&session)?).map_err(|e| e.to_string())?;
            warn(&loaded.warnings);
            let text = export::render(&loaded.transcript, format);
            // `-` is standard output, as for every tool that writes files.
            let output = output.filter(|path| path.as_os_str() != "-");
            match output {
                Some(path) => {
                    let exists = crate::files::replaceable(&path)
                        .map_err(|e| format!("cannot write {}: {e}", path.display()))?
                        .is_some();
                    let replace = if force || !exists || !std::io::stdin().is_terminal() {
                        force
                    } else if confirm(&format!("replace {}?", path.display()))? {
                        true
                    } else {
                        return Err(format!("{} not replaced", path.display()));
                    };
                    export::write_atomic(&path, text.as_bytes(), replace)
                        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                    eprintln!("wrote {}", path.display());
                }
                None if format == Format::Json => {
                    out_json(&text);
                }
                None => out_text(&text),
            }
            Ok(())
        }
        TranscriptsCommand::Rename { session, title } => {
            let path = find(&session)?;
            store::rename(&path, title.trim()).map_err(|e| e.to_string())?;
            err_line(&format!(
                "renamed {} to “{}”",
                store_id(&path),
                title.trim()
            ));
            Ok(())
        }
        TranscriptsCommand::Delete { session, yes } => {
            let path = find(&session)?;
            if !yes && !confirm(&format!("delete {}?", path.display()))? {
                return Err("not deleted".to_string());
            }
            store::delete(&path).map_err(|e| e.to_string())?;
            eprintln!("deleted {}", path.display());
            Ok(())
        }
    }
}

/// `text` cut or padded to `width` terminal columns.
fn pad_to_width(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push_str(&" ".repeat(width - used));
    out
}

fn store_id(path: &std::path::Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn warn(warnings: &[String]) {
    for warning in warnings {
        err_line(&format!("warning: {warning}"));
    }
}

/// Asks a yes/no question on the terminal; without one, `--yes` is needed.
fn confirm(question: &str) -> Result<bool, String> {
    if !std::io::stdin().is_terminal() {
        return Err("not a terminal: pass --yes to delete".to_string());
    }
    eprint!("{question} [y/N] ");
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| e.to_string())?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}
