//! End to end over loopback mutual TLS: two parties and one client, where P1 has no route to
//! the client and everything it sends or receives passes through P0.
//!
//! Covers: outputs and client inputs of 1 and of 100,000 values; a cheating proxy (flipped
//! ciphertext byte, altered header, envelope swapped in from another session or label,
//! replay, drop) and parties on another ring, each refused by the client with an error that
//! names the failed check; forged client registrations and inputs, refused by every party;
//! and a failed MAC check, after which no output leaves any party.
//!
//! Every party listens on a port the OS picked (bound before the nodes start), so tests
//! never collide; every network wait is bounded by the configs' 10 s timeout, and each
//! test by [`TEST_BOUND`].

use ed25519_dalek::SigningKey;
use spdz2k::delivery::{REGISTRATION_CONFIRMED, decode_batch};
use spdz2k::layers::client::{ClientError, ClientOutputs, ClientSession};
use spdz2k::layers::core::WireMsg;
use spdz2k::layers::output::{ClientId, ClientInput};
use spdz2k::layers::pki::Route;
use spdz2k::{ClientPort, DeliveryError, K32S32, K64S64, Params, Phase, RemoteClient, SessionId};

mod common;
use common::delivery::*;

// ---------------------------------------------------------------- honest runs

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_output_value_reaches_the_client_through_the_proxy() {
    let d = Deployment::new().await;
    // The topology under test: P1 has no route to the client; the client reaches P1 via P0.
    assert_eq!(d.parties[0].client(CLIENT).unwrap().route, Route::Direct);
    assert_eq!(d.parties[1].client(CLIENT).unwrap().route, Route::Via(0));
    assert_eq!(d.client.parties[1].route, Some(Route::Via(0)));
    let sid = SessionId::random();
    let (parties, client) = run_session(
        &d,
        &sid,
        async |s: &mut Sess<K64S64>, port: &mut ClientPort| {
            let me = s.party();
            let a = s.input_signed(0, (me == 0).then_some(&[6][..]), 1).await?;
            let b = s.input_signed(1, (me == 1).then_some(&[-7][..]), 1).await?;
            let ab = s.mul(&a, &b).await?;
            port.deliver(s, "result", &ab).await
        },
        receive(&d, &sid, &["result"]),
    )
    .await;
    assert_parties_ok(parties);
    let outs = client.unwrap();
    assert_eq!(outs[0].signed(), &[-42]);
    assert_eq!(outs[0].delivery().params, K64S64::id());
    assert_eq!(outs[0].delivery().seq, 0);
}

fn large_vectors() -> (Vec<i128>, Vec<i128>) {
    let x = (0..LARGE as i128).map(|i| i - 50_000).collect();
    let y = (0..LARGE as i128).map(|i| 3 * i + 1).collect();
    (x, y)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_thousand_output_values_reach_the_client_through_the_proxy() {
    let d = Deployment::new().await;
    let sid = SessionId::random();
    let (x, y) = large_vectors();
    let (parties, client) = run_session(
        &d,
        &sid,
        async |s: &mut Sess<K64S64>, port: &mut ClientPort| {
            let me = s.party();
            let a = s
                .input_signed(0, (me == 0).then_some(&x[..]), LARGE)
                .await?;
            let b = s
                .input_signed(1, (me == 1).then_some(&y[..]), LARGE)
                .await?;
            let ab = s.mul(&a, &b).await?;
            port.deliver(s, "products", &ab).await
        },
        receive(&d, &sid, &["products"]),
    )
    .await;
    assert_parties_ok(parties);
    let outs = client.unwrap();
    let expected: Vec<i128> = x.iter().zip(&y).map(|(a, b)| a * b).collect();
    assert_eq!(outs[0].len(), LARGE);
    assert!(outs[0].signed() == expected.as_slice(), "products differ");
}

/// The client gives `values`; the parties open them (to check what they received) and send
/// back their squares, which the client checks.
async fn client_input_round_trip(values: Vec<i128>) {
    client_input_round_trip_in(Deployment::new().await, values).await
}

async fn client_input_round_trip_in(d: Deployment, values: Vec<i128>) {
    let sid = SessionId::random();
    let len = values.len();
    let client = async {
        let mut c = RemoteClient::connect(d.client.clone(), &sid).await?;
        c.send_input("x", &values).await?;
        c.receive_outputs("squares").await
    };
    let (parties, client) = run_session(
        &d,
        &sid,
        async |s: &mut Sess<K64S64>, port: &mut ClientPort| {
            let x = port.receive_input(s, "x", len).await?;
            let squares = s.mul(&x, &x).await?;
            port.deliver(s, "squares", &squares).await?;
            Ok(s.open_signed(&x).await?)
        },
        client,
    )
    .await;
    let [seen0, seen1] = assert_parties_ok(parties);
    assert!(seen0 == values, "P0 computed on other values");
    assert!(seen1 == values, "P1 computed on other values");
    let out = client.unwrap();
    let expected: Vec<i128> = values.iter().map(|v| v * v).collect();
    assert_eq!(out.len(), len);
    assert!(out.signed() == expected.as_slice(), "squares differ");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_delivery_takes_the_same_path_without_a_proxy() {
    let d = Deployment::with_routes(true).await;
    assert_eq!(d.parties[1].client(CLIENT).unwrap().route, Route::Direct);
    assert_eq!(d.client.parties[1].route, Some(Route::Direct));
    client_input_round_trip_in(d, vec![3, -4, 1 << 30]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_input_value_reaches_both_parties() {
    client_input_round_trip(vec![-123_456_789]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_thousand_client_input_values_reach_both_parties() {
    let values = (0..LARGE as i128)
        .map(|i| (i * 7919) % 200_003 - 100_000)
        .collect();
    client_input_round_trip(values).await;
}

// ---------------------------------------------------------------- a cheating proxy

/// One output under `label`, P0 applying `tamper` to P1's envelope.
async fn tampered_delivery(
    mut tamper: impl FnMut(&mut Vec<u8>) + Send + Clone + 'static,
) -> (SessionId, Result<Vec<ClientOutputs>, DeliveryError>) {
    tampered_batch_delivery(move |batch: &mut Vec<Vec<u8>>| {
        batch.iter_mut().skip(1).for_each(&mut tamper)
    })
    .await
}

/// One output under `label`, P0 applying `tamper` to the whole batch it sends.
async fn tampered_batch_delivery(
    tamper: impl FnMut(&mut Vec<Vec<u8>>) + Send + Clone + 'static,
) -> (SessionId, Result<Vec<ClientOutputs>, DeliveryError>) {
    let d = Deployment::new().await;
    let sid = SessionId::random();
    let (parties, client) = run_session(
        &d,
        &sid,
        async |s: &mut Sess<K64S64>, port: &mut ClientPort| {
            set_batch_tamper_on_proxy(s, port, tamper.clone());
            let x = s.constant(&[K64S64::from_i128(5), K64S64::from_i128(-9)]);
            port.deliver(s, "result", &x).await
        },
        receive(&d, &sid, &["result"]),
    )
    .await;
    // The parties cannot tell: the proxy cheated after they sent.
    assert_parties_ok(parties);
    (sid, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_flipping_a_ciphertext_byte_is_refused() {
    let (sid, r) = tampered_delivery(|env: &mut Vec<u8>| {
        let at = env.len() - 64 - 10; // before the signature: inside the ciphertext
        env[at] ^= 0x01;
    })
    .await;
    let e = client_refusal(r, "signature check failed", &sid);
    assert!(
        matches!(e, ClientError::BadSignature { party: 1, .. }),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_altering_a_header_field_is_refused() {
    let (sid, r) = tampered_delivery(|env: &mut Vec<u8>| {
        // The label "result" becomes "rEsult": a well-formed header, not the signed one.
        let at = env.windows(6).position(|w| w == b"result").unwrap();
        env[at + 1] = b'E';
    })
    .await;
    let e = client_refusal(r, "signature check failed", &sid);
    assert!(
        matches!(e, ClientError::BadSignature { party: 1, .. }),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_dropping_the_envelope_is_refused() {
    let (sid, r) = tampered_batch_delivery(|batch: &mut Vec<Vec<u8>>| batch.truncate(1)).await;
    let e = client_refusal(r, "completeness check failed", &sid);
    assert!(e.to_string().contains("party 1"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_replacing_the_envelope_with_garbage_is_refused() {
    let (sid, r) = tampered_delivery(|env: &mut Vec<u8>| env.clear()).await;
    let e = client_refusal(r, "format check failed", &sid);
    assert!(
        matches!(e, ClientError::Malformed { position: 1, .. }),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_replaying_an_earlier_envelope_is_refused() {
    let d = Deployment::new().await;
    let sid = SessionId::random();
    let recorded = Recorded::default();
    let client = async {
        let mut c = RemoteClient::connect(d.client.clone(), &sid).await?;
        let first = c.receive_outputs("result").await?;
        assert_eq!(first.signed(), &[1]);
        c.receive_outputs("result").await
    };
    let (parties, client) = run_session(
        &d,
        &sid,
        async |s: &mut Sess<K64S64>, port: &mut ClientPort| {
            set_tamper_on_proxy(s, port, recorder(&recorded));
            port.deliver(s, "result", &s.constant(&[1])).await?;
            // Second delivery: P1's envelope replaced by its first one.
            let rec = recorded.clone();
            set_tamper_on_proxy(s, port, move |env: &mut Vec<u8>| {
                *env = rec.lock().unwrap()[0].clone();
            });
            port.deliver(s, "result", &s.constant(&[2])).await
        },
        client,
    )
    .await;
    assert_parties_ok(parties);
    let e = client_refusal(client, "replay check failed", &sid);
    assert!(
        matches!(
            e,
            ClientError::Replay {
                party: 1,
                got: 0,
                expected: 1,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("a replay"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_swapping_in_an_envelope_for_another_label_is_refused() {
    let d = Deployment::new().await;
    let sid = SessionId::random();
    let recorded = Recorded::default();
    let client = async {
        let mut c = RemoteClient::connect(d.client.clone(), &sid).await?;
        assert_eq!(c.receive_outputs("other").await?.signed(), &[3]);
        c.receive_outputs("result").await
    };
    let (parties, client) = run_session(
        &d,
        &sid,
        async |s: &mut Sess<K64S64>, port: &mut ClientPort| {
            set_tamper_on_proxy(s, port, recorder(&recorded));
            port.deliver(s, "other", &s.constant(&[3])).await?;
            let rec = recorded.clone();
            set_tamper_on_proxy(s, port, move |env: &mut Vec<u8>| {
                *env = rec.lock().unwrap()[0].clone();
            });
            port.deliver(s, "result", &s.constant(&[4])).await
        },
        client,
    )
    .await;
    assert_parties_ok(parties);
    let e = client_refusal(client, "header check failed", &sid);
    assert!(
        matches!(
            e,
            ClientError::HeaderMismatch {
                party: 1,
                field: "label",
                ..
            }
        ),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains("label \"other\", expected \"result\"")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_swapping_in_an_envelope_from_another_session_is_refused() {
    let d = Deployment::new().await;
    // Session B runs honestly; the proxy keeps P1's envelope from it.
    let sid_b = SessionId::random();
    let recorded = Recorded::default();
    let (parties, client) = run_session(
        &d,
        &sid_b,
        async |s: &mut Sess<K64S64>, port: &mut ClientPort| {
            set_tamper_on_proxy(s, port, recorder(&recorded));
            port.deliver(s, "result", &s.constant(&[7])).await
        },
        receive(&d, &sid_b, &["result"]),
    )
    .await;
    assert_parties_ok(parties);
    assert_eq!(client.unwrap()[0].signed(), &[7]);
    let from_b = recorded.lock().unwrap()[0].clone();
    // Session A: P1's envelope is replaced by the one from session B.
    let sid_a = SessionId::random();
    let (parties, client) = run_session(
        &d,
        &sid_a,
        async |s: &mut Sess<K64S64>, port: &mut ClientPort| {
            let from_b = from_b.clone();
            set_tamper_on_proxy(s, port, move |env: &mut Vec<u8>| *env = from_b.clone());
            port.deliver(s, "result", &s.constant(&[8])).await
        },
        receive(&d, &sid_a, &["result"]),
    )
    .await;
    assert_parties_ok(parties);
    let e = client_refusal(client, "header check failed", &sid_a);
    match &e {
        ClientError::HeaderMismatch {
            party: 1,
            field: "session",
            expected,
            got,
            ..
        } => {
            assert_eq!(expected, sid_a.as_str());
            assert_eq!(got, sid_b.as_str());
        }
        other => panic!("unexpected refusal: {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_altering_forwarded_input_triples_is_refused() {
    let d = Deployment::new().await;
    let sid = SessionId::random();
    let client = async {
        let mut c = RemoteClient::connect(d.client.clone(), &sid).await?;
        c.send_input("x", &[5]).await
    };
    let (parties, client) = run_session(
        &d,
        &sid,
        async |s: &mut Sess<K64S64>, port: &mut ClientPort| {
            set_tamper_on_proxy(s, port, |env: &mut Vec<u8>| {
                let at = env.len() - 64 - 10;
                env[at] ^= 0x80;
            });
            port.receive_input(s, "x", 1).await.map(|_| ())
        },
        client,
    )
    .await;
    let e = client_refusal(client, "signature check failed", &sid);
    assert!(
        matches!(e, ClientError::BadSignature { party: 1, .. }),
        "{e}"
    );
    // The client sent no input: P0 sees the client's connection close, P1 then sees P0
    // leave the session; neither computes on anything.
    let [p0, p1] = parties;
    let err = p0.expect_err("no input may be accepted");
    assert!(matches!(err, DeliveryError::Net(_)), "{err}");
    let err = p1.expect_err("no input may be accepted");
    assert!(
        matches!(err, DeliveryError::Net(_) | DeliveryError::Engine(_)),
        "{err}"
    );
    assert!(err.to_string().contains("party 0"), "{err}");
}

// ---------------------------------------------------------------- parties on another ring

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bundles_for_another_ring_are_refused() {
    let d = Deployment::new().await;
    // The deployment (and so the client) is configured for k=64, s=64; the parties run
    // their session on k=32, s=32.
    assert_eq!(d.client.params, K64S64::id());
    let sid = SessionId::random();
    let (parties, client) = run_session(
        &d,
        &sid,
        async |s: &mut Sess<K32S32>, port: &mut ClientPort| {
            port.deliver(s, "result", &s.constant(&[9])).await
        },
        receive(&d, &sid, &["result"]),
    )
    .await;
    assert_parties_ok(parties);
    let e = client_refusal(client, "parameter check failed", &sid);
    match e {
        ClientError::UnexpectedParams { expected, got, .. } => {
            assert_eq!(expected, K64S64::id());
            assert_eq!(got, K32S32::id());
        }
        other => panic!("unexpected refusal: {other}"),
    }
}

// ---------------------------------------------------------------- a forging client

/// Asserts the party refused the client's message with `what` and a signature check.
fn assert_refused_client_message(r: Result<(), DeliveryError>, what: &str) {
    let err = r.expect_err("the party must refuse the forged message");
    let msg = err.to_string();
    assert!(
        matches!(err, DeliveryError::ClientMessage { .. }),
        "expected a refused client message, got: {msg}"
    );
    assert!(
        msg.contains(&format!("{what} refused: signature check failed")),
        "{msg}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_registration_is_refused_by_every_party() {
    let d = Deployment::new().await;
    let sid = SessionId::random();
    let client = async {
        let (mut node, _) = raw_client(&d, &sid).await;
        // A registration for this session and client, signed by a key that is not pinned.
        let mut forger = ClientSession::new(
            sid.clone(),
            ClientId::new(CLIENT).unwrap(),
            SigningKey::from_bytes(&[7; 32]),
            d.party_keys(),
        );
        let ch = node.channel(0).unwrap();
        let run = run_id(ch.recv().await.unwrap());
        ch.send(forger.registration(run)).unwrap();
        // P0 refuses and closes the channel: nothing comes back.
        ch.recv().await
    };
    let (parties, client) = run_session(
        &d,
        &sid,
        async |_: &mut Sess<K64S64>, _: &mut ClientPort| Ok(()),
        client,
    )
    .await;
    for r in parties {
        assert_refused_client_message(r, "registration");
    }
    assert!(client.is_err(), "P0 answered a forged registration");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_input_signature_is_refused_by_every_party() {
    let d = Deployment::new().await;
    let sid = SessionId::random();
    let client = async {
        let (mut node, mut session) = raw_client(&d, &sid).await;
        let ch = node.channel(0).unwrap();
        let run = run_id(ch.recv().await.unwrap());
        ch.send(session.registration(run)).unwrap();
        // P0 confirms the registration (for itself and P1, whose route goes through it).
        assert_eq!(ch.recv().await.unwrap(), REGISTRATION_CONFIRMED);
        let batch = decode_batch(&ch.recv().await.unwrap()).unwrap();
        let mask = session.receive_input_triples("x", &batch).unwrap();
        let genuine = session.input_message(mask, &[5]).unwrap();
        // The same input, signed by a key that is not the client's pinned one.
        let forged = ClientInput::decode_unverified(&genuine)
            .unwrap()
            .sign(&SigningKey::from_bytes(&[7; 32]))
            .unwrap();
        ch.send(forged).unwrap();
        ch.recv().await
    };
    let (parties, client) = run_session(
        &d,
        &sid,
        async |s: &mut Sess<K64S64>, port: &mut ClientPort| {
            port.receive_input(s, "x", 1).await.map(|_| ())
        },
        client,
    )
    .await;
    for r in parties {
        assert_refused_client_message(r, "input");
    }
    assert!(client.is_err(), "P0 answered a forged input");
}

// ---------------------------------------------------------------- MAC check failure

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_mac_check_releases_no_output() {
    let d = Deployment::new().await;
    let sid = SessionId::random();
    let (parties, client) = run_session(
        &d,
        &sid,
        async |s: &mut Sess<K64S64>, port: &mut ClientPort| {
            if s.party() == 1 {
                // P1 adds 1 to its share of the client output opening x^ - a.
                s.set_tamper_hook(|phase: Phase, _to: usize, msg: &mut WireMsg<K64S64>| {
                    if let (Phase::ClientOutputOpening, WireMsg::Opening(v)) = (phase, msg) {
                        v[0] = K64S64::add(v[0], 1);
                    }
                });
            }
            let x = s.constant(&[K64S64::from_i128(11)]);
            port.deliver(s, "result", &x).await
        },
        receive(&d, &sid, &["result"]),
    )
    .await;
    // Every party aborts in the engine (the MAC check), before sealing anything.
    for r in parties {
        let err = r.expect_err("the MAC check must fail");
        assert!(matches!(err, DeliveryError::Engine(_)), "{err}");
    }
    // The client got no envelope at all: its connection closed, no check ran.
    let err = client.expect_err("no output may reach the client");
    assert!(matches!(err, DeliveryError::Net(_)), "{err}");
}

// ---------------------------------------------------------------- stopping a node

/// Each party stops its node as soon as its session has finished, as `spdz2k party` does
/// (crates/cli/src/run.rs). Whatever the node had queued for the other party or the client
/// (here 100,000 values, several MB) must still arrive: stopping drains the queues.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_a_node_right_after_its_session_loses_nothing() {
    let Deployment {
        _dir,
        client,
        nodes,
        ..
    } = Deployment::new().await;
    let sid = SessionId::random();
    let mut parties = Vec::new();
    for node in nodes {
        let sid = sid.clone();
        parties.push(tokio::spawn(async move {
            let program = async |s: &mut Sess<K64S64>, port: &mut ClientPort| {
                let x = s.constant(&vec![5; LARGE]);
                port.deliver(s, "large", &x).await
            };
            let r = run_party(&node, &sid, &program).await;
            node.shutdown().await;
            r.map_err(|e| e.to_string())
        }));
    }
    let received = tokio::time::timeout(TEST_BOUND, async {
        let mut c = RemoteClient::connect(client, &sid).await?;
        c.receive_outputs("large").await
    })
    .await
    .unwrap();
    for p in parties {
        if let Err(e) = p.await.unwrap() {
            panic!("a party failed: {e}");
        }
    }
    let out = received.unwrap();
    assert_eq!(out.len(), LARGE);
    assert!(out.signed().iter().all(|&v| v == 5));
}
