//! Self-signed certificates over a node's Ed25519 key, and their validity window.
//!
//! Peers trust a certificate because of the public key it carries (the pin), not because
//! of who signed it, so the certificate is self-signed. We still enforce its validity window
//! ourselves, because a pinned-key verifier has no chain for rustls to check dates on.

use crate::error::PkiError;
use crate::identity::{PublicKey, pkcs8_der};
use ed25519_dalek::SigningKey;
use rustls::pki_types::PrivatePkcs8KeyDer;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use x509_parser::prelude::FromDer;

/// The subject alternative name every node certificate carries. Peers are identified by
/// key, so this name is the same for all nodes and is what dialers ask for.
pub const TLS_SERVER_NAME: &str = "spdz2k-node";

/// Object identifier of Ed25519 keys (RFC 8410), dotted.
const OID_ED25519: &str = "1.3.101.112";

/// How long before expiry `spdz2k check` warns.
pub const EXPIRY_WARNING: Duration = Duration::from_secs(30 * 24 * 3600);

// The validity window and its formatting live in a leaf module (identities carry a window
// too); re-exported here, where they always were.
pub use crate::validity::{CertValidity, ValidityStatus, utc};

/// A self-signed certificate: PEM text and DER bytes.
pub struct IssuedCert {
    /// PEM text, for the certificate file.
    pub pem: String,
    /// DER bytes, for TLS.
    pub der: Vec<u8>,
}

impl std::fmt::Debug for IssuedCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCert")
            .field("der_len", &self.der.len())
            .finish_non_exhaustive()
    }
}

/// Issues a self-signed certificate for `name` over `key`, valid from `not_before` to
/// `not_after`.
pub fn issue_certificate(
    key: &SigningKey,
    name: &str,
    not_before: SystemTime,
    not_after: SystemTime,
) -> Result<IssuedCert, PkiError> {
    let err =
        |e: rcgen::Error| PkiError::Certificate(format!("issuing a certificate for {name}: {e}"));
    let der = PrivatePkcs8KeyDer::from(pkcs8_der(key));
    let pair =
        rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&der, &rcgen::PKCS_ED25519).map_err(err)?;
    let mut params =
        rcgen::CertificateParams::new(vec![TLS_SERVER_NAME.to_string()]).map_err(err)?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, format!("spdz2k {name}"));
    params.not_before = time::OffsetDateTime::from(not_before);
    params.not_after = time::OffsetDateTime::from(not_after);
    let cert = params.self_signed(&pair).map_err(err)?;
    Ok(IssuedCert {
        pem: cert.pem(),
        der: cert.der().to_vec(),
    })
}

/// Issues a certificate valid from one hour ago (clock skew) for `days` days.
/// Refuses (before anything is written) a certificate that would not be valid now: 0 days,
/// or a clock so wrong that the window misses the present.
pub fn issue_for_days(key: &SigningKey, name: &str, days: u32) -> Result<IssuedCert, PkiError> {
    let now = SystemTime::now();
    let skew = Duration::from_secs(3600);
    let (not_before, not_after) = (
        now.checked_sub(skew).unwrap_or(now),
        now + Duration::from_secs(u64::from(days) * 24 * 3600),
    );
    let window = CertValidity {
        not_before,
        not_after,
    };
    // The certificate must still be valid a minute from now, when the node first uses it.
    let soon = now + Duration::from_secs(60);
    for t in [now, soon] {
        match window.status(t) {
            ValidityStatus::Valid(_) => {}
            status => {
                return Err(PkiError::CertNotValidWhenWritten {
                    name: name.to_string(),
                    detail: format!("{window}: {status:?} at {}", utc(t)),
                });
            }
        }
    }
    issue_certificate(key, name, not_before, not_after)
}

/// What we need from a certificate: its Ed25519 public key and its validity window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertInfo {
    /// The certified Ed25519 public key.
    pub public_key: PublicKey,
    /// The validity window.
    pub validity: CertValidity,
}

/// Parses a DER certificate; fails unless it carries an Ed25519 key.
pub fn parse_certificate(der: &[u8]) -> Result<CertInfo, String> {
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(der)
        .map_err(|e| format!("not an X.509 certificate: {e}"))?;
    let spki = cert.public_key();
    if spki.algorithm.algorithm.to_id_string() != OID_ED25519 {
        return Err(format!(
            "the certificate's key is not Ed25519 (algorithm {})",
            spki.algorithm.algorithm.to_id_string()
        ));
    }
    let key: [u8; 32] = spki
        .subject_public_key
        .data
        .as_ref()
        .try_into()
        .map_err(|_| "the certificate's Ed25519 key is not 32 bytes".to_string())?;
    let at = |ts: i64| -> SystemTime {
        if ts >= 0 {
            UNIX_EPOCH + Duration::from_secs(ts.unsigned_abs())
        } else {
            UNIX_EPOCH
                .checked_sub(Duration::from_secs(ts.unsigned_abs()))
                .unwrap_or(UNIX_EPOCH)
        }
    };
    let validity = cert.validity();
    Ok(CertInfo {
        public_key: PublicKey(key),
        validity: CertValidity {
            not_before: at(validity.not_before.timestamp()),
            not_after: at(validity.not_after.timestamp()),
        },
    })
}

/// Reads a PEM certificate file and returns its DER bytes and parsed facts.
pub fn read_cert_file(path: &Path) -> Result<(Vec<u8>, CertInfo), PkiError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let bad = |reason: String| PkiError::BadCertFile {
        path: path.to_path_buf(),
        reason,
    };
    let pem = crate::error::read_bounded(path, crate::error::MAX_PEM_BYTES)?;
    let der = CertificateDer::from_pem_slice(&pem)
        .map_err(|e| bad(format!("no PEM certificate ({e})")))?;
    let info = parse_certificate(&der).map_err(bad)?;
    Ok((der.to_vec(), info))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::generate_key;

    #[test]
    fn utc_format_is_fixed() {
        let t = UNIX_EPOCH + Duration::from_secs(1_795_000_000);
        assert_eq!(utc(t), "2026-11-18 11:06:40 UTC");
        assert_eq!(utc(UNIX_EPOCH), "1970-01-01 00:00:00 UTC");
    }

    #[test]
    fn issued_certificate_carries_key_and_window() {
        let key = generate_key();
        let cert = issue_for_days(&key, "P0", 365).unwrap();
        let info = parse_certificate(&cert.der).unwrap();
        assert_eq!(info.public_key, PublicKey::from(&key));
        let now = SystemTime::now();
        match info.validity.status(now) {
            ValidityStatus::Valid(left) => {
                assert!(left > Duration::from_secs(364 * 24 * 3600), "{left:?}")
            }
            other => panic!("{other:?}"),
        }
        assert!(cert.pem.starts_with("-----BEGIN CERTIFICATE-----"));
    }

    #[test]
    fn expired_and_future_certificates_name_file_and_command() {
        let key = generate_key();
        let day = Duration::from_secs(24 * 3600);
        let now = SystemTime::now();
        let old = issue_certificate(&key, "P1", now - 10 * day, now - day).unwrap();
        let info = parse_certificate(&old.der).unwrap();
        assert!(matches!(
            info.validity.status(now),
            ValidityStatus::Expired(_)
        ));
        let err = info
            .validity
            .require_valid(
                now,
                Path::new("/d/P1/cert.pem"),
                Path::new("/d/P1/node.toml"),
            )
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("/d/P1/cert.pem") && err.contains("expired"),
            "{err}"
        );
        assert!(
            err.contains("spdz2k renew-cert --config /d/P1/node.toml"),
            "{err}"
        );

        let future = issue_certificate(&key, "P1", now + day, now + 10 * day).unwrap();
        let info = parse_certificate(&future.der).unwrap();
        assert!(matches!(
            info.validity.status(now),
            ValidityStatus::NotYetValid(_)
        ));
        let err = info
            .validity
            .require_valid(now, Path::new("c.pem"), Path::new("n.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not valid before"), "{err}");
    }
}
