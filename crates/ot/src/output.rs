//! What one extension chunk yields: correlated OTs with a global Δ, turned on demand into
//! random OTs (pads from the tweakable correlation-robust hash) or into correlated OT over
//! Z_2^l words for Gilboa multiplication. The conversions consume the chunk, so no pad is
//! ever derived twice.

use crate::block::{Block, get_bit};
use crate::cipher::tccr_hash_in_place;
use crate::context::{OtContext, Role};
use crate::error::OtError;
use crate::wire::{self, Kind};
use crate::words::{self, MAX_L_BITS};

const PHASE_WORDS: &str = "correlated OT over Z_2^l";

/// The hash tweak of OT number `index` (global within the instance), output lane `lane`.
fn tweak(index: u64, lane: usize) -> u128 {
    index as u128 | ((lane as u128) << 64)
}

/// The sender's correlated OTs of one chunk: `q_j` with `t_j = q_j ⊕ x_j·Δ` at the receiver.
pub struct SenderCots {
    ctx: OtContext,
    first_index: u64,
    delta: Block,
    q: Vec<u128>,
}

impl core::fmt::Debug for SenderCots {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SenderCots")
            .field("first_index", &self.first_index)
            .field("len", &self.q.len())
            .finish_non_exhaustive()
    }
}

/// The receiver's correlated OTs of one chunk: its choice bits `x_j` and `t_j`.
pub struct ReceiverCots {
    ctx: OtContext,
    first_index: u64,
    choices: Vec<u128>,
    t: Vec<u128>,
}

impl core::fmt::Debug for ReceiverCots {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ReceiverCots")
            .field("first_index", &self.first_index)
            .field("len", &self.t.len())
            .finish_non_exhaustive()
    }
}

/// Pads for `lanes` 128-bit lanes per OT: `H(base_j ⊕ offset, tweak(index_j, k))`.
fn pads(rows: &[u128], offset: u128, first_index: u64, lanes: usize) -> Vec<u128> {
    let mut v: Vec<u128> = if lanes == 1 {
        rows.iter().map(|&r| r ^ offset).collect()
    } else {
        rows.iter()
            .flat_map(|&r| std::iter::repeat_n(r ^ offset, lanes))
            .collect()
    };
    // lanes is 1 or 2 (l ≤ 256): shifts instead of divisions in the hot loop.
    debug_assert!(lanes.is_power_of_two());
    let shift = lanes.trailing_zeros();
    tccr_hash_in_place(&mut v, |p| {
        tweak(first_index + (p >> shift) as u64, p & (lanes - 1))
    });
    v
}

fn check_l<const L: usize>(ctx: &OtContext, role: Role, l_bits: usize) -> Result<(), OtError> {
    if l_bits == 0 || l_bits > MAX_L_BITS || l_bits > 64 * L {
        return Err(ctx.bad_message(
            role,
            PHASE_WORDS,
            format!("word width {l_bits} bits with {L} limbs (allowed: 1 to min(256, 64·L))"),
        ));
    }
    Ok(())
}

impl SenderCots {
    pub(crate) fn new(ctx: OtContext, first_index: u64, delta: Block, q: Vec<u128>) -> Self {
        SenderCots {
            ctx,
            first_index,
            delta,
            q,
        }
    }
    /// Number of OTs.
    pub fn len(&self) -> usize {
        self.q.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.q.is_empty()
    }
    /// The global index of the first OT within the instance.
    pub fn first_index(&self) -> u64 {
        self.first_index
    }
    /// The global correlation Δ (the same for every chunk of the instance).
    pub fn delta(&self) -> Block {
        self.delta
    }
    /// `q_j` of OT `j`.
    pub fn q(&self, j: usize) -> Block {
        Block(self.q[j])
    }
    /// All `q_j` as words.
    pub fn q_words(&self) -> &[u128] {
        &self.q
    }

    /// The first OT's global index, Δ and every `q_j`, moved out (no copy of the rows).
    pub fn into_parts(self) -> (u64, Block, Vec<u128>) {
        (self.first_index, self.delta, self.q)
    }

    /// Random OT: `(m_j0, m_j1) = (H(q_j, i), H(q_j ⊕ Δ, i))` with `i` the OT's global index.
    pub fn into_random_ots(self) -> Vec<[Block; 2]> {
        let p0 = pads(&self.q, 0, self.first_index, 1);
        let p1 = pads(&self.q, self.delta.0, self.first_index, 1);
        p0.into_iter()
            .zip(p1)
            .map(|(a, b)| [Block(a), Block(b)])
            .collect()
    }

    /// Correlated OT over Z_2^l (Gilboa), sender side. `b` holds one l-bit correlation per
    /// OT, or a single one for all. Returns the sender's outputs `z_j = −m_j0` and the
    /// message of corrections `d_j = m_j0 − m_j1 + b_j` (`ceil(l/8)` bytes each), where
    /// `m_jc` are the random-OT pads expanded to l bits. The receiver then holds
    /// `y_j = m_{j,x_j} + x_j·d_j`, and `y_j + z_j = x_j·b_j mod 2^l`.
    pub fn send_words<const L: usize>(
        self,
        l_bits: usize,
        b: &[[u64; L]],
    ) -> Result<(Vec<[u64; L]>, Vec<u8>), OtError> {
        check_l::<L>(&self.ctx, Role::Sender, l_bits)?;
        let n = self.q.len();
        if b.len() != 1 && b.len() != n {
            return Err(self.ctx.bad_message(
                Role::Sender,
                PHASE_WORDS,
                format!("{} correlations for {n} OTs (give 1 or {n})", b.len()),
            ));
        }
        let lanes = l_bits.div_ceil(128);
        let p0 = pads(&self.q, 0, self.first_index, lanes);
        let p1 = pads(&self.q, self.delta.0, self.first_index, lanes);
        let mut z = Vec::with_capacity(n);
        let mut msg = wire::begin(
            &self.ctx,
            Kind::WordCorrections,
            self.first_index,
            n * words::wire_len(l_bits),
        );
        for j in 0..n {
            let m0 = words::from_lanes::<L>(&p0[j * lanes..(j + 1) * lanes], l_bits);
            let m1 = words::from_lanes::<L>(&p1[j * lanes..(j + 1) * lanes], l_bits);
            let bj = words::mask(b[if b.len() == 1 { 0 } else { j }], l_bits);
            let d = words::add(&words::sub(&m0, &m1, l_bits), &bj, l_bits);
            words::write(&d, l_bits, &mut msg);
            z.push(words::neg(&m0, l_bits));
        }
        Ok((z, msg))
    }
}

impl ReceiverCots {
    pub(crate) fn new(ctx: OtContext, first_index: u64, choices: Vec<u128>, t: Vec<u128>) -> Self {
        ReceiverCots {
            ctx,
            first_index,
            choices,
            t,
        }
    }
    /// Number of OTs.
    pub fn len(&self) -> usize {
        self.t.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.t.is_empty()
    }
    /// The global index of the first OT within the instance.
    pub fn first_index(&self) -> u64 {
        self.first_index
    }
    /// The choice bit of OT `j`.
    pub fn choice(&self, j: usize) -> bool {
        get_bit(&self.choices, j)
    }
    /// The choice bits, packed (bit `j % 128` of word `j / 128`).
    pub fn choices_packed(&self) -> &[u128] {
        &self.choices
    }
    /// `t_j` of OT `j`.
    pub fn t(&self, j: usize) -> Block {
        Block(self.t[j])
    }
    /// All `t_j` as words.
    pub fn t_words(&self) -> &[u128] {
        &self.t
    }

    /// The first OT's global index, the packed choice bits and every `t_j`, moved out (no
    /// copy of the rows).
    pub fn into_parts(self) -> (u64, Vec<u128>, Vec<u128>) {
        (self.first_index, self.choices, self.t)
    }

    /// Random OT: the chosen pads `m_{j,x_j} = H(t_j, i)`, with the choice bits.
    pub fn into_random_ots(self) -> (Vec<u128>, Vec<Block>) {
        let p = pads(&self.t, 0, self.first_index, 1);
        (self.choices, p.into_iter().map(Block).collect())
    }

    /// Correlated OT over Z_2^l, receiver side: from the sender's corrections, the outputs
    /// `y_j = m_{j,x_j} + x_j·d_j mod 2^l` (see [`SenderCots::send_words`]).
    pub fn receive_words<const L: usize>(
        self,
        l_bits: usize,
        msg: &[u8],
    ) -> Result<Vec<[u64; L]>, OtError> {
        check_l::<L>(&self.ctx, Role::Receiver, l_bits)?;
        let n = self.t.len();
        let wl = words::wire_len(l_bits);
        let body = wire::open(
            &self.ctx,
            Role::Receiver,
            PHASE_WORDS,
            msg,
            Kind::WordCorrections,
            self.first_index,
            n * wl,
        )?;
        let lanes = l_bits.div_ceil(128);
        let p = pads(&self.t, 0, self.first_index, lanes);
        let mut y = Vec::with_capacity(n);
        for (j, d) in body.chunks_exact(wl).enumerate() {
            let m = words::from_lanes::<L>(&p[j * lanes..(j + 1) * lanes], l_bits);
            // x_j·d_j without a branch on the secret choice bit.
            let keep = 0u64.wrapping_sub(self.choice(j) as u64);
            let d = words::read::<L>(d, l_bits).map(|limb| limb & keep);
            y.push(words::add(&m, &d, l_bits));
        }
        Ok(y)
    }
}
