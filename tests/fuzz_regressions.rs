//! Inputs the fuzz targets in `fuzz/` found, kept as regression tests: each one failed on the
//! code before its fix. docs/FUZZING.md lists the findings.

use spdz2k::layers::core::KeySetId;
use spdz2k::layers::net::tls::wire::{AbortKind, AbortNotice};
use spdz2k::layers::prep::{DealId, PrepCounts, PrepFingerprint, PrepOrigin, PrepPosition};
use spdz2k::layers::ring::ParamsId;

/// `net_abort`: an abort notice with an undefined kind code (96) was read as `Other`, which
/// re-encodes as code 0, so two different frames meant the same notice.
#[test]
fn abort_notice_with_unknown_kind_is_refused() {
    // The fuzzer's input was [96, 0, 1, 64] under wire version 2 (big-endian length); the
    // same notice in version 3's little-endian encoding:
    let crash = [96u8, 1, 0, 64];
    assert!(AbortNotice::decode(&crash).is_err());
    for code in 6..=u8::MAX {
        let mut bytes = AbortNotice::new(AbortKind::Network, "x").encode();
        bytes[0] = code;
        assert!(AbortNotice::decode(&bytes).is_err(), "kind {code} accepted");
    }
    // Every defined kind still round-trips, `Other` included.
    for code in 0..=5u8 {
        let bytes = [code, 1, 0, 64];
        let n = AbortNotice::decode(&bytes).unwrap();
        assert_eq!(n.encode(), bytes);
    }
}

/// `prep_fingerprint` (same flaw): an undefined source-origin code was read as `Other`.
#[test]
fn fingerprint_with_unknown_origin_is_refused() {
    let f = PrepFingerprint {
        params: ParamsId { k: 64, s: 64 },
        n_parties: 2,
        party: 1,
        key_set: KeySetId([3; 16]),
        position: PrepPosition {
            origin: PrepOrigin::Other,
            deal: DealId([4; 16]),
            total: PrepCounts::uniform(2, 10),
            consumed: PrepCounts::uniform(2, 1),
        },
    };
    let bytes = f.encode();
    assert_eq!(PrepFingerprint::decode(&bytes).unwrap(), f);
    // The origin byte follows tag, k, s, n, party, key set and deal.
    let at = 8 + 4 + 4 + 8 + 8 + 16 + 16;
    assert_eq!(bytes[at], 0);
    for code in 4..=u8::MAX {
        let mut bad = bytes.clone();
        bad[at] = code;
        assert!(
            PrepFingerprint::decode(&bad).is_err(),
            "origin {code} accepted"
        );
    }
}
