//! Machine words that hold ring elements: wrapping arithmetic on `BITS` bits.

use core::fmt::Debug;
use crypto_bigint::{U192, U256};
use rand::Rng;

/// A fixed-width unsigned integer with wrapping (mod 2^BITS) arithmetic.
///
/// Arithmetic mod 2^(k+s) is arithmetic mod 2^BITS followed by a mask, because reduction
/// mod 2^m is a ring homomorphism for m <= BITS. [`crate::Params`] adds the mask.
pub trait Word: Copy + Debug + Default + Eq + Send + Sync + 'static {
    /// Width in bits.
    const BITS: u32;
    /// Width in bytes.
    const BYTES: usize = (Self::BITS / 8) as usize;
    /// Zero.
    const ZERO: Self;
    /// One.
    const ONE: Self;
    /// All bits set.
    const MAX: Self;
    /// Wrapping addition.
    fn wadd(self, rhs: Self) -> Self;
    /// Wrapping subtraction.
    fn wsub(self, rhs: Self) -> Self;
    /// Wrapping multiplication.
    fn wmul(self, rhs: Self) -> Self;
    /// Wrapping negation.
    fn wneg(self) -> Self;
    /// Bitwise and.
    fn and(self, rhs: Self) -> Self;
    /// Left shift; bits shifted past the top are lost. `n >= BITS` gives zero.
    fn shl(self, n: u32) -> Self;
    /// Logical right shift. `n >= BITS` gives zero.
    fn shr(self, n: u32) -> Self;
    /// Zero-extends a u128 (truncating if `BITS < 128`).
    fn from_u128(v: u128) -> Self;
    /// The low 128 bits.
    fn low_u128(self) -> u128;
    /// Number of trailing zero bits (`BITS` for zero): the 2-adic valuation.
    fn trailing_zeros(self) -> u32;
    /// Writes `BYTES` little-endian bytes.
    fn write_le(self, out: &mut [u8]);
    /// Reads `BYTES` little-endian bytes; `bytes.len()` must be at most `BYTES`.
    fn read_le(bytes: &[u8]) -> Self;
    /// A uniformly random word.
    fn random<R: Rng + ?Sized>(rng: &mut R) -> Self;
    /// A mask with the low `n` bits set (`n >= BITS` gives all bits).
    fn low_mask(n: u32) -> Self {
        if n >= Self::BITS {
            Self::MAX
        } else {
            Self::ONE.shl(n).wsub(Self::ONE)
        }
    }
}

macro_rules! native_word {
    ($t:ty) => {
        impl Word for $t {
            const BITS: u32 = <$t>::BITS;
            const ZERO: Self = 0;
            const ONE: Self = 1;
            const MAX: Self = <$t>::MAX;
            #[inline(always)]
            fn wadd(self, rhs: Self) -> Self {
                self.wrapping_add(rhs)
            }
            #[inline(always)]
            fn wsub(self, rhs: Self) -> Self {
                self.wrapping_sub(rhs)
            }
            #[inline(always)]
            fn wmul(self, rhs: Self) -> Self {
                self.wrapping_mul(rhs)
            }
            #[inline(always)]
            fn wneg(self) -> Self {
                self.wrapping_neg()
            }
            #[inline(always)]
            fn and(self, rhs: Self) -> Self {
                self & rhs
            }
            #[inline(always)]
            fn shl(self, n: u32) -> Self {
                self.checked_shl(n).unwrap_or(0)
            }
            #[inline(always)]
            fn shr(self, n: u32) -> Self {
                self.checked_shr(n).unwrap_or(0)
            }
            #[inline(always)]
            fn from_u128(v: u128) -> Self {
                v as $t
            }
            #[inline(always)]
            fn low_u128(self) -> u128 {
                self as u128
            }
            #[inline(always)]
            fn trailing_zeros(self) -> u32 {
                <$t>::trailing_zeros(self)
            }
            #[inline(always)]
            fn write_le(self, out: &mut [u8]) {
                out[..Self::BYTES].copy_from_slice(&self.to_le_bytes());
            }
            #[inline(always)]
            fn read_le(bytes: &[u8]) -> Self {
                let mut buf = [0u8; Self::BYTES];
                if bytes.len() == Self::BYTES {
                    buf.copy_from_slice(bytes);
                } else {
                    buf[..bytes.len()].copy_from_slice(bytes);
                }
                <$t>::from_le_bytes(buf)
            }
            #[inline]
            fn random<R: Rng + ?Sized>(rng: &mut R) -> Self {
                let mut buf = [0u8; Self::BYTES];
                rng.fill_bytes(&mut buf);
                <$t>::from_le_bytes(buf)
            }
        }
    };
}

native_word!(u64);
native_word!(u128);

macro_rules! bigint_word {
    ($t:ident, $limbs:expr) => {
        impl Word for $t {
            const BITS: u32 = 64 * $limbs;
            const ZERO: Self = $t::ZERO;
            const ONE: Self = $t::ONE;
            const MAX: Self = $t::MAX;
            #[inline(always)]
            fn wadd(self, rhs: Self) -> Self {
                self.wrapping_add(&rhs)
            }
            #[inline(always)]
            fn wsub(self, rhs: Self) -> Self {
                self.wrapping_sub(&rhs)
            }
            #[inline(always)]
            fn wmul(self, rhs: Self) -> Self {
                self.wrapping_mul(&rhs)
            }
            #[inline(always)]
            fn wneg(self) -> Self {
                self.wrapping_neg()
            }
            #[inline(always)]
            fn and(self, rhs: Self) -> Self {
                self.bitand(&rhs)
            }
            #[inline(always)]
            fn shl(self, n: u32) -> Self {
                if n >= Self::BITS {
                    $t::ZERO
                } else {
                    self.wrapping_shl_vartime(n)
                }
            }
            #[inline(always)]
            fn shr(self, n: u32) -> Self {
                if n >= Self::BITS {
                    $t::ZERO
                } else {
                    self.wrapping_shr_vartime(n)
                }
            }
            #[inline(always)]
            fn from_u128(v: u128) -> Self {
                let mut words = [0u64; $limbs];
                words[0] = v as u64;
                words[1] = (v >> 64) as u64;
                $t::from_words(words)
            }
            #[inline(always)]
            fn low_u128(self) -> u128 {
                let w = self.as_words();
                (w[0] as u128) | ((w[1] as u128) << 64)
            }
            #[inline(always)]
            fn trailing_zeros(self) -> u32 {
                $t::trailing_zeros(&self)
            }
            #[inline(always)]
            fn write_le(self, out: &mut [u8]) {
                for (chunk, w) in out[..8 * $limbs].chunks_exact_mut(8).zip(self.as_words()) {
                    chunk.copy_from_slice(&w.to_le_bytes());
                }
            }
            #[inline(always)]
            fn read_le(bytes: &[u8]) -> Self {
                let mut words = [0u64; $limbs];
                if bytes.len() == 8 * $limbs {
                    // The common case reads the limbs in place (no copy through a buffer,
                    // which cost a memmove call per element).
                    for (w, chunk) in words.iter_mut().zip(bytes.chunks_exact(8)) {
                        let mut b = [0u8; 8];
                        b.copy_from_slice(chunk);
                        *w = u64::from_le_bytes(b);
                    }
                    return $t::from_words(words);
                }
                let mut buf = [0u8; 8 * $limbs];
                buf[..bytes.len()].copy_from_slice(bytes);
                for (w, chunk) in words.iter_mut().zip(buf.chunks_exact(8)) {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(chunk);
                    *w = u64::from_le_bytes(b);
                }
                $t::from_words(words)
            }
            #[inline]
            fn random<R: Rng + ?Sized>(rng: &mut R) -> Self {
                let mut words = [0u64; $limbs];
                for w in &mut words {
                    *w = rng.next_u64();
                }
                $t::from_words(words)
            }
        }
    };
}

bigint_word!(U192, 3);
bigint_word!(U256, 4);
