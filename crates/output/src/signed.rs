//! Messages signed by a client's identity key: `body | Ed25519 signature (64)`, the
//! signature covering a per-message-type domain prefix followed by the body.

use ed25519_dalek::ed25519::signature::MultipartSigner;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};

use crate::envelope::SIGNATURE_LEN;
use crate::error::CodecError;
use crate::ids::ClientId;
use crate::run::RunId;
use spdz2k_core::SessionId;

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

/// Who a signed client message says it is from and for.
pub(crate) struct Claims<'a> {
    pub client: &'a ClientId,
    pub session: &'a SessionId,
    pub run: &'a RunId,
}

impl<'a> Claims<'a> {
    pub fn of(client: &'a ClientId, session: &'a SessionId, run: &'a RunId) -> Self {
        Self {
            client,
            session,
            run,
        }
    }
}

/// The first check a signed client message failed.
pub(crate) enum Refusal {
    /// It names another client.
    WrongClient,
    /// The signature under the pinned key does not verify.
    BadSignature,
    /// It was made for another session.
    WrongSession,
    /// It was made for another run of the session.
    WrongRun,
}

/// The checks of every signed client message (registration, input), in one order: it names
/// the expected client, its signature over `domain | body` verifies under that client's
/// pinned key, and it was made for this session and this run. `Ok(None)` if all pass.
pub(crate) fn check_claims(
    bytes: &[u8],
    what: &'static str,
    domain: &[u8],
    pinned: &VerifyingKey,
    claimed: Claims<'_>,
    expected: Claims<'_>,
) -> Result<Option<Refusal>, CodecError> {
    if claimed.client != expected.client {
        return Ok(Some(Refusal::WrongClient));
    }
    let (body, signature) = split(bytes, what)?;
    Ok(if !verify(domain, body, &signature, pinned) {
        Some(Refusal::BadSignature)
    } else if claimed.session != expected.session {
        Some(Refusal::WrongSession)
    } else if !claimed.run.matches(expected.run) {
        Some(Refusal::WrongRun)
    } else {
        None
    })
}
