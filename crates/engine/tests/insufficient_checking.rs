//! A session dropped with openings no MAC check covered says so loudly (as MP-SPDZ's
//! "insufficient checking" does); a finished session does not.

use spdz2k_engine::{EngineError, SessionOptions};
use spdz2k_ring::{K64S64, Params};
use spdz2k_testkit::run_parties;
use std::sync::{Arc, Mutex};

/// Collects what a `tracing` subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs two parties that multiply once; `finish` decides whether they end the session
/// properly or drop it. Returns the log.
fn run(finish: bool) -> String {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // One thread: the parties' tasks log through this thread's subscriber.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let results = rt.block_on(run_parties::<K64S64, _, _, _>(
        2,
        12,
        SessionOptions::default(),
        move |_, mut s| async move {
            let x = s.constant(&[K64S64::from_i128(3)]);
            s.mul(&x, &x).await?;
            if finish {
                s.finish().await?;
            }
            Ok::<_, EngineError>(())
        },
    ));
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
}

#[test]
fn a_session_dropped_with_unchecked_openings_says_so() {
    let log = run(false);
    assert_eq!(log.matches("insufficient checking").count(), 2, "{log}");
    assert!(log.contains("ERROR"), "{log}");
}

#[test]
fn a_finished_session_does_not() {
    let log = run(true);
    assert!(!log.contains("insufficient checking"), "{log}");
}
