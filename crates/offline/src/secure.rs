//! The offline phase on real OT: key-set setup with the OT crate's base OTs and extension
//! instances, then batches whose random OTs are produced, just before each group of
//! batches, by the OT crate's extension between every ordered pair over the same
//! [`Transport`].
//!
//! - **Setup** ([`SecureOffline::setup`]): one extension instance per ordered pair
//!   ([`spdz2k_ot::driver::setup_all_pairs`], [`DEFAULT_VARIANT`] = SoftSpokenOT with d = 4:
//!   32 bits per OT on the wire); s VOLE base OTs per ordered pair with random choices c
//!   ([`spdz2k_ot::driver::vole_seeds_receiver`]); the key-set coin toss and alpha_i
//!   ([`crate::KeySetup`]) with the AES-CTR PRG [`AesPrg`]; then every key holder sends
//!   e = alpha xor c to each seed sender, who relabels its pairs (k_u0, k_u1) by e_u
//!   (standard derandomisation: c is uniform and hidden, so e reveals nothing).
//! - **Batches** ([`SecureOffline::run`]): the kinds run in groups of [`IN_FLIGHT`]
//!   batches; before each group every ordered pair is extended by the tau*N random OTs its
//!   triple batches take (in chunks of at most [`OT_CHUNK`], two chunks in flight in both
//!   directions at once), queued in the [`ExtOt`] backend, and [`crate::run_batches`] runs
//!   the group.
//! - **Failures**: a failed OT check, a refused OT message or a peer's abort notice
//!   retires the key set (typed [`OfflineError::CheckFailed`] with [`CheckKind::Ot`] or
//!   [`CheckKind::PeerAbort`]), drops every buffered OT and seed, and tells every peer.

use crate::batch::BatchKind;
use crate::collect::{Collected, check_request, plan};
use crate::driver::{IN_FLIGHT, net, run_batches, setup_key_set_with};
use crate::error::{Cause, CheckKind, OfflineError};
use crate::flow::Material;
use crate::keyset::KeySet;
use crate::ot::{OtError, Seed};
use crate::real_ot::{AesPrg, ExtOt};
use crate::triples::tau;
use rand::Rng;
use spdz2k_net::{NetError, Transport};
use spdz2k_ot::driver::{PairwiseOt, setup_all_pairs, vole_seeds_receiver, vole_seeds_sender};
use spdz2k_ot::{OtContext, Variant};
use spdz2k_prep::{MemoryStore, PrepCounts, PrepKind};
use spdz2k_ring::HasCheckRing;

/// The OT extension used by default: SoftSpokenOT with d = 4 (128/4 = 32 bits per OT).
pub const DEFAULT_VARIANT: Variant = Variant::SoftSpoken { d: 4 };
/// Triples per batch on real OT: half the ideal-OT default, so that a batch's OT pads
/// (tau * N pairs of elements, 25 MB at K64S64) stay below the allocator's mmap threshold
/// and are reused instead of being mapped and zeroed again for every batch (measured: 1.8x
/// the throughput of 4096, the same bytes per triple within 2).
pub const SECURE_TRIPLE_BATCH: usize = 2048;
/// The largest extension chunk the driver asks for, in OTs.
pub const OT_CHUNK: usize = 1 << 17;
/// The instance number of the extension instances (per ordered pair).
const EXT_INSTANCE: u64 = 0;
/// The instance number of the VOLE base OTs (per ordered pair).
const VOLE_INSTANCE: u64 = 1;
/// The batch number reported for failures during setup.
const SETUP_BATCH: u64 = u64::MAX;

/// One party's offline phase on real OT: the key set, the extension instances with every
/// peer and the CSPRNG for the OT choices. Holds secrets: `Debug` shows only the key set.
pub struct SecureOffline<P: HasCheckRing> {
    keys: KeySet<P, ExtOt, AesPrg>,
    ext: PairwiseOt,
    rng: rand::rngs::ChaCha20Rng,
    ot_bytes: u64,
}

impl<P: HasCheckRing> core::fmt::Debug for SecureOffline<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "SecureOffline({:?})", self.keys)
    }
}

/// The offline crate's view of an OT crate error: the peer and the full message.
fn ot_error(e: &spdz2k_ot::OtError) -> OtError {
    OtError {
        peer: e.peer().unwrap_or(usize::MAX),
        detail: e.to_string(),
    }
}

/// Why an OT step stopped.
enum Stop {
    Net(NetError),
    Ot(spdz2k_ot::OtError),
    Peer(Cause),
    /// No extension instance with a peer (checked before the first step).
    Missing,
}

impl From<spdz2k_ot::OtError> for Stop {
    fn from(e: spdz2k_ot::OtError) -> Self {
        match e {
            spdz2k_ot::OtError::Net(n) => Stop::Net(*n),
            e => Stop::Ot(e),
        }
    }
}

impl From<NetError> for Stop {
    fn from(e: NetError) -> Self {
        Stop::Net(e)
    }
}

/// A peer's abort notice (the offline phase's frame) in place of an OT message.
fn notice(peer: usize, bytes: &[u8]) -> Option<Cause> {
    crate::msg::abort_code(bytes).map(|code| Cause::PeerAborted {
        peer,
        check: CheckKind::from_code(code),
    })
}

async fn recv<T: Transport>(t: &mut T, p: usize) -> Result<Vec<u8>, Stop> {
    let m = t.recv(p).await?;
    match notice(p, &m) {
        Some(c) => Err(Stop::Peer(c)),
        None => Ok(m),
    }
}

/// Queues a message. A failed send is not reported here (as in the batch driver): a peer
/// that aborted may already have closed its side, and its abort notice still arrives on
/// the next receive, which gives the typed cause.
async fn send<T: Transport>(t: &mut T, p: usize, m: Vec<u8>) {
    if let Err(e) = t.send(p, m).await {
        tracing::debug!(party = t.party(), peer = p, error = %e, "OT extension send failed");
    }
}

fn seed(b: spdz2k_ot::Block) -> Seed {
    Seed(b.to_bytes())
}

impl<P: HasCheckRing> SecureOffline<P> {
    /// Sets up a key set over `t` with fresh base OTs and extension instances (variant
    /// `variant` for every ordered pair). Every party calls it at the same point.
    ///
    /// # Errors
    /// [`OfflineError::Ot`] when a base OT or the extension setup fails, the key set's
    /// coin-toss errors, [`OfflineError::Net`] on transport failures.
    pub async fn setup<T: Transport>(t: &mut T, variant: Variant) -> Result<Self, OfflineError> {
        let (party, n) = (t.party(), t.n_parties());
        let session = t.session_id().clone();
        let ot_fail = |e: spdz2k_ot::OtError| match e {
            spdz2k_ot::OtError::Net(source) => OfflineError::Net { party, source },
            e => OfflineError::Ot {
                party,
                session: session.clone(),
                source: ot_error(&e),
            },
        };
        if n < 2 || !variant.is_valid() {
            return Err(OfflineError::Invalid {
                party,
                detail: format!("{n} parties, OT variant {variant:?}"),
            });
        }
        let mut rng = spdz2k_core::rng::secure_rng();
        let ext = setup_all_pairs(t, EXT_INSTANCE, variant, &mut rng)
            .await
            .map_err(ot_fail)?;
        let mut backend = ExtOt::new(party, n);
        let s = P::S as usize;
        for i in 0..n {
            for j in (0..n).filter(|&j| j != i) {
                let ctx = OtContext::new(session.clone(), i, j, VOLE_INSTANCE);
                if party == i {
                    let pairs = vole_seeds_sender(t, &ctx, s, &mut rng)
                        .await
                        .map_err(ot_fail)?;
                    let pairs = (0..s)
                        .map(|u| {
                            let [a, b] = pairs.pair(u);
                            (seed(a), seed(b))
                        })
                        .collect();
                    backend.set_vole_send(j, pairs);
                } else if party == j {
                    let c: Vec<bool> = (0..s).map(|_| rng.next_u32() & 1 == 1).collect();
                    let got = vole_seeds_receiver(t, &ctx, &c, &mut rng)
                        .await
                        .map_err(ot_fail)?;
                    let seeds = (0..s).map(|u| seed(got.seed(u))).collect();
                    backend.set_vole_recv(i, c, seeds);
                }
            }
        }
        let keys = setup_key_set_with::<P, ExtOt, AesPrg, T>(t, backend).await?;
        let mut me = Self {
            keys,
            ext,
            rng,
            ot_bytes: 0,
        };
        me.exchange_corrections(t).await?;
        Ok(me)
    }

    /// Sends e = alpha xor c to every seed sender and relabels this party's seed pairs by
    /// the corrections it receives.
    async fn exchange_corrections<T: Transport>(&mut self, t: &mut T) -> Result<(), OfflineError> {
        let (party, n, s) = (t.party(), t.n_parties(), P::S as usize);
        t.begin_round("offline: VOLE seed corrections");
        for p in (0..n).filter(|&p| p != party) {
            let e = self.keys.ot.take_correction(p).unwrap_or_default();
            let mut bytes = vec![0u8; s.div_ceil(8)];
            for (u, &b) in e.iter().enumerate() {
                bytes[u / 8] |= (b as u8) << (u % 8);
            }
            send(t, p, bytes).await;
        }
        for p in (0..n).filter(|&p| p != party) {
            let bytes = t.recv(p).await.map_err(net(party))?;
            if let Some(c) = notice(p, &bytes) {
                return Err(self.retire(t, SETUP_BATCH, CheckKind::PeerAbort, c).await);
            }
            if bytes.len() != s.div_ceil(8) {
                let c = Cause::Malformed {
                    peer: p,
                    what: "VOLE seed correction",
                    detail: format!("{} bytes, expected {}", bytes.len(), s.div_ceil(8)),
                };
                return Err(self.retire(t, SETUP_BATCH, CheckKind::Message, c).await);
            }
            for (u, pair) in self.keys.keys.send[p].iter_mut().enumerate() {
                if (bytes[u / 8] >> (u % 8)) & 1 == 1 {
                    *pair = (pair.1, pair.0);
                }
            }
        }
        Ok(())
    }

    /// Retires the key set with `check` and `cause`, drops every buffered OT and seed,
    /// tells every peer (best effort) and returns the error.
    async fn retire<T: Transport>(
        &mut self,
        t: &mut T,
        batch: u64,
        check: CheckKind,
        cause: Cause,
    ) -> OfflineError {
        let e = self.keys.fail(batch, check, cause);
        self.keys.ot.clear();
        for v in self.keys.keys.send.iter_mut() {
            v.clear();
        }
        for v in self.keys.keys.recv.iter_mut() {
            v.clear();
        }
        // Every peer is told, each on its own: a peer that already left must not keep the
        // notice from the others.
        if let Some(msg) = e.notice() {
            let me = t.party();
            for p in (0..t.n_parties()).filter(|&p| p != me) {
                if let Err(err) = t.send(p, msg.clone()).await {
                    tracing::debug!(party = me, peer = p, error = %err, "abort notice not sent");
                }
            }
        }
        e
    }

    /// The key set (its ID, MAC key share and retired state).
    pub fn key_set(&self) -> &KeySet<P, ExtOt, AesPrg> {
        &self.keys
    }

    /// Bytes this party has sent for OT extension so far (all peers).
    pub fn ot_bytes_sent(&self) -> u64 {
        self.ot_bytes
    }

    /// Runs `kinds` in order (every party passes the same list) and returns their material
    /// in the same order: groups of [`IN_FLIGHT`] batches, each preceded by the OT
    /// extension its triples need.
    ///
    /// # Errors
    /// Any failed check retires the key set: [`OfflineError::CheckFailed`] (every peer is
    /// told), then [`OfflineError::Retired`] on every later call.
    pub async fn run<T: Transport>(
        &mut self,
        t: &mut T,
        kinds: &[BatchKind],
    ) -> Result<Vec<Material<P>>, OfflineError> {
        let mut out = Vec::with_capacity(kinds.len());
        for group in kinds.chunks(IN_FLIGHT) {
            self.keys.ensure_live()?;
            let need: usize = group
                .iter()
                .map(|k| match k {
                    BatchKind::Triples(c) => tau::<P>() * c,
                    _ => 0,
                })
                .sum();
            self.prepare(t, need).await?;
            out.extend(run_batches(&mut self.keys, t, group).await?);
        }
        Ok(out)
    }

    /// Extends every ordered pair until `need` random OTs are queued in each direction.
    async fn prepare<T: Transport>(&mut self, t: &mut T, need: usize) -> Result<(), OfflineError> {
        let (me, n) = (t.party(), t.n_parties());
        let have = (0..n)
            .filter(|&p| p != me)
            .map(|p| {
                self.keys
                    .ot
                    .recv_available(p)
                    .min(self.keys.ot.send_available(p))
            })
            .min()
            .unwrap_or(0);
        if have >= need {
            return Ok(());
        }
        let deficit = need - have;
        let chunks = deficit.div_ceil(OT_CHUNK);
        let m = deficit.div_ceil(chunks).next_multiple_of(128);
        let before = t.stats().bytes_sent;
        let r = extend_all(
            t,
            &mut self.ext,
            &mut self.keys.ot,
            m,
            chunks,
            &mut self.rng,
        )
        .await;
        self.ot_bytes += t.stats().bytes_sent - before;
        let batch = self.keys.next_batch;
        match r {
            Ok(()) => Ok(()),
            Err(Stop::Net(e)) => Err(net(me)(e)),
            Err(Stop::Ot(e)) => {
                let c = Cause::Ot(ot_error(&e));
                Err(self.retire(t, batch, CheckKind::Ot, c).await)
            }
            Err(Stop::Peer(c)) => Err(self.retire(t, batch, CheckKind::PeerAbort, c).await),
            Err(Stop::Missing) => Err(OfflineError::Invalid {
                party: me,
                detail: "an OT extension instance with a peer is missing".into(),
            }),
        }
    }
}

/// `chunks` extension chunks of `m` OTs with every peer, in both directions at once, two
/// chunks in flight. Per chunk c the steps are A (receiver: matrix out), B (sender: matrix
/// in, seed out), C (receiver: seed in, check out), D (sender: check in); the schedule
/// A0 B0 | A1 C0 B1 D0 | A2 C1 B2 D1 | ... is the same at every party, so the messages on
/// every link arrive in the order they were sent and no party waits for a later step.
async fn extend_all<T: Transport, R: Rng + Send>(
    t: &mut T,
    ext: &mut PairwiseOt,
    buf: &mut ExtOt,
    m: usize,
    chunks: usize,
    rng: &mut R,
) -> Result<(), Stop> {
    let me = t.party();
    let peers: Vec<usize> = (0..t.n_parties()).filter(|&p| p != me).collect();
    if peers
        .iter()
        .any(|&p| ext.senders[p].is_none() || ext.receivers[p].is_none())
    {
        return Err(Stop::Missing);
    }
    t.begin_round("offline: OT extension");
    if chunks == 0 {
        return Ok(());
    }
    let mut x = Extension {
        t,
        ext,
        buf,
        peers,
        m,
        rng,
    };
    x.step_a().await?;
    x.step_b().await?;
    for c in 0..chunks {
        if c + 1 < chunks {
            x.step_a().await?;
        }
        x.step_c().await?;
        if c + 1 < chunks {
            x.step_b().await?;
        }
        x.step_d().await?;
    }
    Ok(())
}

/// The chunks of [`extend_all`] with every peer: the transport, the extension instances,
/// the backend that queues the finished OTs, the chunk size and the CSPRNG.
struct Extension<'a, T, R> {
    t: &'a mut T,
    ext: &'a mut PairwiseOt,
    buf: &'a mut ExtOt,
    peers: Vec<usize>,
    m: usize,
    rng: &'a mut R,
}

impl<T: Transport, R: Rng + Send> Extension<'_, T, R> {
    /// Step A of a chunk: the receiver's matrix to every peer.
    async fn step_a(&mut self) -> Result<(), Stop> {
        for &p in &self.peers {
            let r = self.ext.receivers[p].as_mut().ok_or(Stop::Missing)?;
            let m1 = r.extend_random(self.m, self.rng)?;
            send(self.t, p, m1).await;
        }
        Ok(())
    }

    /// Step B: the sender answers every peer's matrix with its coin seed.
    async fn step_b(&mut self) -> Result<(), Stop> {
        for &p in &self.peers {
            let m1 = recv(self.t, p).await?;
            let s = self.ext.senders[p].as_mut().ok_or(Stop::Missing)?;
            let m2 = s.respond(&m1, self.m, self.rng)?;
            send(self.t, p, m2).await;
        }
        Ok(())
    }

    /// Step C: the receiver takes every peer's seed and sends its check.
    async fn step_c(&mut self) -> Result<(), Stop> {
        for &p in &self.peers {
            let m2 = recv(self.t, p).await?;
            let r = self.ext.receivers[p].as_mut().ok_or(Stop::Missing)?;
            let (cots, m3) = r.finish(&m2)?;
            send(self.t, p, m3).await;
            self.buf.push_recv(p, cots);
        }
        Ok(())
    }

    /// Step D: the sender checks every peer's check message.
    async fn step_d(&mut self) -> Result<(), Stop> {
        for &p in &self.peers {
            let m3 = recv(self.t, p).await?;
            let s = self.ext.senders[p].as_mut().ok_or(Stop::Missing)?;
            self.buf.push_send(p, s.finish(&m3)?);
        }
        Ok(())
    }
}

/// Generates `counts` over `t` with a fresh key set on real OT ([`DEFAULT_VARIANT`]), in
/// batches of at most `batch` items, handing each batch's material to `sink` in the order
/// of [`plan`] as soon as its checks passed (so a caller can stream it to a file). Returns
/// the state (its key set names what was generated).
///
/// # Errors
/// As [`SecureOffline::setup`] and [`SecureOffline::run`]; `sink`'s errors are returned
/// as they are.
pub async fn generate_with<P, T, F>(
    t: &mut T,
    counts: &PrepCounts,
    batch: usize,
    mut sink: F,
) -> Result<SecureOffline<P>, OfflineError>
where
    P: HasCheckRing,
    T: Transport,
    F: FnMut(PrepKind, Material<P>) -> Result<(), OfflineError> + Send,
{
    let (party, n) = (t.party(), t.n_parties());
    check_request(party, n, counts, batch)?;
    let mut off = SecureOffline::<P>::setup(t, DEFAULT_VARIANT).await?;
    let plan = plan(counts, batch);
    for group in plan.chunks(IN_FLIGHT) {
        let kinds: Vec<BatchKind> = group.iter().map(|(_, k)| *k).collect();
        let mats = off.run(t, &kinds).await?;
        for ((kind, _), m) in group.iter().zip(mats) {
            sink(*kind, m)?;
        }
    }
    Ok(off)
}

/// Generates `counts` over `t` on real OT into this party's [`MemoryStore`] (what the
/// engine consumes through `Preprocessing`). Every party calls it with the same counts.
///
/// # Errors
/// As [`generate_with`].
pub async fn generate_secure<P: HasCheckRing, T: Transport>(
    t: &mut T,
    counts: &PrepCounts,
    batch: usize,
) -> Result<MemoryStore<P>, OfflineError> {
    let mut collected = Collected::new(t.party(), t.n_parties());
    let off = generate_with::<P, T, _>(t, counts, batch, |kind, m| collected.add(kind, m)).await?;
    let keys = off.key_set();
    collected.into_store(keys.id(), keys.mac_key_share())
}

#[cfg(test)]
mod tests;
