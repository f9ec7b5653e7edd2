//! The client learns (k, s) from the signed headers, so it picks the parameter set at run
//! time: `with_params!(id, P => body, else other)` is [`spdz2k_ring::dispatch_params!`],
//! over the one list of sets in `spdz2k_ring::with_params_sets!`.

/// Every parameter set the client reconstructs: all of them.
pub const SUPPORTED_PARAMS: &[spdz2k_ring::ParamsId] = spdz2k_ring::ALL_PARAMS;

pub(crate) use spdz2k_ring::dispatch_params as with_params;

#[cfg(test)]
mod tests {
    use super::*;
    use spdz2k_ring::{Params, ParamsId};

    #[test]
    fn dispatch_reaches_every_supported_set() {
        assert_eq!(SUPPORTED_PARAMS.len(), 4);
        for &id in SUPPORTED_PARAMS {
            let bytes = with_params!(id, P => Some((P::id(), P::BYTES)), else None);
            assert_eq!(bytes.map(|b| b.0), Some(id));
        }
        let other = ParamsId { k: 64, s: 32 };
        assert_eq!(with_params!(other, P => Some(P::id()), else None), None);
    }
}
