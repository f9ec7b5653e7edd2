//! The extension receiver (choice bits).

use crate::base::BaseOtSender;
use crate::block::Block;
use crate::cipher::AesPrg;
use crate::coin::{CommittedCoin, coin_stream};
use crate::context::{OtContext, Role};
use crate::error::OtError;
use crate::expand::{ReceiverExpander, Variant, ggm_build, prgs};
use crate::gf128;
use crate::output::ReceiverCots;
use crate::wire::{self, Kind};

use super::side::{Chunks, Side};
use super::*;

struct ReceiverKeys {
    variant: Variant,
    cols: ReceiverExpander,
    scratch: Vec<u128>,
    chunks: Chunks<ReceiverPending>,
}

struct ReceiverPending {
    seq: u64,
    first_index: u64,
    m: usize,
    x: Vec<u128>,
    rows: Vec<u128>,
    coin: CommittedCoin,
}

/// The KOS15 extension receiver after setup: holds both seeds of every base OT.
pub struct ExtReceiver {
    side: Side<ReceiverKeys>,
}

/// The receiver during setup, waiting for the sender's base-OT reply.
pub struct ExtReceiverSetup {
    ctx: OtContext,
    variant: Variant,
    base: BaseOtSender,
}

impl core::fmt::Debug for ExtReceiver {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.side.debug("ExtReceiver", f)
    }
}

impl core::fmt::Debug for ExtReceiverSetup {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ExtReceiverSetup")
            .field("ctx", &self.ctx)
            .finish_non_exhaustive()
    }
}

impl ExtReceiverSetup {
    /// Setup, receiver side, step 1 (the receiver is the base-OT sender).
    pub fn start<R: rand::CryptoRng + ?Sized>(
        ctx: &OtContext,
        variant: Variant,
        rng: &mut R,
    ) -> (Self, Vec<u8>) {
        let (base, msg) = BaseOtSender::start(&base_context(ctx), KAPPA, rng);
        (
            ExtReceiverSetup {
                ctx: ctx.clone(),
                variant,
                base,
            },
            msg,
        )
    }

    /// Setup, receiver side, step 3: takes the sender's base-OT reply and returns the
    /// receiver, ready to extend, and the tree message for the sender (SoftSpokenOT: the
    /// GGM level sums masked with the base-OT keys; KOS: empty).
    pub fn finish<R: rand::Rng + ?Sized>(
        self,
        msg: &[u8],
        rng: &mut R,
    ) -> Result<(ExtReceiver, Vec<u8>), OtError> {
        if !self.variant.is_valid() {
            return Err(self.ctx.bad_message(
                Role::Receiver,
                PHASE_SETUP,
                format!("unsupported {:?}", self.variant),
            ));
        }
        let pairs = self.base.finish(msg)?;
        let mut out = wire::begin(&self.ctx, Kind::SetupTrees, 0, tree_bytes(self.variant));
        let cols = match self.variant {
            Variant::Kos => ReceiverExpander::Kos(
                pairs
                    .into_iter()
                    .map(|[k0, k1]| (AesPrg::new(k0), AesPrg::new(k1)))
                    .collect(),
            ),
            Variant::SoftSpoken { d } => {
                let d = d as usize;
                let mut leaves = Vec::with_capacity(KAPPA / d);
                for g in 0..KAPPA / d {
                    let (leaf_seeds, sums) = ggm_build(Block::random(rng).0, d);
                    for (l, s) in sums.iter().enumerate() {
                        let [k0, k1] = pairs[g * d + l];
                        out.extend_from_slice(&(s[0] ^ k0.0).to_le_bytes());
                        out.extend_from_slice(&(s[1] ^ k1.0).to_le_bytes());
                    }
                    leaves.push(prgs(&leaf_seeds));
                }
                ReceiverExpander::Soft { d, leaves }
            }
        };
        let keys = ReceiverKeys {
            variant: self.variant,
            cols,
            scratch: Vec::new(),
            chunks: Chunks::default(),
        };
        let side = Side::new(self.ctx, Role::Receiver, keys);
        Ok((ExtReceiver { side }, out))
    }
}

impl ExtReceiver {
    /// The instance.
    pub fn context(&self) -> &OtContext {
        &self.side.ctx
    }

    /// Whether a failure has retired this key set.
    pub fn is_retired(&self) -> bool {
        self.side.is_retired()
    }

    /// Step 1 with uniformly random choice bits.
    pub fn extend_random<R: rand::Rng + ?Sized>(
        &mut self,
        m: usize,
        rng: &mut R,
    ) -> Result<Vec<u8>, OtError> {
        let choices: Vec<u128> = (0..m.div_ceil(128)).map(|_| Block::random(rng).0).collect();
        self.extend(&choices, m, rng)
    }

    /// Step 1: starts a chunk of `m` OTs with choice bits `choices` (bit `j % 128` of
    /// word `j / 128` is the choice of OT `j`; at least `m` bits). Returns the matrix message.
    pub fn extend<R: rand::Rng + ?Sized>(
        &mut self,
        choices: &[u128],
        m: usize,
        rng: &mut R,
    ) -> Result<Vec<u8>, OtError> {
        self.side.guarded(|s| s.start_chunk(choices, m, rng))
    }

    /// Step 3: takes the sender's coin seed; returns the chunk's correlated OTs and the
    /// check message for the sender.
    pub fn finish(&mut self, msg: &[u8]) -> Result<(ReceiverCots, Vec<u8>), OtError> {
        self.side.guarded(|s| s.finish_chunk(msg))
    }
}

impl Side<ReceiverKeys> {
    fn start_chunk<R: rand::Rng + ?Sized>(
        &mut self,
        choices: &[u128],
        m: usize,
        rng: &mut R,
    ) -> Result<Vec<u8>, OtError> {
        let ctx = self.ctx.clone();
        check_range(&ctx, Role::Receiver, m)?;
        let keys = self.keys(PHASE_MATRIX)?;
        let (seq, first_index) = keys.chunks.next(&ctx, Role::Receiver)?;
        if choices.len() * 128 < m {
            return Err(ctx.bad_message(
                Role::Receiver,
                PHASE_MATRIX,
                format!("{} choice bits for {m} OTs", choices.len() * 128),
            ));
        }
        let nb = nb_for(m);
        // Choice bits, then random bits for the padding and the check OTs.
        let mut x: Vec<u128> = (0..nb).map(|_| Block::random(rng).0).collect();
        let full = m / 128;
        x[..full].copy_from_slice(&choices[..full]);
        if !m.is_multiple_of(128) {
            let keep = (1u128 << (m % 128)) - 1;
            x[full] = (choices[full] & keep) | (x[full] & !keep);
        }
        let coin = CommittedCoin::new(&ctx, ctx.receiver(), COIN_PURPOSE, seq, rng);
        let mut out = wire::begin(
            &ctx,
            Kind::ExtMatrix,
            seq,
            32 + keys.variant.sent_columns() * nb * 16,
        );
        out.extend_from_slice(&coin.commitment().0);
        let mut cols = std::mem::take(&mut keys.scratch);
        cols.resize(KAPPA * nb, 0);
        keys.cols.columns(&x, nb, &mut cols, &mut out);
        let rows = transpose_columns(&cols, nb);
        keys.scratch = cols;
        let chunk = ReceiverPending {
            seq,
            first_index,
            m,
            x,
            rows,
            coin,
        };
        keys.chunks.push(m, chunk);
        Ok(out)
    }

    fn finish_chunk(&mut self, msg: &[u8]) -> Result<(ReceiverCots, Vec<u8>), OtError> {
        let ctx = self.ctx.clone();
        let keys = self.keys(PHASE_SEED)?;
        let p = keys.chunks.pop(&ctx, Role::Receiver, PHASE_SEED)?;
        let body = wire::open(
            &ctx,
            Role::Receiver,
            PHASE_SEED,
            msg,
            Kind::ExtSeed,
            p.seq,
            16,
        )?;
        let sender_seed = Block::from_bytes(body.try_into().unwrap_or_default());
        let (seed, nonce) = p.coin.opening();
        let chi = coin_stream(seed, sender_seed).blocks(p.rows.len());
        let mut x_sum = 0u128;
        for (w, chunk) in p.x.iter().zip(chi.chunks_exact(128)) {
            for (k, c) in chunk.iter().enumerate() {
                x_sum ^= c & 0u128.wrapping_sub((w >> k) & 1);
            }
        }
        let t_sum = gf128::inner_product(&p.rows, &chi);
        let mut out = wire::begin(&ctx, Kind::ExtCheck, p.seq, 80);
        out.extend_from_slice(&seed.to_bytes());
        out.extend_from_slice(&nonce.0);
        out.extend_from_slice(&x_sum.to_le_bytes());
        out.extend_from_slice(&t_sum.to_le_bytes());
        let mut rows = p.rows;
        rows.truncate(p.m);
        let mut x = p.x;
        x.truncate(p.m.div_ceil(128));
        if let Some(last) = x.last_mut().filter(|_| !p.m.is_multiple_of(128)) {
            *last &= (1u128 << (p.m % 128)) - 1;
        }
        Ok((ReceiverCots::new(ctx, p.first_index, x, rows), out))
    }
}
