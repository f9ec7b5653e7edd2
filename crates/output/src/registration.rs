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
//! [`REGISTRATION_DOMAIN`] followed by every byte before it.

use ed25519_dalek::SigningKey;
use spdz2k_core::SessionId;

use crate::error::{CodecError, FieldError};
use crate::hpke_keys::{HPKE_PUBLIC_KEY_LEN, HpkePublicKey};
use crate::ids::ClientId;
use crate::run::RunId;
use crate::signed::{self, Claims, ExpectedClient, Refusal, SignedMessage};
use spdz2k_core::bytes::Reader;

/// The first eight bytes of a registration.
pub const REGISTRATION_MAGIC: [u8; 8] = *b"SPDZ2KRG";
/// The registration format version.
pub const REGISTRATION_VERSION: u8 = 2;
/// Prefix of the string a registration signature covers.
pub const REGISTRATION_DOMAIN: &[u8] = b"spdz2k-registration-v2";

/// Why a registration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistrationError {
    /// Not a canonical registration.
    #[error("malformed client registration: {0}")]
    Codec(#[from] CodecError),
    /// Not a registration at all, or a version this build does not read.
    #[error(
        "not a spdz2k client registration of version {REGISTRATION_VERSION} \
         (magic {magic:02x?}, version {version})"
    )]
    Format {
        /// The first eight bytes.
        magic: [u8; 8],
        /// The version byte.
        version: u8,
    },
    /// A field with a value the format does not allow.
    #[error("malformed client registration: {0}")]
    Field(#[from] FieldError),
    /// The registration names another client than the one whose key it is checked against.
    #[error(
        "client check failed: the registration is for client {got}, but was checked against \
         the pinned key of client {expected}"
    )]
    WrongClient {
        /// The client whose pinned key was used.
        expected: ClientId,
        /// The client named in the registration.
        got: ClientId,
    },
    /// The registration is for another session.
    #[error(
        "session check failed: client {client} registered for session {got}, but this party \
         runs session {expected}"
    )]
    WrongSession {
        /// The client.
        client: ClientId,
        /// The session this party runs.
        expected: SessionId,
        /// The session in the registration.
        got: SessionId,
    },
    /// The registration is for another run of this session: recorded earlier and replayed.
    #[error(
        "run check failed: the registration of client {client} for session {session} names \
         run {got}, but this run is {expected} (a registration from another run, replayed)"
    )]
    WrongRun {
        /// The client.
        client: ClientId,
        /// The session.
        session: SessionId,
        /// This run.
        expected: RunId,
        /// The run in the registration.
        got: RunId,
    },
    /// The signature does not verify under the client's pinned identity key.
    #[error(
        "signature check failed: the registration of client {client} for session {session} \
         is not signed by the client's pinned identity key (forged or altered in transit; \
         check the client's entry in the configuration)"
    )]
    BadSignature {
        /// The client named in the registration.
        client: ClientId,
        /// The session named in the registration.
        session: SessionId,
    },
}

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
        signed::sign(REGISTRATION_DOMAIN, w.into_vec(), identity)
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
    const WHAT: &'static str = "client registration";
    const HEADER_FIELDS: (&'static str, &'static str) =
        ("registration magic", "registration version");
    const MAGIC: [u8; 8] = REGISTRATION_MAGIC;
    const VERSION: u8 = REGISTRATION_VERSION;
    const DOMAIN: &'static [u8] = REGISTRATION_DOMAIN;

    fn wrong_format(magic: [u8; 8], version: u8) -> RegistrationError {
        RegistrationError::Format { magic, version }
    }

    fn read_fields(session: SessionId, r: &mut Reader<'_>) -> Result<Self, RegistrationError> {
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

    fn refused(&self, refusal: Refusal, expected: Claims<'_>) -> RegistrationError {
        let (client, session) = (self.client.clone(), self.session.clone());
        match refusal {
            Refusal::WrongClient => RegistrationError::WrongClient {
                expected: expected.client.clone(),
                got: client,
            },
            Refusal::BadSignature => RegistrationError::BadSignature { client, session },
            Refusal::WrongSession => RegistrationError::WrongSession {
                client,
                expected: expected.session.clone(),
                got: session,
            },
            Refusal::WrongRun => RegistrationError::WrongRun {
                client,
                session,
                expected: *expected.run,
                got: self.run,
            },
        }
    }
}
