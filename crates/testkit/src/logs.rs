//! Log capture: a test waits for a specific log line instead of sleeping.

use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// Log capture: every formatted log line is sent to a channel, so a test can wait for a
/// specific line (instead of sleeping). Works with `#[tokio::test]` (one thread).
pub struct Logs {
    rx: UnboundedReceiver<String>,
    _guard: tracing::subscriber::DefaultGuard,
}

#[derive(Clone)]
struct LineWriter(UnboundedSender<String>);

impl std::io::Write for LineWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = self.0.send(String::from_utf8_lossy(buf).into_owned());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    /// Installs the capture as this thread's default subscriber (INFO and above) until the
    /// returned value is dropped.
    pub fn capture() -> Self {
        let (tx, rx) = unbounded_channel();
        let writer = LineWriter(tx);
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || writer.clone())
            .finish();
        Logs {
            rx,
            _guard: tracing::subscriber::set_default(subscriber),
        }
    }

    /// Waits up to `wait` for a line containing every one of `needles`; returns it.
    pub async fn wait_for(&mut self, needles: &[&str], wait: Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(line)) if needles.iter().all(|n| line.contains(n)) => return Some(line),
                Ok(Some(_)) => continue,
                _ => return None,
            }
        }
    }
}
