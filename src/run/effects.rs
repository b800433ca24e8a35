//! The effects `update` asks for, run by the loop: requests started (or queued until the
//! connection is there), session commands, exports, clipboard and background file work.

use super::App;
use super::tasks::run_request;
use crate::app::{Effect, ExportWhat, Msg, RequestSpec};
use crate::transcript::Record;
use crate::transcript::export;
use crate::transcript::store;
use crate::transcript::writer::SessionCommand;

impl App {
    pub(super) fn run_effect(&mut self, effect: Effect) {
        match effect {
            Effect::EditDraft => self.edit_draft = true,
            Effect::StartMcp { name, config } => self.start_one_mcp(name, *config),
            Effect::ViewToolCall { round, index, text } => {
                self.view_tool = Some((round, index, text));
            }
            Effect::ProbePictures(paths) => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    for path in paths {
                        let probe = crate::pictures::showable(&path);
                        let _ = tx.send(Msg::PictureProbed { path, probe });
                    }
                });
            }
            Effect::ReadAttachment(path) => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let result = crate::attachments::read(&path);
                    let _ = tx.send(Msg::AttachmentRead { path, result });
                });
            }
            Effect::KeepAttachment { dir, attachment } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    if let Err(why) = crate::app::attach::keep(&dir, &attachment) {
                        let _ = tx.send(Msg::AttachmentNotKept(why));
                    }
                });
            }
            Effect::CompletePath(partial) => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let (completed, choices) = crate::app::attach::complete_path(&partial);
                    let _ = tx.send(Msg::PathCompleted {
                        partial,
                        completed,
                        choices,
                    });
                });
            }
            Effect::CheckPastedPath { path, pasted } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    if crate::app::attach::is_file(&path) {
                        let _ = tx.send(Msg::PastedFile { path, pasted });
                    }
                });
            }
            Effect::PasteImage => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let image = super::tasks::clipboard_image().await;
                    let _ = tx.send(Msg::ClipboardImage(image));
                });
            }
            Effect::Send(spec) => {
                if self.connection.is_some() {
                    self.start(*spec);
                } else {
                    self.queued.push(*spec);
                    self.connect_again();
                }
            }
            Effect::RunTool(job) => {
                let tx = self.tx.clone();
                let round = job.round;
                let task = tokio::spawn(async move {
                    let _ = tx.send(job.run().await);
                });
                self.tool_tasks.retain(|(_, t)| !t.is_finished());
                self.tool_tasks.push((round, task.abort_handle()));
            }
            Effect::CancelTools { round } => {
                // Dropping a call stops it (a command is killed with its process group).
                for (_, task) in self.tool_tasks.iter().filter(|(r, _)| *r == round) {
                    task.abort();
                }
                self.tool_tasks.retain(|(r, _)| *r != round);
            }
            Effect::Cancel { request_id } => {
                self.queued.retain(|s| s.request_id != request_id);
                if let Some(handle) = self.requests.remove(&request_id) {
                    handle.abort();
                }
            }
            Effect::Copy(text) => {
                if let Err(e) = self.clipboard.copy(&text) {
                    self.state.flash(format!("cannot copy: {e}"), true);
                }
            }
            Effect::WriteTitle(request) => {
                if let Some(connection) = &self.connection {
                    tokio::spawn(crate::app::titles::write(
                        connection.client.clone(),
                        *request,
                        self.tx.clone(),
                    ));
                }
            }
            Effect::ListRoles => {
                let tx = self.tx.clone();
                let dir = self.roles_dir.clone();
                tokio::task::spawn_blocking(move || {
                    let (roles, warnings) = dir
                        .as_deref()
                        .map(crate::config::roles::list)
                        .unwrap_or_default();
                    let shown = dir.map(|d| d.display().to_string());
                    let _ = tx.send(Msg::RolesListed(roles, warnings, shown));
                });
            }
            Effect::IndexSessions(paths) => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let index = crate::transcript::search::SearchIndex::build(&paths);
                    let _ = tx.send(Msg::SessionsIndexed(std::sync::Arc::new(index)));
                });
            }
            Effect::ListSessions => {
                let tx = self.tx.clone();
                let dir = self.sessions_dir.clone();
                tokio::task::spawn_blocking(move || {
                    let result = match dir {
                        Some(dir) => store::list(&dir).map_err(|e| e.to_string()),
                        None => Err("saving conversations is off (--no-save)".to_string()),
                    };
                    let _ = tx.send(Msg::SessionsListed(result));
                });
            }
            Effect::OpenSession(path) => {
                // What the old conversation still has to write goes to its own file first.
                self.persist();
                match &self.writer {
                    Some(writer) => writer.open(path),
                    None => self
                        .state
                        .flash("saving conversations is off (--no-save)", true),
                }
            }
            Effect::RenameSession { path, title } => {
                let current = self
                    .state
                    .chat
                    .session
                    .as_ref()
                    .is_some_and(|s| s.path == path);
                if let (true, Some(writer)) = (current, &self.writer) {
                    // The writer holds this file: the title goes through it.
                    writer.send(vec![SessionCommand::Append(vec![Record::Title {
                        title: title.clone(),
                    }])]);
                    if let Some(session) = &mut self.state.chat.session {
                        session.title.clone_from(&title);
                    }
                    let _ = self
                        .tx
                        .send(Msg::SessionTask(Ok(format!("renamed to “{title}”"))));
                } else {
                    self.blocking_task(move || {
                        store::rename(&path, &title)
                            .map(|()| format!("renamed to “{title}”"))
                            .map_err(|e| e.to_string())
                    });
                }
            }
            Effect::DeleteSession(path) => self.blocking_task(move || {
                store::delete(&path)
                    .map(|()| format!("deleted {}", path.display()))
                    .map_err(|e| e.to_string())
            }),
            Effect::Export { what, format } => {
                let dir = self.export_dir.clone();
                let tx = self.tx.clone();
                let (path, current) = match what {
                    ExportWhat::Current(path) => (path, true),
                    ExportWhat::File(path) => (path, false),
                };
                let job = move || {
                    let result = export::export_to_dir(&path, format, &dir);
                    let _ = tx.send(Msg::SessionTask(result));
                };
                if current && self.writer.is_some() {
                    // After the writes still queued for the file.
                    self.persist();
                    if let Some(writer) = &self.writer {
                        writer.then(Box::new(job));
                    }
                } else {
                    tokio::task::spawn_blocking(job);
                }
            }
            Effect::RunMatrix(spec) => {
                let Some(connection) = &self.connection else {
                    self.state.flash("not connected yet", true);
                    return;
                };
                let client = connection.client.clone();
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    for (index, (combination, prepared)) in spec.rows.into_iter().enumerate() {
                        let outcome = crate::compare::run(&client, combination, &prepared).await;
                        let sent = tx.send(Msg::MatrixOutcome {
                            run: spec.run,
                            index,
                            outcome: Box::new(outcome),
                        });
                        if sent.is_err() {
                            return;
                        }
                    }
                });
            }
            Effect::LookUpModel(model) => {
                if let Some(connection) = &self.connection {
                    let client = connection.client.clone();
                    let lookups = self.lookups.clone();
                    let tx = self.tx.clone();
                    tokio::spawn(async move {
                        let found = lookups.find(&client, &model).await;
                        let _ = tx.send(Msg::ModelLookedUp { model, found });
                    });
                }
            }
            Effect::ListModels { refresh } => {
                if let Some(connection) = &self.connection {
                    let client = connection.client.clone();
                    // The built-in emulator's listing is not kept: it is local and instant.
                    let kept = connection.emulator.is_none();
                    let source = connection.credentials_source.clone();
                    let tx = self.tx.clone();
                    tokio::spawn(async move {
                        let place = if kept {
                            Some(crate::listing::cache::place_of(&client, &source).await)
                        } else {
                            None
                        };
                        let result =
                            crate::listing::cache::rows(&client, place.as_deref(), refresh)
                                .await
                                .map(|(rows, _)| rows)
                                .map_err(|e| e.to_string());
                        let _ = tx.send(Msg::ModelsListed(result));
                    });
                }
            }
        }
    }

    /// After a failed connection, tries again (credentials may have appeared meanwhile).
    pub(super) fn connect_again(&mut self) {
        if self.connecting.is_some() || self.connection.is_some() {
            return;
        }
        if let Some(options) = self.reconnect.clone() {
            self.state.requests.connection = crate::app::state::ConnectionState::Pending;
            self.connect(async move { crate::connect::connect(&options).await });
        }
    }

    /// Runs file work off the loop and reports it as a `SessionTask`.
    pub(super) fn blocking_task(
        &self,
        job: impl FnOnce() -> Result<String, String> + Send + 'static,
    ) {
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let _ = tx.send(Msg::SessionTask(job()));
        });
    }

    pub(super) fn start(&mut self, spec: RequestSpec) {
        let Some(connection) = &self.connection else {
            self.queued.push(spec);
            return;
        };
        self.requests.retain(|_, handle| !handle.is_finished());
        let id = spec.request_id;
        let task = tokio::spawn(run_request(
            connection.client.clone(),
            spec,
            self.state.settings.pictures_dir.clone(),
            self.tx.clone(),
        ));
        self.requests.insert(id, task.abort_handle());
    }
}
