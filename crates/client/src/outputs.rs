//! Verified output values.

use spdz2k_output::Label;
use spdz2k_ring::ParamsId;

/// The values of one output delivery, after every check passed: x^ mod 2^k for each value,
/// read both as k-bit two's-complement and as unsigned integers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientOutputs {
    pub(crate) label: Label,
    pub(crate) params: ParamsId,
    pub(crate) seq: u64,
    pub(crate) signed: Vec<i128>,
    pub(crate) unsigned: Vec<u128>,
}

impl ClientOutputs {
    /// The output's label.
    pub fn label(&self) -> &Label {
        &self.label
    }
    /// The ring (k, s) all parties used.
    pub fn params(&self) -> ParamsId {
        self.params
    }
    /// The delivery's sequence number for this label.
    pub fn seq(&self) -> u64 {
        self.seq
    }
    /// The values as k-bit signed integers.
    pub fn signed(&self) -> &[i128] {
        &self.signed
    }
    /// The values as k-bit unsigned integers.
    pub fn unsigned(&self) -> &[u128] {
        &self.unsigned
    }
    /// How many values were delivered.
    pub fn len(&self) -> usize {
        self.signed.len()
    }
    /// Whether the delivery held no values.
    pub fn is_empty(&self) -> bool {
        self.signed.is_empty()
    }
}
