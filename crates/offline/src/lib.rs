//! The SPDZ2k offline phase (docs to come).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod auth;
mod batch;
mod coins;
mod cost;
mod driver;
mod error;
mod gilboa;
mod keyset;
mod msg;
pub mod ot;
mod triples;
mod values;
mod vole;

#[cfg(test)]
mod tests;

pub use batch::{Batch, BatchKind, Flight, Material, PeerMessages, Progress};
pub use cost::{triple_batch_bytes_per_peer, value_batch_bytes_per_peer};
pub use driver::{IN_FLIGHT, TRIPLE_BATCH, generate, run_batches, setup_key_set};
pub use error::{Cause, CheckKind, OfflineError};
#[cfg(any(test, feature = "tamper-hooks"))]
pub use keyset::TamperHook;
pub use keyset::{KeySet, KeySetup, LocalPoint};
pub use triples::tau;
