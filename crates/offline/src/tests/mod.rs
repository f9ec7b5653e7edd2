//! Tests: honest runs, exact bytes, cheating parties. Parties are stepped in one thread
//! (the sans-IO machines need no transport).

mod cheating;
mod engine;
mod honest;

use crate::ot::InsecureIdealOt;
use crate::{Batch, BatchKind, KeySet, KeySetup, Material, OfflineError, PeerMessages, Progress};
use spdz2k_core::rng::seeded_rng;
use spdz2k_core::{AuthShares, SessionId, macs_consistent, reconstruct};
use spdz2k_ring::{HasCheckRing, Params, Word};

pub(crate) type Keys<P> = KeySet<P, InsecureIdealOt>;

fn deliver(flights: &[Option<PeerMessages>], to: usize) -> PeerMessages {
    flights
        .iter()
        .map(|f| f.as_ref().and_then(|msgs| msgs[to].clone()))
        .collect()
}

fn seed_bytes(seed: u64, tag: u8) -> [u8; 32] {
    let mut b = [tag; 32];
    b[..8].copy_from_slice(&seed.to_le_bytes());
    b
}

/// Key sets for `n` parties (setup run in lockstep).
pub(crate) fn setup<P: HasCheckRing>(n: usize, seed: u64) -> Vec<Keys<P>> {
    let sid = SessionId::new(format!("offline-test-{seed}")).unwrap();
    let mut setups = Vec::new();
    let mut flights = Vec::new();
    for i in 0..n {
        let (s, out) =
            KeySetup::start(i, n, sid.clone(), seeded_rng(seed_bytes(seed, i as u8 + 1))).unwrap();
        setups.push(s);
        flights.push(Some(out));
    }
    let mut next = Vec::new();
    for (i, s) in setups.iter_mut().enumerate() {
        next.push(Some(s.receive_commitments(&deliver(&flights, i)).unwrap()));
    }
    setups
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            s.finish::<P, _, crate::ot::ChaChaPrg>(
                &deliver(&next, i),
                InsecureIdealOt::new(i, seed_bytes(seed, 0)),
            )
            .unwrap()
        })
        .collect()
}

/// The outcome of one party's batch: material, an error, or still waiting when the run
/// stopped because some party failed.
#[derive(Debug)]
pub(crate) enum Outcome<P: HasCheckRing> {
    Done(Material<P>, u64),
    Failed(OfflineError),
    Waiting,
}

/// Runs one batch of `kind` at every party in lockstep until all finish or some fail.
pub(crate) fn run_batch<P: HasCheckRing>(keys: &mut [Keys<P>], kind: BatchKind) -> Vec<Outcome<P>> {
    run_batches(keys, &[kind]).remove(0)
}

/// Runs several batches at once (all in flight together, stepped in the same order at
/// every party) until all finish or some party fails; result [batch][party].
pub(crate) fn run_batches<P: HasCheckRing>(
    keys: &mut [Keys<P>],
    kinds: &[BatchKind],
) -> Vec<Vec<Outcome<P>>> {
    let n = keys.len();
    let mut batches: Vec<Vec<Option<Batch<P>>>> = Vec::new();
    let mut flights: Vec<Vec<Option<PeerMessages>>> = Vec::new();
    for &kind in kinds {
        let (mut bs, mut fs) = (Vec::new(), Vec::new());
        for k in keys.iter_mut() {
            let (b, f) = Batch::start(k, kind).unwrap_or_else(|e| panic!("start failed: {e}"));
            bs.push(Some(b));
            fs.push(Some(f.msgs));
        }
        batches.push(bs);
        flights.push(fs);
    }
    let mut out: Vec<Vec<Outcome<P>>> = kinds
        .iter()
        .map(|_| (0..n).map(|_| Outcome::Waiting).collect())
        .collect();
    let mut rounds_after_failure = 0;
    loop {
        let mut failed = false;
        for (j, bs) in batches.iter_mut().enumerate() {
            let mut next = Vec::new();
            for i in 0..n {
                let msgs = deliver(&flights[j], i);
                let Some(b) = bs[i].take() else {
                    next.push(None);
                    continue;
                };
                let sent = b.bytes_sent();
                match b.receive(&mut keys[i], msgs) {
                    Ok(Progress::Send(b, f)) => {
                        bs[i] = Some(b);
                        next.push(Some(f.msgs));
                    }
                    Ok(Progress::Done(m)) => {
                        out[j][i] = Outcome::Done(m, sent);
                        next.push(None);
                    }
                    Err(e) => {
                        // The failing party tells every peer (the driver does the same).
                        let notice = e.notice();
                        next.push(
                            notice.map(|f| (0..n).map(|p| (p != i).then(|| f.clone())).collect()),
                        );
                        out[j][i] = Outcome::Failed(e);
                        failed = true;
                    }
                }
            }
            flights[j] = next;
        }
        if batches.iter().flatten().all(Option::is_none) || rounds_after_failure > 12 {
            return out;
        }
        if failed || rounds_after_failure > 0 {
            rounds_after_failure += 1;
        }
    }
}

/// The global MAC key, as an element of Z_2^(k+s) of P.
pub(crate) fn alpha<P: HasCheckRing>(keys: &[Keys<P>]) -> P::Word {
    keys.iter().fold(<P::Word as Word>::ZERO, |a, k| {
        P::add(a, k.mac_key_share().expose())
    })
}

pub(crate) fn done<P: HasCheckRing>(outs: Vec<Outcome<P>>) -> Vec<(Material<P>, u64)> {
    outs.into_iter()
        .enumerate()
        .map(|(i, o)| match o {
            Outcome::Done(m, b) => (m, b),
            other => panic!("{} party {i}: {other:?}", P::NAME),
        })
        .collect()
}

/// Asserts every MAC sum equals alpha times the secret.
pub(crate) fn assert_macs<P: Params>(shares: &[AuthShares<P>], alpha: P::Word) {
    assert!(
        macs_consistent(shares, alpha),
        "{}: a MAC sum differs from alpha * x",
        P::NAME
    );
}

/// Reconstructs and checks triples; returns the a values.
pub(crate) fn check_triples<P: HasCheckRing>(
    mats: Vec<Material<P>>,
    alpha: P::Word,
) -> Vec<P::Word> {
    let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
    for m in mats {
        let Material::Triples(t) = m else {
            panic!("not triples")
        };
        a.push(t.a);
        b.push(t.b);
        c.push(t.c);
    }
    let (va, vb, vc) = (reconstruct(&a), reconstruct(&b), reconstruct(&c));
    for ((x, y), z) in va.iter().zip(&vb).zip(&vc) {
        assert_eq!(P::mul(*x, *y), *z, "{}: c != ab", P::NAME);
    }
    for s in [&a, &b, &c] {
        assert_macs(s, alpha);
    }
    va
}
