//! Preprocessing for SPDZ2k: the material the online phase consumes (multiplication
//! triples, authenticated randoms, opening masks and input masks per owner), with per-kind
//! accounting.
//!
//! - [`Preprocessing`] is what the engine consumes through. [`PrepCounts`] says what a run
//!   needs and what a source has left; [`PrepCounts::check_covers`] compares them before a
//!   run, and a source that runs out fails with [`PrepError::Exhausted`] naming the kind and
//!   both counts.
//! - `InsecureDealerSource` deals from a shared seed, unbounded. INSECURE: for tests and
//!   benchmarks, behind the `insecure-dealer` feature (off by default), like `MemoryStore`
//!   and `deal_insecure_files`.
//! - [`FileStore`] reads one party's file (format in [`mod@format`]): it refuses files made for
//!   other parameters, another party, another number of parties or another key set, and
//!   damaged data (by chunk); it never hands out an item twice, across crashes and restored
//!   backups too; its lock dies with its process.
//! - [`Pairing`] is the sans-IO agreement at session start: the parties compare deal, key
//!   set, parameters and cursors, refuse material that does not belong together, check
//!   everyone's capacity and skip to the furthest cursor ([`Preprocessing::skip_to`]).
//! - `deal_insecure_files` (feature `insecure-dealer`) writes such files for every party from the insecure dealer.
//!
//! ```
//! use spdz2k_prep::{FileStore, InsecureDealerSource, PrepCounts, PrepError, Preprocessing,
//!                   deal_insecure_files};
//! use spdz2k_ring::K64S64;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let counts = PrepCounts { triples: 8, randoms: 4, open_masks: 4, input_masks: vec![2, 2] };
//! let paths = deal_insecure_files::<K64S64>(dir.path(), 2, &counts, [5; 32]).unwrap();
//!
//! let mut store = FileStore::<K64S64>::open(&paths[0], 0, 2).unwrap();
//! let needed = PrepCounts { triples: 6, ..PrepCounts::default() };
//! store.check_covers(&needed).unwrap();
//! let t = store.triples(6).unwrap();
//!
//! // The file holds exactly what the dealer source with the same seed deals.
//! let mut dealer = InsecureDealerSource::<K64S64>::new(0, 2, [5; 32]).unwrap();
//! assert_eq!(dealer.triples(6).unwrap(), t);
//!
//! // Two triples are left; asking for three fails and names the kind and counts.
//! let err = store.triples(3).unwrap_err();
//! assert!(matches!(err, PrepError::Exhausted { requested: 3, available: 2, .. }));
//! assert!(err.to_string().contains("triples"));
//! ```
#![forbid(unsafe_code)]
#![warn(clippy::unwrap_used)]
#![warn(missing_docs)]

// The chunk hasher serves the file writers (the dealer's today).
#[cfg_attr(not(feature = "insecure-dealer"), allow(dead_code))]
mod chunks;
mod counts;
#[cfg(feature = "insecure-dealer")]
mod deal;
#[cfg(feature = "insecure-dealer")]
mod dealer_source;
mod error;
mod file_store;
pub mod format;
mod kind;
mod memory_store;
mod new_file;
mod origin;
mod pairing;
mod retire;
mod source;
mod state;
mod writer;

pub use counts::PrepCounts;
#[cfg(feature = "insecure-dealer")]
pub use deal::{deal_insecure_files, fresh_seed};
#[cfg(feature = "insecure-dealer")]
pub use dealer_source::InsecureDealerSource;
pub use error::PrepError;
pub use file_store::{FileStore, read_header};
pub use format::PrepHeader;
pub use kind::PrepKind;
pub use memory_store::MemoryStore;
pub use origin::{DealId, PrepOrigin, PrepPosition};
pub use pairing::{Pairing, PairingOutcome, PrepFingerprint};
pub use retire::{
    RetireCause, ensure_not_retired, retire_in_process, retired_in_process, retired_marker_path,
};
pub use source::{InputMasks, Preprocessing};
pub use state::state_path;
pub use writer::{PrepFileWriter, SECURE_OFFLINE_NOTE, SECURE_OFFLINE_SOURCE};

/// The name of party `party`'s preprocessing file: `prep-P<party>.spdz2kprep`.
pub fn party_file_name(party: usize) -> String {
    format!("prep-P{party}.spdz2kprep")
}

/// The largest number of parties a source or file supports.
pub const MAX_PARTIES: usize = 1024;

/// Checks `n_parties` is in 1..=[`MAX_PARTIES`] and `party` < `n_parties`.
pub(crate) fn validate_parties(party: usize, n_parties: usize) -> Result<(), PrepError> {
    if !(1..=MAX_PARTIES).contains(&n_parties) {
        return Err(PrepError::InvalidPartyCount {
            n_parties,
            max: MAX_PARTIES,
        });
    }
    if party >= n_parties {
        return Err(PrepError::InvalidParty { party, n_parties });
    }
    Ok(())
}
