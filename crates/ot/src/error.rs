//! Typed errors. Each names this party, the peer, the session and the phase or check.

use spdz2k_core::SessionId;
use spdz2k_net::NetError;

/// Why an OT step failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OtError {
    /// A consistency or commitment check failed: the peer deviated (or the link corrupted
    /// data). The state is retired; its base OTs are never used again.
    #[error(
        "party {party}: OT with party {peer} in session {session}: the {check} failed in phase \
         {phase}; party {peer} deviated from the protocol (or the link corrupted data). The OT \
         key set is retired and its base OTs will not be used again: run a fresh setup"
    )]
    CheckFailed {
        /// This party.
        party: usize,
        /// The peer.
        peer: usize,
        /// The session.
        session: SessionId,
        /// The protocol phase.
        phase: &'static str,
        /// The check that failed.
        check: &'static str,
    },
    /// A message that is not the one expected now: wrong kind, a replayed or out-of-order
    /// sequence number, another session's or another pair's message, or a wrong length.
    #[error(
        "party {party}: OT with party {peer} in session {session}: refused a message in phase \
         {phase}: {detail}. The OT key set is retired"
    )]
    BadMessage {
        /// This party.
        party: usize,
        /// The peer.
        peer: usize,
        /// The session.
        session: SessionId,
        /// The protocol phase.
        phase: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// The state was retired by an earlier failure and refuses further use.
    #[error(
        "party {party}: OT with party {peer} in session {session}: this OT key set was retired \
         after an earlier failure and refuses further use (phase {phase}); run a fresh setup"
    )]
    Retired {
        /// This party.
        party: usize,
        /// The peer.
        peer: usize,
        /// The session.
        session: SessionId,
        /// The phase that was attempted.
        phase: &'static str,
    },
    /// A caller error: an argument out of range.
    #[error("party {party}: OT with party {peer} in session {session}: {detail}")]
    Usage {
        /// This party.
        party: usize,
        /// The peer.
        peer: usize,
        /// The session.
        session: SessionId,
        /// What is wrong.
        detail: String,
    },
    /// The transport failed (boxed: transport errors are large and rare).
    #[error(transparent)]
    Net(Box<NetError>),
}

impl OtError {
    /// The peer this error concerns, if it names one (a transport error does not).
    pub fn peer(&self) -> Option<usize> {
        match self {
            OtError::CheckFailed { peer, .. }
            | OtError::BadMessage { peer, .. }
            | OtError::Retired { peer, .. }
            | OtError::Usage { peer, .. } => Some(*peer),
            OtError::Net(_) => None,
        }
    }
}

impl From<NetError> for OtError {
    fn from(e: NetError) -> Self {
        OtError::Net(Box::new(e))
    }
}
