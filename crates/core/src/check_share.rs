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

/// Coefficients drawn per refill: 2 KiB of key stream for s <= 64.
const BLOCK: usize = 256;

/// The check coefficients chi_j in Z_2^s, in stream order, drawn in blocks: each chi_j is
/// the next 8 bytes of the stream (little-endian) reduced mod 2^s, exactly as drawing them
/// one `next_u64` at a time, which a test pins; for s > 64, one `random_s` each.
struct Coefficients<P: Params> {
    rng: ChaCha20Rng,
    /// On the stack: a check allocates nothing.
    block: [P::Word; BLOCK],
    /// Coefficients of `block` drawn and not yet used: `used..filled`.
    used: usize,
    filled: usize,
}

impl<P: Params> Coefficients<P> {
    fn new(coins: [u8; 32]) -> Self {
        Self {
            rng: seeded_rng(coins),
            block: [P::Word::ZERO; BLOCK],
            used: 0,
            filled: 0,
        }
    }

    /// The next at most `max` coefficients (at least one when `max > 0`).
    fn next(&mut self, max: usize) -> &[P::Word] {
        if self.used == self.filled {
            self.refill();
        }
        let from = self.used;
        self.used = (from + max).min(self.filled);
        &self.block[from..self.used]
    }

    fn refill(&mut self) {
        if P::S <= 64 {
            let mut bytes = [0u8; 8 * BLOCK];
            self.rng.fill_bytes(&mut bytes);
            for (chi, b) in self.block.iter_mut().zip(bytes.chunks_exact(8)) {
                let mut w = [0u8; 8];
                w.copy_from_slice(b);
                *chi = P::reduce_s(P::Word::from_u128(u64::from_le_bytes(w) as u128));
            }
        } else {
            for chi in &mut self.block {
                *chi = P::random_s(&mut self.rng);
            }
        }
        (self.used, self.filled) = (0, BLOCK);
    }
}

/// Running sums of one check: sum chi_j x_j, sum chi_j m_ij and sum chi_j t_j over terms,
/// all unreduced (wrapping arithmetic; reduction mod 2^(k+s) commutes with it).
pub(crate) struct CheckSums<P: Params> {
    coefficients: Coefficients<P>,
    opened: P::Word,
    macs: P::Word,
    terms: P::Word,
}

impl<P: Params> CheckSums<P> {
    pub(crate) fn new(coins: [u8; 32]) -> Self {
        Self {
            coefficients: Coefficients::new(coins),
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
        let mut at = 0;
        while at < opened.len() {
            let chis = self.coefficients.next(opened.len() - at);
            let xs = opened[at..].iter().zip(&macs[at..]);
            for (&chi, (&x, &mac)) in chis.iter().zip(xs) {
                y = y.wadd(chi.wmul(x));
                m = m.wadd(chi.wmul(mac));
            }
            at += chis.len();
        }
        (self.opened, self.macs) = (y, m);
    }

    /// Adds check terms m_ij - alpha_i x_j (see [`check_terms_in_place`]).
    pub(crate) fn add_terms(&mut self, terms: &[P::Word]) {
        let mut t = self.terms;
        let mut at = 0;
        while at < terms.len() {
            let chis = self.coefficients.next(terms.len() - at);
            for (&chi, &term) in chis.iter().zip(&terms[at..]) {
                t = t.wadd(chi.wmul(term));
            }
            at += chis.len();
        }
        self.terms = t;
    }

    /// This party's z_i.
    pub(crate) fn share(&self, key: &MacKeyShare<P>) -> P::Word {
        let opened = P::mul(key.expose(), P::reduce(self.opened));
        P::add(P::sub(P::reduce(self.macs), opened), P::reduce(self.terms))
    }
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
        *m = P::sub(*m, P::mul(alpha, x));
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
