//! The batched MAC check driven for n = 2, 3 and 5 parties in one process: honest batches
//! pass; an error with 2-adic valuation below k added by one party to any opened value or
//! any MAC share is caught; wrong commitment openings are caught; coins are fresh per check.

use proptest::prelude::*;
use spdz2k_core::{
    AbortReason, AwaitingZCommits, CommitContext, InsecureDealer, PendingLog, SessionId, WireMsg,
    reconstruct, rng::seeded_rng, start_mac_check,
};
use spdz2k_ring::{K32S32, K64S64, K66S48, K128S64, Params, Word};

/// Where a test party cheats.
#[derive(Clone, Copy, Debug)]
enum Tamper {
    None,
    /// Some party adds `delta` to its share of opened value `pos`, so everyone opens x + delta.
    Opening {
        pos: usize,
        delta: u128,
        shift: u32,
    },
    /// Party `party` adds `delta` to its MAC share of opened value `pos`.
    Mac {
        party: usize,
        pos: usize,
        delta: u128,
        shift: u32,
    },
    /// Party `party` sends a different opening of its commitment in round `round` (2 or 4).
    CommitOpening {
        party: usize,
        round: usize,
    },
    /// Party `party` reports a different broadcast transcript.
    Transcript {
        party: usize,
    },
}

/// The commitment context of check `check` of the test session.
fn ctx(check: u64) -> CommitContext {
    CommitContext::new(&SessionId::new("mac-check-test").unwrap(), check)
}

/// An error of 2-adic valuation exactly `shift` (< k): an odd number shifted left.
fn error_word<P: Params>(delta: u128, shift: u32) -> P::Word {
    P::shl(P::from_u128(delta | 1), shift)
}

/// Shares `len` random values among `n` parties, builds every party's log with `tamper`
/// applied, then runs the check. Returns each party's verdict and the coins of the check.
fn run<P: Params>(
    n: usize,
    len: usize,
    seed: u8,
    tamper: Tamper,
) -> (Vec<Result<usize, AbortReason>>, [u8; 32]) {
    let mut d = InsecureDealer::<P>::new(n, [seed; 32]);
    let (_, shares) = d.randoms(len);
    let mut opened = reconstruct(&shares);
    let mut macs: Vec<Vec<P::Word>> = shares.iter().map(|s| s.macs().to_vec()).collect();
    match tamper {
        Tamper::Opening { pos, delta, shift } => {
            // A party adding delta to its broadcast share shifts the opened value for everyone.
            opened[pos] = P::add(opened[pos], error_word::<P>(delta, shift));
        }
        Tamper::Mac {
            party,
            pos,
            delta,
            shift,
        } => {
            macs[party][pos] = P::add(macs[party][pos], error_word::<P>(delta, shift));
        }
        _ => {}
    }
    let mut rng = seeded_rng([seed.wrapping_add(1); 32]);
    let mut states = Vec::new();
    let mut msgs = Vec::new();
    for (i, m) in macs.iter().enumerate() {
        let mut log = PendingLog::new();
        log.push(&opened, m);
        let mut transcript = [3u8; 32];
        if matches!(tamper, Tamper::Transcript { party } if party == i) {
            transcript[0] ^= 1;
        }
        let (s, msg) = start_mac_check(i, n, d.mac_key_share(i), log, transcript, ctx(0), &mut rng);
        states.push(s);
        msgs.push(msg);
    }
    let view = |msgs: &[WireMsg<P>], me: usize| -> Vec<Option<WireMsg<P>>> {
        msgs.iter()
            .enumerate()
            .map(|(j, m)| (j != me).then(|| m.clone()))
            .collect()
    };
    let corrupt = |msgs: &mut Vec<WireMsg<P>>, round: usize| {
        if let Tamper::CommitOpening { party, round: r } = tamper
            && r == round
        {
            match &mut msgs[party] {
                WireMsg::CoinOpen { seed, .. } => seed[0] ^= 1,
                WireMsg::ZOpen { z, .. } => *z = P::add(*z, P::from_u128(1)),
                _ => unreachable!("round {round} carries an opening"),
            }
        }
    };
    let mut verdicts: Vec<Option<Result<usize, AbortReason>>> = vec![None; n];
    // Round 1 -> 2.
    let mut next_states = Vec::new();
    let mut next_msgs = Vec::new();
    for (i, s) in states.into_iter().enumerate() {
        match s.receive(&view(&msgs, i)) {
            Ok((s, m)) => {
                next_states.push(Some(s));
                next_msgs.push(m);
            }
            Err(e) => {
                verdicts[i] = Some(Err(e));
                next_states.push(None);
                next_msgs.push(WireMsg::Digest([0; 32]));
            }
        }
    }
    if verdicts.iter().any(Option::is_some) {
        return (
            verdicts.into_iter().map(|v| v.unwrap_or(Ok(0))).collect(),
            [0; 32],
        );
    }
    corrupt(&mut next_msgs, 2);
    let msgs = next_msgs;
    let mut s3: Vec<Option<AwaitingZCommits<P>>> = Vec::new();
    let mut m3 = Vec::new();
    for (i, s) in next_states.into_iter().enumerate() {
        match s.expect("no abort in round 1").receive(&view(&msgs, i)) {
            Ok((s, m)) => {
                s3.push(Some(s));
                m3.push(m);
            }
            Err(e) => {
                verdicts[i] = Some(Err(e));
                s3.push(None);
                m3.push(WireMsg::Digest([0; 32]));
            }
        }
    }
    let coins = s3
        .iter()
        .flatten()
        .map(|s| s.coins())
        .next()
        .unwrap_or([0; 32]);
    let mut s4 = Vec::new();
    let mut m4 = Vec::new();
    for (i, s) in s3.into_iter().enumerate() {
        match s.map(|s| s.receive(&view(&m3, i))) {
            Some(Ok((s, m))) => {
                s4.push(Some(s));
                m4.push(m);
            }
            Some(Err(e)) => {
                verdicts[i] = Some(Err(e));
                s4.push(None);
                m4.push(WireMsg::Digest([0; 32]));
            }
            None => {
                s4.push(None);
                m4.push(WireMsg::Digest([0; 32]));
            }
        }
    }
    corrupt(&mut m4, 4);
    for (i, s) in s4.into_iter().enumerate() {
        if let Some(s) = s {
            verdicts[i] = Some(s.receive(&view(&m4, i)));
        }
    }
    (
        verdicts
            .into_iter()
            .map(|v| v.expect("every party has a verdict"))
            .collect(),
        coins,
    )
}

fn all_abort(verdicts: &[Result<usize, AbortReason>], honest_except: Option<usize>) -> bool {
    verdicts
        .iter()
        .enumerate()
        .all(|(i, v)| Some(i) == honest_except || v.is_err())
}

macro_rules! mac_check_tests {
    ($($m:ident: $p:ty),*) => {$(
        mod $m {
            use super::*;
            type P = $p;

            #[test]
            fn honest_batches_pass() {
                for n in [2, 3, 5] {
                    for len in [0, 1, 100] {
                        let (v, _) = run::<P>(n, len, 1, Tamper::None);
                        assert!(v.iter().all(|r| *r == Ok(len)), "n={n} len={len}: {v:?}");
                    }
                }
            }

            proptest! {
                #![proptest_config(ProptestConfig::with_cases(64))]
                #[test]
                fn an_error_in_an_opened_value_is_caught(
                    n in prop::sample::select(vec![2usize, 3, 5]),
                    len in 1usize..40, pos in any::<prop::sample::Index>(),
                    delta in any::<u128>(), shift in 0..<P as Params>::K, seed in any::<u8>(),
                ) {
                    let t = Tamper::Opening { pos: pos.index(len), delta, shift };
                    let (v, _) = run::<P>(n, len, seed, t);
                    prop_assert!(all_abort(&v, None), "{:?}: {:?}", t, v);
                    let all_failed = v.iter().all(|r| matches!(r, Err(AbortReason::MacCheckFailed { .. })));
                    prop_assert!(all_failed, "{:?}: {:?}", t, v);
                }

                #[test]
                fn an_error_in_a_mac_share_is_caught(
                    n in prop::sample::select(vec![2usize, 3, 5]),
                    len in 1usize..40, pos in any::<prop::sample::Index>(),
                    party in any::<prop::sample::Index>(), delta in any::<u128>(),
                    shift in 0..<P as Params>::K, seed in any::<u8>(),
                ) {
                    let t = Tamper::Mac { party: party.index(n), pos: pos.index(len), delta, shift };
                    let (v, _) = run::<P>(n, len, seed, t);
                    let all_failed = v.iter().all(|r| matches!(r, Err(AbortReason::MacCheckFailed { .. })));
                    prop_assert!(all_failed, "{:?}: {:?}", t, v);
                }
            }

            #[test]
            fn wrong_commitment_openings_are_caught() {
                for n in [2, 3, 5] {
                    for round in [2, 4] {
                        let cheater = n - 1;
                        let (v, _) = run::<P>(n, 10, 7, Tamper::CommitOpening { party: cheater, round });
                        for (i, r) in v.iter().enumerate() {
                            if i != cheater {
                                assert!(
                                    matches!(r, Err(AbortReason::CommitmentMismatch { party, .. }) if *party == cheater),
                                    "n={n} round={round} party {i}: {r:?}"
                                );
                            }
                        }
                    }
                }
            }

            #[test]
            fn a_different_broadcast_transcript_is_caught() {
                let (v, _) = run::<P>(3, 4, 2, Tamper::Transcript { party: 1 });
                assert!(matches!(v[0], Err(AbortReason::TranscriptMismatch { party: 1 })));
                assert!(matches!(v[2], Err(AbortReason::TranscriptMismatch { party: 1 })));
            }

            #[test]
            fn coins_differ_from_one_check_to_the_next() {
                let (_, c1) = run::<P>(2, 4, 1, Tamper::None);
                let (_, c2) = run::<P>(2, 4, 2, Tamper::None);
                assert_ne!(c1, c2);
                assert_ne!(c1, [0; 32]);
            }
        }
    )*};
}

mac_check_tests!(k32s32: K32S32, k64s64: K64S64, k66s48: K66S48, k128s64: K128S64);

#[test]
fn coins_are_fresh_even_with_the_same_log() {
    // Two checks over identical logs: each party's seed comes from a fresh CSPRNG draw.
    let mut d = InsecureDealer::<K64S64>::new(2, [1; 32]);
    let (_, shares) = d.randoms(3);
    let opened = reconstruct(&shares);
    let mut coins = vec![];
    for _ in 0..2 {
        let mut rng = spdz2k_core::rng::secure_rng();
        let mut states = vec![];
        let mut msgs = vec![];
        for (i, s) in shares.iter().enumerate() {
            let mut log = PendingLog::new();
            log.push(&opened, s.macs());
            let (st, m) = start_mac_check(i, 2, d.mac_key_share(i), log, [0; 32], ctx(0), &mut rng);
            states.push(st);
            msgs.push(m);
        }
        let (a, am) = states
            .remove(0)
            .receive(&[None, Some(msgs[1].clone())])
            .unwrap();
        let (b, bm) = states
            .remove(0)
            .receive(&[Some(msgs[0].clone()), None])
            .unwrap();
        let (a, _) = a.receive(&[None, Some(bm)]).unwrap();
        let (b, _) = b.receive(&[Some(am), None]).unwrap();
        assert_eq!(a.coins(), b.coins(), "both parties derive the same coins");
        coins.push(a.coins());
    }
    assert_ne!(coins[0], coins[1]);
    let _ = <u128 as Word>::ZERO;
}

#[test]
fn a_commitment_from_another_check_or_session_is_refused() {
    let other_session = CommitContext::new(&SessionId::new("another-session").unwrap(), 1);
    for foreign in [ctx(0), other_session] {
        // Party 1's messages of a check under `foreign`, replayed into check 1 of the test
        // session: the coin-seed commitment opens, but not in this check's context.
        let mut d = InsecureDealer::<K64S64>::new(2, [4; 32]);
        let (_, shares) = d.randoms(2);
        let opened = reconstruct(&shares);
        let log = |i: usize| {
            let mut l = PendingLog::new();
            l.push(&opened, shares[i].macs());
            l
        };
        let mut rng = seeded_rng([5; 32]);
        let (old1, old_commit) =
            start_mac_check(1, 2, d.mac_key_share(1), log(1), [0; 32], foreign, &mut rng);
        let (old0, old_commit0) =
            start_mac_check(0, 2, d.mac_key_share(0), log(0), [0; 32], foreign, &mut rng);
        let (_, old_open) = old1.receive(&[Some(old_commit0), None]).unwrap();
        drop(old0);

        let (now0, _) =
            start_mac_check(0, 2, d.mac_key_share(0), log(0), [0; 32], ctx(1), &mut rng);
        let (now0, _) = now0.receive(&[None, Some(old_commit)]).unwrap();
        let err = now0.receive(&[None, Some(old_open)]).expect_err("refused");
        assert_eq!(
            err,
            AbortReason::CommitmentMismatch {
                party: 1,
                what: "coin seed"
            }
        );
    }
}
