//! Pairing the parties' preprocessing at session start.
//!
//! Before any item is used, every party sends its [`PrepFingerprint`] (parameters, number
//! of parties, its index, the MAC key set ID, the deal ID, the items dealt and the cursors
//! of every kind) to every peer. Each party then checks, on its own and so every party
//! alike, that all the material belongs to one deal ([`PrepError::Unpaired`] names the
//! first difference with both sides' values and the fix), computes the furthest cursor of
//! any party per kind, and checks that every party's material left after that cursor
//! covers what the run needs ([`PrepError::PartyShort`]). Every party then skips to that
//! cursor ([`Preprocessing::skip_to`]), so material one party lost in a crash is discarded
//! by all and never paired with a different item. The MAC key share is never sent.

use crate::counts::PrepCounts;
use crate::error::PrepError;
use crate::origin::{DealId, PrepOrigin, PrepPosition};
use crate::source::Preprocessing;
use spdz2k_core::KeySetId;
use spdz2k_core::bytes::{CodecError, Reader, Writer};
use spdz2k_ring::{Params, ParamsId};

/// What a party tells its peers at session start. Public: IDs, parameters and counts, never
/// the MAC key share or any item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrepFingerprint {
    /// The parameter set.
    pub params: ParamsId,
    /// The number of parties.
    pub n_parties: usize,
    /// The party whose material this is.
    pub party: usize,
    /// The MAC key set.
    pub key_set: KeySetId,
    /// The deal, totals and cursors.
    pub position: PrepPosition,
}

const FINGERPRINT_TAG: &[u8; 8] = b"PREPFP01";

impl PrepFingerprint {
    /// The fingerprint of `prep`, a source for parameters `P`.
    pub fn of<P: Params, Pr: Preprocessing<P> + ?Sized>(prep: &Pr) -> Self {
        Self {
            params: P::id(),
            n_parties: prep.n_parties(),
            party: prep.party(),
            key_set: prep.key_set_id(),
            position: prep.position(),
        }
    }

    /// The wire encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(80 + 16 * (3 + self.n_parties));
        w.bytes(FINGERPRINT_TAG);
        w.u32(self.params.k);
        w.u32(self.params.s);
        w.usize(self.n_parties);
        w.usize(self.party);
        w.bytes(&self.key_set.0);
        w.bytes(&self.position.deal.0);
        w.u8(self.position.origin.code());
        for counts in [&self.position.total, &self.position.consumed] {
            w.usize(counts.input_masks.len());
            for (_, c) in counts.entries() {
                w.u64(c);
            }
        }
        w.into_vec()
    }

    /// Decodes a fingerprint; the error says what is wrong with it.
    pub fn decode(bytes: &[u8]) -> Result<Self, String> {
        let mut r = Reader::new(bytes);
        let bad = |e: CodecError| e.to_string();
        if r.take(8, "fingerprint tag").map_err(bad)? != FINGERPRINT_TAG {
            return Err("it is not a preprocessing fingerprint (wrong tag)".into());
        }
        let k = r.u32("k").map_err(bad)?;
        let s = r.u32("s").map_err(bad)?;
        let n_parties = small(&mut r, "number of parties")?;
        let party = small(&mut r, "party index")?;
        let key_set = KeySetId(r.array("key set").map_err(bad)?);
        let deal = DealId(r.array("deal").map_err(bad)?);
        let code = r.u8("origin").map_err(bad)?;
        let origin =
            PrepOrigin::from_code(code).ok_or_else(|| format!("unknown source origin {code}"))?;
        let total = counts(&mut r, "totals")?;
        let consumed = counts(&mut r, "cursors")?;
        r.finish("fingerprint").map_err(bad)?;
        Ok(Self {
            params: ParamsId { k, s },
            n_parties,
            party,
            key_set,
            position: PrepPosition {
                origin,
                deal,
                total,
                consumed,
            },
        })
    }
}

/// A party count or index: a u64 of at most [`crate::MAX_PARTIES`].
fn small(r: &mut Reader<'_>, what: &'static str) -> Result<usize, String> {
    let v = r.u64(what).map_err(|e| e.to_string())?;
    usize::try_from(v)
        .ok()
        .filter(|&v| v <= crate::MAX_PARTIES)
        .ok_or_else(|| format!("the {what} is out of range"))
}

/// The number of input-mask owners, then the count of every kind.
fn counts(r: &mut Reader<'_>, what: &'static str) -> Result<PrepCounts, String> {
    let owners = small(r, "number of input-mask owners")?;
    let mut next = || r.u64(what).map_err(|e| e.to_string());
    let triples = next()?;
    let randoms = next()?;
    let open_masks = next()?;
    let input_masks = (0..owners).map(|_| next()).collect::<Result<_, _>>()?;
    Ok(PrepCounts {
        triples,
        randoms,
        open_masks,
        input_masks,
    })
}

/// The agreement every party reaches at session start, before any item is used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairingOutcome {
    /// The furthest cursor of any party, per kind: every party skips to it.
    pub cursor: PrepCounts,
    /// Every party's fingerprint, in party order.
    pub fingerprints: Vec<PrepFingerprint>,
}

/// The sans-IO agreement round: send [`Pairing::start`]'s message to every peer, then pass
/// what each peer sent to [`Pairing::receive`].
#[derive(Debug)]
pub struct Pairing {
    me: PrepFingerprint,
    needed: PrepCounts,
}

impl Pairing {
    /// Starts the round with this party's fingerprint and what the run needs (checked
    /// against every party's material). Returns the message for every peer.
    pub fn start(me: PrepFingerprint, needed: PrepCounts) -> (Self, Vec<u8>) {
        let msg = me.encode();
        (Self { me, needed }, msg)
    }

    /// Checks every peer's fingerprint against this party's, and every party's material
    /// (after skipping to the furthest cursor) against what the run needs. `msgs[p]` is what
    /// party p sent (`None` for this party).
    ///
    /// # Errors
    /// [`PrepError::BadFingerprint`], [`PrepError::Unpaired`] naming the first difference
    /// and both sides' values, or [`PrepError::PartyShort`] naming the party, kind and counts.
    pub fn receive(self, msgs: &[Option<Vec<u8>>]) -> Result<PairingOutcome, PrepError> {
        let me = self.me.party;
        let mut fingerprints = Vec::with_capacity(msgs.len());
        for (peer, msg) in msgs.iter().enumerate() {
            let fp = match msg {
                None if peer == me => self.me.clone(),
                None => {
                    return Err(PrepError::BadFingerprint {
                        peer,
                        detail: "it sent nothing".into(),
                    });
                }
                Some(bytes) => PrepFingerprint::decode(bytes)
                    .map_err(|detail| PrepError::BadFingerprint { peer, detail })?,
            };
            if let Some((kind, _)) = fp
                .position
                .consumed
                .entries()
                .find(|&(kind, c)| c > fp.position.total.get(kind))
            {
                return Err(PrepError::BadFingerprint {
                    peer,
                    detail: format!("its cursor of {kind} is past the items it holds"),
                });
            }
            compare(&self.me, &fp, peer)?;
            fingerprints.push(fp);
        }
        let cursor = fingerprints
            .iter()
            .fold(self.me.position.consumed.clone(), |c, fp| {
                c.max(&fp.position.consumed)
            });
        for fp in &fingerprints {
            for (kind, need) in self.needed.entries() {
                let left = fp.position.total.get(kind).saturating_sub(cursor.get(kind));
                if need > left {
                    return Err(PrepError::PartyShort {
                        party: fp.party,
                        kind,
                        needed: need,
                        available: left,
                    });
                }
            }
        }
        Ok(PairingOutcome {
            cursor,
            fingerprints,
        })
    }
}

fn compare(me: &PrepFingerprint, them: &PrepFingerprint, peer: usize) -> Result<(), PrepError> {
    let unpaired = |field, ours: String, theirs: String| PrepError::Unpaired {
        party: me.party,
        peer,
        field,
        ours,
        theirs,
    };
    if them.params != me.params {
        return Err(unpaired(
            "parameters (k, s)",
            me.params.to_string(),
            them.params.to_string(),
        ));
    }
    if them.n_parties != me.n_parties {
        return Err(unpaired(
            "number of parties",
            me.n_parties.to_string(),
            them.n_parties.to_string(),
        ));
    }
    if them.party != peer {
        return Err(unpaired(
            "party index of the material",
            format!("P{peer} expected"),
            format!("material of P{}", them.party),
        ));
    }
    let describe = |fp: &PrepFingerprint| {
        format!(
            "key set {}, deal {} from {}",
            fp.key_set, fp.position.deal, fp.position.origin
        )
    };
    if them.key_set != me.key_set {
        return Err(unpaired("MAC key set", describe(me), describe(them)));
    }
    if them.position.deal != me.position.deal {
        return Err(unpaired("deal", describe(me), describe(them)));
    }
    if them.position.total != me.position.total {
        return Err(unpaired(
            "items dealt",
            format!("{:?}", me.position.total),
            format!("{:?}", them.position.total),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::InsecureDealerSource;
    use spdz2k_ring::K64S64;

    fn fp(party: usize, seed: u8) -> PrepFingerprint {
        let s = InsecureDealerSource::<K64S64>::new(party, 2, [seed; 32]).unwrap();
        PrepFingerprint::of::<K64S64, _>(&s)
    }

    #[test]
    fn fingerprint_round_trips_and_carries_no_key_share() {
        let s = InsecureDealerSource::<K64S64>::new(0, 2, [3; 32]).unwrap();
        let f = PrepFingerprint::of::<K64S64, _>(&s);
        let bytes = f.encode();
        assert_eq!(PrepFingerprint::decode(&bytes).unwrap(), f);
        let mut key = vec![0u8; K64S64::BYTES];
        K64S64::encode(s.mac_key_share().expose(), &mut key);
        assert!(!bytes.windows(8).any(|w| w == &key[..8]), "key share sent");
        assert!(PrepFingerprint::decode(&bytes[..bytes.len() - 1]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(PrepFingerprint::decode(&longer).is_err());
    }

    #[test]
    fn every_party_reaches_the_same_verdict() {
        let msgs = |a: &PrepFingerprint, b: &PrepFingerprint| {
            (vec![None, Some(b.encode())], vec![Some(a.encode()), None])
        };
        let (a, b) = (fp(0, 1), fp(1, 1));
        let (to_a, to_b) = msgs(&a, &b);
        let out_a = Pairing::start(a.clone(), PrepCounts::zero(2))
            .0
            .receive(&to_a)
            .unwrap();
        let out_b = Pairing::start(b.clone(), PrepCounts::zero(2))
            .0
            .receive(&to_b)
            .unwrap();
        assert_eq!(out_a, out_b);

        let c = fp(1, 2);
        let (to_a, to_c) = msgs(&a, &c);
        let ea = Pairing::start(a.clone(), PrepCounts::zero(2))
            .0
            .receive(&to_a);
        let ec = Pairing::start(c, PrepCounts::zero(2)).0.receive(&to_c);
        for e in [ea.unwrap_err(), ec.unwrap_err()] {
            assert!(
                matches!(
                    e,
                    PrepError::Unpaired {
                        field: "MAC key set",
                        ..
                    }
                ),
                "{e}"
            );
        }
        let err = Pairing::start(a, PrepCounts::zero(2))
            .0
            .receive(&[None, Some(b"junk".to_vec())])
            .unwrap_err();
        assert!(
            matches!(err, PrepError::BadFingerprint { peer: 1, .. }),
            "{err}"
        );
    }
}
