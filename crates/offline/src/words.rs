//! Uniform ring elements from random bytes or AES blocks: the sampling helpers that the
//! coin streams, the VOLE PRGs and the ideal OT share. A leaf: it names nothing else of the
//! crate.

use rand::Rng;
use spdz2k_ring::{Params, Word};

/// Fills `out` with uniform elements of Q from `rng`, drawing bytes in blocks (much faster
/// than one call per word).
pub(crate) fn fill_words<Q: Params, R: Rng + ?Sized>(rng: &mut R, out: &mut [Q::Word]) {
    let width = <Q::Word as Word>::BYTES;
    let mut buf = [0u8; 64 * 32];
    for chunk in out.chunks_mut(64) {
        let bytes = &mut buf[..chunk.len() * width];
        rng.fill_bytes(bytes);
        for (w, b) in chunk.iter_mut().zip(bytes.chunks_exact(width)) {
            *w = Q::reduce(<Q::Word as Word>::read_le(b));
        }
    }
}

/// 128-bit blocks per element of Z_2^(k+s) of `Q`.
pub(crate) fn lanes<Q: Params>() -> usize {
    (Q::KS as usize).div_ceil(128).max(1)
}

/// Elements of `Q` from `lanes` blocks each (block `k` holds bits 128k..128k+127).
pub(crate) fn words_from_lanes<Q: Params>(blocks: &[u128], lanes: usize, out: &mut [Q::Word]) {
    if lanes == 1 {
        for (w, &b) in out.iter_mut().zip(blocks) {
            *w = Q::from_u128(b);
        }
        return;
    }
    // Assembled with word arithmetic (a byte round trip per element cost more than the AES
    // that made the blocks).
    for (w, bs) in out.iter_mut().zip(blocks.chunks_exact(lanes)) {
        let mut acc = <Q::Word as Word>::ZERO;
        for &b in bs.iter().rev() {
            acc = acc.shl(128).wadd(<Q::Word as Word>::from_u128(b));
        }
        *w = Q::reduce(acc);
    }
}
