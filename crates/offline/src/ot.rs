//! What the offline phase needs from oblivious transfer, as a small trait the OT crate
//! implements, and the PRG that expands VOLE seeds.
//!
//! The calls are synchronous: an implementation runs its own OT-extension messages (which
//! are the OT crate's, and are not counted in this crate's byte formula) before it returns.
//! Both sides of an ordered pair make the matching calls with the same `batch`, so an
//! implementation may use `batch` to line up its own state.

#[cfg(any(test, feature = "insecure-ideal-ot"))]
use rand::Rng;
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use sha2::{Digest, Sha256};
use spdz2k_ring::Params;
#[cfg(any(test, feature = "insecure-ideal-ot"))]
use spdz2k_ring::Word;

// The OT layer's failure type lives with the crate's other errors (error.rs is a leaf).
pub use crate::error::OtError;

/// A 128-bit OT seed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Seed(pub [u8; 16]);

impl core::fmt::Debug for Seed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Seed(<redacted>)")
    }
}

/// One batch of random/correlated OTs with one peer, as both sides name it in their matching
/// calls: the peer, the offline phase's batch number, and how many OTs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CotBatch {
    /// The other party: the sender for `cot_receive`, the receiver for `cot_send`.
    pub peer: usize,
    /// The offline phase's batch number (the same on both sides).
    pub batch: u64,
    /// How many OTs.
    pub count: usize,
}

/// What a correlated-OT sender hands each OT's pads to: `each(h, m_h0, m_h1)` for every OT
/// h of a batch, in order, so that no backend has to keep a batch's pad pairs.
pub trait PadSink<P: Params>: FnMut(usize, P::Word, P::Word) {}

impl<P: Params, F: FnMut(usize, P::Word, P::Word)> PadSink<P> for F {}

/// What the OT calls return.
pub type OtResult<T> = Result<T, OtError>;

/// A random-OT receiver's batch: the choice bits c_h and the chosen pads m_{h,c_h}.
pub type ChosenPads<P> = (Vec<bool>, Vec<<P as Params>::Word>);

/// Pad pairs (m_h0, m_h1) of one correlated-OT batch, sender side.
pub type PadPairs<P> = Vec<(<P as Params>::Word, <P as Params>::Word)>;

/// The OT services the offline phase consumes, per ordered pair of parties.
pub trait OtBackend: Send {
    /// Random-OT pads for Gilboa, receiver side (this party receives from `ots.peer`):
    /// `ots.count` random choice bits c_h and the pads `m_{h,c_h}`, elements of Z_2^(k+s).
    /// (The offline phase makes the choices equal towards every sender by sending
    /// corrections e = a xor c, so a plain random OT suffices.)
    fn cot_receive<P: Params>(&mut self, ots: CotBatch) -> OtResult<ChosenPads<P>>;
    /// Correlated-OT pads for Gilboa, sender side (to `ots.peer`), streamed: calls
    /// `each(h, m_h0, m_h1)` for every one of `ots.count` OTs h, with its pad pair of
    /// elements of Z_2^(k+s). A backend need not keep the pairs (they were 25 MB per batch).
    fn cot_send<P: Params>(&mut self, ots: CotBatch, each: impl PadSink<P>) -> OtResult<()>;
    /// VOLE seeds, key-holder side: s base OTs whose choice bits are the bits of this
    /// party's MAC key share; returns k_{u, alpha_u}. Called once per key set and peer.
    fn vole_seeds_receive(&mut self, sender: usize, choices: &[bool]) -> OtResult<Vec<Seed>>;
    /// VOLE seeds, value-holder side: `count` pairs (k_u0, k_u1).
    fn vole_seeds_send(&mut self, receiver: usize, count: usize) -> OtResult<Vec<(Seed, Seed)>>;
}

/// Expands a VOLE seed into words: G(seed, call) is an independent stream per `call`
/// (the batch number), so neither side keeps PRG state between batches.
pub trait Prg: Send + Sync {
    /// Fills `out` with elements of Z_2^(k+s) of `Q` from G(seed, call).
    fn expand<Q: Params>(seed: &Seed, call: u64, out: &mut [Q::Word]);
}

/// ChaCha20 as the VOLE PRG (key SHA-256(label, seed), stream = call). The AES PRG of the
/// OT crate can replace it through [`Prg`].
#[derive(Clone, Copy, Debug, Default)]
pub struct ChaChaPrg;

impl Prg for ChaChaPrg {
    fn expand<Q: Params>(seed: &Seed, call: u64, out: &mut [Q::Word]) {
        let mut h = Sha256::new();
        h.update(b"spdz2k-vole-prg-v1");
        h.update(seed.0);
        let mut rng = ChaCha20Rng::from_seed(h.finalize().into());
        rng.set_stream(call);
        crate::words::fill_words::<Q, _>(&mut rng, out);
    }
}

/// INSECURE: an ideal OT for tests. Every party derives all OT outputs from one shared
/// test seed, so anyone holding the seed knows every pad and key. Never use it for real
/// secrets.
#[cfg(any(test, feature = "insecure-ideal-ot"))]
#[derive(Clone)]
pub struct InsecureIdealOt {
    party: usize,
    seed: [u8; 32],
}

#[cfg(any(test, feature = "insecure-ideal-ot"))]
impl InsecureIdealOt {
    /// Party `party`'s handle on the ideal OT keyed by the shared `seed`.
    pub fn new(party: usize, seed: [u8; 32]) -> Self {
        Self { party, seed }
    }

    fn stream(&self, kind: &str, sender: usize, receiver: usize, batch: u64) -> ChaCha20Rng {
        let mut h = Sha256::new();
        h.update(b"spdz2k-insecure-ideal-ot-v1");
        h.update(self.seed);
        h.update(kind.as_bytes());
        h.update((sender as u64).to_le_bytes());
        h.update((receiver as u64).to_le_bytes());
        h.update(batch.to_le_bytes());
        ChaCha20Rng::from_seed(h.finalize().into())
    }

    fn seed_pairs(&self, sender: usize, receiver: usize, count: usize) -> Vec<(Seed, Seed)> {
        let mut rng = self.stream("vole-seeds", sender, receiver, 0);
        (0..count)
            .map(|_| {
                let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
                rng.fill_bytes(&mut a);
                rng.fill_bytes(&mut b);
                (Seed(a), Seed(b))
            })
            .collect()
    }

    fn pads<P: Params>(
        &self,
        sender: usize,
        receiver: usize,
        batch: u64,
        count: usize,
    ) -> PadPairs<P> {
        let mut rng = self.stream("cot", sender, receiver, batch);
        let mut w = vec![<P::Word as Word>::ZERO; 2 * count];
        crate::words::fill_words::<P, _>(&mut rng, &mut w);
        w.chunks_exact(2).map(|c| (c[0], c[1])).collect()
    }
}

#[cfg(any(test, feature = "insecure-ideal-ot"))]
impl core::fmt::Debug for InsecureIdealOt {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "InsecureIdealOt(party {}, INSECURE)", self.party)
    }
}

#[cfg(any(test, feature = "insecure-ideal-ot"))]
impl OtBackend for InsecureIdealOt {
    fn cot_receive<P: Params>(&mut self, ots: CotBatch) -> OtResult<ChosenPads<P>> {
        let CotBatch {
            peer: sender,
            batch,
            count,
        } = ots;
        let pads = self.pads::<P>(sender, self.party, batch, count);
        let mut rng = self.stream("cot-choices", sender, self.party, batch);
        let mut bytes = vec![0u8; count.div_ceil(8)];
        rng.fill_bytes(&mut bytes);
        let choices: Vec<bool> = (0..count)
            .map(|h| (bytes[h / 8] >> (h % 8)) & 1 == 1)
            .collect();
        let chosen = pads
            .into_iter()
            .zip(&choices)
            .map(|((m0, m1), &c)| if c { m1 } else { m0 })
            .collect();
        Ok((choices, chosen))
    }
    fn cot_send<P: Params>(&mut self, ots: CotBatch, mut each: impl PadSink<P>) -> OtResult<()> {
        let pairs = self.pads::<P>(self.party, ots.peer, ots.batch, ots.count);
        for (h, (m0, m1)) in pairs.into_iter().enumerate() {
            each(h, m0, m1);
        }
        Ok(())
    }
    fn vole_seeds_receive(&mut self, sender: usize, choices: &[bool]) -> OtResult<Vec<Seed>> {
        let pairs = self.seed_pairs(sender, self.party, choices.len());
        Ok(pairs
            .into_iter()
            .zip(choices)
            .map(|((k0, k1), &c)| if c { k1 } else { k0 })
            .collect())
    }
    fn vole_seeds_send(&mut self, receiver: usize, count: usize) -> OtResult<Vec<(Seed, Seed)>> {
        Ok(self.seed_pairs(self.party, receiver, count))
    }
}
