//! Verified output values.

use crate::delivery_id::DeliveryId;

/// The values of one output delivery, after every check passed: x^ mod 2^k for each value,
/// read both as k-bit two's-complement and as unsigned integers. `Debug` prints the
/// delivery (label, parameters, sequence number) and the count, not the values.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientOutputs {
    pub(crate) delivery: DeliveryId,
    pub(crate) signed: Vec<i128>,
    pub(crate) unsigned: Vec<u128>,
}

impl core::fmt::Debug for ClientOutputs {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientOutputs")
            .field("delivery", &self.delivery)
            .field("len", &self.signed.len())
            .finish_non_exhaustive()
    }
}

impl ClientOutputs {
    /// The delivery the values came from: the output's label, the ring (k, s) all parties
    /// used and the sequence number.
    pub fn delivery(&self) -> &DeliveryId {
        &self.delivery
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

#[cfg(test)]
mod tests {
    use super::*;
    use spdz2k_output::Label;
    use spdz2k_ring::ParamsId;

    #[test]
    fn debug_prints_the_count_not_the_values() {
        let out = ClientOutputs {
            delivery: DeliveryId {
                label: Label::new("salary").unwrap(),
                params: ParamsId { k: 64, s: 64 },
                seq: 3,
            },
            signed: vec![-987_654_321],
            unsigned: vec![987_654_321],
        };
        let text = format!("{out:?}");
        assert!(text.contains("len: 1") && text.contains("salary"), "{text}");
        assert!(!text.contains("987654321"), "{text}");
    }
}
