//! The checks registrations and client inputs share (`SignedError`): each message type
//! refuses the other's bytes, a changed version and a truncated body, naming itself, and
//! both refuse in the same order (client, signature, session, run).

use ed25519_dalek::SigningKey;
use spdz2k_core::{SessionId, rng::seeded_rng};
use spdz2k_output::*;
use spdz2k_ring::{K64S64, Params};

const RUN: RunId = RunId([3; 32]);

struct Signed {
    session: SessionId,
    client: ClientId,
    identity: SigningKey,
    registration: Vec<u8>,
    input: Vec<u8>,
}

fn signed() -> Signed {
    let mut rng = seeded_rng([9; 32]);
    let identity = SigningKey::generate(&mut rng);
    let session = SessionId::new("sess-s").unwrap();
    let client = ClientId::new("C0").unwrap();
    let registration = Registration {
        session: session.clone(),
        client: client.clone(),
        run: RUN,
        hpke_public_key: HpkeKeyPair::generate(&mut rng).public().clone(),
    }
    .sign(&identity);
    let input = ClientInput::new::<K64S64>(
        session.clone(),
        RUN,
        client.clone(),
        Label::new("x").unwrap(),
        0,
        &[K64S64::from_i128(5)],
    )
    .sign(&identity)
    .unwrap();
    Signed {
        session,
        client,
        identity,
        registration,
        input,
    }
}

fn format_of(e: &SignedError) -> Option<&'static str> {
    match e {
        SignedError::Format { what, .. } => Some(what),
        _ => None,
    }
}

fn malformed_of(e: &SignedError) -> Option<&'static str> {
    match e {
        SignedError::Malformed { what, .. } => Some(what),
        _ => None,
    }
}

fn signed_of(e: ClientInputError) -> SignedError {
    match e {
        ClientInputError::Signed(e) => e,
        other => panic!("expected a signed-message refusal, got {other:?}"),
    }
}

#[test]
fn each_message_refuses_the_others_bytes_naming_itself() {
    let s = signed();
    let e = Registration::decode_unverified(&s.input).unwrap_err();
    assert_eq!(format_of(&e), Some("client registration"), "{e:?}");
    assert!(
        e.to_string()
            .starts_with("not a spdz2k client registration of version 2")
    );

    let e = signed_of(ClientInput::decode_unverified(&s.registration).unwrap_err());
    assert_eq!(format_of(&e), Some("client input"), "{e:?}");
    assert_eq!(REGISTRATION_FORMAT.magic, *b"SPDZ2KRG");
    assert_eq!(CLIENT_INPUT_FORMAT.magic, *b"SPDZ2KCI");
}

#[test]
fn a_changed_version_and_a_truncated_body_are_refused_naming_the_message() {
    let s = signed();
    for (bytes, what) in [
        (&s.registration, "client registration"),
        (&s.input, "client input"),
    ] {
        let decode = |b: &[u8]| -> SignedError {
            if what == "client input" {
                signed_of(ClientInput::decode_unverified(b).unwrap_err())
            } else {
                Registration::decode_unverified(b).unwrap_err()
            }
        };
        let mut newer = bytes.clone();
        newer[8] += 1;
        assert_eq!(format_of(&decode(&newer)), Some(what));

        // Cut inside the body (the signature's 64 bytes are split off first).
        let cut = &bytes[..bytes.len() - 66];
        let e = decode(cut);
        assert_eq!(malformed_of(&e), Some(what), "{e:?}");
        assert!(
            e.to_string().starts_with(&format!("malformed {what}:")),
            "{e}"
        );
    }
}

#[test]
fn both_messages_are_checked_client_first_then_signature_session_and_run() {
    let s = signed();
    let other_identity = SigningKey::generate(&mut seeded_rng([10; 32]));
    let other_client = ClientId::new("C1").unwrap();
    let other_session = SessionId::new("sess-t").unwrap();
    let key = s.identity.verifying_key();
    let wrong_key = other_identity.verifying_key();
    let expect = |client, key, session, run| ExpectedClient {
        client,
        key,
        session,
        run,
    };
    let cases: [(ExpectedClient<'_>, &str); 4] = [
        // The wrong client is reported even though the key is wrong too.
        (
            expect(&other_client, &wrong_key, &s.session, &RUN),
            "client check failed",
        ),
        // The wrong key is reported even though the session is wrong too.
        (
            expect(&s.client, &wrong_key, &other_session, &RUN),
            "signature check failed",
        ),
        (
            expect(&s.client, &key, &other_session, &RunId([4; 32])),
            "session check failed",
        ),
        (
            expect(&s.client, &key, &s.session, &RunId([4; 32])),
            "run check failed",
        ),
    ];
    for (expected, check) in &cases {
        let reg = Registration::verify(&s.registration, expected).unwrap_err();
        let input = signed_of(ClientInput::verify(&s.input, expected).unwrap_err());
        for e in [&reg, &input] {
            assert!(e.to_string().starts_with(check), "{check}: {e}");
        }
        assert!(reg.to_string().contains("registration"), "{reg}");
        assert!(
            input
                .to_string()
                .contains("input (label \"x\", sequence number 0)"),
            "{input}"
        );
    }
    let all_right = expect(&s.client, &key, &s.session, &RUN);
    Registration::verify(&s.registration, &all_right).unwrap();
    ClientInput::verify(&s.input, &all_right).unwrap();
}
