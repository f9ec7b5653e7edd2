//! Typed reasons for aborting a session. An abort is final: no value is released after it.

use crate::wire::WireError;

/// Why the protocol aborted. Each names the party whose message revealed the problem, where
/// one can be named; note that in SPDZ2k a failed MAC check cannot tell who cheated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AbortReason {
    /// The batched MAC check found sum z_i != 0: an opened value or a MAC share was altered.
    #[error("MAC check failed over {checked} opened values: some party altered a share or a MAC")]
    MacCheckFailed {
        /// Opened values covered by the check.
        checked: usize,
    },
    /// A party's opening of its commitment does not match what it committed to.
    #[error("party {party} opened its {what} commitment to a different value")]
    CommitmentMismatch {
        /// The party.
        party: usize,
        /// What was committed ("coin seed" or "MAC check").
        what: &'static str,
    },
    /// The hash of all broadcasts differs: some party sent different messages to different
    /// parties (equivocation).
    #[error("party {party} saw different broadcast messages than this party (equivocation)")]
    TranscriptMismatch {
        /// The party whose transcript hash differs.
        party: usize,
    },
    /// A party sent a message of the wrong kind or shape.
    #[error("party {party} sent a malformed message in {phase}: {detail}")]
    Malformed {
        /// The party.
        party: usize,
        /// The protocol phase.
        phase: &'static str,
        /// What was wrong.
        detail: String,
    },
    /// Parties disagree on a value they must agree on (e.g. a client's input).
    #[error("party {party} received a different {what}")]
    Disagreement {
        /// The party that disagrees.
        party: usize,
        /// What differs.
        what: &'static str,
    },
}

impl AbortReason {
    /// A malformed-message abort from a decoding error.
    pub fn malformed(party: usize, phase: &'static str, err: WireError) -> Self {
        Self::Malformed {
            party,
            phase,
            detail: err.to_string(),
        }
    }
}
