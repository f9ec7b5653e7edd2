//! What the preprocessing file tests share: a small dealing of INSECURE files.
// Each test binary uses part of it.
#![allow(dead_code)]

use spdz2k_prep::{PrepCounts, deal_insecure_files};
use spdz2k_ring::Params;
use std::path::PathBuf;

/// The dealer seed of every dealt file.
pub const SEED: [u8; 32] = [42; 32];

/// What [`deal`] puts in each party's file.
pub fn counts(n: usize) -> PrepCounts {
    PrepCounts {
        triples: 40,
        randoms: 11,
        open_masks: 9,
        input_masks: (0..n as u64).map(|i| 3 + i).collect(),
    }
}

/// Files for `n` parties in a fresh temporary directory (kept alive by the returned guard).
pub fn deal<P: Params>(n: usize) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let paths = deal_insecure_files::<P>(dir.path(), n, &counts(n), SEED).unwrap();
    (dir, paths)
}
