//! Per-kind counts of preprocessed material ("needed versus available").

use crate::error::PrepError;
use crate::kind::PrepKind;

/// A count of items per kind: what a run needs, or what a source still has.
///
/// Sources without a bound report `u64::MAX` for a kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrepCounts {
    /// Multiplication triples.
    pub triples: u64,
    /// Authenticated randoms.
    pub randoms: u64,
    /// Randoms that mask openings.
    pub open_masks: u64,
    /// Input masks, indexed by the owning party.
    pub input_masks: Vec<u64>,
}

impl PrepCounts {
    /// The same count of every kind, with input masks for each of `n_parties` owners.
    pub fn uniform(n_parties: usize, count: u64) -> Self {
        Self {
            triples: count,
            randoms: count,
            open_masks: count,
            input_masks: vec![count; n_parties],
        }
    }

    /// Counts for an unbounded source of `n_parties` parties (`u64::MAX` everywhere).
    pub fn unbounded(n_parties: usize) -> Self {
        Self::uniform(n_parties, u64::MAX)
    }

    /// The count of one kind (0 for input masks of an owner not listed).
    pub fn get(&self, kind: PrepKind) -> u64 {
        match kind {
            PrepKind::Triples => self.triples,
            PrepKind::Randoms => self.randoms,
            PrepKind::OpenMasks => self.open_masks,
            PrepKind::InputMasks { owner } => self.input_masks.get(owner).copied().unwrap_or(0),
        }
    }

    /// Every (kind, count) pair, in a fixed order: triples, randoms, open masks, then input
    /// masks by owner.
    pub fn entries(&self) -> impl Iterator<Item = (PrepKind, u64)> + '_ {
        [
            (PrepKind::Triples, self.triples),
            (PrepKind::Randoms, self.randoms),
            (PrepKind::OpenMasks, self.open_masks),
        ]
        .into_iter()
        .chain(
            self.input_masks
                .iter()
                .enumerate()
                .map(|(owner, &c)| (PrepKind::InputMasks { owner }, c)),
        )
    }

    /// Checks that these (available) counts cover `needed`, before a run starts.
    ///
    /// # Errors
    /// [`PrepError::Insufficient`] naming the first kind that falls short, with both counts.
    pub fn check_covers(&self, needed: &PrepCounts) -> Result<(), PrepError> {
        for (kind, need) in needed.entries() {
            let have = self.get(kind);
            if need > have {
                return Err(PrepError::Insufficient {
                    kind,
                    needed: need,
                    available: have,
                });
            }
        }
        Ok(())
    }

    /// The sum over every kind (saturating), e.g. items discarded in all.
    pub fn sum(&self) -> u64 {
        self.entries().fold(0u64, |a, (_, c)| a.saturating_add(c))
    }

    /// Zero of every kind, with input masks for `n_parties` owners.
    pub fn zero(n_parties: usize) -> Self {
        Self::uniform(n_parties, 0)
    }

    /// Per kind, the larger of `self` and `other`.
    pub fn max(&self, other: &PrepCounts) -> PrepCounts {
        let mut out = self.clone();
        for (kind, c) in other.entries() {
            let have = out.get(kind);
            if c > have {
                out.add(kind, c - have);
            }
        }
        out
    }

    /// Per kind, `self - other` (saturating at 0), with the owners of `self`.
    pub fn saturating_sub(&self, other: &PrepCounts) -> PrepCounts {
        let mut out = PrepCounts::zero(self.input_masks.len());
        for (kind, c) in self.entries() {
            out.add(kind, c.saturating_sub(other.get(kind)));
        }
        out
    }

    /// Adds `n` to the count of `kind`, growing the owner list if needed (saturating).
    pub(crate) fn add(&mut self, kind: PrepKind, n: u64) {
        let slot = match kind {
            PrepKind::Triples => &mut self.triples,
            PrepKind::Randoms => &mut self.randoms,
            PrepKind::OpenMasks => &mut self.open_masks,
            PrepKind::InputMasks { owner } => {
                if self.input_masks.len() <= owner {
                    self.input_masks.resize(owner + 1, 0);
                }
                match self.input_masks.get_mut(owner) {
                    Some(slot) => slot,
                    None => return,
                }
            }
        };
        *slot = slot.saturating_add(n);
    }
}

#[cfg(test)]
impl PrepCounts {
    /// Counts given as (triples, randoms, open masks, input masks by owner), for tests.
    pub(crate) fn of(triples: u64, randoms: u64, open_masks: u64, input_masks: &[u64]) -> Self {
        Self {
            triples,
            randoms,
            open_masks,
            input_masks: input_masks.to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_display_as_words() {
        assert_eq!(PrepKind::Triples.to_string(), "triples");
        assert_eq!(PrepKind::OpenMasks.to_string(), "open masks");
        assert_eq!(
            PrepKind::InputMasks { owner: 1 }.to_string(),
            "input masks of party 1"
        );
    }

    #[test]
    fn covers_when_every_kind_suffices() {
        let available = PrepCounts::of(10, 5, 5, &[3, 3]);
        let needed = PrepCounts::of(10, 0, 5, &[3]);
        assert!(available.check_covers(&needed).is_ok());
        assert!(PrepCounts::unbounded(2).check_covers(&available).is_ok());
    }

    #[test]
    fn shortfall_names_first_short_kind_and_both_counts() {
        let available = PrepCounts::of(10, 5, 1, &[3, 2]);
        let needed = PrepCounts::of(10, 5, 4, &[0, 7]);
        let err = available.check_covers(&needed).unwrap_err();
        assert!(matches!(
            err,
            PrepError::Insufficient {
                kind: PrepKind::OpenMasks,
                needed: 4,
                available: 1
            }
        ));
        let msg = err.to_string();
        assert!(msg.contains("open masks") && msg.contains('4') && msg.contains('1'));

        let needed = PrepCounts {
            input_masks: vec![0, 7],
            ..PrepCounts::default()
        };
        let err = available.check_covers(&needed).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("input masks of party 1"), "{msg}");
        assert!(msg.contains("needs 7") && msg.contains("only 2"), "{msg}");
    }

    #[test]
    fn owner_missing_from_available_counts_as_zero() {
        let available = PrepCounts::uniform(2, 5);
        let needed = PrepCounts {
            input_masks: vec![0, 0, 1],
            ..PrepCounts::default()
        };
        let err = available.check_covers(&needed).unwrap_err();
        assert!(matches!(
            err,
            PrepError::Insufficient {
                kind: PrepKind::InputMasks { owner: 2 },
                needed: 1,
                available: 0
            }
        ));
    }
}
