//! n parties as tokio tasks over the in-memory mesh ([`MemoryMesh`]).
//!
//! [`on_mesh`] runs any per-party body over its [`MemoryTransport`]; [`run_sessions`] starts an
//! engine [`Session`] per party on the given preprocessing; [`run_parties`] does so on the
//! INSECURE dealer under a fresh key set. Results come back in party order.

use spdz2k_engine::{EngineError, Session, SessionOptions};
use spdz2k_net::{MemoryMesh, MemoryTransport};
use spdz2k_prep::{InsecureDealerSource, Preprocessing};
use spdz2k_ring::Params;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// An engine session over the mesh on INSECURE dealer preprocessing.
pub type TestSession<P> = Session<P, MemoryTransport, InsecureDealerSource<P>>;

/// The bound on every network wait of [`run_parties`] and [`run_sessions`].
pub const MESH_TIMEOUT: Duration = Duration::from_secs(10);

/// A dealer seed never used before in this process: a run whose check fails retires its
/// key set, so every run deals under its own (`seed` stays recognisable in the first byte).
pub fn fresh_dealer_seed(seed: u8) -> [u8; 32] {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let mut s = [seed; 32];
    s[1..9].copy_from_slice(&RUNS.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    s
}

/// `n` connected transports in session `sid`, every wait bounded by [`MESH_TIMEOUT`], for a
/// test that drives the parties itself.
pub fn transports(n: usize, sid: &str) -> Vec<MemoryTransport> {
    MemoryMesh::connect(n, crate::sid(sid), MESH_TIMEOUT)
}

/// Connects `n` parties in session `sid` (every wait bounded by `timeout`) and runs
/// `body(i, transport)` for each as its own task; returns the results in party order.
/// Panics if a party's task panicked.
pub async fn on_mesh<R, F, Fut>(n: usize, sid: &str, timeout: Duration, body: F) -> Vec<R>
where
    R: Send + 'static,
    F: Fn(usize, MemoryTransport) -> Fut,
    Fut: Future<Output = R> + Send + 'static,
{
    let handles: Vec<_> = MemoryMesh::connect(n, crate::sid(sid), timeout)
        .into_iter()
        .enumerate()
        .map(|(i, t)| tokio::spawn(body(i, t)))
        .collect();
    let mut out = Vec::with_capacity(n);
    for (i, h) in handles.into_iter().enumerate() {
        out.push(h.await.unwrap_or_else(|e| panic!("party {i}'s task: {e}")));
    }
    out
}

/// Runs `body` for each party on an engine session over the mesh (session `sid`), party i
/// on `preps[i]`; a session that fails to start is that party's result.
pub async fn run_sessions<P, Pr, R, F, Fut>(
    sid: &str,
    preps: Vec<Pr>,
    options: SessionOptions,
    body: F,
) -> Vec<Result<R, EngineError>>
where
    P: Params,
    Pr: Preprocessing<P> + 'static,
    R: Send + 'static,
    F: Fn(usize, Session<P, MemoryTransport, Pr>) -> Fut,
    Fut: Future<Output = Result<R, EngineError>> + Send + 'static,
{
    let n = preps.len();
    let sessions: Vec<_> = transports(n, sid)
        .into_iter()
        .zip(preps)
        .map(|(t, prep)| Session::new(t, prep, options.clone()))
        .collect();
    let handles: Vec<_> = sessions
        .into_iter()
        .enumerate()
        .map(|(i, s)| match s {
            Ok(s) => tokio::spawn(body(i, s)),
            Err(e) => tokio::spawn(async move { Err(e) }),
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    for (i, h) in handles.into_iter().enumerate() {
        out.push(h.await.unwrap_or_else(|e| panic!("party {i}'s task: {e}")));
    }
    out
}

/// Runs `body` for each of `n` parties concurrently on engine sessions over the mesh with
/// INSECURE dealer preprocessing under a fresh key set ([`fresh_dealer_seed`]`(seed)`), in
/// session `test-<seed>`; returns each party's result in order.
pub async fn run_parties<P: Params, R: Send + 'static, F, Fut>(
    n: usize,
    seed: u8,
    options: SessionOptions,
    body: F,
) -> Vec<Result<R, EngineError>>
where
    F: Fn(usize, TestSession<P>) -> Fut,
    Fut: Future<Output = Result<R, EngineError>> + Send + 'static,
{
    let dealer_seed = fresh_dealer_seed(seed);
    let preps = (0..n)
        .map(|i| InsecureDealerSource::<P>::new(i, n, dealer_seed).expect("a valid party index"))
        .collect();
    run_sessions(&format!("test-{seed}"), preps, options, body).await
}
