//! The CLI's error: one clear line per failure.

use spdz2k::DeliveryError;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad arguments.
    #[error("{0}")]
    Usage(String),
    /// Configuration, keys or certificates.
    #[error(transparent)]
    Pki(Box<spdz2k_pki::PkiError>),
    /// The network.
    #[error(transparent)]
    Net(Box<spdz2k_net::NetError>),
    /// The online protocol.
    #[error(transparent)]
    Engine(Box<spdz2k_engine::EngineError>),
    /// Preprocessing.
    #[error(transparent)]
    Prep(Box<spdz2k_prep::PrepError>),
    /// Client I/O.
    #[error(transparent)]
    Delivery(Box<DeliveryError>),
    /// A child process or file operation.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
}

impl From<spdz2k_net::NetError> for CliError {
    fn from(e: spdz2k_net::NetError) -> Self {
        CliError::Net(Box::new(e))
    }
}

impl From<spdz2k_pki::PkiError> for CliError {
    fn from(e: spdz2k_pki::PkiError) -> Self {
        CliError::Pki(Box::new(e))
    }
}

impl From<spdz2k_engine::EngineError> for CliError {
    fn from(e: spdz2k_engine::EngineError) -> Self {
        CliError::Engine(Box::new(e))
    }
}

impl From<spdz2k_prep::PrepError> for CliError {
    fn from(e: spdz2k_prep::PrepError) -> Self {
        CliError::Prep(Box::new(e))
    }
}

impl From<DeliveryError> for CliError {
    fn from(e: DeliveryError) -> Self {
        CliError::Delivery(Box::new(e))
    }
}
