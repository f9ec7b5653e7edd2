//! A node's background tasks, and stopping them without cutting off the last messages.

use std::future::Future;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::{Instant, timeout_at};
use tracing::Instrument;

/// How long a stopping node waits for its connections to close cleanly: writers send what
/// is queued and TLS close_notify, then readers wait for the peer's close_notify. Only small
/// frames are queued by then (the closing handshake has confirmed everything else), so this
/// bound matters only for a peer that is dead or stopped.
pub(crate) const LINGER: Duration = Duration::from_millis(750);

/// Background tasks of a node. Connection writers and readers are kept apart so that a
/// graceful stop can let writers drain what is queued, and readers see the peer's
/// close_notify, before everything else is aborted.
pub(crate) struct Tasks {
    all: Mutex<JoinSet<()>>,
    writers: Mutex<JoinSet<()>>,
    readers: Mutex<JoinSet<()>>,
    closing: watch::Sender<bool>,
    /// The log span every task runs in (a node's, or a client's session).
    pub span: tracing::Span,
}

impl Tasks {
    /// No tasks yet; each one will run in `span`.
    pub fn in_span(span: tracing::Span) -> Self {
        Self {
            span,
            ..Self::default()
        }
    }
}

impl Default for Tasks {
    fn default() -> Self {
        Self {
            span: tracing::Span::none(),
            all: Mutex::default(),
            writers: Mutex::default(),
            readers: Mutex::default(),
            closing: watch::channel(false).0,
        }
    }
}

fn lock(set: &Mutex<JoinSet<()>>) -> MutexGuard<'_, JoinSet<()>> {
    set.lock().unwrap_or_else(|e| e.into_inner())
}

impl Tasks {
    pub fn spawn(&self, fut: impl Future<Output = ()> + Send + 'static) {
        let mut set = lock(&self.all);
        while set.try_join_next().is_some() {}
        set.spawn(fut.instrument(self.span.clone()));
    }
    /// Spawns a connection reader (kept running while a stopping node lingers).
    pub fn spawn_reader(&self, fut: impl Future<Output = ()> + Send + 'static) {
        let mut set = lock(&self.readers);
        while set.try_join_next().is_some() {}
        set.spawn(fut.instrument(self.span.clone()));
    }
    /// Spawns a connection writer; it gets the signal that tells it to drain and stop.
    pub fn spawn_writer<F, Fut>(&self, make: F)
    where
        F: FnOnce(watch::Receiver<bool>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let fut = make(self.closing.subscribe());
        let mut set = lock(&self.writers);
        while set.try_join_next().is_some() {}
        set.spawn(fut.instrument(self.span.clone()));
    }
    pub fn abort_all(&self) {
        lock(&self.all).abort_all();
        lock(&self.writers).abort_all();
        lock(&self.readers).abort_all();
    }
    /// Stops accepting and dialling, lets every writer send what is queued (TLS
    /// close_notify after it), lets every reader read up to the peer's close_notify, all
    /// within `linger`, then aborts every task. Without this, the last message of a node
    /// that finishes first could be dropped (or reset away) and its peer would see EOF.
    pub async fn stop_gracefully(&self, linger: Duration) {
        let deadline = Instant::now() + linger;
        let mut others = std::mem::take(&mut *lock(&self.all));
        others.abort_all();
        while others.join_next().await.is_some() {}
        self.closing.send_replace(true);
        for set in [&self.writers, &self.readers] {
            let mut set = std::mem::take(&mut *lock(set));
            let drained =
                timeout_at(deadline, async { while set.join_next().await.is_some() {} }).await;
            if drained.is_err() {
                set.abort_all();
                while set.join_next().await.is_some() {}
            }
        }
        self.abort_all();
    }
    /// For `Drop`, which cannot wait: tells the writers to drain and leaves them and the
    /// readers running (detached) until their connections close; aborts everything else.
    pub fn stop_in_background(&self) {
        self.closing.send_replace(true);
        lock(&self.writers).detach_all();
        lock(&self.readers).detach_all();
        lock(&self.all).abort_all();
    }
}
