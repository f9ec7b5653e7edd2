//! Reconstruction equals the secrets for every parameter set, and the client-input flow
//! through the same route.

use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use spdz2k_client::ClientError;
use spdz2k_output::{ClientInput, ClientInputError, SignedError, digests_match, input_digest};
use spdz2k_ring::{K32S32, K64S64, K66S48, K128S64, Params};
use spdz2k_testkit::client::World;

/// Secrets in the k-bit signed range of `P`, from arbitrary i128s.
fn in_range<P: Params>(raw: &[i128]) -> Vec<i128> {
    raw.iter().map(|&v| P::to_signed(P::from_i128(v))).collect()
}

fn check_round_trip<P: Params>(seed: u8, raw: &[i128]) {
    let xs = in_range::<P>(raw);
    let mut w = World::new(seed);
    for seq in 0..2 {
        let env = w.outputs::<P>(&xs, "result", seq);
        let out = w.client.receive_outputs("result", &env).unwrap();
        assert_eq!(out.delivery().params, P::id());
        assert_eq!(out.signed(), xs.as_slice());
        let unsigned: Vec<u128> = xs
            .iter()
            .map(|&x| P::to_unsigned(P::from_i128(x)))
            .collect();
        assert_eq!(out.unsigned(), unsigned.as_slice());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn reconstructed_outputs_equal_the_secrets(
        seed in any::<u8>(),
        raw in prop::collection::vec(any::<i128>(), 0..12),
    ) {
        check_round_trip::<K32S32>(seed, &raw);
        check_round_trip::<K64S64>(seed, &raw);
        check_round_trip::<K66S48>(seed, &raw);
        check_round_trip::<K128S64>(seed, &raw);
    }
}

#[test]
fn extreme_values() {
    check_round_trip::<K128S64>(1, &[i128::MIN, i128::MAX, -1, 0]);
    check_round_trip::<K66S48>(2, &[-(1 << 65), (1 << 65) - 1]);
    check_round_trip::<K32S32>(3, &[i32::MIN as i128, i32::MAX as i128]);
}

/// The parties' side of client input: each verifies the signed y (P1 receives it through
/// P0), compares digests with the other, and sets [x] = y - [a].
fn parties_accept<P: Params>(w: &World, message: &[u8], a: &[P::Word], label: &str) -> Vec<i128> {
    let received: Vec<ClientInput> = (0..2)
        .map(|_| ClientInput::verify(message, &w.expected()).unwrap())
        .collect();
    assert!(digests_match(
        &input_digest(&received[0]),
        &input_digest(&received[1])
    ));
    assert_eq!(received[0].label().as_str(), label);
    let y = received[0].values::<P>().unwrap();
    y.iter()
        .zip(a)
        .map(|(&y, &a)| P::to_signed(P::sub(y, a)))
        .collect()
}

fn client_input_flow<P: Params>(seed: u8) {
    let mut w = World::new(seed);
    let xs = in_range::<P>(&[-3, 17, i128::MAX, i128::MIN]);
    let (triples, a) = w.deal_triples::<P>(xs.len());
    let env = w.seal_triples(&triples, "salary", 0);
    let mask = w.client.receive_input_triples("salary", &env).unwrap();
    assert_eq!(
        (mask.len(), mask.delivery().params, mask.delivery().seq),
        (4, P::id(), 0)
    );
    let message = w.client.input_message(mask, &xs).unwrap();
    assert_eq!(parties_accept::<P>(&w, &message, &a, "salary"), xs);
}

#[test]
fn client_input_every_parameter_set() {
    client_input_flow::<K32S32>(20);
    client_input_flow::<K64S64>(21);
    client_input_flow::<K66S48>(22);
    client_input_flow::<K128S64>(23);
}

#[test]
fn unsigned_client_input() {
    let mut w = World::new(24);
    let (triples, a) = w.deal_triples::<K128S64>(2);
    let env = w.seal_triples(&triples, "u", 0);
    let mask = w.client.receive_input_triples("u", &env).unwrap();
    let message = w
        .client
        .input_message_unsigned(mask, &[u128::MAX, 1])
        .unwrap();
    let input = ClientInput::verify(&message, &w.expected()).unwrap();
    let y = input.values::<K128S64>().unwrap();
    let x: Vec<u128> = y
        .iter()
        .zip(&a)
        .map(|(&y, &a)| K128S64::to_unsigned(K128S64::sub(y, a)))
        .collect();
    assert_eq!(x, vec![u128::MAX, 1]);
}

#[test]
fn altered_triple_share_is_caught_by_the_client() {
    let mut w = World::new(25);
    let (mut triples, _) = w.deal_triples::<K64S64>(3);
    triples[1].a[2] = K64S64::add(triples[1].a[2], 8);
    let env = w.seal_triples(&triples, "in", 0);
    let err = w.client.receive_input_triples("in", &env).unwrap_err();
    assert!(
        matches!(err, ClientError::TripleCheck { index: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().starts_with("triple check failed"));
}

#[test]
fn forged_or_inconsistent_input_is_refused_by_the_parties() {
    let mut w = World::new(26);
    let (triples, _) = w.deal_triples::<K64S64>(2);
    let env = w.seal_triples(&triples, "in", 0);
    let mask = w.client.receive_input_triples("in", &env).unwrap();
    let genuine = w.client.input_message(mask, &[1, 2]).unwrap();

    // Someone else (e.g. the proxy) signs an input message in the client's name.
    let forger = SigningKey::generate(&mut w.rng);
    let decoded = ClientInput::decode_unverified(&genuine).unwrap();
    let forged = decoded.sign(&forger).unwrap();
    let err = ClientInput::verify(&forged, &w.expected()).unwrap_err();
    assert!(
        matches!(
            err,
            ClientInputError::Signed(SignedError::BadSignature { .. })
        ),
        "{err}"
    );
    assert!(err.to_string().starts_with("signature check failed"));

    // A client that sends different y to P0 and P1: the digests differ.
    let mut w2 = World::new(26);
    let (triples, _) = w2.deal_triples::<K64S64>(2);
    let env = w2.seal_triples(&triples, "in", 0);
    let mask = w2.client.receive_input_triples("in", &env).unwrap();
    let other = w2.client.input_message(mask, &[1, 3]).unwrap();
    let to_p0 = ClientInput::verify(&genuine, &w.expected()).unwrap();
    let to_p1 = ClientInput::verify(&other, &w.expected()).unwrap();
    assert!(!digests_match(&to_p0.digest(), &to_p1.digest()));
}

#[test]
fn input_message_checks() {
    let mut w = World::new(27);
    let (triples, _) = w.deal_triples::<K32S32>(2);
    let env = w.seal_triples(&triples, "in", 0);
    let mask = w.client.receive_input_triples("in", &env).unwrap();
    let err = w.client.input_message(mask, &[1]).unwrap_err();
    assert!(
        matches!(
            err,
            ClientError::InputCount {
                expected: 2,
                got: 1,
                ..
            }
        ),
        "{err}"
    );

    let (triples, _) = w.deal_triples::<K32S32>(2);
    let env = w.seal_triples(&triples, "in", 1);
    let mask = w.client.receive_input_triples("in", &env).unwrap();
    assert_eq!(mask.delivery().seq, 1);
    let err = w.client.input_message(mask, &[1, 1 << 32]).unwrap_err();
    assert!(
        matches!(
            err,
            ClientError::ValueOutOfRange {
                index: 1,
                k: 32,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().starts_with("range check failed"));

    // A mask from another session's client cannot be spent here.
    let mut other = World::with_session(27, "sess-B");
    let (triples, _) = other.deal_triples::<K32S32>(1);
    let env = other.seal_triples(&triples, "in", 0);
    let foreign = other.client.receive_input_triples("in", &env).unwrap();
    let err = w.client.input_message(foreign, &[1]).unwrap_err();
    assert!(matches!(err, ClientError::MaskSession { .. }), "{err}");
}
