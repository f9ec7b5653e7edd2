//! Transport for spdz2k: the [`Transport`] trait the online engine runs on, an in-memory
//! mesh of n parties for tests and benches, and (see the `tls` module) mutual TLS between
//! separately operated nodes.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;
mod memory;
mod transport;

pub use error::NetError;
pub use memory::{MemoryMesh, MemoryTransport};
pub use transport::{TrafficStats, Transport};
