//! The batch state machine: one batch of triples, randoms or input masks, flight by flight.
//!
//! [`Batch::start`] returns the first flight (one message per peer); every
//! [`Batch::receive`] takes the peers' messages of that flight and returns the next flight
//! or the finished material. Frames carry the batch number and flight, so a driver may keep
//! several batches in flight as long as every party steps them in the same order.

use crate::error::{Cause, CheckKind, OfflineError};
use crate::flow::{FlowStep, Material};
use crate::keyset::KeySet;
use crate::msg::{Parts, PeerMessages, decode_frame};
use crate::ot::{OtBackend, Prg};
use crate::stage::Inbox;
use crate::{triples::TripleFlow, values::ValueFlow};
use spdz2k_core::BroadcastTranscript;
use spdz2k_ring::HasCheckRing;

/// What a batch makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchKind {
    /// Multiplication triples, sacrificed over Z_2^(k+2s).
    Triples(usize),
    /// Authenticated uniform randoms (also used as opening masks).
    Randoms(usize),
    /// Input masks of `owner`.
    InputMasks {
        /// The party that learns the masks.
        owner: usize,
        /// How many.
        count: usize,
    },
}

/// One flight of messages: entry p goes to party p (`None` for this party).
#[derive(Debug)]
pub struct Flight {
    /// The batch.
    pub batch: u64,
    /// The flight number within the batch.
    pub flight: u8,
    /// A name for the transport's round counter and errors.
    pub phase: &'static str,
    /// The messages.
    pub msgs: PeerMessages,
}

/// What a step returns.
#[derive(Debug)]
// Moved once per flight; boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum Progress<P: HasCheckRing> {
    /// Send the flight, then feed the peers' replies to the batch.
    Send(Batch<P>, Flight),
    /// Every check passed: the material may be used.
    Done(Material<P>),
}

pub(crate) enum Flow<P: HasCheckRing> {
    Triples(TripleFlow<P>),
    Values(ValueFlow<P>),
}

/// A batch in progress. It holds secrets: its `Debug` shows only its number and kind.
pub struct Batch<P: HasCheckRing> {
    pub(crate) id: u64,
    pub(crate) kind: BatchKind,
    pub(crate) flight: u8,
    pub(crate) sent: u64,
    pub(crate) transcript: BroadcastTranscript,
    pub(crate) flow: Flow<P>,
}

impl<P: HasCheckRing> core::fmt::Debug for Batch<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "Batch<{}>({} {:?}, flight {})",
            P::NAME,
            self.id,
            self.kind,
            self.flight
        )
    }
}

impl<P: HasCheckRing> Batch<P> {
    /// Starts a batch of `kind` on `keys`; returns the batch and its first flight.
    pub fn start<O: OtBackend, G: Prg>(
        keys: &mut KeySet<P, O, G>,
        kind: BatchKind,
    ) -> Result<(Self, Flight), OfflineError> {
        keys.ensure_live()?;
        let id = keys.next_batch;
        keys.next_batch += 1;
        let mut transcript = BroadcastTranscript::new();
        let (flow, phase, parts) = match kind {
            BatchKind::Triples(count) => TripleFlow::start(keys, id, count, &mut transcript)
                .map(|(f, phase, parts)| (Flow::Triples(f), phase, parts)),
            BatchKind::Randoms(count) => ValueFlow::start(keys, id, count, None, &mut transcript)
                .map(|(f, phase, parts)| (Flow::Values(f), phase, parts)),
            BatchKind::InputMasks { owner, count } => {
                if owner >= keys.n_parties() {
                    return Err(OfflineError::Invalid {
                        party: keys.party(),
                        detail: format!("input-mask owner {owner} of {}", keys.n_parties()),
                    });
                }
                ValueFlow::start(keys, id, count, Some(owner), &mut transcript)
                    .map(|(f, phase, parts)| (Flow::Values(f), phase, parts))
            }
        }
        .map_err(|(check, cause)| keys.fail(id, check, cause))?;
        let mut batch = Self {
            id,
            kind,
            flight: 0,
            sent: 0,
            transcript,
            flow,
        };
        let flight = batch.emit(keys, phase, parts);
        Ok((batch, flight))
    }

    /// The batch number.
    pub fn id(&self) -> u64 {
        self.id
    }
    /// The kind.
    pub fn kind(&self) -> BatchKind {
        self.kind
    }
    /// Payload bytes this party has sent for the batch so far (all peers, frames included).
    pub fn bytes_sent(&self) -> u64 {
        self.sent
    }

    fn emit<O: OtBackend, G: Prg>(
        &mut self,
        keys: &mut KeySet<P, O, G>,
        phase: &'static str,
        parts: Vec<Vec<Vec<u8>>>,
    ) -> Flight {
        let mut parts = parts;
        let msgs = keys.frames(self.id, self.flight, &mut self.sent, |p| {
            core::mem::take(&mut parts[p])
        });
        Flight {
            batch: self.id,
            flight: self.flight,
            phase,
            msgs,
        }
    }

    /// Takes the peers' messages of the current flight and advances.
    pub fn receive<O: OtBackend, G: Prg>(
        mut self,
        keys: &mut KeySet<P, O, G>,
        msgs: PeerMessages,
    ) -> Result<Progress<P>, OfflineError> {
        keys.ensure_live()?;
        let id = self.id;
        let n = keys.n_parties();
        let me = keys.party();
        let nparts = match &self.flow {
            Flow::Triples(t) => t.parts_expected(),
            Flow::Values(v) => v.parts_expected(),
        };
        let mut msgs = msgs;
        msgs.resize(n, None);
        let mut incoming: Vec<Parts> = (0..n).map(|_| Parts::default()).collect();
        for (p, m) in msgs.into_iter().enumerate().filter(|&(p, _)| p != me) {
            incoming[p] =
                decode_frame(p, m.unwrap_or_default(), id, self.flight, nparts).map_err(|c| {
                    let check = match c {
                        Cause::PeerAborted { .. } => CheckKind::PeerAbort,
                        _ => CheckKind::Message,
                    };
                    keys.fail(id, check, c)
                })?;
        }
        let inbox = Inbox::new(&mut *keys, id, incoming, &mut self.transcript);
        let step = match self.flow {
            Flow::Triples(t) => t.receive(inbox).map(|s| s.map_flow(Flow::Triples)),
            Flow::Values(v) => v.receive(inbox).map(|s| s.map_flow(Flow::Values)),
        }
        .map_err(|(check, cause)| keys.fail(id, check, cause))?;
        match step {
            FlowStep::Next(flow, phase, parts) => {
                self.flow = flow;
                self.flight += 1;
                let flight = self.emit(keys, phase, parts);
                Ok(Progress::Send(self, flight))
            }
            FlowStep::Done(m) => {
                tracing::debug!(party = me, batch = id, kind = ?self.kind, bytes = self.sent,
                                "offline batch done");
                Ok(Progress::Done(m))
            }
        }
    }
}
