//! Messages signed by a client's identity key: `body | Ed25519 signature (64)`, the
//! signature covering a per-message-type domain prefix followed by the body.

use ed25519_dalek::ed25519::signature::MultipartSigner;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};

use crate::envelope::SIGNATURE_LEN;
use crate::error::CodecError;

/// `body | signature over (domain | body)`.
pub(crate) fn sign(domain: &[u8], mut body: Vec<u8>, identity: &SigningKey) -> Vec<u8> {
    let signature = identity.multipart_sign(&[domain, &body]);
    body.extend_from_slice(&signature.to_bytes());
    body
}

/// Splits `body | signature`.
pub(crate) fn split<'a>(
    bytes: &'a [u8],
    what: &'static str,
) -> Result<(&'a [u8], Signature), CodecError> {
    let Some(body_len) = bytes.len().checked_sub(SIGNATURE_LEN) else {
        return Err(CodecError::Truncated {
            what,
            needed: SIGNATURE_LEN,
            available: bytes.len(),
        });
    };
    let (body, sig) = bytes.split_at(body_len);
    let mut sig_bytes = [0u8; SIGNATURE_LEN];
    sig_bytes.copy_from_slice(sig);
    Ok((body, Signature::from_bytes(&sig_bytes)))
}

/// Whether `signature` is a valid strict Ed25519 signature of `domain | body` under `key`.
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
