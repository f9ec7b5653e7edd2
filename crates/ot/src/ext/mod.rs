//! OT extension: KOS15 (Keller–Orsu–Scholl, CRYPTO 2015) and SoftSpokenOT (Roy, CRYPTO
//! 2022), both with the KOS correlation check. The [`Variant`] picks the column source
//! (see the `expand` module); everything else is shared.
//!
//! Setup (three flights): the receiver sends the base-OT sender's key, the sender answers
//! as base-OT receiver with choice bits from its fresh Δ, and the receiver sends the
//! SoftSpokenOT tree message (GGM level sums masked with its base-OT keys; empty for KOS).
//!
//! Each chunk of `m` OTs then takes three messages:
//! 1. receiver -> sender: the matrix (KOS: `u_i = G(k_i0) ⊕ G(k_i1) ⊕ x`, 128 columns;
//!    SoftSpokenOT: `c_g = u_g ⊕ x`, 128/d columns) of `m'` bits each, `m'` = `m` rounded
//!    up to 128 plus [`CHECK_OTS`] random OTs for the check, and a commitment to the
//!    receiver's coin seed;
//! 2. sender -> receiver: the sender's coin seed, in the clear, *after* the matrix is fixed;
//! 3. receiver -> sender: the opening of its seed and the check values
//!    `x̃ = Σ x_j·χ_j`, `t̃ = Σ t_j·χ_j` in GF(2^128), with `χ` expanded from both seeds.
//!
//! The sender accepts iff `Σ q_j·χ_j = t̃ ⊕ x̃·Δ`. On any failure both sides are retired: the
//! key set refuses every further call, so its base OTs are never used again.

mod receiver;
mod sender;
mod side;

pub use receiver::{ExtReceiver, ExtReceiverSetup};
pub use sender::{ExtSender, ExtSenderSetup};

use crate::context::{OtContext, Role};
use crate::error::OtError;
use crate::expand::Variant;
use crate::transpose::transpose128;

// Defined beside the column sources, which are sized by it (a leaf module to this one).
pub use crate::expand::KAPPA;
/// Random OTs appended to every chunk and consumed by the check (≥ κ + s = 128 + 64).
pub const CHECK_OTS: usize = 256;
/// Chunks one side may have in flight (started, not yet finished): lets a driver
/// pipeline the receiver's next matrix with the sender's work on the previous chunk.
pub const MAX_PENDING: usize = 4;
/// The largest chunk accepted, in OTs.
pub const MAX_CHUNK: usize = 1 << 22;
pub(super) const CHECK_WORDS: usize = CHECK_OTS / 128;
pub(super) const COIN_PURPOSE: &[u8] = b"kos15 chi";

pub(super) const PHASE_SETUP: &str = "OT extension setup";
pub(super) const PHASE_MATRIX: &str = "KOS extension matrix";
pub(super) const PHASE_SEED: &str = "KOS coin seed";
pub(super) const PHASE_CHECK: &str = "KOS correlation check";

/// The instance used for the base OTs of an extension instance: the same pair in reverse,
/// with the instance number's top bit set.
pub(super) fn base_context(ctx: &OtContext) -> OtContext {
    OtContext::new(
        ctx.session().clone(),
        ctx.receiver(),
        ctx.sender(),
        ctx.instance() | (1 << 63),
    )
}

/// Payload of the setup tree message: two 16-byte masked level sums per base OT for
/// SoftSpokenOT, nothing for KOS.
pub(super) fn tree_bytes(variant: Variant) -> usize {
    match variant {
        Variant::Kos => 0,
        Variant::SoftSpoken { .. } => KAPPA * 32,
    }
}

pub(super) fn nb_for(m: usize) -> usize {
    m.div_ceil(128) + CHECK_WORDS
}

/// Transposes column-major `cols` (128 columns of `nb` words) into `nb * 128` rows.
pub(super) fn transpose_columns(cols: &[u128], nb: usize) -> Vec<u128> {
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

pub(super) fn check_range(ctx: &OtContext, role: Role, m: usize) -> Result<(), OtError> {
    if m == 0 || m > MAX_CHUNK {
        return Err(ctx.bad_message(
            role,
            PHASE_MATRIX,
            format!("a chunk of {m} OTs (allowed: 1 to {MAX_CHUNK})"),
        ));
    }
    Ok(())
}
