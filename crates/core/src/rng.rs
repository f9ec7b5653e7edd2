//! Randomness: every secret comes from a ChaCha20 stream seeded by the operating system.

use rand::rngs::{ChaCha20Rng, SysRng};
use rand::{SeedableRng, TryRng};

/// A ChaCha20 CSPRNG seeded from the operating system's entropy source.
///
/// # Panics
/// Only if the operating system cannot provide entropy at all, in which case no secure
/// computation is possible.
pub fn secure_rng() -> ChaCha20Rng {
    let mut seed = [0u8; 32];
    SysRng
        .try_fill_bytes(&mut seed)
        .expect("the operating system's entropy source failed");
    ChaCha20Rng::from_seed(seed)
}

/// A deterministic ChaCha20 stream from a 32-byte seed (coins, the insecure dealer).
pub fn seeded_rng(seed: [u8; 32]) -> ChaCha20Rng {
    ChaCha20Rng::from_seed(seed)
}

/// 32 fresh bytes from [`secure_rng`] (nonces, run-ID contributions).
pub fn fresh_bytes() -> [u8; 32] {
    let mut out = [0u8; 32];
    rand::Rng::fill_bytes(&mut secure_rng(), &mut out);
    out
}
