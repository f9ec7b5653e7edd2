//! The session-start agreement on preprocessing, over the in-memory mesh: material that does
//! not belong together is refused on every side before anything is used; cursors that
//! differ (a crash, a restored file) are resolved by skipping to the furthest one, so no
//! item is used twice; a run that needs more than some party has is refused up front.

use spdz2k_engine::{EngineError, Session, SessionOptions};
use spdz2k_prep::{
    FileStore, InsecureDealerSource, PrepCounts, PrepError, PrepKind, Preprocessing,
    deal_insecure_files, state_path,
};
use spdz2k_ring::{K32S32, K64S64, Params};
use spdz2k_testkit::mesh::{run_sessions, transports};
use std::path::{Path, PathBuf};

type P = K64S64;
type Prep = Box<dyn Preprocessing<P>>;

fn counts() -> PrepCounts {
    PrepCounts::uniform(2, 20)
}

fn deal(dir: &Path, seed: u8) -> Vec<PathBuf> {
    deal_insecure_files::<P>(dir, 2, &counts(), [seed; 32]).unwrap()
}

fn file(path: &Path, party: usize) -> Prep {
    Box::new(FileStore::<P>::open(path, party, 2).unwrap())
}

fn consumed(path: &Path, party: usize) -> PrepCounts {
    FileStore::<P>::open(path, party, 2)
        .unwrap()
        .consumed()
        .clone()
}

/// Every party agrees with `needed`, then (if that passed) computes 3*3 on 4 values and
/// opens it. Returns each party's agreement result and, on success, the opened values.
async fn session(
    preps: Vec<Prep>,
    needed: PrepCounts,
) -> Vec<Result<(PrepCounts, Vec<i128>, u64), EngineError>> {
    run_sessions("pairing", preps, SessionOptions::default(), |_, mut s| {
        let needed = needed.clone();
        async move {
            let discarded = s.agree(&needed).await?;
            let x = s.constant(&[P::from_i128(3); 4]);
            let y = s.mul(&x, &x).await?;
            let out = s.open_signed(&y).await?;
            let report = s.finish().await?;
            Ok((discarded, out, report.prep_discarded))
        }
    })
    .await
}

fn unpaired(r: &Result<(PrepCounts, Vec<i128>, u64), EngineError>) -> (&'static str, String) {
    match r {
        Err(EngineError::Prep {
            source: source @ PrepError::Unpaired { field, .. },
            ..
        }) => (field, source.to_string()),
        other => panic!("expected a pairing refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn files_of_one_deal_pair_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let f = deal(dir.path(), 1);
    let res = session(vec![file(&f[0], 0), file(&f[1], 1)], PrepCounts::zero(2)).await;
    for r in res {
        let (discarded, out, reported) = r.unwrap();
        assert_eq!((discarded.sum(), out, reported), (0, vec![9; 4], 0));
    }
}

#[tokio::test]
async fn files_from_two_deals_are_refused_before_use() {
    let dir = tempfile::tempdir().unwrap();
    // Even with the same seed: two deals have two deal IDs and two cursor histories.
    let a = deal(&dir.path().join("a"), 1);
    let b = deal(&dir.path().join("b"), 1);
    let res = session(vec![file(&a[0], 0), file(&b[1], 1)], PrepCounts::zero(2)).await;
    let deal_a = spdz2k_prep::read_header(&a[0]).unwrap().deal.to_string();
    let deal_b = spdz2k_prep::read_header(&b[1]).unwrap().deal.to_string();
    for r in &res {
        let (field, msg) = unpaired(r);
        assert_eq!(field, "deal");
        assert!(msg.contains(&deal_a) && msg.contains(&deal_b), "{msg}");
        assert!(
            msg.contains("deal-insecure") && msg.contains("nothing was used"),
            "{msg}"
        );
    }
    assert_eq!(
        consumed(&a[0], 0),
        PrepCounts::zero(2),
        "cursor did not move"
    );
    assert_eq!(
        consumed(&b[1], 1),
        PrepCounts::zero(2),
        "cursor did not move"
    );
}

#[tokio::test]
async fn files_from_different_seeds_are_refused_before_use() {
    let dir = tempfile::tempdir().unwrap();
    let a = deal(&dir.path().join("a"), 1);
    let b = deal(&dir.path().join("b"), 2);
    let res = session(vec![file(&a[0], 0), file(&b[1], 1)], PrepCounts::zero(2)).await;
    let key_a = spdz2k_prep::read_header(&a[0]).unwrap().key_set.to_string();
    let key_b = spdz2k_prep::read_header(&b[1]).unwrap().key_set.to_string();
    for r in &res {
        let (field, msg) = unpaired(r);
        assert_eq!(field, "MAC key set");
        assert!(msg.contains(&key_a) && msg.contains(&key_b), "{msg}");
    }
    assert_eq!(consumed(&a[0], 0), PrepCounts::zero(2));
    assert_eq!(consumed(&b[1], 1), PrepCounts::zero(2));
}

#[tokio::test]
async fn a_file_on_one_side_and_a_seed_on_the_other_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let f = deal(dir.path(), 1);
    // Same seed, so the same key set: only the deal tells them apart.
    let seed: Prep = Box::new(InsecureDealerSource::<P>::new(1, 2, [1; 32]).unwrap());
    let res = session(vec![file(&f[0], 0), seed], PrepCounts::zero(2)).await;
    for r in &res {
        let (field, msg) = unpaired(r);
        assert_eq!(field, "deal");
        assert!(
            msg.contains("from a file") && msg.contains("from an insecure dealer seed"),
            "{msg}"
        );
    }
    assert_eq!(consumed(&f[0], 0), PrepCounts::zero(2));
}

#[tokio::test]
async fn other_parameters_are_refused() {
    // The TLS handshake agrees on parameters too; the agreement does not rely on it.
    let mut mesh = transports(2, "pairing").into_iter();
    let (t0, t1) = (mesh.next().unwrap(), mesh.next().unwrap());
    let a = tokio::spawn(async move {
        let prep = InsecureDealerSource::<P>::new(0, 2, [1; 32]).unwrap();
        let mut s = Session::new(t0, prep, SessionOptions::default())?;
        s.agree(&PrepCounts::zero(2)).await
    });
    let b = tokio::spawn(async move {
        let prep = InsecureDealerSource::<K32S32>::new(1, 2, [1; 32]).unwrap();
        let mut s = Session::new(t1, prep, SessionOptions::default())?;
        s.agree(&PrepCounts::zero(2)).await
    });
    for msg in [
        a.await.unwrap().unwrap_err().to_string(),
        b.await.unwrap().unwrap_err().to_string(),
    ] {
        assert!(msg.contains("parameters (k, s) differs"), "{msg}");
        assert!(msg.contains("64") && msg.contains("32"), "{msg}");
    }
}

/// A party that reserved items and then died (here: took them and never used them) leaves
/// its cursor ahead; the next session skips every party to it and counts the discarded.
#[tokio::test]
async fn a_party_ahead_after_a_crash_makes_everyone_skip() {
    let dir = tempfile::tempdir().unwrap();
    let f = deal(dir.path(), 1);
    {
        let mut s = FileStore::<P>::open(&f[0], 0, 2).unwrap();
        s.triples(6).unwrap();
        s.open_masks(1).unwrap();
    }
    let res = session(vec![file(&f[0], 0), file(&f[1], 1)], PrepCounts::zero(2)).await;
    let (d0, out0, _) = res[0].as_ref().unwrap();
    let (d1, out1, reported) = res[1].as_ref().unwrap();
    assert_eq!((out0, out1), (&vec![9; 4], &vec![9; 4]), "items paired up");
    assert_eq!(d0.sum(), 0);
    assert_eq!((d1.triples, d1.open_masks, d1.sum()), (6, 1, 7));
    assert_eq!(
        *reported, 7,
        "the session report counts the discarded items"
    );
    assert_eq!(consumed(&f[0], 0), consumed(&f[1], 1));
    assert_eq!(consumed(&f[1], 1).triples, 10);
}

/// One party's file and state file are restored from a backup taken before a session: its
/// cursors are behind; the peers' are not, so everyone skips to theirs.
#[tokio::test]
async fn a_backup_restored_on_one_side_is_skipped_past() {
    let dir = tempfile::tempdir().unwrap();
    let f = deal(dir.path(), 1);
    let backup = dir.path().join("backup");
    std::fs::create_dir(&backup).unwrap();
    let _ = session(vec![file(&f[0], 0), file(&f[1], 1)], PrepCounts::zero(2)).await;
    let save = |p: &Path| {
        for src in [p.to_path_buf(), state_path(p)] {
            std::fs::copy(&src, backup.join(src.file_name().unwrap())).unwrap();
        }
    };
    save(&f[1]);
    let first = session(vec![file(&f[0], 0), file(&f[1], 1)], PrepCounts::zero(2)).await;
    assert!(first.iter().all(Result::is_ok));
    let before_restore = consumed(&f[0], 0);
    for src in [f[1].clone(), state_path(&f[1])] {
        std::fs::copy(backup.join(src.file_name().unwrap()), &src).unwrap();
    }
    assert!(consumed(&f[1], 1).triples < before_restore.triples);
    let res = session(vec![file(&f[0], 0), file(&f[1], 1)], PrepCounts::zero(2)).await;
    let (d1, out, _) = res[1].as_ref().unwrap();
    assert_eq!(out, &vec![9; 4], "no item paired with a used one");
    assert_eq!(d1.triples, 4);
    assert!(res[0].as_ref().unwrap().0.sum() == 0);
    assert_eq!(consumed(&f[1], 1), consumed(&f[0], 0));
    assert_eq!(consumed(&f[0], 0).triples, before_restore.triples + 4);
}

#[tokio::test]
async fn a_run_needing_more_than_a_party_has_is_refused_with_the_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let f = deal(dir.path(), 1);
    {
        // P1 lost 15 triples in a crash: after skipping, every party has 5 left.
        let mut s = FileStore::<P>::open(&f[1], 1, 2).unwrap();
        s.triples(15).unwrap();
    }
    let needed = PrepCounts {
        triples: 8,
        ..PrepCounts::zero(2)
    };
    let res = session(vec![file(&f[0], 0), file(&f[1], 1)], needed).await;
    for r in &res {
        match r {
            Err(EngineError::Prep {
                source:
                    e @ PrepError::PartyShort {
                        party: 0,
                        kind: PrepKind::Triples,
                        needed: 8,
                        available: 5,
                    },
                ..
            }) => assert!(e.to_string().contains("before any input"), "{e}"),
            other => panic!("expected a shortfall, got {other:?}"),
        }
    }
    assert_eq!(
        consumed(&f[0], 0),
        PrepCounts::zero(2),
        "nothing skipped or used"
    );
    assert_eq!(consumed(&f[1], 1).triples, 15);
}

#[tokio::test]
async fn the_agreement_runs_by_itself_before_the_first_use() {
    let dir = tempfile::tempdir().unwrap();
    let a = deal(&dir.path().join("a"), 1);
    let b = deal(&dir.path().join("b"), 1);
    let stores = vec![
        FileStore::<P>::open(&a[0], 0, 2).unwrap(),
        FileStore::<P>::open(&b[1], 1, 2).unwrap(),
    ];
    let results = run_sessions(
        "pairing",
        stores,
        SessionOptions::default(),
        |i, mut s| async move {
            s.input_signed(0, (i == 0).then_some(&[5][..]), 1)
                .await
                .map(|_| ())
        },
    )
    .await;
    for r in results {
        let err = r.unwrap_err();
        assert!(err.to_string().contains("the deal differs"), "{err}");
    }
    assert_eq!(consumed(&a[0], 0), PrepCounts::zero(2));
    assert_eq!(consumed(&b[1], 1), PrepCounts::zero(2));
}

/// Three parties with material in memory, each at a different cursor: all skip to the
/// furthest, per kind, and compute correctly.
#[tokio::test]
async fn three_parties_skip_to_the_furthest_cursor_per_kind() {
    let mut stores =
        spdz2k_prep::MemoryStore::<P>::deal_insecure(3, [4; 32], &PrepCounts::uniform(3, 30))
            .unwrap();
    stores[0].triples(5).unwrap();
    stores[1].triples(2).unwrap();
    stores[1].open_masks(3).unwrap();
    stores[2].input_masks(1, 4).unwrap();
    let preps: Vec<Prep> = stores.into_iter().map(|s| Box::new(s) as Prep).collect();
    let res = session(preps, PrepCounts::zero(3)).await;
    let discarded: Vec<PrepCounts> = res
        .into_iter()
        .map(|r| {
            let (d, out, _) = r.unwrap();
            assert_eq!(out, vec![9; 4]);
            d
        })
        .collect();
    assert_eq!(
        discarded[0],
        PrepCounts {
            triples: 0,
            randoms: 0,
            open_masks: 3,
            input_masks: vec![0, 4, 0]
        }
    );
    assert_eq!(
        discarded[1],
        PrepCounts {
            triples: 3,
            randoms: 0,
            open_masks: 0,
            input_masks: vec![0, 4, 0]
        }
    );
    assert_eq!(
        discarded[2],
        PrepCounts {
            triples: 5,
            randoms: 0,
            open_masks: 3,
            input_masks: vec![0, 0, 0]
        }
    );
}
