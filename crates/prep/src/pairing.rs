//! Pairing the parties' preprocessing at session start.

use core::fmt;

/// The ID of one deal (or generation run) of preprocessing: every party's material from
/// that run carries it. Public.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DealId(pub [u8; 16]);

impl DealId {
    /// A fresh ID from the operating system's CSPRNG.
    pub fn fresh() -> Self {
        let mut id = [0u8; 16];
        rand::Rng::fill_bytes(&mut spdz2k_core::rng::secure_rng(), &mut id);
        Self(id)
    }

    /// The ID of the material the INSECURE dealer derives from `seed` on the fly (the
    /// dealer source and the memory store), one-way from the seed.
    pub fn of_insecure_seed(seed: &[u8; 32]) -> Self {
        use sha2::Digest;
        let d = sha2::Sha256::new()
            .chain_update(b"spdz2k-insecure-seed-deal-id-v1")
            .chain_update(seed)
            .finalize();
        let mut id = [0u8; 16];
        id.copy_from_slice(&d[..16]);
        Self(id)
    }
}

impl fmt::Display for DealId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for DealId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DealId({self})")
    }
}
