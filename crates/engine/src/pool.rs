//! A bounded pool of buffers per session, so that the steady state of a long computation
//! allocates nothing per batch: the pending log's vectors come back after each MAC check,
//! received messages' buffers carry the next outgoing encoding, and decoded openings reuse
//! the last ones' memory.

/// At most this many buffers of each kind are kept; more are freed.
const MAX_BUFFERS: usize = 64;
/// Smaller buffers are not kept: they are cheap to allocate, and a small one handed out for
/// a large message would only be reallocated (the MAC check's short messages would
/// otherwise displace the openings' buffers).
const MIN_BYTES: usize = 4096;

/// Spare vectors of one element type, at most [`MAX_BUFFERS`]. Secrets may have lived in
/// them: a buffer is cleared (length 0) before it is handed out, and only ever refilled by
/// this party's own protocol code, never shown to anyone.
pub(crate) struct Pool<T> {
    spare: Vec<Vec<T>>,
}

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Self { spare: Vec::new() }
    }
}

impl<T> Pool<T> {
    /// An empty vector, with the memory of a spare one if the pool has one.
    pub(crate) fn get(&mut self) -> Vec<T> {
        let mut v = self.spare.pop().unwrap_or_default();
        v.clear();
        v
    }
    /// Keeps `v`'s memory for later, unless the pool is full or `v` is small.
    pub(crate) fn put(&mut self, v: Vec<T>) {
        let bytes = v.capacity().saturating_mul(size_of::<T>());
        if bytes >= MIN_BYTES && self.spare.len() < MAX_BUFFERS {
            self.spare.push(v);
        }
    }
    /// Buffers held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.spare.len()
    }
}

impl<T: Copy + Default> Pool<T> {
    /// Adds buffers of `len` elements, written once so that their pages are mapped, until
    /// the pool holds `count` (at most [`MAX_BUFFERS`]). Run before a timed computation, this
    /// moves its first-touch page faults out of it.
    pub(crate) fn warm(&mut self, count: usize, len: usize) {
        while self.spare.len() < count.min(MAX_BUFFERS) {
            let mut v = Vec::with_capacity(len);
            // Written, not `vec![0; len]`: zeroed allocations map their pages on first use.
            v.resize(len, T::default());
            let before = self.spare.len();
            self.put(v);
            if self.spare.len() == before {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_memory_and_stays_bounded() {
        let mut pool = Pool::<u64>::default();
        let v = Vec::with_capacity(1000);
        let ptr = v.as_ptr();
        pool.put(v);
        let mut got = pool.get();
        assert_eq!((got.as_ptr(), got.capacity(), got.len()), (ptr, 1000, 0));
        got.push(7);
        pool.put(got);
        assert!(pool.get().is_empty(), "handed out cleared");
        pool.put(Vec::with_capacity(MIN_BYTES / 8 - 1));
        assert_eq!(pool.len(), 0, "small buffers are not kept");
        for _ in 0..2 * MAX_BUFFERS {
            pool.put(Vec::with_capacity(MIN_BYTES / 8));
        }
        assert_eq!(pool.len(), MAX_BUFFERS);
    }

    #[test]
    fn warming_adds_full_buffers_up_to_the_bound() {
        let mut pool = Pool::<u64>::default();
        pool.warm(3, 1000);
        assert_eq!(pool.len(), 3);
        let got = pool.get();
        assert_eq!(got.capacity(), 1000);
        pool.put(got);
        pool.warm(3, 1000);
        assert_eq!(pool.len(), 3, "counts what is held");
        pool.warm(10 * MAX_BUFFERS, 1000);
        assert_eq!(pool.len(), MAX_BUFFERS);
        let mut small = Pool::<u64>::default();
        small.warm(5, 1);
        assert_eq!(
            small.len(),
            0,
            "buffers the pool would not keep are not made"
        );
    }
}
