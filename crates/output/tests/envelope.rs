//! Envelope, registration, registry and client-input behaviour with real keys.

use ed25519_dalek::{SigningKey, VerifyingKey};
use spdz2k_core::{SessionId, rng::seeded_rng};
use spdz2k_output::*;
use spdz2k_ring::{K32S32, K64S64, K66S48, K128S64, Params};

struct World {
    rng: rand::rngs::ChaCha20Rng,
    session: SessionId,
    client: ClientId,
    client_identity: SigningKey,
    client_keys: HpkeKeyPair,
    parties: Vec<SigningKey>,
}

fn world() -> World {
    let mut rng = seeded_rng([7; 32]);
    let client_identity = SigningKey::generate(&mut rng);
    let client_keys = HpkeKeyPair::generate(&mut rng);
    let parties = (0..2).map(|_| SigningKey::generate(&mut rng)).collect();
    World {
        rng,
        session: SessionId::new("sess-1").unwrap(),
        client: ClientId::new("C0").unwrap(),
        client_identity,
        client_keys,
        parties,
    }
}

/// What every party expects of the world's client in run [`RUN`], with `key` as its pin.
fn expected<'a>(w: &'a World, key: &'a VerifyingKey) -> ExpectedClient<'a> {
    ExpectedClient {
        client: &w.client,
        key,
        session: &w.session,
        run: &RUN,
    }
}

fn delivery(w: &World, sender: usize, seq: u64) -> Delivery {
    Delivery {
        session: w.session.clone(),
        label: Label::new("out").unwrap(),
        client: w.client.clone(),
        sender,
        seq,
    }
}

fn round_trip<P: Params>() {
    let mut w = world();
    let bundle = OutputBundle::<P> {
        x_hat: (0..5).map(|_| P::random(&mut w.rng)).collect(),
        b: (0..5).map(|_| P::random(&mut w.rng)).collect(),
        w: (0..5).map(|_| P::random(&mut w.rng)).collect(),
    };
    let d = delivery(&w, 1, 3);
    let bytes = seal_output_bundle(
        &d,
        &bundle,
        w.client_keys.public(),
        &w.parties[1],
        &mut w.rng,
    )
    .unwrap();
    let env = Envelope::parse(&bytes).unwrap();
    let h = env.header().clone();
    assert_eq!(h.version, ENVELOPE_VERSION);
    assert_eq!(h.kind, EnvelopeKind::OutputBundle);
    assert_eq!(h.session, w.session);
    assert_eq!(h.label.as_str(), "out");
    assert_eq!(h.client, w.client);
    assert_eq!((h.sender, h.seq, h.count), (1, 3, 5));
    assert_eq!(h.params, P::id());
    let verified = env.verify(&w.parties[1].verifying_key()).unwrap();
    let opened: OutputBundle<P> = verified.open_bundle(&w.client_keys).unwrap();
    assert_eq!(opened, bundle);
    // Wrong parameter set or wrong kind are refused before decryption.
    if P::id() != K32S32::id() {
        assert!(matches!(
            verified.open_bundle::<K32S32, OutputBundle<K32S32>>(&w.client_keys),
            Err(EnvelopeError::ParamsMismatch { sender: 1, .. })
        ));
    }
    assert!(matches!(
        verified.open_bundle::<P, InputTripleBundle<P>>(&w.client_keys),
        Err(EnvelopeError::Field(FieldError {
            field: "envelope kind",
            ..
        }))
    ));
}

/// The run every message of these tests is for.
const RUN: RunId = RunId([7; 32]);

#[test]
fn round_trip_all_parameter_sets() {
    round_trip::<K32S32>();
    round_trip::<K64S64>();
    round_trip::<K66S48>();
    round_trip::<K128S64>();
}

fn sample(w: &mut World) -> Vec<u8> {
    let bundle = InputTripleBundle::<K64S64> {
        a: vec![1, 2],
        b: vec![3, 4],
        c: vec![3, 8],
    };
    let d = delivery(w, 0, 0);
    seal_input_triples(
        &d,
        &bundle,
        w.client_keys.public(),
        &w.parties[0],
        &mut w.rng,
    )
    .unwrap()
}

#[test]
fn parse_rejects_non_canonical_bytes() {
    let mut w = world();
    let bytes = sample(&mut w);

    let mut longer = bytes.clone();
    longer.push(0);
    assert!(matches!(
        Envelope::parse(&longer),
        Err(EnvelopeError::Codec(CodecError::TrailingBytes {
            count: 1,
            ..
        }))
    ));
    assert!(matches!(
        Envelope::parse(&bytes[..bytes.len() - 1]),
        Err(EnvelopeError::Codec(CodecError::Truncated {
            what: "signature",
            ..
        }))
    ));
    let mut v2 = bytes.clone();
    v2[8] = 2;
    assert_eq!(
        Envelope::parse(&v2).unwrap_err(),
        EnvelopeError::UnsupportedVersion {
            found: 2,
            supported: 1
        }
    );
    let mut magic = bytes.clone();
    magic[0] ^= 1;
    assert!(matches!(
        Envelope::parse(&magic),
        Err(EnvelopeError::BadMagic { .. })
    ));
    let mut kind = bytes.clone();
    kind[9] = 9;
    assert_eq!(
        Envelope::parse(&kind).unwrap_err(),
        EnvelopeError::UnknownKind(9)
    );
}

#[test]
fn every_flipped_byte_fails_parsing_or_signature() {
    let mut w = world();
    let bytes = sample(&mut w);
    let key = w.parties[0].verifying_key();
    for i in 0..bytes.len() {
        let mut t = bytes.clone();
        t[i] ^= 0x01;
        let accepted = Envelope::parse(&t).and_then(|e| e.verify(&key)).is_ok();
        assert!(!accepted, "flipping byte {i} went unnoticed");
    }
}

#[test]
fn proxy_checks_before_forwarding() {
    let mut w = world();
    let bytes = sample(&mut w); // from party 0
    let k0 = w.parties[0].verifying_key();
    let k1 = w.parties[1].verifying_key();

    let h = check_forwarded_envelope(&bytes, 0, &k0, &w.session).unwrap();
    assert_eq!(h.sender, 0);
    assert_eq!(verify_envelope_signature(&bytes, &k0).unwrap(), h);

    // Handed over by party 1 while claiming party 0.
    let err = check_forwarded_envelope(&bytes, 1, &k1, &w.session).unwrap_err();
    assert!(matches!(
        err,
        EnvelopeError::WrongSender {
            from: 1,
            claimed: 0,
            ..
        }
    ));
    assert!(err.to_string().contains("sender check failed"));

    // Another session.
    let other = SessionId::new("sess-2").unwrap();
    let err = check_forwarded_envelope(&bytes, 0, &k0, &other).unwrap_err();
    assert!(err.to_string().contains("session check failed"), "{err}");

    // Signed by someone else: the proxy blames the sender.
    let err = verify_envelope_signature(&bytes, &k1).unwrap_err();
    assert!(matches!(err, EnvelopeError::BadSignature { sender: 0, .. }));
    assert!(err.to_string().contains("signature check failed"), "{err}");
}

#[test]
fn sealing_rejects_ragged_bundles() {
    let mut w = world();
    let bundle = OutputBundle::<K64S64> {
        x_hat: vec![1, 2],
        b: vec![3],
        w: vec![4, 5],
    };
    let d = delivery(&w, 0, 0);
    let err = seal_output_bundle(
        &d,
        &bundle,
        w.client_keys.public(),
        &w.parties[0],
        &mut w.rng,
    )
    .unwrap_err();
    assert_eq!(err, EnvelopeError::BundleShape { lengths: [2, 1, 2] });
}

#[test]
fn sealed_to_another_key_fails_decryption() {
    let mut w = world();
    let stale = HpkeKeyPair::generate(&mut w.rng);
    let bundle = OutputBundle::<K64S64> {
        x_hat: vec![1],
        b: vec![2],
        w: vec![2],
    };
    let d = delivery(&w, 0, 0);
    let bytes = seal_output_bundle(&d, &bundle, stale.public(), &w.parties[0], &mut w.rng).unwrap();
    let env = Envelope::parse(&bytes)
        .unwrap()
        .verify(&w.parties[0].verifying_key())
        .unwrap();
    let err = env
        .open_bundle::<K64S64, OutputBundle<K64S64>>(&w.client_keys)
        .unwrap_err();
    assert!(matches!(err, EnvelopeError::Decryption { sender: 0, .. }));
    assert!(err.to_string().starts_with("decryption failed"));
}

#[test]
fn registration_and_registry() {
    let mut w = world();
    let reg = Registration {
        session: w.session.clone(),
        client: w.client.clone(),
        run: RUN,
        hpke_public_key: w.client_keys.public().clone(),
    };
    let bytes = reg.sign(&w.client_identity);
    let pin = w.client_identity.verifying_key();
    assert_eq!(Registration::decode_unverified(&bytes).unwrap(), reg);

    let mut registry = ClientRegistry::new();
    let err = registry.hpke_key(&w.session, &w.client).unwrap_err();
    assert_eq!(
        err,
        UnregisteredClient {
            session: w.session.clone(),
            client: w.client.clone()
        }
    );
    assert!(
        err.to_string()
            .contains("client C0 is not registered for session sess-1")
    );

    let verified = Registration::verify(&bytes, &expected(&w, &pin)).unwrap();
    registry.register(&verified).unwrap();
    registry.register(&verified).unwrap(); // idempotent
    assert_eq!(
        registry.hpke_key(&w.session, &w.client).unwrap(),
        w.client_keys.public()
    );

    // A forged registration: right fields, signed by another key.
    let forger = SigningKey::generate(&mut w.rng);
    let forged = Registration {
        hpke_public_key: HpkeKeyPair::generate(&mut w.rng).public().clone(),
        ..reg.clone()
    }
    .sign(&forger);
    let err = Registration::verify(&forged, &expected(&w, &pin)).unwrap_err();
    assert!(matches!(err, RegistrationError::BadSignature { .. }));
    assert!(
        err.to_string().starts_with("signature check failed"),
        "{err}"
    );

    // An altered key in a genuine registration.
    let mut altered = bytes.clone();
    let key_at = altered.len() - 64 - 1;
    altered[key_at] ^= 0x40;
    assert!(matches!(
        Registration::verify(&altered, &expected(&w, &pin)),
        Err(RegistrationError::BadSignature { .. })
    ));

    // Another session, another client, trailing bytes.
    let other = SessionId::new("sess-2").unwrap();
    assert!(matches!(
        Registration::verify(
            &bytes,
            &ExpectedClient {
                session: &other,
                ..expected(&w, &pin)
            }
        ),
        Err(RegistrationError::WrongSession { .. })
    ));
    let c1 = ClientId::new("C1").unwrap();
    assert!(matches!(
        Registration::verify(
            &bytes,
            &ExpectedClient {
                client: &c1,
                ..expected(&w, &pin)
            }
        ),
        Err(RegistrationError::WrongClient { .. })
    ));
    // A registration from another run of the same session is a replay.
    let err = Registration::verify(
        &bytes,
        &ExpectedClient {
            run: &RunId([9; 32]),
            ..expected(&w, &pin)
        },
    )
    .unwrap_err();
    assert!(matches!(err, RegistrationError::WrongRun { .. }), "{err:?}");
    assert!(err.to_string().starts_with("run check failed"), "{err}");
    let mut longer = bytes.clone();
    longer.insert(10, 0);
    assert!(Registration::verify(&longer, &expected(&w, &pin)).is_err());

    // A second, different key for the same session is refused.
    let second = Registration {
        hpke_public_key: HpkeKeyPair::generate(&mut w.rng).public().clone(),
        ..reg
    }
    .sign(&w.client_identity);
    let second = Registration::verify(&second, &expected(&w, &pin)).unwrap();
    assert!(registry.register(&second).is_err());

    registry.end_session(&w.session);
    assert!(registry.hpke_key(&w.session, &w.client).is_err());
}

#[test]
fn client_input_signature_and_digest() {
    let mut w = world();
    let y = [K66S48::from_i128(-3), K66S48::from_u128(1 << 100)];
    let input = ClientInput::new::<K66S48>(
        w.session.clone(),
        RUN,
        w.client.clone(),
        Label::new("salary").unwrap(),
        4,
        &y,
    );
    let bytes = input.sign(&w.client_identity).unwrap();
    let pin = w.client_identity.verifying_key();
    let got = ClientInput::verify(&bytes, &expected(&w, &pin)).unwrap();
    assert_eq!(got, input);
    assert_eq!(got.values::<K66S48>().unwrap(), y.to_vec());
    assert_eq!(got.seq(), 4);
    assert!(matches!(
        got.values::<K64S64>(),
        Err(ClientInputError::ParamsMismatch { .. })
    ));

    // A forged input message is refused.
    let forger = SigningKey::generate(&mut w.rng);
    let forged = input.sign(&forger).unwrap();
    let err = ClientInput::verify(&forged, &expected(&w, &pin)).unwrap_err();
    assert!(matches!(
        err,
        ClientInputError::Signed(SignedError::BadSignature { .. })
    ));
    assert!(
        err.to_string().starts_with("signature check failed"),
        "{err}"
    );
    let mut altered = bytes.clone();
    let y_at = altered.len() - 64 - 1;
    altered[y_at] ^= 1;
    assert!(matches!(
        ClientInput::verify(&altered, &expected(&w, &pin)),
        Err(ClientInputError::Signed(SignedError::BadSignature { .. }))
    ));

    // An input from another run is refused, naming the client and sequence number; so is
    // one answering another delivery of this run.
    let err = ClientInput::verify(
        &bytes,
        &ExpectedClient {
            run: &RunId([9; 32]),
            ..expected(&w, &pin)
        },
    )
    .unwrap_err();
    assert!(
        matches!(err, ClientInputError::Signed(SignedError::WrongRun { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("client C0") && err.to_string().contains("sequence number 4"));
    let salary = Label::new("salary").unwrap();
    got.check_delivery(&salary, 4).unwrap();
    let err = got.check_delivery(&salary, 5).unwrap_err();
    assert!(
        err.to_string().starts_with("sequence check failed")
            && err.to_string().contains("client C0")
            && err.to_string().contains("sequence number 4"),
        "{err}"
    );
    assert!(
        got.check_delivery(&Label::new("bonus").unwrap(), 4)
            .is_err()
    );

    // Digests agree only on identical content.
    let same = ClientInput::decode_unverified(&bytes).unwrap();
    assert!(digests_match(&input_digest(&input), &input_digest(&same)));
    let different = ClientInput::new::<K66S48>(
        w.session.clone(),
        RUN,
        w.client.clone(),
        Label::new("salary").unwrap(),
        4,
        &[y[0], K66S48::from_u128(5)],
    );
    assert!(!digests_match(&input.digest(), &different.digest()));
}

/// Collects what a `tracing` subscriber writes.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn registration_is_logged_and_delivery_needs_it() {
    let mut w = world();
    let registry_before = ClientRegistry::new();
    let bundle = OutputBundle::<K64S64> {
        x_hat: vec![1],
        b: vec![2],
        w: vec![2],
    };
    let d = delivery(&w, 0, 0);
    let err = registry_before
        .seal_output_bundle(&d, &bundle, &w.parties[0], &mut w.rng)
        .unwrap_err();
    assert!(matches!(err, DeliveryError::Unregistered(_)));
    assert!(
        err.to_string()
            .starts_with("client C0 is not registered for session sess-1"),
        "{err}"
    );

    let bytes = Registration {
        session: w.session.clone(),
        client: w.client.clone(),
        run: RUN,
        hpke_public_key: w.client_keys.public().clone(),
    }
    .sign(&w.client_identity);
    let reg =
        Registration::verify(&bytes, &expected(&w, &w.client_identity.verifying_key())).unwrap();
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .finish();
    let mut registry = ClientRegistry::new();
    tracing::subscriber::with_default(subscriber, || registry.register(&reg).unwrap());
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("client public key for session sess-1 registered"),
        "{log}"
    );
    assert!(log.contains("client=C0"), "{log}");

    let sealed = registry
        .seal_output_bundle(&d, &bundle, &w.parties[0], &mut w.rng)
        .unwrap();
    let opened: OutputBundle<K64S64> = Envelope::parse(&sealed)
        .unwrap()
        .verify(&w.parties[0].verifying_key())
        .unwrap()
        .open_bundle(&w.client_keys)
        .unwrap();
    assert_eq!(opened, bundle);
}
