//! Identity keys: one Ed25519 key per node, its public key, fingerprints, and key files.
//!
//! The key file is PKCS#8 v1 PEM (`-----BEGIN PRIVATE KEY-----`), the form rcgen and rustls
//! take, written with mode 0600. The same key signs this node's TLS handshakes and (in the
//! output crate) its envelopes.

use crate::error::PkiError;
use crate::validity::CertValidity;
use ed25519_dalek::{SigningKey, VerifyingKey};
use rand::Rng;
use rustls::pki_types::PrivatePkcs8KeyDer;
use rustls::pki_types::pem::PemObject;
use sha2::{Digest, Sha256};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use subtle::ConstantTimeEq;

/// The fixed DER prefix of an Ed25519 PKCS#8 v1 key (RFC 8410): the 32-byte seed follows.
const PKCS8_ED25519_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// A raw 32-byte Ed25519 public key: what configs pin and what a peer must prove.
#[derive(Clone, Copy, Eq)]
pub struct PublicKey(pub [u8; 32]);

impl PublicKey {
    /// Parses 64 hex characters (the form used in config files).
    pub fn from_hex(s: &str) -> Result<Self, String> {
        if s.len() != 64 {
            return Err(format!("not 64 hex characters (got {})", s.len()));
        }
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(s, &mut bytes).map_err(|e| format!("not hex: {e}"))?;
        VerifyingKey::from_bytes(&bytes)
            .map_err(|_| "not a valid Ed25519 public key".to_string())?;
        Ok(Self(bytes))
    }
    /// Lowercase hex of the 32 bytes.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
    /// The one fingerprint format everywhere (setup, check, configs' display, errors):
    /// `sha256:` + the first 32 lowercase hex digits (128 bits) of SHA-256 over the 32 key
    /// bytes. Short enough to compare by eye, long enough that no key can be made to match
    /// another's.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.0);
        format!("sha256:{}", hex::encode(&digest[..FINGERPRINT_BYTES]))
    }
    /// The same as [`PublicKey::fingerprint`] (kept so callers need not change: there is one
    /// format, not a long and a short one).
    pub fn short_fingerprint(&self) -> String {
        self.fingerprint()
    }
}

/// Digest bytes a fingerprint shows.
const FINGERPRINT_BYTES: usize = 16;

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.short_fingerprint())
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.fingerprint())
    }
}

impl From<&SigningKey> for PublicKey {
    fn from(key: &SigningKey) -> Self {
        Self(key.verifying_key().to_bytes())
    }
}

/// A fresh Ed25519 key from the OS-seeded CSPRNG.
pub fn generate_key() -> SigningKey {
    let mut seed = [0u8; 32];
    spdz2k_core::rng::secure_rng().fill_bytes(&mut seed);
    SigningKey::from_bytes(&seed)
}

/// The PKCS#8 v1 DER encoding of a key (secret material: do not log it).
pub fn pkcs8_der(key: &SigningKey) -> Vec<u8> {
    let mut der = Vec::with_capacity(48);
    der.extend_from_slice(&PKCS8_ED25519_PREFIX);
    der.extend_from_slice(key.as_bytes());
    der
}

/// The PKCS#8 PEM encoding of a key.
pub fn pkcs8_pem(key: &SigningKey) -> Result<String, PkiError> {
    let der = PrivatePkcs8KeyDer::from(pkcs8_der(key));
    let pair = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&der, &rcgen::PKCS_ED25519)
        .map_err(|e| PkiError::Certificate(format!("encoding the key: {e}")))?;
    Ok(pair.serialize_pem())
}

/// Writes `contents` to `path` with the given Unix mode, replacing any old file atomically
/// (a temporary file in the same directory, then a rename).
pub(crate) fn write_file(path: &Path, contents: &[u8], mode: u32) -> Result<(), PkiError> {
    let io = |source| PkiError::Io {
        path: path.to_path_buf(),
        action: "write",
        source,
    };
    let tmp = path.with_extension("tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = opts.open(&tmp).map_err(io)?;
    // The mode given to open() is filtered by the umask and ignored for an existing file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(io)?;
    }
    file.write_all(contents).map_err(io)?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// Writes a key file (PKCS#8 PEM, mode 0600).
pub fn write_key_file(path: &Path, key: &SigningKey) -> Result<(), PkiError> {
    write_file(path, pkcs8_pem(key)?.as_bytes(), 0o600)
}

/// Reads a key file written by [`write_key_file`].
/// Refuses a key file that group or others can read (Unix).
pub fn read_key_file(path: &Path) -> Result<SigningKey, PkiError> {
    let bad = |reason: String| PkiError::BadKeyFile {
        path: path.to_path_buf(),
        reason,
    };
    if let Some(mode) = file_mode(path)
        && mode & 0o077 != 0
    {
        return Err(PkiError::KeyFileExposed {
            path: path.to_path_buf(),
            mode,
        });
    }
    let pem = crate::error::read_bounded(path, crate::error::MAX_PEM_BYTES)?;
    let der = PrivatePkcs8KeyDer::from_pem_slice(&pem)
        .map_err(|e| bad(format!("no PKCS#8 private key in PEM form ({e})")))?;
    let bytes = der.secret_pkcs8_der();
    let seed = bytes
        .strip_prefix(&PKCS8_ED25519_PREFIX[..])
        .and_then(|rest| <[u8; 32]>::try_from(rest).ok())
        .ok_or_else(|| bad("not an Ed25519 PKCS#8 v1 key".into()))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// The Unix mode bits of a file (0 where unknown), to warn about readable key files.
pub fn file_mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .ok()
            .map(|m| m.permissions().mode() & 0o777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// A node's loaded identity: its key, its certificate, and where they came from.
pub struct NodeIdentity {
    /// The node's name (`P0`, `C0`, ...).
    pub name: String,
    /// The Ed25519 identity key (also the TLS key). Secret.
    pub signing_key: SigningKey,
    /// Its public key: what every peer pins.
    pub public_key: PublicKey,
    /// The self-signed certificate over the key, DER.
    pub cert_der: Vec<u8>,
    /// The certificate's validity window.
    pub validity: CertValidity,
    /// The key file it was read from.
    pub key_file: PathBuf,
    /// The certificate file it was read from.
    pub cert_file: PathBuf,
    /// The node config that named both files.
    pub config_file: PathBuf,
}

impl NodeIdentity {
    /// The key as PKCS#8 DER, for rustls. Secret material.
    pub fn pkcs8_der(&self) -> Vec<u8> {
        pkcs8_der(&self.signing_key)
    }

    /// Fails if this node's own certificate is expired or not yet valid, naming the file and
    /// the command that renews it.
    pub fn require_valid_cert(&self, now: std::time::SystemTime) -> Result<(), PkiError> {
        self.validity
            .require_valid(now, &self.cert_file, &self.config_file)
    }
}

impl fmt::Debug for NodeIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeIdentity")
            .field("name", &self.name)
            .field("public_key", &self.public_key)
            .field("cert_file", &self.cert_file)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_round_trip_and_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.pem");
        let key = generate_key();
        write_key_file(&path, &key).unwrap();
        assert_eq!(read_key_file(&path).unwrap().to_bytes(), key.to_bytes());
        #[cfg(unix)]
        assert_eq!(file_mode(&path), Some(0o600));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("-----BEGIN PRIVATE KEY-----"), "{text}");
    }

    #[test]
    fn fingerprints_and_hex() {
        let pk = PublicKey::from(&generate_key());
        assert_eq!(PublicKey::from_hex(&pk.to_hex()).unwrap(), pk);
        assert_eq!(pk.fingerprint().len(), "sha256:".len() + 32);
        assert!(pk.fingerprint().starts_with("sha256:"));
        assert_eq!(pk.short_fingerprint(), pk.fingerprint());
        assert!(PublicKey::from_hex("abc").unwrap_err().contains("64 hex"));
        assert!(PublicKey::from_hex(&"zz".repeat(32)).is_err());
    }

    #[test]
    #[cfg(unix)]
    fn key_file_readable_by_others_is_refused_with_the_fix() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.pem");
        write_key_file(&path, &generate_key()).unwrap();
        assert!(read_key_file(&path).is_ok());
        for mode in [0o644, 0o640, 0o604] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let err = read_key_file(&path).unwrap_err().to_string();
            assert!(
                err.contains(&format!("chmod 600 {}", path.display())) && err.contains("refuses"),
                "{err}"
            );
        }
    }

    #[test]
    fn garbage_key_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.pem");
        std::fs::write(&path, "hello").unwrap();
        let err = read_key_file(&path).unwrap_err().to_string();
        assert!(err.contains("key.pem"), "{err}");
    }
}
