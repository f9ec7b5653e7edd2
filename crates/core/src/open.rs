//! Opening shared values, and the log of opened values awaiting a MAC check.
//!
//! Two kinds of opening exist. Beaver openings (x - a, y - b) are sent as they are, because
//! a and b are uniform in Z_2^(k+s). Every other opening is masked: x^ = x + 2^k * r for a
//! fresh authenticated random r, so the top s bits of x^ are uniform and nothing of the
//! garbage above bit k leaks; the result is x^ mod 2^k.

use crate::check_share::CheckSums;
use crate::shares::{AuthShares, MacKeyShare};
use spdz2k_ring::{self as ring, Params, Word};

/// One chunk of a [`PendingLog`]: one opening, as recorded. Its `Debug` shows only its
/// kind and length: MAC shares and check terms are secret.
#[derive(Clone)]
pub enum LogChunk<P: Params> {
    /// Opened values and this party's MAC shares of them, equal lengths.
    Opened {
        /// The opened values.
        values: Vec<P::Word>,
        /// This party's MAC shares of them.
        macs: Vec<P::Word>,
    },
    /// Check terms m_j - alpha_i x_j, from [`check_terms_in_place`](crate::check_terms_in_place).
    Terms(Vec<P::Word>),
}

impl<P: Params> core::fmt::Debug for LogChunk<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let kind = match self {
            Self::Opened { .. } => "Opened",
            Self::Terms(_) => "Terms",
        };
        f.debug_struct(kind).field("len", &self.len()).finish()
    }
}

impl<P: Params> LogChunk<P> {
    /// Number of opened values in the chunk.
    pub fn len(&self) -> usize {
        match self {
            Self::Opened { values, .. } => values.len(),
            Self::Terms(terms) => terms.len(),
        }
    }
    /// Whether the chunk holds no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The chunk's vectors, to reuse their memory.
    pub fn into_vecs(self) -> impl Iterator<Item = Vec<P::Word>> {
        let (first, second) = match self {
            Self::Opened { values, macs } => (values, Some(macs)),
            Self::Terms(terms) => (terms, None),
        };
        core::iter::once(first).chain(second)
    }
}

/// Opened values and this party's MAC shares of them (or the check terms made of both),
/// awaiting the batched MAC check. Nothing may leave the parties while this log is not empty.
///
/// The log is a list of chunks, one per opening, in the order opened: an opening's vectors
/// are moved in, never copied, and the MAC check reads the chunks in order with one
/// coefficient stream (the same result as over one flat log of (opened values, MAC shares),
/// see [`local_check_share_chunks`]). After a check, [`PendingLog::into_chunks`] hands the
/// vectors back for reuse.
///
/// Its `Debug` shows the number of chunks and values only.
///
/// [`local_check_share_chunks`]: crate::local_check_share_chunks
#[derive(Clone)]
pub struct PendingLog<P: Params> {
    /// The openings, in opening order.
    chunks: Vec<LogChunk<P>>,
    len: usize,
}

impl<P: Params> core::fmt::Debug for PendingLog<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PendingLog")
            .field("chunks", &self.chunks.len())
            .field("len", &self.len)
            .finish()
    }
}

impl<P: Params> Default for PendingLog<P> {
    fn default() -> Self {
        Self {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<P: Params> PendingLog<P> {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }
    /// Records opened values and this party's MAC shares of them (copied).
    pub fn push(&mut self, opened: &[P::Word], macs: &[P::Word]) {
        self.push_owned(opened.to_vec(), macs.to_vec());
    }
    /// Records opened values and this party's MAC shares of them, taking the vectors as one
    /// chunk (no copy). Empty chunks are dropped.
    pub fn push_owned(&mut self, opened: Vec<P::Word>, macs: Vec<P::Word>) {
        assert_eq!(
            opened.len(),
            macs.len(),
            "opened values and MAC shares differ in length"
        );
        self.push_chunk(LogChunk::Opened {
            values: opened,
            macs,
        });
    }
    /// Records an opening as its check terms m_j - alpha_i x_j (from
    /// [`check_terms_in_place`](crate::check_terms_in_place)), taking the vector as one chunk: half the memory of
    /// [`PendingLog::push_owned`], and the opened values can be reused at once. Empty chunks
    /// are dropped.
    pub fn push_terms(&mut self, terms: Vec<P::Word>) {
        self.push_chunk(LogChunk::Terms(terms));
    }
    fn push_chunk(&mut self, chunk: LogChunk<P>) {
        if chunk.is_empty() {
            return;
        }
        self.len += chunk.len();
        self.chunks.push(chunk);
    }
    /// Number of unchecked values.
    pub fn len(&self) -> usize {
        self.len
    }
    /// Whether every opened value has been checked.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// Takes the whole log for a check, leaving it empty. Nothing is allocated: give the
    /// taken log's emptied chunk list back with [`PendingLog::recycle`] so that the next
    /// openings do not grow a new list one reallocation at a time.
    pub fn take(&mut self) -> Self {
        core::mem::take(self)
    }
    /// Gives an empty log the memory of a chunk list that a check emptied (from
    /// [`PendingLog::into_chunks`], drained), so that its next chunks are recorded without
    /// allocating. Anything left in `spent` is dropped; a log that already holds chunks
    /// keeps its own list.
    pub fn recycle(&mut self, mut spent: Vec<LogChunk<P>>) {
        if self.chunks.is_empty() && spent.capacity() > self.chunks.capacity() {
            spent.clear();
            self.chunks = spent;
        }
    }
    /// The chunks in opening order.
    pub fn chunks(&self) -> &[LogChunk<P>] {
        &self.chunks
    }
    /// This party's z_i over the whole log: all the local work of a MAC check with these
    /// coins. Equal to [`local_check_share`] over the log's openings laid end to end.
    ///
    /// [`local_check_share`]: crate::local_check_share
    pub fn check_share(&self, key: &MacKeyShare<P>, coins: [u8; 32]) -> P::Word {
        let mut sums = CheckSums::<P>::new(coins);
        for chunk in &self.chunks {
            match chunk {
                LogChunk::Opened { values, macs } => sums.add_opened(values, macs),
                LogChunk::Terms(terms) => sums.add_terms(terms),
            }
        }
        sums.share(key)
    }
    /// Gives up the chunks' vectors (e.g. to reuse their memory after a check).
    pub fn into_chunks(self) -> Vec<LogChunk<P>> {
        self.chunks
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

#[cfg(test)]
mod tests {
    use super::*;
    use spdz2k_ring::K64S64;

    #[test]
    fn a_recycled_chunk_list_takes_the_next_chunks_without_growing() {
        let mut log = PendingLog::<K64S64>::new();
        for i in 0..8u128 {
            log.push_owned(vec![i; 3], vec![i; 3]);
        }
        let taken = log.take();
        assert!(log.is_empty() && taken.len() == 24);
        let mut spent = taken.into_chunks();
        let cap = spent.capacity();
        assert!(cap >= 8);
        let firsts: Vec<u128> = spent
            .drain(..)
            .map(|c| c.into_vecs().next().map_or(0, |v| v[0]))
            .collect();
        assert_eq!(
            firsts,
            (0..8).collect::<Vec<_>>(),
            "chunks in opening order"
        );
        let list = spent.as_ptr();
        log.recycle(spent);
        for i in 0..8u128 {
            log.push_owned(vec![i], vec![i]);
        }
        let again = log.take().into_chunks();
        assert_eq!(
            (again.as_ptr(), again.capacity()),
            (list, cap),
            "same list, no growth"
        );
        // A log that already holds chunks keeps them.
        log.push_owned(vec![9], vec![9]);
        log.recycle(Vec::with_capacity(64));
        assert_eq!(log.len(), 1);
        assert_eq!(log.chunks().len(), 1);
    }

    #[test]
    fn debug_shows_no_share_or_term() {
        let mut log = PendingLog::<K64S64>::new();
        log.push_owned(vec![123_456_789], vec![987_654_321]);
        log.push_terms(vec![555_555_555, 1]);
        let shown = format!("{log:?} {:?}", log.chunks());
        assert!(
            !shown.contains("123456789") && !shown.contains("987654321"),
            "{shown}"
        );
        assert!(!shown.contains("555555555"), "{shown}");
        assert!(shown.contains("len: 3"), "{shown}");
    }
}
