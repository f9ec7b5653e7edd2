//! Oblivious transfer for spdz2k (docs filled in below).
#![deny(unsafe_code)]
#![warn(missing_docs)]
#![allow(clippy::result_large_err)]

pub mod block;
pub mod cipher;
pub mod coin;
mod context;
mod error;
pub mod gf128;
pub mod wire;

pub use block::Block;
pub use context::{OtContext, Role};
pub use error::OtError;
