//! Batches of authenticated randoms and input masks at width k+s (PROTOCOL.md 1.7(b),
//! 1.9 item 6).
//!
//! Flights: 0 coin commitment + VOLE rows; 1 coin opening; 2 opened combination y (share)
//! + row-check sums; 3-6 the MAC check of y.
//!
//! Randoms: every party's share is uniform. Input masks: the owner's share is r, every
//! other share is 0 and only the owner runs VOLE; y is still masked by the owner's extra
//! element.

use crate::auth::{Auth, Contributors};
use crate::flow::{FirstFlight, FlowError, FlowStep, Material};
use crate::keyset::KeySet;
use crate::ot::{OtBackend, Prg};
use crate::stage::{Authenticating, Closing, Inbox};
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
    Vole(Authenticating<P>),
    Coins(Authenticating<P>),
    Open(Auth<P>),
    Mac(Closing<P, P>),
}

impl<P: HasCheckRing> ValueFlow<P> {
    pub(crate) fn start<O: OtBackend, G: Prg>(
        keys: &mut KeySet<P, O, G>,
        batch: u64,
        count: usize,
        owner: Option<usize>,
        _transcript: &mut BroadcastTranscript,
    ) -> Result<FirstFlight<Self>, FlowError> {
        let who = owner.map_or(Contributors::All, Contributors::Only);
        let x: Vec<P::Word> = if who.includes(keys.party()) {
            (0..=count).map(|_| P::random(&mut keys.rng)).collect()
        } else {
            vec![<P::Word as Word>::ZERO; count + 1]
        };
        let (vole, parts) = Authenticating::start(keys, batch, x, who, 2);
        let flow = Self {
            count,
            owner,
            stage: Stage::Vole(vole),
        };
        Ok((flow, "offline: VOLE", parts))
    }

    pub(crate) fn parts_expected(&self) -> usize {
        match self.stage {
            Stage::Vole(_) | Stage::Open(_) => 2,
            _ => 1,
        }
    }

    pub(crate) fn receive<O: OtBackend, G: Prg>(
        mut self,
        mut inbox: Inbox<'_, P, O, G>,
    ) -> Result<FlowStep<Self, P>, FlowError> {
        let next = |flow: Self, phase, parts| Ok(FlowStep::Next(flow, phase, parts));
        match self.stage {
            Stage::Vole(mut vole) => {
                let parts = vole.receive_rows(&mut inbox)?;
                self.stage = Stage::Coins(vole);
                next(self, "offline: coin opening", parts)
            }
            Stage::Coins(vole) => {
                let (auth, _, parts) = vole.open(&mut inbox)?;
                self.stage = Stage::Open(auth);
                next(self, "offline: opened combination", parts)
            }
            Stage::Open(auth) => {
                let y = inbox.opened_y(&auth)?;
                let mut log = PendingLog::<P>::new();
                log.push(&[y], &[auth.y_mac()]);
                let out = material(self.count, self.owner, inbox.me, auth);
                let (mac, parts) = Closing::start(&mut inbox, log, 0, out);
                self.stage = Stage::Mac(mac);
                next(self, "offline: MAC check", parts)
            }
            Stage::Mac(mac) => Ok(mac.round(&inbox)?.map_flow(|mac| Self {
                stage: Stage::Mac(mac),
                ..self
            })),
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
