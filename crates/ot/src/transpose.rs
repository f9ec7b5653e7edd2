//! 128 x 128 bit-matrix transposition (Eklundh's recursive block swap, 7 rounds of
//! masked shifts, no branches).

/// Transposes a 128 x 128 bit matrix in place: afterwards bit `c` of `m[r]` is what bit `r`
/// of `m[c]` was.
pub fn transpose128(m: &mut [u128; 128]) {
    const MASKS: [u128; 7] = [
        0x0000_0000_0000_0000_ffff_ffff_ffff_ffff,
        0x0000_0000_ffff_ffff_0000_0000_ffff_ffff,
        0x0000_ffff_0000_ffff_0000_ffff_0000_ffff,
        0x00ff_00ff_00ff_00ff_00ff_00ff_00ff_00ff,
        0x0f0f_0f0f_0f0f_0f0f_0f0f_0f0f_0f0f_0f0f,
        0x3333_3333_3333_3333_3333_3333_3333_3333,
        0x5555_5555_5555_5555_5555_5555_5555_5555,
    ];
    for (round, &mask) in MASKS.iter().enumerate() {
        let j = 64 >> round;
        let mut k = 0;
        while k < 128 {
            for r in k..k + j {
                let t = ((m[r] >> j) ^ m[r + j]) & mask;
                m[r] ^= t << j;
                m[r + j] ^= t;
            }
            k += 2 * j;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        #[allow(clippy::needless_range_loop)]
        fn matches_naive_transpose(seed: u64) {
            let mut rng = spdz2k_core::rng::seeded_rng([seed as u8; 32]);
            let mut m = [0u128; 128];
            for x in m.iter_mut() {
                *x = crate::block::Block::random(&mut rng).0 ^ (seed as u128);
            }
            let orig = m;
            transpose128(&mut m);
            for r in 0..128 {
                for c in 0..128 {
                    prop_assert_eq!((m[r] >> c) & 1, (orig[c] >> r) & 1);
                }
            }
        }
    }
}
