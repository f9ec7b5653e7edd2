//! MAC VOLE over Z_2^l (PROTOCOL.md 1.9 item 4) and its row-consistency check.
//!
//! Per ordered pair (P_i holds x, P_j holds alpha_j) and seeds from s base OTs with choice
//! bits alpha_ju: P_i sends d_u = G(k_u0) - G(k_u1) + x for every u < s; P_j keeps
//! sum_u 2^u (G(k_{u,alpha_ju}) + alpha_ju d_u) = sum_u 2^u G(k_u0) + alpha_j x; P_i keeps
//! -sum_u 2^u G(k_u0). G is expanded per batch ([`Prg`]), so no PRG state is carried.
//!
//! **Row consistency.** A sender may put different x_u in different rows; the receiver's
//! output then depends on single bits of alpha_j, and a later abort or pass would leak
//! them. After the d_u are fixed, coins give chi in Z_2^l (the last, mask, element gets
//! coefficient 1). The sender reveals X = sum_e chi_e x_e (its share of the opened
//! combination y, uniform thanks to its mask element) and S_u = sum_e chi_e G(k_u0)_e for
//! every row; the receiver checks sum_e chi_e w_ue = S_u + alpha_ju X for every u. If rows
//! u and v carry x_u != x_v, then sum chi (x_u - x_v) != 0 except with probability at most
//! 2^-(l - v) <= 1/2 per coordinate of valuation v, and as the sender fixes one X, passing
//! row u requires guessing alpha_ju: every bit of alpha a cheater learns costs it a factor
//! 1/2 in the probability of not being caught (the KOS/MP-SPDZ `OTVole` leakage bound).
//! S_u reveals only X to the receiver, which knows G(k_{u,alpha_ju}) and d_u.

use crate::ot::{Prg, Seed};
use spdz2k_ring::{Params, Word};

/// Sender side towards one receiver: appends the s rows d_u to `out` and subtracts
/// sum_u 2^u G(k_u0) from `acc`.
pub(crate) fn send<Q: Params, G: Prg>(
    seeds: &[(Seed, Seed)],
    call: u64,
    x: &[Q::Word],
    acc: &mut [Q::Word],
    out: &mut Vec<u8>,
) {
    let len = x.len();
    let mut g0 = vec![<Q::Word as Word>::ZERO; len];
    let mut g1 = vec![<Q::Word as Word>::ZERO; len];
    out.reserve(seeds.len() * len * Q::BYTES + crate::msg::FRAME_SLACK);
    let mut buf = [0u8; 32];
    for (u, (k0, k1)) in seeds.iter().enumerate() {
        G::expand::<Q>(k0, call, &mut g0);
        G::expand::<Q>(k1, call, &mut g1);
        // d_u is encoded as it is computed (no row buffer, no zero-filled output).
        for e in 0..len {
            Q::encode(Q::add(Q::sub(g0[e], g1[e]), x[e]), &mut buf);
            out.extend_from_slice(&buf[..Q::BYTES]);
            acc[e] = Q::sub(acc[e], Q::shl(g0[e], u as u32));
        }
    }
}

/// Receiver side from one sender: the rows w_u = G(k_{u,alpha_u}) + alpha_u d_u (kept for
/// the row check), and adds sum_u 2^u w_u to `acc`. `d` holds the s encoded rows (length
/// checked by the caller); each row is decoded as it is used.
pub(crate) fn receive<Q: Params, G: Prg>(
    seeds: &[Seed],
    alpha_bits: &[bool],
    call: u64,
    d: &[u8],
    acc: &mut [Q::Word],
) -> Result<Vec<Q::Word>, spdz2k_ring::DecodeError> {
    let len = acc.len();
    let mut w = vec![<Q::Word as Word>::ZERO; seeds.len() * len];
    for (u, (k, &bit)) in seeds.iter().zip(alpha_bits).enumerate() {
        let du = &d[u * len * Q::BYTES..(u + 1) * len * Q::BYTES];
        let row = &mut w[u * len..(u + 1) * len];
        G::expand::<Q>(k, call, row);
        let m = crate::gilboa::mask::<Q>(bit);
        // Each d_ue is decoded where it is used (no decoded copy of the row).
        for ((r, a), bytes) in row
            .iter_mut()
            .zip(acc.iter_mut())
            .zip(du.chunks_exact(Q::BYTES))
        {
            *r = Q::add(*r, Q::decode(bytes)?.and(m));
            *a = Q::add(*a, Q::shl(*r, u as u32));
        }
    }
    Ok(w)
}

/// sum_e chi_e v_e (unreduced accumulation, reduced once).
pub(crate) fn combine<Q: Params>(chi: &[Q::Word], v: &[Q::Word]) -> Q::Word {
    spdz2k_ring::inner_product::<Q>(chi, v)
}

/// Sender's row-check message: S_u = sum_e chi_e G(k_u0)_e for every row.
pub(crate) fn row_sums<Q: Params, G: Prg>(
    seeds: &[(Seed, Seed)],
    call: u64,
    chi: &[Q::Word],
) -> Vec<Q::Word> {
    let mut g0 = vec![<Q::Word as Word>::ZERO; chi.len()];
    seeds
        .iter()
        .map(|(k0, _)| {
            G::expand::<Q>(k0, call, &mut g0);
            combine::<Q>(chi, &g0)
        })
        .collect()
}

/// Receiver's row check: the first row u with sum_e chi_e w_ue != S_u + alpha_u X.
pub(crate) fn check_rows<Q: Params>(
    w: &[Q::Word],
    alpha_bits: &[bool],
    chi: &[Q::Word],
    sums: &[Q::Word],
    x: Q::Word,
) -> Option<usize> {
    let len = chi.len();
    let mut bad = None;
    for (u, (&bit, &s)) in alpha_bits.iter().zip(sums).enumerate() {
        let lhs = combine::<Q>(chi, &w[u * len..(u + 1) * len]);
        let rhs = Q::add(s, x.and(crate::gilboa::mask::<Q>(bit)));
        // Evaluate every row (no early exit on secret-dependent data).
        if lhs != rhs && bad.is_none() {
            bad = Some(u);
        }
    }
    bad
}
