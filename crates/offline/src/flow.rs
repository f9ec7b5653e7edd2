//! What the triple and value flows share with the batch that runs them: the checked
//! material and a flow step's result (the stages they share are in `crate::stage`). The
//! flows return their own state; `crate::batch` wraps it in its `Flow` enum.

use crate::error::{Cause, CheckKind};
use spdz2k_core::{AuthShares, Triples};
use spdz2k_prep::InputMasks;
use spdz2k_ring::HasCheckRing;

/// The checked output of a batch.
#[derive(Debug)]
pub enum Material<P: HasCheckRing> {
    /// Triples.
    Triples(Triples<P>),
    /// Randoms.
    Randoms(AuthShares<P>),
    /// Input masks of `owner`.
    InputMasks {
        /// The owner.
        owner: usize,
        /// This party's shares (and the clear masks if it is the owner).
        masks: InputMasks<P>,
    },
}

/// What a flow step returns: the flow and the next flight's parts, or the material.
// Moved once per flight; boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub(crate) enum FlowStep<F, P: HasCheckRing> {
    Next(F, &'static str, Vec<Vec<Vec<u8>>>),
    Done(Material<P>),
}

impl<F, P: HasCheckRing> FlowStep<F, P> {
    /// The same step with the flow wrapped by `wrap` (the batch's `Flow` enum).
    pub(crate) fn map_flow<G>(self, wrap: impl FnOnce(F) -> G) -> FlowStep<G, P> {
        match self {
            Self::Next(flow, phase, parts) => FlowStep::Next(wrap(flow), phase, parts),
            Self::Done(m) => FlowStep::Done(m),
        }
    }
}

/// A flow's first flight: the flow, the phase name and the parts per peer.
pub(crate) type FirstFlight<F> = (F, &'static str, Vec<Vec<Vec<u8>>>);

/// A flow's error: the check and the cause.
pub(crate) type FlowError = (CheckKind, Cause);
