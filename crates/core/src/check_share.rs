//! The local work of a MAC check: z_i = sum_j chi_j (m_ij - alpha_i x_j) over everything
//! opened since the last check, with the coefficients chi_j in Z_2^s drawn from a ChaCha20
//! stream keyed by the jointly tossed coins.
//!
//! The log may hold each opening either as (opened values, MAC shares) or, computed when the
//! values were opened, as check terms m_ij - alpha_i x_j: the sum is the same, since
//! sum chi_j m_ij - alpha_i sum chi_j x_j = sum chi_j (m_ij - alpha_i x_j) mod 2^(k+s). Terms
//! take half the memory and half the multiplications at check time.

use crate::rng::seeded_rng;
use crate::shares::MacKeyShare;
use rand::Rng;
use rand::rngs::ChaCha20Rng;
use spdz2k_ring::{Params, Word};

/// The next check coefficient: s uniform bits from the coin stream (for s <= 64 the next
/// `next_u64`, reduced mod 2^s). Drawing them in blocks measured no faster.
#[inline(always)]
fn coefficient<P: Params>(rng: &mut ChaCha20Rng) -> P::Word {
    if P::S <= 64 {
        P::reduce_s(P::Word::from_u128(rng.next_u64() as u128))
    } else {
        P::random_s(rng)
    }
}

/// Running sums of one check: sum chi_j x_j, sum chi_j m_ij and sum chi_j t_j over terms,
/// all unreduced (wrapping arithmetic; reduction mod 2^(k+s) commutes with it).
pub(crate) struct CheckSums<P: Params> {
    rng: ChaCha20Rng,
    opened: P::Word,
    macs: P::Word,
    terms: P::Word,
}

impl<P: Params> CheckSums<P> {
    pub(crate) fn new(coins: [u8; 32]) -> Self {
        Self {
            rng: seeded_rng(coins),
            opened: P::Word::ZERO,
            macs: P::Word::ZERO,
            terms: P::Word::ZERO,
        }
    }

    /// Adds opened values and this party's MAC shares of them.
    pub(crate) fn add_opened(&mut self, opened: &[P::Word], macs: &[P::Word]) {
        assert_eq!(
            opened.len(),
            macs.len(),
            "opened values and MAC shares differ in length"
        );
        let (mut y, mut m) = (self.opened, self.macs);
        for (&x, &mac) in opened.iter().zip(macs) {
            let chi = coefficient::<P>(&mut self.rng);
            y = y.wadd(chi.wmul(x));
            m = m.wadd(chi.wmul(mac));
        }
        (self.opened, self.macs) = (y, m);
    }

    /// Adds check terms m_ij - alpha_i x_j (see [`check_terms_in_place`]).
    pub(crate) fn add_terms(&mut self, terms: &[P::Word]) {
        let mut t = self.terms;
        for &term in terms {
            t = t.wadd(coefficient::<P>(&mut self.rng).wmul(term));
        }
        self.terms = t;
    }

    /// This party's z_i.
    pub(crate) fn share(&self, key: &MacKeyShare<P>) -> P::Word {
        let opened = P::mul(key.expose(), P::reduce(self.opened));
        P::add(P::sub(P::reduce(self.macs), opened), P::reduce(self.terms))
    }
}

/// One check term: this party's MAC share of an opened value minus alpha_i times the value.
#[inline(always)]
pub(crate) fn check_term<P: Params>(mac: P::Word, alpha: P::Word, opened: P::Word) -> P::Word {
    P::sub(mac, P::mul(alpha, opened))
}

/// Turns this party's MAC shares of just opened values into check terms, in place:
/// m_j <- m_j - alpha_i x_j. Log them with [`crate::PendingLog::push_terms`] and the opened
/// values are no longer needed for the check.
pub fn check_terms_in_place<P: Params>(
    macs: &mut [P::Word],
    opened: &[P::Word],
    key: &MacKeyShare<P>,
) {
    assert_eq!(
        opened.len(),
        macs.len(),
        "opened values and MAC shares differ in length"
    );
    let alpha = key.expose();
    for (m, &x) in macs.iter_mut().zip(opened) {
        *m = check_term::<P>(*m, alpha, x);
    }
}

/// This party's z_i = sum_j chi_j m_ij - alpha_i * sum_j chi_j x_j, with the coefficients
/// chi_j in Z_2^s drawn from a ChaCha20 stream keyed by `coins`. This is all the local work
/// of a check.
pub fn local_check_share<P: Params>(
    key: &MacKeyShare<P>,
    opened: &[P::Word],
    macs: &[P::Word],
    coins: [u8; 32],
) -> P::Word {
    local_check_share_chunks::<P>(key, core::iter::once((opened, macs)), coins)
}

/// [`local_check_share`] over a log kept in chunks: the chunks are read in order with one
/// coefficient stream, so the result equals that over their concatenation.
pub fn local_check_share_chunks<'a, P: Params>(
    key: &MacKeyShare<P>,
    chunks: impl IntoIterator<Item = (&'a [P::Word], &'a [P::Word])>,
    coins: [u8; 32],
) -> P::Word {
    let mut sums = CheckSums::<P>::new(coins);
    for (opened, macs) in chunks {
        sums.add_opened(opened, macs);
    }
    sums.share(key)
}
