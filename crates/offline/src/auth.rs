//! Authentication of one party's share vector at width Q (PROTOCOL.md 1.7(a), 1.9 item 4),
//! with the row-consistency check, and the MAC check runner over the core state machines.

use crate::coins::coin_stream;
use crate::error::{Cause, CheckKind};
use crate::keyset::VoleKeys;
use crate::msg::{decode_words, encode_words};
use crate::ot::Prg;
use crate::vole;
use rand::Rng;
use spdz2k_core::{
    AbortReason, AwaitingCoinCommits, AwaitingCoinOpens, AwaitingZCommits, AwaitingZOpens,
    MacKeyShare, PendingLog, WireMsg, start_mac_check,
};
use spdz2k_ring::{Params, Word};

/// Which parties contribute a (nonzero) share vector: all, or only an input-mask owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Contributors {
    /// Every party.
    All,
    /// Only this party; every other share is 0 and is not sent through VOLE.
    Only(usize),
}

impl Contributors {
    pub(crate) fn includes(self, p: usize) -> bool {
        match self {
            Self::All => true,
            Self::Only(o) => o == p,
        }
    }
}

/// One party's side of authenticating a vector x (its shares, the last element a random
/// mask) at width Q.
pub(crate) struct Auth<Q: Params> {
    pub(crate) x: Vec<Q::Word>,
    pub(crate) macs: Vec<Q::Word>,
    rows: Vec<Option<Vec<Q::Word>>>,
    who: Contributors,
    chi: Vec<Q::Word>,
    y_share: Q::Word,
}

impl<Q: Params> Auth<Q> {
    /// Starts: MAC shares alpha_i x_i plus the sender side of every VOLE; returns the VOLE
    /// part for each peer (empty when this party does not contribute).
    pub(crate) fn start<G: Prg>(
        keys: &VoleKeys,
        batch: u64,
        x: Vec<Q::Word>,
        who: Contributors,
    ) -> (Self, Vec<Vec<u8>>) {
        let alpha = keys.alpha::<Q>();
        let mut macs: Vec<Q::Word> = x.iter().map(|&v| Q::mul(alpha, v)).collect();
        let mut parts = vec![Vec::new(); keys.n];
        if who.includes(keys.party) {
            for p in keys.peers() {
                vole::send::<Q, G>(&keys.send[p], batch, &x, &mut macs, &mut parts[p]);
            }
        }
        let auth = Self {
            x,
            macs,
            rows: vec![None; keys.n],
            who,
            chi: Vec::new(),
            y_share: <Q::Word as Word>::ZERO,
        };
        (auth, parts)
    }

    /// Receives `peer`'s VOLE rows.
    pub(crate) fn receive<G: Prg>(
        &mut self,
        keys: &VoleKeys,
        batch: u64,
        peer: usize,
        bytes: &[u8],
    ) -> Result<(), Cause> {
        if !self.who.includes(peer) {
            return if bytes.is_empty() {
                Ok(())
            } else {
                Err(Cause::Malformed {
                    peer,
                    what: "VOLE",
                    detail: "rows from a party that contributes no values".into(),
                })
            };
        }
        let len = self.x.len();
        let bad = |detail: String| Cause::Malformed {
            peer,
            what: "VOLE",
            detail,
        };
        let expected = keys.bits.len() * len * Q::BYTES;
        if bytes.len() != expected {
            return Err(bad(format!(
                "expected {expected} bytes, got {}",
                bytes.len()
            )));
        }
        let w = vole::receive::<Q, G>(&keys.recv[peer], &keys.bits, batch, bytes, &mut self.macs)
            .map_err(|e| bad(e.to_string()))?;
        self.rows[peer] = Some(w);
        Ok(())
    }

    /// After the coins: fixes chi (coefficient 1 on the mask element) and returns this
    /// party's share of y = sum chi_e x_e and its row-check part for each peer.
    pub(crate) fn open<G: Prg>(
        &mut self,
        keys: &VoleKeys,
        batch: u64,
        coins: &[u8; 32],
    ) -> (Vec<u8>, Vec<Vec<u8>>) {
        let mut rng = coin_stream(coins, "vole-chi");
        let len = self.x.len();
        self.chi = vec![<Q::Word as Word>::ZERO; len];
        rng.fill_words::<Q>(&mut self.chi);
        if let Some(last) = self.chi.last_mut() {
            *last = Q::from_u128(1);
        }
        self.y_share = vole::combine::<Q>(&self.chi, &self.x);
        let mut parts = vec![Vec::new(); keys.n];
        if self.who.includes(keys.party) {
            for p in keys.peers() {
                let sums = vole::row_sums::<Q, G>(&keys.send[p], batch, &self.chi);
                parts[p] = encode_words::<Q>(&sums);
            }
        }
        (encode_words::<Q>(&[self.y_share]), parts)
    }

    /// Decodes a peer's y share.
    pub(crate) fn y_share_of(&self, peer: usize, bytes: &[u8]) -> Result<Q::Word, Cause> {
        let v = decode_words::<Q>(peer, "opened combination", bytes, 1)?;
        if !self.who.includes(peer) && v[0] != <Q::Word as Word>::ZERO {
            return Err(Cause::Malformed {
                peer,
                what: "opened combination",
                detail: "a nonzero share from a party that contributes no values".into(),
            });
        }
        Ok(v[0])
    }

    /// This party's share of y.
    pub(crate) fn y_share(&self) -> Q::Word {
        self.y_share
    }

    /// The row check of `peer`'s VOLE, given its row sums and its y share.
    pub(crate) fn check_rows(
        &self,
        keys: &VoleKeys,
        peer: usize,
        bytes: &[u8],
        y_peer: Q::Word,
    ) -> Result<(), Cause> {
        let Some(w) = self.rows[peer].as_ref() else {
            return Ok(());
        };
        let sums = decode_words::<Q>(peer, "VOLE row check", bytes, keys.bits.len())?;
        match vole::check_rows::<Q>(w, &keys.bits, &self.chi, &sums, y_peer) {
            None => Ok(()),
            Some(row) => Err(Cause::InconsistentRows { peer, row }),
        }
    }

    /// This party's MAC share of y.
    pub(crate) fn y_mac(&self) -> Q::Word {
        vole::combine::<Q>(&self.chi, &self.macs)
    }
}

/// The MAC check of a batch, over the core state machines (PROTOCOL.md 1.3 at width Q).
pub(crate) enum MacRun<Q: Params> {
    CoinCommits(AwaitingCoinCommits<Q>),
    CoinOpens(AwaitingCoinOpens<Q>),
    ZCommits(AwaitingZCommits<Q>),
    ZOpens(AwaitingZOpens<Q>),
}

/// The parts of one frame for each party (empty for this party).
pub(crate) type PartsPerPeer = Vec<Vec<Vec<u8>>>;

/// The MAC check's progress.
// Moved once per flight; boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub(crate) enum MacStep<Q: Params> {
    /// Send this message and continue.
    Next(MacRun<Q>, Vec<u8>),
    /// The check passed.
    Passed,
}

/// Maps a core abort to the check it belongs to.
pub(crate) fn classify(r: AbortReason) -> (CheckKind, Cause) {
    let check = match &r {
        AbortReason::TranscriptMismatch { .. } => CheckKind::Transcript,
        AbortReason::CommitmentMismatch { what, .. } if *what == "coin seed" => CheckKind::CoinToss,
        AbortReason::Malformed { .. } => CheckKind::Message,
        _ => CheckKind::MacCheck,
    };
    (check, Cause::Core(r))
}

impl<Q: Params> MacRun<Q> {
    /// Starts a check of `log`; returns the state and the first message.
    pub(crate) fn start<R: Rng + ?Sized>(
        keys: &VoleKeys,
        log: PendingLog<Q>,
        transcript: [u8; 32],
        ctx: spdz2k_core::commit::CommitContext,
        rng: &mut R,
    ) -> (Self, Vec<u8>) {
        let key = MacKeyShare::<Q>::new(keys.alpha::<Q>());
        let (s, m) = start_mac_check(keys.party, keys.n, key, log, transcript, ctx, rng);
        (Self::CoinCommits(s), m.encode())
    }

    /// One round of a batch's check: part 0 of each peer's frame in; `Some` with the state
    /// and the frame parts for every peer to send next, or `None` once the check passed.
    pub(crate) fn round(
        self,
        n: usize,
        me: usize,
        incoming: &[crate::msg::Parts],
    ) -> Result<Option<(Self, PartsPerPeer)>, (CheckKind, Cause)> {
        let msgs: Vec<Option<Vec<u8>>> = (0..n)
            .map(|p| (p != me).then(|| incoming[p][0].to_vec()))
            .collect();
        Ok(match self.step(&msgs)? {
            MacStep::Next(run, m) => Some((run, crate::msg::per_peer(n, me, |_| vec![m.clone()]))),
            MacStep::Passed => None,
        })
    }

    /// One round: the peers' messages (by party; `None` for this party).
    pub(crate) fn step(self, msgs: &[Option<Vec<u8>>]) -> Result<MacStep<Q>, (CheckKind, Cause)> {
        let mut decoded = Vec::with_capacity(msgs.len());
        for (p, m) in msgs.iter().enumerate() {
            decoded.push(match m {
                None => None,
                Some(b) => Some(
                    WireMsg::<Q>::decode(b)
                        .map_err(|e| classify(AbortReason::malformed(p, "offline MAC check", e)))?,
                ),
            });
        }
        Ok(match self {
            Self::CoinCommits(s) => {
                let (s, m) = s.receive(&decoded).map_err(classify)?;
                MacStep::Next(Self::CoinOpens(s), m.encode())
            }
            Self::CoinOpens(s) => {
                let (s, m) = s.receive(&decoded).map_err(classify)?;
                MacStep::Next(Self::ZCommits(s), m.encode())
            }
            Self::ZCommits(s) => {
                let (s, m) = s.receive(&decoded).map_err(classify)?;
                MacStep::Next(Self::ZOpens(s), m.encode())
            }
            Self::ZOpens(s) => {
                s.receive(&decoded).map_err(classify)?;
                MacStep::Passed
            }
        })
    }
}
