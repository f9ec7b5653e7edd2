//! Shared harness: n parties as tokio tasks over the in-memory mesh.
#![allow(dead_code)]

pub mod cheating;
pub mod circuit;

use spdz2k_core::SessionId;
use spdz2k_engine::{EngineError, Session, SessionOptions};
use spdz2k_net::{MemoryMesh, MemoryTransport};
use spdz2k_prep::InsecureDealerSource;
use spdz2k_ring::Params;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub type TestSession<P> = Session<P, MemoryTransport, InsecureDealerSource<P>>;

/// A dealer seed never used before in this process: a run whose check fails retires its
/// key set, so every run deals under its own (`seed` stays recognisable in the first byte).
pub fn fresh_dealer_seed(seed: u8) -> [u8; 32] {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let mut s = [seed; 32];
    s[1..9].copy_from_slice(&RUNS.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    s
}

/// Runs `body` for each of `n` parties concurrently; returns each party's result in order.
pub async fn run_parties<P, R, F, Fut>(
    n: usize,
    seed: u8,
    options: SessionOptions,
    body: F,
) -> Vec<Result<R, EngineError>>
where
    P: Params,
    R: Send + 'static,
    F: Fn(usize, TestSession<P>) -> Fut,
    Fut: Future<Output = Result<R, EngineError>> + Send + 'static,
{
    let sid = SessionId::new(format!("test-{seed}")).expect("valid session id");
    let mesh = MemoryMesh::connect(n, sid, Duration::from_secs(10));
    let dealer_seed = fresh_dealer_seed(seed);
    let mut handles = Vec::new();
    for (i, t) in mesh.into_iter().enumerate() {
        let prep = InsecureDealerSource::<P>::new(i, n, dealer_seed).expect("valid party index");
        let session = Session::new(t, prep, options.clone()).expect("session starts");
        handles.push(tokio::spawn(body(i, session)));
    }
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("party task did not panic"));
    }
    out
}
