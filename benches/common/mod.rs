//! What the online benchmarks share (not part of the library): preprocessing dealt ahead and
//! the runtime the parties run on.

use spdz2k::layers::core::InsecureDealer;
use spdz2k::layers::prep::{MemoryStore, PrepCounts};
use spdz2k::prelude::*;

/// The parameter set of the online benchmarks.
pub type P = K64S64;

/// One party's preprocessing and its shares of two random factor vectors.
pub type Dealt = (MemoryStore<P>, Secret<P>, Secret<P>);

/// Every party's preprocessing for `batch` multiplications, dealt ahead (INSECURE dealer)
/// and held in memory, with its shares of two random factor vectors.
pub fn deal(batch: usize) -> Vec<Dealt> {
    let counts = PrepCounts {
        triples: batch as u64,
        ..PrepCounts::uniform(2, 0)
    };
    let stores = MemoryStore::<P>::deal_insecure(2, [9; 32], &counts).expect("two parties");
    let mut dealer = InsecureDealer::<P>::new(2, [9; 32]);
    let (_, x) = dealer.randoms_in("bench-x", batch);
    let (_, y) = dealer.randoms_in("bench-y", batch);
    stores
        .into_iter()
        .zip(x.into_iter().zip(y))
        .map(|(prep, (x, y))| (prep, Secret::from_shares(x), Secret::from_shares(y)))
        .collect()
}

/// The multi-threaded runtime (two workers) the benchmarked parties run on.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}
