//! Preprocessing files (header, sections and cursor): opening any bytes as a file never panics
//! and never allocates past what the file holds.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spdz2k_prep::{FileStore, Preprocessing};
use spdz2k_ring::K64S64;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("spdz2k-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("p0.prep");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let _ = spdz2k_prep::read_header(&path);
    if let Ok(mut store) = FileStore::<K64S64>::open(&path, 0, 2) {
        let _ = store.triples(1);
        let _ = store.input_masks(1, 1);
    }
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(spdz2k_prep::state_path(&path));
    let _ = std::fs::remove_file(spdz2k_prep::retired_marker_path(&path));
});
