//! Preprocessed material held in memory: dealt ahead of a run, so that a benchmark (or a
//! test) times only the online phase, with the same accounting as the other sources.

use crate::counts::PrepCounts;
use crate::error::PrepError;
use crate::kind::PrepKind;
use crate::origin::{DealId, PrepOrigin, PrepPosition};
use crate::source::{InputMasks, Preprocessing};
#[cfg(feature = "insecure-dealer")]
use spdz2k_core::InsecureDealer;
use spdz2k_core::{AuthShares, KeySetId, MacKeyShare, Triples};
use spdz2k_ring::Params;

/// One party's material in memory; hands each item out once, then reports exhaustion.
#[derive(Clone)]
pub struct MemoryStore<P: Params> {
    party: usize,
    n: usize,
    key_set: KeySetId,
    deal: DealId,
    /// Items dealt in all, per kind.
    total: PrepCounts,
    key: MacKeyShare<P>,
    triples: Triples<P>,
    randoms: AuthShares<P>,
    open_masks: AuthShares<P>,
    /// Per owner.
    input_masks: Vec<InputMasks<P>>,
    /// Items handed out so far, per kind: each call copies out only what it hands out (taking
    /// from the front of the vectors would move everything behind it, on every call).
    taken: Taken,
}

/// How far each kind of a [`MemoryStore`] has been handed out.
#[derive(Clone, Debug, Default)]
struct Taken {
    triples: usize,
    randoms: usize,
    open_masks: usize,
    input_masks: Vec<usize>,
}

impl<P: Params> core::fmt::Debug for MemoryStore<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Counts only: the key share and the clear masks are secret.
        write!(
            f,
            "MemoryStore<{}>(party {} of {}, {:?})",
            P::NAME,
            self.party,
            self.n,
            self.available()
        )
    }
}

impl<P: Params> MemoryStore<P> {
    /// INSECURE: deals `counts` of every kind for all `n` parties with the insecure dealer
    /// seeded by `seed` (tests and benchmarks only). Entry i is party i's store.
    #[cfg(feature = "insecure-dealer")]
    pub fn deal_insecure(
        n: usize,
        seed: [u8; 32],
        counts: &PrepCounts,
    ) -> Result<Vec<Self>, PrepError> {
        crate::validate_parties(0, n)?;
        if counts.input_masks.len() != n {
            return Err(PrepError::InputMaskOwners {
                listed: counts.input_masks.len(),
                n_parties: n,
            });
        }
        let size = |c: u64| usize::try_from(c).unwrap_or(usize::MAX);
        let mut dealer = InsecureDealer::<P>::new(n, seed);
        let key_set = dealer.key_set_id();
        crate::ensure_not_retired(key_set, "the insecure dealer with this seed")?;
        let mut triples = dealer.triples(size(counts.triples)).into_iter();
        let mut randoms = dealer
            .randoms_in("random", size(counts.randoms))
            .1
            .into_iter();
        let mut open_masks = dealer
            .randoms_in("open-mask", size(counts.open_masks))
            .1
            .into_iter();
        let mut per_owner: Vec<_> = counts
            .input_masks
            .iter()
            .enumerate()
            .map(|(owner, &c)| {
                let (clear, shares) = dealer.input_masks(owner, size(c));
                (clear, shares.into_iter())
            })
            .collect();
        let mut stores = Vec::with_capacity(n);
        for party in 0..n {
            let input_masks = per_owner
                .iter_mut()
                .enumerate()
                .map(|(owner, (clear, shares))| InputMasks {
                    shares: shares.next().unwrap_or_default(),
                    clear: (owner == party).then(|| clear.clone()),
                })
                .collect();
            stores.push(Self {
                party,
                n,
                key_set,
                deal: DealId::of_insecure_seed(&seed),
                total: counts.clone(),
                key: dealer.mac_key_share(party),
                triples: triples.next().unwrap_or_else(|| Triples {
                    a: AuthShares::default(),
                    b: AuthShares::default(),
                    c: AuthShares::default(),
                }),
                randoms: randoms.next().unwrap_or_default(),
                open_masks: open_masks.next().unwrap_or_default(),
                input_masks,
                taken: Taken::new(n),
            });
        }
        Ok(stores)
    }

    /// One party's store from material generated elsewhere (e.g. by the offline phase):
    /// `input_masks` has one entry per owner.
    ///
    /// # Errors
    /// [`PrepError::InvalidParty`] or [`PrepError::InputMaskOwners`] when the indices or the
    /// owner count do not fit `n`.
    #[allow(clippy::too_many_arguments)]
    pub fn from_parts(
        party: usize,
        n: usize,
        key_set: KeySetId,
        key: MacKeyShare<P>,
        triples: Triples<P>,
        randoms: AuthShares<P>,
        open_masks: AuthShares<P>,
        input_masks: Vec<InputMasks<P>>,
    ) -> Result<Self, PrepError> {
        crate::validate_parties(party, n)?;
        if input_masks.len() != n {
            return Err(PrepError::InputMaskOwners {
                listed: input_masks.len(),
                n_parties: n,
            });
        }
        let store = Self {
            party,
            n,
            key_set,
            deal: DealId::of_key_set(&key_set),
            total: PrepCounts::default(),
            key,
            triples,
            randoms,
            open_masks,
            input_masks,
            taken: Taken::new(n),
        };
        Ok(Self {
            total: store.available(),
            ..store
        })
    }

    /// The next `n` items of a kind with `len` in all, `taken` already handed out.
    fn next(
        &self,
        kind: PrepKind,
        n: usize,
        len: usize,
        taken: usize,
    ) -> Result<core::ops::Range<usize>, PrepError> {
        let left = len - taken;
        if n > left {
            return Err(self.exhausted(kind, n, left));
        }
        Ok(taken..taken + n)
    }

    fn exhausted(&self, kind: PrepKind, requested: usize, available: usize) -> PrepError {
        PrepError::Exhausted {
            party: self.party,
            kind,
            requested: requested as u64,
            available: available as u64,
            origin: "material held in memory".into(),
        }
    }
}

impl<P: Params> Preprocessing<P> for MemoryStore<P> {
    fn party(&self) -> usize {
        self.party
    }
    fn n_parties(&self) -> usize {
        self.n
    }
    fn key_set_id(&self) -> KeySetId {
        self.key_set
    }
    fn mac_key_share(&self) -> MacKeyShare<P> {
        self.key
    }
    fn available(&self) -> PrepCounts {
        PrepCounts {
            triples: (self.triples.len() - self.taken.triples) as u64,
            randoms: (self.randoms.len() - self.taken.randoms) as u64,
            open_masks: (self.open_masks.len() - self.taken.open_masks) as u64,
            input_masks: self
                .input_masks
                .iter()
                .zip(&self.taken.input_masks)
                .map(|(m, &t)| (m.shares.len() - t) as u64)
                .collect(),
        }
    }
    fn position(&self) -> PrepPosition {
        PrepPosition {
            origin: PrepOrigin::Memory,
            deal: self.deal,
            total: self.total.clone(),
            consumed: self.total.saturating_sub(&self.available()),
        }
    }
    fn skip_to(&mut self, cursor: &PrepCounts) -> Result<PrepCounts, PrepError> {
        let skip = cursor.saturating_sub(&self.position().consumed);
        let left = self.available();
        let size = |kind| usize::try_from(skip.get(kind).min(left.get(kind))).unwrap_or(0);
        let mut skipped = PrepCounts::zero(self.n);
        for (kind, _) in left.entries() {
            let n = size(kind);
            match kind {
                PrepKind::Triples => drop(self.triples(n)?),
                PrepKind::Randoms => drop(self.randoms(n)?),
                PrepKind::OpenMasks => drop(self.open_masks(n)?),
                PrepKind::InputMasks { owner } => drop(self.input_masks(owner, n)?),
            }
            skipped.add(kind, n as u64);
        }
        Ok(skipped)
    }
    fn triples(&mut self, n: usize) -> Result<Triples<P>, PrepError> {
        let t = &self.triples;
        let r = self.next(PrepKind::Triples, n, t.len(), self.taken.triples)?;
        self.taken.triples = r.end;
        Ok(Triples {
            a: t.a.slice(r.clone()),
            b: t.b.slice(r.clone()),
            c: t.c.slice(r),
        })
    }
    fn randoms(&mut self, n: usize) -> Result<AuthShares<P>, PrepError> {
        let r = self.next(PrepKind::Randoms, n, self.randoms.len(), self.taken.randoms)?;
        self.taken.randoms = r.end;
        Ok(self.randoms.slice(r))
    }
    fn open_masks(&mut self, n: usize) -> Result<AuthShares<P>, PrepError> {
        let (len, taken) = (self.open_masks.len(), self.taken.open_masks);
        let r = self.next(PrepKind::OpenMasks, n, len, taken)?;
        self.taken.open_masks = r.end;
        Ok(self.open_masks.slice(r))
    }
    fn input_masks(&mut self, owner: usize, n: usize) -> Result<InputMasks<P>, PrepError> {
        let len = self.input_masks.get(owner).map_or(0, |m| m.shares.len());
        let taken = self.taken.input_masks.get(owner).copied().unwrap_or(0);
        let r = self.next(PrepKind::InputMasks { owner }, n, len, taken)?;
        self.taken.input_masks[owner] = r.end;
        let masks = &self.input_masks[owner];
        Ok(InputMasks {
            shares: masks.shares.slice(r.clone()),
            clear: masks.clear.as_ref().map(|c| c[r].to_vec()),
        })
    }
}

impl Taken {
    fn new(n: usize) -> Self {
        Self {
            input_masks: vec![0; n],
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spdz2k_core::{macs_consistent, reconstruct};
    use spdz2k_ring::K64S64;

    #[test]
    fn hands_out_valid_material_once_then_reports_exhaustion() {
        let counts = PrepCounts::of(5, 2, 3, &[4, 1]);
        let mut stores = MemoryStore::<K64S64>::deal_insecure(2, [3; 32], &counts).unwrap();
        let alpha = InsecureDealer::<K64S64>::new(2, [3; 32]).mac_key();
        let t: Vec<_> = stores.iter_mut().map(|s| s.triples(5).unwrap()).collect();
        let a: Vec<_> = t.iter().map(|t| t.a.clone()).collect();
        let b: Vec<_> = t.iter().map(|t| t.b.clone()).collect();
        let c: Vec<_> = t.iter().map(|t| t.c.clone()).collect();
        for ((x, y), z) in reconstruct(&a)
            .iter()
            .zip(reconstruct(&b))
            .zip(reconstruct(&c))
        {
            assert_eq!(K64S64::mul(*x, y), z);
        }
        assert!(macs_consistent(&c, alpha));
        let m: Vec<_> = stores
            .iter_mut()
            .map(|s| s.input_masks(0, 4).unwrap())
            .collect();
        assert!(m[1].clear.is_none());
        let clear = m[0].clear.clone().unwrap();
        let shares: Vec<_> = m.into_iter().map(|m| m.shares).collect();
        assert_eq!(reconstruct(&shares), clear);
        let err = stores[0].triples(1).unwrap_err();
        assert!(
            matches!(
                err,
                PrepError::Exhausted {
                    requested: 1,
                    available: 0,
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(stores[1].available().open_masks, 3);
        assert!(!format!("{:?}", stores[0]).contains(&format!("{:?}", clear[0])));
    }
}
