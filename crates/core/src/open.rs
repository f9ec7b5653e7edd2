//! Opening shared values, and the log of opened values awaiting a MAC check.
//!
//! Two kinds of opening exist. Beaver openings (x - a, y - b) are sent as they are, because
//! a and b are uniform in Z_2^(k+s). Every other opening is masked: x^ = x + 2^k * r for a
//! fresh authenticated random r, so the top s bits of x^ are uniform and nothing of the
//! garbage above bit k leaks; the result is x^ mod 2^k.

use crate::shares::AuthShares;
use spdz2k_ring::{self as ring, Params, Word};

/// Opened values and this party's MAC shares of them, awaiting the batched MAC check.
/// Nothing may leave the parties while this log is not empty.
#[derive(Clone, Debug)]
pub struct PendingLog<P: Params> {
    values: Vec<P::Word>,
    macs: Vec<P::Word>,
}

impl<P: Params> Default for PendingLog<P> {
    fn default() -> Self {
        Self {
            values: Vec::new(),
            macs: Vec::new(),
        }
    }
}

impl<P: Params> PendingLog<P> {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }
    /// Records opened values and this party's MAC shares of them.
    pub fn push(&mut self, opened: &[P::Word], macs: &[P::Word]) {
        assert_eq!(
            opened.len(),
            macs.len(),
            "opened values and MAC shares differ in length"
        );
        self.values.extend_from_slice(opened);
        self.macs.extend_from_slice(macs);
    }
    /// Records opened values and this party's MAC shares of them, taking the vectors
    /// (no copy when the log is empty, the common case of one opening per check).
    pub fn push_owned(&mut self, opened: Vec<P::Word>, macs: Vec<P::Word>) {
        assert_eq!(
            opened.len(),
            macs.len(),
            "opened values and MAC shares differ in length"
        );
        if self.values.is_empty() {
            self.values = opened;
            self.macs = macs;
        } else {
            self.values.extend_from_slice(&opened);
            self.macs.extend_from_slice(&macs);
        }
    }
    /// Number of unchecked values.
    pub fn len(&self) -> usize {
        self.values.len()
    }
    /// Whether every opened value has been checked.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
    /// Takes the whole log for a check, leaving it empty.
    pub fn take(&mut self) -> Self {
        core::mem::take(self)
    }
    /// The opened values.
    pub fn values(&self) -> &[P::Word] {
        &self.values
    }
    /// This party's MAC shares of the opened values.
    pub fn macs(&self) -> &[P::Word] {
        &self.macs
    }
}

/// Adds the top-bits mask: \[x\] + 2^k * \[r\]. Open the result's values, then reduce mod 2^k.
pub fn mask_for_opening<P: Params>(x: &AuthShares<P>, r: &AuthShares<P>) -> AuthShares<P> {
    let mut lifted = r.clone();
    lifted.scale(P::shl(<P::Word as Word>::ONE, P::K));
    lifted.add_assign(x);
    lifted
}

/// Sums this party's shares and every peer's shares into the opened values.
/// `peers` holds the other parties' share vectors, each of `own.len()` elements.
pub fn reconstruct_opening<P: Params>(own: &[P::Word], peers: &[&[P::Word]]) -> Vec<P::Word> {
    let mut out = own.to_vec();
    for p in peers {
        ring::add_assign::<P>(&mut out, p);
    }
    out
}

/// The results of masked openings: the low k bits of each x^.
pub fn unmask_opened<P: Params>(opened: &[P::Word]) -> Vec<P::Word> {
    opened.iter().map(|&w| P::reduce_k(w)).collect()
}
