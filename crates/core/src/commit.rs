//! Hash commitments: SHA-256 over a domain label, the sender's index, the value and a
//! 32-byte nonce. Binding the sender stops a party from replaying another's commitment.

use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A 32-byte commitment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Commitment(pub [u8; 32]);

/// The randomness that opens a commitment.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Nonce(pub [u8; 32]);

impl core::fmt::Debug for Nonce {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Nonce(..)")
    }
}

fn digest(sender: usize, value: &[u8], nonce: &Nonce) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"spdz2k-commit-v1");
    h.update((sender as u64).to_le_bytes());
    h.update((value.len() as u64).to_le_bytes());
    h.update(value);
    h.update(nonce.0);
    h.finalize().into()
}

/// Commits `sender` to `value` with a fresh nonce from `rng`.
pub fn commit<R: Rng + ?Sized>(sender: usize, value: &[u8], rng: &mut R) -> (Commitment, Nonce) {
    let mut nonce = [0u8; 32];
    rng.fill_bytes(&mut nonce);
    let nonce = Nonce(nonce);
    (Commitment(digest(sender, value, &nonce)), nonce)
}

/// Whether (`value`, `nonce`) opens `commitment` for `sender`, compared in constant time.
pub fn verify(sender: usize, value: &[u8], nonce: &Nonce, commitment: &Commitment) -> bool {
    digest(sender, value, nonce).ct_eq(&commitment.0).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_only_for_the_same_sender_value_and_nonce() {
        let mut rng = crate::rng::seeded_rng([7; 32]);
        let (c, n) = commit(1, b"value", &mut rng);
        assert!(verify(1, b"value", &n, &c));
        assert!(!verify(2, b"value", &n, &c));
        assert!(!verify(1, b"valuf", &n, &c));
        assert!(!verify(1, b"value", &Nonce([0; 32]), &c));
        let (c2, _) = commit(1, b"value", &mut rng);
        assert_ne!(c, c2, "fresh nonce, fresh commitment");
    }
}
