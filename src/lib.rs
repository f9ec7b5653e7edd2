//! # spdz2k
//!
//! Actively secure multiparty computation over the ring Z_2^k (the SPDZ2k protocol family),
//! built to be embedded in Rust programs and run between separately operated nodes.
//!
//! A [`Party`] holds preprocessing (its MAC key share, triples, masks) and joins a
//! [`Session`] over a [`Transport`]: the in-memory [`MemoryMesh`] for tests, or mutual TLS
//! between nodes. Inside a session, [`Secret`] vectors are added, multiplied (one round per
//! batch) and opened; every opening is MAC-checked before any value leaves the parties.
//!
//! Three parties multiply their inputs and open the product (on INSECURE test
//! preprocessing, which needs the `insecure-dealer` feature; the tests, examples and the CLI
//! turn it on, embedders leave it off and bring real preprocessing):
//!
//! ```
//! use spdz2k::prelude::*;
//! use std::time::Duration;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let n = 3;
//! let sid = SessionId::new("quickstart").unwrap();
//! let mut tasks = Vec::new();
//! for transport in MemoryMesh::connect(n, sid, Duration::from_secs(5)) {
//!     let me = transport.party();
//!     // INSECURE test preprocessing: every party derives its shares from one shared seed.
//!     let prep = InsecureDealerSource::<K64S64>::new(me, n, [7; 32]).unwrap();
//!     tasks.push(tokio::spawn(async move {
//!         let mut s = Party::new(prep).join(transport)?;
//!         let mut product = None;
//!         for owner in 0..n {
//!             let mine = [10 * (owner as i128 + 1)];
//!             let x = s.input_signed(owner, (owner == me).then_some(&mine[..]), 1).await?;
//!             product = Some(match product {
//!                 None => x,
//!                 Some(p) => s.mul(&p, &x).await?,
//!             });
//!         }
//!         let opened = s.open_signed(&product.unwrap()).await?;
//!         s.finish().await?;
//!         Ok::<_, EngineError>(opened[0])
//!     }));
//! }
//! for t in tasks {
//!     assert_eq!(t.await.unwrap().unwrap(), 10 * 20 * 30);
//! }
//! # }
//! ```
//!
//! # Features
//!
//! Both are off by default, and nothing secure needs them:
//! - `insecure-dealer`: `InsecureDealerSource` and the dealer in `layers::prep` and
//!   `layers::core`, for tests, benchmarks and demos. Whoever knows the seed knows every
//!   secret.
//! - `tamper-hooks`: `TamperHook`, `Session::set_tamper_hook`, raw share access and the
//!   proxy tampering in `delivery`, so that adversarial tests can make a party cheat.
//!
//! Security: see docs/SECURITY.md.
#![forbid(unsafe_code)]
#![warn(clippy::unwrap_used)]
#![warn(missing_docs)]

pub mod delivery;
mod party;

pub use delivery::{ClientPort, DeliveryError, RemoteClient};
pub use party::Party;
pub use spdz2k_core::{AbortReason, SessionId};
/// The hook adversarial tests make one party cheat through (`tamper-hooks` feature).
#[cfg(feature = "tamper-hooks")]
pub use spdz2k_engine::TamperHook;
pub use spdz2k_engine::{
    AbortCause, ClientInputMask, ClientOutputShares, EngineError, Phase, Secret, Session,
    SessionOptions, SessionReport,
};
pub use spdz2k_net::{
    AbortKind, ClientNode, MemoryMesh, MemoryTransport, NetError, Node, PeerChannel, SessionAbort,
    SessionSpec, TlsSession, TrafficStats, Transport,
};
/// Secure preprocessing: the OT-based SPDZ2k offline phase run by every party over its
/// session [`Transport`] (`generate_secure::<P, _>(&mut transport, &counts,
/// SECURE_TRIPLE_BATCH)`), returning a source to pass to [`Party::new`] before joining a
/// session over the same transport. A failed check retires the key set and aborts every
/// honest party with an [`OfflineError`].
pub use spdz2k_offline::{OfflineError, SECURE_TRIPLE_BATCH, generate_secure};
pub use spdz2k_pki::{NodeConfig, PkiError};
/// INSECURE test preprocessing from a shared seed (`insecure-dealer` feature).
#[cfg(feature = "insecure-dealer")]
pub use spdz2k_prep::InsecureDealerSource;
pub use spdz2k_prep::{FileStore, PrepCounts, PrepError, Preprocessing, RetireCause};
pub use spdz2k_ring::{K32S32, K64S64, K66S48, K128S64, Params, ParamsId};

/// The lower layers, for protocol extensions.
pub mod layers {
    pub use spdz2k_client as client;
    pub use spdz2k_core as core;
    pub use spdz2k_engine as engine;
    pub use spdz2k_net as net;
    pub use spdz2k_offline as offline;
    pub use spdz2k_ot as ot;
    pub use spdz2k_output as output;
    pub use spdz2k_pki as pki;
    pub use spdz2k_prep as prep;
    pub use spdz2k_ring as ring;
}

/// Everything an embedding program usually needs.
pub mod prelude {
    #[cfg(feature = "insecure-dealer")]
    pub use crate::InsecureDealerSource;
    pub use crate::{
        EngineError, K32S32, K64S64, K66S48, K128S64, MemoryMesh, Params, Party, Preprocessing,
        Secret, Session, SessionId, SessionOptions, Transport,
    };
}

/// The README's Rust example, compiled and run as a doctest so it cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
