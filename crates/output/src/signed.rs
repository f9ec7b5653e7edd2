//! Messages signed by a client's identity key: `body | Ed25519 signature (64)`, the
//! signature covering a per-message-type domain prefix followed by the body.

use ed25519_dalek::{Signature, SigningKey, VerifyingKey};

use crate::domain_sig::{self, SIGNATURE_LEN};
use crate::error::{CodecError, FieldError};
use crate::ids::ClientId;
use crate::run::RunId;
use spdz2k_core::SessionId;
use spdz2k_core::bytes::{Reader, Writer};

/// What identifies a signed client message format: its name in errors, the first eight
/// bytes, the version and the prefix of the string its signature covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignedFormat {
    /// What the message is called in errors ("client input").
    pub what: &'static str,
    /// The first eight bytes.
    pub magic: [u8; 8],
    /// The format version.
    pub version: u8,
    /// Prefix of the string the signature covers.
    pub domain: &'static [u8],
}

/// A client message type signed with [`sign`], whose body opens with `magic | version |
/// session (u8 len)`: what [`decode_unverified`] and [`decode_verified`] need to know of it.
pub(crate) trait SignedMessage: Sized {
    /// The type's error.
    type Error: From<SignedError>;
    /// The format.
    const FORMAT: SignedFormat;

    /// Reads the fields after the header (the reader is checked for trailing bytes after).
    fn read_fields(session: SessionId, r: &mut Reader<'_>) -> Result<Self, Malformed>;
    /// Who the message says it is from and for.
    fn claims(&self) -> Claims<'_>;
    /// The message as a refusal names it ("input (label \"x\", sequence number 4)").
    fn describe(&self) -> String;
}

/// A writer holding the header `magic | version | session` of an `M` body.
pub(crate) fn header<M: SignedMessage>(session: &SessionId, capacity: usize) -> Writer {
    let mut w = Writer::with_capacity(capacity);
    w.bytes(&M::FORMAT.magic);
    w.u8(M::FORMAT.version);
    w.short_str(session.as_str());
    w
}

/// Decodes an `M` without checking its signature.
pub(crate) fn decode_unverified<M: SignedMessage>(bytes: &[u8]) -> Result<M, M::Error> {
    decode_signed::<M>(bytes).map(|(message, _, _)| message)
}

/// Decodes an `M`, and hands back the body and signature it split off for
/// [`decode_verified`] to check.
fn decode_signed<M: SignedMessage>(bytes: &[u8]) -> Result<(M, &[u8], Signature), M::Error> {
    let format = &M::FORMAT;
    let malformed = |cause: Malformed| SignedError::Malformed {
        what: format.what,
        cause,
    };
    let (body, signature) = split(bytes, format.what).map_err(|e| malformed(e.into()))?;
    let mut r = Reader::new(body);
    let (magic, version) = read_format(&mut r).map_err(malformed)?;
    if magic != format.magic || version != format.version {
        return Err(SignedError::Format {
            what: format.what,
            expected: format.version,
            magic,
            version,
        }
        .into());
    }
    let message = read_message::<M>(r).map_err(malformed)?;
    Ok((message, body, signature))
}

/// The magic and version at the start of a body.
fn read_format(r: &mut Reader<'_>) -> Result<([u8; 8], u8), Malformed> {
    Ok((r.array("magic")?, r.u8("version")?))
}

/// The rest of an `M` body after its magic and version, to the last byte.
fn read_message<M: SignedMessage>(mut r: Reader<'_>) -> Result<M, Malformed> {
    let session = SessionId::new(r.short_str("session ID")?).map_err(|e| FieldError {
        field: "session ID",
        reason: e.to_string(),
    })?;
    let message = M::read_fields(session, &mut r)?;
    r.finish(M::FORMAT.what)?;
    Ok(message)
}

/// Decodes an `M` and checks, in this order, that it names the expected client, that its
/// signature over `domain | body` verifies under that client's pinned key, and that it was
/// made for the expected session and run.
pub(crate) fn decode_verified<M: SignedMessage>(
    bytes: &[u8],
    expected: &ExpectedClient<'_>,
) -> Result<M, M::Error> {
    let (message, body, signature) = decode_signed::<M>(bytes)?;
    let claimed = message.claims();
    // The refusal's details are built only when a check fails.
    let error = if claimed.client != expected.client {
        SignedError::WrongClient {
            what: message.describe(),
            expected: expected.client.clone(),
            got: claimed.client.clone(),
        }
    } else if !domain_sig::verify(M::FORMAT.domain, body, &signature, expected.key) {
        SignedError::BadSignature {
            what: message.describe(),
            client: claimed.client.clone(),
            session: claimed.session.clone(),
        }
    } else if claimed.session != expected.session {
        SignedError::WrongSession {
            what: message.describe(),
            client: claimed.client.clone(),
            expected: expected.session.clone(),
            got: claimed.session.clone(),
        }
    } else if !claimed.run.matches(expected.run) {
        SignedError::WrongRun {
            what: message.describe(),
            client: claimed.client.clone(),
            expected: *expected.run,
            got: *claimed.run,
        }
    } else {
        return Ok(message);
    };
    Err(error.into())
}

/// `body | signature over (domain | body)`, the domain `M`'s.
pub(crate) fn sign<M: SignedMessage>(body: Vec<u8>, identity: &SigningKey) -> Vec<u8> {
    domain_sig::sign(M::FORMAT.domain, body, identity)
}

/// Splits `body | signature`.
fn split<'a>(bytes: &'a [u8], what: &'static str) -> Result<(&'a [u8], Signature), CodecError> {
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

/// Why a signed client message (a registration or an input) was refused by the checks every
/// such message passes: its format, the client it names, its signature under that client's
/// pinned key, and the session and run it was made for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignedError {
    /// Not a canonical message of its format.
    #[error("malformed {what}: {cause}")]
    Malformed {
        /// What the message is ("client input").
        what: &'static str,
        /// The codec or field error.
        cause: Malformed,
    },
    /// Not this kind of message, or a version this build does not read.
    #[error("not a spdz2k {what} of version {expected} (magic {magic:02x?}, version {version})")]
    Format {
        /// What was expected ("client registration").
        what: &'static str,
        /// The version this build reads.
        expected: u8,
        /// The first eight bytes.
        magic: [u8; 8],
        /// The version byte.
        version: u8,
    },
    /// The message names another client than the one whose key it is checked against.
    #[error(
        "client check failed: the {what} is from client {got}, but was checked against the \
         pinned key of client {expected}"
    )]
    WrongClient {
        /// The message ("registration", "input (label \"x\", sequence number 0)").
        what: String,
        /// The client whose pinned key was used.
        expected: ClientId,
        /// The client named in the message.
        got: ClientId,
    },
    /// The signature does not verify under the client's pinned identity key.
    #[error(
        "signature check failed: the {what} of client {client} for session {session} is not \
         signed by the client's pinned identity key (forged or altered in transit; check the \
         client's entry in the configuration)"
    )]
    BadSignature {
        /// The message.
        what: String,
        /// The client named in the message.
        client: ClientId,
        /// The session named in the message.
        session: SessionId,
    },
    /// The message was made for another session.
    #[error(
        "session check failed: the {what} of client {client} is for session {got}, but this \
         party runs session {expected}"
    )]
    WrongSession {
        /// The message.
        what: String,
        /// The client.
        client: ClientId,
        /// The session this party runs.
        expected: SessionId,
        /// The session in the message.
        got: SessionId,
    },
    /// The message was signed for another run of this session: recorded and replayed.
    #[error(
        "run check failed: the {what} of client {client} was signed for run {got}, but this \
         run is {expected} (a message from another run of this session, replayed)"
    )]
    WrongRun {
        /// The message.
        what: String,
        /// The client.
        client: ClientId,
        /// This run.
        expected: RunId,
        /// The run in the message.
        got: RunId,
    },
}

/// Why the bytes of a signed client message are not canonical.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Malformed {
    /// Truncated, trailing bytes, or a string that is not UTF-8.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// A field value the format does not allow.
    #[error(transparent)]
    Field(#[from] FieldError),
}
