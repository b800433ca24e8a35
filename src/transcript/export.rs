//! Exports of a saved conversation: Markdown to read (model names per turn, fenced code kept
//! as the model wrote it) and JSON with the whole structure, both of the branch on screen (other
//! branches and deleted turns stay in the session file). Files are written atomically.
//!
//! A session file may be crafted, and a model's text may hold escape sequences: an export is
//! safe to `cat`. Markdown has its control characters, bidi controls and hidden characters made
//! visible as the terminal shows them; JSON has those a JSON writer leaves raw escaped. An
//! attachment is linked only by a real SHA-256 (never a path out of the store), its name made
//! a plain link text.

use super::{Author, EndStatus, Entry, Transcript};
use std::io::Write;
use std::path::Path;

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Markdown.
    Md,
    /// JSON: the whole structured conversation.
    Json,
}

impl Format {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Md => "md",
            Format::Json => "json",
        }
    }
}

/// The conversation in a format.
pub fn render(transcript: &Transcript, format: Format) -> String {
    match format {
        Format::Md => markdown(transcript),
        Format::Json => json(transcript),
    }
}

/// The whole conversation as pretty-printed JSON (C1 controls, bidi controls and hidden
/// characters escaped, so that it is safe to show).
pub fn json(transcript: &Transcript) -> String {
    let transcript = &transcript.on_screen();
    let text = serde_json::to_string_pretty(transcript).unwrap_or_default();
    let mut text = crate::text::json_for_terminal(&text).into_owned();
    text.push('\n');
    text
}

/// The conversation as Markdown, safe to show on a terminal.
pub fn markdown(transcript: &Transcript) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_markdown(transcript, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes the conversation as Markdown, safe to show on a terminal, one turn at a time (a
/// large session is never held twice).
pub fn write_markdown(transcript: &Transcript, out: &mut dyn Write) -> std::io::Result<()> {
    let entries: Vec<&Entry> = transcript
        .path()
        .into_iter()
        .filter(|e| !e.deleted)
        .collect();
    let mut head = String::new();
    head.push_str(&format!("# {}\n\n", one_line(&transcript.title)));
    head.push_str(&format!("- Session: `{}`\n", transcript.id));
    if !transcript.created.is_empty() {
        head.push_str(&format!(
            "- Created: {}\n",
            crate::clock::local_seconds(&transcript.created)
        ));
    }
    let mut models: Vec<&str> = Vec::new();
    for model in entries.iter().filter_map(|e| e.model.as_deref()) {
        if !models.contains(&model) {
            models.push(model);
        }
    }
    if !models.is_empty() {
        let names: Vec<String> = models.iter().map(|m| format!("`{m}`")).collect();
        head.push_str(&format!("- Models: {}\n", names.join(", ")));
    }
    if let Some(system) = &transcript.system {
        head.push_str(&format!("- System prompt: {}\n", one_line(system)));
    }
    if entries.is_empty() {
        while head.ends_with("\n\n") {
            head.pop();
        }
    } else {
        head.push('\n');
    }
    out.write_all(crate::text::sanitize_for_terminal(&head).as_bytes())?;
    let last = entries.len().saturating_sub(1);
    for (index, entry) in entries.into_iter().enumerate() {
        let mut text = String::from("---\n\n");
        entry_markdown(entry, &mut text);
        if index == last {
            while text.ends_with("\n\n") {
                text.pop();
            }
        }
        out.write_all(crate::text::sanitize_for_terminal(&text).as_bytes())?;
    }
    Ok(())
}

fn entry_markdown(entry: &Entry, out: &mut String) {
    let when = crate::clock::local_seconds(&entry.at);
    match entry.author {
        Author::User if !entry.tool_results.is_empty() => {
            out.push_str(&format!("## Tools · {when}\n\n"));
        }
        Author::User => out.push_str(&format!("## You · {when}\n\n")),
        Author::Assistant => {
            let model = entry.model.as_deref().unwrap_or("unknown model");
            out.push_str(&format!(
                "## {} (`{model}`) · {when}\n\n",
                crate::models::catalog::display_name(model)
            ));
        }
    }
    if !entry.reasoning.is_empty() {
        out.push_str("<details><summary>Reasoning</summary>\n\n");
        push_block(&entry.reasoning, out);
        out.push_str("</details>\n\n");
    }
    push_block(&entry.text, out);
    for saved in &entry.tool_results {
        let run = crate::tools::Ran::from(saved);
        out.push_str(&format!("- ⚙ `{}`\n\n", run.summary().replace('`', "'")));
        let fence = if saved.result.content.contains("```") {
            "~~~~"
        } else {
            "```"
        };
        out.push_str(&format!(
            "{fence}\n{}\n{fence}\n\n",
            saved.result.content.trim_end_matches('\n')
        ));
    }
    if let Some(end) = &entry.end {
        for call in &end.tool_calls {
            out.push_str(&format!(
                "- ⚙ calls `{}`\n",
                call.summary().replace('`', "'")
            ));
        }
        if !end.tool_calls.is_empty() {
            out.push('\n');
        }
    }
    if !entry.attachments.is_empty() {
        // Each file by name, type and size, linked to the copy kept by content.
        let dir = crate::attachments::store::attachments_dir();
        for file in &entry.attachments {
            let size = crate::files::human_size(file.bytes);
            // A plain link text: no brackets, backslashes or line breaks of a crafted name.
            let name: String = crate::attachments::clean_name(&file.name)
                .chars()
                .map(|c| {
                    if matches!(c, '[' | ']' | '\\') {
                        '_'
                    } else {
                        c
                    }
                })
                .collect();
            let line = match &dir {
                Some(dir) if crate::attachments::store::is_hash(&file.sha256) => format!(
                    "- 📎 [{name}](<{}>) ({}, {size})\n",
                    dir.join(file.sha256.to_ascii_lowercase()).display(),
                    file.media.mime()
                ),
                _ => format!("- 📎 {name} ({}, {size})\n", file.media.mime()),
            };
            out.push_str(&line);
        }
        out.push('\n');
    }
    if entry.superseded {
        out.push_str("_Replaced by a retry; not sent to later turns._\n\n");
    }
    let Some(end) = &entry.end else { return };
    match end.status {
        EndStatus::Complete => {}
        EndStatus::Cancelled => out.push_str("> ■ Cancelled; the partial answer is above.\n\n"),
        EndStatus::Interrupted => out.push_str(
            "> ■ Interrupted: bedrock-tui stopped before the answer ended; the text above is what arrived.\n\n",
        ),
        EndStatus::Failed => {
            let (name, message) = end
                .error
                .as_ref()
                .map_or(("Error", String::new()), |e| (e.name.as_str(), one_line(&e.message)));
            out.push_str(&format!(
                "> ✗ **{name}**: {message} (the partial answer is above)\n\n"
            ));
        }
    }
    let mut figures = Vec::new();
    if let Some(reason) = &end.stop_reason {
        let words = crate::models::stop_reason::in_words(reason);
        if words == reason.as_str() {
            figures.push(format!("stop: {reason}"));
        } else {
            figures.push(format!("{words} (`{reason}`)"));
        }
    }
    if let (Some(i), Some(o)) = (end.input_tokens, end.output_tokens) {
        figures.push(format!("{i} in / {o} out tokens"));
    }
    if let Some(ms) = end.total_ms {
        figures.push(format!("{:.1} s", ms as f64 / 1000.0));
    }
    if let Some(cost) = end.cost_usd {
        figures.push(format!("${cost:.4}"));
    }
    if !figures.is_empty() {
        out.push_str(&format!("_{}_\n\n", figures.join(" · ")));
    }
}

/// Appends text as it was written, ended with a newline; a code fence left open (an answer cut
/// off inside a code block) is closed so that it does not swallow the rest of the document.
fn push_block(text: &str, out: &mut String) {
    let text = text.trim_end_matches('\n');
    if text.is_empty() {
        return;
    }
    out.push_str(&nest_headings(text));
    out.push('\n');
    if let Some(fence) = crate::text::open_fence(text) {
        out.push_str(&fence);
        out.push('\n');
    }
    out.push('\n');
}

/// Text whose Markdown headings sit under the message's `##` heading: each ATX heading two
/// levels deeper (at most six), code blocks left as they are.
fn nest_headings(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut fences = crate::text::Fences::default();
    for line in text.split_inclusive('\n') {
        fences.read(line);
        let trimmed = line.trim_start();
        let hashes = trimmed.chars().take_while(|c| *c == '#').count();
        let heading = !fences.in_code()
            && (1..=6).contains(&hashes)
            && line.len() - trimmed.len() <= 3
            && trimmed[hashes..].starts_with([' ', '\t', '\n']);
        if heading {
            let indent = line.len() - trimmed.len();
            out.push_str(&line[..indent]);
            out.push_str(&"#".repeat((hashes + 2).min(6) - hashes));
            out.push_str(trimmed);
        } else {
            out.push_str(line);
        }
    }
    out
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, flushed to
/// disk, then renamed over the target. A reader never sees half a file. Only a regular file is
/// replaced (a symbolic link, a device or a FIFO at `path` is an error), and only when
/// `replace` allows it; the export is created 0600 and keeps an existing file's stricter mode.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], replace: bool) -> std::io::Result<()> {
    let existing = crate::files::replaceable(path)?;
    if existing.is_some() && !replace {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "it exists; replace it with --force",
        ));
    }
    // Never looser than 0600, nor than the file it replaces.
    let mode = existing.map_or(0o600, |mode| mode & 0o600);
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path.file_name().map_or_else(
        || "export".to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let temp = dir.join(format!(
        ".{name}.tmp-{}-{:04x}",
        std::process::id(),
        fastrand::u16(..)
    ));
    let result = (|| {
        let mut file = crate::files::create_private(&temp)?;
        file.write_all(bytes)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        }
        #[cfg(not(unix))]
        let _ = mode;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Exports a session file into `dir` as `<title>-<id>.<ext>`; says where it went.
pub fn export_to_dir(path: &Path, format: Format, dir: &Path) -> Result<String, String> {
    let loaded = super::store::load(path).map_err(|e| e.to_string())?;
    let t = &loaded.transcript;
    let slug: String = t
        .title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|w| !w.is_empty())
        .take(8)
        .collect::<Vec<_>>()
        .join("-");
    let name = format!("{slug}-{}.{}", t.id, format.extension());
    let target = dir.join(name.trim_start_matches('-'));
    // The chat names its exports after the session: exporting again replaces the last one.
    write_atomic(&target, render(t, format).as_bytes(), true)
        .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    // Where it went in full: the current directory is not on screen.
    let shown = std::fs::canonicalize(&target).unwrap_or(target);
    Ok(format!("exported to {}", shown.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::{End, SavedError};

    fn entry(id: u64, author: Author, text: &str) -> Entry {
        Entry {
            id,
            author,
            at: "2026-11-26T11:52:03.120Z".into(),
            text: text.into(),
            reasoning: String::new(),
            model: (author == Author::Assistant)
                .then(|| "global.anthropic.claude-haiku-4-5-20251001-v1:0".into()),
            end: None,
            superseded: false,
            parent: 0,
            deleted: false,
            kept: false,
            attachments: Vec::new(),
            tool_results: Vec::new(),
        }
    }

    #[test]
    fn markdown_keeps_code_and_names_models_and_errors() {
        let mut answer = entry(
            2,
            Author::Assistant,
            "Here:\n\n```rust\nfn main() {}\n```\n",
        );
        answer.end = Some(End {
            status: EndStatus::Complete,
            stop_reason: Some("end_turn".into()),
            input_tokens: Some(5),
            output_tokens: Some(9),
            ..End::default()
        });
        let mut cut = entry(4, Author::Assistant, "Partial\n```py\nprint(1)");
        cut.end = Some(End {
            status: EndStatus::Failed,
            error: Some(SavedError {
                name: "ThrottlingException".into(),
                message: "slow down".into(),
                status: None,
                original_status: None,
                in_stream: true,
            }),
            ..End::default()
        });
        let transcript = Transcript {
            id: "s1".into(),
            title: "Code".into(),
            entries: vec![
                entry(1, Author::User, "show code"),
                answer,
                entry(3, Author::User, "more"),
                cut,
            ],
            ..Transcript::default()
        };
        let md = markdown(&transcript);
        assert!(md.starts_with("# Code\n"), "{md}");
        assert!(
            md.contains("## Claude Haiku 4.5 (`global.anthropic.claude-haiku-4-5-20251001-v1:0`)")
        );
        assert!(md.contains("```rust\nfn main() {}\n```\n"), "{md}");
        assert!(
            md.contains("_finished (`end_turn`) · 5 in / 9 out tokens_"),
            "{md}"
        );
        assert!(
            md.contains("print(1)\n```\n"),
            "the open fence is closed: {md}"
        );
        assert!(md.contains("**ThrottlingException**: slow down"));
        // An answer's headings sit under its message's heading; code keeps its own `#`.
        assert_eq!(
            nest_headings(
                "# Title\ntext\n```sh\n# a comment\n```\n### Deep\n###### Deepest\n#hashtag"
            ),
            "### Title\ntext\n```sh\n# a comment\n```\n##### Deep\n###### Deepest\n#hashtag"
        );
        assert_eq!(nest_headings("  ## Indented\n"), "  #### Indented\n");
        // A fence line with words after it does not close the block: its `#` stays code.
        assert_eq!(
            nest_headings("```\n``` not a close\n# still code\n```\n# Out\n"),
            "```\n``` not a close\n# still code\n```\n### Out\n"
        );
        assert_eq!(crate::text::open_fence(&md), None);
    }

    #[test]
    fn exports_are_safe_to_cat_and_link_only_into_the_store() {
        let mut answer = entry(
            2,
            Author::Assistant,
            "copy this\x1b]52;c;ZXZpbA==\x07 done\u{9b}2J",
        );
        answer.reasoning = "think\x1b[2J".into();
        let mut asked = entry(1, Author::User, "look");
        asked.attachments = vec![crate::attachments::Reference {
            name: "x](https://evil.example)[\n\x1b[31m".into(),
            media: crate::attachments::Media::Png,
            sha256: "../../../../etc/passwd".into(),
            bytes: 3,
        }];
        let transcript = Transcript {
            id: "s1".into(),
            title: "t\x1b[8m".into(),
            entries: vec![asked, answer],
            ..Transcript::default()
        };
        let md = markdown(&transcript);
        assert!(
            !md.chars().any(|c| c.is_control() && c != '\n' && c != '\t'),
            "{md:?}"
        );
        assert!(md.contains("copy this␛]52;c;ZXZpbA==␇ done"), "{md}");
        assert!(!md.contains("etc/passwd"), "{md}");
        assert!(!md.contains("](https://evil"), "{md}");
        let json = json(&transcript);
        assert!(
            !json.chars().any(|c| c.is_control() && c != '\n'),
            "{json:?}"
        );
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(back.to_string().contains("ZXZpbA"));
    }

    #[test]
    fn atomic_writes_replace_whole_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.md");
        write_atomic(&path, b"first", false).unwrap();
        assert!(write_atomic(&path, b"again", false).is_err());
        write_atomic(&path, b"second", true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left");
        assert!(write_atomic(&dir.path().join("missing/out.md"), b"x", true).is_err());
    }
}
