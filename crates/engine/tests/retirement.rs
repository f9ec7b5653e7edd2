//! A failed check retires the MAC key set before the abort is reported: a cheater who adds
//! errors to the top bits of openings learns about one key bit per abort, so it must get
//! exactly one abort per key set.

use spdz2k_core::{AbortReason, WireMsg};
use spdz2k_engine::{EngineError, Phase, Session, SessionOptions};
use spdz2k_prep::{
    FileStore, InsecureDealerSource, MemoryStore, PrepCounts, PrepError, Preprocessing,
    deal_insecure_files, retired_marker_path,
};
use spdz2k_ring::Params;
use spdz2k_testkit::cheating::{CHEATER, P, play};
use spdz2k_testkit::fresh_dealer_seed;
use spdz2k_testkit::mesh::{run_sessions, transports};

/// The cheater's probe: an error in bit k + s/2 of one Beaver opening. The check passes only
/// if chi * alpha = 0 mod 2^(s/2), so whether it aborts tells the cheater about alpha.
fn probe(phase: Phase, _to: usize, m: &mut WireMsg<P>) {
    if phase == Phase::BeaverOpening
        && let WireMsg::Opening(v) = m
    {
        v[0] = P::add(v[0], 1u128 << (P::K + P::S / 2));
    }
}

/// Runs one tampered session of two parties over `preps`; returns each party's result.
async fn run_tampered<Pr: Preprocessing<P> + 'static>(
    sid: &str,
    preps: Vec<Pr>,
) -> Vec<Result<Vec<u128>, EngineError>> {
    run_sessions(sid, preps, SessionOptions::default(), |me, s| {
        play(me, s, probe)
    })
    .await
}

fn is_retired(e: &EngineError) -> bool {
    matches!(
        e,
        EngineError::Prep {
            source: PrepError::Retired { .. },
            ..
        }
    )
}

#[tokio::test]
async fn after_a_failed_mac_check_the_file_cannot_be_opened_again() {
    let dir = tempfile::tempdir().unwrap();
    let files = deal_insecure_files::<P>(
        dir.path(),
        2,
        &PrepCounts::uniform(2, 16),
        fresh_dealer_seed(1),
    )
    .unwrap();
    let stores: Vec<_> = (0..2)
        .map(|i| FileStore::<P>::open(&files[i], i, 2).unwrap())
        .collect();
    let results = run_tampered("retire-file", stores).await;
    for (i, r) in results.iter().enumerate() {
        match r {
            Err(EngineError::Aborted {
                reason: AbortReason::MacCheckFailed { .. },
                ..
            }) => {}
            other => panic!("party {i}: expected a failed MAC check, got {other:?}"),
        }
    }
    for (i, f) in files.iter().enumerate() {
        assert!(retired_marker_path(f).exists(), "party {i}: no marker");
        let err = FileStore::<P>::open(f, i, 2).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, PrepError::Retired { .. }), "{err:?}");
        assert!(
            text.contains("session retire-file")
                && text.contains("MAC check failed")
                && text.contains("generate fresh preprocessing"),
            "party {i}: {text}"
        );
    }
}

#[tokio::test]
async fn a_cheater_probing_the_key_is_stopped_at_the_first_failure() {
    let seed = fresh_dealer_seed(2);
    let mut failed_sessions = 0;
    let mut refused = 0;
    for attempt in 0..12 {
        let sid = format!("probe-{attempt}");
        let preps: Result<Vec<_>, _> = (0..2)
            .map(|i| InsecureDealerSource::<P>::new(i, 2, seed))
            .collect();
        let preps = match preps {
            Ok(p) => p,
            Err(e) => {
                assert!(matches!(e, PrepError::Retired { .. }), "{e:?}");
                assert!(e.to_string().contains("session probe-"), "{e}");
                refused += 1;
                continue;
            }
        };
        assert_eq!(
            failed_sessions, 0,
            "a session ran after the key set failed a check"
        );
        let results = run_tampered(&sid, preps).await;
        if results.iter().any(Result::is_err) {
            failed_sessions += 1;
            for (i, r) in results.iter().enumerate() {
                assert!(
                    i == CHEATER || r.is_err(),
                    "honest party {i} released a value: {r:?}"
                );
            }
        }
    }
    assert_eq!(failed_sessions, 1, "the probe must fail once and only once");
    assert!(refused >= 1, "every attempt after the failure is refused");
}

#[tokio::test]
async fn a_copy_of_material_whose_key_set_failed_is_refused_at_session_start() {
    let counts = PrepCounts::uniform(2, 16);
    let stores = MemoryStore::<P>::deal_insecure(2, fresh_dealer_seed(3), &counts).unwrap();
    let copies = stores.clone();
    let results = run_tampered("retire-memory", stores).await;
    assert!(results.iter().all(Result::is_err));
    for (i, (t, prep)) in transports(2, "retire-memory-again")
        .into_iter()
        .zip(copies)
        .enumerate()
    {
        let err = Session::new(t, prep, SessionOptions::default()).expect_err("refused");
        assert!(is_retired(&err), "party {i}: {err:?}");
        assert!(err.to_string().contains("retire-memory"), "{err}");
    }
}
