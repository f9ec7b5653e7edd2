//! The HPKE suite (RFC 9180: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305,
//! mode base) and the client's per-session key pair.

use core::fmt;

use hpke::{Deserializable, Kem as _, Serializable};
use rand::CryptoRng;

use crate::error::FieldError;

/// The KEM of the suite.
pub type SuiteKem = hpke::kem::X25519HkdfSha256;
/// The KDF of the suite.
pub type SuiteKdf = hpke::kdf::HkdfSha256;
/// The AEAD of the suite.
pub type SuiteAead = hpke::aead::ChaCha20Poly1305;

/// Bytes of an encoded X25519 public key (and of an encapsulated key).
pub const HPKE_PUBLIC_KEY_LEN: usize = 32;
/// Bytes of the AEAD tag appended to every ciphertext.
pub const AEAD_TAG_LEN: usize = 16;

/// A client's HPKE (X25519) public key for one session.
#[derive(Clone, PartialEq, Eq)]
pub struct HpkePublicKey(pub(crate) <SuiteKem as hpke::Kem>::PublicKey);

impl HpkePublicKey {
    /// The 32-byte encoding.
    pub fn to_bytes(&self) -> [u8; HPKE_PUBLIC_KEY_LEN] {
        let mut out = [0u8; HPKE_PUBLIC_KEY_LEN];
        out.copy_from_slice(&self.0.to_bytes());
        out
    }

    /// Decodes a 32-byte X25519 public key.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, FieldError> {
        <SuiteKem as hpke::Kem>::PublicKey::from_bytes(bytes)
            .map(Self)
            .map_err(|e| FieldError {
                field: "HPKE public key",
                reason: e.to_string(),
            })
    }
}

impl fmt::Debug for HpkePublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HpkePublicKey(")?;
        for b in self.to_bytes() {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

/// A client's HPKE key pair for one session. Generate a fresh one per session; the secret
/// half never leaves the client.
#[derive(Clone)]
pub struct HpkeKeyPair {
    pub(crate) secret: <SuiteKem as hpke::Kem>::PrivateKey,
    public: HpkePublicKey,
}

impl HpkeKeyPair {
    /// A fresh key pair from a CSPRNG.
    pub fn generate<R: CryptoRng>(rng: &mut R) -> Self {
        let (secret, public) = SuiteKem::gen_keypair_with_rng(rng);
        Self {
            secret,
            public: HpkePublicKey(public),
        }
    }

    /// The deterministic key pair of RFC 9180 `DeriveKeyPair(ikm)` (for known-answer tests;
    /// `ikm` must carry at least 256 bits of entropy for real use).
    pub fn derive(ikm: &[u8]) -> Self {
        let (secret, public) = SuiteKem::derive_keypair(ikm);
        Self {
            secret,
            public: HpkePublicKey(public),
        }
    }

    /// The public half, to register with the parties.
    pub fn public(&self) -> &HpkePublicKey {
        &self.public
    }
}

impl fmt::Debug for HpkeKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HpkeKeyPair")
            .field("public", &self.public)
            .field("secret", &"<redacted>")
            .finish()
    }
}
