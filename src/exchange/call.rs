//! Running a prepared request: the attempts as they go out, retries, the response headers,
//! every frame, the decoded text as it arrives, and the figures, reported as events to one
//! callback; the whole answer comes back at the end. Retries, timeouts and size limits are the
//! client's; reading the answer (and telling its format when nothing else did) is done here.

use super::prepare::Prepared;
use super::tally::Figures;
use crate::bedrock::{
    BedrockError, Client, Frame, InvokeResponse, ResponseMeta, RetryNotice, SentRequest,
    StreamEvent, WireLog, WireNews,
};
use crate::models::{ChunkDelta, FamilyId, StreamDecoder, detect};
use bytes::Bytes;
use std::future::Future;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

/// Something that happened during a call, in order.
#[derive(Debug)]
pub enum Event<'a> {
    /// An attempt went out (credentials redacted).
    Sent(&'a SentRequest),
    /// An attempt failed before the response began; another follows after the wait.
    Retrying(&'a RetryNotice),
    /// The response headers arrived.
    Response(&'a ResponseMeta),
    /// The body of a non-streamed response.
    Body(&'a Bytes),
    /// An event-stream frame.
    Frame(&'a Frame),
    /// A note on how the answer is read (its format told by its own shape).
    Note(&'a str),
    /// Decoded text, reasoning or figures: a chunk, or the whole answer of InvokeModel.
    Delta(&'a ChunkDelta, Duration),
    /// The frames received so far are all reported: a good moment to flush output.
    Drained,
}

/// A finished call: the whole answer, its figures, and the error that ended it, if any.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The answer's text (for an answer of unknown format, its raw JSON).
    pub text: String,
    /// Reasoning text.
    pub reasoning: String,
    /// Embedding vectors.
    pub embeddings: Vec<Vec<f64>>,
    /// Pictures (PNG or JPEG bytes).
    pub images: Vec<Vec<u8>>,
    /// The figures.
    pub figures: Figures,
    /// The response headers, once they arrived.
    pub meta: Option<ResponseMeta>,
    /// The attempts as sent.
    pub requests: Vec<SentRequest>,
    /// The family that read the answer.
    pub reader: Option<FamilyId>,
    /// Notes on how the answer was read.
    pub notes: Vec<String>,
    /// What ended the call early.
    pub error: Option<BedrockError>,
    /// Whether it was a stream (an error after its headers is an in-stream one).
    pub streamed: bool,
}

impl Outcome {
    /// Whether the error came inside the event stream, after the response began.
    pub(crate) fn failed_in_stream(&self) -> bool {
        self.streamed && self.meta.is_some() && self.error.is_some()
    }

    fn take(&mut self, delta: &ChunkDelta, elapsed: Duration) {
        self.text.push_str(&delta.text);
        self.reasoning.push_str(&delta.reasoning);
        self.figures.add_delta(delta, elapsed);
    }
}

/// Runs `prepared` and reports each step to `on_event`.
pub async fn call<F>(client: &Client, prepared: &Prepared, mut on_event: F) -> Outcome
where
    F: FnMut(Event<'_>) + Send,
{
    let started = Instant::now();
    let (news_tx, mut news) = unbounded_channel();
    let log = WireLog::reporting(news_tx);
    let mut outcome = Outcome {
        reader: prepared.reader,
        streamed: prepared.stream,
        ..Outcome::default()
    };
    if prepared.stream {
        let sending = client.send_streamed(
            prepared.api,
            &prepared.model,
            prepared.body.clone(),
            &prepared.options,
            Some(&log),
        );
        match watched(sending, &mut news, &mut on_event).await {
            Ok(stream) => read_stream(stream, prepared, &mut outcome, &mut on_event).await,
            Err(e) => outcome.error = Some(e),
        }
    } else {
        let sending = client.send_whole(
            prepared.api,
            &prepared.model,
            prepared.body.clone(),
            &prepared.options,
            Some(&log),
        );
        match watched(sending, &mut news, &mut on_event).await {
            Ok(response) => {
                outcome.figures.total = Some(response.total);
                read_body(
                    &response,
                    prepared.calls_as_text,
                    &mut outcome,
                    &mut on_event,
                );
            }
            Err(e) => outcome.error = Some(e),
        }
    }
    if outcome.figures.total.is_none() || outcome.error.is_some() {
        outcome.figures.total = Some(started.elapsed());
    }
    outcome.requests = log.requests();
    // A request that failed before any response still made its attempts.
    if outcome.figures.attempts == 0 {
        outcome.figures.attempts = u32::try_from(outcome.requests.len()).unwrap_or(u32::MAX);
    }
    outcome
}

/// Awaits `sending` while passing on the news of its attempts as they happen.
async fn watched<T, F>(
    sending: impl Future<Output = T>,
    news: &mut UnboundedReceiver<WireNews>,
    on_event: &mut F,
) -> T
where
    F: FnMut(Event<'_>),
{
    let report = |news: WireNews, on_event: &mut F| match news {
        WireNews::Sent(request) => on_event(Event::Sent(&request)),
        WireNews::Retrying(notice) => on_event(Event::Retrying(&notice)),
    };
    tokio::pin!(sending);
    loop {
        tokio::select! {
            biased;
            Some(item) = news.recv() => report(item, on_event),
            result = &mut sending => {
                while let Ok(item) = news.try_recv() {
                    report(item, on_event);
                }
                return result;
            }
        }
    }
}

async fn read_stream<F>(
    mut stream: crate::bedrock::ResponseStream,
    prepared: &Prepared,
    outcome: &mut Outcome,
    on_event: &mut F,
) where
    F: FnMut(Event<'_>),
{
    outcome.figures.add_response(&stream.meta);
    on_event(Event::Response(&stream.meta));
    outcome.meta = Some(stream.meta.clone());
    let mut reader = ChunkReader::new(prepared.reader, prepared.calls_as_text);
    loop {
        let frame = match stream.next_frame().await {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            Err(e) => {
                outcome.error = Some(e);
                break;
            }
        };
        on_event(Event::Frame(&frame));
        match &frame.event {
            StreamEvent::Chunk(bytes) => match reader.decode(bytes) {
                Ok(delta) => {
                    if let Some(note) = reader.note.take() {
                        on_event(Event::Note(&note));
                        outcome.notes.push(note);
                    }
                    outcome.take(&delta, frame.elapsed);
                    on_event(Event::Delta(&delta, frame.elapsed));
                }
                Err(e) => {
                    outcome.error = Some(e);
                    break;
                }
            },
            StreamEvent::Unknown => {}
            other => {
                if let Some(error) = other.clone().into_error() {
                    outcome.error = Some(error);
                    break;
                }
            }
        }
        if !stream.frame_ready() {
            on_event(Event::Drained);
        }
    }
    let rest = reader.finish();
    if rest != ChunkDelta::default() {
        outcome.take(&rest, stream.elapsed());
        on_event(Event::Delta(&rest, stream.elapsed()));
    }
    if outcome.error.is_none()
        && let Some(missing) = reader.missing_end()
    {
        outcome.error = Some(BedrockError::IncompleteStream(missing));
    }
    outcome.reader = reader.family;
    outcome.figures.total = Some(stream.elapsed());
    on_event(Event::Drained);
}

/// Reads the chunks of one stream with the family that wrote them: the first chunk whose shape
/// tells a family confirms the one expected, or replaces it (with a note) when it belongs to
/// another; an answer of a format nothing tells is passed on as its raw JSON.
struct ChunkReader {
    family: Option<FamilyId>,
    calls_as_text: bool,
    decoder: Option<StreamDecoder>,
    told: bool,
    note: Option<String>,
    chunks: usize,
}

impl ChunkReader {
    fn new(family: Option<FamilyId>, calls_as_text: bool) -> Self {
        ChunkReader {
            family,
            calls_as_text,
            decoder: family.map(|f| StreamDecoder::new(f).with_calls_as_text(calls_as_text)),
            told: false,
            note: None,
            chunks: 0,
        }
    }

    /// At a clean end of the stream: what is missing, if the answer's last event never came.
    /// An answer of unknown format is complete once it had a chunk (its end cannot be told).
    fn missing_end(&self) -> Option<String> {
        if self.chunks == 0 {
            return Some("the stream ended without a single chunk".to_string());
        }
        if self.decoder.as_ref().is_none_or(StreamDecoder::ended) {
            return None;
        }
        let family = self.family?;
        Some(format!(
            "the stream ended after {} chunk{} without the {family} format's last event ({}); the answer may be cut short",
            self.chunks,
            if self.chunks == 1 { "" } else { "s" },
            family.adapter().last_event()
        ))
    }

    fn decode(&mut self, chunk: &[u8]) -> Result<ChunkDelta, BedrockError> {
        self.chunks += 1;
        if !self.told
            && let Some(written) = detect::reader_of_chunk(chunk)
        {
            self.told = true;
            match self.family {
                Some(expected) if !detect::reads_alike(expected, written) => {
                    self.note = Some(format!(
                        "the answer is in the {written} format, not {expected}; read as {written}"
                    ));
                    self.adopt(written);
                }
                Some(_) => {}
                None => {
                    self.note = Some(format!(
                        "the answer's format is {written} (told by its first chunk)"
                    ));
                    self.adopt(written);
                }
            }
        }
        if let Some(decoder) = &mut self.decoder {
            decoder
                .decode(chunk)
                .map_err(|e| BedrockError::MalformedResponse(e.to_string()))
        } else {
            if self.note.is_none() && !self.told {
                self.told = true;
                self.note = Some(
                    "the answer's format is unknown; shown as the raw JSON of each chunk"
                        .to_string(),
                );
            }
            Ok(ChunkDelta {
                text: format!("{}\n", String::from_utf8_lossy(chunk)),
                ..ChunkDelta::default()
            })
        }
    }

    fn adopt(&mut self, family: FamilyId) {
        self.family = Some(family);
        self.decoder = Some(
            StreamDecoder::new(family)
                .with_calls_as_text(self.calls_as_text && family == FamilyId::Llama3),
        );
    }

    fn finish(&mut self) -> ChunkDelta {
        self.decoder
            .as_mut()
            .map(StreamDecoder::finish)
            .unwrap_or_default()
    }
}

/// Reads a whole non-streamed answer; its text counts as arriving with the end of the body.
fn read_body<F>(
    response: &InvokeResponse,
    calls_as_text: bool,
    outcome: &mut Outcome,
    on_event: &mut F,
) where
    F: FnMut(Event<'_>),
{
    let (meta, body, arrived) = (&response.meta, &response.body, response.total);
    outcome.figures.add_response(meta);
    on_event(Event::Response(meta));
    on_event(Event::Body(body));
    outcome.meta = Some(meta.clone());
    // A picture asked for as itself (`Accept: image/png`) comes back as its bytes.
    if meta
        .content_type
        .as_deref()
        .is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("image/"))
    {
        outcome.images.push(body.to_vec());
        return;
    }
    let shape = detect::json_object(body);
    let written = shape.as_ref().and_then(detect::of_response);
    let family = match (outcome.reader, written) {
        (Some(expected), Some(written)) if !detect::reads_alike(expected, written) => {
            outcome.notes.push(format!(
                "the answer is in the {written} format, not {expected}; read as {written}"
            ));
            Some(written)
        }
        (Some(expected), _) => Some(expected),
        (None, Some(written)) => {
            outcome.notes.push(format!(
                "the answer's format is {written} (told by its shape)"
            ));
            Some(written)
        }
        (None, None) => None,
    };
    for note in &outcome.notes {
        on_event(Event::Note(note));
    }
    outcome.reader = family;
    let Some(family) = family else {
        let note = "the answer's format is unknown; shown as it came".to_string();
        on_event(Event::Note(&note));
        outcome.notes.push(note);
        let delta = ChunkDelta {
            text: String::from_utf8_lossy(body).into_owned(),
            ..ChunkDelta::default()
        };
        outcome.take(&delta, arrived);
        on_event(Event::Delta(&delta, arrived));
        return;
    };
    match family.adapter().parse_response(body) {
        Ok(mut completion) => {
            if calls_as_text
                && let Some(calls) = crate::models::tool_text::calls_in(&completion.text)
            {
                completion.text.clear();
                completion.tool_calls = calls;
            }
            let delta = ChunkDelta {
                text: completion.text,
                reasoning: completion.reasoning,
                stop_reason: completion.stop_reason,
                usage: completion.usage,
                metrics: None,
                ended: true,
                guardrail: crate::models::guardrail::read(body).map(Box::new),
                tool_calls: completion.tool_calls,
                signed: completion.signed,
            };
            outcome.embeddings = completion.embeddings;
            outcome.images = completion.images;
            outcome.take(&delta, arrived);
            on_event(Event::Delta(&delta, arrived));
        }
        Err(e) => outcome.error = Some(BedrockError::MalformedResponse(e.to_string())),
    }
}
