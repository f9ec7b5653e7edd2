//! A running SPDZ2k session for one party.

use crate::error::{AbortCause, EngineError};
use crate::secret::Secret;
use crate::tamper::Phase;
#[cfg(feature = "tamper-hooks")]
use crate::tamper::TamperHook;
use rand::rngs::ChaCha20Rng;
use spdz2k_core::{
    AbortReason, AuthShares, BroadcastTranscript, CommitContext, MacKeyShare, PendingLog,
    SessionId, WireMsg, beaver_combine, beaver_openings, mask_for_opening, rng::secure_rng,
    start_mac_check, unmask_opened,
};
use spdz2k_net::Transport;
use spdz2k_prep::{PrepCounts, PrepError, Preprocessing};
use spdz2k_ring::{self as ring, Params};
use tracing::{debug, info, warn};

/// By default a MAC check runs once this many opened values are pending (MP-SPDZ uses
/// 1,000,000); it also runs before any value leaves the parties and at `finish()`.
pub const DEFAULT_CHECK_BOUND: usize = 1 << 21;

/// Session options.
#[derive(Clone, Debug)]
pub struct SessionOptions {
    /// Run a MAC check once this many opened values are pending.
    pub check_bound: usize,
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self {
            check_bound: DEFAULT_CHECK_BOUND,
        }
    }
}

/// What a session cost and checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionReport {
    /// Payload bytes this party sent.
    pub bytes_sent: u64,
    /// Payload bytes this party received.
    pub bytes_received: u64,
    /// Protocol rounds.
    pub rounds: u64,
    /// MAC checks run.
    pub checks: u64,
    /// Opened values covered by passing MAC checks.
    pub values_checked: u64,
    /// Preprocessing items discarded at session start so that no item is used twice:
    /// items another party (or an earlier, crashed run) already used or lost.
    pub prep_discarded: u64,
}

/// One party's view of a running computation. See the crate docs for the check discipline.
pub struct Session<P: Params, T: Transport, Pr: Preprocessing<P>> {
    pub(crate) party: usize,
    n: usize,
    pub(crate) session: SessionId,
    pub(crate) transport: T,
    pub(crate) prep: Pr,
    pub(crate) key: MacKeyShare<P>,
    pending: PendingLog<P>,
    /// Running hash of broadcasts, kept only with more than two parties (with two, a
    /// broadcast has one receiver and cannot equivocate).
    transcript: Option<BroadcastTranscript>,
    broadcasts_since_check: bool,
    options: SessionOptions,
    failure: Option<AbortCause>,
    rng: ChaCha20Rng,
    #[cfg(feature = "tamper-hooks")]
    tamper: Option<Box<dyn TamperHook<P>>>,
    checks: u64,
    values_checked: u64,
    /// Set while this party's z_i is out in a MAC check whose verdict is not yet known: a
    /// failure then may have told a cheater one bit of the key, so the key set is retired.
    pub(crate) z_revealed: bool,
    /// Items discarded by the preprocessing agreement; `None` until it has run.
    pub(crate) discarded: Option<PrepCounts>,
}

impl<P: Params, T: Transport, Pr: Preprocessing<P>> Session<P, T, Pr> {
    /// Starts a session for this transport's party. The preprocessing must be for the same
    /// party and number of parties.
    pub fn new(transport: T, prep: Pr, options: SessionOptions) -> Result<Self, EngineError> {
        let (party, n, session) = (
            transport.party(),
            transport.n_parties(),
            transport.session_id().clone(),
        );
        crate::ops::check_params::<P>(party, &session, transport.params())?;
        if prep.party() != party || prep.n_parties() != n {
            return Err(EngineError::Usage {
                party,
                session,
                detail: format!(
                    "preprocessing is for party {} of {} but the transport is party {party} of {n}",
                    prep.party(),
                    prep.n_parties()
                ),
            });
        }
        spdz2k_prep::ensure_not_retired(prep.key_set_id(), "this preprocessing").map_err(
            |source| EngineError::Prep {
                party,
                session: session.clone(),
                source,
            },
        )?;
        let key = prep.mac_key_share();
        info!(session = %session, party, n, params = P::NAME, "session started");
        Ok(Self {
            party,
            n,
            session,
            transport,
            prep,
            key,
            pending: PendingLog::new(),
            transcript: (n > 2).then(BroadcastTranscript::new),
            broadcasts_since_check: false,
            options,
            failure: None,
            rng: secure_rng(),
            #[cfg(feature = "tamper-hooks")]
            tamper: None,
            checks: 0,
            values_checked: 0,
            z_revealed: false,
            discarded: None,
        })
    }

    /// Makes this party cheat through `hook` (adversarial tests only; the `tamper-hooks`
    /// feature, off by default).
    #[cfg(feature = "tamper-hooks")]
    pub fn set_tamper_hook(&mut self, hook: impl TamperHook<P> + 'static) {
        warn!(session = %self.session, party = self.party, "tamper hook set: this party will cheat");
        self.tamper = Some(Box::new(hook));
    }

    /// This party's index.
    pub fn party(&self) -> usize {
        self.party
    }
    /// Number of parties.
    pub fn n_parties(&self) -> usize {
        self.n
    }
    /// The session ID.
    pub fn session_id(&self) -> &SessionId {
        &self.session
    }
    /// Opened values not yet covered by a MAC check.
    pub fn pending_checks(&self) -> usize {
        self.pending.len()
    }
    /// Whether a live session holds openings or broadcasts that no MAC check covered.
    pub(crate) fn unchecked(&self) -> bool {
        self.failure.is_none() && (!self.pending.is_empty() || self.broadcasts_since_check)
    }
    /// Preprocessing still available.
    pub fn available(&self) -> PrepCounts {
        self.prep.available()
    }
    /// Fails, naming the kind and counts, unless `needed` material is available.
    pub fn ensure_available(&self, needed: &PrepCounts) -> Result<(), EngineError> {
        self.prep
            .available()
            .check_covers(needed)
            .map_err(|source| self.prep_err(source))
    }
    /// Bytes, rounds and checks so far.
    pub fn report(&self) -> SessionReport {
        let s = self.transport.stats();
        SessionReport {
            bytes_sent: s.bytes_sent,
            bytes_received: s.bytes_received,
            rounds: s.rounds,
            checks: self.checks,
            values_checked: self.values_checked,
            prep_discarded: self.discarded.as_ref().map_or(0, PrepCounts::sum),
        }
    }

    // ---- error plumbing ----

    pub(crate) fn prep_err(&self, source: PrepError) -> EngineError {
        EngineError::Prep {
            party: self.party,
            session: self.session.clone(),
            source,
        }
    }
    pub(crate) fn usage(&self, detail: impl Into<String>) -> EngineError {
        EngineError::Usage {
            party: self.party,
            session: self.session.clone(),
            detail: detail.into(),
        }
    }
    pub(crate) fn abort(&self, phase: Phase, reason: AbortReason) -> EngineError {
        EngineError::Aborted {
            party: self.party,
            session: self.session.clone(),
            phase,
            reason,
        }
    }
    /// Refuses work after a failure.
    pub(crate) fn live(&self) -> Result<(), EngineError> {
        match &self.failure {
            None => Ok(()),
            Some(cause) => Err(EngineError::SessionFailed {
                party: self.party,
                session: self.session.clone(),
                cause: cause.clone(),
            }),
        }
    }
    /// Records the first failure; every later call is refused. A failed check retires the
    /// key set first (see [`Session::retire_after`]), so the abort is reported only once
    /// the key set can never be used again.
    pub(crate) fn fail(&mut self, err: EngineError) -> EngineError {
        if self.failure.is_none()
            && let Some(cause) = err.cause()
        {
            self.retire_after(&err, &cause);
            warn!(session = %self.session, party = self.party, error = %err, "session aborted");
            // Every peer learns the cause before this party closes.
            self.transport.abort(cause.abort_kind(), &err.to_string());
            self.failure = Some(cause);
        }
        err
    }
    fn same_len(&self, a: &Secret<P>, b: &Secret<P>) -> Result<(), EngineError> {
        if a.len() == b.len() {
            Ok(())
        } else {
            Err(self.usage(format!(
                "vectors of different lengths: {} and {}",
                a.len(),
                b.len()
            )))
        }
    }

    // ---- rounds ----

    /// Sends `msg` (already encoded as `encoded`) to every peer, through the tamper hook if
    /// one is set.
    #[cfg_attr(not(feature = "tamper-hooks"), allow(unused_variables))]
    async fn send_all(
        &mut self,
        phase: Phase,
        msg: &WireMsg<P>,
        encoded: Vec<u8>,
    ) -> Result<(), EngineError> {
        #[cfg(feature = "tamper-hooks")]
        if let Some(hook) = self.tamper.as_mut() {
            for to in (0..self.n).filter(|&p| p != self.party) {
                let mut m = msg.clone();
                hook.tamper(phase, to, &mut m);
                self.transport.send(to, m.encode()).await?;
            }
            return Ok(());
        }
        self.transport.broadcast(encoded).await?;
        Ok(())
    }

    /// A round in which only `sender` broadcasts: the sender passes `Some(msg)`, every other
    /// party `None`. Every party records the message in the transcript; returns it.
    async fn broadcast_round(
        &mut self,
        phase: Phase,
        sender: usize,
        msg: Option<WireMsg<P>>,
    ) -> Result<WireMsg<P>, EngineError> {
        self.transport.begin_round(phase.name());
        self.broadcasts_since_check = true;
        let (msg, bytes) = match msg {
            Some(msg) => {
                let encoded = msg.encode();
                let recorded = self.transcript.is_some().then(|| encoded.clone());
                self.send_all(phase, &msg, encoded).await?;
                (msg, recorded)
            }
            None => {
                let bytes = self.transport.recv(sender).await?;
                (self.decode(phase, sender, &bytes)?, Some(bytes))
            }
        };
        if let (Some(t), Some(bytes)) = (self.transcript.as_mut(), bytes) {
            t.record(sender, &bytes);
        }
        Ok(msg)
    }

    fn decode(&self, phase: Phase, from: usize, bytes: &[u8]) -> Result<WireMsg<P>, EngineError> {
        WireMsg::decode(bytes)
            .map_err(|e| self.abort(phase, AbortReason::malformed(from, phase.name(), e)))
    }

    /// One round in which every party sends `msg` and receives one message from each peer.
    /// Broadcast rounds are recorded in the transcript in party order, so every honest
    /// party hashes the same sequence.
    pub(crate) async fn exchange(
        &mut self,
        phase: Phase,
        msg: &WireMsg<P>,
        record: bool,
    ) -> Result<Vec<Option<WireMsg<P>>>, EngineError> {
        self.transport.begin_round(phase.name());
        let own = msg.encode();
        // Only with more than two parties is our own message hashed (in party order below).
        let own_for_transcript = (record && self.transcript.is_some()).then(|| own.clone());
        self.send_all(phase, msg, own).await?;
        let mut raw = Vec::with_capacity(self.n);
        for p in 0..self.n {
            raw.push(if p == self.party {
                None
            } else {
                Some(self.transport.recv(p).await?)
            });
        }
        if record {
            self.broadcasts_since_check = true;
            if let (Some(t), Some(own)) = (self.transcript.as_mut(), own_for_transcript) {
                for (p, bytes) in raw.iter().enumerate() {
                    t.record(p, bytes.as_deref().unwrap_or(&own));
                }
            }
        }
        raw.iter()
            .enumerate()
            .map(|(p, b)| b.as_ref().map(|b| self.decode(phase, p, b)).transpose())
            .collect()
    }

    /// Opens values from everyone's shares (no mask added here) and moves them, with this
    /// party's MAC shares, into the pending log. Returns where they sit in the log; they
    /// are unchecked until the next MAC check.
    pub(crate) async fn open_raw(
        &mut self,
        phase: Phase,
        shares: AuthShares<P>,
    ) -> Result<core::ops::Range<usize>, EngineError> {
        let len = shares.len();
        let (values, macs) = shares.into_parts();
        let msg = WireMsg::Opening(values);
        let msgs = self.exchange(phase, &msg, true).await?;
        let WireMsg::Opening(mut opened) = msg else {
            unreachable!("constructed as an opening above")
        };
        for (p, m) in msgs.into_iter().enumerate() {
            match m {
                None => {}
                Some(WireMsg::Opening(v)) if v.len() == len => {
                    ring::add_assign::<P>(&mut opened, &v)
                }
                Some(other) => {
                    let detail = match &other {
                        WireMsg::Opening(v) => {
                            format!("{} values where {len} were expected", v.len())
                        }
                        m => format!("a {} message where an opening was expected", m.kind()),
                    };
                    return Err(self.abort(
                        phase,
                        AbortReason::Malformed {
                            party: p,
                            phase: phase.name(),
                            detail,
                        },
                    ));
                }
            }
        }
        let start = self.pending.len();
        self.pending.push_owned(opened, macs);
        Ok(start..start + len)
    }

    /// Opened values in the pending log (see [`Session::open_raw`]).
    pub(crate) fn opened(&self, range: core::ops::Range<usize>) -> &[P::Word] {
        &self.pending.values()[range]
    }

    /// Runs the batched MAC check over every pending opened value (and, with more than two
    /// parties, compares broadcast transcripts). A no-op when nothing is pending.
    pub async fn check(&mut self) -> Result<(), EngineError> {
        self.live()?;
        let r = self.check_inner().await;
        r.map_err(|e| self.fail(e))
    }

    pub(crate) async fn check_inner(&mut self) -> Result<(), EngineError> {
        if self.pending.is_empty() && !self.broadcasts_since_check {
            return Ok(());
        }
        let log = self.pending.take();
        let count = log.len();
        let digest = self
            .transcript
            .as_mut()
            .map_or([0u8; 32], BroadcastTranscript::take_digest);
        self.broadcasts_since_check = false;
        // Every commitment of this check is bound to this session and this check's number
        // (checks are numbered from 0; a failed one ends the session).
        let ctx = CommitContext::new(&self.session, self.checks);
        let (state, msg) = start_mac_check(
            self.party,
            self.n,
            self.key,
            log,
            digest,
            ctx,
            &mut self.rng,
        );
        let msgs = self.exchange(Phase::CoinCommit, &msg, false).await?;
        let (state, msg) = state
            .receive(&msgs)
            .map_err(|r| self.abort(Phase::CoinCommit, r))?;
        let msgs = self.exchange(Phase::CoinOpen, &msg, false).await?;
        let (state, msg) = state
            .receive(&msgs)
            .map_err(|r| self.abort(Phase::CoinOpen, r))?;
        let msgs = self.exchange(Phase::ZCommit, &msg, false).await?;
        let (state, msg) = state
            .receive(&msgs)
            .map_err(|r| self.abort(Phase::ZCommit, r))?;
        self.z_revealed = true;
        let msgs = self.exchange(Phase::ZOpen, &msg, false).await?;
        state
            .receive(&msgs)
            .map_err(|r| self.abort(Phase::ZOpen, r))?;
        self.z_revealed = false;
        self.checks += 1;
        self.values_checked += count as u64;
        debug!(session = %self.session, party = self.party, values = count, "MAC check passed");
        Ok(())
    }

    async fn check_if_due(&mut self) -> Result<(), EngineError> {
        if self.pending.len() >= self.options.check_bound {
            self.check_inner().await
        } else {
            Ok(())
        }
    }

    /// Records any failure `r` carries, so later calls are refused.
    pub(crate) fn guarded<R>(&mut self, r: Result<R, EngineError>) -> Result<R, EngineError> {
        r.map_err(|e| self.fail(e))
    }

    // ---- the embedding API ----

    /// Secret-shares `len` values owned by party `owner`. The owner passes `Some(values)`
    /// (interpreted mod 2^k); every other party passes `None`. One round: the owner
    /// broadcasts x - r for input masks r only it knows.
    pub async fn input(
        &mut self,
        owner: usize,
        values: Option<&[P::Word]>,
        len: usize,
    ) -> Result<Secret<P>, EngineError> {
        self.live()?;
        let r = self.input_inner(owner, values, len).await;
        self.guarded(r)
    }

    async fn input_inner(
        &mut self,
        owner: usize,
        values: Option<&[P::Word]>,
        len: usize,
    ) -> Result<Secret<P>, EngineError> {
        if owner >= self.n {
            return Err(self.usage(format!(
                "no party {owner} in a session of {} parties",
                self.n
            )));
        }
        self.ensure_agreed().await?;
        let masks = self
            .prep
            .input_masks(owner, len)
            .map_err(|e| self.prep_err(e))?;
        let own = if owner == self.party {
            let values = values.ok_or_else(|| {
                self.usage(format!("party {owner} owns this input but gave no values"))
            })?;
            if values.len() != len {
                return Err(self.usage(format!(
                    "{} input values given, {len} declared",
                    values.len()
                )));
            }
            let clear = masks
                .clear
                .as_ref()
                .ok_or_else(|| self.usage("input masks without the owner's clear values"))?;
            let eps: Vec<P::Word> = values
                .iter()
                .zip(clear)
                .map(|(&x, &r)| P::sub(P::reduce(x), r))
                .collect();
            Some(WireMsg::Input(eps))
        } else {
            None
        };
        let eps = match self.broadcast_round(Phase::Input, owner, own).await? {
            WireMsg::Input(v) if v.len() == len => v,
            other => {
                let detail = format!(
                    "expected {len} input values, got a {} message",
                    other.kind()
                );
                return Err(self.abort(
                    Phase::Input,
                    AbortReason::Malformed {
                        party: owner,
                        phase: "input",
                        detail,
                    },
                ));
            }
        };
        let mut shares = masks.shares;
        shares.add_public(&eps, &self.key, self.party);
        Ok(Secret::new(shares))
    }

    /// [`Session::input`] for signed integers (taken mod 2^k).
    pub async fn input_signed(
        &mut self,
        owner: usize,
        values: Option<&[i128]>,
        len: usize,
    ) -> Result<Secret<P>, EngineError> {
        let words: Option<Vec<P::Word>> =
            values.map(|v| v.iter().map(|&x| P::from_i128(x)).collect());
        self.input(owner, words.as_deref(), len).await
    }

    /// [`Session::open`], read as k-bit two's-complement integers.
    pub async fn open_signed(&mut self, a: &Secret<P>) -> Result<Vec<i128>, EngineError> {
        Ok(self.open(a).await?.into_iter().map(P::to_signed).collect())
    }

    /// \[a\] + \[b\].
    pub fn add(&self, a: &Secret<P>, b: &Secret<P>) -> Result<Secret<P>, EngineError> {
        self.same_len(a, b)?;
        Ok(Secret::new(a.shares.add(&b.shares)))
    }
    /// \[a\] - \[b\].
    pub fn sub(&self, a: &Secret<P>, b: &Secret<P>) -> Result<Secret<P>, EngineError> {
        self.same_len(a, b)?;
        Ok(Secret::new(a.shares.sub(&b.shares)))
    }
    /// -\[a\].
    pub fn neg(&self, a: &Secret<P>) -> Secret<P> {
        Secret::new(a.shares.neg())
    }
    /// \[a\] + c elementwise for public c.
    pub fn add_public(&self, a: &Secret<P>, c: &[P::Word]) -> Result<Secret<P>, EngineError> {
        if c.len() != a.len() {
            return Err(self.usage(format!("{} constants for {} values", c.len(), a.len())));
        }
        let mut s = a.shares.clone();
        s.add_public(c, &self.key, self.party);
        Ok(Secret::new(s))
    }
    /// c * \[a\] elementwise for public c.
    pub fn mul_public(&self, a: &Secret<P>, c: &[P::Word]) -> Result<Secret<P>, EngineError> {
        if c.len() != a.len() {
            return Err(self.usage(format!("{} constants for {} values", c.len(), a.len())));
        }
        let mut s = a.shares.clone();
        s.mul_public(c);
        Ok(Secret::new(s))
    }
    /// c * \[a\] for one public constant.
    pub fn scale(&self, a: &Secret<P>, c: P::Word) -> Secret<P> {
        let mut s = a.shares.clone();
        s.scale(c);
        Secret::new(s)
    }
    /// A public vector as a secret (no communication).
    pub fn constant(&self, c: &[P::Word]) -> Secret<P> {
        let mut s = AuthShares::zeros(c.len());
        s.add_public(c, &self.key, self.party);
        Secret::new(s)
    }

    /// \[a\] * \[b\] elementwise: one round for the whole batch (2 openings per product).
    pub async fn mul(&mut self, a: &Secret<P>, b: &Secret<P>) -> Result<Secret<P>, EngineError> {
        self.live()?;
        let r = self.mul_inner(a, b).await;
        self.guarded(r)
    }

    async fn mul_inner(&mut self, a: &Secret<P>, b: &Secret<P>) -> Result<Secret<P>, EngineError> {
        self.same_len(a, b)?;
        self.ensure_agreed().await?;
        let t = self.prep.triples(a.len()).map_err(|e| self.prep_err(e))?;
        let ed = beaver_openings(&a.shares, &b.shares, &t);
        let opened = self.open_raw(Phase::BeaverOpening, ed).await?;
        let z = beaver_combine(&t, self.opened(opened), &self.key, self.party);
        self.check_if_due().await?;
        Ok(Secret::new(z))
    }

    /// sum_j \[a_j\] * \[b_j\]: one round, a secret vector of length 1.
    pub async fn dot(&mut self, a: &Secret<P>, b: &Secret<P>) -> Result<Secret<P>, EngineError> {
        let products = self.mul(a, b).await?;
        Ok(Secret::new(products.shares.sum()))
    }

    /// Opens values to every party, after a passing MAC check over everything pending.
    /// Returns the values mod 2^k.
    pub async fn open(&mut self, a: &Secret<P>) -> Result<Vec<P::Word>, EngineError> {
        self.live()?;
        let r = self.open_inner(a).await;
        self.guarded(r)
    }

    async fn open_inner(&mut self, a: &Secret<P>) -> Result<Vec<P::Word>, EngineError> {
        self.ensure_agreed().await?;
        let masks = self
            .prep
            .open_masks(a.len())
            .map_err(|e| self.prep_err(e))?;
        let masked = mask_for_opening(&a.shares, &masks);
        let opened = self.open_raw(Phase::MaskedOpening, masked).await?;
        let values = unmask_opened::<P>(self.opened(opened));
        self.check_inner().await?;
        Ok(values)
    }

    /// Opens values to party `to` only, after a passing MAC check: `to` gets `Some(values)`
    /// mod 2^k, every other party `None`.
    ///
    /// Per value it uses one of `to`'s input masks r and one fresh opening mask r' and opens
    /// (x - r) + 2^k r' (PROTOCOL.md 1.2, pattern 1). The r hides x from everyone but `to`;
    /// the r' hides the top s bits of x - r from `to`, who would otherwise learn x mod
    /// 2^(k+s), i.e. the overflow of the products x was computed from.
    pub async fn output_to(
        &mut self,
        to: usize,
        a: &Secret<P>,
    ) -> Result<Option<Vec<P::Word>>, EngineError> {
        self.live()?;
        let r = self.output_inner(to, a).await;
        self.guarded(r)
    }

    async fn output_inner(
        &mut self,
        to: usize,
        a: &Secret<P>,
    ) -> Result<Option<Vec<P::Word>>, EngineError> {
        if to >= self.n {
            return Err(self.usage(format!("no party {to} in a session of {} parties", self.n)));
        }
        self.ensure_agreed().await?;
        let masks = self
            .prep
            .input_masks(to, a.len())
            .map_err(|e| self.prep_err(e))?;
        let top = self
            .prep
            .open_masks(a.len())
            .map_err(|e| self.prep_err(e))?;
        let masked = mask_for_opening(&a.shares.sub(&masks.shares), &top);
        let opened = self.open_raw(Phase::OutputOpening, masked).await?;
        let opened = self.opened(opened).to_vec();
        self.check_inner().await?;
        Ok(masks.clear.map(|r| {
            let mut x = opened;
            ring::add_assign::<P>(&mut x, &r);
            x.into_iter().map(P::reduce_k).collect()
        }))
    }

    /// Sends an application message (e.g. a sealed envelope for a proxy) to party `to` over
    /// the session's transport. Both sides must agree on when such messages flow.
    pub async fn send_bytes(
        &mut self,
        to: usize,
        phase: &'static str,
        bytes: Vec<u8>,
    ) -> Result<(), EngineError> {
        self.live()?;
        self.transport.begin_round(phase);
        let r = self
            .transport
            .send(to, bytes)
            .await
            .map_err(EngineError::from);
        self.guarded(r)
    }

    /// Receives an application message from party `from` (see [`Session::send_bytes`]).
    pub async fn recv_bytes(
        &mut self,
        from: usize,
        phase: &'static str,
    ) -> Result<Vec<u8>, EngineError> {
        self.live()?;
        self.transport.begin_round(phase);
        let r = self.transport.recv(from).await.map_err(EngineError::from);
        self.guarded(r)
    }

    /// Ends the session: runs the final MAC check over anything pending and reports.
    /// Then the closing handshake: returns only once every peer has everything this party
    /// sent (see [`Transport::close`]).
    pub async fn finish(mut self) -> Result<SessionReport, EngineError> {
        self.check().await?;
        let closed = self.transport.close().await.map_err(EngineError::from);
        self.guarded(closed)?;
        let report = self.report();
        info!(session = %self.session, party = self.party, rounds = report.rounds,
              bytes_sent = report.bytes_sent, checks = report.checks, "session finished");
        Ok(report)
    }
}
