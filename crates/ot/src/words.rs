//! l-bit words mod 2^l (l ≤ 256) as little-endian `[u64; L]` limbs, bits above l zero.

/// The widest word supported, in bits.
pub const MAX_L_BITS: usize = 256;

/// Clears the bits at and above `l_bits`.
pub fn mask<const L: usize>(mut w: [u64; L], l_bits: usize) -> [u64; L] {
    for (i, limb) in w.iter_mut().enumerate() {
        let lo = i * 64;
        if lo >= l_bits {
            *limb = 0;
        } else if l_bits - lo < 64 {
            *limb &= (1u64 << (l_bits - lo)) - 1;
        }
    }
    w
}

/// `a + b mod 2^l`.
pub fn add<const L: usize>(a: &[u64; L], b: &[u64; L], l_bits: usize) -> [u64; L] {
    let mut r = [0u64; L];
    let mut carry = false;
    for i in 0..L {
        let (s1, c1) = a[i].overflowing_add(b[i]);
        let (s2, c2) = s1.overflowing_add(carry as u64);
        r[i] = s2;
        carry = c1 | c2;
    }
    mask(r, l_bits)
}

/// `a - b mod 2^l`.
pub fn sub<const L: usize>(a: &[u64; L], b: &[u64; L], l_bits: usize) -> [u64; L] {
    let mut r = [0u64; L];
    let mut borrow = false;
    for i in 0..L {
        let (d1, b1) = a[i].overflowing_sub(b[i]);
        let (d2, b2) = d1.overflowing_sub(borrow as u64);
        r[i] = d2;
        borrow = b1 | b2;
    }
    mask(r, l_bits)
}

/// `-a mod 2^l`.
pub fn neg<const L: usize>(a: &[u64; L], l_bits: usize) -> [u64; L] {
    sub(&[0u64; L], a, l_bits)
}

/// Bytes per word on the wire: `ceil(l / 8)`.
pub fn wire_len(l_bits: usize) -> usize {
    l_bits.div_ceil(8)
}

/// Appends the low `ceil(l/8)` bytes of `w`, little-endian.
pub fn write<const L: usize>(w: &[u64; L], l_bits: usize, out: &mut Vec<u8>) {
    let mut bytes = [0u8; MAX_L_BITS / 8];
    for (i, limb) in w.iter().enumerate().take(4) {
        bytes[i * 8..i * 8 + 8].copy_from_slice(&limb.to_le_bytes());
    }
    out.extend_from_slice(&bytes[..wire_len(l_bits)]);
}

/// Reads a word of `l_bits` from `ceil(l/8)` little-endian bytes (excess bits cleared).
pub fn read<const L: usize>(bytes: &[u8], l_bits: usize) -> [u64; L] {
    let mut buf = [0u8; MAX_L_BITS / 8];
    buf[..bytes.len()].copy_from_slice(bytes);
    let mut w = [0u64; L];
    for (i, limb) in w.iter_mut().enumerate().take(4) {
        *limb = u64::from_le_bytes(buf[i * 8..i * 8 + 8].try_into().unwrap_or_default());
    }
    mask(w, l_bits)
}

/// Expands one 128-bit seed into `count` words of `l_bits` with the AES-CTR PRG (the
/// VOLE seed expansion of PROTOCOL.md 1.9 step 4). Each word takes `ceil(l/128)` blocks.
pub fn expand<const L: usize>(seed: crate::Block, l_bits: usize, count: usize) -> Vec<[u64; L]> {
    SeedStream::new(seed).next_words(l_bits, count)
}

/// A seed's word stream, consumed in chunks: `next_words` continues where the last call
/// stopped, so `expand(seed, l, a + b)` equals `next_words(l, a)` then `next_words(l, b)`.
#[derive(Debug, Clone)]
pub struct SeedStream(crate::cipher::AesPrg);

impl SeedStream {
    /// The stream of `seed`.
    pub fn new(seed: crate::Block) -> Self {
        SeedStream(crate::cipher::AesPrg::new(seed))
    }

    /// The next `count` words of `l_bits` (`l_bits ≤ 64·L` and `≤ 256`).
    pub fn next_words<const L: usize>(&mut self, l_bits: usize, count: usize) -> Vec<[u64; L]> {
        let lanes = l_bits.div_ceil(128).max(1);
        let blocks = self.0.blocks(count * lanes);
        blocks
            .chunks_exact(lanes)
            .map(|c| from_lanes(c, l_bits))
            .collect()
    }
}

/// A word from `ceil(l/128)` blocks (block `k` fills limbs `2k` and `2k+1`).
pub fn from_lanes<const L: usize>(lanes: &[u128], l_bits: usize) -> [u64; L] {
    let mut w = [0u64; L];
    for (k, &b) in lanes.iter().enumerate() {
        if 2 * k < L {
            w[2 * k] = b as u64;
        }
        if 2 * k + 1 < L {
            w[2 * k + 1] = (b >> 64) as u64;
        }
    }
    mask(w, l_bits)
}

/// An engine ring word (`spdz2k_ring::Word`: u64, u128, U192, ...) as an l-bit word:
/// its low `l_bits` bits.
pub fn from_ring_word<W: spdz2k_ring::Word, const L: usize>(w: W, l_bits: usize) -> [u64; L] {
    let mut buf = vec![0u8; W::BYTES.max(8 * L)];
    w.write_le(&mut buf[..W::BYTES]);
    let mut out = [0u64; L];
    for (i, limb) in out.iter_mut().enumerate() {
        *limb = u64::from_le_bytes(buf[8 * i..8 * i + 8].try_into().unwrap_or_default());
    }
    mask(out, l_bits)
}

/// An l-bit word as an engine ring word (truncated to the word's width if narrower).
pub fn to_ring_word<W: spdz2k_ring::Word, const L: usize>(w: &[u64; L]) -> W {
    let bytes: Vec<u8> = w.iter().flat_map(|l| l.to_le_bytes()).collect();
    W::read_le(&bytes[..W::BYTES.min(8 * L)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn arithmetic_matches_u128_for_small_l(a: u128, b: u128, l in 1usize..=128) {
            let m = if l == 128 { u128::MAX } else { (1u128 << l) - 1 };
            let to = |x: u128| mask([x as u64, (x >> 64) as u64], l);
            let from = |w: [u64; 2]| (w[0] as u128) | ((w[1] as u128) << 64);
            prop_assert_eq!(from(add(&to(a), &to(b), l)), a.wrapping_add(b) & m);
            prop_assert_eq!(from(sub(&to(a), &to(b), l)), a.wrapping_sub(b) & m);
            prop_assert_eq!(from(neg(&to(a), l)), a.wrapping_neg() & m);
            let mut bytes = vec![];
            write(&to(a), l, &mut bytes);
            prop_assert_eq!(bytes.len(), l.div_ceil(8));
            prop_assert_eq!(read::<2>(&bytes, l), to(a));
        }
    }

    #[test]
    fn wide_words_carry_across_limbs() {
        let a = [u64::MAX, u64::MAX, u64::MAX, 0];
        assert_eq!(add(&a, &[1, 0, 0, 0], 256), [0, 0, 0, 1]);
        assert_eq!(add(&[u64::MAX; 4], &[1, 0, 0, 0], 256), [0; 4]);
        assert_eq!(sub(&[0; 4], &[1, 0, 0, 0], 200), mask([u64::MAX; 4], 200));
    }

    #[test]
    fn ring_words_convert_both_ways() {
        let x: u128 = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210;
        let w = from_ring_word::<u128, 2>(x, 128);
        assert_eq!(w, [0xfedc_ba98_7654_3210, 0x0123_4567_89ab_cdef]);
        assert_eq!(to_ring_word::<u128, 2>(&w), x);
        assert_eq!(
            from_ring_word::<u128, 2>(x, 72),
            [0xfedc_ba98_7654_3210, 0xef]
        );
        assert_eq!(to_ring_word::<u64, 4>(&[5, 6, 7, 8]), 5u64);
        assert_eq!(from_ring_word::<u64, 4>(u64::MAX, 256), [u64::MAX, 0, 0, 0]);
    }

    #[test]
    fn streams_continue() {
        let seed = crate::Block(77);
        let all = expand::<4>(seed, 256, 10);
        let mut s = SeedStream::new(seed);
        let mut parts = s.next_words::<4>(256, 4);
        parts.extend(s.next_words::<4>(256, 6));
        assert_eq!(all, parts);
        assert!(expand::<1>(seed, 40, 50).iter().all(|w| w[0] >> 40 == 0));
    }
}
