//! Exact arithmetic in Z_2^(k+s) for the SPDZ2k protocol family.
//!
//! A parameter set ([`Params`]) fixes k (the bits of the values computed on), s (the MAC
//! headroom, which sets statistical security) and the machine word that holds an element of
//! Z_2^(k+s). Elements are plain words in canonical form: every bit at or above k+s is zero.
//! On exact-fit words (k+s equal to the word width) wrapping arithmetic is already arithmetic
//! mod 2^(k+s) and every mask compiles away; on wider words each operation masks.
//!
//! ```
//! use spdz2k_ring::{K64S64, Params};
//! let x = K64S64::from_i128(-5);
//! let y = K64S64::from_u128(7);
//! let z = K64S64::mul(x, y);
//! assert_eq!(K64S64::to_signed(z), -35);
//! ```
#![forbid(unsafe_code)]
#![warn(clippy::unwrap_used)]
#![warn(missing_docs)]

mod encoding;
mod kernels;
mod params;
mod word;

pub use encoding::DecodeError;
pub use kernels::{add_assign, axpy, inner_product, neg_assign, scale, sub_assign};
pub use params::{
    ALL_PARAMS, HasCheckRing, K32S32, K32S32Check, K64S64, K64S64Check, K66S48, K66S48Check,
    K128S64, K128S64Check, Params, ParamsId,
};
#[cfg(feature = "test-params")]
pub use params::{K8S4, K8S4Check};
pub use word::Word;

/// The 192- and 256-bit words of the wide parameter sets and check rings.
pub use crypto_bigint::{U192, U256};
