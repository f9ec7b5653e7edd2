//! Messages signed by a client's identity key: `body | Ed25519 signature (64)`, the
//! signature covering a per-message-type domain prefix followed by the body.

use ed25519_dalek::ed25519::signature::MultipartSigner;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};

use crate::envelope::SIGNATURE_LEN;
use crate::error::{CodecError, FieldError};
use crate::ids::ClientId;
use crate::run::RunId;
use spdz2k_core::SessionId;
use spdz2k_core::bytes::{Reader, Writer};

/// A client message type signed with [`sign`], whose body opens with `magic | version |
/// session (u8 len)`: what [`decode_unverified`] and [`decode_verified`] need to know of it.
pub(crate) trait SignedMessage: Sized {
    /// The type's error.
    type Error: From<CodecError> + From<FieldError>;
    /// What the message is called in errors ("client input").
    const WHAT: &'static str;
    /// The names of the magic and version fields in errors.
    const HEADER_FIELDS: (&'static str, &'static str);
    /// The first eight bytes.
    const MAGIC: [u8; 8];
    /// The format version.
    const VERSION: u8;
    /// Prefix of the string the signature covers.
    const DOMAIN: &'static [u8];

    /// The error for a body with another magic or version.
    fn wrong_format(magic: [u8; 8], version: u8) -> Self::Error;
    /// Reads the fields after the header (the reader is checked for trailing bytes after).
    fn read_fields(session: SessionId, r: &mut Reader<'_>) -> Result<Self, Self::Error>;
    /// Who the message says it is from and for.
    fn claims(&self) -> Claims<'_>;
    /// The error for a message that failed `refusal` against `expected`.
    fn refused(&self, refusal: Refusal, expected: Claims<'_>) -> Self::Error;
}

/// A writer holding the header `magic | version | session` of an `M` body.
pub(crate) fn header<M: SignedMessage>(session: &SessionId, capacity: usize) -> Writer {
    let mut w = Writer::with_capacity(capacity);
    w.bytes(&M::MAGIC);
    w.u8(M::VERSION);
    w.short_str(session.as_str());
    w
}

/// Decodes an `M` without checking its signature.
pub(crate) fn decode_unverified<M: SignedMessage>(bytes: &[u8]) -> Result<M, M::Error> {
    let (body, _) = split(bytes, M::WHAT)?;
    let mut r = Reader::new(body);
    let magic: [u8; 8] = r.array(M::HEADER_FIELDS.0)?;
    let version = r.u8(M::HEADER_FIELDS.1)?;
    if magic != M::MAGIC || version != M::VERSION {
        return Err(M::wrong_format(magic, version));
    }
    let session = SessionId::new(r.short_str("session ID")?).map_err(|e| FieldError {
        field: "session ID",
        reason: e.to_string(),
    })?;
    let message = M::read_fields(session, &mut r)?;
    r.finish(M::WHAT)?;
    Ok(message)
}

/// Decodes an `M` and runs [`check_claims`] on it against `expected`.
pub(crate) fn decode_verified<M: SignedMessage>(
    bytes: &[u8],
    expected: &ExpectedClient<'_>,
) -> Result<M, M::Error> {
    let message = decode_unverified::<M>(bytes)?;
    let claims = expected.claims();
    match check_claims(
        bytes,
        M::WHAT,
        M::DOMAIN,
        expected.key,
        message.claims(),
        claims,
    )? {
        None => Ok(message),
        Some(refusal) => Err(message.refused(refusal, claims)),
    }
}

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

/// What a party expects of a signed client message (a registration or an input): that it
/// names `client`, verifies under `key` (the identity key pinned for that client), and was
/// made for `session` and `run`. Built once per client and run, and passed to
/// `Registration::verify` and `ClientInput::verify`.
///
/// Named fields, not a positional list, because every one of them is a check: a key pinned
/// for another client, or another run, must not slip in by argument order.
#[derive(Clone, Copy, Debug)]
pub struct ExpectedClient<'a> {
    /// The client the message must name.
    pub client: &'a ClientId,
    /// The identity key pinned for `client`, which must verify the signature.
    pub key: &'a VerifyingKey,
    /// The session the message must be made for.
    pub session: &'a SessionId,
    /// The run of the session the message must be made for.
    pub run: &'a RunId,
}

impl ExpectedClient<'_> {
    fn claims(&self) -> Claims<'_> {
        Claims::of(self.client, self.session, self.run)
    }
}

/// Who a signed client message says it is from and for.
#[derive(Clone, Copy)]
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
