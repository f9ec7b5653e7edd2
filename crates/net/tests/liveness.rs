//! Liveness and clean endings over real TLS on 127.0.0.1: heartbeats keep a long
//! computation alive, a silent peer is named within the idle timeout plus one second, the
//! closing handshake returns only once the peer has everything, and an abort carries its
//! cause to the other side.

use spdz2k_net::{AbortKind, ClientNode, NetError, Transport};
use spdz2k_testkit::relay::Relay;
use spdz2k_testkit::sid;
use spdz2k_testkit::tls::{self, Deployment, spec};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::time::Instant;

const IDLE: Duration = Duration::from_secs(1);

/// A two-party deployment with a 1 s idle timeout (and clients, if asked).
async fn deployment(clients: usize, direct: bool) -> Deployment {
    let mut d = Deployment::with(2, clients, direct, tls::TIMEOUT).await;
    for c in &mut d.configs {
        c.idle_timeout = IDLE;
    }
    d
}

/// Local work three times longer than the idle timeout between two messages: the
/// waiting side hears heartbeats and keeps waiting; the message arrives.
#[tokio::test]
async fn work_three_times_the_idle_timeout_completes() {
    let mut d = deployment(0, false).await;
    let p0 = d.start(0).await;
    let p1 = d.start(1).await;
    let (a, b) = tokio::join!(
        p0.open_session(spec("long-work", 2)),
        p1.open_session(spec("long-work", 2))
    );
    let (mut a, mut b) = (a.unwrap(), b.unwrap());
    let worker = async {
        b.send(0, b"first".to_vec()).await.unwrap();
        // The "computation": an async delay inside the protocol driver under test.
        tokio::time::sleep(IDLE * 3).await;
        b.send(0, b"second".to_vec()).await.unwrap();
        b.close().await.unwrap();
    };
    let waiter = async {
        a.begin_round("long round");
        assert_eq!(a.recv(1).await.unwrap(), b"first");
        let t = Instant::now();
        assert_eq!(a.recv(1).await.unwrap(), b"second");
        assert!(t.elapsed() >= IDLE * 2, "the work did not take long");
        a.close().await.unwrap();
    };
    tokio::join!(worker, waiter);
}

/// The same with a blocking CPU loop: the party's protocol task holds its thread for 3x
/// the idle timeout; its node's heartbeats run on another worker thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn blocking_work_three_times_the_idle_timeout_completes() {
    let mut d = deployment(0, false).await;
    let p0 = d.start(0).await;
    let p1 = d.start(1).await;
    let (a, b) = tokio::join!(
        p0.open_session(spec("cpu-work", 2)),
        p1.open_session(spec("cpu-work", 2))
    );
    let (mut a, mut b) = (a.unwrap(), b.unwrap());
    let worker = tokio::spawn(async move {
        let end = std::time::Instant::now() + IDLE * 3;
        let mut x = 0u64;
        while std::time::Instant::now() < end {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
        b.send(0, x.to_le_bytes().to_vec()).await.unwrap();
        b.close().await.unwrap();
    });
    a.begin_round("cpu round");
    assert_eq!(a.recv(1).await.unwrap().len(), 8);
    a.close().await.unwrap();
    worker.await.unwrap();
}

/// A peer that stops reading and writing but keeps its connection open is named, with the
/// phase and the session, within the idle timeout plus one second, on both sides.
#[tokio::test]
async fn a_silent_peer_is_named_within_the_idle_timeout() {
    let mut d = deployment(0, false).await;
    // P0 dials P1; put a relay between them that can freeze.
    let relay = Relay::start(d.address(1)).await;
    d.configs[0].parties[1].address = relay.addr.to_string();
    let p0 = d.start(0).await;
    let p1 = d.start(1).await;
    let (a, b) = tokio::join!(
        p0.open_session(spec("silent", 2)),
        p1.open_session(spec("silent", 2))
    );
    let (mut a, mut b) = (a.unwrap(), b.unwrap());
    a.send(1, b"ping".to_vec()).await.unwrap();
    assert_eq!(b.recv(0).await.unwrap(), b"ping");
    relay.freeze();
    let t = Instant::now();
    a.begin_round("MAC check: openings");
    b.begin_round("multiplication");
    let (ea, eb) = tokio::join!(a.recv(1), b.recv(0));
    let elapsed = t.elapsed();
    assert!(elapsed < IDLE + Duration::from_secs(1), "{elapsed:?}");
    for (err, me, peer, phase) in [
        (ea.unwrap_err(), "P0", "P1", "MAC check: openings"),
        (eb.unwrap_err(), "P1", "P0", "multiplication"),
    ] {
        assert!(matches!(err, NetError::PeerSilent { .. }), "{err}");
        let text = err.to_string();
        for needle in [me, peer, phase, "session silent", "heartbeat"] {
            assert!(text.contains(needle), "missing {needle:?} in {text}");
        }
    }
}

/// The closing handshake returns only once the peer has read everything it expected
/// (here after a delay), so a node that exits right after it loses nothing.
#[tokio::test]
async fn close_returns_only_after_the_peer_has_everything() {
    let mut d = deployment(0, false).await;
    let p0 = d.start(0).await;
    let p1 = d.start(1).await;
    let (a, b) = tokio::join!(
        p0.open_session(spec("closing", 2)),
        p1.open_session(spec("closing", 2))
    );
    let (mut a, mut b) = (a.unwrap(), b.unwrap());
    let read = Arc::new(AtomicBool::new(false));
    let big = vec![7u8; 3 << 20];
    let sender = async {
        a.send(1, big.clone()).await.unwrap();
        a.close().await.unwrap();
        assert!(
            read.load(Ordering::SeqCst),
            "close returned before the peer read the last message"
        );
        drop(a);
        p0.shutdown().await;
    };
    let receiver = async {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(b.recv(0).await.unwrap() == big);
        read.store(true, Ordering::SeqCst);
        b.close().await.unwrap();
    };
    tokio::join!(sender, receiver);
}

/// A peer that never reads a message it was sent is caught at close.
#[tokio::test]
async fn close_reports_a_message_the_peer_never_read() {
    let mut d = deployment(0, false).await;
    let p0 = d.start(0).await;
    let p1 = d.start(1).await;
    let (a, b) = tokio::join!(
        p0.open_session(spec("unread", 2)),
        p1.open_session(spec("unread", 2))
    );
    let (mut a, mut b) = (a.unwrap(), b.unwrap());
    a.send(1, b"never read".to_vec()).await.unwrap();
    let (_, rb) = tokio::join!(a.close(), b.close());
    let eb = rb.unwrap_err().to_string();
    assert!(eb.contains("never read") && eb.contains("P0"), "{eb}");
}

/// An abort carries its kind and cause to the peer, which names them.
#[tokio::test]
async fn an_abort_names_its_cause_on_the_other_side() {
    let mut d = deployment(0, false).await;
    let p0 = d.start(0).await;
    let p1 = d.start(1).await;
    let (a, b) = tokio::join!(
        p0.open_session(spec("aborting", 2)),
        p1.open_session(spec("aborting", 2))
    );
    let (mut a, b) = (a.unwrap(), b.unwrap());
    b.abort_handle().abort(
        AbortKind::Protocol,
        "party 1: MAC check failed over 3 opened values",
    );
    a.begin_round("MAC check: commitments");
    let err = a.recv(1).await.unwrap_err();
    assert!(
        matches!(
            err,
            NetError::PeerAborted {
                kind: AbortKind::Protocol,
                ..
            }
        ),
        "{err}"
    );
    let text = err.to_string();
    for needle in [
        "P0",
        "P1",
        "session aborting",
        "MAC check failed over 3",
        "MAC check: commitments",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in {text}");
    }
    drop(b);
}

/// Client channels: the closing handshake both ways, and the client's abort reaching the
/// party with its cause.
#[tokio::test]
async fn client_channels_close_cleanly_and_carry_aborts() {
    let mut d = deployment(1, false).await;
    let p0 = d.start(0).await;
    let session = sid("client-close");
    let (client, chan) = tokio::join!(
        ClientNode::connect(d.config(2), &session),
        p0.client_channel(&session, "C0")
    );
    let (mut client, mut chan) = (client.unwrap(), chan.unwrap());
    chan.send(b"result".to_vec()).unwrap();
    let to_p0 = client.channel(0).unwrap();
    assert_eq!(to_p0.recv().await.unwrap(), b"result");
    let (rc, rp) = tokio::join!(to_p0.close(), chan.close());
    rc.unwrap();
    rp.unwrap();
    client.shutdown().await;

    let session = sid("client-abort");
    let (client, chan) = tokio::join!(
        ClientNode::connect(d.config(2), &session),
        p0.client_channel(&session, "C0")
    );
    let (mut client, mut chan) = (client.unwrap(), chan.unwrap());
    client.abort(AbortKind::Client, "C0: P1's envelope failed verification");
    client.shutdown().await;
    chan.set_phase("client output");
    let text = chan.recv().await.unwrap_err().to_string();
    for needle in ["C0", "client-abort", "envelope failed", "client output"] {
        assert!(text.contains(needle), "missing {needle:?} in {text}");
    }
}

/// A client that reaches a party and is refused is named as refused at once, not as "has
/// not connected" after the timeout.
#[tokio::test]
async fn a_refused_client_is_named_as_refused() {
    let mut d = deployment(1, true).await;
    let p1 = d.start(1).await;
    // The client's entry for P0 points at P1 (with P1's key): P1 refuses its hello.
    let mut client_cfg = d.config(2);
    client_cfg.parties[0].address = d.address(1);
    client_cfg.parties[0].public_key = client_cfg.parties[1].public_key;
    let session = sid("refused");
    let t = Instant::now();
    let (client, chan) = tokio::join!(
        ClientNode::connect(client_cfg, &session),
        p1.client_channel(&session, "C0")
    );
    assert!(client.is_err());
    let err = chan.err().unwrap();
    assert!(t.elapsed() < tls::TIMEOUT, "{:?}", t.elapsed());
    assert!(matches!(err, NetError::ClientRefused { .. }), "{err}");
    let text = err.to_string();
    for needle in ["P1", "C0", "refused", "session refused", "party 0"] {
        assert!(text.contains(needle), "missing {needle:?} in {text}");
    }
}

/// An abort sent through a handle after the session and the channel were dropped still
/// reaches the peers first: the drop-close waits for the handles.
#[tokio::test]
async fn an_abort_after_the_owner_was_dropped_still_comes_first() {
    let mut d = deployment(1, false).await;
    let p0 = d.start(0).await;
    let p1 = d.start(1).await;
    let session = sid("late-abort");
    let (a, b) = tokio::join!(
        p0.open_session(spec("late-abort", 2)),
        p1.open_session(spec("late-abort", 2))
    );
    let (a, mut b) = (a.unwrap(), b.unwrap());
    let (client, chan) = tokio::join!(
        ClientNode::connect(d.config(2), &session),
        p0.client_channel(&session, "C0")
    );
    let (mut client, chan) = (client.unwrap(), chan.unwrap());
    let handles = [a.abort_handle(), chan.abort_handle()];
    drop(a);
    drop(chan);
    for h in &handles {
        h.abort(AbortKind::Client, "P0: C0's registration refused");
    }
    drop(handles);
    let eb = b.recv(0).await.unwrap_err();
    assert!(matches!(eb, NetError::PeerAborted { .. }), "{eb}");
    let ec = client.channel(0).unwrap().recv().await.unwrap_err();
    assert!(matches!(ec, NetError::PeerAborted { .. }), "{ec}");
    assert!(ec.to_string().contains("registration refused"), "{ec}");
}
