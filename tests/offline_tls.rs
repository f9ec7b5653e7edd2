//! The online engine on securely generated preprocessing over loopback mutual TLS: every
//! party is a [`spdz2k::Node`], opens one TLS session, runs the OT-based SPDZ2k offline phase
//! ([`generate_secure`]) over that session for exactly what a random circuit consumes, then
//! evaluates the circuit over the same session on that material. The opened outputs must
//! equal the plaintext evaluation, for n = 2 and 3 and two parameter sets.

use spdz2k::layers::ring::HasCheckRing;
use spdz2k::{
    K32S32, K64S64, Party, Preprocessing, SessionId, SessionSpec, Transport, generate_secure,
};
use std::sync::Arc;
use std::time::Duration;

// The random circuits are the engine's in-memory suite's, shared so every suite tests the
// same thing.
use spdz2k_testkit::Cluster;
use spdz2k_testkit::circuit::{MUL_DEPTH, WIDTH, evaluate, plaintext, random_circuit};

/// Bound on every network wait (connection set-up and every receive). Generous for CI.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Items per offline batch: small, so that every kind spans several batches and the
/// pipelined groups of batches are exercised (the circuits take about 1,600 triples).
const BATCH: usize = 500;

/// One run of a random circuit on `cluster`, on material generated over the run's own TLS
/// session; checks the outputs against plaintext and the offline phase's traffic.
async fn check_circuit<P: HasCheckRing>(cluster: &Cluster, seed: u64) {
    let n = cluster.n();
    let c = Arc::new(random_circuit::<P>(n, WIDTH, MUL_DEPTH, seed));
    let (expect, expect_dot) = plaintext(&c);
    let counts = c.needs();
    let triples = counts.triples;
    let sid = format!("offline-circuit-{}-n{n}", P::NAME);
    let spec = SessionSpec::new(
        SessionId::new(&sid).unwrap(),
        P::id(),
        n,
        "offline-tls-test",
    );
    let runs = cluster
        .on_sessions(spec, move |i, mut transport| {
            let (c, counts) = (c.clone(), counts.clone());
            async move {
                let store = generate_secure::<P, _>(&mut transport, &counts, BATCH)
                    .await
                    .map_err(|e| e.to_string())?;
                let offline_bytes = transport.stats().bytes_sent;
                let key_set = store.key_set_id();
                let session = Party::new(store)
                    .join(transport)
                    .map_err(|e| e.to_string())?;
                let (outs, dot, report) =
                    evaluate(i, session, c).await.map_err(|e| e.to_string())?;
                Ok::<_, String>((outs, dot, report, offline_bytes, key_set))
            }
        })
        .await;
    let mut key_sets = Vec::new();
    for (i, run) in runs.into_iter().enumerate() {
        let (outs, dot, report, offline_bytes, key_set) =
            run.unwrap_or_else(|e| panic!("{sid}: {e}"));
        assert_eq!(outs, expect, "{sid} party {i}: opened outputs differ");
        assert_eq!(dot, expect_dot, "{sid} party {i}: dot product differs");
        // The material really was generated over this session (base OTs, OT extension,
        // Gilboa, VOLE: far more than the online phase sends), and the outputs checked.
        assert!(
            offline_bytes > 100 * triples && report.bytes_sent > offline_bytes,
            "{sid} party {i}: offline {offline_bytes} bytes, {report:?}"
        );
        assert!(
            report.checks >= 1 && report.values_checked > 0,
            "{report:?}"
        );
        key_sets.push(key_set);
    }
    // One key set, agreed by coin toss, for all parties.
    assert!(key_sets.windows(2).all(|w| w[0] == w[1]), "{key_sets:?}");
}

async fn circuits_for(n: usize) {
    let cluster = Cluster::start(n, TIMEOUT).await;
    let base = 1000 + 100 * n as u64;
    check_circuit::<K64S64>(&cluster, base + 1).await;
    check_circuit::<K32S32>(&cluster, base + 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_circuits_on_secure_material_match_plaintext_over_tls_two_parties() {
    circuits_for(2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_circuits_on_secure_material_match_plaintext_over_tls_three_parties() {
    circuits_for(3).await;
}
