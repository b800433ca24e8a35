//! The emulator's guard against clients that hold on: a cap on open connections (the accept
//! loop waits for a free place), a pause after an accept error (at file-descriptor exhaustion
//! `accept` fails at once, and retrying at once would spin), a header-read timeout, and an idle
//! limit that closes a connection on which nothing moved in either direction.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Limits on the connections the emulator keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Connections open at once; more wait to be accepted.
    pub max_connections: usize,
    /// Time a client has to send a request's headers.
    pub header_read: Duration,
    /// Time a connection may go with no byte in either direction (a stalled stream of the
    /// `stall` fault counts: it is closed after this too).
    pub idle: Duration,
    /// Pause after an accept error before accepting again.
    pub accept_pause: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 512,
            header_read: Duration::from_secs(30),
            idle: Duration::from_mins(5),
            accept_pause: Duration::from_millis(100),
        }
    }
}

/// A connection's IO that notes when bytes last moved, for the idle limit.
pub(crate) struct Watched<T> {
    inner: T,
    last: Arc<AtomicU64>,
    started: Instant,
}

impl<T> Watched<T> {
    /// Wraps `inner`; the returned clock reads the milliseconds since the start at which bytes
    /// last moved.
    pub(crate) fn new(inner: T) -> (Watched<T>, Activity) {
        let last = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        (
            Watched {
                inner,
                last: last.clone(),
                started,
            },
            Activity { last, started },
        )
    }

    fn touch(&self) {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(now, Ordering::Relaxed);
    }
}

/// When a watched connection last moved bytes.
pub(crate) struct Activity {
    last: Arc<AtomicU64>,
    started: Instant,
}

impl Activity {
    /// Time since bytes last moved.
    pub(crate) fn idle_for(&self) -> Duration {
        let last = Duration::from_millis(self.last.load(Ordering::Relaxed));
        self.started.elapsed().saturating_sub(last)
    }

    /// Resolves once the connection has been idle for `limit`.
    pub(crate) async fn idle_past(&self, limit: Duration) {
        while let Some(left) = limit.checked_sub(self.idle_for()).filter(|d| !d.is_zero()) {
            tokio::time::sleep(left).await;
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.touch();
        }
        result
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        result
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
