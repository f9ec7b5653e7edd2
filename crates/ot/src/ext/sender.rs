//! The extension sender (Δ holder).

use crate::base::BaseOtReceiver;
use crate::block::Block;
use crate::coin::{coin_stream, verify_opening};
use crate::context::{OtContext, Role};
use crate::error::OtError;
use crate::expand::{SenderExpander, Variant, ggm_punctured, group_point, prgs};
use crate::gf128;
use crate::output::SenderCots;
use crate::wire::{self, Kind};
use spdz2k_core::commit::{Commitment, Nonce};
use subtle::ConstantTimeEq;

use super::side::{Chunks, Side};
use super::*;

struct SenderKeys {
    delta: Block,
    variant: Variant,
    cols: SenderExpander,
    scratch: Vec<u128>,
    chunks: Chunks<SenderPending>,
}

struct SenderPending {
    seq: u64,
    first_index: u64,
    m: usize,
    rows: Vec<u128>,
    commitment: Commitment,
    seed: Block,
}

/// The KOS15 extension sender: holds Δ and one seed per base OT. Retired after any failure.
pub struct ExtSender {
    side: Side<SenderKeys>,
}

impl core::fmt::Debug for ExtSender {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.side.debug("ExtSender", f)
    }
}

/// The sender during setup, waiting for the receiver's tree message.
pub struct ExtSenderSetup {
    ctx: OtContext,
    variant: Variant,
    delta: Block,
    seeds: Vec<u128>,
}

impl core::fmt::Debug for ExtSenderSetup {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ExtSenderSetup")
            .field("ctx", &self.ctx)
            .field("variant", &self.variant)
            .finish_non_exhaustive()
    }
}

impl ExtSenderSetup {
    /// Setup, sender side, step 4: takes the receiver's tree message (empty for KOS) and
    /// is then ready to extend.
    pub fn finish(self, msg: &[u8]) -> Result<ExtSender, OtError> {
        let ctx = self.ctx;
        let body = wire::open(
            &ctx,
            Role::Sender,
            PHASE_SETUP,
            msg,
            Kind::SetupTrees,
            0,
            tree_bytes(self.variant),
        )?;
        let cols = match self.variant {
            Variant::Kos => SenderExpander::Kos(prgs(&self.seeds)),
            Variant::SoftSpoken { d } => {
                let d = d as usize;
                let leaves = (0..KAPPA / d)
                    .map(|g| {
                        let point = group_point(self.delta, g, d);
                        let off: Vec<u128> = (0..d)
                            .map(|l| {
                                let i = g * d + l;
                                let e = |side: usize| {
                                    let o = (2 * i + side) * 16;
                                    u128::from_le_bytes(
                                        body[o..o + 16].try_into().unwrap_or_default(),
                                    )
                                };
                                // Our base-OT key opens the side off Δ's path; select it
                                // without a branch on Δ.
                                let off_side = 0u128.wrapping_sub(!self.delta.bit(i) as u128);
                                ((e(1) & off_side) | (e(0) & !off_side)) ^ self.seeds[i]
                            })
                            .collect();
                        (point, prgs(&ggm_punctured(point, d, &off)))
                    })
                    .collect();
                SenderExpander::Soft { d, leaves }
            }
        };
        let keys = SenderKeys {
            delta: self.delta,
            variant: self.variant,
            cols,
            scratch: Vec::new(),
            chunks: Chunks::default(),
        };
        let side = Side::new(ctx, Role::Sender, keys);
        Ok(ExtSender { side })
    }
}

impl ExtSender {
    /// Setup, sender side, step 2: answers the receiver's base-OT message (the receiver
    /// is the base-OT sender) with choice bits derived from a fresh random Δ.
    pub fn setup<R: rand::CryptoRng + ?Sized>(
        ctx: &OtContext,
        variant: Variant,
        msg: &[u8],
        rng: &mut R,
    ) -> Result<(ExtSenderSetup, Vec<u8>), OtError> {
        if !variant.is_valid() {
            return Err(ctx.bad_message(
                Role::Sender,
                PHASE_SETUP,
                format!("unsupported {variant:?}"),
            ));
        }
        let delta = Block::random(rng);
        let choices: Vec<bool> = (0..KAPPA).map(|i| variant.base_choice(delta, i)).collect();
        let (seeds, reply) = BaseOtReceiver::receive(&base_context(ctx), &choices, msg, rng)?;
        Ok((
            ExtSenderSetup {
                ctx: ctx.clone(),
                variant,
                delta,
                seeds: seeds.into_iter().map(|b| b.0).collect(),
            },
            reply,
        ))
    }

    /// The instance.
    pub fn context(&self) -> &OtContext {
        &self.side.ctx
    }

    /// Whether a failure has retired this key set.
    pub fn is_retired(&self) -> bool {
        self.side.is_retired()
    }

    /// Step 2: takes the receiver's matrix for a chunk of `m` OTs and returns the coin seed
    /// message.
    pub fn respond<R: rand::Rng + ?Sized>(
        &mut self,
        msg: &[u8],
        m: usize,
        rng: &mut R,
    ) -> Result<Vec<u8>, OtError> {
        self.side.guarded(|s| s.respond_chunk(msg, m, rng))
    }

    /// Step 3: checks the receiver's opening and correlation check; on success returns the
    /// chunk's correlated OTs.
    pub fn finish(&mut self, msg: &[u8]) -> Result<SenderCots, OtError> {
        self.side.guarded(|s| s.finish_chunk(msg))
    }
}

impl Side<SenderKeys> {
    fn respond_chunk<R: rand::Rng + ?Sized>(
        &mut self,
        msg: &[u8],
        m: usize,
        rng: &mut R,
    ) -> Result<Vec<u8>, OtError> {
        let ctx = self.ctx.clone();
        check_range(&ctx, Role::Sender, m)?;
        let keys = self.keys(PHASE_MATRIX)?;
        let (seq, first_index) = keys.chunks.next(&ctx, Role::Sender)?;
        let nb = nb_for(m);
        let body = wire::open(
            &ctx,
            Role::Sender,
            PHASE_MATRIX,
            msg,
            Kind::ExtMatrix,
            seq,
            32 + keys.variant.sent_columns() * nb * 16,
        )?;
        let commitment = Commitment(body[..32].try_into().unwrap_or([0; 32]));
        // The column buffer is kept between chunks (no fresh pages per chunk); every
        // word is overwritten by `columns`.
        let mut cols = std::mem::take(&mut keys.scratch);
        cols.resize(KAPPA * nb, 0);
        keys.cols.columns(keys.delta, &body[32..], nb, &mut cols);
        let rows = transpose_columns(&cols, nb);
        keys.scratch = cols;
        let seed = Block::random(rng);
        let mut out = wire::begin(&ctx, Kind::ExtSeed, seq, 16);
        out.extend_from_slice(&seed.to_bytes());
        let chunk = SenderPending {
            seq,
            first_index,
            m,
            rows,
            commitment,
            seed,
        };
        keys.chunks.push(m, chunk);
        Ok(out)
    }

    fn finish_chunk(&mut self, msg: &[u8]) -> Result<SenderCots, OtError> {
        let ctx = self.ctx.clone();
        let keys = self.keys(PHASE_CHECK)?;
        let p = keys.chunks.pop(&ctx, Role::Sender, PHASE_CHECK)?;
        let body = wire::open(
            &ctx,
            Role::Sender,
            PHASE_CHECK,
            msg,
            Kind::ExtCheck,
            p.seq,
            16 + 32 + 16 + 16,
        )?;
        let block_at = |o: usize| Block::from_bytes(body[o..o + 16].try_into().unwrap_or_default());
        let their_seed = block_at(0);
        let nonce = Nonce(body[16..48].try_into().unwrap_or([0; 32]));
        let (x_sum, t_sum) = (block_at(48), block_at(64));
        if !verify_opening(
            &ctx,
            ctx.receiver(),
            COIN_PURPOSE,
            p.seq,
            their_seed,
            &nonce,
            &p.commitment,
        ) {
            return Err(ctx.check_failed(Role::Sender, PHASE_CHECK, "coin commitment opening"));
        }
        let chi = coin_stream(their_seed, p.seed).blocks(p.rows.len());
        let q_sum = gf128::inner_product(&p.rows, &chi);
        let want = t_sum.0 ^ gf128::mul(x_sum.0, keys.delta.0);
        if !bool::from(q_sum.ct_eq(&want)) {
            return Err(ctx.check_failed(Role::Sender, PHASE_CHECK, "KOS15 correlation check"));
        }
        let mut rows = p.rows;
        rows.truncate(p.m);
        Ok(SenderCots::new(ctx, p.first_index, keys.delta, rows))
    }
}
