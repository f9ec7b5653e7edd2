//! The preprocessing trait the online engine consumes material through.

use crate::counts::PrepCounts;
use crate::error::PrepError;
use crate::origin::{DealId, PrepOrigin, PrepPosition};
use crate::retire::{RetireCause, retire_in_process};
use spdz2k_core::{AuthShares, KeySetId, MacKeyShare, Triples};
use spdz2k_ring::Params;

/// One party's shares of a batch of input masks `[r]` for one owner. `Debug` prints
/// lengths only: the clear masks are secret.
#[derive(Clone, PartialEq, Eq)]
pub struct InputMasks<P: Params> {
    /// This party's authenticated shares of the masks.
    pub shares: AuthShares<P>,
    /// The clear masks r: `Some` exactly when this party is the owner. Secret.
    pub clear: Option<Vec<P::Word>>,
}

impl<P: Params> core::fmt::Debug for InputMasks<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "InputMasks<{}>(len {}, {})",
            P::NAME,
            self.shares.len(),
            if self.clear.is_some() {
                "owner: clear masks redacted"
            } else {
                "not the owner"
            }
        )
    }
}

/// A source of one party's preprocessed material, with per-kind accounting.
///
/// Every call hands out fresh items, never the same item twice; asking for more than
/// [`Preprocessing::available`] reports fails with [`PrepError::Exhausted`] and hands out
/// nothing.
pub trait Preprocessing<P: Params>: Send {
    /// This party's index.
    fn party(&self) -> usize;
    /// The number of parties the material is shared among.
    fn n_parties(&self) -> usize;
    /// The ID of the MAC key set every item is authenticated under.
    fn key_set_id(&self) -> KeySetId;
    /// This party's MAC key share. Secret: never log it.
    fn mac_key_share(&self) -> MacKeyShare<P>;
    /// Items left per kind; `u64::MAX` for a kind without a bound.
    fn available(&self) -> PrepCounts;
    /// The next `n` multiplication triples.
    fn triples(&mut self, n: usize) -> Result<Triples<P>, PrepError>;
    /// The next `n` authenticated randoms.
    fn randoms(&mut self, n: usize) -> Result<AuthShares<P>, PrepError>;
    /// The next `n` randoms for masking openings (a stream separate from
    /// [`Preprocessing::randoms`]).
    fn open_masks(&mut self, n: usize) -> Result<AuthShares<P>, PrepError>;
    /// The next `n` input masks of party `owner`.
    fn input_masks(&mut self, owner: usize, n: usize) -> Result<InputMasks<P>, PrepError>;

    /// Retires this source's MAC key set after a failed check, before the abort is
    /// reported: the key set is never used again. The default records it in this process's
    /// registry (see [`crate::retire_in_process`]), which every source and session start
    /// consults; a persistent source must also record it durably (the
    /// [`crate::FileStore`] writes and syncs a marker file).
    ///
    /// # Errors
    /// [`PrepError::Io`] if a persistent marker could not be written.
    fn retire(&mut self, cause: &RetireCause) -> Result<(), PrepError> {
        retire_in_process(self.key_set_id(), cause);
        Ok(())
    }

    /// The deal, totals and cursors, compared with the peers' at session start
    /// ([`crate::Pairing`]). The default suits a source that cannot say more: another
    /// origin, a zero deal ID, nothing consumed, [`Preprocessing::available`] in all.
    fn position(&self) -> PrepPosition {
        let total = self.available();
        PrepPosition {
            origin: PrepOrigin::Other,
            deal: DealId::default(),
            consumed: PrepCounts {
                input_masks: vec![0; total.input_masks.len()],
                ..PrepCounts::default()
            },
            total,
        }
    }

    /// Discards items up to `cursor` (per kind; kinds already past it stay), persisting the
    /// new cursor before returning, and returns what was discarded. Session start calls it
    /// with the furthest cursor of any party. The default only accepts a cursor it is
    /// already at.
    ///
    /// # Errors
    /// [`PrepError::CannotSkip`] if the source cannot skip, or its I/O error.
    fn skip_to(&mut self, cursor: &PrepCounts) -> Result<PrepCounts, PrepError> {
        let here = self.position().consumed;
        let behind = cursor.entries().any(|(kind, c)| c > here.get(kind));
        if behind {
            return Err(PrepError::CannotSkip {
                origin: "this preprocessing source".into(),
                cursor: format!("{cursor:?}"),
                detail: "it does not support skipping".into(),
            });
        }
        Ok(PrepCounts {
            input_masks: vec![0; here.input_masks.len()],
            ..PrepCounts::default()
        })
    }

    /// Checks before a run that the material left covers `needed`.
    ///
    /// # Errors
    /// [`PrepError::Insufficient`] naming the first kind that falls short.
    fn check_covers(&self, needed: &PrepCounts) -> Result<(), PrepError> {
        self.available().check_covers(needed)
    }
}

impl<P: Params, T: Preprocessing<P> + ?Sized> Preprocessing<P> for Box<T> {
    fn party(&self) -> usize {
        (**self).party()
    }
    fn n_parties(&self) -> usize {
        (**self).n_parties()
    }
    fn key_set_id(&self) -> KeySetId {
        (**self).key_set_id()
    }
    fn mac_key_share(&self) -> MacKeyShare<P> {
        (**self).mac_key_share()
    }
    fn available(&self) -> PrepCounts {
        (**self).available()
    }
    fn triples(&mut self, n: usize) -> Result<Triples<P>, PrepError> {
        (**self).triples(n)
    }
    fn randoms(&mut self, n: usize) -> Result<AuthShares<P>, PrepError> {
        (**self).randoms(n)
    }
    fn open_masks(&mut self, n: usize) -> Result<AuthShares<P>, PrepError> {
        (**self).open_masks(n)
    }
    fn input_masks(&mut self, owner: usize, n: usize) -> Result<InputMasks<P>, PrepError> {
        (**self).input_masks(owner, n)
    }
    fn position(&self) -> PrepPosition {
        (**self).position()
    }
    fn skip_to(&mut self, cursor: &PrepCounts) -> Result<PrepCounts, PrepError> {
        (**self).skip_to(cursor)
    }
    fn retire(&mut self, cause: &RetireCause) -> Result<(), PrepError> {
        (**self).retire(cause)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spdz2k_ring::K64S64;

    #[test]
    fn input_masks_debug_prints_lengths_not_masks() {
        let secret = 0x1234_5678_9abc_u128;
        let masks = InputMasks::<K64S64> {
            shares: AuthShares::from_parts(vec![secret], vec![secret]).unwrap(),
            clear: Some(vec![secret]),
        };
        let text = format!("{masks:?}");
        assert!(
            text.contains("len 1") && text.contains("redacted"),
            "{text}"
        );
        assert!(!text.contains(&secret.to_string()), "{text}");
    }
}
