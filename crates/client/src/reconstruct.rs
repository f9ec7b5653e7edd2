//! Summing the parties' bundles in Z_2^(k+s) and the two algebraic checks: w = x^ * b for
//! outputs and c = a * b for input triples. Both must hold modulo the full share ring: a
//! check mod 2^k alone would accept a wrong output with probability 1/2 (PROTOCOL.md 2.2).

use spdz2k_output::{Bundle, EnvelopeError, HpkeKeyPair, VerifiedEnvelope};
use spdz2k_ring::{Params, add_assign};

/// What went wrong while opening one party's bundle.
pub(crate) enum OpenFailure {
    /// HPKE refused the ciphertext.
    Decryption { party: usize },
    /// The plaintext is not the announced number of canonical shares.
    Bundle(EnvelopeError),
}

/// Decrypts every party's bundle and sums them component-wise in Z_2^(k+s).
pub(crate) fn open_and_sum<P: Params, B: Bundle<P>>(
    envelopes: &[VerifiedEnvelope<'_>],
    keys: &HpkeKeyPair,
) -> Result<[Vec<P::Word>; 3], OpenFailure> {
    let mut sum: Option<[Vec<P::Word>; 3]> = None;
    for env in envelopes {
        let bundle: B = env.open_bundle::<P, B>(keys).map_err(|e| match e {
            EnvelopeError::Decryption { sender, .. } => OpenFailure::Decryption { party: sender },
            other => OpenFailure::Bundle(other),
        })?;
        let parts = bundle.into_parts();
        match sum.as_mut() {
            None => sum = Some(parts),
            // Equal lengths: every bundle decoded exactly the agreed value count.
            Some(acc) => {
                for (a, p) in acc.iter_mut().zip(&parts) {
                    add_assign::<P>(a, p);
                }
            }
        }
    }
    Ok(sum.unwrap_or_default())
}

/// The first index j with x[j] * y[j] != z[j] mod 2^(k+s), if any.
pub(crate) fn first_product_mismatch<P: Params>(
    x: &[P::Word],
    y: &[P::Word],
    z: &[P::Word],
) -> Option<usize> {
    x.iter()
        .zip(y)
        .zip(z)
        .position(|((&x, &y), &z)| P::mul(x, y) != z)
}

#[cfg(test)]
mod tests {
    use super::*;
    use spdz2k_ring::K64S64;

    #[test]
    fn mismatch_is_found_modulo_the_full_ring() {
        let x = [3u128, 5, 7];
        let y = [2u128, 2, 2];
        let mut z = [6u128, 10, 14];
        assert_eq!(first_product_mismatch::<K64S64>(&x, &y, &z), None);
        // An error of 2^64 is invisible mod 2^k but not mod 2^(k+s).
        z[1] = z[1].wrapping_add(1 << 64);
        assert_eq!(first_product_mismatch::<K64S64>(&x, &y, &z), Some(1));
    }
}
