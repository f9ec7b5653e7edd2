//! Batches of triples (PROTOCOL.md 1.6, 1.7(c), 1.9 items 3-5).
//!
//! Flights: 0 random-OT corrections e = a xor c' (per peer; none towards the base peer,
//! whose random choices are this party's bits); 1 coin commitment C1 + Gilboa d (per peer);
//! 2 opening of C1; 3 coin commitment C2 + VOLE rows at k+2s of (a, a^, b, c, c^, mask);
//! 4 opening of C2; 5 share of the opened combination y + row-check sums + shares of
//! rho = t a - a^; 6 shares of sigma = t c - c^ - rho b; 7-10 the MAC check of y, rho and
//! sigma in the check ring. Accept only if every sigma = 0 mod 2^(k+s) and the MAC check passes.

use crate::auth::{Auth, Contributors};
use crate::coins::{CoinToss, coin_stream};
use crate::error::{Cause, CheckKind};
use crate::flow::{FirstFlight, FlowError, FlowStep, Material};
use crate::gilboa;
use crate::keyset::{KeySet, LocalPoint};
use crate::msg::{decode_words, encode_words, per_peer};
use crate::ot::{CotBatch, OtBackend, Prg};
use crate::stage::{Authenticating, Closing, Inbox, message};
use spdz2k_core::{AuthShares, BroadcastTranscript, PendingLog, Triples};
use spdz2k_ring::{HasCheckRing, Params, Word};

type C<P> = <P as HasCheckRing>::Check;
type Cw<P> = <<P as HasCheckRing>::Check as Params>::Word;

/// The peer whose random-OT choices are this party's Gilboa bits (no correction sent).
pub(crate) fn base_peer(me: usize) -> usize {
    if me == 0 { 1 } else { 0 }
}

/// tau = 2k + 4s random bits per triple.
pub fn tau<P: HasCheckRing>() -> usize {
    (2 * P::K + 4 * P::S) as usize
}

pub(crate) struct TripleFlow<P: HasCheckRing> {
    count: usize,
    stage: Stage<P>,
}

/// This party's side of the Gilboa products: its bits a (tau per triple), its b and its
/// shares ch of the products so far.
struct Products<P: HasCheckRing> {
    bits: Vec<bool>,
    b: Vec<P::Word>,
    ch: Vec<P::Word>,
}

/// A vector opened in the sacrifice with this party's MAC shares of it.
struct Opened<P: HasCheckRing> {
    values: Vec<Cw<P>>,
    macs: Vec<Cw<P>>,
}

// One stage at a time, moved once per flight.
#[allow(clippy::large_enum_variant)]
enum Stage<P: HasCheckRing> {
    Correct {
        own: Products<P>,
        recv_pads: Vec<Vec<P::Word>>,
    },
    Gilboa {
        own: Products<P>,
        recv_pads: Vec<Vec<P::Word>>,
        toss: CoinToss,
        commitment: Vec<u8>,
    },
    Coins1 {
        own: Products<P>,
        toss: CoinToss,
    },
    Vole(Authenticating<C<P>>),
    Coins2(Authenticating<C<P>>),
    Open {
        auth: Auth<C<P>>,
        t: Vec<Cw<P>>,
        rho: Opened<P>,
    },
    Sigma {
        auth: Auth<C<P>>,
        y: Cw<P>,
        rho: Opened<P>,
        sigma: Opened<P>,
    },
    Mac(Closing<C<P>, P>),
}

impl<P: HasCheckRing> TripleFlow<P> {
    pub(crate) fn start<O: OtBackend, G: Prg>(
        keys: &mut KeySet<P, O, G>,
        batch: u64,
        count: usize,
        _transcript: &mut BroadcastTranscript,
    ) -> Result<FirstFlight<Self>, FlowError> {
        let (me, n, tau) = (keys.party(), keys.n_parties(), tau::<P>());
        let m = tau * count;
        let ot = |e| (CheckKind::Ot, Cause::Ot(e));
        let ots = |peer| CotBatch {
            peer,
            batch,
            count: m,
        };
        // Receiver side: random-OT choices and pads from every peer. The bits a_ih are the
        // choices towards the base peer; towards every other peer the correction
        // e = a xor c' makes them the same (the sender swaps its pads where e = 1).
        let base = base_peer(me);
        let (bits, base_pads) = keys.ot.cot_receive::<P>(ots(base)).map_err(ot)?;
        let mut recv_pads = vec![Vec::new(); n];
        let mut corrections = vec![Vec::new(); n];
        for p in (0..n).filter(|&p| p != me && p != base) {
            let (c, pads) = keys.ot.cot_receive::<P>(ots(p)).map_err(ot)?;
            let mut e = vec![0u8; m.div_ceil(8)];
            for (h, (&a, &c)) in bits.iter().zip(&c).enumerate() {
                e[h / 8] |= ((a ^ c) as u8) << (h % 8);
            }
            corrections[p] = e;
            recv_pads[p] = pads;
        }
        recv_pads[base] = base_pads;
        // Sender side: the pad pairs towards every peer are taken from the backend (in the
        // same batch order as the peer's receiver side) when the corrections are in.
        let b: Vec<P::Word> = (0..count).map(|_| P::random(&mut keys.rng)).collect();
        let mut ch = vec![<P::Word as Word>::ZERO; m];
        gilboa::local::<P>(&bits, &b, tau, &mut ch);
        let parts = per_peer(n, me, |p| vec![core::mem::take(&mut corrections[p])]);
        let own = Products { bits, b, ch };
        let stage = Stage::Correct { own, recv_pads };
        Ok((Self { count, stage }, "offline: OT corrections", parts))
    }

    pub(crate) fn parts_expected(&self) -> usize {
        match self.stage {
            Stage::Gilboa { .. } | Stage::Vole(_) => 2,
            Stage::Open { .. } => 3,
            _ => 1,
        }
    }

    pub(crate) fn receive<O: OtBackend, G: Prg>(
        mut self,
        mut inbox: Inbox<'_, P, O, G>,
    ) -> Result<FlowStep<Self, P>, FlowError> {
        let (tau, count) = (tau::<P>(), self.count);
        let (me, n, batch) = (inbox.me, inbox.n, inbox.batch);
        let next = |flow: Self, phase, parts| Ok(FlowStep::Next(flow, phase, parts));
        match self.stage {
            Stage::Correct { mut own, recv_pads } => {
                let mut d = vec![Vec::new(); n];
                for &p in &inbox.peers {
                    let e = &inbox.incoming[p][0];
                    let expect = if base_peer(p) == me {
                        0
                    } else {
                        (tau * count).div_ceil(8)
                    };
                    if e.len() != expect {
                        return Err(message(Cause::Malformed {
                            peer: p,
                            what: "OT correction",
                            detail: format!("{} bytes, expected {expect}", e.len()),
                        }));
                    }
                    let ot = &mut inbox.keys.ot;
                    d[p] = gilboa::send::<P, O>(ot, p, batch, e, &own.b, tau, &mut own.ch)
                        .map_err(|e| (CheckKind::Ot, Cause::Ot(e)))?;
                }
                let keys = &mut *inbox.keys;
                let (toss, commitment) =
                    CoinToss::start(&keys.session, batch, 0, me, n, &mut keys.rng);
                let parts = per_peer(n, me, |p| {
                    vec![commitment.clone(), core::mem::take(&mut d[p])]
                });
                self.stage = Stage::Gilboa {
                    own,
                    recv_pads,
                    toss,
                    commitment,
                };
                next(self, "offline: Gilboa", parts)
            }
            Stage::Gilboa {
                mut own,
                recv_pads,
                mut toss,
                commitment,
            } => {
                inbox.record(&commitment, 0);
                for &p in &inbox.peers {
                    toss.commitment(p, &inbox.incoming[p][0]).map_err(message)?;
                    let d = &inbox.incoming[p][1];
                    let malformed = |detail: String| Cause::Malformed {
                        peer: p,
                        what: "Gilboa",
                        detail,
                    };
                    if d.len() != tau * count * P::BYTES {
                        let detail =
                            format!("expected {} bytes, got {}", tau * count * P::BYTES, d.len());
                        return Err(message(malformed(detail)));
                    }
                    gilboa::receive::<P>(&recv_pads[p], &own.bits, d, &mut own.ch)
                        .map_err(|e| message(malformed(e.to_string())))?;
                }
                let parts = inbox.to_all(toss.opening());
                self.stage = Stage::Coins1 { own, toss };
                next(self, "offline: coin opening", parts)
            }
            Stage::Coins1 { own, toss } => {
                let coins = inbox.coins(toss)?;
                let keys = &mut *inbox.keys;
                let mut x = combine::<P>(&own.bits, &own.b, &own.ch, count, &coins);
                keys.tamper_local(batch, LocalPoint::TripleC, &mut x[3 * count..4 * count]);
                x.push(C::<P>::random(&mut keys.rng));
                let (vole, parts) = Authenticating::start(keys, batch, x, Contributors::All, 1);
                self.stage = Stage::Vole(vole);
                next(self, "offline: VOLE", parts)
            }
            Stage::Vole(mut vole) => {
                let parts = vole.receive_rows(&mut inbox)?;
                self.stage = Stage::Coins2(vole);
                next(self, "offline: coin opening", parts)
            }
            Stage::Coins2(vole) => {
                let (auth, coins, mut parts) = vole.open(&mut inbox)?;
                let mut rng = coin_stream(&coins, "sacrifice-t");
                let t: Vec<Cw<P>> = (0..count).map(|_| C::<P>::random_s(&mut rng)).collect();
                let seg = |v: &[Cw<P>], i: usize| v[i * count..(i + 1) * count].to_vec();
                let mut rho = Opened {
                    values: affine::<P>(&t, &seg(&auth.x, 0), &seg(&auth.x, 1)),
                    macs: affine::<P>(&t, &seg(&auth.macs, 0), &seg(&auth.macs, 1)),
                };
                inbox
                    .keys
                    .tamper_local(batch, LocalPoint::RhoMacs, &mut rho.macs);
                let rho_bytes = encode_words::<C<P>>(&rho.values);
                for &p in &inbox.peers {
                    parts[p].push(rho_bytes.clone());
                }
                self.stage = Stage::Open { auth, t, rho };
                next(self, "offline: opened combination and rho", parts)
            }
            Stage::Open { auth, t, mut rho } => {
                let y = inbox.opened_y(&auth)?;
                inbox.record(&encode_words::<C<P>>(&rho.values), 2);
                for &p in &inbox.peers {
                    let part = &inbox.incoming[p][2];
                    let rp = decode_words::<C<P>>(p, "rho", part, count).map_err(message)?;
                    spdz2k_ring::add_assign::<C<P>>(&mut rho.values, &rp);
                }
                let seg = |v: &[Cw<P>], i: usize| v[i * count..(i + 1) * count].to_vec();
                let sigma_of = |v: &[Cw<P>]| {
                    sigma_of::<P>(&t, &rho.values, &seg(v, 3), &seg(v, 4), &seg(v, 2))
                };
                let mut sigma = Opened {
                    values: sigma_of(&auth.x),
                    macs: sigma_of(&auth.macs),
                };
                inbox
                    .keys
                    .tamper_local(batch, LocalPoint::SigmaMacs, &mut sigma.macs);
                let parts = inbox.to_all(encode_words::<C<P>>(&sigma.values));
                self.stage = Stage::Sigma {
                    auth,
                    y,
                    rho,
                    sigma,
                };
                next(self, "offline: sigma", parts)
            }
            Stage::Sigma {
                auth,
                y,
                rho,
                mut sigma,
            } => {
                inbox.record(&encode_words::<C<P>>(&sigma.values), 0);
                for &p in &inbox.peers {
                    let part = &inbox.incoming[p][0];
                    let sp = decode_words::<C<P>>(p, "sigma", part, count).map_err(message)?;
                    spdz2k_ring::add_assign::<C<P>>(&mut sigma.values, &sp);
                }
                let failed = sigma
                    .values
                    .iter()
                    .filter(|&&s| P::lower(s) != <P::Word as Word>::ZERO)
                    .count();
                if failed > 0 {
                    return Err((
                        CheckKind::Sacrifice,
                        Cause::SacrificeFailed {
                            failed,
                            total: count,
                        },
                    ));
                }
                let mut log = PendingLog::<C<P>>::new();
                log.push(&[y], &[auth.y_mac()]);
                log.push(&rho.values, &rho.macs);
                log.push(&sigma.values, &sigma.macs);
                let out = Material::Triples(output::<P>(&auth, count));
                let (mac, parts) = Closing::start(&mut inbox, log, 1, out);
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

/// This party's shares of (a, a^, b, c, c^) in the check ring: a = sum_t r_t a_t and
/// c = sum_t r_t c_t with coins r (and r^ for a^, c^) drawn after the OT outputs are fixed.
fn combine<P: HasCheckRing>(
    bits: &[bool],
    b: &[P::Word],
    ch: &[P::Word],
    count: usize,
    coins: &[u8; 32],
) -> Vec<Cw<P>> {
    let tau = tau::<P>();
    let zero = <Cw<P> as Word>::ZERO;
    let mut x = vec![zero; 5 * count];
    let mut rng = coin_stream(coins, "triple-combination");
    let mut rs = vec![zero; 2 * tau];
    for e in 0..count {
        rng.fill_words::<C<P>>(&mut rs);
        let (mut a, mut a2, mut c, mut c2) = (zero, zero, zero, zero);
        for t in 0..tau {
            let h = e * tau + t;
            let (r, r2) = (rs[2 * t], rs[2 * t + 1]);
            let m = gilboa::mask::<C<P>>(bits[h]);
            let chl = P::lift(ch[h]);
            a = a.wadd(r.and(m));
            a2 = a2.wadd(r2.and(m));
            c = c.wadd(r.wmul(chl));
            c2 = c2.wadd(r2.wmul(chl));
        }
        x[e] = C::<P>::reduce(a);
        x[count + e] = C::<P>::reduce(a2);
        x[2 * count + e] = P::lift(b[e]);
        x[3 * count + e] = C::<P>::reduce(c);
        x[4 * count + e] = C::<P>::reduce(c2);
    }
    x
}

/// t_e u_e - v_e.
fn affine<P: HasCheckRing>(t: &[Cw<P>], u: &[Cw<P>], v: &[Cw<P>]) -> Vec<Cw<P>> {
    t.iter()
        .zip(u)
        .zip(v)
        .map(|((&t, &u), &v)| C::<P>::sub(C::<P>::mul(t, u), v))
        .collect()
}

/// t_e c_e - c^_e - rho_e b_e.
fn sigma_of<P: HasCheckRing>(
    t: &[Cw<P>],
    rho: &[Cw<P>],
    c: &[Cw<P>],
    c2: &[Cw<P>],
    b: &[Cw<P>],
) -> Vec<Cw<P>> {
    let mut out = affine::<P>(t, c, c2);
    for ((o, &r), &bv) in out.iter_mut().zip(rho).zip(b) {
        *o = C::<P>::sub(*o, C::<P>::mul(r, bv));
    }
    out
}

/// The checked triples (a, b, c), reduced mod 2^(k+s) with their MACs.
fn output<P: HasCheckRing>(auth: &Auth<C<P>>, count: usize) -> Triples<P> {
    let seg = |i: usize| {
        let lower = |v: &[Cw<P>]| -> Vec<P::Word> {
            v[i * count..(i + 1) * count]
                .iter()
                .map(|&w| P::lower(w))
                .collect()
        };
        AuthShares::from_parts(lower(&auth.x), lower(&auth.macs)).unwrap_or_default()
    };
    Triples {
        a: seg(0),
        b: seg(2),
        c: seg(3),
    }
}
