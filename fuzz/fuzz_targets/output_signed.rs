//! Client registrations and client inputs (signed messages from a client, maybe forwarded by a
//! proxy): decoding never panics, and a decoded input's values decode or fail with a typed error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spdz2k_output::{ClientInput, Registration};
use spdz2k_ring::{K32S32, K64S64, K128S64};

fuzz_target!(|data: &[u8]| {
    let _ = Registration::decode_unverified(data);
    if let Ok(input) = ClientInput::decode_unverified(data) {
        let _ = input.values::<K32S32>();
        let _ = input.values::<K64S64>();
        let _ = input.values::<K128S64>();
        let _ = input.digest();
    }
});
