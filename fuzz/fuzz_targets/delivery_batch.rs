//! The batch framing of forwarded envelopes: no panic, canonical round trip.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(items) = spdz2k::delivery::decode_batch(data) {
        assert_eq!(spdz2k::delivery::encode_batch(&items), data);
    }
});
