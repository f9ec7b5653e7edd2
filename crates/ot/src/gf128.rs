//! GF(2^128) = GF(2)\[x\] / (x^128 + x^7 + x^2 + x + 1), bit `i` of a `u128` being the
//! coefficient of `x^i`. Carry-less multiplication uses PCLMULQDQ when the CPU has it
//! (detected at run time) and a portable shift-and-add loop otherwise.

/// The 256-bit carry-less product of `a` and `b` as (low, high) halves.
pub fn clmul(a: u128, b: u128) -> (u128, u128) {
    inner_product_unreduced(&[a], &[b])
}

/// Reduces a 256-bit polynomial (low, high) modulo x^128 + x^7 + x^2 + x + 1.
pub fn reduce(lo: u128, hi: u128) -> u128 {
    // hi * x^128 = hi * (x^7 + x^2 + x + 1); the bits shifted past 128 are folded once more.
    let folded = hi ^ (hi << 1) ^ (hi << 2) ^ (hi << 7);
    let over = (hi >> 127) ^ (hi >> 126) ^ (hi >> 121);
    lo ^ folded ^ over ^ (over << 1) ^ (over << 2) ^ (over << 7)
}

/// The product `a * b` in GF(2^128).
pub fn mul(a: u128, b: u128) -> u128 {
    let (lo, hi) = clmul(a, b);
    reduce(lo, hi)
}

/// `Σ a_j * b_j` in GF(2^128) over two slices of equal length (the extra tail of the
/// longer one is ignored). Reduces once, at the end.
pub fn inner_product(a: &[u128], b: &[u128]) -> u128 {
    let (lo, hi) = inner_product_unreduced(a, b);
    reduce(lo, hi)
}

fn inner_product_unreduced(a: &[u128], b: &[u128]) -> (u128, u128) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("pclmulqdq") {
            // SAFETY: the CPU supports PCLMULQDQ (checked just above) and SSE2 (part of
            // x86_64); `hw::inner_product` needs nothing else.
            #[allow(unsafe_code)]
            return unsafe { hw::inner_product(a, b) };
        }
    }
    portable_inner_product(a, b)
}

fn clmul64(a: u64, b: u64) -> u128 {
    let a = a as u128;
    let mut r = 0u128;
    for i in 0..64 {
        let mask = 0u128.wrapping_sub(((b >> i) & 1) as u128);
        r ^= (a << i) & mask;
    }
    r
}

fn portable_inner_product(a: &[u128], b: &[u128]) -> (u128, u128) {
    let (mut lo, mut mid, mut hi) = (0u128, 0u128, 0u128);
    for (&x, &y) in a.iter().zip(b) {
        let (x0, x1, y0, y1) = (x as u64, (x >> 64) as u64, y as u64, (y >> 64) as u64);
        lo ^= clmul64(x0, y0);
        hi ^= clmul64(x1, y1);
        mid ^= clmul64(x0, y1) ^ clmul64(x1, y0);
    }
    (lo ^ (mid << 64), hi ^ (mid >> 64))
}

#[cfg(target_arch = "x86_64")]
mod hw {
    use core::arch::x86_64::{
        __m128i, _mm_clmulepi64_si128, _mm_cvtsi128_si64, _mm_set_epi64x, _mm_setzero_si128,
        _mm_unpackhi_epi64, _mm_xor_si128,
    };

    #[target_feature(enable = "sse2")]
    fn load(x: u128) -> __m128i {
        _mm_set_epi64x((x >> 64) as i64, x as i64)
    }

    #[target_feature(enable = "sse2")]
    fn store(v: __m128i) -> u128 {
        let lo = _mm_cvtsi128_si64(v) as u64 as u128;
        let hi = _mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v)) as u64 as u128;
        lo | (hi << 64)
    }

    /// Unreduced `Σ a_j * b_j` with four PCLMULQDQ per term. Only safe intrinsics are
    /// called; the function is `unsafe` because the caller must ensure the CPU features.
    #[target_feature(enable = "pclmulqdq,sse2")]
    pub(super) fn inner_product(a: &[u128], b: &[u128]) -> (u128, u128) {
        let (mut lo, mut mid, mut hi) = (
            _mm_setzero_si128(),
            _mm_setzero_si128(),
            _mm_setzero_si128(),
        );
        for (&x, &y) in a.iter().zip(b) {
            let (x, y) = (load(x), load(y));
            lo = _mm_xor_si128(lo, _mm_clmulepi64_si128::<0x00>(x, y));
            hi = _mm_xor_si128(hi, _mm_clmulepi64_si128::<0x11>(x, y));
            mid = _mm_xor_si128(mid, _mm_clmulepi64_si128::<0x01>(x, y));
            mid = _mm_xor_si128(mid, _mm_clmulepi64_si128::<0x10>(x, y));
        }
        let (lo, mid, hi) = (store(lo), store(mid), store(hi));
        (lo ^ (mid << 64), hi ^ (mid >> 64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The bitwise model: schoolbook multiply-by-x with reduction after every step.
    fn model_mul(a: u128, b: u128) -> u128 {
        let (mut acc, mut a) = (0u128, a);
        for i in 0..128 {
            if (b >> i) & 1 == 1 {
                acc ^= a;
            }
            let carry = a >> 127;
            a <<= 1;
            if carry == 1 {
                a ^= 0x87;
            }
        }
        acc
    }

    #[test]
    fn small_known_products() {
        assert_eq!(mul(2, 3), 6);
        assert_eq!(mul(1 << 127, 2), 0x87);
        assert_eq!(mul(1, u128::MAX), u128::MAX);
        assert_eq!(mul(0, 12345), 0);
    }

    proptest! {
        #[test]
        fn matches_bitwise_model(a: u128, b: u128) {
            prop_assert_eq!(mul(a, b), model_mul(a, b));
            let (lo, hi) = portable_inner_product(&[a], &[b]);
            prop_assert_eq!(reduce(lo, hi), model_mul(a, b));
        }

        #[test]
        fn inner_product_is_sum_of_products(v in proptest::collection::vec((any::<u128>(), any::<u128>()), 0..20)) {
            let (a, b): (Vec<u128>, Vec<u128>) = v.iter().copied().unzip();
            let want = v.iter().fold(0, |s, &(x, y)| s ^ model_mul(x, y));
            prop_assert_eq!(inner_product(&a, &b), want);
        }
    }
}
