//! A running SPDZ2k session for one party.

use crate::error::{AbortCause, EngineError};
use crate::phase::Phase;
use crate::pool::Pool;
use crate::stock::Stock;
#[cfg(feature = "tamper-hooks")]
use crate::tamper::TamperHook;
use rand::rngs::ChaCha20Rng;
use spdz2k_core::{
    AbortReason, BroadcastTranscript, CommitContext, LogChunk, MacKeyShare, PendingLog, SessionId,
    rng::secure_rng, start_mac_check,
};
use spdz2k_net::Transport;
use spdz2k_prep::{PrepCounts, PrepError, Preprocessing};
use spdz2k_ring::Params;
use tracing::{debug, info, warn};

/// By default a MAC check runs once this many opened values are pending (MP-SPDZ uses
/// 1,000,000); it also runs before any value leaves the parties and at `finish()`.
pub const DEFAULT_CHECK_BOUND: usize = 1 << 21;

/// By default a multiplication of more than this many products is split into sub-batches
/// of this size, pipelined: sub-batch i+1 is sent before sub-batch i is combined. Chosen
/// by measurement (docs/BENCHMARKS.md); see [`Session::set_sub_batch`].
pub const DEFAULT_SUB_BATCH: usize = 1 << 15;

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
    pub(crate) n: usize,
    pub(crate) session: SessionId,
    /// The log span of this party in this session: every line the session logs names both.
    pub(crate) span: tracing::Span,
    pub(crate) transport: T,
    pub(crate) prep: Pr,
    pub(crate) key: MacKeyShare<P>,
    pub(crate) pending: PendingLog<P>,
    /// Running hash of broadcasts, kept only with more than two parties (with two, a
    /// broadcast has one receiver and cannot equivocate).
    pub(crate) transcript: Option<BroadcastTranscript>,
    pub(crate) broadcasts_since_check: bool,
    pub(crate) options: SessionOptions,
    /// Products per pipelined sub-batch of a multiplication.
    pub(crate) sub_batch: usize,
    /// Preprocessing drawn ahead ([`Session::preload`]).
    pub(crate) stock: Stock<P>,
    /// Spare buffers, so that the steady state allocates nothing per batch.
    pub(crate) pool: Buffers<P>,
    failure: Option<AbortCause>,
    rng: ChaCha20Rng,
    #[cfg(feature = "tamper-hooks")]
    pub(crate) tamper: Option<Box<dyn TamperHook<P>>>,
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
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/doc/two_parties.rs"));
    /// # fn main() {
    /// use spdz2k_engine::{Session, SessionOptions};
    /// use spdz2k_net::{MemoryMesh, Transport};
    /// use spdz2k_prep::InsecureDealerSource;
    /// use spdz2k_ring::K64S64;
    ///
    /// let sid = spdz2k_core::SessionId::new("new").unwrap();
    /// let mut transports = MemoryMesh::connect(2, sid, std::time::Duration::from_secs(5));
    /// let t = transports.remove(0);
    /// // INSECURE test preprocessing; a deployment uses `spdz2k_offline::generate_secure` or a file.
    /// let prep = InsecureDealerSource::<K64S64>::new(t.party(), 2, [7; 32]).unwrap();
    /// let s = Session::new(t, prep, SessionOptions::default()).unwrap();
    /// assert_eq!((s.party(), s.n_parties()), (0, 2));
    /// # }
    /// ```
    pub fn new(transport: T, prep: Pr, options: SessionOptions) -> Result<Self, EngineError> {
        let (party, n, session) = (
            transport.party(),
            transport.n_parties(),
            transport.session_id().clone(),
        );
        crate::error::check_params::<P>(party, &session, transport.params())?;
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
        let span = session.span(party);
        info!(parent: &span, n, params = P::NAME, "session started");
        Ok(Self {
            party,
            n,
            session,
            span,
            transport,
            prep,
            key,
            pending: PendingLog::new(),
            transcript: (n > 2).then(BroadcastTranscript::new),
            broadcasts_since_check: false,
            options,
            sub_batch: DEFAULT_SUB_BATCH,
            stock: Stock::new(n),
            pool: Buffers::default(),
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
        warn!(parent: &self.span, "tamper hook set: this party will cheat");
        self.tamper = Some(Box::new(hook));
    }

    /// Sets the products per pipelined sub-batch of a multiplication (at least 1; the
    /// default is [`DEFAULT_SUB_BATCH`]). Every party must use the same size: it sets the
    /// size of each opening message. Results and checks do not change; each further
    /// sub-batch costs one message header (9 bytes) per peer.
    pub fn set_sub_batch(&mut self, products: usize) {
        self.sub_batch = products.max(1);
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
    /// Preprocessing still available (including what [`Session::preload`] drew ahead).
    pub fn available(&self) -> PrepCounts {
        let (mut a, s) = (self.prep.available(), self.stock.left());
        a.triples = a.triples.saturating_add(s.triples);
        a.open_masks = a.open_masks.saturating_add(s.open_masks);
        for (a, s) in a.input_masks.iter_mut().zip(&s.input_masks) {
            *a = a.saturating_add(*s);
        }
        a
    }
    /// Fails, naming the kind and counts, unless `needed` material is available.
    pub fn ensure_available(&self, needed: &PrepCounts) -> Result<(), EngineError> {
        self.available()
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
            warn!(parent: &self.span, error = %err, "session aborted");
            // Every peer learns the cause before this party closes.
            self.transport.abort(cause.abort_kind(), &err.to_string());
            self.failure = Some(cause);
        }
        err
    }

    /// Runs the batched MAC check over every pending opened value (and, with more than two
    /// parties, compares broadcast transcripts). A no-op when nothing is pending.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/doc/two_parties.rs"));
    /// # fn main() {
    /// let pending = two_parties(|mut s: S| async move {
    ///     let a = s.input(0, (s.party() == 0).then_some(&[3u128][..]), 1).await?;
    ///     let _b = s.mul(&a, &a).await?; // opens two masked values: they are now pending
    ///     let before = s.pending_checks();
    ///     s.check().await?;
    ///     let after = s.pending_checks();
    ///     s.finish().await?;
    ///     Ok((before, after))
    /// });
    /// assert_eq!(pending[0], (2, 0));
    /// # }
    /// ```
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
        let started = std::time::Instant::now();
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
        let (mut state, msg) = state
            .receive(&msgs)
            .map_err(|r| self.abort(Phase::CoinOpen, r))?;
        // z is computed: the log's memory serves the next openings, and its chunk list
        // the next log.
        let mut chunks = state.release_log().into_chunks();
        for vec in chunks.drain(..).flat_map(LogChunk::into_vecs) {
            self.pool.words.put(vec);
        }
        self.pending.recycle(chunks);
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
        debug!(parent: &self.span, values = count,
               seconds = started.elapsed().as_secs_f64(), "MAC check passed");
        Ok(())
    }

    pub(crate) async fn check_if_due(&mut self) -> Result<(), EngineError> {
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

    /// Ends the session: runs the final MAC check over anything pending and reports.
    /// Then the closing handshake: returns only once every peer has everything this party
    /// sent (see [`Transport::close`]).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/doc/two_parties.rs"));
    /// # fn main() {
    /// let reports = two_parties(|mut s: S| async move {
    ///     let a = s.input(0, (s.party() == 0).then_some(&[3u128][..]), 1).await?;
    ///     let _ = s.mul(&a, &a).await?;
    ///     s.finish().await // the last MAC check, then the closing handshake
    /// });
    /// assert_eq!(reports[0].checks, 1);
    /// assert_eq!(reports[0].values_checked, 2);
    /// # }
    /// ```
    pub async fn finish(mut self) -> Result<SessionReport, EngineError> {
        self.check().await?;
        let closed = self.transport.close().await.map_err(EngineError::from);
        self.guarded(closed)?;
        let report = self.report();
        info!(parent: &self.span, rounds = report.rounds,
              bytes_sent = report.bytes_sent, checks = report.checks, "session finished");
        Ok(report)
    }
}

/// The session's spare buffers (see [`crate::pool`]).
pub(crate) struct Buffers<P: Params> {
    /// Ring-element vectors: the log's after a check, decoded openings.
    pub(crate) words: Pool<P::Word>,
    /// Byte buffers: received messages, reused for the next encoding.
    pub(crate) bytes: Pool<u8>,
    /// One round's received messages (one entry per party), kept between rounds.
    pub(crate) received: Vec<Option<Vec<u8>>>,
}

impl<P: Params> Default for Buffers<P> {
    fn default() -> Self {
        Self {
            words: Pool::default(),
            bytes: Pool::default(),
            received: Vec::new(),
        }
    }
}
