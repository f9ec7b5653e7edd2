//! The spdz2k test kit: one place for the helpers every test suite shares. Dev-only
//! (`publish = false`); crates list it under `[dev-dependencies]`.
//!
//! - [`mesh`]: n parties as tokio tasks over the in-memory mesh ([`mesh::on_mesh`] for any
//!   protocol, [`mesh::run_parties`] / [`mesh::run_sessions`] for engine sessions).
//! - [`tls`]: n parties as real TLS nodes on loopback ([`tls::Deployment`] for configs and
//!   bound listeners, [`tls::Cluster`] for running nodes and sessions over them).
//! - [`cheating`]: one party cheating through the engine's tamper hook, and the checks on the
//!   honest parties.
//! - [`circuit`]: random circuits, their plaintext evaluation and their evaluation by a party.
//! - [`client`]: two parties and a client in one process, with real keys, no network.
//! - [`logs`] and [`relay`]: log capture to wait on, and a TCP relay that can freeze.
//!
//! The kit turns on the INSECURE dealer (`spdz2k-core`, `spdz2k-prep`) and the engine's
//! tamper hooks for itself; they stay off by default in every other crate's normal build.
//! Failures here panic: a panic in a helper is a failed test.
//!
//! An n-party test: every party runs the same body on its own engine session; results come
//! back in party order (this example runs as a doctest).
//!
//! ```
//! use spdz2k_engine::SessionOptions;
//! use spdz2k_ring::{K64S64, Params};
//! use spdz2k_testkit::run_parties;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let results = run_parties::<K64S64, _, _, _>(3, 7, SessionOptions::default(), |me, mut s| async move {
//!     let mine = [K64S64::from_i128(5)];
//!     let x = s.input(0, (me == 0).then_some(&mine[..]), 1).await?;
//!     let y = s.mul(&x, &x).await?;
//!     let out = s.open(&y).await?;
//!     s.finish().await?;
//!     Ok(out)
//! })
//! .await;
//! for r in results {
//!     assert_eq!(r.expect("an honest run"), vec![25]);
//! }
//! # }
//! ```
// A dev-only crate: its harness types hold test deployments and generators, not API.
#![allow(missing_debug_implementations)]
#![forbid(unsafe_code)]

pub mod cheating;
pub mod circuit;
pub mod client;
pub mod logs;
pub mod mesh;
pub mod relay;
pub mod tls;

pub use mesh::{TestSession, fresh_dealer_seed, on_mesh, run_parties, run_sessions};
pub use tls::{Cluster, Deployment};

/// A session ID from a test's literal (panics if it is not a valid ID).
pub fn sid(s: &str) -> spdz2k_core::SessionId {
    spdz2k_core::SessionId::new(s).expect("a valid session ID")
}
