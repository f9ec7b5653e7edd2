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
use crate::source::Preprocessing;
use core::fmt;
use spdz2k_core::KeySetId;
use spdz2k_core::bytes::{CodecError, Reader, Writer};
use spdz2k_ring::{Params, ParamsId};

/// The ID of one deal (or generation run) of preprocessing: every party's material from
/// that run carries it. Public.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DealId(pub [u8; 16]);

impl DealId {
    /// A fresh ID from the operating system's CSPRNG.
    pub fn fresh() -> Self {
        let mut id = [0u8; 16];
        rand::Rng::fill_bytes(&mut spdz2k_core::rng::secure_rng(), &mut id);
        Self(id)
    }

    /// The ID of the material the INSECURE dealer derives from `seed` on the fly (the
    /// dealer source and the memory store), one-way from the seed.
    pub fn of_insecure_seed(seed: &[u8; 32]) -> Self {
        use sha2::Digest;
        let d = sha2::Sha256::new()
            .chain_update(b"spdz2k-insecure-seed-deal-id-v1")
            .chain_update(seed)
            .finalize();
        let mut id = [0u8; 16];
        id.copy_from_slice(&d[..16]);
        Self(id)
    }
}

impl DealId {
    /// The ID of material generated in memory under one key set (the offline phase's
    /// [`crate::MemoryStore::from_parts`]): every party derives the same ID from the public
    /// key-set ID, one-way.
    pub fn of_key_set(key_set: &spdz2k_core::KeySetId) -> Self {
        use sha2::Digest;
        let d = sha2::Sha256::new()
            .chain_update(b"spdz2k-generated-deal-id-v1")
            .chain_update(key_set.0)
            .finalize();
        let mut id = [0u8; 16];
        id.copy_from_slice(&d[..16]);
        Self(id)
    }
}

impl fmt::Display for DealId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for DealId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DealId({self})")
    }
}

/// What kind of source a party's preprocessing comes from (shown in refusals).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrepOrigin {
    /// A preprocessing file.
    File,
    /// The INSECURE dealer run from a shared seed.
    InsecureSeed,
    /// Material held in memory.
    Memory,
    /// Any other source.
    Other,
}

impl PrepOrigin {
    fn code(self) -> u8 {
        match self {
            Self::File => 1,
            Self::InsecureSeed => 2,
            Self::Memory => 3,
            Self::Other => 0,
        }
    }
    /// The origin of `c`; `None` for a code no version defines, so that every accepted
    /// fingerprint has one encoding (an unknown code is not read as `Other`).
    fn from_code(c: u8) -> Option<Self> {
        Some(match c {
            0 => Self::Other,
            1 => Self::File,
            2 => Self::InsecureSeed,
            3 => Self::Memory,
            _ => return None,
        })
    }
}

impl fmt::Display for PrepOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::File => "a file",
            Self::InsecureSeed => "an insecure dealer seed",
            Self::Memory => "memory",
            Self::Other => "another source",
        })
    }
}

/// Where a source stands: its deal, what it holds in all and what it has handed out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrepPosition {
    /// What kind of source it is.
    pub origin: PrepOrigin,
    /// The deal its material belongs to.
    pub deal: DealId,
    /// Items of each kind in all, used or not (`u64::MAX` without a bound).
    pub total: PrepCounts,
    /// Items of each kind already used or discarded: the cursors.
    pub consumed: PrepCounts,
}

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

/// The fix for a [`PrepError::Unpaired`] on `field`.
pub(crate) fn fix_for(field: &str) -> &'static str {
    match field {
        "parameters (k, s)" => {
            "start every party with the same parameter set and preprocessing made for it"
        }
        "number of parties" => "use preprocessing dealt for this number of parties",
        "party index of the material" => "give each party the file made for its own index",
        "items dealt" => {
            "the files claim one deal but hold different amounts: one was altered; deal again"
        }
        _ => FIX_SAME_DEAL,
    }
}

/// The fix for preprocessing that does not belong together.
const FIX_SAME_DEAL: &str = "give every party its own file from one deal (the prep-P<i> files \
     of one `spdz2k deal-insecure --out DIR` run), or the same --insecure-dealer-seed to every \
     party; never mix files of two deals, or a file with a seed";

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
