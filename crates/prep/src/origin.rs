//! Where preprocessing comes from and where a source stands: the deal ID, the kind of source
//! and its cursors (a leaf module: the sources and the session-start pairing both use them).

use crate::counts::PrepCounts;
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

impl DealId {
    /// The ID of material generated in memory under one key set (the offline phase's
    /// [`crate::MemoryStore::from_parts`]): every party derives the same ID from the public
    /// key-set ID, one-way.
    pub fn of_key_set(key_set: &spdz2k_core::KeySetId) -> Self {
        use sha2::Digest;
        let d = sha2::Sha256::new()
            .chain_update(b"spdz2k-generated-deal-id-v1")
            .chain_update(key_set.0)
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

/// What kind of source a party's preprocessing comes from (shown in refusals).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrepOrigin {
    /// A preprocessing file.
    File,
    /// The INSECURE dealer run from a shared seed.
    InsecureSeed,
    /// Material held in memory.
    Memory,
    /// Any other source.
    Other,
}

impl PrepOrigin {
    pub(crate) fn code(self) -> u8 {
        match self {
            Self::File => 1,
            Self::InsecureSeed => 2,
            Self::Memory => 3,
            Self::Other => 0,
        }
    }
    /// The origin of `c`; `None` for a code no version defines, so that every accepted
    /// fingerprint has one encoding (an unknown code is not read as `Other`).
    pub(crate) fn from_code(c: u8) -> Option<Self> {
        Some(match c {
            0 => Self::Other,
            1 => Self::File,
            2 => Self::InsecureSeed,
            3 => Self::Memory,
            _ => return None,
        })
    }
}

impl fmt::Display for PrepOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::File => "a file",
            Self::InsecureSeed => "an insecure dealer seed",
            Self::Memory => "memory",
            Self::Other => "another source",
        })
    }
}

/// Where a source stands: its deal, what it holds in all and what it has handed out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrepPosition {
    /// What kind of source it is.
    pub origin: PrepOrigin,
    /// The deal its material belongs to.
    pub deal: DealId,
    /// Items of each kind in all, used or not (`u64::MAX` without a bound).
    pub total: PrepCounts,
    /// Items of each kind already used or discarded: the cursors.
    pub consumed: PrepCounts,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_origin_code_decodes_to_the_origin_that_writes_it() {
        let decoded: Vec<_> = (0..=u8::MAX)
            .filter_map(|c| PrepOrigin::from_code(c).map(|o| (c, o)))
            .collect();
        assert!(decoded.iter().all(|&(c, o)| o.code() == c), "{decoded:?}");
        assert_eq!(decoded.len(), 4, "one code per origin: {decoded:?}");
    }
}
