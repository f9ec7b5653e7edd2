//! The pending log kept in chunks, whether as (opened values, MAC shares) or as check terms,
//! gives the MAC check the same z_i as the old flat log, and the dealer's per-party dealing
//! gives the same shares as dealing for everyone.

use proptest::prelude::*;
use spdz2k_core::{
    InsecureDealer, LogChunk, MacKeyShare, PendingLog, check_terms_in_place,
    local_check_share_chunks, rng::seeded_rng,
};
use spdz2k_ring::{K32S32, K64S64, K128S64, Params, Word};

/// The computation before the log was chunked, verbatim: one flat pass over one coefficient
/// stream, one `next_u64` per coefficient (the check must keep drawing the same stream, or
/// parties on different versions would fail every check).
fn flat_check_share<P: Params>(
    key: &MacKeyShare<P>,
    opened: &[P::Word],
    macs: &[P::Word],
    coins: [u8; 32],
) -> P::Word {
    let mut rng = seeded_rng(coins);
    let mut y = P::Word::ZERO;
    let mut m = P::Word::ZERO;
    for (&x, &mac) in opened.iter().zip(macs) {
        let chi = if P::S <= 64 {
            P::reduce_s(P::Word::from_u128(rand::Rng::next_u64(&mut rng) as u128))
        } else {
            P::random_s(&mut rng)
        };
        y = y.wadd(chi.wmul(x));
        m = m.wadd(chi.wmul(mac));
    }
    P::sub(P::reduce(m), P::mul(key.expose(), P::reduce(y)))
}

/// `as_terms[i]` logs chunk i as check terms instead of (opened values, MAC shares).
fn chunked_equals_flat<P: Params>(sizes: &[usize], as_terms: &[bool], seed: u8) {
    let mut dealer = InsecureDealer::<P>::new(2, [seed; 32]);
    let total: usize = sizes.iter().sum();
    let (opened, shares) = dealer.randoms(total);
    let key = dealer.mac_key_share(0);
    let mut log = PendingLog::<P>::new();
    let mut at = 0;
    for (i, &n) in sizes.iter().enumerate() {
        let (values, mut macs) = (
            opened[at..at + n].to_vec(),
            shares[0].macs()[at..at + n].to_vec(),
        );
        if as_terms.get(i).copied().unwrap_or(false) {
            check_terms_in_place::<P>(&mut macs, &values, &key);
            log.push_terms(macs);
        } else {
            log.push_owned(values, macs);
        }
        at += n;
    }
    assert_eq!(log.len(), total);
    let coins = [seed.wrapping_add(1); 32];
    let flat = flat_check_share::<P>(&key, &opened, shares[0].macs(), coins);
    assert_eq!(log.check_share(&key, coins), flat);
    let whole = core::iter::once((&opened[..], shares[0].macs()));
    assert_eq!(local_check_share_chunks::<P>(&key, whole, coins), flat);
    let kept: Vec<usize> = log.chunks().iter().map(LogChunk::len).collect();
    let nonempty: Vec<usize> = sizes.iter().copied().filter(|&n| n > 0).collect();
    assert_eq!(
        kept, nonempty,
        "chunks kept in opening order, empty ones dropped"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn chunked_log_gives_the_flat_check_share(
        sizes in proptest::collection::vec(0usize..300, 0..8),
        as_terms in proptest::collection::vec(any::<bool>(), 0..8),
        seed in any::<u8>(),
    ) {
        chunked_equals_flat::<K32S32>(&sizes, &as_terms, seed);
        chunked_equals_flat::<K64S64>(&sizes, &as_terms, seed);
        chunked_equals_flat::<K128S64>(&sizes, &as_terms, seed);
    }
}

#[test]
fn a_change_in_any_chunk_changes_the_share() {
    let mut dealer = InsecureDealer::<K64S64>::new(2, [9; 32]);
    let (opened, shares) = dealer.randoms(10);
    let key = dealer.mac_key_share(1);
    let split = |v: &[u128]| (v[..4].to_vec(), v[4..].to_vec());
    let (v0, v1) = split(&opened);
    let (m0, m1) = split(shares[1].macs());
    let share = |v1: &[u128]| {
        local_check_share_chunks::<K64S64>(&key, [(&v0[..], &m0[..]), (v1, &m1[..])], [3; 32])
    };
    let mut bad = v1.clone();
    bad[5] = K64S64::add(bad[5], 1);
    assert_ne!(share(&v1), share(&bad));
}

#[test]
fn dealing_for_one_party_gives_that_partys_shares() {
    for n in [2, 3] {
        let mut all = InsecureDealer::<K64S64>::new(n, [4; 32]);
        let triples = all.triples(7);
        let (r, rs) = all.randoms_in("open-mask", 5);
        let (m, ms) = all.input_masks(1, 3);
        for p in 0..n {
            let mut one = InsecureDealer::<K64S64>::new(n, [4; 32]);
            assert_eq!(one.triples_for(7, p), triples[p]);
            assert_eq!(
                one.randoms_in_for("open-mask", 5, p),
                (r.clone(), rs[p].clone())
            );
            assert_eq!(one.input_masks_for(1, 3, p), (m.clone(), ms[p].clone()));
        }
    }
}

/// The dealer allocates each share vector once at its size (`vec![Vec::with_capacity(n); k]`
/// cloned the capacity away and the vectors regrew to a power of two while filling).
#[test]
fn dealt_vectors_are_allocated_once_at_their_size() {
    let mut dealer = InsecureDealer::<K64S64>::new(3, [2; 32]);
    for t in dealer.triples(1000) {
        for part in [t.a, t.b, t.c] {
            let (v, m) = part.into_parts();
            assert_eq!((v.capacity(), m.capacity()), (1000, 1000));
        }
    }
}

/// An opened value changed after its check terms were made (or a term changed) changes z_i:
/// terms carry the opened values into the check as the (values, MAC shares) pairs did.
#[test]
fn a_change_in_a_term_changes_the_share() {
    let mut dealer = InsecureDealer::<K64S64>::new(2, [5; 32]);
    let (opened, shares) = dealer.randoms(10);
    let key = dealer.mac_key_share(0);
    let share_with = |values: &[u128]| {
        let mut terms = shares[0].macs().to_vec();
        check_terms_in_place::<K64S64>(&mut terms, values, &key);
        let mut log = PendingLog::<K64S64>::new();
        log.push_terms(terms);
        log.check_share(&key, [6; 32])
    };
    let honest = share_with(&opened);
    assert_eq!(
        honest,
        flat_check_share::<K64S64>(&key, &opened, shares[0].macs(), [6; 32])
    );
    let mut bad = opened.clone();
    bad[3] = K64S64::add(bad[3], 1 << 70);
    assert_ne!(share_with(&bad), honest);
}
