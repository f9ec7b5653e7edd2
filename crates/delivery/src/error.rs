//! The one error type of client I/O, on both ends.

use spdz2k_client::ClientError;
use spdz2k_core::SessionId;
use spdz2k_engine::EngineError;
use spdz2k_net::NetError;
use spdz2k_output::EnvelopeError;
use spdz2k_pki::PkiError;

/// A failure of client I/O, naming the party, the session and what to check.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeliveryError {
    /// The online engine failed or aborted (no value was released).
    #[error(transparent)]
    Engine(Box<EngineError>),
    /// The network failed.
    #[error(transparent)]
    Net(Box<NetError>),
    /// Keys or configuration could not be loaded.
    #[error(transparent)]
    Pki(Box<PkiError>),
    /// A party's envelope failed verification at the proxy.
    #[error("party {party}: session {session}: envelope from party {from} refused: {source}")]
    Envelope {
        /// This party.
        party: usize,
        /// The session.
        session: SessionId,
        /// The sender.
        from: usize,
        /// Why.
        source: EnvelopeError,
    },
    /// The client's registration or input was refused.
    #[error("party {party}: session {session}: client {client}: {detail}")]
    ClientMessage {
        /// This party.
        party: usize,
        /// The session.
        session: SessionId,
        /// The client.
        client: String,
        /// Why.
        detail: String,
    },
    /// The client refused what the parties delivered.
    #[error(transparent)]
    Client(Box<ClientError>),
    /// The configuration does not describe a usable route.
    #[error("{0}")]
    Config(String),
}

impl From<NetError> for DeliveryError {
    fn from(e: NetError) -> Self {
        DeliveryError::Net(Box::new(e))
    }
}

impl From<EngineError> for DeliveryError {
    fn from(e: EngineError) -> Self {
        DeliveryError::Engine(Box::new(e))
    }
}

impl From<PkiError> for DeliveryError {
    fn from(e: PkiError) -> Self {
        DeliveryError::Pki(Box::new(e))
    }
}

impl From<ClientError> for DeliveryError {
    fn from(e: ClientError) -> Self {
        DeliveryError::Client(Box::new(e))
    }
}
