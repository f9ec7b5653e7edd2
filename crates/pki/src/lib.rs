//! Node identities for spdz2k: one Ed25519 key per node (party or client), a self-signed
//! certificate over that key, and one TOML configuration per node that pins every peer's
//! public key, like SSH's `known_hosts`.
//!
//! * [`identity`]: keys, fingerprints, PKCS#8 PEM key files (written 0600).
//! * [`cert`]: self-signed certificates (rcgen) and their validity window.
//! * [`config`]: the node configuration file, with errors that name file, line and field.
//! * [`mod@setup`]: a whole deployment's keys, certificates and configs in one call; certificate
//!   renewal.
//!
//! ```
//! use spdz2k_pki::{NodeConfig, SetupOptions, setup};
//! let dir = tempfile::tempdir().unwrap();
//! let nodes = setup(&SetupOptions::new(2, 1, dir.path())).unwrap();
//! assert_eq!(nodes.len(), 3);
//! let p1 = NodeConfig::load(&dir.path().join("P1/node.toml")).unwrap();
//! assert_eq!(p1.party_index(), Some(1));
//! let id = p1.load_identity().unwrap();
//! assert_eq!(id.public_key, p1.parties[1].public_key);
//! println!("P1 is {}", id.public_key.fingerprint());
//! ```
#![forbid(unsafe_code)]
#![warn(clippy::unwrap_used)]
#![warn(missing_docs)]
// Errors carry files, fingerprints and fixes; they are built once on a cold path, so their
// size does not matter.
#![allow(clippy::result_large_err)]

pub mod cert;
pub mod config;
mod error;
pub mod identity;
pub mod setup;
mod validity;

pub use cert::{CertValidity, ValidityStatus};
pub use config::{ClientEntry, NodeConfig, PartyEntry, Role, Route};
pub use error::{ConfigError, MAX_CONFIG_BYTES, MAX_PEM_BYTES, PkiError};
pub use identity::{NodeIdentity, PublicKey};
pub use setup::{NodeSummary, SetupOptions, renew_certificate, setup};
