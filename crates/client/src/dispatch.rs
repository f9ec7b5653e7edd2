//! The client learns (k, s) from the signed headers, so it picks the parameter set at run
//! time: `with_params!(id, P => body, else other)` evaluates `body` with the type alias `P`
//! bound to the matching set, or `other` for an unknown pair.

use spdz2k_ring::ParamsId;

/// Every parameter set the client reconstructs.
pub const SUPPORTED_PARAMS: [ParamsId; 4] = [
    ParamsId { k: 32, s: 32 },
    ParamsId { k: 64, s: 64 },
    ParamsId { k: 66, s: 48 },
    ParamsId { k: 128, s: 64 },
];

macro_rules! with_params {
    ($params:expr, $P:ident => $body:expr, else $other:expr) => {{
        let params: spdz2k_ring::ParamsId = $params;
        match (params.k, params.s) {
            (32, 32) => {
                type $P = spdz2k_ring::K32S32;
                $body
            }
            (64, 64) => {
                type $P = spdz2k_ring::K64S64;
                $body
            }
            (66, 48) => {
                type $P = spdz2k_ring::K66S48;
                $body
            }
            (128, 64) => {
                type $P = spdz2k_ring::K128S64;
                $body
            }
            _ => $other,
        }
    }};
}
pub(crate) use with_params;

#[cfg(test)]
mod tests {
    use super::*;
    use spdz2k_ring::Params;

    #[test]
    fn dispatch_reaches_every_supported_set() {
        for id in SUPPORTED_PARAMS {
            let bytes = with_params!(id, P => Some((P::id(), P::BYTES)), else None);
            assert_eq!(bytes.map(|b| b.0), Some(id));
        }
        let other = ParamsId { k: 64, s: 32 };
        assert_eq!(with_params!(other, P => Some(P::id()), else None), None);
    }
}
