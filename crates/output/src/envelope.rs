//! Sealed, signed envelopes: how a party's bundle travels to a client, whatever the route.
//!
//! Layout:
//!
//! ```text
//! header (see `header`) | encapsulated key (32) | ciphertext (u32 len, bytes) | signature (64)
//! ```
//!
//! The ciphertext is an HPKE single-shot seal (mode base) of the bundle to the client's
//! session key, with the encoded header as associated data and [`HPKE_INFO`] as info. The
//! Ed25519 signature of the sender's identity key covers [`SIGNATURE_DOMAIN`] followed by
//! every byte before the signature (header, encapsulated key, ciphertext length and
//! ciphertext). Signing the ciphertext's length prefix too keeps the signed string exactly
//! the bytes on the wire, so the verifier needs no re-encoding.
//!
//! Checking is a type rule here: [`Envelope::parse`] gives an unverified envelope whose only
//! way to a plaintext is [`Envelope::verify`] (signature under the pinned key of the claimed
//! sender) followed by [`VerifiedEnvelope::open_bundle`].

use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use hpke::{Deserializable, OpModeR, OpModeS, Serializable};
use rand::CryptoRng;
use spdz2k_core::SessionId;
use spdz2k_ring::Params;

use crate::bundle::{Bundle, InputTripleBundle, OutputBundle};
use crate::domain_sig::{self, SIGNATURE_LEN};
use crate::error::{EnvelopeError, FieldError};
use crate::header::{Delivery, EnvelopeHeader};
use crate::hpke_keys::{
    HPKE_PUBLIC_KEY_LEN, HpkeKeyPair, HpkePublicKey, SuiteAead, SuiteKdf, SuiteKem,
};
use spdz2k_core::bytes::{Reader, Writer};

/// Prefix of the string every envelope signature covers.
pub const SIGNATURE_DOMAIN: &[u8] = b"spdz2k-envelope-v1";
/// The HPKE `info` of every envelope seal.
pub const HPKE_INFO: &[u8] = b"spdz2k-envelope-v1/hpke-info";

type EncappedKey = <SuiteKem as hpke::Kem>::EncappedKey;

/// Seals and signs any bundle: the common path of [`seal_output_bundle`] and
/// [`seal_input_triples`].
pub fn seal_bundle<P, B, R>(
    delivery: &Delivery,
    bundle: &B,
    recipient: &HpkePublicKey,
    identity: &SigningKey,
    rng: &mut R,
) -> Result<Vec<u8>, EnvelopeError>
where
    P: Params,
    B: Bundle<P>,
    R: CryptoRng,
{
    let plaintext = bundle.encode()?;
    let header = EnvelopeHeader::new(delivery, B::KIND, P::id(), bundle.len() as u64);
    let mut header_w = Writer::with_capacity(128);
    header.encode(&mut header_w)?;
    let header_bytes = header_w.into_vec();

    let (encapped, ciphertext) = hpke::single_shot_seal_with_rng::<SuiteAead, SuiteKdf, SuiteKem>(
        &OpModeS::Base,
        &recipient.0,
        HPKE_INFO,
        &plaintext,
        &header_bytes,
        rng,
    )
    .map_err(|e| EnvelopeError::Seal {
        client: delivery.client.clone(),
        session: delivery.session.clone(),
        reason: e.to_string(),
    })?;
    if u32::try_from(ciphertext.len()).is_err() {
        return Err(FieldError {
            field: "ciphertext",
            reason: format!("{} bytes exceed the 4 GiB envelope limit", ciphertext.len()),
        }
        .into());
    }

    let mut w = Writer::with_capacity(
        header_bytes.len() + HPKE_PUBLIC_KEY_LEN + 4 + ciphertext.len() + SIGNATURE_LEN,
    );
    w.bytes(&header_bytes);
    w.bytes(&encapped.to_bytes());
    w.long_bytes(&ciphertext);
    Ok(domain_sig::sign(SIGNATURE_DOMAIN, w.into_vec(), identity))
}

/// Seals a party's output bundle to the client and signs it with the party's identity key.
///
/// The header binds `delivery` (session, label, client, sender, sequence number), the
/// parameter set `P` and the value count.
pub fn seal_output_bundle<P: Params, R: CryptoRng>(
    delivery: &Delivery,
    bundle: &OutputBundle<P>,
    recipient: &HpkePublicKey,
    identity: &SigningKey,
    rng: &mut R,
) -> Result<Vec<u8>, EnvelopeError> {
    seal_bundle::<P, _, R>(delivery, bundle, recipient, identity, rng)
}

/// Seals a party's shares of input-mask triples to the client and signs them.
pub fn seal_input_triples<P: Params, R: CryptoRng>(
    delivery: &Delivery,
    bundle: &InputTripleBundle<P>,
    recipient: &HpkePublicKey,
    identity: &SigningKey,
    rng: &mut R,
) -> Result<Vec<u8>, EnvelopeError> {
    seal_bundle::<P, _, R>(delivery, bundle, recipient, identity, rng)
}

/// A parsed envelope whose signature has not been checked yet.
#[derive(Debug, Clone)]
pub struct Envelope<'a> {
    header: EnvelopeHeader,
    header_bytes: &'a [u8],
    encapped: &'a [u8],
    ciphertext: &'a [u8],
    signed: &'a [u8],
    signature: Signature,
}

impl<'a> Envelope<'a> {
    /// Parses the canonical encoding; rejects a foreign magic, an unknown version or kind,
    /// invalid names, truncation and trailing bytes.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, EnvelopeError> {
        let mut r = Reader::new(bytes);
        let header = EnvelopeHeader::decode(&mut r)?;
        let header_bytes = bytes.get(..r.position()).unwrap_or_default();
        let encapped = r.take(HPKE_PUBLIC_KEY_LEN, "encapsulated key")?;
        let ciphertext = r.long_bytes("ciphertext")?;
        let signed = bytes.get(..r.position()).unwrap_or_default();
        let signature = Signature::from_bytes(&r.array::<SIGNATURE_LEN>("signature")?);
        r.finish("envelope")?;
        Ok(Self {
            header,
            header_bytes,
            encapped,
            ciphertext,
            signed,
            signature,
        })
    }

    /// The header as claimed by the bytes (not yet authenticated).
    pub fn header(&self) -> &EnvelopeHeader {
        &self.header
    }

    /// Checks the signature under `sender_key`, which must be the pinned identity key of
    /// the party the header names as sender.
    pub fn verify(self, sender_key: &VerifyingKey) -> Result<VerifiedEnvelope<'a>, EnvelopeError> {
        if !domain_sig::verify(SIGNATURE_DOMAIN, self.signed, &self.signature, sender_key) {
            return Err(EnvelopeError::BadSignature {
                sender: self.header.sender,
                session: self.header.session.clone(),
                label: self.header.label.to_string(),
            });
        }
        Ok(VerifiedEnvelope(self))
    }
}

/// An envelope whose signature verified under its sender's pinned key.
#[derive(Debug, Clone)]
pub struct VerifiedEnvelope<'a>(Envelope<'a>);

impl VerifiedEnvelope<'_> {
    /// The authenticated header.
    pub fn header(&self) -> &EnvelopeHeader {
        &self.0.header
    }

    /// Decrypts the bundle with the client's session key and decodes it as parameter set
    /// `P`. Fails if the header's kind or parameters differ from `B` and `P`, on any HPKE
    /// failure, or if the plaintext does not hold exactly the announced number of canonical
    /// elements.
    pub fn open_bundle<P: Params, B: Bundle<P>>(
        &self,
        keys: &HpkeKeyPair,
    ) -> Result<B, EnvelopeError> {
        let h = &self.0.header;
        if h.params != P::id() {
            return Err(EnvelopeError::ParamsMismatch {
                sender: h.sender,
                expected: P::id(),
                got: h.params,
            });
        }
        if h.kind != B::KIND {
            return Err(FieldError {
                field: "envelope kind",
                reason: format!("expected {}, got {}", B::KIND, h.kind),
            }
            .into());
        }
        let plaintext = self.open_raw(keys)?;
        B::decode(&plaintext, h.count, h.sender)
    }

    /// Decrypts the plaintext bytes.
    fn open_raw(&self, keys: &HpkeKeyPair) -> Result<Vec<u8>, EnvelopeError> {
        let h = &self.0.header;
        let fail = || EnvelopeError::Decryption {
            sender: h.sender,
            session: h.session.clone(),
            label: h.label.to_string(),
        };
        let encapped = EncappedKey::from_bytes(self.0.encapped).map_err(|_| fail())?;
        hpke::single_shot_open::<SuiteAead, SuiteKdf, SuiteKem>(
            &OpModeR::Base,
            &keys.secret,
            &encapped,
            HPKE_INFO,
            self.0.ciphertext,
            self.0.header_bytes,
        )
        .map_err(|_| fail())
    }
}

/// Parses an envelope and checks its signature under `sender_key`; returns the
/// authenticated header. This is what a proxy calls before forwarding.
pub fn verify_envelope_signature(
    bytes: &[u8],
    sender_key: &VerifyingKey,
) -> Result<EnvelopeHeader, EnvelopeError> {
    Ok(Envelope::parse(bytes)?.verify(sender_key)?.header().clone())
}

/// The proxy's check on an envelope handed over by party `from` for forwarding: the header
/// must name `from` as sender and `session` as session, and the signature must verify
/// under `from`'s pinned key. On success the proxy forwards `bytes` unchanged; on failure it
/// can blame `from` at once instead of leaving the client to find out.
pub fn check_forwarded_envelope(
    bytes: &[u8],
    from: usize,
    from_key: &VerifyingKey,
    session: &SessionId,
) -> Result<EnvelopeHeader, EnvelopeError> {
    let envelope = Envelope::parse(bytes)?;
    let h = envelope.header();
    if h.sender != from {
        return Err(EnvelopeError::WrongSender {
            from,
            claimed: h.sender,
            session: h.session.clone(),
        });
    }
    if &h.session != session {
        return Err(EnvelopeError::WrongSession {
            sender: from,
            expected: session.clone(),
            got: h.session.clone(),
        });
    }
    Ok(envelope.verify(from_key)?.header().clone())
}
