//! Client registration: the client announces its fresh HPKE public key for one session,
//! signed by its identity key. Parties reached through a proxy receive the same bytes
//! forwarded and verify them against the client key pinned in their own configuration, so
//! a proxy cannot substitute a key it could decrypt with.
//!
//! The registration also names the run (see [`RunId`]): fresh randomness the parties agreed
//! on at the start of this run and sent to the client, so a registration recorded in an
//! earlier run under the same session ID is refused.
//!
//! Layout: `magic "SPDZ2KRG" | version u8 | session (u8 len, bytes) | client (u8 len, bytes)
//! | run ID (32) | HPKE public key (32) | signature (64)`, the signature covering
//! the domain of [`REGISTRATION_FORMAT`] followed by every byte before it.

use ed25519_dalek::SigningKey;
use spdz2k_core::SessionId;

use crate::hpke_keys::{HPKE_PUBLIC_KEY_LEN, HpkePublicKey};
use crate::ids::ClientId;
use crate::run::RunId;
use crate::signed::{self, Claims, ExpectedClient, Malformed};
use crate::signed::{SignedError, SignedFormat, SignedMessage};
use spdz2k_core::bytes::Reader;

/// The registration format: magic `SPDZ2KRG`, version 2, and the prefix of the string its
/// signature covers.
pub const REGISTRATION_FORMAT: SignedFormat = SignedFormat {
    what: "client registration",
    magic: *b"SPDZ2KRG",
    version: 2,
    domain: b"spdz2k-registration-v2",
};

/// Why a registration was refused: the checks of every signed client message.
pub type RegistrationError = SignedError;

/// A client's announcement of its HPKE public key for one session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    /// The session the key is for.
    pub session: SessionId,
    /// The registering client.
    pub client: ClientId,
    /// The run the registration is for.
    pub run: RunId,
    /// The client's fresh HPKE public key for the session.
    pub hpke_public_key: HpkePublicKey,
}

/// A registration whose signature verified under the client's pinned key: only
/// [`Registration::verify`] makes one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisteredClient(Registration);

impl RegisteredClient {
    /// The session the key is for.
    pub fn session(&self) -> &SessionId {
        &self.0.session
    }
    /// The client.
    pub fn client(&self) -> &ClientId {
        &self.0.client
    }
    /// The client's HPKE public key for the session.
    pub fn hpke_public_key(&self) -> &HpkePublicKey {
        &self.0.hpke_public_key
    }
}

impl Registration {
    /// The signed encoding, ready to send to every party (directly or via a proxy).
    pub fn sign(&self, identity: &SigningKey) -> Vec<u8> {
        let mut w = signed::header::<Self>(&self.session, 128);
        w.short_str(self.client.as_str());
        w.bytes(&self.run.0);
        w.bytes(&self.hpke_public_key.to_bytes());
        signed::sign::<Self>(w.into_vec(), identity)
    }

    /// Decodes without checking the signature, e.g. to find which client's pinned key to
    /// verify with. Never act on the result before [`Registration::verify`].
    pub fn decode_unverified(bytes: &[u8]) -> Result<Self, RegistrationError> {
        signed::decode_unverified(bytes)
    }

    /// Verifies a registration received (directly or forwarded): it names the expected
    /// client, its signature verifies under that client's pinned key, and it was made for
    /// the expected session and run.
    pub fn verify(
        bytes: &[u8],
        expected: &ExpectedClient<'_>,
    ) -> Result<RegisteredClient, RegistrationError> {
        signed::decode_verified(bytes, expected).map(RegisteredClient)
    }
}

impl SignedMessage for Registration {
    type Error = RegistrationError;
    const FORMAT: SignedFormat = REGISTRATION_FORMAT;

    fn read_fields(session: SessionId, r: &mut Reader<'_>) -> Result<Self, Malformed> {
        let client = ClientId::new(r.short_str("client ID")?)?;
        let run = RunId(r.array("run ID")?);
        let hpke_public_key =
            HpkePublicKey::from_bytes(r.take(HPKE_PUBLIC_KEY_LEN, "HPKE public key")?)?;
        Ok(Self {
            session,
            client,
            run,
            hpke_public_key,
        })
    }

    fn claims(&self) -> Claims<'_> {
        Claims::of(&self.client, &self.session, &self.run)
    }

    fn describe(&self) -> String {
        "registration".to_owned()
    }
}
