//! The exact bytes one party sends to one peer per batch (excluding the OT layer's own
//! messages), as the tests assert them.
//!
//! With E1 = bytes of an element of Z_2^(k+s), E2 = of Z_2^(k+2s), tau = 2k+4s and a batch
//! of N triples, one party sends each peer
//!
//! ```text
//! ceil(tau*N/8)            random-OT corrections (only to peers other than the base peer)
//! + tau*N*E1               Gilboa d_h                        (PROTOCOL.md 1.9: tau*l1)
//! + s*(5N+1)*E2            VOLE rows of a, a^, b, c, c^, mask (5*s*l2)
//! + 2N*E2                  shares of rho and sigma            (2*l2)
//! + (s+1)*E2               row-check sums and the share of y
//! + 2*(32+64)              two coin tosses (commitment, opening)
//! + 65+65+33+(33+E2)       the MAC check's four messages
//! + 11 frames * 10 + 15 parts * 4   framing
//! ```
//!
//! A batch of N randoms (or input masks, for the owner; the other parties send no VOLE
//! rows and no row sums) costs s*(N+1)*E1 + (s+1)*E1 + 32 + 64 + 196 + E1 + 7*10 + 9*4.

use crate::coins::{COMMIT_BYTES, OPEN_BYTES};
use crate::msg::{FRAME_HEADER, PART_HEADER};
use crate::triples::tau;
use spdz2k_ring::{HasCheckRing, Params};

/// The MAC check's four messages (core `WireMsg` encodings) at element size `e`.
fn mac_check_bytes(e: u64) -> u64 {
    (1 + 64) + (1 + 64) + (1 + 32) + (1 + e + 32)
}

/// Bytes one party sends to one peer for a batch of `n` triples; `corrected` when that
/// peer is not this party's base peer (party 0's base is 1, everyone else's is 0), so the
/// random-OT corrections go to it.
///
/// The exact bytes one party sends to one peer per batch (excluding the OT layer's own
/// messages), as the tests assert them.
///
/// With E1 = bytes of an element of Z_2^(k+s), E2 = of Z_2^(k+2s), tau = 2k+4s and a batch
/// of N triples, one party sends each peer
///
/// ```text
/// ceil(tau*N/8)            random-OT corrections (only to peers other than the base peer)
/// + tau*N*E1               Gilboa d_h                        (PROTOCOL.md 1.9: tau*l1)
/// + s*(5N+1)*E2            VOLE rows of a, a^, b, c, c^, mask (5*s*l2)
/// + 2N*E2                  shares of rho and sigma            (2*l2)
/// + (s+1)*E2               row-check sums and the share of y
/// + 2*(32+64)              two coin tosses (commitment, opening)
/// + 65+65+33+(33+E2)       the MAC check's four messages
/// + 11 frames * 10 + 15 parts * 4   framing
/// ```
///
/// A batch of N randoms (or input masks, for the owner; the other parties send no VOLE
/// rows and no row sums) costs s*(N+1)*E1 + (s+1)*E1 + 32 + 64 + 196 + E1 + 7*10 + 9*4.
pub fn triple_batch_bytes_per_peer<P: HasCheckRing>(n: u64, corrected: bool) -> u64 {
    let (e1, e2) = (P::BYTES as u64, <P::Check as Params>::BYTES as u64);
    let (s, tau) = (P::S as u64, tau::<P>() as u64);
    let corrections = if corrected { (tau * n).div_ceil(8) } else { 0 };
    corrections
        + tau * n * e1
        + s * (5 * n + 1) * e2
        + 2 * n * e2
        + (s + 1) * e2
        + 2 * (COMMIT_BYTES + OPEN_BYTES)
        + mac_check_bytes(e2)
        + 11 * FRAME_HEADER
        + 15 * PART_HEADER
}

/// Bytes one party sends to one peer for a batch of `n` randoms, or of input masks of
/// which it is the owner (`contributes`) or not.
pub fn value_batch_bytes_per_peer<P: Params>(n: u64, contributes: bool) -> u64 {
    let (e1, s) = (P::BYTES as u64, P::S as u64);
    let vole = if contributes {
        s * (n + 1) * e1 + s * e1
    } else {
        0
    };
    vole + e1 + COMMIT_BYTES + OPEN_BYTES + mac_check_bytes(e1) + 7 * FRAME_HEADER + 9 * PART_HEADER
}
