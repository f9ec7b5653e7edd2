//! A client's masked inputs y = x + a, signed by the client and sent (directly or via a
//! proxy) to every party. The parties verify the signature against the pinned client key
//! and then compare [`input_digest`]s of what each received before using y, so a client
//! that sends different y to different parties is caught at once and blamed.
//!
//! Layout: `magic "SPDZ2KCI" | version u8 | session (u8 len) | run ID (32) | client (u8
//! len) | label (u8 len) | seq u64 | k u32 | s u32 | y (u32 len, bytes) | signature (64)`,
//! the signature covering the domain of [`CLIENT_INPUT_FORMAT`] followed by every byte
//! before it. `seq` is the sequence number of the input-triple delivery whose masks y uses;
//! the run ID binds the message to this run (see [`RunId`]). [`ClientInput::verify`] checks
//! the run, and [`ClientInput::check_delivery`] the label and sequence number every party
//! expects, so a proxy can neither replay an input from an earlier run nor reorder inputs in
//! this one.

use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};
use spdz2k_core::SessionId;
use spdz2k_ring::{DecodeError, Params, ParamsId};
use subtle::ConstantTimeEq;

use crate::error::FieldError;
use crate::ids::{ClientId, Label};
use crate::run::RunId;
use crate::signed::{self, Claims, ExpectedClient, Malformed};
use crate::signed::{SignedError, SignedFormat, SignedMessage};
use spdz2k_core::bytes::Reader;

/// The client input format: magic `SPDZ2KCI`, version 2, and the prefix of the string its
/// signature covers.
pub const CLIENT_INPUT_FORMAT: SignedFormat = SignedFormat {
    what: "client input",
    magic: *b"SPDZ2KCI",
    version: 2,
    domain: b"spdz2k-client-input-v2",
};
/// Prefix of the string [`input_digest`] hashes.
pub const CLIENT_INPUT_DIGEST_DOMAIN: &[u8] = b"spdz2k-client-input-digest-v1";

/// Why a client input message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientInputError {
    /// A field too large to encode.
    #[error("client input cannot be encoded: {0}")]
    Field(#[from] FieldError),
    /// Not a canonical client input, or refused by the checks of every signed client message
    /// (client, signature, session, run).
    #[error(transparent)]
    Signed(#[from] SignedError),
    /// The message is not the input this party expects next: replayed or reordered.
    #[error(
        "sequence check failed: client {client} sent input {got_label:?} with sequence number \
         {got_seq}, but this party expects {expected_label:?} with sequence number \
         {expected_seq} (an earlier input replayed, or inputs reordered)"
    )]
    WrongSequence {
        /// The client.
        client: ClientId,
        /// The label this party expects.
        expected_label: String,
        /// The sequence number this party expects.
        expected_seq: u64,
        /// The label in the message.
        got_label: String,
        /// The sequence number in the message.
        got_seq: u64,
    },
    /// The message's parameters are not the ones it is decoded with.
    #[error("parameter check failed: client input of {got} decoded as {expected}")]
    ParamsMismatch {
        /// The parameters the caller decodes with.
        expected: ParamsId,
        /// The parameters in the message.
        got: ParamsId,
    },
    /// y is not a whole number of canonical elements.
    #[error("client input holds invalid ring elements: {0}")]
    Element(#[from] DecodeError),
}

/// A client's masked input values for one label of one session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientInput {
    session: SessionId,
    run: RunId,
    client: ClientId,
    label: Label,
    seq: u64,
    params: ParamsId,
    y: Vec<u8>,
}

impl ClientInput {
    /// A message carrying y (already masked: y = x + a mod 2^(k+s)).
    pub fn new<P: Params>(
        session: SessionId,
        run: RunId,
        client: ClientId,
        label: Label,
        seq: u64,
        y: &[P::Word],
    ) -> Self {
        let mut bytes = Vec::with_capacity(y.len() * P::BYTES);
        P::encode_slice(y, &mut bytes);
        Self {
            session,
            run,
            client,
            label,
            seq,
            params: P::id(),
            y: bytes,
        }
    }

    fn body(&self) -> Result<Vec<u8>, FieldError> {
        if u32::try_from(self.y.len()).is_err() {
            return Err(FieldError {
                field: "y",
                reason: format!("{} bytes exceed the 4 GiB message limit", self.y.len()),
            });
        }
        let mut w = signed::header::<Self>(&self.session, 128 + self.y.len());
        w.bytes(&self.run.0);
        w.short_str(self.client.as_str());
        w.short_str(self.label.as_str());
        w.u64(self.seq);
        w.u32(self.params.k);
        w.u32(self.params.s);
        w.long_bytes(&self.y);
        Ok(w.into_vec())
    }

    /// The signed encoding, ready to send to every party.
    pub fn sign(&self, identity: &SigningKey) -> Result<Vec<u8>, ClientInputError> {
        Ok(signed::sign::<Self>(self.body()?, identity))
    }

    /// Decodes without checking the signature (e.g. to find which client's pinned key to
    /// verify with). Never act on the result before [`ClientInput::verify`].
    pub fn decode_unverified(bytes: &[u8]) -> Result<Self, ClientInputError> {
        signed::decode_unverified(bytes)
    }

    /// Verifies a client input received (directly or forwarded): it names the expected
    /// client, its signature verifies under that client's pinned key, and it was made for
    /// the expected session and run. Check the label and sequence number with
    /// [`ClientInput::check_delivery`] before using it.
    pub fn verify(bytes: &[u8], expected: &ExpectedClient<'_>) -> Result<Self, ClientInputError> {
        signed::decode_verified(bytes, expected)
    }

    /// Refuses the input unless it answers the delivery this party expects: `label` with
    /// sequence number `seq`.
    ///
    /// # Errors
    /// [`ClientInputError::WrongSequence`], naming the client and both sequence numbers.
    pub fn check_delivery(&self, label: &Label, seq: u64) -> Result<(), ClientInputError> {
        if &self.label == label && self.seq == seq {
            return Ok(());
        }
        Err(ClientInputError::WrongSequence {
            client: self.client.clone(),
            expected_label: label.to_string(),
            expected_seq: seq,
            got_label: self.label.to_string(),
            got_seq: self.seq,
        })
    }

    /// The run the input was signed for.
    pub fn run(&self) -> &RunId {
        &self.run
    }

    /// The session.
    pub fn session(&self) -> &SessionId {
        &self.session
    }
    /// The client.
    pub fn client(&self) -> &ClientId {
        &self.client
    }
    /// The input's label.
    pub fn label(&self) -> &Label {
        &self.label
    }
    /// The sequence number of the triple delivery whose masks y uses.
    pub fn seq(&self) -> u64 {
        self.seq
    }
    /// The ring (k, s) of y.
    pub fn params(&self) -> ParamsId {
        self.params
    }

    /// y as elements of `P`; fails if the message is for other parameters or y is not a
    /// whole number of canonical elements.
    pub fn values<P: Params>(&self) -> Result<Vec<P::Word>, ClientInputError> {
        if self.params != P::id() {
            return Err(ClientInputError::ParamsMismatch {
                expected: P::id(),
                got: self.params,
            });
        }
        Ok(P::decode_slice(&self.y)?)
    }

    /// SHA-256 over a domain prefix and the message body (everything but the signature):
    /// the value the parties compare before using y. Two messages have equal digests only
    /// if they carry the same session, client, label, sequence number, parameters and y.
    pub fn digest(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(CLIENT_INPUT_DIGEST_DOMAIN);
        // A decoded or constructed message always re-encodes: y fit in its u32 length.
        h.update(self.body().unwrap_or_default());
        h.finalize().into()
    }
}

impl SignedMessage for ClientInput {
    type Error = ClientInputError;
    const FORMAT: SignedFormat = CLIENT_INPUT_FORMAT;

    fn read_fields(session: SessionId, r: &mut Reader<'_>) -> Result<Self, Malformed> {
        let run = RunId(r.array("run ID")?);
        let client = ClientId::new(r.short_str("client ID")?)?;
        let label = Label::new(r.short_str("label")?)?;
        let seq = r.u64("sequence number")?;
        let k = r.u32("k")?;
        let s = r.u32("s")?;
        let y = r.long_bytes("y")?.to_vec();
        Ok(Self {
            session,
            run,
            client,
            label,
            seq,
            params: ParamsId { k, s },
            y,
        })
    }

    fn claims(&self) -> Claims<'_> {
        Claims::of(&self.client, &self.session, &self.run)
    }

    fn describe(&self) -> String {
        format!(
            "input (label {:?}, sequence number {})",
            self.label.as_str(),
            self.seq
        )
    }
}

/// The digest of a client input, for the parties' comparison: see [`ClientInput::digest`].
pub fn input_digest(input: &ClientInput) -> [u8; 32] {
    input.digest()
}

/// Constant-time comparison of two input digests.
pub fn digests_match(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.ct_eq(b).into()
}
