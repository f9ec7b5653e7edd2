//! Which delivery a verified value came from (a leaf module).

use spdz2k_output::Label;
use spdz2k_ring::ParamsId;

/// Which delivery a client's verified outputs or input masks came from: the label, the ring
/// and the sequence number every party sealed it under. Public data, no secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryId {
    /// The output's or input's label.
    pub label: Label,
    /// The ring (k, s) all parties used.
    pub params: ParamsId,
    /// The delivery's sequence number for this label: 0, 1, 2, ...
    pub seq: u64,
}
