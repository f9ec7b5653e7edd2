//! A running hash of every broadcast, compared at each check point so that a party that
//! sends different messages to different parties is caught and all honest parties abort.

use sha2::{Digest, Sha256};

/// The running SHA-256 transcript of broadcasts since the last check point.
#[derive(Clone)]
pub struct BroadcastTranscript {
    hasher: Sha256,
}

impl core::fmt::Debug for BroadcastTranscript {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BroadcastTranscript")
            .finish_non_exhaustive()
    }
}

impl Default for BroadcastTranscript {
    fn default() -> Self {
        Self::new()
    }
}

impl BroadcastTranscript {
    /// An empty transcript.
    pub fn new() -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"spdz2k-broadcast-v1");
        Self { hasher }
    }
    /// Records that `sender` broadcast `msg` (the sender records its own message too).
    pub fn record(&mut self, sender: usize, msg: &[u8]) {
        self.hasher.update((sender as u64).to_le_bytes());
        self.hasher.update((msg.len() as u64).to_le_bytes());
        self.hasher.update(msg);
    }
    /// The digest so far; the transcript restarts for the next check point.
    pub fn take_digest(&mut self) -> [u8; 32] {
        core::mem::take(self).hasher.finalize().into()
    }
}
