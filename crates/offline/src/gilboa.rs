//! Gilboa multiplication from correlated OT (PROTOCOL.md 1.9 item 3), j -> i: P_j sends
//! d_h = m_h0 - m_h1 + b_j mod 2^(k+s); P_i sets y_h = m_{h,a_h} + a_h d_h and P_j keeps
//! -m_h0, so y_h + (-m_h0) = a_h b_j.

use spdz2k_ring::{Params, Word};

/// Sender side: the message d (encoded, `tau` bits per element of `b`) and the sender's
/// shares -m_h0 added into `acc` (indexed like the receiver's bits: element e, bit t at
/// e * tau + t).
pub(crate) fn send<P: Params>(
    pads: &[(P::Word, P::Word)],
    b: &[P::Word],
    tau: usize,
    acc: &mut [P::Word],
) -> Vec<P::Word> {
    let mut d = Vec::with_capacity(pads.len());
    for (h, &(m0, m1)) in pads.iter().enumerate() {
        d.push(P::add(P::sub(m0, m1), b[h / tau]));
        acc[h] = P::sub(acc[h], m0);
    }
    d
}

/// Receiver side: adds y_h = m_{h,a_h} + a_h d_h into `acc`.
pub(crate) fn receive<P: Params>(
    pads: &[P::Word],
    bits: &[bool],
    d: &[P::Word],
    acc: &mut [P::Word],
) {
    for h in 0..pads.len() {
        // Branch-free: the bit selects d_h through a mask.
        let y = P::add(pads[h], d[h].and(mask::<P>(bits[h])));
        acc[h] = P::add(acc[h], y);
    }
}

/// Adds the local products a_ih * b_i into `acc`.
pub(crate) fn local<P: Params>(bits: &[bool], b: &[P::Word], tau: usize, acc: &mut [P::Word]) {
    for (h, &bit) in bits.iter().enumerate() {
        acc[h] = P::add(acc[h], b[h / tau].and(mask::<P>(bit)));
    }
}

/// All ones for a set bit, zero otherwise (no branch on the secret bit).
#[inline(always)]
pub(crate) fn mask<P: Params>(bit: bool) -> P::Word {
    <P::Word as Word>::ZERO.wsub(<P::Word as Word>::from_u128(bit as u128))
}
