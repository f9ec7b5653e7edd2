//! Typed failures of the offline phase. Every check failure names the party that saw it,
//! the session, the batch and the check, and retires the key set.

use spdz2k_core::{AbortReason, KeySetId, SessionId};
use spdz2k_net::NetError;

/// An OT layer failure (its own consistency checks, its transport).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("oblivious transfer with party {peer} failed: {detail}")]
pub struct OtError {
    /// The peer of the failing OT.
    pub peer: usize,
    /// What failed.
    pub detail: String,
}

/// The check (or step) that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CheckKind {
    /// A commit-and-open coin toss (a seed differs from its commitment).
    CoinToss,
    /// The VOLE row-consistency check: a sender used different values in different rows.
    VoleRows,
    /// The MAC check (random combination of the authenticated batch, and rho, sigma).
    MacCheck,
    /// The triple sacrifice: some sigma is not 0 mod 2^(k+s).
    Sacrifice,
    /// Broadcast transcripts differ (equivocation).
    Transcript,
    /// A peer's message could not be decoded or had the wrong shape.
    Message,
    /// The OT layer reported a failure.
    Ot,
    /// A peer reported that one of its checks failed.
    PeerAbort,
}

impl CheckKind {
    /// Every kind, indexed by its wire code.
    const ALL: [CheckKind; 8] = [
        Self::CoinToss,
        Self::VoleRows,
        Self::MacCheck,
        Self::Sacrifice,
        Self::Transcript,
        Self::Message,
        Self::Ot,
        Self::PeerAbort,
    ];
    pub(crate) fn code(self) -> u8 {
        Self::ALL.iter().position(|&c| c == self).unwrap_or(7) as u8
    }
    pub(crate) fn from_code(c: u8) -> Self {
        Self::ALL
            .get(c as usize)
            .copied()
            .unwrap_or(Self::PeerAbort)
    }
}

impl core::fmt::Display for CheckKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::CoinToss => "coin toss",
            Self::VoleRows => "VOLE row consistency check",
            Self::MacCheck => "MAC check",
            Self::Sacrifice => "triple sacrifice",
            Self::Transcript => "broadcast transcript comparison",
            Self::Message => "message decoding",
            Self::Ot => "oblivious transfer",
            Self::PeerAbort => "peer's abort notice",
        })
    }
}

/// Why a check failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Cause {
    /// A failure the core state machines report (commitments, MAC check, transcript).
    #[error(transparent)]
    Core(#[from] AbortReason),
    /// Party `peer`'s VOLE rows do not carry the same values.
    #[error("party {peer} sent VOLE rows that do not carry one value vector (row {row})")]
    InconsistentRows {
        /// The sender of the VOLE.
        peer: usize,
        /// The first row that disagrees.
        row: usize,
    },
    /// `failed` of `total` sacrificed triples had sigma != 0 mod 2^(k+s).
    #[error("{failed} of {total} triples failed the sacrifice (sigma != 0 mod 2^(k+s))")]
    SacrificeFailed {
        /// Triples that failed.
        failed: usize,
        /// Triples sacrificed.
        total: usize,
    },
    /// Party `peer` failed its `check` and told the others.
    #[error("party {peer} aborted: its {check} failed")]
    PeerAborted {
        /// The peer.
        peer: usize,
        /// The check that failed there.
        check: CheckKind,
    },
    /// The OT layer failed.
    #[error(transparent)]
    Ot(#[from] OtError),
    /// A peer's message was malformed.
    #[error("party {peer} sent a malformed {what} message: {detail}")]
    Malformed {
        /// The peer.
        peer: usize,
        /// The message kind.
        what: &'static str,
        /// What was wrong.
        detail: String,
    },
}

/// An error of the offline phase.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OfflineError {
    /// A check failed: the key set is retired and no material of the batch is released.
    #[error(
        "party {party}, session {session}, batch {batch}: {check} failed: {cause}; \
         key set {key_set} retired"
    )]
    CheckFailed {
        /// The party reporting.
        party: usize,
        /// The session.
        session: SessionId,
        /// The batch.
        batch: u64,
        /// The check.
        check: CheckKind,
        /// Why.
        cause: Cause,
        /// The retired key set.
        key_set: KeySetId,
    },
    /// The key set was retired by an earlier failure and refuses further use.
    #[error(
        "party {party}, session {session}: key set {key_set} was retired after a failed \
         {check}; start a new key set"
    )]
    Retired {
        /// The party.
        party: usize,
        /// The session.
        session: SessionId,
        /// The retired key set.
        key_set: KeySetId,
        /// The check that retired it.
        check: CheckKind,
    },
    /// The OT layer failed (this also retires the key set: base OTs are never reused).
    #[error("party {party}, session {session}: {source}; key set retired")]
    Ot {
        /// The party.
        party: usize,
        /// The session.
        session: SessionId,
        /// The OT failure.
        source: OtError,
    },
    /// The transport failed.
    #[error("party {party}: offline phase transport failure: {source}")]
    Net {
        /// The party.
        party: usize,
        /// The transport error (names peer, session and phase).
        source: Box<NetError>,
    },
    /// The driver was asked for something inconsistent (e.g. a party count below 2).
    #[error("party {party}: invalid offline request: {detail}")]
    Invalid {
        /// The party.
        party: usize,
        /// What was wrong.
        detail: String,
    },
}

impl OfflineError {
    /// The check that failed, for a check failure.
    pub fn check(&self) -> Option<CheckKind> {
        match self {
            Self::CheckFailed { check, .. } | Self::Retired { check, .. } => Some(*check),
            _ => None,
        }
    }
    /// The cause of a check failure.
    pub fn cause(&self) -> Option<&Cause> {
        match self {
            Self::CheckFailed { cause, .. } => Some(cause),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_kind_round_trips_through_its_code() {
        for kind in CheckKind::ALL {
            assert_eq!(CheckKind::from_code(kind.code()), kind);
        }
        let codes: Vec<u8> = CheckKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes, (0..8).collect::<Vec<u8>>());
        // A code no version defines reads as a peer's abort, never as another check.
        assert_eq!(CheckKind::from_code(200), CheckKind::PeerAbort);
    }
}
