//! Why the client refused a delivery. Every message starts with the name of the check that
//! failed and carries the session, the label and the party it blames.

use spdz2k_core::SessionId;
use spdz2k_output::{ClientInputError, EnvelopeError, FieldError};
use spdz2k_ring::ParamsId;

/// A refused delivery or input. Nothing is returned to the caller on any of these: the
/// client either gets every value checked or none.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The label passed by the caller is not a valid label.
    #[error("label check failed: {0}")]
    InvalidLabel(FieldError),
    /// An envelope could not be parsed.
    #[error(
        "format check failed: envelope #{position} of the batch for label {label:?} in session \
         {session} is malformed: {source}"
    )]
    Malformed {
        /// The session.
        session: SessionId,
        /// The label asked for.
        label: String,
        /// The envelope's position in the batch handed in.
        position: usize,
        /// What the parser reported.
        source: Box<EnvelopeError>,
    },
    /// An envelope names a sender index with no pinned key.
    #[error(
        "sender check failed: envelope #{position} for label {label:?} in session {session} \
         claims to come from party {sender}, but only parties 0..{parties} are pinned"
    )]
    UnknownSender {
        /// The session.
        session: SessionId,
        /// The label asked for.
        label: String,
        /// The envelope's position in the batch.
        position: usize,
        /// The claimed sender.
        sender: usize,
        /// How many parties are pinned.
        parties: usize,
    },
    /// The envelope's signature does not verify under the pinned key of its claimed sender.
    #[error(
        "signature check failed: the envelope claiming to come from party {party} (label \
         {label:?}, session {session}) is not signed by that party's pinned key; it was altered \
         in transit (e.g. by a proxy) or forged"
    )]
    BadSignature {
        /// The session.
        session: SessionId,
        /// The label asked for.
        label: String,
        /// The claimed sender.
        party: usize,
    },
    /// Two envelopes in the batch come from the same party.
    #[error(
        "duplicate check failed: two envelopes from party {party} for label {label:?} in \
         session {session}"
    )]
    Duplicate {
        /// The session.
        session: SessionId,
        /// The label asked for.
        label: String,
        /// The party that appears twice.
        party: usize,
    },
    /// No envelope from a party.
    #[error(
        "completeness check failed: no envelope from party {party} for label {label:?} in \
         session {session}; it was dropped by the party or by the proxy that carries it"
    )]
    Dropped {
        /// The session.
        session: SessionId,
        /// The label asked for.
        label: String,
        /// The missing party.
        party: usize,
    },
    /// A signed header field differs from what the client expects.
    #[error(
        "header check failed: the envelope from party {party} has {field} {got}, expected \
         {expected} (session {session})"
    )]
    HeaderMismatch {
        /// The session this client runs.
        session: SessionId,
        /// The sender.
        party: usize,
        /// The header field, e.g. `"session"` or `"label"`.
        field: &'static str,
        /// What the client expects.
        expected: String,
        /// What the header says.
        got: String,
    },
    /// The sequence number is one already accepted (a replay) or skips ahead (a delivery
    /// in between is missing).
    #[error(
        "replay check failed: the envelope from party {party} for label {label:?} in session \
         {session} has sequence number {got}, expected {expected} ({})",
        if got < expected { "already accepted: a replay" } else { "an earlier delivery is missing" }
    )]
    Replay {
        /// The session.
        session: SessionId,
        /// The label.
        label: String,
        /// The sender.
        party: usize,
        /// The sequence number in the header.
        got: u64,
        /// The next sequence number the client expects from this party for this label.
        expected: u64,
    },
    /// Two parties sent shares of different rings.
    #[error(
        "parameter check failed: party {first_party} sent shares with {first} but party {party} \
         sent {got} (label {label:?}, session {session})"
    )]
    ParamsDisagreement {
        /// The session.
        session: SessionId,
        /// The label.
        label: String,
        /// The party whose parameters are the reference (the lowest index).
        first_party: usize,
        /// Its parameters.
        first: ParamsId,
        /// The disagreeing party.
        party: usize,
        /// Its parameters.
        got: ParamsId,
    },
    /// The parties agree on parameters other than the ones the client was told to expect.
    #[error(
        "parameter check failed: the parties sent shares with {got}, this client expects \
         {expected} (label {label:?}, session {session})"
    )]
    UnexpectedParams {
        /// The session.
        session: SessionId,
        /// The label.
        label: String,
        /// The expected parameters.
        expected: ParamsId,
        /// The parameters all parties sent.
        got: ParamsId,
    },
    /// A parameter set this client cannot reconstruct.
    #[error(
        "parameter check failed: the parties sent shares with {params}, which this client does \
         not support (supported: k=32,s=32; k=64,s=64; k=66,s=48; k=128,s=64) (session {session})"
    )]
    UnsupportedParams {
        /// The session.
        session: SessionId,
        /// The parameters sent.
        params: ParamsId,
    },
    /// Two parties sent different numbers of values.
    #[error(
        "count check failed: party {first_party} sent {first} values but party {party} sent \
         {got} (label {label:?}, session {session})"
    )]
    CountDisagreement {
        /// The session.
        session: SessionId,
        /// The label.
        label: String,
        /// The reference party (lowest index).
        first_party: usize,
        /// Its count.
        first: u64,
        /// The disagreeing party.
        party: usize,
        /// Its count.
        got: u64,
    },
    /// HPKE decryption failed.
    #[error(
        "decryption failed: the envelope from party {party} (label {label:?}, session {session}) \
         does not open with this client's HPKE key for the session"
    )]
    Decryption {
        /// The session.
        session: SessionId,
        /// The label.
        label: String,
        /// The sender.
        party: usize,
    },
    /// The decrypted bundle is not the announced number of canonical shares.
    #[error("bundle check failed (label {label:?}, session {session}): {source}")]
    Bundle {
        /// The session.
        session: SessionId,
        /// The label.
        label: String,
        /// What the decoder reported (names the party).
        source: Box<EnvelopeError>,
    },
    /// The reconstructed w differs from x^ * b: some share was altered.
    #[error(
        "integrity check failed: w != x^ * b mod 2^(k+s) for value {index} of label {label:?} \
         in session {session}; a party or a proxy altered shares, nothing is released"
    )]
    Integrity {
        /// The session.
        session: SessionId,
        /// The label.
        label: String,
        /// The first failing value (0-based).
        index: usize,
    },
    /// The reconstructed input triple does not satisfy a * b = c.
    #[error(
        "triple check failed: a * b != c mod 2^(k+s) for mask {index} of input {label:?} in \
         session {session}; a party altered its triple shares, no input is sent"
    )]
    TripleCheck {
        /// The session.
        session: SessionId,
        /// The input label.
        label: String,
        /// The first failing triple (0-based).
        index: usize,
    },
    /// The input mask belongs to another session.
    #[error("mask check failed: the input mask is for session {got}, this client runs {expected}")]
    MaskSession {
        /// This client's session.
        expected: SessionId,
        /// The mask's session.
        got: SessionId,
    },
    /// The number of input values differs from the number of masks.
    #[error(
        "input count check failed: {got} values given for input {label:?}, but the parties sent \
         {expected} masks (session {session})"
    )]
    InputCount {
        /// The session.
        session: SessionId,
        /// The input label.
        label: String,
        /// Masks received.
        expected: usize,
        /// Values given.
        got: usize,
    },
    /// An input value does not fit in k bits.
    #[error(
        "range check failed: input value {index} of {label:?} is {value}, which does not fit in \
         k = {k} bits (signed or unsigned) (session {session})"
    )]
    ValueOutOfRange {
        /// The session.
        session: SessionId,
        /// The input label.
        label: String,
        /// The value's position.
        index: usize,
        /// The value.
        value: String,
        /// k of the parameter set.
        k: u32,
    },
    /// The input message could not be encoded.
    #[error("encoding the input message failed: {0}")]
    Encode(#[from] ClientInputError),
}
