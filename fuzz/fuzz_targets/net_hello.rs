//! The connection and session hellos of the TLS nodes: no panic, canonical round trip.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spdz2k_net::tls::wire::{ConnHello, SessionHello};

fuzz_target!(|data: &[u8]| {
    if let Ok(h) = ConnHello::decode(data) {
        assert_eq!(h.encode(), data);
    }
    if let Ok(h) = SessionHello::decode(data) {
        assert_eq!(h.encode(), data);
    }
});
