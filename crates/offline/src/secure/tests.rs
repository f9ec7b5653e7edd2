//! The offline phase on real OT over the in-memory mesh: honest runs (c = ab, MACs, input
//! masks known to their owner only), the engine's random circuits, and a corrupted OT
//! extension message that retires the key set at every honest party.

use super::*;
use crate::tests::{assert_macs, check_triples};
use spdz2k_core::{SessionId, reconstruct};
use spdz2k_engine::{Session, SessionOptions};
use spdz2k_net::{MemoryTransport, TrafficStats};
use spdz2k_prep::Preprocessing;
use spdz2k_ring::{K32S32, K64S64, Params, Word};
use spdz2k_testkit::circuit::{MUL_DEPTH, WIDTH, evaluate, plaintext, random_circuit};
use spdz2k_testkit::on_mesh;
use std::sync::Arc;
use std::time::Duration;

/// The bound on every network wait (real OT is slow unoptimised).
const TIMEOUT: Duration = Duration::from_secs(120);

/// Material of one party, by pool, and its MAC key share.
type Collected<P> = (Vec<(PrepKind, Material<P>)>, <P as Params>::Word, u64);

async fn run_parties<P: HasCheckRing>(
    n: usize,
    counts: PrepCounts,
    name: &str,
) -> Vec<Collected<P>> {
    on_mesh(n, name, TIMEOUT, |_, mut t| {
        let counts = counts.clone();
        async move {
            let mut got = Vec::new();
            let off = generate_with::<P, _, _>(&mut t, &counts, 64, |k, m| {
                got.push((k, m));
                Ok(())
            })
            .await
            .expect("offline phase on real OT");
            assert!(off.ot_bytes_sent() > 0);
            (
                got,
                off.key_set().mac_key_share().expose(),
                t.stats().bytes_sent,
            )
        }
    })
    .await
}

async fn honest<P: HasCheckRing>(n: usize, name: &str) {
    let counts = PrepCounts {
        triples: 100,
        randoms: 5,
        open_masks: 3,
        input_masks: (0..n as u64).map(|i| i + 2).collect(),
    };
    let parties = run_parties::<P>(n, counts.clone(), name).await;
    let alpha = parties
        .iter()
        .fold(<P::Word as Word>::ZERO, |a, p| P::add(a, p.1));
    let batches = parties[0].0.len();
    assert_eq!(batches, plan(&counts, 64).len());
    let mut triples = 0;
    for b in 0..batches {
        let kind = parties[0].0[b].0;
        let mats: Vec<&Material<P>> = parties.iter().map(|p| &p.0[b].1).collect();
        match kind {
            PrepKind::Triples => {
                let owned = mats
                    .iter()
                    .map(|m| match m {
                        Material::Triples(t) => Material::Triples(t.clone()),
                        _ => panic!("not triples"),
                    })
                    .collect();
                triples += check_triples::<P>(owned, alpha).len();
            }
            PrepKind::Randoms | PrepKind::OpenMasks => {
                let shares: Vec<_> = mats
                    .iter()
                    .map(|m| match m {
                        Material::Randoms(r) => r.clone(),
                        _ => panic!("not randoms"),
                    })
                    .collect();
                assert_macs(&shares, alpha);
            }
            PrepKind::InputMasks { owner } => {
                let mut shares = Vec::new();
                let mut clear = None;
                for (i, m) in mats.iter().enumerate() {
                    let Material::InputMasks { owner: o, masks } = m else {
                        panic!("not input masks")
                    };
                    assert_eq!(*o, owner);
                    assert_eq!(masks.clear.is_some(), i == owner, "only the owner knows r");
                    clear = clear.or(masks.clear.clone());
                    shares.push(masks.shares.clone());
                }
                assert_eq!(Some(reconstruct(&shares)), clear);
                assert_macs(&shares, alpha);
            }
        }
    }
    assert_eq!(triples, 100, "{} n={n}", P::NAME);
}

// Every parameter set (from the one list in the ring crate) for n = 2, 3 and 5, on real
// OT: c = ab, every MAC sum alpha*x, input masks known to their owner only.
macro_rules! real_ot_suites {
    ($($name:ident: ($k:expr, $s:expr, $w:ty, $doc:literal) => $check:ident: ($ck:expr, $cw:ty);)*) => {
        #[allow(non_snake_case)]
        mod honest_on_real_ot {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    use spdz2k_ring::$name as P;
                    for n in [2, 3, 5] {
                        honest::<P>(n, &format!("real-ot-{}-{n}", stringify!($name))).await;
                    }
                }
            )*
        }
    };
}
spdz2k_ring::with_params_sets!(real_ot_suites);

async fn circuit_on_secure_material<P: HasCheckRing>(n: usize, seed: u64) {
    let c = Arc::new(random_circuit::<P>(n, WIDTH, MUL_DEPTH, seed));
    let (expect_outs, expect_dot) = plaintext(&c);
    let sid = format!("real-ot-engine-{seed}");
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
            let store = generate_secure::<P, _>(&mut t, &counts, 1024)
                .await
                .expect("offline phase");
            assert_eq!(store.available().triples, 2400);
            let s = Session::new(t, store, SessionOptions::default()).expect("session");
            evaluate(i, s, c).await
        }
    })
    .await;
    for (i, r) in results.into_iter().enumerate() {
        let (outs, dot, report) = r.unwrap_or_else(|e| panic!("{} n={n} party {i}: {e}", P::NAME));
        assert_eq!(outs, expect_outs, "{} n={n} party {i}", P::NAME);
        assert_eq!(dot, expect_dot, "{} n={n} party {i}", P::NAME);
        assert!(report.checks >= 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_circuits_run_on_material_from_real_ot() {
    circuit_on_secure_material::<K64S64>(2, 41).await;
    circuit_on_secure_material::<K32S32>(3, 42).await;
}

/// A transport that inverts the tail (from byte `byte`) of the `nth` message it sends during
/// the OT extension.
struct FlipInExtension {
    inner: MemoryTransport,
    phase: &'static str,
    seen: usize,
    nth: usize,
    byte: usize,
}

impl spdz2k_net::Transport for FlipInExtension {
    fn party(&self) -> usize {
        self.inner.party()
    }
    fn n_parties(&self) -> usize {
        self.inner.n_parties()
    }
    fn session_id(&self) -> &SessionId {
        self.inner.session_id()
    }
    fn begin_round(&mut self, phase: &'static str) {
        self.phase = phase;
        self.inner.begin_round(phase);
    }
    async fn send(&mut self, to: usize, mut msg: Vec<u8>) -> Result<(), NetError> {
        if self.phase == "offline: OT extension" {
            if self.seen == self.nth {
                // Every byte from `byte` on: a single flipped matrix bit has no effect
                // when the sender's d bits of Delta for that group are all zero (1 in 2^d).
                let at = self.byte.min(msg.len() - 1);
                for b in &mut msg[at..] {
                    *b ^= 0xFF;
                }
            }
            self.seen += 1;
        }
        self.inner.send(to, msg).await
    }
    async fn recv(&mut self, from: usize) -> Result<Vec<u8>, NetError> {
        self.inner.recv(from).await
    }
    fn stats(&self) -> TrafficStats {
        self.inner.stats()
    }
}

/// Party 0 corrupts its n-th extension message (the matrix of its second chunk, or the
/// check values of its first); every other party stops with a typed cause naming the OT
/// layer or party 0's abort, and its key set refuses further use.
async fn corrupted_extension(nth: usize, byte: usize, name: &str) {
    let n = 3;
    let results = on_mesh(n, name, TIMEOUT, |i, t| async move {
        let mut t = FlipInExtension {
            inner: t,
            phase: "",
            seen: 0,
            nth: if i == 0 { nth } else { usize::MAX },
            byte,
        };
        let mut off = SecureOffline::<K32S32>::setup(&mut t, DEFAULT_VARIANT)
            .await
            .expect("setup");
        let kinds = [BatchKind::Triples(400), BatchKind::Triples(400)];
        let r = off.run(&mut t, &kinds).await;
        let again = off.run(&mut t, &kinds[..1]).await;
        (
            r.map(|m| m.len()),
            again.map(|m| m.len()),
            off.key_set().retired(),
        )
    })
    .await;
    for (i, (r, again, retired)) in results.into_iter().enumerate() {
        if i == 0 {
            continue;
        }
        let e = r.expect_err("an honest party aborts");
        assert!(
            matches!(e.check(), Some(CheckKind::Ot | CheckKind::PeerAbort)),
            "party {i}: {e}"
        );
        assert!(e.to_string().contains(name), "{e}");
        assert!(retired.is_some(), "party {i}: key set retired");
        assert!(
            matches!(again, Err(OfflineError::Retired { .. })),
            "party {i}: {again:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupted_check_value_retires_the_key_set_everywhere() {
    // Party 0's messages in the first chunk: matrix to 1, matrix to 2, seed to 1, seed to 2,
    // then (after the second chunk's matrices) its check messages: flip x~ in the first.
    corrupted_extension(6, 18 + 40, "real-ot-bad-check").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupted_matrix_retires_the_key_set_everywhere() {
    corrupted_extension(0, 18 + 32 + 5, "real-ot-bad-matrix").await;
}
