//! The real OT behind [`OtBackend`]: buffers of random OTs that the async driver in
//! `crate::secure` fills from the OT crate (SoftSpokenOT or KOS15 extension, one instance
//! per ordered pair), VOLE seeds from the OT crate's base OTs, and the AES-CTR PRG as the
//! VOLE [`Prg`].
//!
//! The backend never talks to the network: [`OtBackend`] is synchronous. Before a group of
//! triple batches the driver extends every ordered pair by the OTs those batches need and
//! queues the chunks here; the batches then take them in order. The chunks hold only the
//! extension's rows (`q_j` and Δ at the sender, `t_j` and the choice bits at the receiver,
//! 16 bytes per OT); the random-OT pads `H(q_j)`, `H(q_j ⊕ Δ)` and `H(t_j)` are hashed
//! when a batch takes them, with the OT crate's tweakable correlation-robust hash and the
//! OT's global index as tweak, so no pad is derived twice.

use crate::ot::{ChosenPads, CotBatch, OtBackend, OtError, OtResult, PadSink, Prg, Seed};
use crate::words::{lanes, words_from_lanes};
use spdz2k_ot::cipher::{Aes, tccr_hash_in_place};
use spdz2k_ot::{Block, ReceiverCots, SenderCots};
use spdz2k_ring::{Params, Word};
use std::collections::VecDeque;

/// The AES-128-CTR PRG of the OT crate as the VOLE PRG: the key is the seed and block `i`
/// of call `call` is `AES_seed(call · 2^64 + i)`, so every call (batch) has its own stream.
#[derive(Clone, Copy, Debug, Default)]
pub struct AesPrg;

impl Prg for AesPrg {
    fn expand<Q: Params>(seed: &Seed, call: u64, out: &mut [Q::Word]) {
        let aes = Aes::new(Block::from_bytes(seed.0));
        let lanes = lanes::<Q>();
        let mut counter = (call as u128) << 64;
        let mut blocks = [0u128; 256];
        for chunk in out.chunks_mut(256 / lanes) {
            let blocks = &mut blocks[..chunk.len() * lanes];
            for b in blocks.iter_mut() {
                *b = counter;
                counter += 1;
            }
            aes.encrypt(blocks);
            words_from_lanes::<Q>(blocks, lanes, chunk);
        }
    }
}

/// The hash tweak of OT `index` (global within its instance), output lane `lane`: the
/// same layout as the OT crate's own random-OT conversion.
fn tweak(index: u64, lane: usize) -> u128 {
    index as u128 | ((lane as u128) << 64)
}

/// Rows hashed at once: the AES backend pipelines the blocks, and the scratch space stays
/// on the stack (no allocation or page faults per batch).
const HASH_ROWS: usize = 512;

/// Hashes `rows[j] ⊕ offset` (at most [`HASH_ROWS`] rows) into `lanes` pads each, for OTs
/// `first_index + j`, and writes the element of `P` each makes to `out[j]`.
fn hash_chunk<P: Params>(rows: &[u128], offset: u128, first_index: u64, out: &mut [P::Word]) {
    let lanes = lanes::<P>();
    let mut v = [0u128; HASH_ROWS * 2];
    let v = &mut v[..rows.len() * lanes];
    for (slot, &r) in v.chunks_exact_mut(lanes).zip(rows) {
        slot.fill(r ^ offset);
    }
    tccr_hash_in_place(v, |p| tweak(first_index + (p / lanes) as u64, p % lanes));
    words_from_lanes::<P>(v, lanes, &mut out[..rows.len()]);
}

/// Hashes `rows[j] ⊕ offset` into pads for OTs `first_index + j` and passes the element of
/// `P` each makes to `emit`, in order.
fn hash_pads<P: Params>(
    rows: &[u128],
    offset: u128,
    first_index: u64,
    mut emit: impl FnMut(P::Word),
) {
    let mut words = [<P::Word as Word>::ZERO; HASH_ROWS];
    for (c, chunk) in rows.chunks(HASH_ROWS).enumerate() {
        hash_chunk::<P>(
            chunk,
            offset,
            first_index + (c * HASH_ROWS) as u64,
            &mut words,
        );
        words[..chunk.len()].iter().for_each(|&w| emit(w));
    }
}

/// One sender chunk: `q_j` from `pos` on, Δ, and the index of `q[0]`.
struct SendChunk {
    first_index: u64,
    delta: u128,
    q: Vec<u128>,
    pos: usize,
}

/// One receiver chunk: `t_j` and the choice bits from `pos` on.
struct RecvChunk {
    first_index: u64,
    choices: Vec<u128>,
    t: Vec<u128>,
    pos: usize,
}

/// This party's OT backend: per peer, the queued extension chunks in both directions and
/// the VOLE seeds of the key set. Secrets only: its `Debug` shows counts.
pub struct ExtOt {
    party: usize,
    recv: Vec<VecDeque<RecvChunk>>,
    send: Vec<VecDeque<SendChunk>>,
    /// Per sender peer: the random choice bits c_u and seeds k_{u, c_u} of the VOLE base OTs.
    vole_recv: Vec<Option<(Vec<bool>, Vec<Seed>)>>,
    /// Per receiver peer: the seed pairs (k_u0, k_u1), before the peer's correction.
    vole_send: Vec<Option<Vec<(Seed, Seed)>>>,
    /// Per sender peer: e = alpha xor c, to be sent so the peer relabels its pairs.
    corrections: Vec<Option<Vec<bool>>>,
}

impl core::fmt::Debug for ExtOt {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let recv: Vec<usize> = (0..self.recv.len())
            .map(|p| self.recv_available(p))
            .collect();
        write!(
            f,
            "ExtOt(party {}, buffered random OTs per peer: {recv:?})",
            self.party
        )
    }
}

impl ExtOt {
    /// An empty backend for `party` of `n`.
    pub(crate) fn new(party: usize, n: usize) -> Self {
        Self {
            party,
            recv: (0..n).map(|_| VecDeque::new()).collect(),
            send: (0..n).map(|_| VecDeque::new()).collect(),
            vole_recv: vec![None; n],
            vole_send: vec![None; n],
            corrections: vec![None; n],
        }
    }

    /// Queues a receiver chunk from `sender`.
    pub(crate) fn push_recv(&mut self, sender: usize, cots: ReceiverCots) {
        let (first_index, choices, t) = cots.into_parts();
        self.recv[sender].push_back(RecvChunk {
            first_index,
            choices,
            t,
            pos: 0,
        });
    }

    /// Queues a sender chunk to `receiver`.
    pub(crate) fn push_send(&mut self, receiver: usize, cots: SenderCots) {
        let (first_index, delta, q) = cots.into_parts();
        self.send[receiver].push_back(SendChunk {
            first_index,
            delta: delta.0,
            q,
            pos: 0,
        });
    }

    /// Random OTs queued from `sender`.
    pub(crate) fn recv_available(&self, sender: usize) -> usize {
        self.recv[sender].iter().map(|c| c.t.len() - c.pos).sum()
    }

    /// Random OTs queued to `receiver`.
    pub(crate) fn send_available(&self, receiver: usize) -> usize {
        self.send[receiver].iter().map(|c| c.q.len() - c.pos).sum()
    }

    /// Stores the VOLE base OTs with `sender` (random choices `c`, seeds k_{u,c_u}).
    pub(crate) fn set_vole_recv(&mut self, sender: usize, c: Vec<bool>, seeds: Vec<Seed>) {
        self.vole_recv[sender] = Some((c, seeds));
    }

    /// Stores the VOLE seed pairs towards `receiver`.
    pub(crate) fn set_vole_send(&mut self, receiver: usize, pairs: Vec<(Seed, Seed)>) {
        self.vole_send[receiver] = Some(pairs);
    }

    /// The correction e = alpha xor c to send to `sender` (once the key set exists).
    pub(crate) fn take_correction(&mut self, sender: usize) -> Option<Vec<bool>> {
        self.corrections[sender].take()
    }

    /// Drops every buffered OT and seed (after a failure: nothing is ever reused).
    pub(crate) fn clear(&mut self) {
        for q in &mut self.recv {
            q.clear();
        }
        for q in &mut self.send {
            q.clear();
        }
        self.vole_recv.iter_mut().for_each(|v| *v = None);
        self.vole_send.iter_mut().for_each(|v| *v = None);
        self.corrections.iter_mut().for_each(|v| *v = None);
    }

    fn short(&self, peer: usize, what: &str, have: usize, count: usize) -> OtError {
        OtError {
            peer,
            detail: format!(
                "party {}: {count} random OTs ({what}) requested, {have} prepared by the driver",
                self.party
            ),
        }
    }
}

impl OtBackend for ExtOt {
    fn cot_receive<P: Params>(&mut self, ots: CotBatch) -> OtResult<ChosenPads<P>> {
        // The driver lines the extension chunks up by order, not by batch number.
        let (sender, count) = (ots.peer, ots.count);
        let have = self.recv_available(sender);
        if have < count {
            return Err(self.short(sender, "receiver", have, count));
        }
        let mut choices = Vec::with_capacity(count);
        let mut pads = Vec::with_capacity(count);
        let queue = &mut self.recv[sender];
        let mut left = count;
        while left > 0 {
            let Some(c) = queue.front_mut() else { break };
            let take = left.min(c.t.len() - c.pos);
            let (from, to) = (c.pos, c.pos + take);
            choices.extend((from..to).map(|j| (c.choices[j / 128] >> (j % 128)) & 1 == 1));
            hash_pads::<P>(&c.t[from..to], 0, c.first_index + from as u64, |w| {
                pads.push(w)
            });
            c.pos = to;
            left -= take;
            if c.pos == c.t.len() {
                queue.pop_front();
            }
        }
        Ok((choices, pads))
    }

    fn cot_send<P: Params>(&mut self, ots: CotBatch, mut each: impl PadSink<P>) -> OtResult<()> {
        let (receiver, count) = (ots.peer, ots.count);
        let have = self.send_available(receiver);
        if have < count {
            return Err(self.short(receiver, "sender", have, count));
        }
        // Both pads of a stretch of OTs are hashed into stack buffers and handed out at
        // once: no pad pairs are stored (they were 2 x 16 bytes per OT, 25 MB per batch).
        let zero = <P::Word as Word>::ZERO;
        let (mut m0, mut m1) = ([zero; HASH_ROWS], [zero; HASH_ROWS]);
        let queue = &mut self.send[receiver];
        let (mut left, mut h) = (count, 0usize);
        while left > 0 {
            let Some(c) = queue.front_mut() else { break };
            let take = left.min(c.q.len() - c.pos).min(HASH_ROWS);
            let (from, to) = (c.pos, c.pos + take);
            let first = c.first_index + from as u64;
            hash_chunk::<P>(&c.q[from..to], 0, first, &mut m0);
            hash_chunk::<P>(&c.q[from..to], c.delta, first, &mut m1);
            for (&a, &b) in m0[..take].iter().zip(&m1[..take]) {
                each(h, a, b);
                h += 1;
            }
            c.pos = to;
            left -= take;
            if c.pos == c.q.len() {
                queue.pop_front();
            }
        }
        Ok(())
    }

    fn vole_seeds_receive(&mut self, sender: usize, choices: &[bool]) -> OtResult<Vec<Seed>> {
        let (c, seeds) = self.vole_recv[sender].take().ok_or_else(|| OtError {
            peer: sender,
            detail: format!("party {}: no VOLE base OTs prepared", self.party),
        })?;
        if c.len() != choices.len() {
            return Err(OtError {
                peer: sender,
                detail: format!("{} VOLE base OTs for {} key bits", c.len(), choices.len()),
            });
        }
        // Derandomisation: with e = alpha xor c the sender relabels (k_u0, k_u1) by e_u,
        // so that the seed held here is k'_{u, alpha_u}.
        self.corrections[sender] = Some(c.iter().zip(choices).map(|(a, b)| a ^ b).collect());
        Ok(seeds)
    }

    fn vole_seeds_send(&mut self, receiver: usize, count: usize) -> OtResult<Vec<(Seed, Seed)>> {
        let pairs = self.vole_send[receiver].take().ok_or_else(|| OtError {
            peer: receiver,
            detail: format!("party {}: no VOLE seed pairs prepared", self.party),
        })?;
        if pairs.len() != count {
            return Err(OtError {
                peer: receiver,
                detail: format!("{} VOLE seed pairs, {count} needed", pairs.len()),
            });
        }
        Ok(pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spdz2k_ring::{K64S64, K128S64, K128S64Check};

    /// The element of `Q` from little-endian bytes of its blocks (the definition that
    /// `words_from_lanes` computes with word arithmetic).
    fn from_bytes<Q: Params>(bs: &[u128]) -> Q::Word {
        let mut buf = [0u8; 64];
        for (k, b) in bs.iter().enumerate() {
            buf[16 * k..16 * k + 16].copy_from_slice(&b.to_le_bytes());
        }
        let width = <Q::Word as Word>::BYTES.min(16 * bs.len());
        Q::reduce(<Q::Word as Word>::read_le(&buf[..width]))
    }

    #[test]
    fn lanes_assemble_like_little_endian_bytes() {
        use spdz2k_ring::{K32S32Check, K64S64Check};
        fn check<Q: Params>() {
            let lanes = lanes::<Q>();
            let blocks: Vec<u128> = (0..lanes * 50)
                .map(|i| (i as u128 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834))
                .collect();
            let mut out = vec![<Q::Word as Word>::ZERO; 50];
            words_from_lanes::<Q>(&blocks, lanes, &mut out);
            for (w, bs) in out.iter().zip(blocks.chunks_exact(lanes)) {
                assert_eq!(*w, from_bytes::<Q>(bs));
            }
        }
        check::<K64S64>();
        check::<K32S32Check>();
        check::<K64S64Check>();
        check::<K128S64>();
        check::<K128S64Check>();
    }

    #[test]
    fn aes_prg_streams_are_per_call_and_continue_across_chunks() {
        let seed = Seed([7; 16]);
        let mut a = vec![0u128; 1000];
        AesPrg::expand::<K64S64>(&seed, 3, &mut a);
        let mut b = vec![0u128; 300];
        AesPrg::expand::<K64S64>(&seed, 3, &mut b);
        assert_eq!(&a[..300], &b[..], "a prefix of the same stream");
        let mut c = vec![0u128; 300];
        AesPrg::expand::<K64S64>(&seed, 4, &mut c);
        assert_ne!(b, c, "another call, another stream");
        // Two lanes per element for 192 and 256 bits; the top bits are masked.
        let mut w = vec![Default::default(); 300];
        AesPrg::expand::<K128S64>(&seed, 3, &mut w);
        assert!(w.windows(2).all(|p| p[0] != p[1]));
        let mut w2 = vec![Default::default(); 300];
        AesPrg::expand::<K128S64Check>(&seed, 3, &mut w2);
        assert_eq!(
            K128S64Check::reduce(w2[5]).low_u128(),
            w2[5].low_u128(),
            "canonical"
        );
    }
}
