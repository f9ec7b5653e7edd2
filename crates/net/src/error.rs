//! Transport errors. Each names this party, the peer, the session and the protocol phase,
//! and says what to check.

use spdz2k_core::SessionId;
use std::time::Duration;

/// A transport failure.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// A peer sent nothing within the timeout.
    #[error(
        "party {party}: timed out after {waited:?} waiting for party {peer} in session {session} \
         (phase: {phase}); check that party {peer} is running this session with the same session ID"
    )]
    Timeout {
        /// This party.
        party: usize,
        /// The silent peer.
        peer: usize,
        /// The session.
        session: SessionId,
        /// The protocol phase.
        phase: &'static str,
        /// How long we waited.
        waited: Duration,
    },
    /// The peer's side of the session went away (EOF).
    #[error(
        "party {party}: party {peer} closed the connection in session {session} (phase: {phase}); \
         check party {peer}'s log for the error that stopped it"
    )]
    Closed {
        /// This party.
        party: usize,
        /// The peer that went away.
        peer: usize,
        /// The session.
        session: SessionId,
        /// The protocol phase.
        phase: &'static str,
    },
    /// A peer index outside the session, or this party's own index.
    #[error("party {party}: no peer {peer} in session {session} of {n} parties")]
    NoSuchPeer {
        /// This party.
        party: usize,
        /// The bad index.
        peer: usize,
        /// Parties in the session.
        n: usize,
        /// The session.
        session: SessionId,
    },
}
