//! The command line the rate examples share.

use spdz2k_ring::{ALL_PARAMS, K64S64, Params, ParamsId, dispatch_params};

/// `[n] [triples] [batch] [set]`: the number of parties (default 2), the triples to make
/// (16384), the batch size (4096) and the parameter set by name (default, and for a name
/// that is no set, K64S64).
pub fn args() -> (usize, usize, usize, ParamsId) {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, d: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(d);
    let name = args.get(4).map_or("K64S64", String::as_str);
    let params = ALL_PARAMS
        .iter()
        .copied()
        .find(|&id| dispatch_params!(id, P => P::NAME == name, else false))
        .unwrap_or(K64S64::id());
    (arg(1, 2), arg(2, 16384), arg(3, 4096), params)
}
