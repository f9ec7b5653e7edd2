//! Hash commitments: SHA-256 over a domain label, a context (the session ID and the number
//! of the check), the sender's index, the value and a 32-byte nonce. Binding the sender
//! stops a party from replaying another's commitment; binding the context stops it from
//! replaying one from another check or another session.

use crate::session_id::SessionId;
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

/// Where a commitment is valid: one check of one session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommitContext([u8; 32]);

impl CommitContext {
    /// The context of check number `check` (counted from 0) in `session`.
    pub fn new(session: &SessionId, check: u64) -> Self {
        let mut h = Sha256::new();
        h.update(b"spdz2k-commit-context-v1");
        h.update([session.as_str().len() as u8]);
        h.update(session.as_str().as_bytes());
        h.update(check.to_le_bytes());
        Self(h.finalize().into())
    }

    /// The context of step `counter` of another protocol (`domain` names it, e.g. the
    /// offline phase's coin tosses) in `session`; never equal to a MAC-check context.
    pub fn for_protocol(domain: &str, session: &SessionId, counter: u64) -> Self {
        let mut h = Sha256::new();
        h.update(b"spdz2k-commit-context-protocol-v1");
        h.update((domain.len() as u64).to_le_bytes());
        h.update(domain.as_bytes());
        h.update([session.as_str().len() as u8]);
        h.update(session.as_str().as_bytes());
        h.update(counter.to_le_bytes());
        Self(h.finalize().into())
    }
}

fn digest(ctx: &CommitContext, sender: usize, value: &[u8], nonce: &Nonce) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"spdz2k-commit-v2");
    h.update(ctx.0);
    h.update((sender as u64).to_le_bytes());
    h.update((value.len() as u64).to_le_bytes());
    h.update(value);
    h.update(nonce.0);
    h.finalize().into()
}

/// Commits `sender` to `value` in `ctx` with a fresh nonce from `rng`.
pub fn commit<R: Rng + ?Sized>(
    ctx: &CommitContext,
    sender: usize,
    value: &[u8],
    rng: &mut R,
) -> (Commitment, Nonce) {
    let mut nonce = [0u8; 32];
    rng.fill_bytes(&mut nonce);
    let nonce = Nonce(nonce);
    (Commitment(digest(ctx, sender, value, &nonce)), nonce)
}

/// Whether (`value`, `nonce`) opens `commitment` for `sender` in `ctx`, compared in
/// constant time.
pub fn verify(
    ctx: &CommitContext,
    sender: usize,
    value: &[u8],
    nonce: &Nonce,
    commitment: &Commitment,
) -> bool {
    digest(ctx, sender, value, nonce)
        .ct_eq(&commitment.0)
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_only_for_the_same_context_sender_value_and_nonce() {
        let mut rng = crate::rng::seeded_rng([7; 32]);
        let sid = SessionId::new("s1").unwrap();
        let ctx = CommitContext::new(&sid, 0);
        let (c, n) = commit(&ctx, 1, b"value", &mut rng);
        assert!(verify(&ctx, 1, b"value", &n, &c));
        assert!(!verify(&ctx, 2, b"value", &n, &c));
        assert!(!verify(&ctx, 1, b"valuf", &n, &c));
        assert!(!verify(&ctx, 1, b"value", &Nonce([0; 32]), &c));
        // A commitment from another check of this session, or from another session.
        assert!(!verify(&CommitContext::new(&sid, 1), 1, b"value", &n, &c));
        let other = SessionId::new("s2").unwrap();
        assert!(!verify(&CommitContext::new(&other, 0), 1, b"value", &n, &c));
        let (c2, _) = commit(&ctx, 1, b"value", &mut rng);
        assert_ne!(c, c2, "fresh nonce, fresh commitment");
    }
}
