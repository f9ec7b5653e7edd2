//! Every channel diagnostic, over real TLS on 127.0.0.1 with ephemeral ports: each test
//! asserts the facts in the message (node, peer index, address, session ID, fingerprints,
//! fix) and that it came within the connection timeout plus one second.

use spdz2k_net::{NetError, Node, Transport};
use spdz2k_pki::cert::{issue_certificate, issue_for_days};
use spdz2k_pki::identity::{generate_key, write_key_file};
use spdz2k_pki::{PublicKey, Role};
use spdz2k_ring::ParamsId;
use spdz2k_testkit::logs::Logs;
use spdz2k_testkit::sid;
use spdz2k_testkit::tls::{BOUND, Deployment, TIMEOUT, spec};
use std::time::{Duration, SystemTime};
use tokio::time::Instant;

fn assert_contains(text: &str, needles: &[&str]) {
    eprintln!("diagnostic: {text}");
    for n in needles {
        assert!(text.contains(n), "missing {n:?} in: {text}");
    }
}

/// 1. A peer never connects: both waiting parties list the missing one.
#[tokio::test]
async fn peer_never_connects_lists_missing_peers() {
    let mut d = Deployment::new(3, 0).await;
    drop(d.listener(2)); // P2 never runs; its port refuses connections.
    let p0 = d.start(0).await;
    let p1 = d.start(1).await;
    let t = Instant::now();
    let (r0, r1) = tokio::join!(
        p0.open_session(spec("s-missing", 3)),
        p1.open_session(spec("s-missing", 3))
    );
    let elapsed = t.elapsed();
    assert!(elapsed < BOUND, "{elapsed:?}");
    for (me, r) in [("P0", r0), ("P1", r1)] {
        let err = r.err().unwrap();
        assert!(
            matches!(err, NetError::PeersMissing { ref missing, .. } if missing.len() == 1),
            "{err}"
        );
        let text = err.to_string();
        assert_contains(
            &text,
            &[
                me,
                "s-missing",
                "P2 at",
                &d.address(2),
                "missing peer",
                "cannot connect",
                "parties[2].address",
            ],
        );
    }
}

/// 2. A peer goes away mid-protocol (EOF): the error names peer, address and phase.
#[tokio::test]
async fn peer_eof_mid_protocol_names_peer_and_phase() {
    let mut d = Deployment::new(2, 0).await;
    let p0 = d.start(0).await;
    let p1 = d.start(1).await;
    let (s0, s1) = tokio::join!(
        p0.open_session(spec("s-eof", 2)),
        p1.open_session(spec("s-eof", 2))
    );
    let (mut s0, s1) = (s0.unwrap(), s1.unwrap());
    s0.begin_round("mac check");
    // P1 crashes: its connections close without ending the session.
    p1.shutdown().await;
    let t = Instant::now();
    let err = s0.recv(1).await.unwrap_err();
    assert!(t.elapsed() < BOUND);
    assert!(err.is_peer_gone(), "{err}");
    assert!(
        matches!(
            err,
            NetError::ConnectionLost {
                peer: 1,
                phase: "mac check",
                ..
            }
        ),
        "{err}"
    );
    assert_contains(
        &err.to_string(),
        &["party 0", "party 1", &d.address(1), "s-eof", "mac check"],
    );
    // Sending fails the same way.
    let again = s0.send(1, vec![1]).await.unwrap_err();
    assert!(again.is_peer_gone(), "{again}");
    drop(s1);
}

/// 2b. A peer that ends the session (not the connection) is reported as Closed.
#[tokio::test]
async fn peer_closing_its_session_reports_closed_after_its_last_message() {
    let mut d = Deployment::new(2, 0).await;
    let p0 = d.start(0).await;
    let p1 = d.start(1).await;
    let (s0, s1) = tokio::join!(
        p0.open_session(spec("s-close", 2)),
        p1.open_session(spec("s-close", 2))
    );
    let (mut s0, mut s1) = (s0.unwrap(), s1.unwrap());
    s1.send(0, b"last".to_vec()).await.unwrap();
    drop(s1);
    s0.begin_round("output");
    assert_eq!(s0.recv(1).await.unwrap(), b"last");
    let err = s0.recv(1).await.unwrap_err();
    assert!(
        matches!(
            err,
            NetError::Closed {
                peer: 1,
                phase: "output",
                ..
            }
        ),
        "{err}"
    );
}

/// 3a. Different session IDs: each side reports the session it waited for and what the
/// other opened; the unclaimed session is closed after the timeout with a log line.
#[tokio::test]
async fn different_session_ids_report_both_sessions() {
    let mut logs = Logs::capture();
    let mut d = Deployment::new(2, 0).await;
    let p0 = d.start(0).await;
    let p1 = d.start(1).await;
    let t = Instant::now();
    let (r0, r1) = tokio::join!(
        p0.open_session(spec("alpha", 2)),
        p1.open_session(spec("beta", 2))
    );
    assert!(t.elapsed() < BOUND, "{:?}", t.elapsed());
    let e0 = r0.err().unwrap().to_string();
    let e1 = r1.err().unwrap().to_string();
    assert_contains(
        &e0,
        &[
            "P0",
            "session alpha",
            "P1 at",
            &d.address(1),
            "beta",
            "same session ID",
        ],
    );
    assert_contains(
        &e1,
        &[
            "P1",
            "session beta",
            "P0 at",
            &d.address(0),
            "alpha",
            "same session ID",
        ],
    );
    let line = logs
        .wait_for(
            &["unclaimed session", "closed after", "same session ID"],
            BOUND,
        )
        .await
        .expect("a log line about the unclaimed session");
    assert!(line.contains("alpha") || line.contains("beta"), "{line}");
    assert!(
        line.contains("session=alpha") || line.contains("session=beta"),
        "{line}"
    );
}

/// 3b. A node called much later than its peer: the peer reports the session it waited
/// for; the late node fails at once, saying it was too late.
#[tokio::test]
async fn late_node_is_told_it_was_too_late() {
    let mut logs = Logs::capture();
    let mut d = Deployment::new(2, 0).await;
    let p0 = d.start(0).await;
    let p1 = d.start(1).await;
    let t = Instant::now();
    let e0 = p0.open_session(spec("late-1", 2)).await.err().unwrap();
    assert!(t.elapsed() < BOUND);
    assert!(matches!(e0, NetError::SessionNotOpened { .. }), "{e0}");
    assert_contains(
        &e0.to_string(),
        &[
            "P0",
            "late-1",
            "P1 at",
            &d.address(1),
            "did not open session late-1",
        ],
    );
    // P1 drops the session P0 opened once the timeout has passed...
    logs.wait_for(&["unclaimed session late-1", "session=late-1"], BOUND)
        .await
        .expect("P1 logs that it closed the unclaimed session");
    // ...so when it is finally called, it fails at once instead of waiting again.
    let t = Instant::now();
    let e1 = p1.open_session(spec("late-1", 2)).await.err().unwrap();
    assert!(t.elapsed() < BOUND, "{:?}", t.elapsed());
    assert!(matches!(e1, NetError::SessionTooLate { .. }), "{e1}");
    assert_contains(
        &e1.to_string(),
        &[
            "P1",
            "late-1",
            "called too late",
            "P0 at",
            &d.address(0),
            "opened session late-1",
        ],
    );
}

/// 4. The peer presents a key that differs from the pin.
#[tokio::test]
async fn pin_mismatch_shows_both_fingerprints_and_the_entry() {
    let mut d = Deployment::new(2, 0).await;
    let old = d.configs[0].parties[1].public_key;
    // P1 gets a new key; only its own config knows.
    let mut c1 = d.config(1);
    let key = generate_key();
    write_key_file(&c1.key_file, &key).unwrap();
    std::fs::write(&c1.cert_file, issue_for_days(&key, "P1", 30).unwrap().pem).unwrap();
    let new = PublicKey::from(&key);
    c1.parties[1].public_key = new;
    let p0 = Node::start_with_listener(d.config(0), d.listener(0))
        .await
        .unwrap();
    let p1 = Node::start_with_listener(c1, d.listener(1)).await.unwrap();
    let t = Instant::now();
    let (r0, r1) = tokio::join!(
        p0.open_session(spec("s-pin", 2)),
        p1.open_session(spec("s-pin", 2))
    );
    assert!(t.elapsed() < BOUND);
    let e0 = r0.err().unwrap();
    assert!(matches!(e0, NetError::PinMismatch { .. }), "{e0}");
    assert_contains(
        &e0.to_string(),
        &[
            "P0",
            "s-pin",
            "P1 at",
            &d.address(1),
            &old.fingerprint(),
            &new.fingerprint(),
            "parties[1].public_key",
            &new.to_hex(),
            "node.toml",
        ],
    );
    // P1 sees P0 missing and why: P0 refused its certificate.
    let e1 = r1.err().unwrap().to_string();
    assert_contains(
        &e1,
        &[
            "P1",
            "s-pin",
            "P0 at",
            &d.address(0),
            "refused this node's certificate",
        ],
    );
}

/// 4b. The acceptor pins a different key for the dialler: the dialler only learns it from
/// a TLS alert, and says which key it presented; the acceptor names the unknown key.
#[tokio::test]
async fn acceptor_side_pin_mismatch_is_explained_on_both_sides() {
    let mut d = Deployment::new(2, 0).await;
    let p0_key = d.configs[0].parties[0].public_key;
    let stale_entry = "parties[0].public_key (P0) pins";
    let mut c1 = d.config(1);
    let stale = PublicKey::from(&generate_key());
    c1.parties[0].public_key = stale;
    let p0 = d.start(0).await;
    let p1 = Node::start_with_listener(c1, d.listener(1)).await.unwrap();
    let t = Instant::now();
    let (r0, r1) = tokio::join!(
        p0.open_session(spec("s-pin2", 2)),
        p1.open_session(spec("s-pin2", 2))
    );
    assert!(t.elapsed() < BOUND);
    let e0 = r0.err().unwrap();
    assert!(matches!(e0, NetError::Rejected { .. }), "{e0}");
    assert_contains(
        &e0.to_string(),
        &[
            "P0",
            "s-pin2",
            "P1 at",
            &d.address(1),
            "pins a different key for this node",
            &p0_key.fingerprint(),
        ],
    );
    let e1 = r1.err().unwrap().to_string();
    assert_contains(
        &e1,
        &[
            "P1",
            "s-pin2",
            "P0 at",
            &d.address(0),
            &p0_key.fingerprint(),
            "no [[parties]] or [[clients]] entry",
            stale_entry,
            &stale.short_fingerprint(),
        ],
    );
}

/// 5a. A node configured with the wrong own index refuses to start, naming both indices.
#[tokio::test]
async fn wrong_own_index_is_refused_at_start() {
    let mut d = Deployment::new(3, 0).await;
    let mut c1 = d.config(1);
    c1.role = Role::Party(2);
    c1.name = "P2".into();
    let t = Instant::now();
    let err = Node::start_with_listener(c1, d.listener(1))
        .await
        .err()
        .unwrap();
    assert!(t.elapsed() < BOUND);
    assert_contains(
        &err.to_string(),
        &[
            "configured as party 2",
            "pinned for party 1",
            "parties[1]",
            "set [node] index = 1",
        ],
    );
}

/// 5b. A peer that proves one party's key but claims another's index is refused.
#[tokio::test]
async fn claimed_identity_must_match_the_proven_key() {
    let mut d = Deployment::new(3, 0).await;
    // P1's node thinks it is P0 (and pins its own key there), so it dials P2 as "P0".
    let mut bad = d.config(1);
    bad.role = Role::Party(0);
    bad.name = "P0".into();
    let own = bad.parties[1].public_key;
    bad.parties[0].public_key = own;
    bad.parties[1].public_key = d.configs[0].parties[0].public_key;
    bad.parties[1].address = d.address(0); // the real P0, not running
    drop(d.listener(0));
    let confused = Node::start_with_listener(bad, d.listener(1)).await.unwrap();
    let p2 = d.start(2).await;
    let t = Instant::now();
    let (rc, r2) = tokio::join!(
        confused.open_session(spec("s-claim", 3)),
        p2.open_session(spec("s-claim", 3))
    );
    assert!(t.elapsed() < BOUND);
    let ec = rc.err().unwrap().to_string();
    assert_contains(
        &ec,
        &[
            "s-claim",
            "P2 at",
            &d.address(2),
            "you proved the key pinned for P1 but say you are P0",
        ],
    );
    let e2 = r2.err().unwrap().to_string();
    assert_contains(&e2, &["P2", "s-claim", "refused P1", "say you are P0"]);
}

/// 5c. A node whose config points a peer's address at itself.
#[tokio::test]
async fn dialling_itself_is_named() {
    let mut d = Deployment::new(2, 0).await;
    let mut c0 = d.config(0);
    let own = d.address(0);
    c0.parties[1].address = own.clone();
    let p0 = Node::start_with_listener(c0, d.listener(0)).await.unwrap();
    let t = Instant::now();
    let err = p0.open_session(spec("s-self", 2)).await.err().unwrap();
    assert!(t.elapsed() < BOUND);
    assert!(matches!(err, NetError::SelfDial { .. }), "{err}");
    assert_contains(
        &err.to_string(),
        &[
            "P0",
            "s-self",
            &own,
            "P1",
            "parties[1].address",
            "reaches this node itself",
        ],
    );
}

/// 6a. An unreachable address.
#[tokio::test]
async fn unreachable_address_is_named() {
    let mut d = Deployment::new(2, 0).await;
    drop(d.listener(1));
    let p0 = d.start(0).await;
    let t = Instant::now();
    let err = p0.open_session(spec("s-unreach", 2)).await.err().unwrap();
    let elapsed = t.elapsed();
    assert!(
        elapsed >= TIMEOUT - Duration::from_millis(100) && elapsed < BOUND,
        "{elapsed:?}"
    );
    assert_contains(
        &err.to_string(),
        &[
            "P0",
            "s-unreach",
            "P1 at",
            &d.address(1),
            "cannot connect",
            "is P1 running",
            "parties[1].address",
        ],
    );
}

/// 6b. A listen address already in use.
#[tokio::test]
async fn listen_address_in_use_is_named() {
    let d = Deployment::new(2, 0).await;
    let taken = d.listeners[0].as_ref().unwrap().local_addr().unwrap();
    let t = Instant::now();
    let err = Node::start(d.config(0)).await.err().unwrap();
    assert!(t.elapsed() < BOUND);
    assert!(matches!(err, NetError::Bind { .. }), "{err}");
    assert_contains(
        &err.to_string(),
        &[
            "P0",
            &taken.to_string(),
            "already uses",
            "listen",
            "node.toml",
        ],
    );
}

/// 7a. This node's own certificate expired: refused at start with the renewal command.
#[tokio::test]
async fn own_expired_certificate_names_file_and_renewal() {
    let mut d = Deployment::new(2, 0).await;
    let c0 = d.config(0);
    let key = spdz2k_pki::identity::read_key_file(&c0.key_file).unwrap();
    let now = SystemTime::now();
    let day = Duration::from_secs(86_400);
    std::fs::write(
        &c0.cert_file,
        issue_certificate(&key, "P0", now - 10 * day, now - day)
            .unwrap()
            .pem,
    )
    .unwrap();
    let err = Node::start_with_listener(c0.clone(), d.listener(0))
        .await
        .err()
        .unwrap();
    assert_contains(
        &err.to_string(),
        &[
            "P0",
            &c0.cert_file.display().to_string(),
            "expired",
            &format!("spdz2k renew-cert --config {}", c0.path.display()),
        ],
    );
    // Not yet valid, too.
    std::fs::write(
        &c0.cert_file,
        issue_certificate(&key, "P0", now + day, now + 10 * day)
            .unwrap()
            .pem,
    )
    .unwrap();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = Node::start_with_listener(c0.clone(), l)
        .await
        .err()
        .unwrap();
    assert_contains(&err.to_string(), &["not valid before", "renew-cert"]);
}

/// 7b. The peer presents an expired certificate (a bare TLS server with P1's real key).
#[tokio::test]
async fn peer_expired_certificate_is_named() {
    let mut d = Deployment::new(2, 0).await;
    let c1 = d.config(1);
    let key = spdz2k_pki::identity::read_key_file(&c1.key_file).unwrap();
    let now = SystemTime::now();
    let day = Duration::from_secs(86_400);
    let cert = issue_certificate(&key, "P1", now - 10 * day, now - day).unwrap();
    let server = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS13])
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![rustls::pki_types::CertificateDer::from(cert.der)],
        rustls::pki_types::PrivateKeyDer::Pkcs8(spdz2k_pki::identity::pkcs8_der(&key).into()),
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(server));
    let listener = d.listener(1);
    let fake = tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let _ = acceptor.accept(tcp).await;
        }
    });
    let p0 = d.start(0).await;
    let t = Instant::now();
    let err = p0.open_session(spec("s-expired", 2)).await.err().unwrap();
    assert!(t.elapsed() < BOUND);
    assert!(matches!(err, NetError::PeerCertInvalid { .. }), "{err}");
    assert_contains(
        &err.to_string(),
        &[
            "P0",
            "s-expired",
            "P1 at",
            &d.address(1),
            "expired at",
            "spdz2k renew-cert --config",
        ],
    );
    fake.abort();
}

/// 8. Session metadata that disagrees: both sides show both values.
#[tokio::test]
async fn metadata_mismatch_shows_both_values() {
    let mut d = Deployment::new(3, 0).await;
    let p0 = d.start(0).await;
    let p1 = d.start(1).await;
    let _p2 = d.start(2).await;

    let mut a = spec("s-params", 2);
    let mut b = spec("s-params", 2);
    b.params = ParamsId { k: 32, s: 32 };
    let t = Instant::now();
    let (r0, r1) = tokio::join!(p0.open_session(a.clone()), p1.open_session(b.clone()));
    assert!(t.elapsed() < BOUND);
    for (me, other, r) in [("P0", "P1", r0), ("P1", "P0", r1)] {
        let text = r.err().unwrap().to_string();
        assert_contains(
            &text,
            &[
                me,
                other,
                "s-params",
                "disagrees on the session's parameters",
                "k=64,s=64",
                "k=32,s=32",
            ],
        );
    }

    a.session = sid("s-op");
    b = a.clone();
    b.operation = "other-op".into();
    let (r0, r1) = tokio::join!(p0.open_session(a.clone()), p1.open_session(b));
    for r in [r0, r1] {
        let text = r.err().unwrap().to_string();
        assert_contains(
            &text,
            &[
                "s-op",
                "disagrees on the session's operation",
                "\"test-op\"",
                "\"other-op\"",
            ],
        );
    }

    let a = spec("s-set", 2);
    let b = spec("s-set", 3);
    let (r0, r1) = tokio::join!(p0.open_session(a), p1.open_session(b));
    for r in [r0, r1] {
        let text = r.err().unwrap().to_string();
        assert_contains(
            &text,
            &[
                "s-set",
                "disagrees on the session's party set",
                "[0, 1]",
                "[0, 1, 2]",
            ],
        );
    }
}
