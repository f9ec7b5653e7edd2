//! The SPDZ2k offline phase (PROTOCOL.md 1.6, 1.7, 1.9), sans-IO, for n >= 2 parties over
//! pairwise OT, with a thin async driver over `spdz2k_net::Transport`.
//!
//! # Protocol
//!
//! Notation: l1 = k+s (share ring), l2 = k+2s (check ring, [`spdz2k_ring::HasCheckRing`]),
//! tau = 2k+4s.
//!
//! - **Key set** ([`KeySetup`], [`setup_key_set`]): a commit-and-open coin toss fixes a
//!   common [`spdz2k_core::KeySetId`]; each party draws alpha_i in Z_2^s from the CSPRNG and
//!   obtains, per peer, s VOLE seed pairs from base OTs whose choice bits are the bits of
//!   the key holder's alpha ([`ot::OtBackend`]).
//! - **MAC VOLE** (module `vole`): P_i sends G(k_u0) - G(k_u1) + x per bit u < s, P_j keeps
//!   sum 2^u (G(k_{u,alpha_ju}) + alpha_ju d_u), P_i keeps -sum 2^u G(k_u0); m_i = alpha_i x_i
//!   plus every VOLE output of P_i. G = [`ot::Prg`] (ChaCha20 now, AES later), a fresh
//!   stream per batch. Width l2 for triples, l1 for randoms and input masks.
//! - **Triples** ([`BatchKind::Triples`]): each party's tau*N bits a_ih are the random-OT
//!   choices towards its base peer; towards every other peer it sends the corrections
//!   e = a xor c' (tau/8 bytes per triple), so the sender swaps its pads and the choices
//!   agree. With N values b_i, Gilboa multiplication for every ordered pair gives shares of
//!   c_h = a_h b mod 2^l1; coins tossed *after* the Gilboa messages are fixed give r_h, r^_h
//!   in Z_2^l2 and a = sum r_h a_h, a^ = sum r^_h a_h, c = sum r_h c_h, c^ = sum r^_h c_h.
//!   a, a^, b, c, c^ (and one random mask element) are authenticated at l2; coins tossed
//!   after the VOLE rows are fixed give t in Z_2^s per triple and the check coefficients;
//!   rho = t a - a^ and sigma = t c - c^ - rho b are opened; every sigma must be 0 mod 2^l1;
//!   the MAC check (core's state machine, run in the check ring as the set (k+s, s)) covers
//!   the opened combination y, rho and sigma. The output is (a, b, c) reduced mod 2^l1.
//! - **Randoms and open masks** ([`BatchKind::Randoms`]): every party's share is uniform in
//!   Z_2^l1, authenticated at l1, checked by opening y. **Input masks**
//!   ([`BatchKind::InputMasks`]): the owner's share is r, every other share is 0 and only
//!   the owner runs VOLE.
//! - **n >= 3**: every broadcast part (coin commitments and openings, y, rho, sigma shares)
//!   goes into a per-batch [`spdz2k_core::BroadcastTranscript`], compared in the MAC check's
//!   first round.
//! - **Failures**: any failed check returns [`OfflineError::CheckFailed`] naming the party,
//!   session, batch, check and cause, retires the [`KeySet`] (every later use is refused
//!   with [`OfflineError::Retired`]), and the driver sends every peer an abort notice so that
//!   every honest party stops with a typed cause ([`CheckKind::PeerAbort`]).
//!
//! # Checks and their soundness
//!
//! - *Coin tosses* (SHA-256 commitments, 32-byte nonces): binding up to SHA-256 collisions;
//!   fresh coins for every check, drawn after what they check is fixed.
//! - *VOLE row consistency* (module `vole`): with chi uniform in Z_2^l2 (mask coefficient 1),
//!   rows carrying different values pass only if the sender guesses the key bits of those
//!   rows: each bit learnt costs a factor 1/2 in the chance to go undetected (the KOS /
//!   MP-SPDZ `OTVole` leakage); a difference of valuation v escapes the combination with
//!   probability 2^-(l-v) per coordinate. We use the ring combination rather than MP-SPDZ's
//!   GF(2^128) hash: it costs s + 1 ring elements per pair and batch and reuses the opened y.
//! - *MAC check* (random combination of 1.7(a) and rho, sigma): about 2^-(s - log2(s+1)).
//! - *Sacrifice*: an error e in c with valuation v < k passes with probability <= 2^-s
//!   (sigma = t e - e^, t uniform in Z_2^s); errors of valuation >= k do not affect c mod 2^k.
//!   Selective failure on Gilboa (a corrupted d_h) aborts with probability about 1/2 and
//!   reveals at most one bit a_h; the tau = 2(k+2s) bits combined with coins drawn afterwards
//!   keep a and a^ uniform (leftover hash).
//! - Computational security: 128 bits (base OT, OT extension, PRG).
//!
//! # Bytes
//!
//! Per batch of N triples, one party sends each peer exactly
//! [`triple_batch_bytes_per_peer`] bytes, asserted by the tests: leading terms
//! (tau*N/8 corrections, with n >= 3 only) + tau*N*E1 (Gilboa) + s*(5N+1)*E2 (VOLE) + 2N*E2 (rho, sigma), with E1, E2 the bytes of an
//! element of Z_2^l1, Z_2^l2, i.e. the tau*l1 + 5*s*l2 + 2*l2 of PROTOCOL.md 1.9, plus
//! (s+1)*E2 for the row check, two coin tosses, the MAC check and framing (the full formula
//! is in [`triple_batch_bytes_per_peer`]'s docs). For K64S64: 13,873 bytes per triple per
//! peer at N = 4096. The OT extension's bytes (tau*lambda/d per triple) are the OT crate's.
//!
//! # Example
//!
//! ```text
//! // Each party, over its transport, with the OT crate's backend:
//! let store: spdz2k_prep::MemoryStore<K64S64> =
//!     spdz2k_offline::generate(&mut transport, ot, &counts, spdz2k_offline::TRIPLE_BATCH).await?;
//! let session = spdz2k_engine::Session::new(transport, store, options)?;
//! ```
#![forbid(unsafe_code)]
#![warn(clippy::unwrap_used)]
#![warn(missing_docs)]

mod auth;
mod batch;
mod coins;
mod collect;
mod cost;
mod driver;
mod error;
mod flow;
mod gilboa;
mod keyset;
mod msg;
pub mod ot;
pub mod real_ot;
mod secure;
mod stage;
mod triples;
mod values;
mod vole;
mod words;

#[cfg(test)]
mod tests;

pub use batch::{Batch, BatchKind, Flight, Progress};
pub use collect::plan;
pub use cost::{triple_batch_bytes_per_peer, value_batch_bytes_per_peer};
pub use driver::{IN_FLIGHT, TRIPLE_BATCH, generate, run_batches, setup_key_set};
pub use error::{Cause, CheckKind, OfflineError};
pub use flow::Material;
#[cfg(any(test, feature = "tamper-hooks"))]
pub use keyset::TamperHook;
pub use keyset::{KeySet, KeySetup, LocalPoint};
pub use msg::PeerMessages;
pub use secure::{
    DEFAULT_VARIANT, OT_CHUNK, SECURE_TRIPLE_BATCH, SecureOffline, generate_secure, generate_with,
};
pub use triples::tau;
