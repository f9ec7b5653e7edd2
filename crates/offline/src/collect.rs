//! Gathering a party's checked material, batch by batch, into a [`MemoryStore`]: one place
//! for the ChaCha-PRG driver (`generate`) and the real-OT one (`generate_secure`), and the
//! plan of batches both run.

use crate::batch::BatchKind;
use crate::error::OfflineError;
use crate::flow::Material;
use spdz2k_core::{AuthShares, KeySetId, MacKeyShare, Triples};
use spdz2k_prep::{InputMasks, MemoryStore, PrepCounts, PrepKind};
use spdz2k_ring::HasCheckRing;

/// This party's material so far, in the pools of a [`MemoryStore`].
pub(crate) struct Collected<P: HasCheckRing> {
    party: usize,
    n: usize,
    triples: Triples<P>,
    randoms: AuthShares<P>,
    open_masks: AuthShares<P>,
    masks: Vec<InputMasks<P>>,
}

impl<P: HasCheckRing> Collected<P> {
    /// Empty pools for party `party` of `n`.
    pub(crate) fn new(party: usize, n: usize) -> Self {
        Self {
            party,
            n,
            triples: Triples {
                a: AuthShares::default(),
                b: AuthShares::default(),
                c: AuthShares::default(),
            },
            randoms: AuthShares::default(),
            open_masks: AuthShares::default(),
            masks: (0..n)
                .map(|o| InputMasks {
                    shares: AuthShares::default(),
                    clear: (o == party).then(Vec::new),
                })
                .collect(),
        }
    }

    /// Adds one batch's material for the pool of `kind`.
    pub(crate) fn add(&mut self, kind: PrepKind, m: Material<P>) -> Result<(), OfflineError> {
        match (kind, m) {
            (PrepKind::Triples, Material::Triples(t)) => self.triples.extend(&t),
            (PrepKind::Randoms, Material::Randoms(r)) => self.randoms.extend(&r),
            (PrepKind::OpenMasks, Material::Randoms(r)) => self.open_masks.extend(&r),
            (PrepKind::InputMasks { .. }, Material::InputMasks { owner, masks: m }) => {
                let Some(pool) = self.masks.get_mut(owner) else {
                    return Err(self.invalid(format!("input masks of owner {owner}")));
                };
                pool.shares.extend(&m.shares);
                if let (Some(all), Some(c)) = (pool.clear.as_mut(), m.clear) {
                    all.extend(c);
                }
            }
            _ => return Err(self.invalid("a batch returned material of another kind".into())),
        }
        Ok(())
    }

    /// The store of everything added, under key set `key_set` with this party's key share.
    pub(crate) fn into_store(
        self,
        key_set: KeySetId,
        key: MacKeyShare<P>,
    ) -> Result<MemoryStore<P>, OfflineError> {
        let party = self.party;
        MemoryStore::from_parts(
            party,
            self.n,
            key_set,
            key,
            self.triples,
            self.randoms,
            self.open_masks,
            self.masks,
        )
        .map_err(|e| OfflineError::Invalid {
            party,
            detail: e.to_string(),
        })
    }

    fn invalid(&self, detail: String) -> OfflineError {
        OfflineError::Invalid {
            party: self.party,
            detail,
        }
    }
}

/// Refuses a request whose input masks do not list one count per party, or a batch size 0.
pub(crate) fn check_request(
    party: usize,
    n: usize,
    counts: &spdz2k_prep::PrepCounts,
    batch: usize,
) -> Result<(), OfflineError> {
    if counts.input_masks.len() != n || batch == 0 {
        return Err(OfflineError::Invalid {
            party,
            detail: format!(
                "input masks listed for {} owners among {n} parties, batch size {batch}",
                counts.input_masks.len()
            ),
        });
    }
    Ok(())
}

/// The batches that make `counts`, in the order of [`PrepCounts::entries`] (the order of a
/// preprocessing file), at most `batch` items each.
pub fn plan(counts: &PrepCounts, batch: usize) -> Vec<(PrepKind, BatchKind)> {
    let mut out = Vec::new();
    for (kind, total) in counts.entries() {
        let mut left = total;
        while left > 0 {
            let c = usize::try_from(left).map_or(batch, |l| l.min(batch));
            left -= c as u64;
            out.push((
                kind,
                match kind {
                    PrepKind::Triples => BatchKind::Triples(c),
                    PrepKind::Randoms | PrepKind::OpenMasks => BatchKind::Randoms(c),
                    PrepKind::InputMasks { owner } => BatchKind::InputMasks { owner, count: c },
                },
            ));
        }
    }
    out
}
