//! The abort notice a peer sends when it abandons a session: no panic, canonical round trip.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spdz2k_net::tls::wire::AbortNotice;

fuzz_target!(|data: &[u8]| {
    if let Ok(n) = AbortNotice::decode(data) {
        assert_eq!(n.encode(), data, "non-canonical abort notice accepted");
        let _ = n.kind.to_string();
    }
});
