//! The plaintexts of envelopes: one party's shares of m values, as three equal-length
//! vectors. Encoded as the first vector, then the second, then the third, each element with
//! `Params::encode` (`P::BYTES` bytes), so a bundle of m values is `3 m P::BYTES` bytes.

use spdz2k_ring::Params;

use crate::error::EnvelopeError;
use crate::header::EnvelopeKind;

/// Three equal-length share vectors with an encoding; implemented by the two bundle types.
pub trait Bundle<P: Params>: Sized {
    /// The envelope kind that carries this bundle.
    const KIND: EnvelopeKind;
    /// The three vectors, in encoding order.
    fn parts(&self) -> [&[P::Word]; 3];
    /// Rebuilds the bundle from its three vectors (already of equal length).
    fn from_parts(parts: [Vec<P::Word>; 3]) -> Self;
    /// Takes the bundle apart into its three vectors, in encoding order.
    fn into_parts(self) -> [Vec<P::Word>; 3];

    /// How many values the bundle holds.
    fn len(&self) -> usize {
        self.parts()[0].len()
    }

    /// Whether the bundle holds no values.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The plaintext encoding; fails if the vectors differ in length.
    fn encode(&self) -> Result<Vec<u8>, EnvelopeError> {
        let parts = self.parts();
        let lengths = parts.map(<[P::Word]>::len);
        if lengths[1] != lengths[0] || lengths[2] != lengths[0] {
            return Err(EnvelopeError::BundleShape { lengths });
        }
        let mut out = Vec::with_capacity(3 * lengths[0] * P::BYTES);
        for part in parts {
            P::encode_slice(part, &mut out);
        }
        Ok(out)
    }

    /// Decodes a plaintext that must hold exactly `count` values; `sender` names the party
    /// in errors.
    fn decode(plaintext: &[u8], count: u64, sender: usize) -> Result<Self, EnvelopeError> {
        let expected = 3 * u128::from(count) * P::BYTES as u128;
        if expected != plaintext.len() as u128 {
            return Err(EnvelopeError::PlaintextLength {
                sender,
                count,
                expected,
                got: plaintext.len(),
            });
        }
        let third = plaintext.len() / 3;
        let decode = |bytes: &[u8]| {
            P::decode_slice(bytes).map_err(|source| EnvelopeError::Element { sender, source })
        };
        let (first, rest) = plaintext.split_at(third);
        let (second, last) = rest.split_at(third);
        Ok(Self::from_parts([
            decode(first)?,
            decode(second)?,
            decode(last)?,
        ]))
    }
}

/// One party's output bundle for m values: its shares of the re-randomised values x^, of
/// the uniform multipliers b and of the products w = x^ * b. `Debug` prints the length
/// only: the shares are secret.
#[derive(Clone, PartialEq, Eq)]
pub struct OutputBundle<P: Params> {
    /// Shares of x^ = x + 2^k r.
    pub x_hat: Vec<P::Word>,
    /// Shares of the uniform, never-opened b.
    pub b: Vec<P::Word>,
    /// Shares of w = x^ * b.
    pub w: Vec<P::Word>,
}

impl<P: Params> core::fmt::Debug for OutputBundle<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "OutputBundle<{}>(len {}, shares redacted)",
            P::NAME,
            self.x_hat.len()
        )
    }
}

impl<P: Params> core::fmt::Debug for InputTripleBundle<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "InputTripleBundle<{}>(len {}, shares redacted)",
            P::NAME,
            self.a.len()
        )
    }
}

impl<P: Params> Bundle<P> for OutputBundle<P> {
    const KIND: EnvelopeKind = EnvelopeKind::OutputBundle;
    fn parts(&self) -> [&[P::Word]; 3] {
        [&self.x_hat, &self.b, &self.w]
    }
    fn from_parts([x_hat, b, w]: [Vec<P::Word>; 3]) -> Self {
        Self { x_hat, b, w }
    }
    fn into_parts(self) -> [Vec<P::Word>; 3] {
        [self.x_hat, self.b, self.w]
    }
}

/// One party's shares of m triples (a, b, c = a * b) that mask m client inputs. `Debug`
/// prints the length only: the shares are secret.
#[derive(Clone, PartialEq, Eq)]
pub struct InputTripleBundle<P: Params> {
    /// Shares of the masks a.
    pub a: Vec<P::Word>,
    /// Shares of b.
    pub b: Vec<P::Word>,
    /// Shares of c = a * b.
    pub c: Vec<P::Word>,
}

impl<P: Params> Bundle<P> for InputTripleBundle<P> {
    const KIND: EnvelopeKind = EnvelopeKind::InputTriple;
    fn parts(&self) -> [&[P::Word]; 3] {
        [&self.a, &self.b, &self.c]
    }
    fn from_parts([a, b, c]: [Vec<P::Word>; 3]) -> Self {
        Self { a, b, c }
    }
    fn into_parts(self) -> [Vec<P::Word>; 3] {
        [self.a, self.b, self.c]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spdz2k_ring::{K66S48, K128S64};

    #[test]
    fn debug_prints_lengths_not_shares() {
        let secret = 0x1234_5678_9abc_u128;
        let out = OutputBundle::<K66S48> {
            x_hat: vec![secret],
            b: vec![secret],
            w: vec![secret],
        };
        let triples = InputTripleBundle::<K66S48> {
            a: vec![secret],
            b: vec![secret],
            c: vec![secret],
        };
        for text in [format!("{out:?}"), format!("{triples:?}")] {
            assert!(
                text.contains("len 1") && text.contains("redacted"),
                "{text}"
            );
            assert!(!text.contains(&secret.to_string()), "{text}");
            assert!(!text.contains(&format!("{secret:x}")), "{text}");
        }
    }

    #[test]
    fn round_trip_and_length_checks() {
        let bundle = OutputBundle::<K128S64> {
            x_hat: vec![K128S64::from_i128(-1), K128S64::from_u128(2)],
            b: vec![K128S64::from_u128(3), K128S64::from_u128(4)],
            w: vec![K128S64::from_u128(5), K128S64::from_u128(6)],
        };
        let bytes = bundle.encode().unwrap();
        assert_eq!(bytes.len(), 2 * 3 * 24);
        assert_eq!(OutputBundle::decode(&bytes, 2, 0).unwrap(), bundle);
        assert!(matches!(
            OutputBundle::<K128S64>::decode(&bytes, 3, 1),
            Err(EnvelopeError::PlaintextLength {
                sender: 1,
                count: 3,
                ..
            })
        ));

        let ragged = InputTripleBundle::<K128S64> {
            a: vec![K128S64::from_u128(1)],
            b: vec![],
            c: vec![],
        };
        assert_eq!(
            ragged.encode(),
            Err(EnvelopeError::BundleShape { lengths: [1, 0, 0] })
        );
    }

    #[test]
    fn non_canonical_share_is_rejected() {
        // K66S48: 114 bits in 15 bytes; the top 6 bits of the last byte must be zero.
        let mut bytes = vec![0u8; 3 * 15];
        bytes[14] = 0x80;
        assert!(matches!(
            OutputBundle::<K66S48>::decode(&bytes, 1, 2),
            Err(EnvelopeError::Element { sender: 2, .. })
        ));
    }
}
