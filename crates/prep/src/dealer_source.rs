//! Preprocessing straight from the INSECURE dealer, for tests and benchmarks.
//!
//! Every party process runs the same deterministic dealer from a shared seed and keeps only
//! its own shares, so the processes agree without talking. Whoever knows the seed knows the
//! MAC key and every secret: this is never secure.

use crate::counts::PrepCounts;
use crate::error::PrepError;
use crate::kind::PrepKind;
use crate::origin::{DealId, PrepOrigin, PrepPosition};
use crate::source::{InputMasks, Preprocessing};
use crate::validate_parties;
use spdz2k_core::{AuthShares, InsecureDealer, KeySetId, MacKeyShare, Triples};
use spdz2k_ring::Params;

/// The dealer stream general randoms come from.
pub(crate) const RANDOM_STREAM: &str = "random";
/// The dealer stream opening masks come from, independent of [`RANDOM_STREAM`].
pub(crate) const OPEN_MASK_STREAM: &str = "open-mask";

/// An unbounded source of one party's shares, dealt by an INSECURE dealer from a seed.
pub struct InsecureDealerSource<P: Params> {
    party: usize,
    dealer: InsecureDealer<P>,
    deal: DealId,
    /// Items dealt so far (handed out or skipped), per kind.
    consumed: PrepCounts,
}

impl<P: Params> core::fmt::Debug for InsecureDealerSource<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "InsecureDealerSource<{}>(party {} of {}, INSECURE)",
            P::NAME,
            self.party,
            self.dealer.n_parties()
        )
    }
}

impl<P: Params> InsecureDealerSource<P> {
    /// Party `party`'s view of the dealer for `n_parties` parties seeded with `seed`.
    ///
    /// # Errors
    /// [`PrepError::InvalidPartyCount`] or [`PrepError::InvalidParty`].
    pub fn new(party: usize, n_parties: usize, seed: [u8; 32]) -> Result<Self, PrepError> {
        validate_parties(party, n_parties)?;
        let dealer = InsecureDealer::new(n_parties, seed);
        crate::ensure_not_retired(dealer.key_set_id(), "the insecure dealer with this seed")?;
        tracing::warn!(
            party,
            n_parties,
            params = P::NAME,
            "using the INSECURE dealer for preprocessing: whoever knows the seed knows every secret"
        );
        Ok(Self {
            party,
            dealer,
            deal: DealId::of_insecure_seed(&seed),
            consumed: PrepCounts::zero(n_parties),
        })
    }

    /// Counts `n` items of `kind` as dealt.
    fn count(&mut self, kind: PrepKind, n: usize) {
        self.consumed.add(kind, n as u64);
    }
}

impl<P: Params> Preprocessing<P> for InsecureDealerSource<P> {
    fn party(&self) -> usize {
        self.party
    }
    fn n_parties(&self) -> usize {
        self.dealer.n_parties()
    }
    fn key_set_id(&self) -> KeySetId {
        self.dealer.key_set_id()
    }
    fn mac_key_share(&self) -> MacKeyShare<P> {
        self.dealer.mac_key_share(self.party)
    }
    fn available(&self) -> PrepCounts {
        PrepCounts::unbounded(self.dealer.n_parties())
    }
    fn position(&self) -> PrepPosition {
        PrepPosition {
            origin: PrepOrigin::InsecureSeed,
            deal: self.deal,
            total: PrepCounts::unbounded(self.dealer.n_parties()),
            consumed: self.consumed.clone(),
        }
    }
    fn skip_to(&mut self, cursor: &PrepCounts) -> Result<PrepCounts, PrepError> {
        // Deal and drop, in bounded batches: the streams are per kind.
        const BATCH: u64 = 1 << 16;
        // An honest peer's dealer starts at 0 like this one; refuse to deal for ever.
        const MAX_SKIP: u64 = 1 << 32;
        let skip = cursor.saturating_sub(&self.consumed);
        if let Some((kind, n)) = skip.entries().find(|&(_, n)| n > MAX_SKIP) {
            return Err(PrepError::CannotSkip {
                origin: "the insecure dealer".into(),
                cursor: format!("{cursor:?}"),
                detail: format!("skipping {n} {kind} exceeds the limit of {MAX_SKIP}"),
            });
        }
        let mut skip_owned = PrepCounts::zero(self.dealer.n_parties());
        for (kind, c) in skip.entries() {
            skip_owned.add(kind, c);
        }
        for (kind, total) in skip_owned.entries() {
            let mut left = total;
            while left > 0 {
                let n = usize::try_from(left.min(BATCH)).unwrap_or(1);
                match kind {
                    PrepKind::Triples => drop(self.triples(n)?),
                    PrepKind::Randoms => drop(self.randoms(n)?),
                    PrepKind::OpenMasks => drop(self.open_masks(n)?),
                    PrepKind::InputMasks { owner } => drop(self.input_masks(owner, n)?),
                }
                left -= n as u64;
            }
        }
        Ok(skip_owned)
    }
    fn triples(&mut self, n: usize) -> Result<Triples<P>, PrepError> {
        self.count(PrepKind::Triples, n);
        Ok(self.dealer.triples_for(n, self.party))
    }
    fn randoms(&mut self, n: usize) -> Result<AuthShares<P>, PrepError> {
        self.count(PrepKind::Randoms, n);
        Ok(self.dealer.randoms_in_for(RANDOM_STREAM, n, self.party).1)
    }
    fn open_masks(&mut self, n: usize) -> Result<AuthShares<P>, PrepError> {
        self.count(PrepKind::OpenMasks, n);
        Ok(self
            .dealer
            .randoms_in_for(OPEN_MASK_STREAM, n, self.party)
            .1)
    }
    fn input_masks(&mut self, owner: usize, n: usize) -> Result<InputMasks<P>, PrepError> {
        let n_parties = self.dealer.n_parties();
        if owner >= n_parties {
            return Err(PrepError::UnknownOwner { owner, n_parties });
        }
        self.count(PrepKind::InputMasks { owner }, n);
        let (clear, shares) = self.dealer.input_masks_for(owner, n, self.party);
        Ok(InputMasks {
            shares,
            clear: (owner == self.party).then_some(clear),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spdz2k_core::{macs_consistent, reconstruct};
    use spdz2k_ring::{K32S32, K64S64, K66S48, K128S64, Params};

    const SEED: [u8; 32] = [7; 32];

    fn sources<P: Params>(n: usize) -> Vec<InsecureDealerSource<P>> {
        (0..n)
            .map(|i| InsecureDealerSource::new(i, n, SEED).unwrap())
            .collect()
    }

    fn alpha<P: Params>(srcs: &[InsecureDealerSource<P>]) -> P::Word {
        srcs.iter().fold(P::from_u128(0), |a, s| {
            P::add(a, s.mac_key_share().expose())
        })
    }

    fn separate_sources_form_valid_sharings<P: Params>(n: usize) {
        let mut srcs = sources::<P>(n);
        let alpha = alpha(&srcs);
        assert_eq!(alpha, InsecureDealer::<P>::new(n, SEED).mac_key());
        let ids: Vec<_> = srcs.iter().map(|s| s.key_set_id()).collect();
        assert!(ids.iter().all(|id| *id == ids[0]));

        // Uneven batch sizes per party: the streams must still line up.
        let t: Vec<Triples<P>> = srcs
            .iter_mut()
            .enumerate()
            .map(|(i, s)| {
                let mut t = s.triples(1 + i).unwrap();
                t.extend(&s.triples(4 - i).unwrap());
                t
            })
            .collect();
        let a = reconstruct(&t.iter().map(|t| t.a.clone()).collect::<Vec<_>>());
        let b = reconstruct(&t.iter().map(|t| t.b.clone()).collect::<Vec<_>>());
        let c = reconstruct(&t.iter().map(|t| t.c.clone()).collect::<Vec<_>>());
        assert_eq!(a.len(), 5);
        for j in 0..5 {
            assert_eq!(P::mul(a[j], b[j]), c[j]);
        }
        for part in [
            t.iter().map(|t| t.a.clone()).collect::<Vec<_>>(),
            t.iter().map(|t| t.b.clone()).collect(),
            t.iter().map(|t| t.c.clone()).collect(),
        ] {
            assert!(macs_consistent(&part, alpha));
        }

        let r: Vec<_> = srcs.iter_mut().map(|s| s.randoms(6).unwrap()).collect();
        let m: Vec<_> = srcs.iter_mut().map(|s| s.open_masks(6).unwrap()).collect();
        assert!(macs_consistent(&r, alpha) && macs_consistent(&m, alpha));
        assert_ne!(reconstruct(&r), reconstruct(&m), "independent streams");

        for owner in 0..n {
            let im: Vec<_> = srcs
                .iter_mut()
                .map(|s| s.input_masks(owner, 3).unwrap())
                .collect();
            for (i, masks) in im.iter().enumerate() {
                assert_eq!(masks.clear.is_some(), i == owner);
            }
            let shares: Vec<_> = im.iter().map(|m| m.shares.clone()).collect();
            assert!(macs_consistent(&shares, alpha));
            assert_eq!(
                Some(reconstruct(&shares)),
                im.into_iter().nth(owner).and_then(|m| m.clear)
            );
        }
    }

    #[test]
    fn sharings_valid_for_every_params_set() {
        separate_sources_form_valid_sharings::<K32S32>(2);
        separate_sources_form_valid_sharings::<K64S64>(2);
        separate_sources_form_valid_sharings::<K66S48>(3);
        separate_sources_form_valid_sharings::<K128S64>(3);
    }

    #[test]
    fn tampered_share_breaks_mac_consistency() {
        let mut srcs = sources::<K64S64>(2);
        let alpha = alpha(&srcs);
        let mut r: Vec<_> = srcs.iter_mut().map(|s| s.randoms(2).unwrap()).collect();
        let (mut v, m) = r[1].clone().into_parts();
        v[0] = K64S64::add(v[0], 1);
        r[1] = AuthShares::from_parts(v, m).unwrap();
        assert!(!macs_consistent(&r, alpha));
    }

    #[test]
    fn other_seed_gives_other_key_set() {
        let a = InsecureDealerSource::<K64S64>::new(0, 2, [1; 32]).unwrap();
        let b = InsecureDealerSource::<K64S64>::new(0, 2, [2; 32]).unwrap();
        assert_ne!(a.key_set_id(), b.key_set_id());
    }

    #[test]
    fn bad_indices_are_refused() {
        assert!(matches!(
            InsecureDealerSource::<K64S64>::new(2, 2, SEED),
            Err(PrepError::InvalidParty {
                party: 2,
                n_parties: 2
            })
        ));
        assert!(matches!(
            InsecureDealerSource::<K64S64>::new(0, 0, SEED),
            Err(PrepError::InvalidPartyCount { n_parties: 0, .. })
        ));
        let mut s = InsecureDealerSource::<K64S64>::new(0, 2, SEED).unwrap();
        let err = s.input_masks(5, 1).unwrap_err();
        assert!(err.to_string().contains("party 5"), "{err}");
        assert_eq!(s.available(), PrepCounts::unbounded(2));
    }
}
