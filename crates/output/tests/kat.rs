//! Known-answer tests: RFC 9180 A.2.1 (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
//! ChaCha20Poly1305, mode base) through the exact suite and hpke entry points the envelopes
//! use, and RFC 8032 section 7.1 tests 1 and 2 for Ed25519.

use core::convert::Infallible;

use ed25519_dalek::ed25519::signature::MultipartSigner;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use hpke::{Deserializable, Kem, OpModeR, OpModeS, Serializable};
use rand::{TryCryptoRng, TryRng};
use spdz2k_output::{HpkeKeyPair, SuiteAead, SuiteKdf, SuiteKem};

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// An "RNG" that hands out fixed bytes: feeding RFC 9180's ikmE to the sender makes the
/// crate derive the test vector's ephemeral key (hpke's `gen_keypair_with_rng` is
/// `DeriveKeyPair(random(Nsk))`).
struct Replay(Vec<u8>);

impl TryRng for Replay {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        assert!(dst.len() <= self.0.len(), "replay RNG exhausted");
        let rest = self.0.split_off(dst.len());
        dst.copy_from_slice(&self.0);
        self.0 = rest;
        Ok(())
    }
}
impl TryCryptoRng for Replay {}

// RFC 9180, Appendix A.2.1.
const INFO: &str = "4f6465206f6e2061204772656369616e2055726e";
const IKM_E: &str = "909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b";
const IKM_R: &str = "1ac01f181fdf9f352797655161c58b75c656a6cc2716dcb66372da835542e1df";
const PK_RM: &str = "4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a";
const SK_RM: &str = "8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb";
const ENC: &str = "1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a";
const PT: &str = "4265617574792069732074727574682c20747275746820626561757479";
const AAD_0: &str = "436f756e742d30";
const CT_0: &str =
    "1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28";
const AAD_1: &str = "436f756e742d31";
const CT_1: &str =
    "6b53c051e4199c518de79594e1c4ab18b96f081549d45ce015be002090bb119e85285337cc95ba5f59992dc98c";
const EXPORT_EMPTY_32: &str = "4bbd6243b8bb54cec311fac9df81841b6fd61f56538a775e7c80a9f40160606e";

#[test]
fn hpke_rfc9180_a_2_1_derive_keypair() {
    let (sk, pk) = SuiteKem::derive_keypair(&unhex(IKM_R));
    // RFC 9180 section 7.1.2: X25519 private keys are clamped when (de)serialised; the
    // vector prints skRm unclamped, so compare with its clamped form.
    let sk_vector = <SuiteKem as Kem>::PrivateKey::from_bytes(&unhex(SK_RM)).unwrap();
    assert_eq!(sk.to_bytes(), sk_vector.to_bytes());
    let mut clamped = unhex(SK_RM);
    clamped[0] &= 0xf8;
    clamped[31] = (clamped[31] & 0x7f) | 0x40;
    assert_eq!(sk.to_bytes().to_vec(), clamped);
    assert_eq!(pk.to_bytes().to_vec(), unhex(PK_RM));
    // The crate's own key type derives the same key.
    let keys = HpkeKeyPair::derive(&unhex(IKM_R));
    assert_eq!(keys.public().to_bytes().to_vec(), unhex(PK_RM));
}

#[test]
fn hpke_rfc9180_a_2_1_sender_context() {
    let pk = <SuiteKem as Kem>::PublicKey::from_bytes(&unhex(PK_RM)).unwrap();
    let mut rng = Replay(unhex(IKM_E));
    let (enc, mut ctx) = hpke::setup_sender_with_rng::<SuiteAead, SuiteKdf, SuiteKem>(
        &OpModeS::Base,
        &pk,
        &unhex(INFO),
        &mut rng,
    )
    .unwrap();
    assert_eq!(enc.to_bytes().to_vec(), unhex(ENC));
    assert_eq!(ctx.seal(&unhex(PT), &unhex(AAD_0)).unwrap(), unhex(CT_0));
    assert_eq!(ctx.seal(&unhex(PT), &unhex(AAD_1)).unwrap(), unhex(CT_1));
    let mut exported = [0u8; 32];
    ctx.export(b"", &mut exported).unwrap();
    assert_eq!(exported.to_vec(), unhex(EXPORT_EMPTY_32));
}

#[test]
fn hpke_rfc9180_a_2_1_single_shot_as_envelopes_use_it() {
    // The single-shot calls the envelopes make, with the vector's info and AAD.
    let pk = <SuiteKem as Kem>::PublicKey::from_bytes(&unhex(PK_RM)).unwrap();
    let (enc, ct) = hpke::single_shot_seal_with_rng::<SuiteAead, SuiteKdf, SuiteKem>(
        &OpModeS::Base,
        &pk,
        &unhex(INFO),
        &unhex(PT),
        &unhex(AAD_0),
        &mut Replay(unhex(IKM_E)),
    )
    .unwrap();
    assert_eq!(enc.to_bytes().to_vec(), unhex(ENC));
    assert_eq!(ct, unhex(CT_0));

    let sk = <SuiteKem as Kem>::PrivateKey::from_bytes(&unhex(SK_RM)).unwrap();
    let enc = <SuiteKem as Kem>::EncappedKey::from_bytes(&unhex(ENC)).unwrap();
    let pt = hpke::single_shot_open::<SuiteAead, SuiteKdf, SuiteKem>(
        &OpModeR::Base,
        &sk,
        &enc,
        &unhex(INFO),
        &unhex(CT_0),
        &unhex(AAD_0),
    )
    .unwrap();
    assert_eq!(pt, unhex(PT));
    // The vector's ciphertext under the next AAD does not open.
    assert!(
        hpke::single_shot_open::<SuiteAead, SuiteKdf, SuiteKem>(
            &OpModeR::Base,
            &sk,
            &enc,
            &unhex(INFO),
            &unhex(CT_0),
            &unhex(AAD_1),
        )
        .is_err()
    );
}

fn ed25519_vector(seed: &str, public: &str, msg: &str, sig: &str) {
    let seed: [u8; 32] = unhex(seed).try_into().unwrap();
    let key = SigningKey::from_bytes(&seed);
    assert_eq!(key.verifying_key().to_bytes().to_vec(), unhex(public));
    let msg = unhex(msg);
    let signature = key.sign(&msg);
    assert_eq!(signature.to_bytes().to_vec(), unhex(sig));
    // Multipart signing (what envelopes use) signs the concatenation.
    let (head, tail) = msg.split_at(msg.len() / 2);
    assert_eq!(key.multipart_sign(&[head, tail]), signature);

    let public: [u8; 32] = unhex(public).try_into().unwrap();
    let vk = VerifyingKey::from_bytes(&public).unwrap();
    let sig = Signature::from_slice(&unhex(sig)).unwrap();
    vk.verify_strict(&msg, &sig).unwrap();
    let mut other = msg.clone();
    other.push(0);
    assert!(vk.verify_strict(&other, &sig).is_err());
}

#[test]
fn ed25519_rfc8032_test_1() {
    ed25519_vector(
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    );
}

#[test]
fn ed25519_rfc8032_test_2() {
    ed25519_vector(
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    );
}
