//! Errors of this crate. Each names the check that failed and the party, client, session
//! or field involved, so a log line alone says who to blame and what to look at.

use spdz2k_core::SessionId;
use spdz2k_ring::{DecodeError, ParamsId};

use crate::ids::ClientId;

pub use spdz2k_core::bytes::CodecError;

// `FieldError` lives in a leaf module, since the identifiers (`ids`) that these errors name
// report their own invalid values with it.
pub use crate::field::FieldError;

/// Why an envelope was refused (by its sender's own checks, a proxy or the client).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// The bytes are not a canonical envelope.
    #[error("malformed envelope: {0}")]
    Codec(#[from] CodecError),
    /// The bytes do not start with the envelope magic.
    #[error("not a spdz2k envelope: magic bytes {found:02x?} (expected {expected:02x?})")]
    BadMagic {
        /// The first bytes found.
        found: [u8; 8],
        /// The magic this version writes.
        expected: [u8; 8],
    },
    /// A format version this build does not read.
    #[error("unsupported envelope version {found} (this build reads version {supported})")]
    UnsupportedVersion {
        /// The version in the envelope.
        found: u8,
        /// The version this build reads and writes.
        supported: u8,
    },
    /// An envelope kind this build does not know.
    #[error("unknown envelope kind {0}")]
    UnknownKind(u8),
    /// A header field with a value the format does not allow.
    #[error("malformed envelope header: {0}")]
    Field(#[from] FieldError),
    /// The Ed25519 signature does not verify under the pinned key of the claimed sender.
    #[error(
        "signature check failed: the envelope claiming to come from party {sender} \
         (session {session}, label {label:?}) is not signed by that party's pinned identity key; \
         it was altered in transit or forged"
    )]
    BadSignature {
        /// The sender index claimed by the header.
        sender: usize,
        /// The session claimed by the header.
        session: SessionId,
        /// The label claimed by the header.
        label: String,
    },
    /// A forwarded envelope claims a different sender than the party that handed it over.
    #[error(
        "sender check failed: party {from} handed over an envelope that claims to come from \
         party {claimed} (session {session})"
    )]
    WrongSender {
        /// The party whose link the envelope arrived on.
        from: usize,
        /// The sender index in the header.
        claimed: usize,
        /// The session claimed by the header.
        session: SessionId,
    },
    /// A forwarded envelope is for another session than the one being run.
    #[error(
        "session check failed: envelope from party {sender} is for session {got}, \
         expected session {expected}"
    )]
    WrongSession {
        /// The sender index in the header.
        sender: usize,
        /// The session being run.
        expected: SessionId,
        /// The session in the header.
        got: SessionId,
    },
    /// HPKE decapsulation or AEAD decryption failed.
    #[error(
        "decryption failed for the envelope from party {sender} (session {session}, label \
         {label:?}): it was not sealed to this client's HPKE key for this session, or its \
         header or ciphertext does not match what was sealed"
    )]
    Decryption {
        /// The sender index in the header.
        sender: usize,
        /// The session in the header.
        session: SessionId,
        /// The label in the header.
        label: String,
    },
    /// HPKE sealing failed (an invalid recipient key).
    #[error("sealing the envelope for client {client} (session {session}) failed: {reason}")]
    Seal {
        /// The recipient client.
        client: ClientId,
        /// The session.
        session: SessionId,
        /// What HPKE reported.
        reason: String,
    },
    /// The bundle's vectors have different lengths.
    #[error("bundle vectors have different lengths: {lengths:?}")]
    BundleShape {
        /// The three lengths.
        lengths: [usize; 3],
    },
    /// The header's parameter set is not the one the bundle is decoded with.
    #[error(
        "parameter check failed: the envelope from party {sender} carries {got} shares, \
         decoded as {expected}"
    )]
    ParamsMismatch {
        /// The sender index in the header.
        sender: usize,
        /// The parameters the caller decodes with.
        expected: ParamsId,
        /// The parameters in the header.
        got: ParamsId,
    },
    /// The plaintext length does not match the header's value count.
    #[error(
        "length check failed: the envelope from party {sender} announces {count} values \
         ({expected} plaintext bytes) but carries {got} bytes"
    )]
    PlaintextLength {
        /// The sender index in the header.
        sender: usize,
        /// The value count in the header.
        count: u64,
        /// Bytes the count implies.
        expected: u128,
        /// Bytes decrypted.
        got: usize,
    },
    /// A share in the plaintext is not a canonical ring element.
    #[error("bundle from party {sender} holds a non-canonical share: {source}")]
    Element {
        /// The sender index in the header.
        sender: usize,
        /// What the ring decoder reported.
        source: DecodeError,
    },
}
