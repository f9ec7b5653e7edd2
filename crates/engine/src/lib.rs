//! The spdz2k online engine: a [`Session`] runs SPDZ2k between n parties over any
//! [`Transport`](spdz2k_net::Transport), drawing material from any
//! [`Preprocessing`](spdz2k_prep::Preprocessing) source.
//!
//! Checking is a rule of the type, not a habit of the caller: every opened value goes into a
//! pending log, and nothing leaves the parties (an opening returned to the caller, a private
//! output, a client bundle) until a MAC check over the whole log has passed. The log is also
//! checked at [`Session::finish`] and whenever it grows past a bound. After an abort the
//! session refuses all further work and reports the first cause.
#![forbid(unsafe_code)]
#![warn(clippy::unwrap_used)]
#![warn(missing_docs)]

mod client_io;
mod draw;
mod embed;
mod error;
mod multiply;
mod ops;
mod phase;
mod pool;
mod prep_agreement;
mod retire;
mod rounds;
mod secret;
mod session;
mod stock;
#[cfg(feature = "tamper-hooks")]
mod tamper;

pub use client_io::{ClientInputMask, ClientOutputShares};
pub use error::{AbortCause, EngineError};
pub use phase::Phase;
pub use secret::Secret;
pub use session::{DEFAULT_CHECK_BOUND, DEFAULT_SUB_BATCH, Session, SessionOptions, SessionReport};
#[cfg(feature = "tamper-hooks")]
pub use tamper::TamperHook;
