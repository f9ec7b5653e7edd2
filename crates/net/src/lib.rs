//! Transport for spdz2k: the [`Transport`] trait the online engine runs on, an in-memory
//! mesh of n parties for tests and benches, and (see the [`tls`] module) mutual TLS between
//! separately operated nodes.
//!
//! ```
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use spdz2k_net::{Node, SessionSpec, Transport};
//! use spdz2k_pki::NodeConfig;
//! let config = NodeConfig::load(std::path::Path::new("deploy/P0/node.toml"))?;
//! let node = Node::start(config).await?;
//! let spec = SessionSpec::new(spdz2k_core::SessionId::new("run-1")?,
//!                             spdz2k_ring::ParamsId { k: 64, s: 64 }, 2, "demo");
//! let mut session = node.open_session(spec).await?;
//! session.begin_round("hello");
//! session.send(1, b"hi".to_vec()).await?;
//! let reply = session.recv(1).await?;
//! # let _ = reply; Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(clippy::unwrap_used)]
#![warn(missing_docs)]
// Errors carry names, addresses, fingerprints and fixes; built once, on a cold path.
#![allow(clippy::result_large_err)]

mod debug;
mod error;
pub mod frame;
mod memory;
pub mod tls;
mod transport;

pub use error::{MissingPeer, NetError};
pub use memory::{MemoryMesh, MemoryTransport};
pub use tls::{
    AbortKind, AbortNotice, CheckLine, CheckReport, CheckStatus, ClientNode, Node, PeerChannel,
    SessionAbort, SessionSpec, TlsSession, check,
};
pub use transport::{TrafficStats, Transport};
