//! Rounds of messages between the parties: sending (through the tamper hook when a test
//! sets one), receiving typed messages with one expectation check, the broadcast
//! transcript, and openings.

use crate::error::EngineError;
use crate::phase::Phase;
use crate::session::Session;
use spdz2k_core::{AbortReason, WireMsg, check_terms_in_place};
use spdz2k_net::Transport;
use spdz2k_prep::Preprocessing;
use spdz2k_ring::{self as ring, Params};

/// A message kind a round expects: taken out of a [`WireMsg`] by [`Session::expect`], the
/// one place where "expected X, got Y" is checked.
pub(crate) trait Expected<P: Params>: Sized {
    /// The kind, as named in errors.
    const KIND: &'static str;
    /// The message if it is of this kind, else the message back.
    fn take(msg: WireMsg<P>) -> Result<Self, WireMsg<P>>;
    /// The number of values it carries, for kinds that carry a vector.
    fn count(&self) -> Option<usize> {
        None
    }
}

/// A peer's shares of values being opened.
pub(crate) struct Opening<P: Params>(pub(crate) Vec<P::Word>);
/// An input owner's broadcast x - r.
pub(crate) struct InputMsg<P: Params>(pub(crate) Vec<P::Word>);
/// A digest to compare.
pub(crate) struct Digest(pub(crate) [u8; 32]);

impl<P: Params> Expected<P> for Opening<P> {
    const KIND: &'static str = "an opening";
    fn take(msg: WireMsg<P>) -> Result<Self, WireMsg<P>> {
        match msg {
            WireMsg::Opening(v) => Ok(Self(v)),
            other => Err(other),
        }
    }
    fn count(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

impl<P: Params> Expected<P> for InputMsg<P> {
    const KIND: &'static str = "input values";
    fn take(msg: WireMsg<P>) -> Result<Self, WireMsg<P>> {
        match msg {
            WireMsg::Input(v) => Ok(Self(v)),
            other => Err(other),
        }
    }
    fn count(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

impl<P: Params> Expected<P> for Digest {
    const KIND: &'static str = "a digest";
    fn take(msg: WireMsg<P>) -> Result<Self, WireMsg<P>> {
        match msg {
            WireMsg::Digest(d) => Ok(Self(d)),
            other => Err(other),
        }
    }
}

impl<P: Params, T: Transport, Pr: Preprocessing<P>> Session<P, T, Pr> {
    /// Sends `encoded` to every peer. With a tamper hook set (tests), the hook sees the
    /// message `msg()` builds, once per recipient, and may alter it.
    #[cfg_attr(not(feature = "tamper-hooks"), allow(unused_variables))]
    pub(crate) async fn send_all(
        &mut self,
        phase: Phase,
        encoded: Vec<u8>,
        msg: impl FnOnce() -> WireMsg<P>,
    ) -> Result<(), EngineError> {
        #[cfg(feature = "tamper-hooks")]
        if let Some(hook) = self.tamper.as_mut() {
            let msg = msg();
            for to in (0..self.n).filter(|&p| p != self.party) {
                let mut m = msg.clone();
                hook.tamper(phase, to, &mut m);
                self.transport.send(to, m.encode()).await?;
            }
            self.pool.bytes.put(encoded);
            return Ok(());
        }
        self.transport.broadcast(encoded).await?;
        Ok(())
    }

    /// Decodes a peer's message, reusing a pooled vector for its values.
    pub(crate) fn decode(
        &mut self,
        phase: Phase,
        from: usize,
        bytes: Vec<u8>,
    ) -> Result<WireMsg<P>, EngineError> {
        let mut spare = self.pool.words.get();
        let msg = WireMsg::decode_reusing(&bytes, &mut spare)
            .map_err(|e| self.abort(phase, AbortReason::malformed(from, phase.name(), e)));
        // Unused unless the message carried values.
        self.pool.words.put(spare);
        self.pool.bytes.put(bytes);
        msg
    }

    /// The one expectation check: `msg`, from party `from` in `phase`, must be of kind `M`
    /// and, when `len` is given, carry exactly `len` values; otherwise the session aborts
    /// naming the party, the phase and what came instead.
    pub(crate) fn expect<M: Expected<P>>(
        &self,
        phase: Phase,
        from: usize,
        msg: WireMsg<P>,
        len: Option<usize>,
    ) -> Result<M, EngineError> {
        let malformed = |detail: String| {
            self.abort(
                phase,
                AbortReason::Malformed {
                    party: from,
                    phase: phase.name(),
                    detail,
                },
            )
        };
        let m = M::take(msg).map_err(|other| {
            malformed(format!(
                "a {} message where {} was expected",
                other.kind(),
                M::KIND
            ))
        })?;
        match (len, m.count()) {
            (Some(want), Some(got)) if want != got => Err(malformed(format!(
                "{got} values where {want} were expected"
            ))),
            _ => Ok(m),
        }
    }

    /// A round in which only `sender` broadcasts: the sender passes `Some(msg)`, every other
    /// party `None`. Every party records the message in the transcript; returns it.
    pub(crate) async fn broadcast_round(
        &mut self,
        phase: Phase,
        sender: usize,
        msg: Option<WireMsg<P>>,
    ) -> Result<WireMsg<P>, EngineError> {
        self.transport.begin_round(phase.name());
        self.broadcasts_since_check = true;
        match msg {
            Some(msg) => {
                let encoded = msg.encode();
                if let Some(t) = self.transcript.as_mut() {
                    t.record(sender, &encoded);
                }
                self.send_all(phase, encoded, || msg.clone()).await?;
                Ok(msg)
            }
            None => {
                let bytes = self.transport.recv(sender).await?;
                if let Some(t) = self.transcript.as_mut() {
                    t.record(sender, &bytes);
                }
                self.decode(phase, sender, bytes)
            }
        }
    }

    /// One round in which every party sends `msg` and receives one message from each peer
    /// (this party's entry is `None`). Broadcast rounds (`record`) are recorded in the
    /// transcript in party order, so every honest party hashes the same sequence.
    pub(crate) async fn exchange(
        &mut self,
        phase: Phase,
        msg: &WireMsg<P>,
        record: bool,
    ) -> Result<Vec<Option<WireMsg<P>>>, EngineError> {
        self.transport.begin_round(phase.name());
        let own = msg.encode();
        if record {
            self.broadcasts_since_check = true;
        }
        // Only with more than two parties is our own message hashed (in party order below).
        let own_for_transcript = (record && self.transcript.is_some()).then(|| own.clone());
        self.send_all(phase, own, || msg.clone()).await?;
        let mut raw = self.recv_all().await?;
        if let (Some(t), Some(own)) = (self.transcript.as_mut(), own_for_transcript) {
            for (p, bytes) in raw.iter().enumerate() {
                t.record(p, bytes.as_deref().unwrap_or(&own));
            }
        }
        let mut out = Vec::with_capacity(raw.len());
        for (p, bytes) in raw.drain(..).enumerate() {
            out.push(match bytes {
                Some(b) => Some(self.decode(phase, p, b)?),
                None => None,
            });
        }
        self.pool.received = raw;
        Ok(out)
    }

    /// Opens values from everyone's shares (no mask added here) in one round: `use_opened`
    /// sees the opened values; the pending log keeps their check terms, made from this
    /// party's MAC shares. They stay unchecked until the next MAC check.
    pub(crate) async fn open_raw<R>(
        &mut self,
        phase: Phase,
        values: Vec<P::Word>,
        macs: Vec<P::Word>,
        use_opened: impl FnOnce(&[P::Word]) -> R,
    ) -> Result<R, EngineError> {
        self.transport.begin_round(phase.name());
        let sent = self.send_opening(phase, values).await?;
        let opened = self.recv_opening(phase, sent).await?;
        let r = use_opened(&opened);
        let mut terms = macs;
        check_terms_in_place::<P>(&mut terms, &opened, &self.key);
        self.pending.push_terms(terms);
        self.pool.words.put(opened);
        Ok(r)
    }

    /// Sends this party's shares of an opening (pipelined openings send several before
    /// receiving); returns them for [`Session::recv_opening`]. Counts as a broadcast.
    pub(crate) async fn send_opening(
        &mut self,
        phase: Phase,
        values: Vec<P::Word>,
    ) -> Result<SentOpening<P>, EngineError> {
        self.broadcasts_since_check = true;
        let mut encoded = self.pool.bytes.get();
        WireMsg::<P>::encode_opening_into(&values, &mut encoded);
        // Only with more than two parties is our own message hashed (in party order, when
        // the peers' arrive).
        let for_transcript = self.transcript.is_some().then(|| encoded.clone());
        self.send_all(phase, encoded, || WireMsg::Opening(values.clone()))
            .await?;
        Ok(SentOpening {
            values,
            for_transcript,
        })
    }

    /// Receives every peer's shares of an opening sent by [`Session::send_opening`] and
    /// sums them into this party's: returns the opened values.
    pub(crate) async fn recv_opening(
        &mut self,
        phase: Phase,
        sent: SentOpening<P>,
    ) -> Result<Vec<P::Word>, EngineError> {
        let mut own = sent.values;
        let len = own.len();
        let mut raw = self.recv_all().await?;
        if let (Some(t), Some(mine)) = (self.transcript.as_mut(), &sent.for_transcript) {
            for (p, bytes) in raw.iter().enumerate() {
                t.record(p, bytes.as_deref().unwrap_or(mine));
            }
        }
        for (p, bytes) in raw.drain(..).enumerate() {
            let Some(bytes) = bytes else { continue };
            // An opening of the expected length is summed straight from its bytes; any
            // other message is decoded, to name what came instead.
            match WireMsg::<P>::add_opening_to(&bytes, &mut own) {
                Ok(true) => self.pool.bytes.put(bytes),
                Ok(false) => {
                    let msg = self.decode(phase, p, bytes)?;
                    let Opening(theirs) = self.expect::<Opening<P>>(phase, p, msg, Some(len))?;
                    ring::add_assign::<P>(&mut own, &theirs);
                    self.pool.words.put(theirs);
                }
                Err(e) => {
                    let reason = AbortReason::malformed(p, phase.name(), e);
                    return Err(self.abort(phase, reason));
                }
            }
        }
        self.pool.received = raw;
        Ok(own)
    }

    /// One message from every peer (this party's entry `None`), in the session's kept
    /// vector: the caller drains it and hands it back to `self.pool.received`, so that a
    /// round allocates nothing here.
    async fn recv_all(&mut self) -> Result<Vec<Option<Vec<u8>>>, EngineError> {
        let mut raw = std::mem::take(&mut self.pool.received);
        self.transport.recv_all_into(&mut raw).await?;
        Ok(raw)
    }
}

/// This party's shares of an opening in flight.
pub(crate) struct SentOpening<P: Params> {
    values: Vec<P::Word>,
    /// Our encoding, kept for the transcript (more than two parties only).
    for_transcript: Option<Vec<u8>>,
}
