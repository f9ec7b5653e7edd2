//! Fixed-key AES (AES-NI through the `aes` crate, detected at run time), the tweakable
//! correlation-robust hash built on it, and an AES-CTR PRG for seed expansion.

use crate::block::Block;
use aes::Aes128;
use aes::cipher::{BlockCipherEncrypt, KeyInit};
use std::sync::OnceLock;

/// Blocks handed to the cipher at once: enough for AES-NI/VAES to pipeline (8+ in flight)
/// and to amortise the backend's per-call key broadcast.
const BATCH: usize = 256;

/// AES-128 under one key, encrypting `u128` blocks (little-endian bytes) in batches.
#[derive(Clone)]
pub struct Aes(Aes128);

impl core::fmt::Debug for Aes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Aes(..)")
    }
}

impl Aes {
    /// AES-128 keyed with `key` (its little-endian bytes).
    pub fn new(key: Block) -> Self {
        Aes(Aes128::new(&aes::cipher::Array::from(key.to_bytes())))
    }

    /// Encrypts every block in place, `BATCH` blocks per call into the cipher.
    pub fn encrypt(&self, blocks: &mut [u128]) {
        let mut buf = [aes::Block::from([0u8; 16]); BATCH];
        for chunk in blocks.chunks_mut(BATCH) {
            let n = chunk.len();
            for (b, x) in buf.iter_mut().zip(chunk.iter()) {
                *b = aes::Block::from(x.to_le_bytes());
            }
            self.0.encrypt_blocks(&mut buf[..n]);
            for (x, b) in chunk.iter_mut().zip(buf.iter()) {
                *x = u128::from_le_bytes((*b).into());
            }
        }
    }

    /// Encrypts one block.
    pub fn encrypt_one(&self, x: u128) -> u128 {
        let mut b = [x];
        self.encrypt(&mut b);
        b[0]
    }
}

/// The public key of the fixed-key permutation π. Any public constant serves: the
/// analysis models AES under a known key as a random permutation.
const FIXED_KEY: u128 = 0x5b0c_7e61_22a9_4d3f_e1b8_9a07_3c54_d6f2;

/// The fixed-key permutation π used by the correlation-robust hash.
pub fn fixed_key_aes() -> &'static Aes {
    static PI: OnceLock<Aes> = OnceLock::new();
    PI.get_or_init(|| Aes::new(Block(FIXED_KEY)))
}

/// The tweakable circular correlation-robust hash of Guo–Katz–Wang–Yu (S&P 2020, §7.4):
/// `H(x, i) = π(π(x) ⊕ i) ⊕ π(x)`, two AES calls per block, batched. Replaces every
/// `xs[j]` by `H(xs[j], tweak(j))`.
pub fn tccr_hash_in_place(xs: &mut [u128], tweak: impl Fn(usize) -> u128) {
    use aes::cipher::BlockCipherEncrypt;
    let pi = &fixed_key_aes().0;
    let mut px = [aes::Block::from([0u8; 16]); BATCH];
    let mut y = [aes::Block::from([0u8; 16]); BATCH];
    for (c, chunk) in xs.chunks_mut(BATCH).enumerate() {
        let n = chunk.len();
        for (p, x) in px.iter_mut().zip(chunk.iter()) {
            *p = aes::Block::from(x.to_le_bytes());
        }
        pi.encrypt_blocks(&mut px[..n]);
        for (j, (q, p)) in y.iter_mut().zip(px.iter()).enumerate().take(n) {
            let v = u128::from_le_bytes((*p).into()) ^ tweak(c * BATCH + j);
            *q = aes::Block::from(v.to_le_bytes());
        }
        pi.encrypt_blocks(&mut y[..n]);
        for ((x, q), p) in chunk.iter_mut().zip(y.iter()).zip(px.iter()) {
            *x = u128::from_le_bytes((*q).into()) ^ u128::from_le_bytes((*p).into());
        }
    }
}

/// The hash of one block under one tweak.
pub fn tccr_hash(x: Block, tweak: u128) -> Block {
    let mut b = [x.0];
    tccr_hash_in_place(&mut b, |_| tweak);
    Block(b[0])
}

/// An AES-128-CTR pseudorandom generator keyed by a 128-bit seed. Output block `c` is
/// `AES_seed(c)`; the counter runs on across calls, so a stream can be consumed in chunks.
#[derive(Clone, Debug)]
pub struct AesPrg {
    aes: Aes,
    counter: u128,
}

impl AesPrg {
    /// A generator at the start of the stream of `seed`.
    pub fn new(seed: Block) -> Self {
        AesPrg {
            aes: Aes::new(seed),
            counter: 0,
        }
    }

    /// Fills `out` with the next `out.len()` blocks of the stream.
    pub fn fill(&mut self, out: &mut [u128]) {
        for (i, x) in out.iter_mut().enumerate() {
            *x = self.counter.wrapping_add(i as u128);
        }
        self.counter = self.counter.wrapping_add(out.len() as u128);
        self.aes.encrypt(out);
    }

    /// The next `n` blocks.
    pub fn blocks(&mut self, n: usize) -> Vec<u128> {
        let mut v = vec![0u128; n];
        self.fill(&mut v);
        v
    }

    /// Fills `out` with the next bytes of the stream (a whole number of blocks is drawn).
    pub fn fill_bytes(&mut self, out: &mut [u8]) {
        let blocks = self.blocks(out.len().div_ceil(16));
        for (chunk, b) in out.chunks_mut(16).zip(blocks) {
            chunk.copy_from_slice(&b.to_le_bytes()[..chunk.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex16(s: &str) -> [u8; 16] {
        let v = hex::decode(s).unwrap();
        v.try_into().unwrap()
    }

    #[test]
    fn fips_197_appendix_c1_known_answer() {
        // FIPS-197 Appendix C.1 (AES-128), through the batched path with 100 copies.
        let key = Block::from_bytes(hex16("000102030405060708090a0b0c0d0e0f"));
        let pt = u128::from_le_bytes(hex16("00112233445566778899aabbccddeeff"));
        let ct = u128::from_le_bytes(hex16("69c4e0d86a7b0430d8cdb78070b4c55a"));
        let mut blocks = vec![pt; 100];
        Aes::new(key).encrypt(&mut blocks);
        assert!(blocks.iter().all(|&b| b == ct));
        // FIPS-197 Appendix B: key 2b7e1516..., input 3243f6a8... -> 3925841d...
        let key = Block::from_bytes(hex16("2b7e151628aed2a6abf7158809cf4f3c"));
        let pt = u128::from_le_bytes(hex16("3243f6a8885a308d313198a2e0370734"));
        let ct = u128::from_le_bytes(hex16("3925841d02dc09fbdc118597196a0b32"));
        assert_eq!(Aes::new(key).encrypt_one(pt), ct);
    }

    #[test]
    fn hash_depends_on_input_and_tweak_and_batches_agree() {
        let xs: Vec<u128> = (0..200u128).map(|i| i * 0x9e37_79b9).collect();
        let mut batched = xs.clone();
        tccr_hash_in_place(&mut batched, |j| j as u128 + 7);
        for (j, &x) in xs.iter().enumerate() {
            assert_eq!(tccr_hash(Block(x), j as u128 + 7).0, batched[j]);
        }
        assert_ne!(tccr_hash(Block(5), 1), tccr_hash(Block(5), 2));
        assert_ne!(tccr_hash(Block(5), 1), tccr_hash(Block(6), 1));
    }

    #[test]
    fn prg_streams_continue_across_calls() {
        let mut a = AesPrg::new(Block(42));
        let whole = a.blocks(300);
        let mut b = AesPrg::new(Block(42));
        let mut parts = b.blocks(100);
        parts.extend(b.blocks(200));
        assert_eq!(whole, parts);
        assert_ne!(AesPrg::new(Block(43)).blocks(1)[0], whole[0]);
    }
}
