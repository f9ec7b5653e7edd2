//! The 128-bit block every OT primitive works on.

use subtle::{Choice, ConstantTimeEq};

/// A 128-bit block (an AES block, an OT key, an element of GF(2^128)). Bit `i` of the
/// `u128` is coefficient `x^i` in GF(2^128) and byte `i / 8` of the little-endian encoding.
///
/// Blocks usually hold secrets (seeds, pads, the global Δ), so `Debug` prints no bits and
/// `==` compares in constant time.
#[derive(Clone, Copy, Default)]
#[repr(transparent)]
pub struct Block(pub u128);

impl Block {
    /// The all-zero block.
    pub const ZERO: Block = Block(0);

    /// The block from its 16-byte little-endian encoding.
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Block(u128::from_le_bytes(bytes))
    }

    /// The 16-byte little-endian encoding.
    pub fn to_bytes(self) -> [u8; 16] {
        self.0.to_le_bytes()
    }

    /// Bit `i` (0 = least significant).
    pub fn bit(self, i: usize) -> bool {
        (self.0 >> i) & 1 == 1
    }

    /// A block of random bits from `rng`.
    pub fn random<R: rand::Rng + ?Sized>(rng: &mut R) -> Self {
        let mut b = [0u8; 16];
        rng.fill_bytes(&mut b);
        Block::from_bytes(b)
    }
}

impl core::fmt::Debug for Block {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Block(..)")
    }
}

impl ConstantTimeEq for Block {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.to_bytes().ct_eq(&other.to_bytes())
    }
}

impl PartialEq for Block {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}
impl Eq for Block {}

impl core::ops::BitXor for Block {
    type Output = Block;
    fn bitxor(self, rhs: Block) -> Block {
        Block(self.0 ^ rhs.0)
    }
}

impl core::ops::BitXorAssign for Block {
    fn bitxor_assign(&mut self, rhs: Block) {
        self.0 ^= rhs.0;
    }
}

impl core::ops::BitAnd for Block {
    type Output = Block;
    fn bitand(self, rhs: Block) -> Block {
        Block(self.0 & rhs.0)
    }
}

/// Packs bits (index `i` -> bit `i % 128` of word `i / 128`) into 128-bit words.
pub fn pack_bits(bits: &[bool]) -> Vec<u128> {
    let mut out = vec![0u128; bits.len().div_ceil(128)];
    for (i, &b) in bits.iter().enumerate() {
        out[i / 128] |= (b as u128) << (i % 128);
    }
    out
}

/// Bit `i` of a packed bit vector.
pub fn get_bit(words: &[u128], i: usize) -> bool {
    (words[i / 128] >> (i % 128)) & 1 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_bits_and_bytes_round_trip() {
        let b = Block(0x0123_4567_89ab_cdef_0011_2233_4455_6677);
        assert_eq!(format!("{b:?}"), "Block(..)");
        assert_eq!(Block::from_bytes(b.to_bytes()), b);
        assert_eq!(b.to_bytes()[0], 0x77);
        assert!(b.bit(0) && b.bit(1) && !b.bit(3));
        assert_ne!(b, b ^ Block(1 << 127));
    }

    #[test]
    fn packed_bits_read_back() {
        let bits: Vec<bool> = (0..300).map(|i| i % 3 == 0).collect();
        let w = pack_bits(&bits);
        assert_eq!(w.len(), 3);
        assert!((0..300).all(|i| get_bit(&w, i) == bits[i]));
    }
}
