//! Share algebra: reconstruct(op(shares)) = op(secrets) mod 2^k, MACs stay consistent, and
//! the Beaver steps give x * y, for every parameter set and n in {2, 3, 5}.

use proptest::prelude::*;
use spdz2k_core::{
    AuthShares, InsecureDealer, SharesRef, TriplesRef, beaver_check_terms_into, beaver_combine,
    beaver_combine_sum, beaver_opening_values_into, beaver_openings, check_terms_in_place,
    macs_consistent, mask_for_opening, reconstruct, reconstruct_opening, unmask_opened,
};
use spdz2k_ring::{K32S32, K64S64, K66S48, K128S64, Params};

fn words<P: Params>(v: &[u128]) -> Vec<P::Word> {
    v.iter().map(|&x| P::from_u128(x)).collect()
}

fn dealer<P: Params>(n: usize, seed: u8) -> InsecureDealer<P> {
    InsecureDealer::new(n, [seed; 32])
}

/// Every party applies `op` to its shares; the result must reconstruct to `expect` mod 2^k
/// and carry consistent MACs.
fn check_op<P: Params>(d: &InsecureDealer<P>, shares: Vec<AuthShares<P>>, expect: &[P::Word]) {
    let got = reconstruct(&shares);
    for (g, e) in got.iter().zip(expect) {
        assert_eq!(P::reduce_k(*g), P::reduce_k(*e));
    }
    assert!(macs_consistent(&shares, d.mac_key()), "MACs inconsistent");
}

fn algebra<P: Params>(n: usize, seed: u8, xs: &[u128], ys: &[u128], c: u128) {
    let len = xs.len().min(ys.len());
    let (x, y) = (words::<P>(&xs[..len]), words::<P>(&ys[..len]));
    let c = P::from_u128(c);
    let mut d = dealer::<P>(n, seed);
    let sx = d.share(&x);
    let sy = d.share(&y);
    let pairs = || sx.iter().zip(&sy).enumerate();

    let add: Vec<_> = pairs().map(|(_, (a, b))| a.add(b)).collect();
    check_op(
        &d,
        add,
        &x.iter()
            .zip(&y)
            .map(|(&a, &b)| P::add(a, b))
            .collect::<Vec<_>>(),
    );
    let sub: Vec<_> = pairs().map(|(_, (a, b))| a.sub(b)).collect();
    check_op(
        &d,
        sub,
        &x.iter()
            .zip(&y)
            .map(|(&a, &b)| P::sub(a, b))
            .collect::<Vec<_>>(),
    );
    let neg: Vec<_> = sx.iter().map(AuthShares::neg).collect();
    check_op(&d, neg, &x.iter().map(|&a| P::neg(a)).collect::<Vec<_>>());
    let scaled: Vec<_> = sx
        .iter()
        .map(|s| {
            let mut s = s.clone();
            s.scale(c);
            s
        })
        .collect();
    check_op(
        &d,
        scaled,
        &x.iter().map(|&a| P::mul(a, c)).collect::<Vec<_>>(),
    );
    let plus_c: Vec<_> = sx
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut s = s.clone();
            s.add_public_scalar(c, &d.mac_key_share(i), i);
            s
        })
        .collect();
    check_op(
        &d,
        plus_c,
        &x.iter().map(|&a| P::add(a, c)).collect::<Vec<_>>(),
    );
    let plus_y_public: Vec<_> = sx
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut s = s.clone();
            s.add_public(&y, &d.mac_key_share(i), i);
            s
        })
        .collect();
    check_op(
        &d,
        plus_y_public,
        &x.iter()
            .zip(&y)
            .map(|(&a, &b)| P::add(a, b))
            .collect::<Vec<_>>(),
    );
    let times_y_public: Vec<_> = sx
        .iter()
        .map(|s| {
            let mut s = s.clone();
            s.mul_public(&y);
            s
        })
        .collect();
    check_op(
        &d,
        times_y_public,
        &x.iter()
            .zip(&y)
            .map(|(&a, &b)| P::mul(a, b))
            .collect::<Vec<_>>(),
    );
    let sums: Vec<_> = sx.iter().map(AuthShares::sum).collect();
    let total = x.iter().fold(P::from_u128(0), |a, &b| P::add(a, b));
    check_op(&d, sums, &[total]);

    // Beaver: every party forms its shares of (e, d); they are opened and combined.
    let t = d.triples(len);
    let ed: Vec<_> = (0..n)
        .map(|i| beaver_openings(&sx[i], &sy[i], &t[i]))
        .collect();
    let peers: Vec<&[P::Word]> = ed[1..].iter().map(|s| s.values()).collect();
    let opened = reconstruct_opening::<P>(ed[0].values(), &peers);
    let z: Vec<_> = (0..n)
        .map(|i| beaver_combine(&t[i], &opened, &d.mac_key_share(i), i))
        .collect();
    // Beaver products are exact mod 2^(k+s), not only mod 2^k.
    let full = reconstruct(&z);
    for ((&g, &a), &b) in full.iter().zip(&x).zip(&y) {
        assert_eq!(g, P::mul(a, b));
    }
    assert!(macs_consistent(&z, d.mac_key()));
    // The check terms made straight from the inputs and triples equal the opening's MAC
    // shares turned into terms, and the values alone equal the opening's values.
    for i in 0..n {
        let all = 0..t[i].len();
        let (x, y) = (
            SharesRef::of(&sx[i], all.clone()),
            SharesRef::of(&sy[i], all.clone()),
        );
        let mut terms = vec![P::from_u128(7)];
        let key = d.mac_key_share(i);
        beaver_check_terms_into(
            x,
            y,
            TriplesRef::of(&t[i], all.clone()),
            &opened,
            &key,
            &mut terms,
        );
        let mut expected = ed[i].macs().to_vec();
        check_terms_in_place::<P>(&mut expected, &opened, &key);
        assert_eq!(terms, expected);
        let mut values = vec![P::from_u128(7)];
        beaver_opening_values_into(x, y, TriplesRef::of(&t[i], all), &mut values);
        assert_eq!(values, ed[i].values());
    }
    // The fused dot product: each party's sums equal the sums of its product shares.
    for (i, zi) in z.iter().enumerate() {
        let all = 0..t[i].len();
        let fused = beaver_combine_sum(TriplesRef::of(&t[i], all), &opened, &d.mac_key_share(i), i);
        let sum = zi.sum();
        assert_eq!(fused, (sum.values()[0], sum.macs()[0]));
    }
    // The openings of e and d are consistent with the MACs too (what the check relies on).
    assert!(macs_consistent(&ed, d.mac_key()));

    // Masked opening: x + 2^k r opens to x mod 2^k, with MACs consistent.
    let (_, r) = d.randoms(len);
    let masked: Vec<_> = (0..n).map(|i| mask_for_opening(&sx[i], &r[i])).collect();
    assert!(macs_consistent(&masked, d.mac_key()));
    let opened = unmask_opened::<P>(&reconstruct(&masked));
    assert_eq!(
        opened,
        x.iter().map(|&a| P::reduce_k(a)).collect::<Vec<_>>()
    );
}

macro_rules! algebra_tests {
    ($($name:ident: $p:ty),*) => {$(
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(48))]
            #[test]
            fn $name(
                n in prop::sample::select(vec![2usize, 3, 5]),
                seed in any::<u8>(),
                xs in prop::collection::vec(any::<u128>(), 1..20),
                ys in prop::collection::vec(any::<u128>(), 1..20),
                c in any::<u128>(),
            ) {
                algebra::<$p>(n, seed, &xs, &ys, c);
            }
        }
    )*};
}

algebra_tests!(algebra_k32s32: K32S32, algebra_k64s64: K64S64, algebra_k66s48: K66S48, algebra_k128s64: K128S64);

#[test]
fn boundary_values_multiply_exactly() {
    let x = [0u128, 1, u64::MAX as u128, u128::MAX];
    algebra::<K64S64>(2, 9, &x, &x, u128::MAX);
    algebra::<K128S64>(3, 9, &x, &x, 1);
    algebra::<K66S48>(5, 9, &x, &x, 0);
    algebra::<K32S32>(2, 9, &x, &x, 7);
}

#[test]
fn dealer_is_deterministic_per_kind_whatever_the_batching() {
    let mut a = dealer::<K64S64>(3, 4);
    let mut b = dealer::<K64S64>(3, 4);
    let whole = a.triples(10);
    let mut first = b.triples(4);
    let rest = b.triples(6);
    for (w, (f, r)) in whole.iter().zip(first.iter_mut().zip(&rest)) {
        f.extend(r);
        assert_eq!(w, f);
    }
    // Randoms drawn in between do not shift the triple stream.
    let mut c = dealer::<K64S64>(3, 4);
    let _ = c.randoms(5);
    assert_eq!(c.triples(10), whole);
}
