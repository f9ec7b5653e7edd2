//! Gilboa multiplication from correlated OT (PROTOCOL.md 1.9 item 3), j -> i: P_j sends
//! d_h = m_h0 - m_h1 + b_j mod 2^(k+s); P_i sets y_h = m_{h,a_h} + a_h d_h and P_j keeps
//! -m_h0, so y_h + (-m_h0) = a_h b_j.

use crate::ot::{CotBatch, OtBackend, OtError};
use spdz2k_ring::{Params, Word};

/// Sender side towards `receiver`, streamed from the OT backend: the message d (encoded,
/// one element per OT, indexed like the receiver's bits: element e, bit t at e * tau + t;
/// with spare capacity for the frame) and the sender's shares -m_h0 added into `acc`.
/// `e` holds the receiver's packed correction bits (a set bit swaps the pad pair), or is
/// empty when the receiver's choices are already its bits.
pub(crate) fn send<P: Params, O: OtBackend>(
    ot: &mut O,
    receiver: usize,
    batch: u64,
    e: &[u8],
    b: &[P::Word],
    tau: usize,
    acc: &mut [P::Word],
) -> Result<Vec<u8>, OtError> {
    let mut d = Vec::with_capacity(acc.len() * P::BYTES + crate::msg::FRAME_SLACK);
    let mut buf = [0u8; 32];
    let swap = |h: usize| e.get(h / 8).is_some_and(|&byte| (byte >> (h % 8)) & 1 == 1);
    let ots = CotBatch {
        peer: receiver,
        batch,
        count: acc.len(),
    };
    ot.cot_send::<P>(ots, |h, m0, m1| {
        // The correction bit is public: the branch reveals nothing.
        let (m0, m1) = if swap(h) { (m1, m0) } else { (m0, m1) };
        P::encode(P::add(P::sub(m0, m1), b[h / tau]), &mut buf);
        d.extend_from_slice(&buf[..P::BYTES]);
        acc[h] = P::sub(acc[h], m0);
    })?;
    Ok(d)
}

/// Receiver side: adds y_h = m_{h,a_h} + a_h d_h into `acc`, decoding each d_h from `d`
/// (exactly one encoding per pad; the caller checks the length).
pub(crate) fn receive<P: Params>(
    pads: &[P::Word],
    bits: &[bool],
    d: &[u8],
    acc: &mut [P::Word],
) -> Result<(), spdz2k_ring::DecodeError> {
    for (((&pad, &bit), bytes), a) in pads
        .iter()
        .zip(bits)
        .zip(d.chunks_exact(P::BYTES))
        .zip(acc.iter_mut())
    {
        // Branch-free: the bit selects d_h through a mask.
        let y = P::add(pad, P::decode(bytes)?.and(mask::<P>(bit)));
        *a = P::add(*a, y);
    }
    Ok(())
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
