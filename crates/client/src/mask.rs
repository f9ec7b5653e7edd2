//! Verified input masks (a leaf module: the session makes them, client input spends them).

use core::fmt;

use spdz2k_core::SessionId;
use spdz2k_output::Label;
use spdz2k_ring::{Params, ParamsId};

/// Verified input masks for one label: the reconstructed a of each triple whose
/// a * b = c check passed. Not `Clone`: a mask is spent by one input message, because two
/// messages under the same mask would reveal the difference of the inputs.
pub struct InputMask {
    pub(crate) session: SessionId,
    pub(crate) label: Label,
    pub(crate) params: ParamsId,
    pub(crate) seq: u64,
    pub(crate) count: usize,
    /// The masks, encoded with `Params::encode`.
    pub(crate) a: Vec<u8>,
}

impl fmt::Debug for InputMask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InputMask")
            .field("session", &self.session)
            .field("label", &self.label)
            .field("params", &self.params)
            .field("seq", &self.seq)
            .field("count", &self.count)
            .field("a", &"<redacted>")
            .finish()
    }
}

impl InputMask {
    pub(crate) fn new<P: Params>(
        session: SessionId,
        label: Label,
        seq: u64,
        a: &[P::Word],
    ) -> Self {
        let mut bytes = Vec::with_capacity(a.len() * P::BYTES);
        P::encode_slice(a, &mut bytes);
        Self {
            session,
            label,
            params: P::id(),
            seq,
            count: a.len(),
            a: bytes,
        }
    }

    /// The input's label.
    pub fn label(&self) -> &Label {
        &self.label
    }
    /// The ring (k, s) of the masks.
    pub fn params(&self) -> ParamsId {
        self.params
    }
    /// The sequence number of the triple delivery.
    pub fn seq(&self) -> u64 {
        self.seq
    }
    /// How many values the mask covers.
    pub fn len(&self) -> usize {
        self.count
    }
    /// Whether the mask covers no values.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}
