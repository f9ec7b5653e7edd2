//! Sealed envelopes as a proxy or client receives them: parsing never panics; a parsed
//! envelope's signature check against a fixed key never panics either.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spdz2k_output::Envelope;
use spdz2k_output::ed25519_dalek::SigningKey;

fuzz_target!(|data: &[u8]| {
    if let Ok(env) = Envelope::parse(data) {
        let _ = env.header();
        let key = SigningKey::from_bytes(&[7; 32]).verifying_key();
        let _ = env.verify(&key);
    }
});
