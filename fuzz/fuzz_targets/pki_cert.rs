//! Certificates presented by peers (DER): parsing never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = spdz2k_pki::cert::parse_certificate(data);
});
