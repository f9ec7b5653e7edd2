//! The CLI's error: one clear line per failure.

use spdz2k::DeliveryError;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// Bad arguments (exit status 2, like clap's own usage errors).
    #[error("{0}")]
    Usage(String),
    /// A run that failed for a reason other than the arguments (exit status 1).
    #[error("{0}")]
    Failed(String),
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
    /// The offline phase (secure preprocessing).
    #[error(transparent)]
    Offline(Box<spdz2k_offline::OfflineError>),
    /// A child process or file operation.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
}

impl CliError {
    /// The kind of fault, for the abort a node sends its peers before it stops.
    pub fn abort_kind(&self) -> spdz2k::AbortKind {
        use spdz2k::AbortKind;
        use spdz2k_engine::EngineError;
        let engine = |e: &EngineError| match e {
            EngineError::Aborted { .. } => AbortKind::Protocol,
            EngineError::Net(n) => n.abort_kind(),
            EngineError::SessionFailed { cause, .. } => cause.abort_kind(),
            EngineError::Prep { .. } | EngineError::Preprocessing(_) => AbortKind::Preprocessing,
            _ => AbortKind::Other,
        };
        match self {
            CliError::Net(e) => e.abort_kind(),
            CliError::Engine(e) => engine(e),
            CliError::Prep(_) => AbortKind::Preprocessing,
            CliError::Offline(e) => match e.as_ref() {
                spdz2k_offline::OfflineError::Net { source, .. } => source.abort_kind(),
                _ => AbortKind::Protocol,
            },
            CliError::Delivery(d) => match d.as_ref() {
                DeliveryError::Engine(e) => engine(e),
                DeliveryError::Net(e) => e.abort_kind(),
                DeliveryError::Envelope { .. } => AbortKind::Protocol,
                DeliveryError::ClientMessage { .. } | DeliveryError::Client(_) => AbortKind::Client,
                _ => AbortKind::Other,
            },
            CliError::Usage(_) | CliError::Failed(_) | CliError::Pki(_) | CliError::Io { .. } => {
                AbortKind::Other
            }
        }
    }

    /// The process exit status: 2 for a usage error (as clap exits for its own), 1 for
    /// every other failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            _ => 1,
        }
    }
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
