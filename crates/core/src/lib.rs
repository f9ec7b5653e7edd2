//! The sans-IO core of SPDZ2k: authenticated shares, local operations, Beaver steps,
//! openings, commitments, coin tossing and the batched MAC check, as synchronous functions
//! and state machines over typed messages. No I/O, no async.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod rng;
mod session_id;

pub use session_id::{MAX_SESSION_ID_LEN, SessionId, SessionIdError};
