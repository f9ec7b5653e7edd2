//! Ed25519 signatures over `domain | body` (a leaf module): the one place envelopes and
//! signed client messages sign and verify, so every message type is domain-separated the
//! same way.

use ed25519_dalek::ed25519::signature::MultipartSigner;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};

/// Length of an Ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;

/// `body | signature over (domain | body)`.
pub(crate) fn sign(domain: &[u8], mut body: Vec<u8>, identity: &SigningKey) -> Vec<u8> {
    let signature = identity.multipart_sign(&[domain, &body]);
    body.extend_from_slice(&signature.to_bytes());
    body
}

/// Whether `signature` is a valid strict Ed25519 signature of `domain | body` under `key`.
/// `verify_strict` also refuses small-order keys and R values (no malleable signatures).
pub(crate) fn verify(
    domain: &[u8],
    body: &[u8],
    signature: &Signature,
    key: &VerifyingKey,
) -> bool {
    let mut message = Vec::with_capacity(domain.len() + body.len());
    message.extend_from_slice(domain);
    message.extend_from_slice(body);
    key.verify_strict(&message, signature).is_ok()
}
