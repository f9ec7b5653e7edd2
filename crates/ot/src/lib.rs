//! Oblivious transfer for spdz2k (docs filled in below).
#![deny(unsafe_code)]
#![warn(missing_docs)]

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
pub mod base;
pub mod kos;
mod output;
pub mod transpose;
pub mod words;

pub use base::{BaseOtReceiver, BaseOtSender};
pub use kos::{KosReceiver, KosReceiverSetup, KosSender};
pub use output::{ReceiverCots, SenderCots};
pub mod driver;
pub mod vole;

pub use vole::{VoleSeedChoices, VoleSeedPairs, VoleSeedSetup};
pub use words::SeedStream;
