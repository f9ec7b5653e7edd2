//! Every tamper case of the proxied delivery P1 -> P0 -> C0 is refused by the client with
//! an error that names the failed check; nothing is released.

use spdz2k_client::ClientError;
use spdz2k_ring::{K32S32, K64S64, Params};
use spdz2k_testkit::client::World;

type P = K64S64;

const VALUES: [i128; 4] = [-5, 0, 42, i64::MAX as i128];

/// Asserts the error's message starts with the check's name.
fn assert_check(err: &ClientError, check: &str) {
    let msg = err.to_string();
    assert!(msg.starts_with(check), "expected {check:?}, got: {msg}");
    assert!(msg.contains("sess-A"), "message lacks the session: {msg}");
}

#[test]
fn honest_delivery_passes() {
    let mut w = World::new(1);
    let env = w.outputs::<P>(&VALUES, "out", 0);
    let out = w.client.receive_outputs("out", &env).unwrap();
    assert_eq!(out.signed(), &VALUES);
    assert_eq!(out.unsigned()[0], (1u128 << 64) - 5);
    assert_eq!(out.delivery().params, P::id());
    assert_eq!(out.delivery().seq, 0);
    // Order does not matter.
    let env = w.outputs::<P>(&VALUES, "out", 1);
    let reversed = vec![env[1].clone(), env[0].clone()];
    assert_eq!(
        w.client.receive_outputs("out", &reversed).unwrap().signed(),
        &VALUES
    );
}

#[test]
fn proxy_flips_a_ciphertext_byte() {
    let mut w = World::new(2);
    let mut env = w.outputs::<P>(&VALUES, "out", 0);
    let at = env[1].len() - 64 - 10; // inside the ciphertext
    env[1][at] ^= 0x01;
    let err = w.client.receive_outputs("out", &env).unwrap_err();
    assert!(
        matches!(err, ClientError::BadSignature { party: 1, .. }),
        "{err}"
    );
    assert_check(&err, "signature check failed");
}

#[test]
fn proxy_alters_a_header_field() {
    let mut w = World::new(3);
    let env = w.outputs::<P>(&VALUES, "out", 0);
    // The label "out" becomes "oUt": still a well-formed header, no longer the signed one.
    let mut altered = env.clone();
    let pos = altered[1].windows(3).position(|s| s == b"out").unwrap();
    altered[1][pos + 1] = b'U';
    let err = w.client.receive_outputs("out", &altered).unwrap_err();
    assert!(
        matches!(err, ClientError::BadSignature { party: 1, .. }),
        "{err}"
    );
    assert_check(&err, "signature check failed");

    // The sequence number (last 8 header bytes before the 32-byte encapsulated key).
    let mut altered = env.clone();
    let header_end = 8 + 1 + 1 + (1 + 6) + (1 + 3) + (1 + 2) + 4 + 4 + 4 + 8 + 8;
    altered[1][header_end - 8] ^= 1;
    let err = w.client.receive_outputs("out", &altered).unwrap_err();
    assert!(
        matches!(err, ClientError::BadSignature { party: 1, .. }),
        "{err}"
    );

    // The refused batches changed nothing: the genuine one is still accepted.
    assert_eq!(
        w.client.receive_outputs("out", &env).unwrap().signed(),
        &VALUES
    );
}

#[test]
fn proxy_swaps_in_an_envelope_from_another_session() {
    let mut w = World::new(4);
    let mut env = w.outputs::<P>(&VALUES, "out", 0);
    // A run of session B with the same parties and client; P1's genuine envelope from it.
    let mut other = World::with_session(4, "sess-B");
    let from_b = other.outputs::<P>(&VALUES, "out", 0);
    env[1] = from_b[1].clone();
    let err = w.client.receive_outputs("out", &env).unwrap_err();
    match &err {
        ClientError::HeaderMismatch {
            party: 1,
            field: "session",
            expected,
            got,
            ..
        } => {
            assert_eq!(expected, "sess-A");
            assert_eq!(got, "sess-B");
        }
        other => panic!("unexpected: {other}"),
    }
    assert_check(&err, "header check failed");
    assert!(err.to_string().contains("session sess-B, expected sess-A"));
}

#[test]
fn proxy_swaps_in_an_envelope_for_another_label() {
    let mut w = World::new(5);
    let mut env = w.outputs::<P>(&VALUES, "out", 0);
    let other_label = w.outputs::<P>(&[1, 2, 3, 4], "other", 0);
    env[1] = other_label[1].clone();
    let err = w.client.receive_outputs("out", &env).unwrap_err();
    assert!(
        matches!(
            err,
            ClientError::HeaderMismatch {
                party: 1,
                field: "label",
                ..
            }
        ),
        "{err}"
    );
    assert_check(&err, "header check failed");
    assert!(
        err.to_string()
            .contains("label \"other\", expected \"out\"")
    );
}

#[test]
fn proxy_replays_an_earlier_envelope() {
    let mut w = World::new(6);
    let first = w.outputs::<P>(&VALUES, "out", 0);
    w.client.receive_outputs("out", &first).unwrap();
    let mut second = w.outputs::<P>(&[7, 8, 9, 10], "out", 1);
    second[1] = first[1].clone();
    let err = w.client.receive_outputs("out", &second).unwrap_err();
    assert!(
        matches!(
            err,
            ClientError::Replay {
                party: 1,
                got: 0,
                expected: 1,
                ..
            }
        ),
        "{err}"
    );
    assert_check(&err, "replay check failed");
    assert!(err.to_string().contains("a replay"));
    // The whole first batch again.
    let err = w.client.receive_outputs("out", &first).unwrap_err();
    assert!(matches!(err, ClientError::Replay { .. }));
}

#[test]
fn proxy_drops_an_envelope() {
    let mut w = World::new(7);
    let env = w.outputs::<P>(&VALUES, "out", 0);
    let err = w.client.receive_outputs("out", &env[..1]).unwrap_err();
    assert!(
        matches!(err, ClientError::Dropped { party: 1, .. }),
        "{err}"
    );
    assert_check(&err, "completeness check failed");
    assert!(err.to_string().contains("no envelope from party 1"));

    // A dropped delivery followed by the next one: the gap is reported.
    let next = w.outputs::<P>(&VALUES, "out", 1);
    let mut mixed = vec![env[0].clone()];
    mixed.push(next[1].clone());
    let err = w.client.receive_outputs("out", &mixed).unwrap_err();
    assert!(matches!(
        err,
        ClientError::Replay {
            party: 1,
            got: 1,
            expected: 0,
            ..
        }
    ));
    assert!(err.to_string().contains("an earlier delivery is missing"));
}

#[test]
fn proxy_alters_its_own_bundle() {
    let mut w = World::new(8);
    let xs: Vec<_> = VALUES.iter().map(|&x| P::from_i128(x)).collect();
    let mut bundles = w.deal_outputs::<P>(&xs);
    // P0 adds 1 to its share of x^ for value 2 before sealing (its own signature is valid).
    bundles[0].x_hat[2] = P::add(bundles[0].x_hat[2], 1);
    let env = w.seal_outputs(&bundles, "out", 0);
    let err = w.client.receive_outputs("out", &env).unwrap_err();
    assert!(
        matches!(err, ClientError::Integrity { index: 2, .. }),
        "{err}"
    );
    assert_check(&err, "integrity check failed");
    assert!(err.to_string().contains("value 2"));
}

#[test]
fn p1_alters_its_shares() {
    for part in 0..3 {
        let mut w = World::new(9);
        let xs: Vec<_> = VALUES.iter().map(|&x| P::from_i128(x)).collect();
        let mut bundles = w.deal_outputs::<P>(&xs);
        // An error only in the low k bits, or only in the top s bits: both are caught.
        let delta = if part == 1 {
            P::lift_to_top(1)
        } else {
            1 << 20
        };
        let target = match part {
            0 => &mut bundles[1].x_hat,
            1 => &mut bundles[1].b,
            _ => &mut bundles[1].w,
        };
        target[3] = P::add(target[3], delta);
        let env = w.seal_outputs(&bundles, "out", 0);
        let err = w.client.receive_outputs("out", &env).unwrap_err();
        assert!(
            matches!(err, ClientError::Integrity { index: 3, .. }),
            "part {part}: {err}"
        );
        assert_check(&err, "integrity check failed");
    }
}

#[test]
fn a_party_sends_a_different_parameter_set() {
    let mut w = World::new(10);
    let mut env = w.outputs::<P>(&VALUES, "out", 0);
    let wrong = w.outputs::<K32S32>(&VALUES, "out", 0);
    env[1] = wrong[1].clone();
    let err = w.client.receive_outputs("out", &env).unwrap_err();
    assert!(
        matches!(
            err,
            ClientError::ParamsDisagreement {
                first_party: 0,
                party: 1,
                ..
            }
        ),
        "{err}"
    );
    assert_check(&err, "parameter check failed");
    assert!(err.to_string().contains("k=64,s=64") && err.to_string().contains("k=32,s=32"));

    // Both parties on a set other than the one the client was told to expect.
    let mut w = World::new(11);
    w.client.expect_params(P::id());
    let env = w.outputs::<K32S32>(&VALUES, "out", 0);
    let err = w.client.receive_outputs("out", &env).unwrap_err();
    assert!(matches!(err, ClientError::UnexpectedParams { .. }), "{err}");
    assert_check(&err, "parameter check failed");
}

#[test]
fn other_refusals() {
    let mut w = World::new(12);
    let env = w.outputs::<P>(&VALUES, "out", 0);

    // The same party twice.
    let twice = vec![env[0].clone(), env[0].clone()];
    let err = w.client.receive_outputs("out", &twice).unwrap_err();
    assert!(
        matches!(err, ClientError::Duplicate { party: 0, .. }),
        "{err}"
    );
    assert_check(&err, "duplicate check failed");

    // Garbage and truncation.
    let mut cut = env.clone();
    cut[1].truncate(20);
    let err = w.client.receive_outputs("out", &cut).unwrap_err();
    assert!(
        matches!(err, ClientError::Malformed { position: 1, .. }),
        "{err}"
    );
    assert_check(&err, "format check failed");

    // Different value counts.
    let short = w.outputs::<P>(&VALUES[..3], "out", 0);
    let mixed = vec![env[0].clone(), short[1].clone()];
    let err = w.client.receive_outputs("out", &mixed).unwrap_err();
    assert!(
        matches!(err, ClientError::CountDisagreement { party: 1, .. }),
        "{err}"
    );
    assert_check(&err, "count check failed");

    // Asked for an invalid label.
    let err = w.client.receive_outputs("", &env).unwrap_err();
    assert!(err.to_string().starts_with("label check failed"));

    // A party seals to a stale key (e.g. from an earlier session's registration).
    let stale = World::with_session(99, "sess-A")
        .client
        .hpke_public_key()
        .clone();
    let xs: Vec<_> = VALUES.iter().map(|&x| P::from_i128(x)).collect();
    let bundles = w.deal_outputs::<P>(&xs);
    let d = w.delivery(1, "out", 0);
    let p1 = spdz2k_output::seal_output_bundle(&d, &bundles[1], &stale, &w.parties[1], &mut w.rng)
        .unwrap();
    let d = w.delivery(0, "out", 0);
    let key = w.client_key(0);
    let p0 = spdz2k_output::seal_output_bundle(&d, &bundles[0], &key, &w.parties[0], &mut w.rng)
        .unwrap();
    let err = w.client.receive_outputs("out", &[p0, p1]).unwrap_err();
    assert!(
        matches!(err, ClientError::Decryption { party: 1, .. }),
        "{err}"
    );
    assert_check(&err, "decryption failed");

    // After all these refusals the genuine batch is still accepted.
    assert_eq!(
        w.client.receive_outputs("out", &env).unwrap().signed(),
        &VALUES
    );
}

#[test]
fn an_envelope_for_another_client_is_refused() {
    let mut w = World::new(13);
    let mut env = w.outputs::<P>(&VALUES, "out", 0);
    let xs: Vec<_> = VALUES.iter().map(|&x| P::from_i128(x)).collect();
    let bundles = w.deal_outputs::<P>(&xs);
    let mut d = w.delivery(1, "out", 0);
    d.client = spdz2k_output::ClientId::new("C1").unwrap();
    let key = w.client_key(1);
    env[1] = spdz2k_output::seal_output_bundle(&d, &bundles[1], &key, &w.parties[1], &mut w.rng)
        .unwrap();
    let err = w.client.receive_outputs("out", &env).unwrap_err();
    assert!(
        matches!(
            err,
            ClientError::HeaderMismatch {
                party: 1,
                field: "client",
                ..
            }
        ),
        "{err}"
    );
}
