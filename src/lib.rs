//! spdz2k: actively secure multiparty computation over Z_2^k.
pub use spdz2k_core as core;
pub use spdz2k_ring as ring;
