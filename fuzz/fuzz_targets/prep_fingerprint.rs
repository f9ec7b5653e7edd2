//! The preprocessing fingerprint a peer sends at session start (deal, key set, counts,
//! cursors): no panic, canonical round trip.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spdz2k_prep::PrepFingerprint;

fuzz_target!(|data: &[u8]| {
    if let Ok(f) = PrepFingerprint::decode(data) {
        assert_eq!(f.encode(), data, "non-canonical fingerprint accepted");
    }
});
