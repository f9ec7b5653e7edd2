//! Seed pairs for the MAC VOLE of PROTOCOL.md 1.9 step 4: `s` base OTs in which party j's
//! choice bits are the bits of its MAC key share α_j. Party i keeps both seeds
//! `(k_u0, k_u1)`, party j keeps `k_{u,α_u}`; each seed expands with the AES-CTR PRG into a
//! stream of l-bit words ([`SeedStream`]). In the instance's [`OtContext`], `sender` is
//! party i (the pairs) and `receiver` is party j (the key bits).
//!
//! The VOLE built on these seeds, and its consistency check, belong to the offline phase.
//! If that check fails the offline phase must drop these seeds and run a fresh setup.

use crate::base::{BaseOtReceiver, BaseOtSender};
use crate::block::Block;
use crate::context::OtContext;
use crate::error::OtError;
use crate::words::SeedStream;

/// Party i during setup, after its first message.
#[derive(Debug)]
pub struct VoleSeedSetup {
    ctx: OtContext,
    base: BaseOtSender,
}

/// Party i's seed pairs `(k_u0, k_u1)`, u < s.
pub struct VoleSeedPairs {
    ctx: OtContext,
    pairs: Vec<[Block; 2]>,
}

/// Party j's chosen seeds `k_{u,α_u}` and its key bits.
pub struct VoleSeedChoices {
    ctx: OtContext,
    choices: Vec<bool>,
    seeds: Vec<Block>,
}

impl core::fmt::Debug for VoleSeedPairs {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VoleSeedPairs")
            .field("ctx", &self.ctx)
            .field("s", &self.pairs.len())
            .finish_non_exhaustive()
    }
}

impl core::fmt::Debug for VoleSeedChoices {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VoleSeedChoices")
            .field("ctx", &self.ctx)
            .field("s", &self.seeds.len())
            .finish_non_exhaustive()
    }
}

impl VoleSeedSetup {
    /// Party i starts `s` base OTs; returns the state and the message for party j.
    pub fn start<R: rand::CryptoRng + ?Sized>(
        ctx: &OtContext,
        s: usize,
        rng: &mut R,
    ) -> (Self, Vec<u8>) {
        let (base, msg) = BaseOtSender::start(ctx, s, rng);
        (
            VoleSeedSetup {
                ctx: ctx.clone(),
                base,
            },
            msg,
        )
    }

    /// Party i takes party j's reply and keeps both seeds of every OT.
    pub fn finish(self, msg: &[u8]) -> Result<VoleSeedPairs, OtError> {
        Ok(VoleSeedPairs {
            pairs: self.base.finish(msg)?,
            ctx: self.ctx,
        })
    }
}

impl VoleSeedChoices {
    /// Party j answers with the bits of its key share as choices (bit u = 2^u of α_j).
    pub fn receive<R: rand::CryptoRng + ?Sized>(
        ctx: &OtContext,
        key_bits: &[bool],
        msg: &[u8],
        rng: &mut R,
    ) -> Result<(Self, Vec<u8>), OtError> {
        let (seeds, reply) = BaseOtReceiver::receive(ctx, key_bits, msg, rng)?;
        Ok((
            VoleSeedChoices {
                ctx: ctx.clone(),
                choices: key_bits.to_vec(),
                seeds,
            },
            reply,
        ))
    }

    /// The number of seeds (s).
    pub fn len(&self) -> usize {
        self.seeds.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.seeds.is_empty()
    }
    /// Bit u of the key share.
    pub fn choice(&self, u: usize) -> bool {
        self.choices[u]
    }
    /// The seed `k_{u,α_u}`.
    pub fn seed(&self, u: usize) -> Block {
        self.seeds[u]
    }
    /// One word stream per seed, in order of u.
    pub fn streams(&self) -> Vec<SeedStream> {
        self.seeds.iter().map(|&k| SeedStream::new(k)).collect()
    }
    /// The instance.
    pub fn context(&self) -> &OtContext {
        &self.ctx
    }
}

impl VoleSeedPairs {
    /// The number of pairs (s).
    pub fn len(&self) -> usize {
        self.pairs.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
    /// The pair `(k_u0, k_u1)`.
    pub fn pair(&self, u: usize) -> [Block; 2] {
        self.pairs[u]
    }
    /// Two word streams per pair, in order of u.
    pub fn streams(&self) -> Vec<[SeedStream; 2]> {
        self.pairs
            .iter()
            .map(|&[a, b]| [SeedStream::new(a), SeedStream::new(b)])
            .collect()
    }
    /// The instance.
    pub fn context(&self) -> &OtContext {
        &self.ctx
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words;
    use spdz2k_core::SessionId;

    #[test]
    fn vole_from_seed_pairs_gives_shares_of_alpha_times_x() {
        // PROTOCOL.md 1.9 step 4 at l = 64 with s = 16 key bits, using the streams.
        let ctx = OtContext::new(SessionId::new("vole").unwrap(), 0, 1, 0);
        let mut rng = spdz2k_core::rng::seeded_rng([4; 32]);
        let alpha: u64 = 0xa5c3;
        let bits: Vec<bool> = (0..16).map(|u| (alpha >> u) & 1 == 1).collect();
        let (setup, m1) = VoleSeedSetup::start(&ctx, 16, &mut rng);
        let (j, m2) = VoleSeedChoices::receive(&ctx, &bits, &m1, &mut rng).unwrap();
        let i = setup.finish(&m2).unwrap();
        let x: Vec<u64> = (0..5).map(|v| v * 0x1234_5678_9abc + 1).collect();
        let (mut si, mut sj) = (i.streams(), j.streams());
        let (mut share_i, mut share_j) = (vec![0u64; 5], vec![0u64; 5]);
        for u in 0..16 {
            let t0 = si[u][0].next_words::<1>(64, 5);
            let t1 = si[u][1].next_words::<1>(64, 5);
            let tj = sj[u].next_words::<1>(64, 5);
            assert_eq!(tj, if j.choice(u) { t1.clone() } else { t0.clone() });
            for v in 0..5 {
                let d = t0[v][0].wrapping_sub(t1[v][0]).wrapping_add(x[v]);
                let q = tj[v][0].wrapping_add(if j.choice(u) { d } else { 0 });
                share_j[v] = share_j[v].wrapping_add(q << u);
                share_i[v] = share_i[v].wrapping_sub(t0[v][0] << u);
            }
        }
        for v in 0..5 {
            assert_eq!(
                share_i[v].wrapping_add(share_j[v]),
                alpha.wrapping_mul(x[v])
            );
        }
        assert_eq!(
            words::expand::<1>(j.seed(3), 64, 5),
            SeedStream::new(j.seed(3)).next_words::<1>(64, 5)
        );
    }
}
