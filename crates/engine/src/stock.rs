//! The stock of preprocessing drawn ahead of time ([`crate::Session::preload`]): what is
//! held of each kind and how far it has been used. Drawing from it is in `draw.rs`.

use spdz2k_core::{AuthShares, Triples};
use spdz2k_prep::{InputMasks, PrepCounts};
use spdz2k_ring::Params;

/// Items drawn ahead, each kind with how far it has been used.
pub(crate) struct Stock<P: Params> {
    pub(crate) triples: Triples<P>,
    pub(crate) triples_used: usize,
    pub(crate) open_masks: AuthShares<P>,
    pub(crate) open_masks_used: usize,
    /// Per owner: the masks and how many are used.
    pub(crate) input_masks: Vec<(InputMasks<P>, usize)>,
}

impl<P: Params> Stock<P> {
    pub(crate) fn new(n: usize) -> Self {
        Self {
            triples: empty_triples(),
            triples_used: 0,
            open_masks: AuthShares::default(),
            open_masks_used: 0,
            input_masks: (0..n)
                .map(|_| {
                    let masks = InputMasks {
                        shares: AuthShares::default(),
                        clear: None,
                    };
                    (masks, 0)
                })
                .collect(),
        }
    }

    /// Items held and not yet used, per kind (randoms are never drawn ahead).
    pub(crate) fn left(&self) -> PrepCounts {
        PrepCounts {
            triples: (self.triples.len() - self.triples_used) as u64,
            randoms: 0,
            open_masks: (self.open_masks.len() - self.open_masks_used) as u64,
            input_masks: self
                .input_masks
                .iter()
                .map(|(m, used)| (m.shares.len() - used) as u64)
                .collect(),
        }
    }
}

pub(crate) fn empty_triples<P: Params>() -> Triples<P> {
    Triples {
        a: AuthShares::default(),
        b: AuthShares::default(),
        c: AuthShares::default(),
    }
}

/// Triples for one multiplication: borrowed from the stock (no copy) or drawn for it.
pub(crate) struct HeldTriples<P: Params> {
    pub(crate) triples: Triples<P>,
    /// Where this multiplication's triples sit in `triples`.
    pub(crate) at: usize,
    pub(crate) from_stock: bool,
}
