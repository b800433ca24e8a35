//! `bedrock-tui transcripts list|show|export|rename|delete`: saved conversations from the
//! command line.

use super::{TranscriptsArgs, TranscriptsCommand};
use crate::text::sanitize_for_terminal;
use crate::transcript::export::{self, Format};
use crate::transcript::store::{self, StoreError};
use std::io::{IsTerminal, Write};

/// Runs `transcripts` and returns the exit status.
pub fn run(args: TranscriptsArgs) -> i32 {
    match execute(args.command) {
        Ok(()) => 0,
        Err(message) => {
            eprintln!("error: {message}");
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
            let mut out = std::io::stdout().lock();
            if !json && sessions.is_empty() {
                eprintln!("no saved conversations in {}", dir.display());
            } else if !json {
                let _ = writeln!(
                    out,
                    "{:<20}  {:<16}  {:>5}  {:<28}  TITLE",
                    "ID", "CREATED", "TURNS", "MODELS"
                );
            }
            for s in sessions {
                if json {
                    let line = serde_json::json!({
                        "id": s.id, "title": s.title, "created": s.created,
                        "turns": s.turns, "models": s.models, "path": s.path,
                        "damaged": s.damaged,
                    });
                    let _ = writeln!(out, "{line}");
                    continue;
                }
                let created = crate::clock::local_minutes(&s.created);
                let models: Vec<String> = s
                    .models
                    .iter()
                    .map(|m| crate::models::catalog::display_name(m))
                    .collect();
                let _ = writeln!(
                    out,
                    "{:<20}  {:<16}  {:>5}  {:<28.28}  {}{}",
                    s.id,
                    created,
                    s.turns,
                    models.join(", "),
                    sanitize_for_terminal(&s.title),
                    if s.damaged {
                        "  (damaged: see `show`)"
                    } else {
                        ""
                    }
                );
            }
            Ok(())
        }
        TranscriptsCommand::Show { session } => {
            let loaded = store::load(&find(&session)?).map_err(|e| e.to_string())?;
            warn(&loaded.warnings);
            print_text(&export::markdown(&loaded.transcript));
            Ok(())
        }
        TranscriptsCommand::Export {
            session,
            format,
            output,
        } => {
            let loaded = store::load(&find(&session)?).map_err(|e| e.to_string())?;
            warn(&loaded.warnings);
            let text = export::render(&loaded.transcript, format);
            match output {
                Some(path) => {
                    export::write_atomic(&path, text.as_bytes())
                        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                    eprintln!("wrote {}", path.display());
                }
                None if format == Format::Json => {
                    let _ = std::io::stdout().lock().write_all(text.as_bytes());
                }
                None => print_text(&text),
            }
            Ok(())
        }
        TranscriptsCommand::Rename { session, title } => {
            let path = find(&session)?;
            store::rename(&path, title.trim()).map_err(|e| e.to_string())?;
            eprintln!("renamed {} to “{}”", store_id(&path), title.trim());
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

fn store_id(path: &std::path::Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn warn(warnings: &[String]) {
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
}

/// Prints text; on a terminal, escape sequences in it are shown, not executed.
fn print_text(text: &str) {
    let stdout = std::io::stdout();
    let shown = if stdout.is_terminal() {
        sanitize_for_terminal(text)
    } else {
        text.into()
    };
    let _ = stdout.lock().write_all(shown.as_bytes());
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
