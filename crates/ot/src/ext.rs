//! KOS15 OT extension (Keller–Orsu–Scholl, CRYPTO 2015) with its correlation check.
//!
//! Setup: 128 base OTs in the reverse direction; the extension sender's choice bits are its
//! global Δ. Each chunk of `m` OTs takes three messages:
//! 1. receiver -> sender: the matrix `u_i = G(k_i0) ⊕ G(k_i1) ⊕ x` (128 columns of `m'` bits,
//!    `m'` = `m` rounded up to 128 plus [`CHECK_OTS`] random OTs for the check) and a
//!    commitment to the receiver's coin seed;
//! 2. sender -> receiver: the sender's coin seed, in the clear, *after* the matrix is fixed;
//! 3. receiver -> sender: the opening of its seed and the check values
//!    `x̃ = Σ x_j·χ_j`, `t̃ = Σ t_j·χ_j` in GF(2^128), with `χ` expanded from both seeds.
//!
//! The sender accepts iff `Σ q_j·χ_j = t̃ ⊕ x̃·Δ`. On any failure both sides are retired: the
//! key set refuses every further call, so its base OTs are never used again.

use crate::base::{BaseOtReceiver, BaseOtSender};
use crate::block::Block;
use crate::cipher::AesPrg;
use crate::coin::{CommittedCoin, coin_stream, verify_opening};
use crate::context::{OtContext, Role};
use crate::error::OtError;
use crate::expand::{
    ReceiverExpander, SenderExpander, Variant, ggm_build, ggm_punctured, group_point, prgs,
};
use crate::gf128;
use crate::output::{ReceiverCots, SenderCots};
use crate::transpose::transpose128;
use crate::wire::{self, Kind};
use spdz2k_core::commit::{Commitment, Nonce};
use subtle::ConstantTimeEq;

/// The computational security parameter: base OTs and the width of Δ.
pub const KAPPA: usize = 128;
/// Random OTs appended to every chunk and consumed by the check (≥ κ + s = 128 + 64).
pub const CHECK_OTS: usize = 256;
/// The largest chunk accepted, in OTs.
pub const MAX_CHUNK: usize = 1 << 22;
const CHECK_WORDS: usize = CHECK_OTS / 128;
const COIN_PURPOSE: &[u8] = b"kos15 chi";

const PHASE_SETUP: &str = "OT extension setup";
const PHASE_MATRIX: &str = "KOS extension matrix";
const PHASE_SEED: &str = "KOS coin seed";
const PHASE_CHECK: &str = "KOS correlation check";

/// The instance used for the base OTs of an extension instance: the same pair in reverse,
/// with the instance number's top bit set.
fn base_context(ctx: &OtContext) -> OtContext {
    OtContext::new(
        ctx.session().clone(),
        ctx.receiver(),
        ctx.sender(),
        ctx.instance() | (1 << 63),
    )
}

/// Payload of the setup tree message: two 16-byte masked level sums per base OT for
/// SoftSpokenOT, nothing for KOS.
fn tree_bytes(variant: Variant) -> usize {
    match variant {
        Variant::Kos => 0,
        Variant::SoftSpoken { .. } => KAPPA * 32,
    }
}

fn nb_for(m: usize) -> usize {
    m.div_ceil(128) + CHECK_WORDS
}

/// Transposes column-major `cols` (128 columns of `nb` words) into `nb * 128` rows.
fn transpose_columns(cols: &[u128], nb: usize) -> Vec<u128> {
    let mut rows = vec![0u128; nb * 128];
    let mut tile = [0u128; 128];
    for b in 0..nb {
        for (i, t) in tile.iter_mut().enumerate() {
            *t = cols[i * nb + b];
        }
        transpose128(&mut tile);
        rows[b * 128..(b + 1) * 128].copy_from_slice(&tile);
    }
    rows
}

fn check_range(ctx: &OtContext, role: Role, m: usize) -> Result<(), OtError> {
    if m == 0 || m > MAX_CHUNK {
        return Err(ctx.bad_message(
            role,
            PHASE_MATRIX,
            format!("a chunk of {m} OTs (allowed: 1 to {MAX_CHUNK})"),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------- sender

struct SenderKeys {
    delta: Block,
    variant: Variant,
    cols: SenderExpander,
    scratch: Vec<u128>,
    seq: u64,
    next_index: u64,
    pending: Option<SenderPending>,
}

struct SenderPending {
    m: usize,
    rows: Vec<u128>,
    commitment: Commitment,
    seed: Block,
}

/// The KOS15 extension sender: holds Δ and one seed per base OT. Retired after any failure.
pub struct ExtSender {
    ctx: OtContext,
    keys: Option<Box<SenderKeys>>,
}

impl core::fmt::Debug for ExtSender {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ExtSender")
            .field("ctx", &self.ctx)
            .field("retired", &self.keys.is_none())
            .finish_non_exhaustive()
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
        Ok(ExtSender {
            ctx,
            keys: Some(Box::new(SenderKeys {
                delta: self.delta,
                variant: self.variant,
                cols,
                scratch: Vec::new(),
                seq: 0,
                next_index: 0,
                pending: None,
            })),
        })
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
        &self.ctx
    }

    /// Whether a failure has retired this key set.
    pub fn is_retired(&self) -> bool {
        self.keys.is_none()
    }

    fn keys(&mut self, phase: &'static str) -> Result<&mut SenderKeys, OtError> {
        match self.keys.as_deref_mut() {
            Some(k) => Ok(k),
            None => Err(self.ctx.retired(Role::Sender, phase)),
        }
    }

    /// Retires on error: the key set is dropped and refuses every later call.
    fn guard<T>(&mut self, r: Result<T, OtError>) -> Result<T, OtError> {
        if r.is_err() {
            self.keys = None;
        }
        r
    }

    /// Step 2: takes the receiver's matrix for a chunk of `m` OTs and returns the coin seed
    /// message.
    pub fn respond<R: rand::Rng + ?Sized>(
        &mut self,
        msg: &[u8],
        m: usize,
        rng: &mut R,
    ) -> Result<Vec<u8>, OtError> {
        let r = self.respond_inner(msg, m, rng);
        self.guard(r)
    }

    fn respond_inner<R: rand::Rng + ?Sized>(
        &mut self,
        msg: &[u8],
        m: usize,
        rng: &mut R,
    ) -> Result<Vec<u8>, OtError> {
        let ctx = self.ctx.clone();
        check_range(&ctx, Role::Sender, m)?;
        let keys = self.keys(PHASE_MATRIX)?;
        if keys.pending.is_some() {
            return Err(ctx.bad_message(
                Role::Sender,
                PHASE_MATRIX,
                "a chunk is already pending".into(),
            ));
        }
        let nb = nb_for(m);
        let body = wire::open(
            &ctx,
            Role::Sender,
            PHASE_MATRIX,
            msg,
            Kind::ExtMatrix,
            keys.seq,
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
        let mut out = wire::begin(&ctx, Kind::ExtSeed, keys.seq, 16);
        out.extend_from_slice(&seed.to_bytes());
        keys.pending = Some(SenderPending {
            m,
            rows,
            commitment,
            seed,
        });
        Ok(out)
    }

    /// Step 3: checks the receiver's opening and correlation check; on success returns the
    /// chunk's correlated OTs.
    pub fn finish(&mut self, msg: &[u8]) -> Result<SenderCots, OtError> {
        let r = self.finish_inner(msg);
        self.guard(r)
    }

    fn finish_inner(&mut self, msg: &[u8]) -> Result<SenderCots, OtError> {
        let ctx = self.ctx.clone();
        let keys = self.keys(PHASE_CHECK)?;
        let Some(p) = keys.pending.take() else {
            return Err(ctx.bad_message(Role::Sender, PHASE_CHECK, "no chunk is pending".into()));
        };
        let body = wire::open(
            &ctx,
            Role::Sender,
            PHASE_CHECK,
            msg,
            Kind::ExtCheck,
            keys.seq,
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
            keys.seq,
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
        let first_index = keys.next_index;
        keys.next_index += p.m as u64;
        keys.seq += 1;
        Ok(SenderCots::new(ctx, first_index, keys.delta, rows))
    }
}

// ---------------------------------------------------------------- receiver

struct ReceiverKeys {
    variant: Variant,
    cols: ReceiverExpander,
    scratch: Vec<u128>,
    seq: u64,
    next_index: u64,
    pending: Option<ReceiverPending>,
}

struct ReceiverPending {
    m: usize,
    x: Vec<u128>,
    rows: Vec<u128>,
    coin: CommittedCoin,
}

/// The KOS15 extension receiver after setup: holds both seeds of every base OT.
pub struct ExtReceiver {
    ctx: OtContext,
    keys: Option<Box<ReceiverKeys>>,
}

/// The receiver during setup, waiting for the sender's base-OT reply.
pub struct ExtReceiverSetup {
    ctx: OtContext,
    variant: Variant,
    base: BaseOtSender,
}

impl core::fmt::Debug for ExtReceiver {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ExtReceiver")
            .field("ctx", &self.ctx)
            .field("retired", &self.keys.is_none())
            .finish_non_exhaustive()
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
        Ok((
            ExtReceiver {
                ctx: self.ctx,
                keys: Some(Box::new(ReceiverKeys {
                    variant: self.variant,
                    cols,
                    scratch: Vec::new(),
                    seq: 0,
                    next_index: 0,
                    pending: None,
                })),
            },
            out,
        ))
    }
}

impl ExtReceiver {
    /// The instance.
    pub fn context(&self) -> &OtContext {
        &self.ctx
    }

    /// Whether a failure has retired this key set.
    pub fn is_retired(&self) -> bool {
        self.keys.is_none()
    }

    fn guard<T>(&mut self, r: Result<T, OtError>) -> Result<T, OtError> {
        if r.is_err() {
            self.keys = None;
        }
        r
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
        let r = self.extend_inner(choices, m, rng);
        self.guard(r)
    }

    fn extend_inner<R: rand::Rng + ?Sized>(
        &mut self,
        choices: &[u128],
        m: usize,
        rng: &mut R,
    ) -> Result<Vec<u8>, OtError> {
        let ctx = self.ctx.clone();
        check_range(&ctx, Role::Receiver, m)?;
        let Some(keys) = self.keys.as_deref_mut() else {
            return Err(ctx.retired(Role::Receiver, PHASE_MATRIX));
        };
        if keys.pending.is_some() {
            return Err(ctx.bad_message(
                Role::Receiver,
                PHASE_MATRIX,
                "a chunk is already pending".into(),
            ));
        }
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
        let coin = CommittedCoin::new(&ctx, ctx.receiver(), COIN_PURPOSE, keys.seq, rng);
        let mut out = wire::begin(
            &ctx,
            Kind::ExtMatrix,
            keys.seq,
            32 + keys.variant.sent_columns() * nb * 16,
        );
        out.extend_from_slice(&coin.commitment().0);
        let mut cols = std::mem::take(&mut keys.scratch);
        cols.resize(KAPPA * nb, 0);
        keys.cols.columns(&x, nb, &mut cols, &mut out);
        let rows = transpose_columns(&cols, nb);
        keys.scratch = cols;
        keys.pending = Some(ReceiverPending { m, x, rows, coin });
        Ok(out)
    }

    /// Step 3: takes the sender's coin seed; returns the chunk's correlated OTs and the
    /// check message for the sender.
    pub fn finish(&mut self, msg: &[u8]) -> Result<(ReceiverCots, Vec<u8>), OtError> {
        let r = self.finish_inner(msg);
        self.guard(r)
    }

    fn finish_inner(&mut self, msg: &[u8]) -> Result<(ReceiverCots, Vec<u8>), OtError> {
        let ctx = self.ctx.clone();
        let Some(keys) = self.keys.as_deref_mut() else {
            return Err(ctx.retired(Role::Receiver, PHASE_SEED));
        };
        let Some(p) = keys.pending.take() else {
            return Err(ctx.bad_message(Role::Receiver, PHASE_SEED, "no chunk is pending".into()));
        };
        let body = wire::open(
            &ctx,
            Role::Receiver,
            PHASE_SEED,
            msg,
            Kind::ExtSeed,
            keys.seq,
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
        let mut out = wire::begin(&ctx, Kind::ExtCheck, keys.seq, 80);
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
        let first_index = keys.next_index;
        keys.next_index += p.m as u64;
        keys.seq += 1;
        Ok((ReceiverCots::new(ctx, first_index, x, rows), out))
    }
}
