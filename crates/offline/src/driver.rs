//! A thin async driver over [`Transport`]: key-set setup, batches pipelined two at a time,
//! and [`generate`], which fills a [`MemoryStore`] the engine consumes through
//! `Preprocessing`.

use crate::batch::{Batch, BatchKind, Progress};
use crate::collect::{Collected, check_request, plan};
use crate::error::OfflineError;
use crate::flow::Material;
use crate::keyset::{KeySet, KeySetup};
use crate::msg::PeerMessages;
use crate::ot::{ChaChaPrg, OtBackend, Prg};
use spdz2k_net::{NetError, Transport};
use spdz2k_prep::{MemoryStore, PrepCounts};
use spdz2k_ring::HasCheckRing;
use std::collections::VecDeque;

/// Batches kept in flight: while one batch's messages travel, the next one computes.
pub const IN_FLIGHT: usize = 2;
/// The default number of triples per batch.
pub const TRIPLE_BATCH: usize = 4096;

pub(crate) fn net(party: usize) -> impl Fn(NetError) -> OfflineError {
    move |e| OfflineError::Net {
        party,
        source: Box::new(e),
    }
}

/// Sends a flight. A failed send is not reported here: a peer that aborted may already have
/// closed its side, and its abort notice (or the transport error) still arrives on the next
/// receive, which gives the typed cause.
async fn send_all<T: Transport>(t: &mut T, msgs: PeerMessages) -> Result<(), OfflineError> {
    for (p, m) in msgs.into_iter().enumerate() {
        if let Some(m) = m
            && let Err(e) = t.send(p, m).await
        {
            tracing::debug!(party = t.party(), peer = p, error = %e, "offline send failed");
        }
    }
    Ok(())
}

/// Tells every peer that this party failed a check (best effort), then returns the error.
async fn abort<T: Transport>(t: &mut T, e: OfflineError) -> OfflineError {
    if let Some(notice) = e.notice() {
        let _ = t.broadcast(notice).await;
    }
    e
}

/// Runs the key-set setup (a coin toss for the common [`spdz2k_core::KeySetId`], the MAC
/// key share, the VOLE seeds from `ot`).
pub async fn setup_key_set<P: HasCheckRing, O: OtBackend, T: Transport>(
    t: &mut T,
    ot: O,
) -> Result<KeySet<P, O, ChaChaPrg>, OfflineError> {
    setup_key_set_with::<P, O, ChaChaPrg, T>(t, ot).await
}

/// [`setup_key_set`] with the VOLE PRG `G` (the real-OT phase uses the AES PRG).
pub(crate) async fn setup_key_set_with<P: HasCheckRing, O: OtBackend, G: Prg, T: Transport>(
    t: &mut T,
    ot: O,
) -> Result<KeySet<P, O, G>, OfflineError> {
    let (party, n) = (t.party(), t.n_parties());
    let rng = spdz2k_core::rng::secure_rng();
    let (mut setup, out) = KeySetup::start(party, n, t.session_id().clone(), rng)?;
    t.begin_round("offline: key set coin commitments");
    send_all(t, out).await?;
    let got = t.recv_all().await.map_err(net(party))?;
    let out = setup.receive_commitments(&got)?;
    t.begin_round("offline: key set coin openings");
    send_all(t, out).await?;
    let got = t.recv_all().await.map_err(net(party))?;
    setup.finish::<P, O, G>(&got, ot)
}

/// Runs `kinds` in order, at most [`IN_FLIGHT`] at a time; returns their material in the
/// same order. Every party must pass the same `kinds`. On a failed check the key set is
/// retired, every peer is told, and the error names the party, session, batch and check.
pub async fn run_batches<P: HasCheckRing, O: OtBackend, G: Prg, T: Transport>(
    keys: &mut KeySet<P, O, G>,
    t: &mut T,
    kinds: &[BatchKind],
) -> Result<Vec<Material<P>>, OfflineError> {
    let party = t.party();
    let mut queue: VecDeque<(usize, BatchKind)> = kinds.iter().copied().enumerate().collect();
    let mut active: Vec<(usize, Batch<P>, Option<PeerMessages>, &'static str)> = Vec::new();
    let mut out: Vec<Option<Material<P>>> = kinds.iter().map(|_| None).collect();
    loop {
        while active.len() < IN_FLIGHT {
            let Some((i, kind)) = queue.pop_front() else {
                break;
            };
            let (b, f) = Batch::start(keys, kind)?;
            active.push((i, b, Some(f.msgs), f.phase));
        }
        if active.is_empty() {
            break;
        }
        // Send the flights of newly started batches, then take every active batch's reply
        // in order and send its next flight at once: the link carries batch i's flight
        // while this party (and the peer) computes batch i+1, so neither waits for a
        // transfer. The order of flights on every link stays the same at every party.
        for (_, _, msgs, phase) in active.iter_mut() {
            if let Some(m) = msgs.take() {
                t.begin_round(phase);
                send_all(t, m).await?;
            }
        }
        let mut still = Vec::with_capacity(active.len());
        for (i, b, _, _) in active {
            let got = t.recv_all().await.map_err(net(party))?;
            match b.receive(keys, got) {
                Ok(Progress::Send(b, f)) => {
                    t.begin_round(f.phase);
                    send_all(t, f.msgs).await?;
                    still.push((i, b, None, f.phase));
                }
                Ok(Progress::Done(m)) => out[i] = Some(m),
                Err(e) => return Err(abort(t, e).await),
            }
        }
        active = still;
    }
    Ok(out.into_iter().flatten().collect())
}

/// Generates `counts` of every kind with a fresh key set over `t`, in batches of at most
/// `batch` items, and returns this party's store of checked material.
pub async fn generate<P: HasCheckRing, O: OtBackend, T: Transport>(
    t: &mut T,
    ot: O,
    counts: &PrepCounts,
    batch: usize,
) -> Result<MemoryStore<P>, OfflineError> {
    let (party, n) = (t.party(), t.n_parties());
    check_request(party, n, counts, batch)?;
    let mut keys = setup_key_set::<P, O, T>(t, ot).await?;
    let plan = plan(counts, batch);
    let kinds: Vec<BatchKind> = plan.iter().map(|(_, k)| *k).collect();
    let materials = run_batches(&mut keys, t, &kinds).await?;
    let mut collected = Collected::new(party, n);
    for ((kind, _), m) in plan.into_iter().zip(materials) {
        collected.add(kind, m)?;
    }
    collected.into_store(keys.id(), keys.mac_key_share())
}
