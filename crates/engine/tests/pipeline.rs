//! Pipelined sub-batches, preloaded preprocessing and the start barrier: the same products,
//! the same bytes and the same checks as one batch drawn on demand, and cheating inside a
//! pipelined multiplication is still caught.

use spdz2k_core::{AbortReason, WireMsg};
use spdz2k_engine::{EngineError, Phase, SessionOptions, SessionReport};
use spdz2k_prep::PrepCounts;
use spdz2k_ring::{K64S64, Params};
use spdz2k_testkit::run_parties;

type P = K64S64;
const LEN: usize = 10;

/// x_j = j + 2 (from P0) times y_j = -3 - j (from the last party), opened; then a dot.
async fn products(
    me: usize,
    s: &mut spdz2k_testkit::TestSession<P>,
) -> Result<(Vec<i128>, SessionReport), EngineError> {
    let n = s.n_parties();
    let x: Vec<u128> = (0..LEN).map(|j| P::from_i128(j as i128 + 2)).collect();
    let y: Vec<u128> = (0..LEN).map(|j| P::from_i128(-3 - j as i128)).collect();
    let a = s.input(0, (me == 0).then_some(&x[..]), LEN).await?;
    let b = s.input(n - 1, (me == n - 1).then_some(&y[..]), LEN).await?;
    s.barrier().await?;
    let before = s.report();
    let z = s.mul(&a, &b).await?;
    let d = s.dot(&a, &b).await?;
    let mut out = s.open_signed(&z).await?;
    out.extend(s.open_signed(&d).await?);
    let after = s.report();
    let used = SessionReport {
        bytes_sent: after.bytes_sent - before.bytes_sent,
        rounds: after.rounds - before.rounds,
        ..after
    };
    Ok((out, used))
}

fn expected() -> Vec<i128> {
    let z: Vec<i128> = (0..LEN as i128).map(|j| (j + 2) * (-3 - j)).collect();
    let dot = z.iter().sum();
    z.into_iter().chain([dot]).collect()
}

/// Runs [`products`] with sub-batches of `size` and, where `preload[i]` > 0, party i's
/// material drawn ahead (some of it: the rest comes from the dealer on demand).
async fn run(n: usize, size: usize, preload: &[u64]) -> Vec<(Vec<i128>, SessionReport)> {
    let preload = preload.to_vec();
    let results = run_parties::<P, _, _, _>(n, 61, SessionOptions::default(), move |me, mut s| {
        let ahead = preload[me];
        async move {
            s.set_sub_batch(size);
            if ahead > 0 {
                let mut counts = PrepCounts::uniform(s.n_parties(), ahead);
                counts.randoms = 0;
                s.preload(&counts).await?;
                // A second preload appends after what is left of the first.
                s.preload(&PrepCounts::uniform(s.n_parties(), 1)).await?;
            }
            let r = products(me, &mut s).await?;
            s.finish().await?;
            Ok(r)
        }
    })
    .await;
    results
        .into_iter()
        .map(|r| r.expect("honest run"))
        .collect()
}

#[tokio::test]
async fn sub_batches_and_preloading_change_nothing_but_the_timing() {
    for n in [2, 3] {
        let reference = run(n, usize::MAX, &vec![0; n]).await;
        for (out, _) in &reference {
            assert_eq!(out, &expected());
        }
        // Sub-batches of 1, 3 (uneven tail) and 4, and material preloaded in part, in whole
        // or not at all.
        let mut ahead = vec![7, 0, 1000];
        ahead.truncate(n);
        for size in [1, 3, 4] {
            let runs = run(n, size, &ahead).await;
            // The multiplication and the dot each send one message per sub-batch per peer:
            // each further one adds a 9-byte header, nothing else.
            let extra = 2 * (LEN.div_ceil(size) - 1) * (n - 1) * 9;
            for (i, (out, used)) in runs.iter().enumerate() {
                assert_eq!(out, &expected(), "{n} parties, party {i}, size {size}");
                let bytes = reference[i].1.bytes_sent + extra as u64;
                assert_eq!(used.bytes_sent, bytes, "same values sent");
                assert_eq!(used.rounds, reference[i].1.rounds, "same rounds");
                assert_eq!(used.checks, reference[i].1.checks, "same checks");
            }
        }
    }
}

#[tokio::test]
async fn preloaded_material_counts_as_available() {
    let results =
        run_parties::<P, _, _, _>(2, 62, SessionOptions::default(), |_, mut s| async move {
            let mut counts = PrepCounts::uniform(2, 5);
            counts.randoms = 0;
            s.preload(&counts).await?;
            let before = s.available();
            let x = s.constant(&[P::from_i128(3); 4]);
            let _ = s.mul(&x, &x).await?;
            s.check().await?;
            Ok((before, s.available()))
        })
        .await;
    for r in results {
        let (before, after) = r.unwrap();
        // The dealer is unbounded: the stock adds to u64::MAX without overflowing.
        assert_eq!(before.triples, u64::MAX);
        assert_eq!(after.triples, u64::MAX);
    }
}

/// A party that alters one opened value in the third sub-batch of a pipelined
/// multiplication is caught by the MAC check, and no value is released.
#[tokio::test]
async fn cheating_in_a_pipelined_sub_batch_is_caught() {
    let results =
        run_parties::<P, _, _, _>(2, 63, SessionOptions::default(), |me, mut s| async move {
            s.set_sub_batch(2);
            if me == 1 {
                let mut openings = 0;
                s.set_tamper_hook(move |phase: Phase, _to: usize, m: &mut WireMsg<P>| {
                    if phase == Phase::BeaverOpening {
                        openings += 1;
                        if let (3, WireMsg::Opening(v)) = (openings, m) {
                            v[1] = P::add(v[1], 1);
                        }
                    }
                });
            }
            let x = s.constant(&[P::from_i128(5); LEN]);
            let z = s.mul(&x, &x).await?;
            s.open(&z).await
        })
        .await;
    for r in results {
        match r {
            Err(EngineError::Aborted {
                reason: AbortReason::MacCheckFailed { .. },
                ..
            }) => {}
            other => panic!("expected a failed MAC check, got {other:?}"),
        }
    }
}
