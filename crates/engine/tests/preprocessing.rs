//! Preprocessing errors reach the caller clearly: exhausted material names the kind and the
//! counts, material for another party is refused, and consumed material is not reused.

use spdz2k_engine::{EngineError, Session, SessionOptions};
use spdz2k_prep::{
    FileStore, InsecureDealerSource, PrepCounts, PrepError, Preprocessing, deal_insecure_files,
};
use spdz2k_ring::{K64S64, Params};
use spdz2k_testkit::mesh::{run_sessions, transports};

type P = K64S64;

const SID: &str = "prep-test";

fn stores(files: &[std::path::PathBuf]) -> Vec<FileStore<P>> {
    (0..files.len())
        .map(|i| FileStore::<P>::open(&files[i], i, files.len()).unwrap())
        .collect()
}

#[tokio::test]
async fn exhausted_material_names_the_kind_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let counts = PrepCounts {
        triples: 3,
        randoms: 0,
        open_masks: 4,
        input_masks: vec![4, 4],
    };
    let files = deal_insecure_files::<P>(dir.path(), 2, &counts, [5; 32]).unwrap();
    let results = run_sessions(
        SID,
        stores(&files),
        SessionOptions::default(),
        |_, mut s| async move {
            let mut needed = PrepCounts::uniform(2, 0);
            needed.triples = 5;
            let shortfall = s.ensure_available(&needed).unwrap_err().to_string();
            let x = s.constant(&[P::from_i128(2); 5]);
            let err = s.mul(&x, &x).await.unwrap_err();
            Ok::<_, EngineError>((shortfall, err))
        },
    )
    .await;
    for r in results {
        let (shortfall, err) = r.unwrap();
        assert!(
            shortfall.contains("triples") && shortfall.contains('5') && shortfall.contains('3'),
            "{shortfall}"
        );
        match &err {
            EngineError::Prep {
                source:
                    PrepError::Exhausted {
                        requested: 5,
                        available: 3,
                        ..
                    },
                ..
            } => {}
            other => panic!("expected exhausted triples, got {other:?}"),
        }
        let text = err.to_string();
        assert!(
            text.contains("triples") && text.contains("prep-test"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn material_for_another_party_is_refused() {
    let mut t = transports(2, SID);
    let t1 = t.pop().unwrap();
    let prep = InsecureDealerSource::<P>::new(0, 2, [1; 32]).unwrap();
    let err = Session::new(t1, prep, SessionOptions::default()).expect_err("refused");
    let text = err.to_string();
    assert!(
        text.contains("party 0") && text.contains("party 1"),
        "{text}"
    );
}

#[tokio::test]
async fn consumed_file_material_is_not_handed_out_again() {
    let dir = tempfile::tempdir().unwrap();
    let counts = PrepCounts::uniform(2, 8);
    let files = deal_insecure_files::<P>(dir.path(), 2, &counts, [6; 32]).unwrap();
    let run = |files: Vec<std::path::PathBuf>| async move {
        run_sessions(
            SID,
            stores(&files),
            SessionOptions::default(),
            |_, mut s| async move {
                let x = s.constant(&[P::from_i128(3); 4]);
                let y = s.mul(&x, &x).await?;
                let out = s.open(&y).await?;
                let left = s.available();
                s.finish().await?;
                Ok::<_, EngineError>((out, left))
            },
        )
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect::<Vec<_>>()
    };
    let first = run(files.clone()).await;
    assert_eq!(first[0].0, vec![9; 4]);
    assert_eq!(first[0].1.triples, 4);
    // A second session on the same files continues after the consumed items...
    let second = run(files.clone()).await;
    assert_eq!(second[0].1.triples, 0);
    // ...and a third finds the triples exhausted rather than reusing any.
    let third = stores(&files);
    assert!(third.iter().all(|s| s.available().triples == 0));
    let results = run_sessions(
        SID,
        third,
        SessionOptions::default(),
        |_, mut s| async move {
            let x = s.constant(&[P::from_i128(3)]);
            s.mul(&x, &x).await.map(|_| ())
        },
    )
    .await;
    for r in results {
        let err = r.unwrap_err();
        assert!(
            matches!(
                err,
                EngineError::Prep {
                    source: PrepError::Exhausted { .. },
                    ..
                }
            ),
            "{err:?}"
        );
    }
}
