//! Honest runs for n = 2, 3, 5 on every parameter set; exact bytes; two batches in flight.

use super::*;
use crate::{triple_batch_bytes_per_peer, value_batch_bytes_per_peer};
use spdz2k_prep::InputMasks;

fn honest_run<P: HasCheckRing>(n: usize, triples: usize, seed: u64) {
    let mut keys = setup::<P>(n, seed);
    let id = keys[0].id();
    assert!(
        keys.iter().all(|k| k.id() == id),
        "parties agree on the key set"
    );
    let alpha = alpha(&keys);

    let outs = done(run_batch(&mut keys, BatchKind::Triples(triples)));
    for (_, sent) in &outs {
        let t = triples as u64;
        let expect = triple_batch_bytes_per_peer::<P>(t, false)
            + (n as u64 - 2) * triple_batch_bytes_per_peer::<P>(t, true);
        assert_eq!(*sent, expect, "{} n={n}: triple batch bytes", P::NAME);
    }
    let a = check_triples(outs.into_iter().map(|(m, _)| m).collect(), alpha);
    assert_eq!(a.len(), triples);
    assert!(a.windows(2).all(|w| w[0] != w[1]), "triples differ");

    let outs = done(run_batch(&mut keys, BatchKind::Randoms(7)));
    let mut shares = Vec::new();
    for (m, sent) in outs {
        assert_eq!(
            sent,
            (n as u64 - 1) * value_batch_bytes_per_peer::<P>(7, true)
        );
        let Material::Randoms(s) = m else {
            panic!("not randoms")
        };
        shares.push(s);
    }
    assert_eq!(shares[0].len(), 7);
    assert_macs(&shares, alpha);

    for owner in 0..n {
        let kind = BatchKind::InputMasks { owner, count: 5 };
        let outs = done(run_batch(&mut keys, kind));
        let mut shares = Vec::new();
        let mut clear = None;
        for (i, (m, sent)) in outs.into_iter().enumerate() {
            let expect = (n as u64 - 1) * value_batch_bytes_per_peer::<P>(5, i == owner);
            assert_eq!(sent, expect, "{} input-mask bytes, party {i}", P::NAME);
            let Material::InputMasks {
                owner: o,
                masks:
                    InputMasks {
                        shares: s,
                        clear: c,
                    },
            } = m
            else {
                panic!("not input masks")
            };
            assert_eq!(o, owner);
            assert_eq!(c.is_some(), i == owner, "only the owner knows the masks");
            if i != owner {
                assert!(s.values().iter().all(|&v| v == <P::Word as Word>::ZERO));
            }
            clear = clear.or(c);
            shares.push(s);
        }
        assert_eq!(Some(reconstruct(&shares)), clear);
        assert_macs(&shares, alpha);
    }
}

macro_rules! honest_suites {
    ($($name:ident: ($k:expr, $s:expr, $w:ty, $doc:literal) => $check:ident: ($ck:expr, $cw:ty);)*) => {
        #[allow(non_snake_case)]
        mod per_set {
            use super::*;
            $(
                #[test]
                fn $name() {
                    use spdz2k_ring::$name as P;
                    honest_run::<P>(2, 24, 1);
                    honest_run::<P>(3, 8, 2);
                    honest_run::<P>(5, 3, 3);
                }
            )*
        }
    };
}
spdz2k_ring::with_params_sets!(honest_suites);

#[test]
fn tiny_ring_honest() {
    honest_run::<spdz2k_ring::K8S4>(2, 50, 4);
    honest_run::<spdz2k_ring::K8S4>(3, 10, 5);
}

#[test]
fn two_batches_in_flight() {
    use spdz2k_ring::K64S64 as P;
    let mut keys = setup::<P>(3, 9);
    let alpha = alpha(&keys);
    let mut outs = run_batches(
        &mut keys,
        &[
            BatchKind::Triples(6),
            BatchKind::Triples(5),
            BatchKind::Randoms(3),
        ],
    );
    let r = done(outs.pop().unwrap());
    let shares: Vec<_> = r
        .into_iter()
        .map(|(m, _)| match m {
            Material::Randoms(s) => s,
            _ => panic!("not randoms"),
        })
        .collect();
    assert_macs(&shares, alpha);
    for o in outs {
        check_triples(done(o).into_iter().map(|(m, _)| m).collect(), alpha);
    }
}
