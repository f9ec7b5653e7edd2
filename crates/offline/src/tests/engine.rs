//! The engine's random-circuit suite on material from the offline phase, over the
//! in-memory mesh, for n = 2 and 3.

use crate::ot::InsecureIdealOt;
use spdz2k_engine::{Session, SessionOptions};
use spdz2k_net::Transport;
use spdz2k_prep::{PrepCounts, Preprocessing};
use spdz2k_ring::{HasCheckRing, K32S32, K64S64};
use spdz2k_testkit::circuit::{MUL_DEPTH, WIDTH, evaluate, plaintext, random_circuit};
use spdz2k_testkit::on_mesh;
use std::sync::Arc;
use std::time::Duration;

/// The bound on every network wait.
const TIMEOUT: Duration = Duration::from_secs(60);

async fn circuit_on_offline_material<P: HasCheckRing>(n: usize, seed: u64) {
    let c = Arc::new(random_circuit::<P>(n, WIDTH, MUL_DEPTH, seed));
    let (expect_outs, expect_dot) = plaintext(&c);
    let sid = format!("offline-engine-{seed}");
    let counts = PrepCounts {
        triples: 2400,
        randoms: 8,
        open_masks: 400,
        input_masks: vec![WIDTH as u64; n],
    };
    let results = on_mesh(n, &sid, TIMEOUT, |i, mut t| {
        let c = c.clone();
        let counts = counts.clone();
        async move {
            let ot = InsecureIdealOt::new(i, [seed as u8; 32]);
            let store = crate::generate::<P, _, _>(&mut t, ot, &counts, 1024)
                .await
                .expect("offline phase");
            let sent = t.stats().bytes_sent;
            assert_eq!(store.available().triples, 2400);
            let s = Session::new(t, store, SessionOptions::default()).expect("session");
            (evaluate(i, s, c).await, sent)
        }
    })
    .await;
    for (i, (r, sent)) in results.into_iter().enumerate() {
        let (outs, dot, report) = r.unwrap_or_else(|e| panic!("{} n={n} party {i}: {e}", P::NAME));
        assert_eq!(outs, expect_outs, "{} n={n} party {i}", P::NAME);
        assert_eq!(dot, expect_dot, "{} n={n} party {i}", P::NAME);
        assert!(report.checks >= 1);
        assert!(sent > 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_circuits_run_on_offline_material() {
    circuit_on_offline_material::<K64S64>(2, 31).await;
    circuit_on_offline_material::<K64S64>(3, 32).await;
    circuit_on_offline_material::<K32S32>(3, 33).await;
}

/// Over the mesh, a cheater's bad coin opening makes every honest party abort with a typed
/// cause (not a timeout), and the driver refuses the retired key set afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_driver_aborts_every_honest_party_with_a_typed_cause() {
    use crate::{BatchKind, CheckKind, OfflineError, TamperHook};
    struct BadSeed;
    impl TamperHook<K32S32> for BadSeed {
        fn message(&mut self, _: u64, flight: u8, _: usize, part: usize, bytes: &mut Vec<u8>) {
            if flight == 4 && part == 0 {
                bytes[0] ^= 1;
            }
        }
    }
    let results = on_mesh(3, "offline-driver-abort", TIMEOUT, |i, mut t| async move {
        let ot = InsecureIdealOt::new(i, [9; 32]);
        let mut keys = crate::setup_key_set::<K32S32, _, _>(&mut t, ot).await?;
        if i == 0 {
            keys.set_tamper(Box::new(BadSeed));
        }
        let kinds = [
            BatchKind::Triples(8),
            BatchKind::Triples(8),
            BatchKind::Randoms(4),
        ];
        let r = crate::run_batches(&mut keys, &mut t, &kinds).await;
        if r.is_err() && i != 0 {
            let again = crate::run_batches(&mut keys, &mut t, &kinds).await;
            assert!(
                matches!(again, Err(OfflineError::Retired { .. })),
                "{again:?}"
            );
        }
        r.map(|m| m.len())
    })
    .await;
    for (i, r) in results.into_iter().enumerate().skip(1) {
        let e = r.expect_err("honest party aborts");
        assert_eq!(e.check(), Some(CheckKind::CoinToss), "party {i}: {e}");
        assert!(e.to_string().contains("offline-driver-abort"), "{e}");
    }
}
