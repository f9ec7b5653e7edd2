//! The run ID: fresh randomness from every party, agreed at the start of a run, that the
//! client signs into its registration and every input. A message signed for one run is
//! refused in any other, even under the same session ID.

use sha2::{Digest, Sha256};
use spdz2k_core::SessionId;
use subtle::ConstantTimeEq;

/// Prefix of the string a run ID hashes.
pub const RUN_ID_DOMAIN: &[u8] = b"spdz2k-run-id-v1";

/// A 32-byte run ID: SHA-256 over the session and every party's fresh 32-byte contribution
/// in party order, so one honest party's contribution makes it unpredictable.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct RunId(pub [u8; 32]);

impl RunId {
    /// The run ID of `session` from every party's contribution, in party order.
    pub fn derive(session: &SessionId, contributions: &[[u8; 32]]) -> Self {
        let mut h = Sha256::new();
        h.update(RUN_ID_DOMAIN);
        h.update([session.as_str().len() as u8]);
        h.update(session.as_str().as_bytes());
        h.update((contributions.len() as u64).to_le_bytes());
        for c in contributions {
            h.update(c);
        }
        Self(h.finalize().into())
    }

    /// Constant-time equality.
    pub fn matches(&self, other: &RunId) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl core::fmt::Display for RunId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for b in &self.0[..8] {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl core::fmt::Debug for RunId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "RunId({self})")
    }
}
