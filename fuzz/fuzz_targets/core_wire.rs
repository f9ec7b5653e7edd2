//! `WireMsg::decode` for every parameter set: no panic, and every accepted message re-encodes
//! to exactly the bytes it came from (one canonical encoding).
#![no_main]
use libfuzzer_sys::fuzz_target;
use spdz2k_core::WireMsg;
use spdz2k_ring::{K32S32, K64S64, K66S48, K128S64, Params};

fn round_trip<P: Params>(data: &[u8]) {
    if let Ok(msg) = WireMsg::<P>::decode(data) {
        assert_eq!(msg.encode(), data, "non-canonical accept for {}", P::NAME);
    }
}

fuzz_target!(|data: &[u8]| {
    round_trip::<K32S32>(data);
    round_trip::<K64S64>(data);
    round_trip::<K66S48>(data);
    round_trip::<K128S64>(data);
});
