//! Batches of authenticated randoms and input masks at width k+s (PROTOCOL.md 1.7(b),
//! 1.9 item 6).
//!
//! Flights: 0 coin commitment + VOLE rows; 1 coin opening; 2 opened combination y (share)
//! + row-check sums; 3-6 the MAC check of y.
//!
//! Randoms: every party's share is uniform. Input masks: the owner's share is r, every
//! other share is 0 and only the owner runs VOLE; y is still masked by the owner's extra
//! element.

use crate::auth::{Auth, Contributors, MacRun};
use crate::coins::CoinToss;
use crate::error::CheckKind;
use crate::flow::{FirstFlight, FlowError, FlowStep, Material, open_coins, record_broadcast};
use crate::keyset::KeySet;
use crate::msg::{Parts, per_peer};
use crate::ot::{OtBackend, Prg};
use spdz2k_core::commit::CommitContext;
use spdz2k_core::{AuthShares, BroadcastTranscript, PendingLog};
use spdz2k_prep::InputMasks;
use spdz2k_ring::{HasCheckRing, Word};

pub(crate) struct ValueFlow<P: HasCheckRing> {
    count: usize,
    owner: Option<usize>,
    stage: Stage<P>,
}

// One stage at a time, moved once per flight.
#[allow(clippy::large_enum_variant)]
enum Stage<P: HasCheckRing> {
    Vole {
        auth: Auth<P>,
        toss: CoinToss,
        own: Vec<u8>,
    },
    Coins {
        auth: Auth<P>,
        toss: CoinToss,
    },
    Open {
        auth: Auth<P>,
    },
    Mac {
        run: MacRun<P>,
        out: Material<P>,
    },
}

impl<P: HasCheckRing> ValueFlow<P> {
    pub(crate) fn start<O: OtBackend, G: Prg>(
        keys: &mut KeySet<P, O, G>,
        batch: u64,
        count: usize,
        owner: Option<usize>,
        _transcript: &mut BroadcastTranscript,
    ) -> Result<FirstFlight<Self>, FlowError> {
        let (me, n) = (keys.party(), keys.n_parties());
        let who = owner.map_or(Contributors::All, Contributors::Only);
        let x: Vec<P::Word> = if who.includes(me) {
            (0..=count).map(|_| P::random(&mut keys.rng)).collect()
        } else {
            vec![<P::Word as Word>::ZERO; count + 1]
        };
        let (auth, mut vole) = Auth::<P>::start::<G>(&keys.keys, batch, x, who);
        let (toss, own) = CoinToss::start(&keys.session, batch, 2, me, n, &mut keys.rng);
        let parts = per_peer(n, me, |p| vec![own.clone(), core::mem::take(&mut vole[p])]);
        let flow = Self {
            count,
            owner,
            stage: Stage::Vole { auth, toss, own },
        };
        Ok((flow, "offline: VOLE", parts))
    }

    pub(crate) fn parts_expected(&self) -> usize {
        match self.stage {
            Stage::Vole { .. } | Stage::Open { .. } => 2,
            _ => 1,
        }
    }

    pub(crate) fn receive<O: OtBackend, G: Prg>(
        mut self,
        keys: &mut KeySet<P, O, G>,
        batch: u64,
        incoming: Vec<Parts>,
        transcript: &mut BroadcastTranscript,
    ) -> Result<FlowStep<Self, P>, FlowError> {
        let (me, n) = (keys.party(), keys.n_parties());
        let peers: Vec<usize> = (0..n).filter(|&p| p != me).collect();
        let msg = |c| (CheckKind::Message, c);
        let next = |flow: Self, phase, parts| Ok(FlowStep::Next(flow, phase, parts));
        match self.stage {
            Stage::Vole {
                mut auth,
                mut toss,
                own,
            } => {
                record_broadcast(transcript, me, &own, &incoming, 0);
                for &p in &peers {
                    toss.commitment(p, &incoming[p][0]).map_err(msg)?;
                    auth.receive::<G>(&keys.keys, batch, p, &incoming[p][1])
                        .map_err(msg)?;
                }
                let open = toss.opening();
                let parts = per_peer(n, me, |_| vec![open.clone()]);
                self.stage = Stage::Coins { auth, toss };
                next(self, "offline: coin opening", parts)
            }
            Stage::Coins { mut auth, toss } => {
                let coins = open_coins(toss, transcript, me, &peers, &incoming)?;
                let (y, mut rows) = auth.open::<G>(&keys.keys, batch, &coins);
                let parts = per_peer(n, me, |p| vec![y.clone(), core::mem::take(&mut rows[p])]);
                self.stage = Stage::Open { auth };
                next(self, "offline: opened combination", parts)
            }
            Stage::Open { auth } => {
                let own = crate::msg::encode_words::<P>(&[auth.y_share()]);
                record_broadcast(transcript, me, &own, &incoming, 0);
                let mut y = auth.y_share();
                for &p in &peers {
                    let yp = auth.y_share_of(p, &incoming[p][0]).map_err(msg)?;
                    auth.check_rows(&keys.keys, p, &incoming[p][1], yp)
                        .map_err(|c| (CheckKind::VoleRows, c))?;
                    y = P::add(y, yp);
                }
                let mut log = PendingLog::<P>::new();
                log.push(&[y], &[auth.y_mac()]);
                let (run, m) = MacRun::start(
                    &keys.keys,
                    log,
                    transcript.take_digest(),
                    CommitContext::for_protocol(
                        "offline-mac-check",
                        &keys.session,
                        batch.wrapping_mul(2).wrapping_add(0),
                    ),
                    &mut keys.rng,
                );
                let out = material(self.count, self.owner, me, auth);
                let parts = per_peer(n, me, |_| vec![m.clone()]);
                self.stage = Stage::Mac { run, out };
                next(self, "offline: MAC check", parts)
            }
            Stage::Mac { run, out } => match run.round(n, me, &incoming)? {
                Some((run, parts)) => {
                    self.stage = Stage::Mac { run, out };
                    next(self, "offline: MAC check", parts)
                }
                None => Ok(FlowStep::Done(out)),
            },
        }
    }
}

fn material<P: HasCheckRing>(
    count: usize,
    owner: Option<usize>,
    me: usize,
    auth: Auth<P>,
) -> Material<P> {
    let (mut x, mut macs) = (auth.x, auth.macs);
    x.truncate(count);
    macs.truncate(count);
    let clear = (owner == Some(me)).then(|| x.clone());
    let shares = AuthShares::from_parts(x, macs).unwrap_or_default();
    match owner {
        None => Material::Randoms(shares),
        Some(owner) => Material::InputMasks {
            owner,
            masks: InputMasks { shares, clear },
        },
    }
}
