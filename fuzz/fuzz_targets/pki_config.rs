//! Node configs (TOML written by a user): validation never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spdz2k_pki::NodeConfig;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = NodeConfig::parse(Path::new("/fuzz/node.toml"), text);
    }
});
