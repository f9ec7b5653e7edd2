//! Engine errors: each names this party, the session and the protocol phase.

use crate::phase::Phase;
use spdz2k_core::{AbortReason, SessionId};
use spdz2k_net::NetError;
use spdz2k_prep::PrepError;

/// The first cause of a session's failure, kept so that later calls can report it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AbortCause {
    /// A protocol check failed or a peer misbehaved.
    #[error("{reason} (phase: {phase})")]
    Protocol {
        /// What failed.
        reason: AbortReason,
        /// Where.
        phase: Phase,
    },
    /// The network failed.
    #[error("network: {0}")]
    Network(String),
    /// Preprocessing ran out or did not match.
    #[error("preprocessing: {0}")]
    Preprocessing(String),
}

impl AbortCause {
    /// The kind of fault, for the abort frame sent to the peers.
    pub fn abort_kind(&self) -> spdz2k_net::AbortKind {
        match self {
            AbortCause::Protocol { .. } => spdz2k_net::AbortKind::Protocol,
            AbortCause::Network(_) => spdz2k_net::AbortKind::Network,
            AbortCause::Preprocessing(_) => spdz2k_net::AbortKind::Preprocessing,
        }
    }
}

/// An engine error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The protocol aborted: a check failed or a peer misbehaved. No value was released.
    #[error("party {party}: session {session} aborted in {phase}: {reason}; no value was released")]
    Aborted {
        /// This party.
        party: usize,
        /// The session.
        session: SessionId,
        /// The phase.
        phase: Phase,
        /// Why.
        reason: AbortReason,
    },
    /// The transport failed (boxed: network errors carry a lot of context).
    #[error(transparent)]
    Net(Box<NetError>),
    /// Preprocessing failed.
    #[error("party {party}: session {session}: {source}")]
    Prep {
        /// This party.
        party: usize,
        /// The session.
        session: SessionId,
        /// The preprocessing error.
        source: PrepError,
    },
    /// The session failed earlier and refuses all further work.
    #[error(
        "party {party}: session {session} already failed and refuses further work; first cause: {cause}"
    )]
    SessionFailed {
        /// This party.
        party: usize,
        /// The session.
        session: SessionId,
        /// The first failure.
        cause: AbortCause,
    },
    /// Preprocessing failed outside a session (making a source, opening a file): what `?`
    /// on a [`PrepError`] gives.
    #[error("preprocessing: {0}")]
    Preprocessing(PrepError),
    /// The session was agreed for another parameter set than this party's.
    #[error(
        "party {party}: session {session} was opened for parameters {spec}, but this party \
         computes with {party_params}; give the session spec the party's parameter set"
    )]
    ParamsMismatch {
        /// This party.
        party: usize,
        /// The session.
        session: SessionId,
        /// The parameters of the session's spec.
        spec: spdz2k_ring::ParamsId,
        /// The party's parameters.
        party_params: spdz2k_ring::ParamsId,
    },
    /// The caller asked for something impossible (e.g. vectors of different lengths).
    #[error("party {party}: session {session}: {detail}")]
    Usage {
        /// This party.
        party: usize,
        /// The session.
        session: SessionId,
        /// What was wrong.
        detail: String,
    },
}

impl From<NetError> for EngineError {
    fn from(e: NetError) -> Self {
        EngineError::Net(Box::new(e))
    }
}

impl EngineError {
    /// The cause to remember for later calls, if this error ends the session.
    pub(crate) fn cause(&self) -> Option<AbortCause> {
        match self {
            EngineError::Aborted { phase, reason, .. } => Some(AbortCause::Protocol {
                reason: reason.clone(),
                phase: *phase,
            }),
            EngineError::Net(e) => Some(AbortCause::Network(e.to_string())),
            EngineError::Prep { source, .. } | EngineError::Preprocessing(source) => {
                Some(AbortCause::Preprocessing(source.to_string()))
            }
            EngineError::SessionFailed { .. }
            | EngineError::Usage { .. }
            | EngineError::ParamsMismatch { .. } => None,
        }
    }
}

/// Refuses a transport whose session was agreed for another parameter set than the party's
/// (a `K32S32` spec with a `K64S64` party would compute in the wrong ring).
pub(crate) fn check_params<P: spdz2k_ring::Params>(
    party: usize,
    session: &SessionId,
    spec: Option<spdz2k_ring::ParamsId>,
) -> Result<(), EngineError> {
    match spec {
        Some(spec) if spec != P::id() => Err(EngineError::ParamsMismatch {
            party,
            session: session.clone(),
            spec,
            party_params: P::id(),
        }),
        _ => Ok(()),
    }
}
