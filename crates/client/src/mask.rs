//! Verified input masks (a leaf module: the session makes them, client input spends them).

use core::fmt;

use spdz2k_core::SessionId;
use spdz2k_ring::Params;

use crate::delivery_id::DeliveryId;

/// Verified input masks for one label: the reconstructed a of each triple whose
/// a * b = c check passed. Not `Clone`: a mask is spent by one input message, because two
/// messages under the same mask would reveal the difference of the inputs.
pub struct InputMask {
    pub(crate) session: SessionId,
    pub(crate) delivery: DeliveryId,
    pub(crate) count: usize,
    /// The masks, encoded with `Params::encode`.
    pub(crate) a: Vec<u8>,
}

impl fmt::Debug for InputMask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InputMask")
            .field("session", &self.session)
            .field("delivery", &self.delivery)
            .field("count", &self.count)
            .field("a", &"<redacted>")
            .finish()
    }
}

impl InputMask {
    pub(crate) fn new<P: Params>(session: SessionId, delivery: DeliveryId, a: &[P::Word]) -> Self {
        let mut bytes = Vec::with_capacity(a.len() * P::BYTES);
        P::encode_slice(a, &mut bytes);
        Self {
            session,
            delivery,
            count: a.len(),
            a: bytes,
        }
    }

    /// The triple delivery the masks came from: the input's label, the ring (k, s) and
    /// the sequence number.
    pub fn delivery(&self) -> &DeliveryId {
        &self.delivery
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
