//! Certificate verification by pinned key (pitfall 5 of DEPENDENCIES.md).
//!
//! A peer is whoever proves the key a config pins: the verifier takes the Ed25519 key out of
//! the presented (self-signed) certificate, compares it with the pins, checks the
//! certificate's validity window itself, and still verifies the handshake signature. A
//! rejection carries a [`VerifyFailure`] that callers recover from the I/O error.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, OtherError, SignatureScheme,
};
use spdz2k_pki::PublicKey;
use spdz2k_pki::cert::{ValidityStatus, parse_certificate, utc};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

/// Why a presented certificate was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyFailure {
    /// The dialled peer proved a different key than the pin.
    #[error("presented key {} differs from the pinned key {}", presented.fingerprint(), expected.fingerprint())]
    Mismatch {
        /// The pin.
        expected: PublicKey,
        /// What the peer proved.
        presented: PublicKey,
    },
    /// An incoming connection proved a key no entry pins.
    #[error("presented key {} is pinned by no entry of this node's config", presented.fingerprint())]
    Unknown {
        /// What the peer proved.
        presented: PublicKey,
    },
    /// The peer proved this node's own key: this node reached itself.
    #[error("the peer proved this node's own key: this node reached itself")]
    OwnKey,
    /// The certificate has expired.
    #[error("its certificate (key {}) expired at {not_after}", key.fingerprint())]
    Expired {
        /// The key in the certificate.
        key: PublicKey,
        /// End of the validity window.
        not_after: String,
    },
    /// The certificate is not valid yet.
    #[error("its certificate (key {}) is not valid before {not_before}", key.fingerprint())]
    NotYetValid {
        /// The key in the certificate.
        key: PublicKey,
        /// Start of the validity window.
        not_before: String,
    },
    /// Not an Ed25519 certificate we can read.
    #[error("unusable certificate: {0}")]
    Malformed(String),
}

impl VerifyFailure {
    fn into_rustls(self) -> rustls::Error {
        rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(self))))
    }

    /// Recovers a failure from an I/O error returned by a TLS handshake.
    pub fn from_io(e: &std::io::Error) -> Option<VerifyFailure> {
        let tls = e.get_ref()?.downcast_ref::<rustls::Error>()?;
        match tls {
            rustls::Error::InvalidCertificate(CertificateError::Other(other)) => {
                other.0.downcast_ref::<VerifyFailure>().cloned()
            }
            _ => None,
        }
    }
}

/// Who we accept.
#[derive(Debug, Clone)]
pub enum Pins {
    /// Dialling: exactly this key.
    Exactly(PublicKey),
    /// Accepting: any of these keys.
    AnyOf(Vec<PublicKey>),
}

/// A verifier for both ends of a connection.
#[derive(Debug)]
pub struct PinVerifier {
    pins: Pins,
    own: PublicKey,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinVerifier {
    /// A verifier accepting `pins`, refusing this node's own key `own`.
    pub fn new(pins: Pins, own: PublicKey) -> Self {
        Self {
            pins,
            own,
            algorithms: rustls::crypto::ring::default_provider().signature_verification_algorithms,
        }
    }

    fn check(&self, der: &CertificateDer<'_>, now: UnixTime) -> Result<(), VerifyFailure> {
        let info = parse_certificate(der).map_err(VerifyFailure::Malformed)?;
        let presented = info.public_key;
        if presented == self.own {
            return Err(VerifyFailure::OwnKey);
        }
        match &self.pins {
            Pins::Exactly(expected) if *expected != presented => {
                return Err(VerifyFailure::Mismatch {
                    expected: *expected,
                    presented,
                });
            }
            Pins::AnyOf(keys) if !keys.contains(&presented) => {
                return Err(VerifyFailure::Unknown { presented });
            }
            _ => {}
        }
        let now = UNIX_EPOCH + Duration::from_secs(now.as_secs());
        match info.validity.status(now) {
            ValidityStatus::Valid(_) => Ok(()),
            ValidityStatus::Expired(_) => Err(VerifyFailure::Expired {
                key: presented,
                not_after: utc(info.validity.not_after),
            }),
            ValidityStatus::NotYetValid(_) => Err(VerifyFailure::NotYetValid {
                key: presented,
                not_before: utc(info.validity.not_before),
            }),
        }
    }

    fn tls13(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }
}

impl ServerCertVerifier for PinVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.check(end_entity, now)
            .map(|()| ServerCertVerified::assertion())
            .map_err(VerifyFailure::into_rustls)
    }
    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::General("TLS 1.2 is not supported".into()))
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.tls13(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

impl ClientCertVerifier for PinVerifier {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }
    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        self.check(end_entity, now)
            .map(|()| ClientCertVerified::assertion())
            .map_err(VerifyFailure::into_rustls)
    }
    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Err(rustls::Error::General("TLS 1.2 is not supported".into()))
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.tls13(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// What a TLS alert from the far side most likely means (the alert itself carries no text,
/// pitfall 7), phrased for the operator of this node.
pub fn explain_alert(alert: rustls::AlertDescription) -> &'static str {
    use rustls::AlertDescription as A;
    match alert {
        A::CertificateUnknown | A::BadCertificate | A::UnknownCA | A::AccessDenied => {
            "the peer refused this node's certificate: its config pins a different key for this \
             node (compare its entry for this node with this node's fingerprint), or it \
             considers this node's certificate expired"
        }
        A::CertificateExpired => {
            "the peer considers this node's certificate expired or not yet valid"
        }
        A::CertificateRequired => "the peer wanted a client certificate and got none",
        A::ProtocolVersion => "the peer does not speak TLS 1.3",
        A::HandshakeFailure | A::IllegalParameter => {
            "the TLS handshake failed: the peer may not be a spdz2k node, or runs an incompatible version"
        }
        _ => "the peer aborted the TLS handshake",
    }
}

/// Recovers a received TLS alert from an I/O error.
pub fn alert_of(e: &std::io::Error) -> Option<rustls::AlertDescription> {
    match e.get_ref()?.downcast_ref::<rustls::Error>()? {
        rustls::Error::AlertReceived(a) => Some(*a),
        _ => None,
    }
}
