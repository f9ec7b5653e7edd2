//! One MAC key set of one party: the key share alpha_i in Z_2^s, the VOLE seeds towards
//! every peer, the OT backend, and the retired flag. Material of a key set is only ever
//! combined with material of the same key set.

use crate::coins::CoinToss;
use crate::error::{CheckKind, OfflineError};
use crate::msg::{PeerMessages, decode_frame, encode_frame};
use crate::ot::{ChaChaPrg, OtBackend, Prg, Seed};
use core::marker::PhantomData;
use rand::rngs::ChaCha20Rng;
use sha2::{Digest, Sha256};
use spdz2k_core::{KeySetId, MacKeyShare, SessionId};
use spdz2k_ring::{HasCheckRing, Params, Word};

/// The hook a test party installs to cheat: it may alter any part of any message it sends
/// and some local values. Only with the `tamper-hooks` feature (or in this crate's tests).
#[cfg(any(test, feature = "tamper-hooks"))]
pub trait TamperHook<P: HasCheckRing>: Send {
    /// Alters part `part` of the flight-`flight` message of `batch` to `to` before it is sent.
    fn message(&mut self, batch: u64, flight: u8, to: usize, part: usize, bytes: &mut Vec<u8>) {
        let _ = (batch, flight, to, part, bytes);
    }
    /// Alters local values of a triple batch (in the check ring) at `point`.
    fn local(&mut self, batch: u64, point: LocalPoint, values: &mut [<P::Check as Params>::Word]) {
        let _ = (batch, point, values);
    }
}

/// Local values a tamper hook (feature `tamper-hooks`) may alter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalPoint {
    /// This party's shares of c, before authentication.
    TripleC,
    /// This party's MAC shares of the opened rho.
    RhoMacs,
    /// This party's MAC shares of the opened sigma.
    SigmaMacs,
}

/// The VOLE keys of a key set, independent of the ring width.
pub(crate) struct VoleKeys {
    pub(crate) party: usize,
    pub(crate) n: usize,
    /// alpha_i in Z_2^s (s <= 64), as an integer. Secret.
    pub(crate) alpha: u128,
    /// Its s bits, least significant first: the base-OT choice bits.
    pub(crate) bits: Vec<bool>,
    /// Per sender peer: k_{u, alpha_u}.
    pub(crate) recv: Vec<Vec<Seed>>,
    /// Per receiver peer: (k_u0, k_u1).
    pub(crate) send: Vec<Vec<(Seed, Seed)>>,
}

impl VoleKeys {
    /// alpha_i as an element of Q.
    pub(crate) fn alpha<Q: Params>(&self) -> Q::Word {
        Q::from_u128(self.alpha)
    }
    /// The peers, in party order.
    pub(crate) fn peers(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.n).filter(move |&p| p != self.party)
    }
}

/// One party's MAC key set and everything the offline phase keeps between batches.
pub struct KeySet<P: HasCheckRing, O: OtBackend, G: Prg = ChaChaPrg> {
    pub(crate) keys: VoleKeys,
    pub(crate) session: SessionId,
    pub(crate) id: KeySetId,
    pub(crate) ot: O,
    pub(crate) rng: ChaCha20Rng,
    pub(crate) retired: Option<CheckKind>,
    pub(crate) next_batch: u64,
    #[cfg(any(test, feature = "tamper-hooks"))]
    pub(crate) tamper: Option<Box<dyn TamperHook<P>>>,
    _marker: PhantomData<(P, G)>,
}

impl<P: HasCheckRing, O: OtBackend, G: Prg> core::fmt::Debug for KeySet<P, O, G> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "KeySet<{}>(party {} of {}, key set {}, retired: {:?})",
            P::NAME,
            self.keys.party,
            self.keys.n,
            self.id,
            self.retired
        )
    }
}

/// Key-set setup in progress: a coin toss fixes a common [`KeySetId`]; the MAC key share
/// is drawn and the VOLE seeds are obtained from the OT layer when it completes.
pub struct KeySetup {
    party: usize,
    n: usize,
    session: SessionId,
    toss: Option<CoinToss>,
    rng: ChaCha20Rng,
}

impl std::fmt::Debug for KeySetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The generator draws the MAC key share: it is never shown.
        f.debug_struct("KeySetup")
            .field("party", &self.party)
            .field("parties", &self.n)
            .field("session", &self.session)
            .field("tossing", &self.toss.is_some())
            .finish_non_exhaustive()
    }
}

/// Flight numbers of the setup (the batch number in its frames is `u64::MAX`).
const SETUP_BATCH: u64 = u64::MAX;

impl KeySetup {
    /// Starts setting up a key set: returns the state and one message per peer (`None`
    /// for this party).
    pub fn start(
        party: usize,
        n: usize,
        session: SessionId,
        mut rng: ChaCha20Rng,
    ) -> Result<(Self, PeerMessages), OfflineError> {
        if n < 2 || party >= n {
            return Err(OfflineError::Invalid {
                party,
                detail: format!("party {party} of {n}: the offline phase needs n >= 2"),
            });
        }
        let (toss, commit) = CoinToss::start(&session, SETUP_BATCH, 0, party, n, &mut rng);
        let frame = encode_frame(SETUP_BATCH, 0, vec![commit]);
        let out = (0..n)
            .map(|p| (p != party).then(|| frame.clone()))
            .collect();
        Ok((
            Self {
                party,
                n,
                session,
                toss: Some(toss),
                rng,
            },
            out,
        ))
    }

    fn fail(&self, cause: crate::error::Cause) -> OfflineError {
        OfflineError::CheckFailed {
            party: self.party,
            session: self.session.clone(),
            batch: SETUP_BATCH,
            check: CheckKind::CoinToss,
            cause,
            key_set: KeySetId([0; 16]),
        }
    }

    /// Takes the peers' commitments; returns the openings to send.
    pub fn receive_commitments(
        &mut self,
        msgs: &[Option<Vec<u8>>],
    ) -> Result<PeerMessages, OfflineError> {
        let toss = self.toss.as_mut().ok_or_else(|| OfflineError::Invalid {
            party: self.party,
            detail: "setup step repeated".into(),
        })?;
        for p in (0..self.n).filter(|&p| p != self.party) {
            let bytes = msgs.get(p).cloned().flatten().unwrap_or_default();
            let parts = decode_frame(p, bytes, SETUP_BATCH, 0, 1);
            let r = parts.and_then(|parts| toss.commitment(p, &parts[0]));
            if let Err(c) = r {
                return Err(self.fail(c));
            }
        }
        let frame = encode_frame(SETUP_BATCH, 1, vec![toss.opening()]);
        Ok((0..self.n)
            .map(|p| (p != self.party).then(|| frame.clone()))
            .collect())
    }

    /// Takes the openings and builds the key set: draws alpha_i and asks the OT layer for
    /// the VOLE seeds towards every peer.
    pub fn finish<P: HasCheckRing, O: OtBackend, G: Prg>(
        mut self,
        msgs: &[Option<Vec<u8>>],
        mut ot: O,
    ) -> Result<KeySet<P, O, G>, OfflineError> {
        let toss = self.toss.take().ok_or_else(|| OfflineError::Invalid {
            party: self.party,
            detail: "setup step repeated".into(),
        })?;
        let mut openings = Vec::new();
        for p in (0..self.n).filter(|&p| p != self.party) {
            let bytes = msgs.get(p).cloned().flatten().unwrap_or_default();
            match decode_frame(p, bytes, SETUP_BATCH, 1, 1) {
                Ok(parts) => openings.push((p, parts[0].to_vec())),
                Err(c) => return Err(self.fail(c)),
            }
        }
        let coins = toss.finish(&openings).map_err(|c| self.fail(c))?;
        let mut h = Sha256::new();
        h.update(b"spdz2k-offline-key-set-v1");
        h.update(self.session.as_bytes());
        h.update(coins);
        let d: [u8; 32] = h.finalize().into();
        let mut id = [0u8; 16];
        id.copy_from_slice(&d[..16]);
        let id = KeySetId(id);

        let alpha = P::random_s(&mut self.rng);
        let alpha = MacKeyShare::<P>::new(alpha).expose().low_u128();
        let bits: Vec<bool> = (0..P::S).map(|u| (alpha >> u) & 1 == 1).collect();
        let mut recv = vec![Vec::new(); self.n];
        let mut send = vec![Vec::new(); self.n];
        for p in (0..self.n).filter(|&p| p != self.party) {
            let ot_err = |source| OfflineError::Ot {
                party: self.party,
                session: self.session.clone(),
                source,
            };
            recv[p] = ot.vole_seeds_receive(p, &bits).map_err(ot_err)?;
            send[p] = ot.vole_seeds_send(p, P::S as usize).map_err(ot_err)?;
        }
        tracing::debug!(party = self.party, key_set = %id, "offline key set ready");
        Ok(KeySet {
            keys: VoleKeys {
                party: self.party,
                n: self.n,
                alpha,
                bits,
                recv,
                send,
            },
            session: self.session,
            id,
            ot,
            rng: self.rng,
            retired: None,
            next_batch: 0,
            #[cfg(any(test, feature = "tamper-hooks"))]
            tamper: None,
            _marker: PhantomData,
        })
    }
}

impl<P: HasCheckRing, O: OtBackend, G: Prg> KeySet<P, O, G> {
    /// This party's index.
    pub fn party(&self) -> usize {
        self.keys.party
    }
    /// The number of parties.
    pub fn n_parties(&self) -> usize {
        self.keys.n
    }
    /// The key set's ID (the same at every party).
    pub fn id(&self) -> KeySetId {
        self.id
    }
    /// The session.
    pub fn session(&self) -> &SessionId {
        &self.session
    }
    /// This party's MAC key share. Secret: never log it.
    pub fn mac_key_share(&self) -> MacKeyShare<P> {
        MacKeyShare::new(self.keys.alpha::<P>())
    }
    /// The check that retired this key set, if one failed.
    pub fn retired(&self) -> Option<CheckKind> {
        self.retired
    }
    /// Installs a cheating hook (tests).
    #[cfg(any(test, feature = "tamper-hooks"))]
    pub fn set_tamper(&mut self, hook: Box<dyn TamperHook<P>>) {
        self.tamper = Some(hook);
    }

    /// Refuses use after a failure.
    pub(crate) fn ensure_live(&self) -> Result<(), OfflineError> {
        match self.retired {
            Some(check) => Err(OfflineError::Retired {
                party: self.keys.party,
                session: self.session.clone(),
                key_set: self.id,
                check,
            }),
            None => Ok(()),
        }
    }

    /// Retires the key set and builds the error.
    pub(crate) fn fail(
        &mut self,
        batch: u64,
        check: CheckKind,
        cause: crate::error::Cause,
    ) -> OfflineError {
        self.retired = Some(check);
        tracing::warn!(party = self.keys.party, session = %self.session, batch, %check,
                       "offline check failed; key set retired");
        OfflineError::CheckFailed {
            party: self.keys.party,
            session: self.session.clone(),
            batch,
            check,
            cause,
            key_set: self.id,
        }
    }

    /// Builds the per-peer frames of one flight: `parts(peer)` gives the parts for a peer;
    /// a tamper hook may alter them. Adds the bytes to `sent`.
    pub(crate) fn frames(
        &mut self,
        batch: u64,
        flight: u8,
        sent: &mut u64,
        mut parts: impl FnMut(usize) -> Vec<Vec<u8>>,
    ) -> Vec<Option<Vec<u8>>> {
        let me = self.keys.party;
        (0..self.keys.n)
            .map(|p| {
                if p == me {
                    return None;
                }
                #[allow(unused_mut)]
                let mut ps = parts(p);
                #[cfg(any(test, feature = "tamper-hooks"))]
                if let Some(h) = self.tamper.as_mut() {
                    for (i, part) in ps.iter_mut().enumerate() {
                        h.message(batch, flight, p, i, part);
                    }
                }
                let f = encode_frame(batch, flight, ps);
                *sent += f.len() as u64;
                Some(f)
            })
            .collect()
    }

    /// Applies the local tamper hook (tests).
    #[allow(unused_variables)]
    pub(crate) fn tamper_local(
        &mut self,
        batch: u64,
        point: LocalPoint,
        values: &mut [<P::Check as Params>::Word],
    ) {
        #[cfg(any(test, feature = "tamper-hooks"))]
        if let Some(h) = self.tamper.as_mut() {
            h.local(batch, point, values);
        }
    }
}
