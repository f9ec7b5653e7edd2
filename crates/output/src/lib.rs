//! Delivery of SPDZ2k outputs to (and input masks for) an external client, sans-IO.
//!
//! After the engine has re-randomised the outputs (x^ = x + 2^k r), computed w = x^ b with
//! one Beaver-style opening and passed the MAC check, each party holds shares
//! (x^_i, b_i, w_i). This crate turns such shares into an [`OutputBundle`] and seals it as
//! an envelope: a versioned [`EnvelopeHeader`] binding session, label, client, sender,
//! (k, s), value count and sequence number; an HPKE (RFC 9180, X25519 / HKDF-SHA256 /
//! ChaCha20-Poly1305, mode base) single-shot seal to the client's session key with the
//! header as associated data; and an Ed25519 signature by the sender's identity key. The
//! route (`spdz2k_pki::Route`, planned by `spdz2k-delivery`) only decides who carries the
//! bytes.
//!
//! It also holds the client's signed [`Registration`] of its HPKE key, the parties'
//! [`ClientRegistry`], and the client's signed, masked [`ClientInput`].
//!
//! ```
//! use ed25519_dalek::SigningKey;
//! use spdz2k_core::{SessionId, rng::secure_rng};
//! use spdz2k_output::*;
//! use spdz2k_ring::{K64S64, Params};
//!
//! let mut rng = secure_rng();
//! let session = SessionId::new("demo-1").unwrap();
//! let client = ClientId::new("C0").unwrap();
//! let client_identity = SigningKey::generate(&mut rng);
//! let party_identity = SigningKey::generate(&mut rng);
//!
//! // The client registers a fresh HPKE key; the party verifies it against the pinned key.
//! let client_keys = HpkeKeyPair::generate(&mut rng);
//! // The run ID the parties agreed on for this run (from fresh contributions).
//! let run = RunId::derive(&session, &[[1; 32], [2; 32]]);
//! let reg = Registration {
//!     session: session.clone(),
//!     client: client.clone(),
//!     run,
//!     hpke_public_key: client_keys.public().clone(),
//! }
//! .sign(&client_identity);
//! let mut registry = ClientRegistry::new();
//! let expected = ExpectedClient {
//!     client: &client,
//!     key: &client_identity.verifying_key(),
//!     session: &session,
//!     run: &run,
//! };
//! let verified = Registration::verify(&reg, &expected).unwrap();
//! registry.register(&verified).unwrap();
//!
//! // The party seals its bundle (here the whole secret, as if it were the only party).
//! let x_hat = K64S64::from_i128(-7);
//! let b = K64S64::from_u128(12345);
//! let bundle = OutputBundle::<K64S64> { x_hat: vec![x_hat], b: vec![b], w: vec![K64S64::mul(x_hat, b)] };
//! let delivery = Delivery { session: session.clone(), label: Label::new("out").unwrap(),
//!                           client: client.clone(), sender: 0, seq: 0 };
//! let recipient = registry.hpke_key(&session, &client).unwrap();
//! let bytes = seal_output_bundle(&delivery, &bundle, recipient, &party_identity, &mut rng).unwrap();
//!
//! // The client checks the signature against the pinned party key, then decrypts.
//! let envelope = Envelope::parse(&bytes).unwrap().verify(&party_identity.verifying_key()).unwrap();
//! assert_eq!(envelope.header().seq, 0);
//! let opened: OutputBundle<K64S64> = envelope.open_bundle(&client_keys).unwrap();
//! assert_eq!(K64S64::to_signed(opened.x_hat[0]), -7);
//! ```
#![forbid(unsafe_code)]
#![warn(clippy::unwrap_used)]
#![warn(missing_docs)]

mod bundle;
mod client_input;
mod domain_sig;
mod envelope;
mod error;
mod field;
mod header;
mod hpke_keys;
mod ids;
mod registration;
mod registry;
mod run;
mod sequence;
mod signed;

pub use bundle::{Bundle, InputTripleBundle, OutputBundle};
pub use client_input::{
    CLIENT_INPUT_DIGEST_DOMAIN, CLIENT_INPUT_FORMAT, ClientInput, ClientInputError, digests_match,
    input_digest,
};
pub use domain_sig::SIGNATURE_LEN;
pub use envelope::{
    Envelope, HPKE_INFO, SIGNATURE_DOMAIN, VerifiedEnvelope, check_forwarded_envelope, seal_bundle,
    seal_input_triples, seal_output_bundle, verify_envelope_signature,
};
pub use error::{CodecError, EnvelopeError, FieldError};
pub use header::{Delivery, ENVELOPE_MAGIC, ENVELOPE_VERSION, EnvelopeHeader, EnvelopeKind};
pub use hpke_keys::{
    AEAD_TAG_LEN, HPKE_PUBLIC_KEY_LEN, HpkeKeyPair, HpkePublicKey, SuiteAead, SuiteKdf, SuiteKem,
};
pub use ids::{ClientId, Label, MAX_CLIENT_ID_LEN, MAX_LABEL_LEN};
pub use registration::{REGISTRATION_FORMAT, RegisteredClient, Registration, RegistrationError};
pub use registry::{ClientRegistry, ConflictingRegistration, DeliveryError, UnregisteredClient};
pub use run::{RUN_ID_DOMAIN, RunId};
pub use sequence::SequenceCounter;
pub use signed::{ExpectedClient, Malformed, SignedError, SignedFormat};

/// Re-exported so that callers name the same key types this crate signs and verifies with.
pub use ed25519_dalek;
