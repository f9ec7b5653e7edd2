//! Property tests for every parameter set against a 256-bit reference model.
//!
//! Every element is modelled as a `crypto_bigint::U256` holding its value in [0, 2^(k+s)).
//! Each ring operation is checked against the same operation on the model followed by a
//! mask. The model converts words through `Word::from_u128`, `Word::low_u128` and
//! `Word::shr` only, so it shares no code with the masked arithmetic or the byte encoding
//! under test. Inputs are biased towards the boundaries (0, 1, 2^k - 1, 2^k, 2^(k+s) - 1, ...)
//! where masking and carry mistakes show.

use crypto_bigint::U256;
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use spdz2k_ring::{
    DecodeError, HasCheckRing, K32S32, K32S32Check, K64S64, K64S64Check, K66S48, K66S48Check,
    K128S64, K128S64Check, Params, Word,
};

// ---------------------------------------------------------------------------------------
// The reference model.
// ---------------------------------------------------------------------------------------

/// 2^n in the model (zero for n >= 256).
fn pow2(n: u32) -> U256 {
    U256::ONE.unbounded_shl_vartime(n)
}

/// 2^n - 1 in the model.
fn ones(n: u32) -> U256 {
    if n >= 256 {
        U256::MAX
    } else {
        pow2(n).wrapping_sub(&U256::ONE)
    }
}

/// x mod 2^n.
fn mask(x: U256, n: u32) -> U256 {
    x.bitand(&ones(n))
}

fn from_bytes(bytes: &[u8]) -> U256 {
    let mut buf = [0u8; 32];
    buf[..bytes.len()].copy_from_slice(bytes);
    U256::from_le_slice(&buf)
}

fn to_bytes(x: U256) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(x.to_le_bytes().as_ref());
    out
}

/// The model of a word (exact: words are at most 256 bits).
fn model<P: Params>(w: P::Word) -> U256 {
    let lo = <P::Word as Word>::low_u128(w);
    let hi = <P::Word as Word>::low_u128(<P::Word as Word>::shr(w, 128));
    U256::from_u128(lo).bitor(&U256::from_u128(hi).unbounded_shl_vartime(128))
}

/// The word holding a model value below 2^Word::BITS.
fn word<P: Params>(x: &U256) -> P::Word {
    let bytes = to_bytes(*x);
    let mut lo = [0u8; 16];
    let mut hi = [0u8; 16];
    lo.copy_from_slice(&bytes[..16]);
    hi.copy_from_slice(&bytes[16..]);
    let lo = <P::Word as Word>::from_u128(u128::from_le_bytes(lo));
    let hi = <P::Word as Word>::from_u128(u128::from_le_bytes(hi));
    let w = lo.wadd(<P::Word as Word>::shl(hi, 128));
    assert_eq!(model::<P>(w), *x, "model value does not fit the word");
    w
}

/// The model of a signed integer: v mod 2^256, i.e. two's complement sign-extended.
fn model_i128(v: i128) -> U256 {
    let low = U256::from_u128(v as u128);
    if v < 0 {
        low.bitor(&ones(256).unbounded_shl_vartime(128))
    } else {
        low
    }
}

fn is_canonical<P: Params>(w: P::Word) -> bool {
    let m = model::<P>(w);
    mask(m, P::KS) == m
}

/// Boundary values of width `bits`: where carries, masks and sign bits go wrong.
fn boundaries(k: u32, s: u32, bits: u32) -> Vec<U256> {
    let mut v = vec![
        U256::ZERO,
        U256::ONE,
        U256::from_u8(2),
        ones(k - 1),
        pow2(k - 1),
        ones(k),
        pow2(k),
        pow2(k).wrapping_add(&U256::ONE),
        ones(s),
        pow2(s),
        ones(k + s - 1),
        pow2(k + s - 1),
        ones(k + s).wrapping_sub(&U256::ONE),
        ones(k + s),
        ones(bits),
    ];
    v.iter_mut().for_each(|x| *x = mask(*x, bits));
    v
}

/// A model value below 2^bits, often a boundary, often of a random smaller width.
fn value_below(k: u32, s: u32, bits: u32) -> impl Strategy<Value = U256> {
    prop_oneof![
        prop::sample::select(boundaries(k, s, bits)),
        any::<[u8; 32]>().prop_map(move |b| mask(from_bytes(&b), bits)),
        (any::<[u8; 32]>(), 0..=bits).prop_map(move |(b, n)| mask(from_bytes(&b), n)),
    ]
}

/// The signed k-bit range, as (min, max).
fn signed_range(k: u32) -> (i128, i128) {
    if k >= 128 {
        (i128::MIN, i128::MAX)
    } else {
        (-(1i128 << (k - 1)), (1i128 << (k - 1)) - 1)
    }
}

fn signed_in_range(k: u32) -> impl Strategy<Value = i128> {
    let (lo, hi) = signed_range(k);
    prop_oneof![
        prop::sample::select(vec![lo, lo + 1, -2, -1, 0, 1, 2, hi - 1, hi]),
        lo..=hi,
    ]
}

fn unsigned_in_range(k: u32) -> impl Strategy<Value = u128> {
    let hi = if k >= 128 {
        u128::MAX
    } else {
        (1u128 << k) - 1
    };
    prop_oneof![
        prop::sample::select(vec![0, 1, 2, hi / 2, hi / 2 + 1, hi - 1, hi]),
        0..=hi,
    ]
}

fn any_u128_edgy() -> impl Strategy<Value = u128> {
    prop_oneof![
        prop::sample::select(vec![
            0,
            1,
            u32::MAX as u128,
            u64::MAX as u128,
            1u128 << 64,
            1u128 << 66,
            (1u128 << 114) - 1,
            1u128 << 114,
            u128::MAX - 1,
            u128::MAX,
        ]),
        any::<u128>(),
    ]
}

fn any_i128_edgy() -> impl Strategy<Value = i128> {
    prop_oneof![
        prop::sample::select(vec![
            i128::MIN,
            i128::MIN + 1,
            -(1i128 << 65),
            -(1i128 << 63),
            -(1i128 << 31),
            -1,
            0,
            1,
            (1i128 << 31) - 1,
            (1i128 << 63) - 1,
            (1i128 << 65) - 1,
            i128::MAX,
        ]),
        any::<i128>(),
    ]
}

// ---------------------------------------------------------------------------------------
// The suite, instantiated for every parameter set.
// ---------------------------------------------------------------------------------------

macro_rules! params_suite {
    ($module:ident, $set:ty) => {
        mod $module {
            use super::*;

            type P = $set;
            type W = <P as Params>::Word;

            /// A canonical element (as its model).
            fn elem() -> impl Strategy<Value = U256> {
                value_below(P::K, P::S, P::KS)
            }
            /// Any word, including bits at and above k+s.
            fn raw() -> impl Strategy<Value = U256> {
                value_below(P::K, P::S, W::BITS)
            }
            fn w(x: &U256) -> W {
                word::<P>(x)
            }
            fn m(x: W) -> U256 {
                model::<P>(x)
            }
            fn md(x: U256) -> U256 {
                mask(x, P::KS)
            }
            fn elems(max: usize) -> impl Strategy<Value = Vec<U256>> {
                prop::collection::vec(elem(), 0..max)
            }
            fn words(xs: &[U256]) -> Vec<W> {
                xs.iter().map(w).collect()
            }

            #[test]
            fn constants_are_consistent() {
                assert_eq!(P::NAME, stringify!($set));
                assert_eq!(P::KS, P::K + P::S);
                assert_eq!(P::BYTES, P::KS.div_ceil(8) as usize);
                assert!(P::KS <= W::BITS, "word narrower than k+s");
                assert_eq!(P::EXACT, P::KS == W::BITS);
                assert_eq!(P::id().k, P::K);
                assert_eq!(P::id().s, P::S);
                assert_eq!(P::id().to_string(), format!("k={},s={}", P::K, P::S));
            }

            #[test]
            fn model_conversion_round_trips_at_boundaries() {
                for x in boundaries(P::K, P::S, W::BITS) {
                    assert_eq!(m(w(&x)), x);
                }
                assert_eq!(m(W::ONE), U256::ONE);
                assert_eq!(m(W::MAX), ones(W::BITS));
            }

            #[test]
            fn named_constants_are_exact() {
                // 2^(k+s) - 1 + 1 wraps to zero; 2^k - 1 + 1 is 2^k; (-1)^2 = 1.
                let top = w(&ones(P::KS));
                assert_eq!(P::add(top, W::ONE), W::ZERO);
                assert_eq!(P::neg(W::ONE), top);
                assert_eq!(P::mul(top, top), W::ONE);
                assert_eq!(m(P::add(w(&ones(P::K)), W::ONE)), pow2(P::K));
                assert_eq!(P::sub(W::ZERO, W::ONE), top);
                assert_eq!(P::lift_to_top(W::ONE), w(&pow2(P::K)));
                assert_eq!(P::lift_to_top(w(&pow2(P::S))), W::ZERO);
            }

            proptest! {
                #[test]
                fn add_matches_model(a in elem(), b in elem()) {
                    let r = P::add(w(&a), w(&b));
                    prop_assert!(is_canonical::<P>(r));
                    prop_assert_eq!(m(r), md(a.wrapping_add(&b)));
                }

                #[test]
                fn sub_matches_model(a in elem(), b in elem()) {
                    let r = P::sub(w(&a), w(&b));
                    prop_assert!(is_canonical::<P>(r));
                    prop_assert_eq!(m(r), md(a.wrapping_sub(&b)));
                }

                #[test]
                fn mul_matches_model(a in elem(), b in elem()) {
                    let r = P::mul(w(&a), w(&b));
                    prop_assert!(is_canonical::<P>(r));
                    prop_assert_eq!(m(r), md(a.wrapping_mul(&b)));
                }

                #[test]
                fn neg_matches_model(a in elem()) {
                    let r = P::neg(w(&a));
                    prop_assert!(is_canonical::<P>(r));
                    prop_assert_eq!(m(r), md(a.wrapping_neg()));
                }

                #[test]
                fn addition_is_a_commutative_group(a in elem(), b in elem(), c in elem()) {
                    let (a, b, c) = (w(&a), w(&b), w(&c));
                    prop_assert_eq!(P::add(a, b), P::add(b, a));
                    prop_assert_eq!(P::add(P::add(a, b), c), P::add(a, P::add(b, c)));
                    prop_assert_eq!(P::add(a, W::ZERO), a);
                    prop_assert_eq!(P::add(a, P::neg(a)), W::ZERO);
                    prop_assert_eq!(P::neg(P::neg(a)), a);
                    prop_assert_eq!(P::sub(a, b), P::add(a, P::neg(b)));
                    prop_assert_eq!(P::add(P::sub(a, b), b), a);
                }

                #[test]
                fn multiplication_is_a_commutative_monoid(a in elem(), b in elem(), c in elem()) {
                    let (a, b, c) = (w(&a), w(&b), w(&c));
                    prop_assert_eq!(P::mul(a, b), P::mul(b, a));
                    prop_assert_eq!(P::mul(P::mul(a, b), c), P::mul(a, P::mul(b, c)));
                    prop_assert_eq!(P::mul(a, W::ONE), a);
                    prop_assert_eq!(P::mul(a, W::ZERO), W::ZERO);
                    prop_assert_eq!(P::mul(a, P::neg(b)), P::neg(P::mul(a, b)));
                }

                #[test]
                fn multiplication_distributes(a in elem(), b in elem(), c in elem()) {
                    let (a, b, c) = (w(&a), w(&b), w(&c));
                    prop_assert_eq!(P::mul(a, P::add(b, c)), P::add(P::mul(a, b), P::mul(a, c)));
                    prop_assert_eq!(P::mul(P::sub(b, c), a), P::sub(P::mul(b, a), P::mul(c, a)));
                }

                #[test]
                fn shifts_match_model(a in elem(), n in 0u32..=(P::KS + 8)) {
                    let x = w(&a);
                    let left = P::shl(x, n);
                    prop_assert!(is_canonical::<P>(left));
                    prop_assert_eq!(m(left), md(a.unbounded_shl_vartime(n)));
                    prop_assert_eq!(m(P::shr(x, n)), a.unbounded_shr_vartime(n));
                    if n < P::KS {
                        prop_assert_eq!(left, P::mul(x, w(&pow2(n))));
                    }
                }

                #[test]
                fn lift_to_top_is_times_two_to_the_k(a in elem()) {
                    let r = P::lift_to_top(w(&a));
                    prop_assert_eq!(m(r), md(a.wrapping_mul(&pow2(P::K))));
                    prop_assert_eq!(P::reduce_k(r), W::ZERO);
                }

                #[test]
                fn reductions_match_model(a in raw()) {
                    let x = w(&a);
                    prop_assert_eq!(m(P::reduce(x)), mask(a, P::KS));
                    prop_assert_eq!(m(P::reduce_k(x)), mask(a, P::K));
                    prop_assert_eq!(m(P::reduce_s(x)), mask(a, P::S));
                    prop_assert_eq!(P::reduce(P::reduce(x)), P::reduce(x));
                    prop_assert_eq!(P::reduce_k(P::reduce(x)), P::reduce_k(x));
                }

                #[test]
                fn from_u128_matches_model(v in any_u128_edgy()) {
                    let r = P::from_u128(v);
                    prop_assert!(is_canonical::<P>(r));
                    prop_assert_eq!(m(r), md(U256::from_u128(v)));
                }

                #[test]
                fn from_i128_matches_model(v in any_i128_edgy()) {
                    let r = P::from_i128(v);
                    prop_assert!(is_canonical::<P>(r));
                    prop_assert_eq!(m(r), md(model_i128(v)));
                }

                #[test]
                fn signed_round_trip(v in signed_in_range(P::K), top in elem()) {
                    let x = P::from_i128(v);
                    prop_assert_eq!(P::to_signed(x), v);
                    // The top s bits do not change the value mod 2^k.
                    prop_assert_eq!(P::to_signed(P::add(x, P::lift_to_top(w(&top)))), v);
                }

                #[test]
                fn unsigned_round_trip(v in unsigned_in_range(P::K), top in elem()) {
                    let x = P::from_u128(v);
                    prop_assert_eq!(P::to_unsigned(x), v);
                    prop_assert_eq!(P::to_unsigned(P::add(x, P::lift_to_top(w(&top)))), v);
                }

                #[test]
                fn to_signed_and_unsigned_read_the_low_k_bits(a in elem()) {
                    if P::K > 128 {
                        // Only check rings (never read as integers) have k > 128.
                        return Ok(());
                    }
                    let x = w(&a);
                    let u = P::to_unsigned(x);
                    prop_assert_eq!(U256::from_u128(u), mask(a, P::K));
                    let v = P::to_signed(x);
                    let (lo, hi) = signed_range(P::K);
                    prop_assert!(lo <= v && v <= hi);
                    prop_assert_eq!(mask(model_i128(v), P::K), mask(a, P::K));
                }

                #[test]
                fn valuation_matches_model(a in elem(), j in 0u32..(P::KS)) {
                    let x = w(&a);
                    let expected = a.trailing_zeros().min(P::KS);
                    prop_assert_eq!(P::valuation(x), expected);
                    prop_assert_eq!(P::valuation(w(&pow2(j))), j);
                    prop_assert!(P::valuation(P::shl(x, j)) >= j);
                }

                #[test]
                fn encoding_matches_model_bytes(a in elem()) {
                    let x = w(&a);
                    let mut out = vec![0xA5u8; P::BYTES + 3];
                    P::encode(x, &mut out);
                    prop_assert_eq!(&out[..P::BYTES], &to_bytes(a)[..P::BYTES]);
                    // Nothing past BYTES is touched.
                    prop_assert_eq!(&out[P::BYTES..], &[0xA5u8; 3][..]);
                    prop_assert_eq!(P::decode(&out[..P::BYTES]), Ok(x));
                }

                #[test]
                fn decode_accepts_exactly_the_canonical_strings(bytes in any::<[u8; 32]>()) {
                    let bytes = &bytes[..P::BYTES];
                    let value = from_bytes(bytes);
                    match P::decode(bytes) {
                        Ok(x) => {
                            prop_assert!(value < pow2(P::KS) || P::KS == 256);
                            prop_assert_eq!(m(x), value);
                        }
                        Err(e) => {
                            prop_assert!(value >= pow2(P::KS));
                            prop_assert_eq!(e, DecodeError::NonCanonical { bits: P::KS });
                        }
                    }
                }

                #[test]
                fn decode_rejects_wrong_lengths(len in 0usize..64, fill in any::<u8>()) {
                    prop_assume!(len != P::BYTES);
                    let bytes = vec![fill & 0x01; len];
                    prop_assert_eq!(
                        P::decode(&bytes),
                        Err(DecodeError::Length { expected: P::BYTES, got: len })
                    );
                }

                #[test]
                fn decode_rejects_any_bit_above_k_plus_s(a in elem(), bit in 0u32..8) {
                    let spare = (P::BYTES as u32) * 8 - P::KS;
                    if spare == 0 {
                        // Every bit of the encoding is a value bit: nothing to reject.
                        return Ok(());
                    }
                    let mut bytes = vec![0u8; P::BYTES];
                    P::encode(w(&a), &mut bytes);
                    bytes[P::BYTES - 1] |= 0x80 >> (bit % spare);
                    prop_assert_eq!(
                        P::decode(&bytes),
                        Err(DecodeError::NonCanonical { bits: P::KS })
                    );
                }

                #[test]
                fn slice_encoding_round_trips(xs in elems(24), prefix in prop::collection::vec(any::<u8>(), 0..5)) {
                    let ws = words(&xs);
                    let mut out = prefix.clone();
                    P::encode_slice(&ws, &mut out);
                    prop_assert_eq!(out.len(), prefix.len() + ws.len() * P::BYTES);
                    prop_assert_eq!(&out[..prefix.len()], &prefix[..]);
                    for (chunk, a) in out[prefix.len()..].chunks_exact(P::BYTES).zip(&xs) {
                        prop_assert_eq!(chunk, &to_bytes(*a)[..P::BYTES]);
                    }
                    prop_assert_eq!(P::decode_slice(&out[prefix.len()..]), Ok(ws));
                }

                #[test]
                fn slice_decoding_rejects_ragged_lengths(xs in elems(8), extra in 1usize..24) {
                    prop_assume!(extra % P::BYTES != 0);
                    let mut out = Vec::new();
                    P::encode_slice(&words(&xs), &mut out);
                    out.extend(std::iter::repeat_n(0u8, extra));
                    let got = out.len();
                    let is_length_error =
                        matches!(P::decode_slice(&out), Err(DecodeError::Length { got: g, .. }) if g == got);
                    prop_assert!(is_length_error);
                }

                #[test]
                fn slice_decoding_rejects_one_non_canonical_element(
                    xs in prop::collection::vec(elem(), 1..8),
                    at in any::<prop::sample::Index>(),
                ) {
                    let spare = (P::BYTES as u32) * 8 - P::KS;
                    if spare == 0 {
                        return Ok(());
                    }
                    let mut out = Vec::new();
                    P::encode_slice(&words(&xs), &mut out);
                    let i = at.index(xs.len());
                    out[(i + 1) * P::BYTES - 1] |= 0x80;
                    prop_assert_eq!(
                        P::decode_slice(&out),
                        Err(DecodeError::NonCanonical { bits: P::KS })
                    );
                }

                #[test]
                fn add_and_sub_kernels_match_scalar(xs in elems(40), ys in elems(40)) {
                    let n = xs.len().min(ys.len());
                    let (a, b) = (words(&xs[..n]), words(&ys[..n]));
                    let mut sum = a.clone();
                    spdz2k_ring::add_assign::<P>(&mut sum, &b);
                    let mut diff = a.clone();
                    spdz2k_ring::sub_assign::<P>(&mut diff, &b);
                    let mut neg = a.clone();
                    spdz2k_ring::neg_assign::<P>(&mut neg);
                    for i in 0..n {
                        prop_assert_eq!(sum[i], P::add(a[i], b[i]));
                        prop_assert_eq!(m(sum[i]), md(xs[i].wrapping_add(&ys[i])));
                        prop_assert_eq!(diff[i], P::sub(a[i], b[i]));
                        prop_assert_eq!(neg[i], P::neg(a[i]));
                    }
                }

                #[test]
                fn scale_and_axpy_kernels_match_scalar(xs in elems(40), ys in elems(40), c in elem()) {
                    let n = xs.len().min(ys.len());
                    let (a, b, c) = (words(&xs[..n]), words(&ys[..n]), w(&c));
                    let mut scaled = a.clone();
                    spdz2k_ring::scale::<P>(&mut scaled, c);
                    let mut acc = a.clone();
                    spdz2k_ring::axpy::<P>(&mut acc, c, &b);
                    for i in 0..n {
                        prop_assert_eq!(scaled[i], P::mul(a[i], c));
                        prop_assert_eq!(acc[i], P::add(a[i], P::mul(c, b[i])));
                        prop_assert!(is_canonical::<P>(acc[i]));
                    }
                }

                #[test]
                fn inner_product_matches_model(xs in elems(40), ys in elems(40)) {
                    let n = xs.len().min(ys.len());
                    let (a, b) = (words(&xs[..n]), words(&ys[..n]));
                    let got = spdz2k_ring::inner_product::<P>(&a, &b);
                    let mut scalar = W::ZERO;
                    let mut reference = U256::ZERO;
                    for i in 0..n {
                        scalar = P::add(scalar, P::mul(a[i], b[i]));
                        reference = reference.wrapping_add(&xs[i].wrapping_mul(&ys[i]));
                    }
                    prop_assert!(is_canonical::<P>(got));
                    prop_assert_eq!(got, scalar);
                    prop_assert_eq!(m(got), md(reference));
                }
            }

            #[test]
            fn random_draws_are_canonical_and_use_every_bit() {
                let mut rng = ChaCha20Rng::seed_from_u64(0x5eed);
                let (mut or_ks, mut or_s, mut or_k) = (U256::ZERO, U256::ZERO, U256::ZERO);
                let mut distinct = std::collections::BTreeSet::new();
                for _ in 0..256 {
                    let x = m(P::random(&mut rng));
                    let s = m(P::random_s(&mut rng));
                    let k = m(P::random_k(&mut rng));
                    assert_eq!(mask(x, P::KS), x, "random above 2^(k+s)");
                    assert_eq!(mask(s, P::S), s, "random_s above 2^s");
                    assert_eq!(mask(k, P::K), k, "random_k above 2^k");
                    or_ks = or_ks.bitor(&x);
                    or_s = or_s.bitor(&s);
                    or_k = or_k.bitor(&k);
                    distinct.insert(to_bytes(x));
                }
                // Every bit position below the bound shows up in 256 uniform draws
                // (failure probability 2^-256 per bit).
                assert_eq!(or_ks, ones(P::KS));
                assert_eq!(or_s, ones(P::S));
                assert_eq!(or_k, ones(P::K));
                assert!(distinct.len() > 250);
            }

            #[test]
            #[should_panic(expected = "different lengths")]
            fn add_assign_rejects_mismatched_lengths() {
                let mut a = vec![W::ONE; 3];
                spdz2k_ring::add_assign::<P>(&mut a, &[W::ONE; 2]);
            }

            #[test]
            #[should_panic(expected = "different lengths")]
            fn sub_assign_rejects_mismatched_lengths() {
                let mut a = vec![W::ONE; 2];
                spdz2k_ring::sub_assign::<P>(&mut a, &[W::ONE; 3]);
            }

            #[test]
            #[should_panic(expected = "different lengths")]
            fn axpy_rejects_mismatched_lengths() {
                let mut a = vec![W::ONE; 3];
                spdz2k_ring::axpy::<P>(&mut a, W::ONE, &[W::ONE; 4]);
            }

            #[test]
            #[should_panic(expected = "different lengths")]
            fn inner_product_rejects_mismatched_lengths() {
                spdz2k_ring::inner_product::<P>(&[W::ONE; 3], &[W::ONE; 1]);
            }
        }
    };
}

params_suite!(k32s32, K32S32);
params_suite!(k64s64, K64S64);
params_suite!(k66s48, K66S48);
params_suite!(k128s64, K128S64);
// The check rings Z_2^(k+2s), including the 256-bit word of K128S64's.
params_suite!(k32s32_check, K32S32Check);
params_suite!(k64s64_check, K64S64Check);
params_suite!(k66s48_check, K66S48Check);
params_suite!(k128s64_check, K128S64Check);

/// Lifting to the check ring and lowering back: lower is a ring homomorphism, lift its
/// section, for every set.
fn lift_lower_laws<P: HasCheckRing>(seed: u64) {
    type C<P> = <P as HasCheckRing>::Check;
    assert_eq!(<C<P> as Params>::K, P::K + P::S);
    assert_eq!(<C<P> as Params>::S, P::S);
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    for _ in 0..200 {
        let x = P::random(&mut rng);
        assert_eq!(P::lower(P::lift(x)), x);
        assert_eq!(model::<C<P>>(P::lift(x)), model::<P>(x));
        let (a, b) = (C::<P>::random(&mut rng), C::<P>::random(&mut rng));
        assert_eq!(
            P::lower(C::<P>::mul(a, b)),
            P::mul(P::lower(a), P::lower(b))
        );
        assert_eq!(
            P::lower(C::<P>::add(a, b)),
            P::add(P::lower(a), P::lower(b))
        );
        assert_eq!(model::<P>(P::lower(a)), mask(model::<C<P>>(a), P::KS));
    }
}

#[test]
fn check_rings_lift_and_lower() {
    lift_lower_laws::<K32S32>(1);
    lift_lower_laws::<K64S64>(2);
    lift_lower_laws::<K66S48>(3);
    lift_lower_laws::<K128S64>(4);
}

/// K66S48 is the one set whose encoding has spare bits: 114 bits in 15 bytes.
#[test]
fn k66s48_encoding_has_six_spare_bits() {
    assert_eq!(K66S48::BYTES, 15);
    let mut bytes = [0xFFu8; 15];
    bytes[14] = 0x03;
    let top = K66S48::decode(&bytes).unwrap();
    assert_eq!(top, (1u128 << 114) - 1);
    for bit in 2..8 {
        let mut bad = bytes;
        bad[14] |= 1 << bit;
        assert_eq!(
            K66S48::decode(&bad),
            Err(DecodeError::NonCanonical { bits: 114 })
        );
    }
    assert_eq!(
        K66S48::decode(&[0u8; 16]),
        Err(DecodeError::Length {
            expected: 15,
            got: 16
        })
    );
}

/// Known answers that do not go through the model.
#[test]
fn known_answers() {
    assert_eq!(K32S32::from_i128(-1), u64::MAX);
    assert_eq!(K32S32::to_signed(K32S32::from_u128(0xFFFF_FFFF)), -1);
    assert_eq!(K32S32::to_unsigned(u64::MAX), 0xFFFF_FFFF);
    assert_eq!(K64S64::mul(u128::MAX, u128::MAX), 1);
    assert_eq!(
        K64S64::to_signed(K64S64::from_i128(i64::MIN as i128)),
        i64::MIN as i128
    );
    assert_eq!(K66S48::neg(1), (1u128 << 114) - 1);
    assert_eq!(K66S48::to_signed(1u128 << 65), -(1i128 << 65));
    assert_eq!(K128S64::to_signed(K128S64::from_i128(i128::MIN)), i128::MIN);
    assert_eq!(K128S64::to_unsigned(K128S64::from_i128(-1)), u128::MAX);
    let mut out = [0u8; 24];
    K128S64::encode(K128S64::from_i128(-2), &mut out);
    assert_eq!(out[0], 0xFE);
    assert!(out[1..].iter().all(|&b| b == 0xFF));
    assert_eq!(K32S32::valuation(0), 64);
    assert_eq!(K66S48::valuation(0), 114);
    assert_eq!(K128S64::valuation(K128S64::from_u128(0)), 192);
}
