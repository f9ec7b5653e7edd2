//! The file store against the dealer: round trips, refusals, exhaustion, persistence.

use spdz2k_core::{AuthShares, KeySetId, macs_consistent, reconstruct};
use spdz2k_prep::{
    FileStore, InsecureDealerSource, PrepCounts, PrepError, PrepKind, Preprocessing,
    deal_insecure_files, read_header, state_path,
};
use spdz2k_ring::{K32S32, K64S64, K66S48, K128S64, Params};
use std::path::Path;

mod common;
use common::{SEED, counts, deal};

fn flip_byte(path: &Path, offset: u64) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[offset as usize] ^= 0x01;
    std::fs::write(path, bytes).unwrap();
}

fn round_trip<P: Params>(n: usize) {
    let (_dir, paths) = deal::<P>(n);
    assert_eq!(paths.len(), n);
    let mut stores: Vec<FileStore<P>> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| FileStore::open(p, i, n).unwrap())
        .collect();
    let mut dealers: Vec<InsecureDealerSource<P>> = (0..n)
        .map(|i| InsecureDealerSource::new(i, n, SEED).unwrap())
        .collect();
    let alpha = stores.iter().fold(P::from_u128(0), |a, s| {
        P::add(a, s.mac_key_share().expose())
    });
    for (s, d) in stores.iter().zip(&dealers) {
        assert_eq!(s.key_set_id(), d.key_set_id());
        assert_eq!(s.mac_key_share(), d.mac_key_share());
        assert_eq!(s.available(), counts(n));
    }

    // Uneven batches: 1 + 39 triples.
    let mut triples = Vec::new();
    for (s, d) in stores.iter_mut().zip(&mut dealers) {
        let mut t = s.triples(1).unwrap();
        t.extend(&s.triples(39).unwrap());
        assert_eq!(t, d.triples(40).unwrap(), "file equals the dealer");
        triples.push(t);
    }
    let col = |f: fn(&spdz2k_core::Triples<P>) -> &AuthShares<P>| -> Vec<AuthShares<P>> {
        triples.iter().map(|t| f(t).clone()).collect()
    };
    let (a, b, c) = (col(|t| &t.a), col(|t| &t.b), col(|t| &t.c));
    for part in [&a, &b, &c] {
        assert!(macs_consistent(part, alpha));
    }
    let (a, b, c) = (reconstruct(&a), reconstruct(&b), reconstruct(&c));
    assert!((0..40).all(|j| P::mul(a[j], b[j]) == c[j]));

    let r: Vec<_> = stores.iter_mut().map(|s| s.randoms(11).unwrap()).collect();
    let m: Vec<_> = stores
        .iter_mut()
        .map(|s| s.open_masks(9).unwrap())
        .collect();
    assert!(macs_consistent(&r, alpha) && macs_consistent(&m, alpha));
    for (i, d) in dealers.iter_mut().enumerate() {
        assert_eq!(r[i], d.randoms(11).unwrap());
        assert_eq!(m[i], d.open_masks(9).unwrap());
    }

    for owner in 0..n {
        let k = 3 + owner;
        let im: Vec<_> = stores
            .iter_mut()
            .map(|s| s.input_masks(owner, k).unwrap())
            .collect();
        for (i, (masks, d)) in im.iter().zip(&mut dealers).enumerate() {
            assert_eq!(masks.clear.is_some(), i == owner);
            assert_eq!(*masks, d.input_masks(owner, k).unwrap());
        }
        let shares: Vec<_> = im.iter().map(|m| m.shares.clone()).collect();
        assert!(macs_consistent(&shares, alpha));
        assert_eq!(Some(reconstruct(&shares)), im[owner].clear.clone());
    }
    for s in &stores {
        assert_eq!(s.available(), PrepCounts::uniform(n, 0));
    }
}

#[test]
fn round_trip_every_params_set_two_and_three_parties() {
    for n in [2, 3] {
        round_trip::<K32S32>(n);
        round_trip::<K64S64>(n);
        round_trip::<K66S48>(n);
        round_trip::<K128S64>(n);
    }
}

#[test]
fn header_says_insecure_and_describes_the_file() {
    let (_dir, paths) = deal::<K66S48>(3);
    let h = read_header(&paths[2]).unwrap();
    assert!(h.is_insecure());
    assert_eq!(h.source, "INSECURE-DEALER");
    assert_eq!((h.params.k, h.params.s), (66, 48));
    assert_eq!((h.party, h.n_parties), (2, 3));
    assert_eq!(h.counts, counts(3));
    let text = std::fs::read(&paths[2]).unwrap();
    assert!(text.starts_with(b"SPDZ2K-PREP 2\nsource: INSECURE-DEALER\nnote: INSECURE"));
}

#[cfg(unix)]
#[test]
fn files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, paths) = deal::<K64S64>(2);
    for p in paths {
        let mode = std::fs::metadata(p).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn exhaustion_names_kind_counts_and_file_and_takes_nothing() {
    let (_dir, paths) = deal::<K64S64>(2);
    let mut s = FileStore::<K64S64>::open(&paths[0], 0, 2).unwrap();
    s.triples(35).unwrap();
    let err = s.triples(6).unwrap_err();
    assert!(matches!(
        err,
        PrepError::Exhausted {
            party: 0,
            kind: PrepKind::Triples,
            requested: 6,
            available: 5,
            ..
        }
    ));
    let msg = err.to_string();
    for part in [
        "triples",
        "requested 6",
        "only 5 left",
        "40 dealt",
        "35 already used",
    ] {
        assert!(msg.contains(part), "{msg:?} lacks {part:?}");
    }
    assert!(msg.contains(&paths[0].display().to_string()), "{msg}");
    assert_eq!(s.available().triples, 5, "a failed request takes nothing");
    assert_eq!(s.triples(5).unwrap().len(), 5);

    let err = s.input_masks(1, 5).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("input masks of party 1") && msg.contains("only 4 left"),
        "{msg}"
    );
    assert!(matches!(
        s.input_masks(2, 1),
        Err(PrepError::UnknownOwner {
            owner: 2,
            n_parties: 2
        })
    ));
}

#[test]
fn check_covers_before_a_run() {
    let (_dir, paths) = deal::<K64S64>(2);
    let mut s = FileStore::<K64S64>::open(&paths[1], 1, 2).unwrap();
    let needed = PrepCounts {
        triples: 40,
        randoms: 11,
        ..PrepCounts::default()
    };
    s.check_covers(&needed).unwrap();
    s.randoms(1).unwrap();
    let err = s.check_covers(&needed).unwrap_err();
    assert!(matches!(
        err,
        PrepError::Insufficient {
            kind: PrepKind::Randoms,
            needed: 11,
            available: 10
        }
    ));
}

fn mismatch_field(err: PrepError) -> (&'static str, String) {
    let msg = err.to_string();
    match err {
        PrepError::Mismatch { field, .. } => (field, msg),
        other => panic!("expected a mismatch, got {other:?}"),
    }
}

#[test]
fn material_for_other_params_party_count_or_key_set_is_refused() {
    let (_dir, paths) = deal::<K64S64>(2);
    let p0 = &paths[0];

    let (field, msg) = mismatch_field(FileStore::<K32S32>::open(p0, 0, 2).unwrap_err());
    assert_eq!(field, "parameters (k, s)");
    assert!(
        msg.contains("k=64,s=64") && msg.contains("k=32,s=32"),
        "{msg}"
    );
    let (field, _) = mismatch_field(FileStore::<K66S48>::open(p0, 0, 2).unwrap_err());
    assert_eq!(field, "parameters (k, s)");

    let (field, msg) = mismatch_field(FileStore::<K64S64>::open(p0, 1, 2).unwrap_err());
    assert_eq!(field, "party index");
    assert!(msg.contains(&p0.display().to_string()), "{msg}");

    let (field, msg) = mismatch_field(FileStore::<K64S64>::open(p0, 0, 3).unwrap_err());
    assert_eq!(field, "number of parties");
    assert!(msg.contains("made for number of parties 2") && msg.contains("expects 3"));

    let right = InsecureDealerSource::<K64S64>::new(0, 2, SEED)
        .unwrap()
        .key_set_id();
    let wrong = KeySetId([0xab; 16]);
    let (field, msg) =
        mismatch_field(FileStore::<K64S64>::open_with_key_set(p0, 0, 2, wrong).unwrap_err());
    assert_eq!(field, "MAC key set ID");
    assert!(msg.contains(&wrong.to_string()) && msg.contains(&right.to_string()));

    // Refusals release the lock: the right opening still works.
    FileStore::<K64S64>::open_with_key_set(p0, 0, 2, right).unwrap();
}

#[test]
fn consumption_survives_reopening() {
    let (_dir, paths) = deal::<K128S64>(2);
    let mut fresh = InsecureDealerSource::<K128S64>::new(1, 2, SEED).unwrap();
    let first = fresh.triples(5).unwrap();
    let next = fresh.triples(5).unwrap();
    let first_masks = fresh.input_masks(1, 2).unwrap();
    let next_masks = fresh.input_masks(1, 2).unwrap();

    let handed_out = {
        let mut s = FileStore::<K128S64>::open(&paths[1], 1, 2).unwrap();
        assert_eq!(s.input_masks(1, 2).unwrap(), first_masks);
        s.triples(5).unwrap()
    };
    assert_eq!(handed_out, first);

    let mut s = FileStore::<K128S64>::open(&paths[1], 1, 2).unwrap();
    assert_eq!(s.consumed().triples, 5);
    assert_eq!(s.available().triples, 35);
    assert_eq!(s.available().input_masks, vec![3, 2]);
    let after = s.triples(5).unwrap();
    assert_eq!(after, next, "continues after the consumed items");
    assert_ne!(after, handed_out, "never the same items again");
    assert_eq!(s.input_masks(1, 2).unwrap(), next_masks);
    drop(s);

    // Many small takes alternate cursor slots; the count is still exact after reopening.
    let mut s = FileStore::<K128S64>::open(&paths[1], 1, 2).unwrap();
    for _ in 0..7 {
        s.randoms(1).unwrap();
    }
    drop(s);
    let s = FileStore::<K128S64>::open(&paths[1], 1, 2).unwrap();
    assert_eq!(s.consumed().randoms, 7);
    assert_eq!(s.consumed().triples, 10);
}

#[test]
fn second_open_of_a_file_in_use_is_refused() {
    let (_dir, paths) = deal::<K64S64>(2);
    let first = FileStore::<K64S64>::open(&paths[0], 0, 2).unwrap();
    let err = FileStore::<K64S64>::open(&paths[0], 0, 2).unwrap_err();
    assert!(matches!(&err, PrepError::Locked { path, .. } if *path == paths[0]));
    let msg = err.to_string();
    assert!(msg.contains("in use") && msg.contains("prep-P0"), "{msg}");
    assert!(
        msg.contains(&format!("pid {}", std::process::id())),
        "{msg}"
    );
    // Another party's file is not affected.
    let other = FileStore::<K64S64>::open(&paths[1], 1, 2).unwrap();
    drop((first, other));
    // The lock ends with its handle; the state file stays and does not block.
    assert!(state_path(&paths[0]).exists());
    FileStore::<K64S64>::open(&paths[0], 0, 2).unwrap();
}

#[test]
fn corrupted_header_is_detected() {
    let (_dir, paths) = deal::<K64S64>(2);
    // The party line: "party: 0" -> "party: 1" would pass every field check but the sum.
    let text = std::fs::read(&paths[0]).unwrap();
    let pos = text.windows(9).position(|w| w == b"\nparty: 0").unwrap();
    flip_byte(&paths[0], pos as u64 + 8);
    let err = FileStore::<K64S64>::open(&paths[0], 0, 2).unwrap_err();
    assert!(matches!(err, PrepError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("checksum"), "{err}");

    flip_byte(&paths[1], 0);
    let err = FileStore::<K64S64>::open(&paths[1], 1, 2).unwrap_err();
    assert!(
        err.to_string().contains("not a preprocessing file"),
        "{err}"
    );
}

#[test]
fn missing_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.spdz2kprep");
    let err = FileStore::<K64S64>::open(&path, 0, 2).unwrap_err();
    assert!(matches!(&err, PrepError::Io { path: p, .. } if *p == path));
    assert!(err.to_string().contains("nope.spdz2kprep"), "{err}");
    assert!(!state_path(&path).exists());
}

#[test]
fn truncated_file_is_detected() {
    let (_dir, paths) = deal::<K64S64>(2);
    let len = std::fs::metadata(&paths[0]).unwrap().len();
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&paths[0])
        .unwrap();
    f.set_len(len - 1).unwrap();
    let err = FileStore::<K64S64>::open(&paths[0], 0, 2).unwrap_err();
    assert!(err.to_string().contains("truncated"), "{err}");
}

#[test]
fn flipped_data_bit_is_a_corrupt_chunk_found_at_open() {
    // K66S48 uses 114 of 120 bits: a high bit in the last byte would not even decode.
    let (_dir, paths) = deal::<K66S48>(2);
    let len = std::fs::metadata(&paths[0]).unwrap().len();
    // The last element before the one-entry chunk table: party 1's last input mask.
    flip_byte(&paths[0], len - 32 - 1);
    let err = FileStore::<K66S48>::open(&paths[0], 0, 2).unwrap_err();
    assert!(matches!(err, PrepError::Corrupt { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("data chunk 0 of 1") && msg.contains("input masks of party 1"),
        "{msg}"
    );
    assert!(msg.contains("not cheating"), "{msg}");

    // A damaged chunk table is named too.
    flip_byte(&paths[1], std::fs::metadata(&paths[1]).unwrap().len() - 1);
    let err = FileStore::<K66S48>::open(&paths[1], 1, 2).unwrap_err();
    assert!(err.to_string().contains("chunk table"), "{err}");
}

#[test]
fn damage_is_named_by_chunk_and_ignored_where_all_items_are_used() {
    let dir = tempfile::tempdir().unwrap();
    // 30,000 K64S64 triples are 2.88 MB: three chunks.
    let counts = PrepCounts {
        triples: 30_000,
        randoms: 2,
        input_masks: vec![0, 0],
        ..PrepCounts::default()
    };
    let paths = deal_insecure_files::<K64S64>(dir.path(), 2, &counts, SEED).unwrap();
    let len = std::fs::metadata(&paths[0]).unwrap().len();
    let data_end = len - 3 * 32;
    let data_start = data_end - 30_000 * 96 - 2 * 32;
    flip_byte(&paths[0], data_start + 2 * (1 << 20) + 5);
    let err = FileStore::<K64S64>::open(&paths[0], 0, 2).unwrap_err();
    assert!(err.to_string().contains("data chunk 2 of 3"), "{err}");
    flip_byte(&paths[0], data_start + 2 * (1 << 20) + 5);

    // Once every triple in chunk 0 is used, damage there is harmless and not reported.
    let mut s = FileStore::<K64S64>::open(&paths[0], 0, 2).unwrap();
    s.triples(11_000).unwrap();
    drop(s);
    flip_byte(&paths[0], data_start + 7);
    let mut s = FileStore::<K64S64>::open(&paths[0], 0, 2).unwrap();
    let mut dealer = InsecureDealerSource::<K64S64>::new(0, 2, SEED).unwrap();
    dealer.triples(11_000).unwrap();
    assert_eq!(s.triples(5).unwrap(), dealer.triples(5).unwrap());
}

#[test]
fn version_1_files_are_refused_with_the_fix() {
    let (_dir, paths) = deal::<K64S64>(2);
    let mut bytes = std::fs::read(&paths[0]).unwrap();
    bytes[12] = b'1';
    std::fs::write(&paths[0], bytes).unwrap();
    let err = FileStore::<K64S64>::open(&paths[0], 0, 2).unwrap_err();
    assert!(
        matches!(
            err,
            PrepError::UnsupportedVersion {
                found: 1,
                supported: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("deal-insecure"), "{err}");
}

#[test]
fn damaged_cursor_slots() {
    let (_dir, paths) = deal::<K64S64>(2);
    let header_len = {
        let text = std::fs::read(&paths[0]).unwrap();
        let pos = text
            .windows(15)
            .position(|w| w == b"header-sha256: ")
            .unwrap();
        pos as u64 + 15 + 65
    };
    let slot_len = 8 + 8 + 24 + 16 + 32;
    {
        // The first open records the high-water mark: seq 2, slot 0.
        let mut s = FileStore::<K64S64>::open(&paths[0], 0, 2).unwrap();
        s.triples(3).unwrap(); // seq 3, slot 1
        s.triples(2).unwrap(); // seq 4, slot 0
    }
    let state = state_path(&paths[0]);
    let saved_state = std::fs::read(&state).unwrap();
    std::fs::remove_file(&state).unwrap();
    // Without a state file, a write torn in slot 0 leaves slot 1: fewer items counted as
    // used, never more.
    flip_byte(&paths[0], header_len + 20);
    let s = FileStore::<K64S64>::open(&paths[0], 0, 2).unwrap();
    assert_eq!(s.consumed().triples, 3);
    drop(s);
    // With it, the high-water mark (5) wins over the file's cursor (3).
    std::fs::write(&state, saved_state).unwrap();
    let mut s = FileStore::<K64S64>::open(&paths[0], 0, 2).unwrap();
    assert_eq!(s.consumed().triples, 5);
    let skipped = s.skip_to(&PrepCounts::zero(2)).unwrap();
    assert_eq!(skipped.triples, 2, "the skip at open is reported");
    drop(s);
    flip_byte(&paths[0], header_len + 20);
    flip_byte(&paths[0], header_len + slot_len + 20);
    let err = FileStore::<K64S64>::open(&paths[0], 0, 2).unwrap_err();
    assert!(err.to_string().contains("consumption cursor"), "{err}");
}

/// Run 1 uses items; both parties' files are then restored from a backup taken before it.
/// The state files' high-water marks make run 2 skip what run 1 used.
#[test]
fn files_restored_from_a_backup_skip_to_the_high_water_mark() {
    let (dir, paths) = deal::<K64S64>(2);
    let backup = dir.path().join("backup");
    std::fs::create_dir(&backup).unwrap();
    for p in &paths {
        std::fs::copy(p, backup.join(p.file_name().unwrap())).unwrap();
    }
    let used: Vec<_> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut s = FileStore::<K64S64>::open(p, i, 2).unwrap();
            (s.triples(7).unwrap(), s.input_masks(1, 2).unwrap())
        })
        .collect();
    for p in &paths {
        std::fs::copy(backup.join(p.file_name().unwrap()), p).unwrap();
    }
    for (i, p) in paths.iter().enumerate() {
        let mut s = FileStore::<K64S64>::open(p, i, 2).unwrap();
        assert_eq!(s.consumed().triples, 7);
        assert_eq!(s.consumed().input_masks, vec![0, 2]);
        let t = s.triples(1).unwrap();
        assert!(!used[i].0.a.values().contains(&t.a.values()[0]), "no reuse");
        let mut d = InsecureDealerSource::<K64S64>::new(i, 2, SEED).unwrap();
        d.triples(7).unwrap();
        assert_eq!(t, d.triples(1).unwrap(), "the item after the used ones");
    }
}

#[test]
fn dealing_refuses_to_overwrite_and_checks_owner_counts() {
    let (dir, paths) = deal::<K64S64>(2);
    let err = deal_insecure_files::<K64S64>(dir.path(), 2, &counts(2), [1; 32]).unwrap_err();
    assert!(matches!(&err, PrepError::AlreadyExists { path } if *path == paths[0]));
    let err = deal_insecure_files::<K64S64>(dir.path(), 3, &counts(2), [1; 32]).unwrap_err();
    assert!(matches!(
        err,
        PrepError::InputMaskOwners {
            listed: 2,
            n_parties: 3
        }
    ));
    assert!(matches!(
        deal_insecure_files::<K64S64>(dir.path(), 0, &counts(0), [1; 32]),
        Err(PrepError::InvalidPartyCount { .. })
    ));
}

/// Dealing and reading 1,000,000 K64S64 triples (96 MB per party). Run with
/// `cargo test -p spdz2k-prep --release -- --ignored --nocapture`.
#[test]
#[ignore = "large: measures dealing and reading a million triples"]
fn million_triples_timing() {
    let dir = tempfile::tempdir().unwrap();
    let counts = PrepCounts {
        triples: 1_000_000,
        input_masks: vec![0, 0],
        ..PrepCounts::default()
    };
    let t0 = std::time::Instant::now();
    let paths = deal_insecure_files::<K64S64>(dir.path(), 2, &counts, SEED).unwrap();
    let dealt = t0.elapsed();
    let size = std::fs::metadata(&paths[0]).unwrap().len();
    let t0 = std::time::Instant::now();
    let mut s = FileStore::<K64S64>::open(&paths[0], 0, 2).unwrap();
    let opened = t0.elapsed();
    let t1 = std::time::Instant::now();
    let t = s.triples(1_000_000).unwrap();
    let read = t1.elapsed();
    assert_eq!(t.len(), 1_000_000);
    drop(s);
    let mut s = FileStore::<K64S64>::open(&paths[1], 1, 2).unwrap();
    let t2 = std::time::Instant::now();
    for _ in 0..100 {
        s.triples(1).unwrap();
    }
    let small = t2.elapsed() / 100;
    println!(
        "dealt 2 x 1e6 K64S64 triples in {dealt:?} ({size} bytes per party); opened one \
         (lock, cursors, every chunk hashed) in {opened:?}; read all its triples in {read:?} \
         ({:.0} MB/s); a 1-triple request (two synced cursor writes) takes {small:?}",
        size as f64 / read.as_secs_f64() / 1e6
    );
}

/// Every vector read from a file is allocated once at its final size: `vec![Vec::with_capacity
/// (n); k]` cloned the capacity away, so all but one column regrew while filling (and ended
/// with a power-of-two capacity).
#[test]
fn items_read_from_a_file_are_allocated_once_at_their_size() {
    let dir = tempfile::tempdir().unwrap();
    let counts = PrepCounts {
        triples: 1000,
        randoms: 0,
        open_masks: 1000,
        input_masks: vec![0, 0],
    };
    let paths = deal_insecure_files::<K64S64>(dir.path(), 2, &counts, [8; 32]).unwrap();
    let mut store = FileStore::<K64S64>::open(&paths[0], 0, 2).unwrap();
    let t = store.triples(1000).unwrap();
    for part in [t.a, t.b, t.c] {
        let (v, m) = part.into_parts();
        assert_eq!((v.capacity(), m.capacity()), (1000, 1000));
    }
    let (v, m) = store.open_masks(1000).unwrap().into_parts();
    assert_eq!((v.capacity(), m.capacity()), (1000, 1000));
}
