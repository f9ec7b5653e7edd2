//! What the triple and value flows share with the batch that runs them: the checked
//! material, a flow step's result, and the broadcast and coin-toss helpers. The flows
//! return their own state; `crate::batch` wraps it in its `Flow` enum.

use crate::coins::CoinToss;
use crate::error::{Cause, CheckKind};
use crate::msg::Parts;
use spdz2k_core::{AuthShares, BroadcastTranscript, Triples};
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

/// Records the broadcast part `part` of every party (own first at its index) in order.
pub(crate) fn record_broadcast(
    transcript: &mut BroadcastTranscript,
    me: usize,
    own: &[u8],
    incoming: &[Parts],
    part: usize,
) {
    for (p, parts) in incoming.iter().enumerate() {
        if p == me {
            transcript.record(p, own);
        } else if let Some(b) = parts.get(part) {
            transcript.record(p, b);
        }
    }
}

/// The coins of a batch's coin toss from the openings in part 0 of `incoming`: records
/// every party's opening in the transcript, then checks each against its commitment.
pub(crate) fn open_coins(
    toss: CoinToss,
    transcript: &mut BroadcastTranscript,
    me: usize,
    peers: &[usize],
    incoming: &[Parts],
) -> Result<[u8; 32], (CheckKind, Cause)> {
    record_broadcast(transcript, me, &toss.opening(), incoming, 0);
    let openings: Vec<_> = peers
        .iter()
        .map(|&p| (p, incoming[p][0].to_vec()))
        .collect();
    toss.finish(&openings).map_err(|c| (CheckKind::CoinToss, c))
}

/// A flow's first flight: the flow, the phase name and the parts per peer.
pub(crate) type FirstFlight<F> = (F, &'static str, Vec<Vec<Vec<u8>>>);

/// A flow's error: the check and the cause.
pub(crate) type FlowError = (CheckKind, Cause);
