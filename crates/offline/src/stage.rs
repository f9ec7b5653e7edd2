//! The stages the triple and value flows share (PROTOCOL.md 1.7(a), 1.9 items 4 and 6):
//! what a step reads ([`Inbox`]), authenticating a vector by VOLE up to the opened
//! combination ([`Authenticating`]), and the closing MAC check ([`Closing`]).

use crate::auth::{Auth, Contributors, MacRun, PartsPerPeer};
use crate::coins::CoinToss;
use crate::error::CheckKind;
use crate::flow::{FlowError, FlowStep, Material};
use crate::keyset::KeySet;
use crate::msg::{Parts, encode_words, per_peer};
use crate::ot::{OtBackend, Prg};
use spdz2k_core::commit::CommitContext;
use spdz2k_core::{BroadcastTranscript, PendingLog};
use spdz2k_ring::{HasCheckRing, Params};

/// What one step of a flow reads: the key set, the batch, this party and its peers, the
/// peers' parts of the flight (index = party) and the batch's broadcast transcript.
pub(crate) struct Inbox<'a, P: HasCheckRing, O: OtBackend, G: Prg> {
    pub(crate) keys: &'a mut KeySet<P, O, G>,
    pub(crate) batch: u64,
    pub(crate) me: usize,
    pub(crate) n: usize,
    pub(crate) peers: Vec<usize>,
    pub(crate) incoming: Vec<Parts>,
    pub(crate) transcript: &'a mut BroadcastTranscript,
}

/// A malformed message: the check a flow reports it under.
pub(crate) fn message(c: crate::error::Cause) -> FlowError {
    (CheckKind::Message, c)
}

impl<'a, P: HasCheckRing, O: OtBackend, G: Prg> Inbox<'a, P, O, G> {
    /// The inbox of one flight of `batch`.
    pub(crate) fn new(
        keys: &'a mut KeySet<P, O, G>,
        batch: u64,
        incoming: Vec<Parts>,
        transcript: &'a mut BroadcastTranscript,
    ) -> Self {
        let (me, n) = (keys.party(), keys.n_parties());
        Self {
            keys,
            batch,
            me,
            n,
            peers: (0..n).filter(|&p| p != me).collect(),
            incoming,
            transcript,
        }
    }

    /// Records part `part` of every party's flight (this party's is `own`).
    pub(crate) fn record(&mut self, own: &[u8], part: usize) {
        for (p, parts) in self.incoming.iter().enumerate() {
            if p == self.me {
                self.transcript.record(p, own);
            } else if let Some(b) = parts.get(part) {
                self.transcript.record(p, b);
            }
        }
    }

    /// The coins of `toss` from the openings in part 0: records every party's opening,
    /// then checks each against its commitment.
    pub(crate) fn coins(&mut self, toss: CoinToss) -> Result<[u8; 32], FlowError> {
        self.record(&toss.opening(), 0);
        let openings: Vec<_> = (self.peers.iter())
            .map(|&p| (p, self.incoming[p][0].to_vec()))
            .collect();
        toss.finish(&openings).map_err(|c| (CheckKind::CoinToss, c))
    }

    /// Takes every peer's share of `auth`'s opened combination y (part 0) and row-check
    /// sums (part 1), recording the shares; returns y once every peer's rows passed.
    pub(crate) fn opened_y<Q: Params>(&mut self, auth: &Auth<Q>) -> Result<Q::Word, FlowError> {
        self.record(&encode_words::<Q>(&[auth.y_share()]), 0);
        let mut y = auth.y_share();
        for &p in &self.peers {
            let yp = auth.y_share_of(p, &self.incoming[p][0]).map_err(message)?;
            auth.check_rows(&self.keys.keys, p, &self.incoming[p][1], yp)
                .map_err(|c| (CheckKind::VoleRows, c))?;
            y = Q::add(y, yp);
        }
        Ok(y)
    }

    /// The same one part for every peer.
    pub(crate) fn to_all(&self, part: Vec<u8>) -> PartsPerPeer {
        per_peer(self.n, self.me, |_| vec![part.clone()])
    }
}

/// Authenticating this party's share vector at width Q, up to the opened combination:
/// first the peers' VOLE rows and coin commitments are awaited, then their coin openings.
pub(crate) struct Authenticating<Q: Params> {
    auth: Auth<Q>,
    toss: CoinToss,
    own: Vec<u8>,
}

impl<Q: Params> Authenticating<Q> {
    /// Starts authenticating `x` (its last element the mask) with coin toss number `toss`
    /// of the batch for chi; returns the state and, per peer, the coin commitment and the
    /// VOLE rows.
    pub(crate) fn start<P: HasCheckRing, O: OtBackend, G: Prg>(
        keys: &mut KeySet<P, O, G>,
        batch: u64,
        x: Vec<Q::Word>,
        who: Contributors,
        toss: u64,
    ) -> (Self, PartsPerPeer) {
        let (me, n) = (keys.party(), keys.n_parties());
        let (auth, mut vole) = Auth::<Q>::start::<G>(&keys.keys, batch, x, who);
        let (toss, own) = CoinToss::start(&keys.session, batch, toss, me, n, &mut keys.rng);
        let parts = per_peer(n, me, |p| vec![own.clone(), core::mem::take(&mut vole[p])]);
        (Self { auth, toss, own }, parts)
    }

    /// Takes every peer's coin commitment (part 0) and VOLE rows (part 1); returns the
    /// coin opening for every peer.
    pub(crate) fn receive_rows<P: HasCheckRing, O: OtBackend, G: Prg>(
        &mut self,
        inbox: &mut Inbox<'_, P, O, G>,
    ) -> Result<PartsPerPeer, FlowError> {
        inbox.record(&self.own, 0);
        for &p in &inbox.peers {
            let part = &inbox.incoming[p];
            self.toss.commitment(p, &part[0]).map_err(message)?;
            self.auth
                .receive::<G>(&inbox.keys.keys, inbox.batch, p, &part[1])
                .map_err(message)?;
        }
        Ok(inbox.to_all(self.toss.opening()))
    }

    /// Takes every peer's coin opening (part 0) and fixes chi; returns the authenticated
    /// vector, the coins, and per peer this party's y share and its row-check sums.
    pub(crate) fn open<P: HasCheckRing, O: OtBackend, G: Prg>(
        self,
        inbox: &mut Inbox<'_, P, O, G>,
    ) -> Result<(Auth<Q>, [u8; 32], PartsPerPeer), FlowError> {
        let mut auth = self.auth;
        let coins = inbox.coins(self.toss)?;
        let (y, mut rows) = auth.open::<G>(&inbox.keys.keys, inbox.batch, &coins);
        let parts = per_peer(inbox.n, inbox.me, |p| {
            vec![y.clone(), core::mem::take(&mut rows[p])]
        });
        Ok((auth, coins, parts))
    }
}

/// The closing MAC check of a batch, holding the material it releases once it passed.
pub(crate) struct Closing<Q: Params, P: HasCheckRing> {
    run: MacRun<Q>,
    out: Material<P>,
}

impl<Q: Params, P: HasCheckRing> Closing<Q, P> {
    /// Starts the MAC check of `log`, check number `check` of the batch, over the
    /// transcript so far; returns the state and the first message for every peer.
    pub(crate) fn start<O: OtBackend, G: Prg>(
        inbox: &mut Inbox<'_, P, O, G>,
        log: PendingLog<Q>,
        check: u64,
        out: Material<P>,
    ) -> (Self, PartsPerPeer) {
        let keys = &mut *inbox.keys;
        let ctx = CommitContext::for_protocol(
            "offline-mac-check",
            &keys.session,
            inbox.batch.wrapping_mul(2).wrapping_add(check),
        );
        let digest = inbox.transcript.take_digest();
        let (run, m) = MacRun::start(&keys.keys, log, digest, ctx, &mut keys.rng);
        (Self { run, out }, inbox.to_all(m))
    }

    /// One round: the next flight, or the material once the check passed.
    pub(crate) fn round<O: OtBackend, G: Prg>(
        self,
        inbox: &Inbox<'_, P, O, G>,
    ) -> Result<FlowStep<Self, P>, FlowError> {
        Ok(match self.run.round(inbox.n, inbox.me, &inbox.incoming)? {
            Some((run, parts)) => {
                let next = Self { run, out: self.out };
                FlowStep::Next(next, "offline: MAC check", parts)
            }
            None => FlowStep::Done(self.out),
        })
    }
}
