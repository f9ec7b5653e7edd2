//! Every cheating path is caught: one party alters what it sends (input broadcast sent
//! differently to two parties, a share in an opening, a MAC share, z_i, a commitment opening,
//! a coin seed); every honest party aborts with a typed reason and no value is released.

use spdz2k_core::{AbortReason, AuthShares, WireMsg};
use spdz2k_engine::{AbortCause, EngineError, Phase, Secret, SessionOptions};
use spdz2k_ring::Params;
use spdz2k_testkit::cheating::{CHEATER, P, honest, play, reason};
use spdz2k_testkit::run_parties;

/// Runs [`play`] for `n` parties over the in-memory mesh; returns the honest results.
async fn run_with_hook<H>(n: usize, hook: H) -> Vec<(usize, Result<Vec<u128>, EngineError>)>
where
    H: Fn(Phase, usize, &mut WireMsg<P>) + Send + Sync + Clone + 'static,
{
    let results = run_parties::<P, _, _, _>(n, 42, SessionOptions::default(), move |me, s| {
        play(me, s, hook.clone())
    })
    .await;
    honest(results)
}

#[tokio::test]
async fn honest_run_releases_the_product() {
    for n in [2, 3] {
        for (_, r) in run_with_hook(n, |_, _, _| {}).await {
            let expect: i128 = (2..2 + n as i128).product();
            let got = r.expect("honest run");
            assert_eq!(P::to_signed(got[0]), expect);
            assert_eq!(P::to_signed(got[1]), (-3i128).pow(n as u32));
        }
    }
}

#[tokio::test]
async fn input_broadcast_sent_differently_to_two_parties_is_caught() {
    // Party 1 owns an input and sends party 2 a different x - r than party 0.
    let results = run_with_hook(3, |ph, to, m| {
        if ph == Phase::Input
            && to == 2
            && let WireMsg::Input(v) = m
        {
            v[0] = P::add(v[0], 1);
        }
    })
    .await;
    for (i, r) in &results {
        assert!(
            matches!(reason(r), AbortReason::TranscriptMismatch { .. }),
            "party {i}: {r:?}"
        );
    }
}

#[tokio::test]
async fn an_altered_share_in_any_opening_is_caught() {
    for n in [2, 3] {
        for phase in [Phase::BeaverOpening, Phase::MaskedOpening] {
            for pos in [0usize, 1] {
                let results = run_with_hook(n, move |ph, _, m| {
                    if ph == phase
                        && let WireMsg::Opening(v) = m
                    {
                        v[pos] = P::add(v[pos], 1 << 7);
                    }
                })
                .await;
                for (i, r) in &results {
                    // With three parties the cheater's own transcript (what it meant to send)
                    // already differs from the honest ones; either way it is a typed abort.
                    let caught = match reason(r) {
                        AbortReason::MacCheckFailed { .. } => true,
                        AbortReason::TranscriptMismatch { party } => n > 2 && *party == CHEATER,
                        _ => false,
                    };
                    assert!(caught, "n={n} {phase} pos {pos} party {i}: {r:?}");
                }
            }
        }
    }
}

#[tokio::test]
async fn an_altered_mac_share_is_caught() {
    let results =
        run_parties::<P, _, _, _>(2, 43, SessionOptions::default(), |me, mut s| async move {
            let v = [P::from_i128(5)];
            let x = s.input(0, (me == 0).then_some(&v[..]), 1).await?;
            let x = if me == CHEATER {
                let (vals, mut macs) = x.shares().clone().into_parts();
                macs[0] = P::add(macs[0], 1 << 20);
                Secret::from_shares(AuthShares::from_parts(vals, macs).expect("same lengths"))
            } else {
                x
            };
            s.open(&x).await
        })
        .await;
    for r in &results {
        assert!(
            matches!(reason(r), AbortReason::MacCheckFailed { .. }),
            "{r:?}"
        );
    }
}

#[tokio::test]
async fn an_altered_z_or_commitment_opening_is_caught() {
    for n in [2, 3] {
        let results = run_with_hook(n, |ph, _, m| {
            if ph == Phase::ZOpen
                && let WireMsg::ZOpen { z, .. } = m
            {
                *z = P::add(*z, 1);
            }
        })
        .await;
        for (i, r) in &results {
            assert!(
                matches!(
                    reason(r),
                    AbortReason::CommitmentMismatch {
                        party: CHEATER,
                        what: "MAC check"
                    }
                ),
                "party {i}: {r:?}"
            );
        }
        let results = run_with_hook(n, |ph, _, m| {
            if ph == Phase::ZOpen
                && let WireMsg::ZOpen { nonce, .. } = m
            {
                nonce.0[3] ^= 1;
            }
        })
        .await;
        for (_, r) in &results {
            assert!(
                matches!(
                    reason(r),
                    AbortReason::CommitmentMismatch { party: CHEATER, .. }
                ),
                "{r:?}"
            );
        }
    }
}

#[tokio::test]
async fn an_altered_coin_seed_is_caught() {
    for n in [2, 3] {
        let results = run_with_hook(n, |ph, _, m| {
            if ph == Phase::CoinOpen
                && let WireMsg::CoinOpen { seed, .. } = m
            {
                seed[0] ^= 0x80;
            }
        })
        .await;
        for (_, r) in &results {
            assert!(
                matches!(
                    reason(r),
                    AbortReason::CommitmentMismatch {
                        party: CHEATER,
                        what: "coin seed"
                    }
                ),
                "{r:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_malformed_message_is_a_typed_abort() {
    let results = run_with_hook(2, |ph, _, m| {
        if ph == Phase::BeaverOpening {
            *m = WireMsg::Digest([0; 32]);
        }
    })
    .await;
    for (_, r) in &results {
        assert!(
            matches!(reason(r), AbortReason::Malformed { party: CHEATER, .. }),
            "{r:?}"
        );
    }
}

#[tokio::test]
async fn a_failed_session_reports_its_first_cause() {
    let results =
        run_parties::<P, _, _, _>(2, 44, SessionOptions::default(), |me, mut s| async move {
            if me == CHEATER {
                s.set_tamper_hook(|ph: Phase, _: usize, m: &mut WireMsg<P>| {
                    if ph == Phase::MaskedOpening
                        && let WireMsg::Opening(v) = m
                    {
                        v[0] = P::add(v[0], 1);
                    }
                });
            }
            let x = s.constant(&[P::from_i128(1)]);
            let first = s.open(&x).await;
            let second = s.mul(&x, &x).await;
            Ok((first.is_err(), second))
        })
        .await;
    let (first_failed, second) = results
        .into_iter()
        .next()
        .expect("party 0")
        .expect("harness");
    assert!(first_failed);
    match second {
        Err(EngineError::SessionFailed {
            cause: AbortCause::Protocol { reason, phase },
            ..
        }) => {
            assert!(matches!(reason, AbortReason::MacCheckFailed { .. }));
            assert_eq!(phase, Phase::ZOpen);
        }
        other => panic!("expected SessionFailed, got {other:?}"),
    }
}
