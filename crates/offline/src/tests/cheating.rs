//! Cheating parties: each test installs a hook on party 0 and checks that every honest
//! party aborts with a typed cause, that nothing is released, and that the key set is
//! retired.

use super::*;
use crate::error::{Cause, CheckKind};
use crate::{LocalPoint, TamperHook};
use spdz2k_ring::{K8S4, K32S32, K64S64};

/// Alters local values at one point: adds `delta` to element `index`.
struct AddLocal<W> {
    point: LocalPoint,
    index: usize,
    delta: W,
}
impl<P: HasCheckRing> TamperHook<P> for AddLocal<<P::Check as Params>::Word> {
    fn local(&mut self, _: u64, point: LocalPoint, values: &mut [<P::Check as Params>::Word]) {
        if point == self.point {
            values[self.index] = <P::Check as Params>::add(values[self.index], self.delta);
        }
    }
}

/// Flips bits of byte `byte` of part `part` of flight `flight` to peer `to` (any peer if None).
struct FlipByte {
    flight: u8,
    part: usize,
    to: Option<usize>,
    byte: usize,
    mask: u8,
}
impl<P: HasCheckRing> TamperHook<P> for FlipByte {
    fn message(&mut self, _: u64, flight: u8, to: usize, part: usize, bytes: &mut Vec<u8>) {
        if flight == self.flight && part == self.part && self.to.is_none_or(|t| t == to) {
            bytes[self.byte] ^= self.mask;
        }
    }
}

/// Every party other than the cheater (party 0) failed; returns their checks and causes.
fn honest_failures<P: HasCheckRing>(outs: &[Outcome<P>]) -> Vec<(CheckKind, Cause)> {
    outs.iter()
        .enumerate()
        .skip(1)
        .map(|(i, o)| match o {
            Outcome::Failed(e) => (e.check().unwrap(), e.cause().cloned().unwrap()),
            other => panic!("honest party {i} did not abort: {other:?}"),
        })
        .collect()
}

fn assert_retired<P: HasCheckRing>(keys: &mut [Keys<P>]) {
    for k in keys.iter_mut().skip(1) {
        assert!(k.retired().is_some());
        let err = Batch::start(k, BatchKind::Randoms(1)).unwrap_err();
        assert!(matches!(err, OfflineError::Retired { .. }), "{err}");
    }
}

fn c_error<P: HasCheckRing>(n: usize, delta: <P::Check as Params>::Word) -> Vec<Outcome<P>> {
    let mut keys = setup::<P>(n, 40);
    keys[0].set_tamper(Box::new(AddLocal {
        point: LocalPoint::TripleC,
        index: 0,
        delta,
    }));
    let outs = run_batch(&mut keys, BatchKind::Triples(4));
    assert_retired(&mut keys);
    outs
}

#[test]
fn an_error_in_c_fails_the_sacrifice() {
    type C = <K64S64 as HasCheckRing>::Check;
    for (n, v) in [(2, 0), (3, 63)] {
        let outs = c_error::<K64S64>(n, C::shl(C::from_u128(1), v));
        for (check, cause) in honest_failures(&outs) {
            assert!(
                check == CheckKind::Sacrifice || check == CheckKind::PeerAbort,
                "{check}: {cause}"
            );
        }
        assert!(
            matches!(outs[1], Outcome::Failed(ref e) if e.check() == Some(CheckKind::Sacrifice))
        );
    }
}

/// On the tiny ring (s = 4) an error of valuation 0 or k-1 in c passes the sacrifice with
/// probability 2^-4 (t = 0); measured over many runs, with a generous bound.
#[test]
fn a_c_error_passes_about_two_to_the_minus_s_of_the_time() {
    type C = <K8S4 as HasCheckRing>::Check;
    for v in [0, 7] {
        let trials = 400;
        let mut passed = 0;
        for trial in 0..trials as u64 {
            let mut keys = setup::<K8S4>(2, 1000 * v as u64 + trial);
            keys[0].set_tamper(Box::new(AddLocal {
                point: LocalPoint::TripleC,
                index: 0,
                delta: C::shl(C::from_u128(1), v),
            }));
            let outs = run_batch(&mut keys, BatchKind::Triples(1));
            if let Outcome::Done(..) = outs[1] {
                passed += 1;
            } else {
                assert!(
                    matches!(outs[1], Outcome::Failed(ref e) if e.check() == Some(CheckKind::Sacrifice))
                );
            }
        }
        // Expected 400 / 16 = 25.
        eprintln!("valuation {v}: the c error passed {passed} of {trials} sacrifices");
        assert!(
            (5..=60).contains(&passed),
            "valuation {v}: passed {passed} of {trials}"
        );
    }
}

/// A corrupted Gilboa d_h changes c_h by a_h * delta: the batch aborts exactly when the
/// receiver's bit is 1 (about half the time), and the a of the batches that pass stay
/// uniform (their low bit is balanced).
#[test]
fn a_corrupted_gilboa_message_is_a_selective_failure_that_leaves_passing_triples_uniform() {
    let trials = 160;
    let (mut aborted, mut odd, mut passed) = (0, 0, 0);
    for trial in 0..trials {
        let mut keys = setup::<K32S32>(2, 5000 + trial);
        let alpha = alpha(&keys);
        // Flight 1, part 1 is the Gilboa message: corrupt d_0 (triple 0, bit 0).
        keys[0].set_tamper(Box::new(FlipByte {
            flight: 1,
            part: 1,
            to: None,
            byte: 0,
            mask: 1,
        }));
        let outs = run_batch(&mut keys, BatchKind::Triples(2));
        match &outs[1] {
            Outcome::Failed(e) => {
                assert_eq!(e.check(), Some(CheckKind::Sacrifice), "{e}");
                aborted += 1;
            }
            Outcome::Done(..) => {
                let a = check_triples(done(outs).into_iter().map(|(m, _)| m).collect(), alpha);
                passed += 1;
                odd += (a[0] & 1) as usize;
            }
            Outcome::Waiting => panic!("party 1 neither finished nor failed"),
        }
    }
    eprintln!("corrupted d_h: aborted {aborted} of {trials}; a odd in {odd} of {passed} passing");
    assert!(
        (40..=120).contains(&aborted),
        "aborted {aborted} of {trials}"
    );
    assert!(
        odd * 10 >= passed * 2 && odd * 10 <= passed * 8,
        "odd a in {odd} of {passed}"
    );
}

#[test]
fn inconsistent_vole_rows_abort() {
    let mut keys = setup::<K64S64>(3, 50);
    // A row u where party 1's key bit is 1: there the inconsistency shows.
    let alpha1 = keys[1].mac_key_share().expose();
    let u = (0..64).find(|&u| (alpha1 >> u) & 1 == 1).unwrap();
    let e2 = <<K64S64 as HasCheckRing>::Check as Params>::BYTES;
    let byte = u * (5 * 4 + 1) * e2; // element 0 of row u
    keys[0].set_tamper(Box::new(FlipByte {
        flight: 3,
        part: 1,
        to: Some(1),
        byte,
        mask: 4,
    }));
    let outs = run_batch(&mut keys, BatchKind::Triples(4));
    let f = honest_failures(&outs);
    assert_eq!(f[0].0, CheckKind::VoleRows);
    assert_eq!(f[0].1, Cause::InconsistentRows { peer: 0, row: u });
    assert_eq!(
        f[1],
        (
            CheckKind::PeerAbort,
            Cause::PeerAborted {
                peer: 1,
                check: CheckKind::VoleRows
            }
        )
    );
    assert_retired(&mut keys);
}

#[test]
fn a_wrong_mac_on_rho_or_sigma_fails_the_mac_check() {
    type C = <K64S64 as HasCheckRing>::Check;
    for point in [LocalPoint::RhoMacs, LocalPoint::SigmaMacs] {
        let mut keys = setup::<K64S64>(3, 60);
        keys[0].set_tamper(Box::new(AddLocal {
            point,
            index: 1,
            delta: C::from_u128(1),
        }));
        let outs = run_batch(&mut keys, BatchKind::Triples(3));
        for (check, cause) in honest_failures(&outs) {
            assert_eq!(check, CheckKind::MacCheck, "{point:?}: {cause}");
        }
        assert_retired(&mut keys);
    }
}

#[test]
fn a_coin_seed_that_differs_from_its_commitment_aborts() {
    for (flight, kind) in [
        (2, BatchKind::Triples(2)),
        (4, BatchKind::Triples(2)),
        (1, BatchKind::Randoms(3)),
    ] {
        let mut keys = setup::<K32S32>(3, 70);
        keys[0].set_tamper(Box::new(FlipByte {
            flight,
            part: 0,
            to: None,
            byte: 5,
            mask: 1,
        }));
        let outs = run_batch(&mut keys, kind);
        for (check, cause) in honest_failures(&outs) {
            assert_eq!(check, CheckKind::CoinToss);
            assert_eq!(
                cause,
                Cause::Core(spdz2k_core::AbortReason::CommitmentMismatch {
                    party: 0,
                    what: "coin seed"
                })
            );
        }
        assert_retired(&mut keys);
    }
}

/// Party 0 sends party 2 a sigma share that differs only above bit k+s (so the sacrifice
/// still passes everywhere): the broadcast transcripts differ and the MAC check's first
/// round catches it.
#[test]
fn equivocation_is_caught_by_the_transcript() {
    let mut keys = setup::<K32S32>(3, 80);
    let e2 = <<K32S32 as HasCheckRing>::Check as Params>::BYTES;
    // Byte 8 of the first sigma element holds bits 64..71: above k+s = 64.
    assert_eq!(e2, 12);
    keys[0].set_tamper(Box::new(FlipByte {
        flight: 6,
        part: 0,
        to: Some(2),
        byte: 8,
        mask: 1,
    }));
    let outs = run_batch(&mut keys, BatchKind::Triples(2));
    for (check, cause) in honest_failures(&outs) {
        assert!(
            check == CheckKind::Transcript || check == CheckKind::PeerAbort,
            "{check}: {cause}"
        );
    }
    assert!(matches!(outs[1], Outcome::Failed(ref e) if e.check() == Some(CheckKind::Transcript)));
    assert_retired(&mut keys);
}

/// A non-canonical element in a VOLE message (a bit set above k+2s) is refused as
/// malformed, and the other honest party stops on the abort notice.
#[test]
fn a_malformed_vole_message_is_refused() {
    use spdz2k_ring::K66S48;
    let mut keys = setup::<K66S48>(3, 90);
    // K66S48's check ring Z_2^162 takes 21 bytes: bit 7 of byte 20 is above bit 162.
    assert_eq!(<<K66S48 as HasCheckRing>::Check as Params>::BYTES, 21);
    keys[0].set_tamper(Box::new(FlipByte {
        flight: 3,
        part: 1,
        to: Some(1),
        byte: 20,
        mask: 0x80,
    }));
    let outs = run_batch(&mut keys, BatchKind::Triples(2));
    let f = honest_failures(&outs);
    assert_eq!(f[0].0, CheckKind::Message, "{}", f[0].1);
    assert!(matches!(
        f[0].1,
        Cause::Malformed {
            peer: 0,
            what: "VOLE",
            ..
        }
    ));
    assert_eq!(f[1].0, CheckKind::PeerAbort);
    assert_retired(&mut keys);
}
