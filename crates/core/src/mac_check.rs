//! The batched SPDZ2k MAC check as a sans-IO state machine (PROTOCOL.md 1.3, variant A).
//!
//! Four rounds, each one message to every peer:
//! 1. commit to a fresh 32-byte coin seed (and send the broadcast transcript hash);
//! 2. open the seed; the coins are SHA-256 over all seeds, so one honest seed makes them
//!    uniform, and they are drawn only after every checked value was fixed;
//! 3. with coefficients chi_j in Z_2^s from a ChaCha20 stream keyed by the coins, compute
//!    y = sum chi_j x_j and z_i = sum chi_j m_ij - alpha_i y, and commit to z_i;
//! 4. open z_i; accept iff sum z_i = 0 mod 2^(k+s).
//!
//! Each state is its own type, so a step cannot be skipped or repeated.

use crate::abort::AbortReason;
use crate::commit::{self, CommitContext, Commitment, Nonce};
use crate::open::PendingLog;
use crate::rng::seeded_rng;
use crate::shares::MacKeyShare;
use crate::wire::WireMsg;
use rand::Rng;
use rand::rngs::ChaCha20Rng;
use sha2::{Digest, Sha256};
use spdz2k_ring::Params;
use subtle::ConstantTimeEq;

/// What every state carries.
struct CheckCommon<P: Params> {
    party: usize,
    n: usize,
    key: MacKeyShare<P>,
    log: PendingLog<P>,
    /// Values in the log (kept once the log is released, for the verdict).
    count: usize,
    rng: ChaCha20Rng,
    ctx: CommitContext,
}

impl<P: Params> CheckCommon<P> {
    /// The peers' messages of one round, in party order, or a typed abort.
    fn peer_msgs<'a, T>(
        &self,
        msgs: &'a [Option<WireMsg<P>>],
        phase: &'static str,
        pick: impl Fn(&'a WireMsg<P>) -> Option<T>,
    ) -> Result<Vec<(usize, T)>, AbortReason> {
        let mut out = Vec::with_capacity(self.n - 1);
        for p in (0..self.n).filter(|&p| p != self.party) {
            let msg =
                msgs.get(p)
                    .and_then(Option::as_ref)
                    .ok_or_else(|| AbortReason::Malformed {
                        party: p,
                        phase,
                        detail: "no message".into(),
                    })?;
            let v = pick(msg).ok_or_else(|| AbortReason::Malformed {
                party: p,
                phase,
                detail: format!("expected a {phase} message, got {}", msg.kind()),
            })?;
            out.push((p, v));
        }
        Ok(out)
    }
}

/// Starts a check of everything in `log`: returns the first state and the round-1 message.
/// `transcript` is this party's broadcast transcript hash (all zeros where unused); `ctx`
/// names this check of this session, and every commitment of the check is bound to it.
pub fn start_mac_check<P: Params, R: Rng + ?Sized>(
    party: usize,
    n: usize,
    key: MacKeyShare<P>,
    log: PendingLog<P>,
    transcript: [u8; 32],
    ctx: CommitContext,
    rng: &mut R,
) -> (AwaitingCoinCommits<P>, WireMsg<P>) {
    let mut seed_bytes = [0u8; 32];
    rng.fill_bytes(&mut seed_bytes);
    let mut local = seeded_rng(seed_bytes);
    let mut seed = [0u8; 32];
    local.fill_bytes(&mut seed);
    let (commitment, nonce) = commit::commit(&ctx, party, &seed, &mut local);
    let common = CheckCommon {
        party,
        n,
        key,
        count: log.len(),
        log,
        rng: local,
        ctx,
    };
    (
        AwaitingCoinCommits {
            common,
            seed,
            nonce,
            transcript,
        },
        WireMsg::CoinCommit {
            commitment,
            transcript,
        },
    )
}

/// Round 1 sent; waiting for every peer's coin commitment.
pub struct AwaitingCoinCommits<P: Params> {
    common: CheckCommon<P>,
    seed: [u8; 32],
    nonce: Nonce,
    transcript: [u8; 32],
}

impl<P: Params> core::fmt::Debug for AwaitingCoinCommits<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Seeds, z and the MAC key share are secret until opened: none is shown.
        f.debug_struct("AwaitingCoinCommits")
            .finish_non_exhaustive()
    }
}

impl<P: Params> AwaitingCoinCommits<P> {
    /// Takes the peers' round-1 messages (indexed by party; this party's entry is ignored),
    /// compares broadcast transcripts, and returns the round-2 message.
    pub fn receive(
        self,
        msgs: &[Option<WireMsg<P>>],
    ) -> Result<(AwaitingCoinOpens<P>, WireMsg<P>), AbortReason> {
        let got = self
            .common
            .peer_msgs(msgs, "coin commitment", |m| match m {
                WireMsg::CoinCommit {
                    commitment,
                    transcript,
                } => Some((*commitment, *transcript)),
                _ => None,
            })?;
        let mut commitments = Vec::with_capacity(got.len());
        for (p, (c, t)) in got {
            if !bool::from(t.ct_eq(&self.transcript)) {
                return Err(AbortReason::TranscriptMismatch { party: p });
            }
            commitments.push((p, c));
        }
        let msg = WireMsg::CoinOpen {
            seed: self.seed,
            nonce: self.nonce,
        };
        Ok((
            AwaitingCoinOpens {
                common: self.common,
                seed: self.seed,
                commitments,
            },
            msg,
        ))
    }
}

/// Round 2 sent; waiting for every peer's coin seed.
pub struct AwaitingCoinOpens<P: Params> {
    common: CheckCommon<P>,
    seed: [u8; 32],
    commitments: Vec<(usize, Commitment)>,
}

impl<P: Params> core::fmt::Debug for AwaitingCoinOpens<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Seeds, z and the MAC key share are secret until opened: none is shown.
        f.debug_struct("AwaitingCoinOpens").finish_non_exhaustive()
    }
}

impl<P: Params> AwaitingCoinOpens<P> {
    /// Verifies the seeds, derives the coins, computes z_i and returns the round-3 message.
    pub fn receive(
        mut self,
        msgs: &[Option<WireMsg<P>>],
    ) -> Result<(AwaitingZCommits<P>, WireMsg<P>), AbortReason> {
        let got = self.common.peer_msgs(msgs, "coin opening", |m| match m {
            WireMsg::CoinOpen { seed, nonce } => Some((*seed, *nonce)),
            _ => None,
        })?;
        let mut seeds = vec![[0u8; 32]; self.common.n];
        seeds[self.common.party] = self.seed;
        for ((p, (seed, nonce)), (_, c)) in got.into_iter().zip(&self.commitments) {
            if !commit::verify(&self.common.ctx, p, &seed, &nonce, c) {
                return Err(AbortReason::CommitmentMismatch {
                    party: p,
                    what: "coin seed",
                });
            }
            seeds[p] = seed;
        }
        let mut h = Sha256::new();
        h.update(b"spdz2k-coins-v1");
        for s in &seeds {
            h.update(s);
        }
        let coins: [u8; 32] = h.finalize().into();
        let z = self.common.log.check_share(&self.common.key, coins);
        let mut z_bytes = vec![0u8; P::BYTES];
        P::encode(z, &mut z_bytes);
        let (commitment, nonce) = commit::commit(
            &self.common.ctx,
            self.common.party,
            &z_bytes,
            &mut self.common.rng,
        );
        let next = AwaitingZCommits {
            common: self.common,
            coins,
            z,
            nonce,
        };
        Ok((next, WireMsg::ZCommit(commitment)))
    }
}

/// Round 3 sent; waiting for every peer's commitment to z.
pub struct AwaitingZCommits<P: Params> {
    common: CheckCommon<P>,
    coins: [u8; 32],
    z: P::Word,
    nonce: Nonce,
}

impl<P: Params> core::fmt::Debug for AwaitingZCommits<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Seeds, z and the MAC key share are secret until opened: none is shown.
        f.debug_struct("AwaitingZCommits").finish_non_exhaustive()
    }
}

impl<P: Params> AwaitingZCommits<P> {
    /// The jointly tossed coins of this check (fresh for every check).
    pub fn coins(&self) -> [u8; 32] {
        self.coins
    }
    /// Hands back the checked log (z is computed; the rest of the check does not read it),
    /// so that its vectors can be reused. The verdict still counts every value.
    pub fn release_log(&mut self) -> PendingLog<P> {
        self.common.log.take()
    }
    /// Records the peers' commitments and returns the round-4 message.
    pub fn receive(
        self,
        msgs: &[Option<WireMsg<P>>],
    ) -> Result<(AwaitingZOpens<P>, WireMsg<P>), AbortReason> {
        let commitments = self
            .common
            .peer_msgs(msgs, "MAC check commitment", |m| match m {
                WireMsg::ZCommit(c) => Some(*c),
                _ => None,
            })?;
        let msg = WireMsg::ZOpen {
            z: self.z,
            nonce: self.nonce,
        };
        Ok((
            AwaitingZOpens {
                common: self.common,
                z: self.z,
                commitments,
            },
            msg,
        ))
    }
}

/// Round 4 sent; waiting for every peer's z.
pub struct AwaitingZOpens<P: Params> {
    common: CheckCommon<P>,
    z: P::Word,
    commitments: Vec<(usize, Commitment)>,
}

impl<P: Params> core::fmt::Debug for AwaitingZOpens<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Seeds, z and the MAC key share are secret until opened: none is shown.
        f.debug_struct("AwaitingZOpens").finish_non_exhaustive()
    }
}

impl<P: Params> AwaitingZOpens<P> {
    /// Verifies the openings and gives the verdict: `Ok(n)` means the `n` logged values
    /// are authentic.
    pub fn receive(self, msgs: &[Option<WireMsg<P>>]) -> Result<usize, AbortReason> {
        let got = self
            .common
            .peer_msgs(msgs, "MAC check opening", |m| match m {
                WireMsg::ZOpen { z, nonce } => Some((*z, *nonce)),
                _ => None,
            })?;
        let mut sum = self.z;
        let mut z_bytes = vec![0u8; P::BYTES];
        for ((p, (z, nonce)), (_, c)) in got.into_iter().zip(&self.commitments) {
            P::encode(z, &mut z_bytes);
            if !commit::verify(&self.common.ctx, p, &z_bytes, &nonce, c) {
                return Err(AbortReason::CommitmentMismatch {
                    party: p,
                    what: "MAC check",
                });
            }
            sum = P::add(sum, z);
        }
        let mut sum_bytes = vec![0u8; P::BYTES];
        P::encode(sum, &mut sum_bytes);
        let zero = vec![0u8; P::BYTES];
        if bool::from(sum_bytes.ct_eq(&zero)) {
            Ok(self.common.count)
        } else {
            Err(AbortReason::MacCheckFailed {
                checked: self.common.count,
            })
        }
    }
}
