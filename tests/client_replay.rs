//! A proxy cannot replay or reorder a client's signed messages: every party requires the
//! input it expects next (label and sequence number), and the client signs the run ID the
//! parties agreed on at the start of this run into its registration and every input. Here
//! P0, the proxy, substitutes a client message it recorded earlier (in this run or in an
//! earlier run under the same session ID) for the one it received, for itself and for P1;
//! every party refuses it, naming the client and the sequence number.

mod common;

use common::delivery::*;
use spdz2k::delivery::REGISTRATION_CONFIRMED;
use spdz2k::{ClientPort, DeliveryError, K64S64, RemoteClient, SessionId};
use std::sync::{Arc, Mutex};

/// Messages of kind `what` the proxy received, recorded.
type Recorded = Arc<Mutex<Vec<Vec<u8>>>>;

/// On P0: records every client message of kind `what`; from the `replace_from`-th one on,
/// substitutes the first recorded one (of this or an earlier run) for what arrived.
fn replay_on_proxy(
    s: &Sess<K64S64>,
    port: &mut ClientPort,
    what: &'static str,
    recorded: &Recorded,
    replace_from: usize,
) {
    if s.party() != 0 {
        return;
    }
    let recorded = recorded.clone();
    let mut seen = 0;
    port.set_client_message_tamper(Box::new(move |kind, bytes| {
        if kind != what {
            return;
        }
        let mut rec = recorded.lock().unwrap();
        if seen >= replace_from
            && let Some(first) = rec.first()
        {
            *bytes = first.clone();
        } else {
            rec.push(bytes.clone());
        }
        seen += 1;
    }));
}

/// The client gives `values` as inputs under label "x", one delivery each.
async fn give_inputs(
    d: &Deployment,
    sid: &SessionId,
    values: &[i128],
) -> Result<(), DeliveryError> {
    let mut c = RemoteClient::connect(d.client.clone(), sid).await?;
    for &v in values {
        c.send_input("x", &[v]).await?;
    }
    Ok(())
}

/// Asserts that party `i` refused a client message with `check`, naming the client, the
/// session and (for inputs) the sequence number.
fn assert_refused(i: usize, r: &Result<(), DeliveryError>, check: &str, sid: &SessionId) {
    let err = r
        .as_ref()
        .expect_err("the party must refuse the replayed message");
    let msg = err.to_string();
    assert!(
        matches!(err, DeliveryError::ClientMessage { .. }),
        "party {i}: expected a refused client message, got: {msg}"
    );
    assert!(
        msg.contains(check) && msg.contains("client C0") && msg.contains(sid.as_str()),
        "party {i}: {msg}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_input_replayed_within_a_run_is_refused_by_every_party() {
    let d = Deployment::new().await;
    let sid = SessionId::random();
    let recorded = Recorded::default();
    let (parties, _client) = run_session(
        &d,
        &sid,
        async |s: &mut Sess<K64S64>, port: &mut ClientPort| {
            replay_on_proxy(s, port, "client input", &recorded, 1);
            let a = port.receive_input(s, "x", 1).await?;
            // The proxy substitutes input 0 (value 5) for input 1 (value 7).
            let b = port.receive_input(s, "x", 1).await?;
            let sum = s.add(&a, &b)?;
            s.open(&sum).await?;
            Ok(())
        },
        give_inputs(&d, &sid, &[5, 7]),
    )
    .await;
    for (i, r) in parties.iter().enumerate() {
        assert_refused(
            i,
            r,
            "input refused: sequence check failed: client C0 sent input \"x\" with sequence \
             number 0, but this party expects \"x\" with sequence number 1",
            &sid,
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_input_from_an_earlier_run_with_the_same_session_id_is_refused() {
    let mut d = Deployment::new().await;
    let sid = SessionId::random();
    let recorded = Recorded::default();
    let program = async |s: &mut Sess<K64S64>, port: &mut ClientPort| {
        replay_on_proxy(s, port, "client input", &recorded, usize::MAX);
        let x = port.receive_input(s, "x", 1).await?;
        s.open(&x).await?;
        Ok(())
    };
    // Run 1: the proxy only records the client's input.
    let (parties, client) = run_session(&d, &sid, program, give_inputs(&d, &sid, &[5])).await;
    assert_parties_ok(parties);
    client.unwrap();
    assert_eq!(recorded.lock().unwrap().len(), 1);

    // Run 2, same session ID, after the parties restarted: the proxy replays run 1's input.
    d.restart().await;
    let (parties, _client) = run_session(
        &d,
        &sid,
        async |s: &mut Sess<K64S64>, port: &mut ClientPort| {
            replay_on_proxy(s, port, "client input", &recorded, 0);
            let x = port.receive_input(s, "x", 1).await?;
            s.open(&x).await?;
            Ok(())
        },
        give_inputs(&d, &sid, &[9]),
    )
    .await;
    for (i, r) in parties.iter().enumerate() {
        assert_refused(i, r, "input refused: run check failed", &sid);
        assert!(
            r.as_ref()
                .unwrap_err()
                .to_string()
                .contains("(label \"x\", sequence number 0)"),
            "party {i}: {r:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registration_from_an_earlier_run_is_refused_by_every_party() {
    let mut d = Deployment::new().await;
    let sid = SessionId::random();
    let idle = async |_: &mut Sess<K64S64>, _: &mut ClientPort| Ok(());
    // Run 1: a genuine registration, recorded on the way.
    let client = async {
        let (mut node, mut session) = raw_client(&d, &sid).await;
        let ch = node.channel(0).unwrap();
        let run = run_id(ch.recv().await.unwrap());
        let registration = session.registration(run);
        ch.send(registration.clone()).unwrap();
        // P0 confirms the registration (for itself and P1): the parties are past it.
        assert_eq!(ch.recv().await.unwrap(), REGISTRATION_CONFIRMED);
        registration
    };
    let (parties, recorded) = run_session(&d, &sid, idle, client).await;
    assert_parties_ok(parties);

    // Run 2, same session ID, after the parties restarted: run 1's registration arrives
    // instead of a fresh one.
    d.restart().await;
    let client = async {
        let (mut node, _) = raw_client(&d, &sid).await;
        let ch = node.channel(0).unwrap();
        // The parties announce a fresh run ID, which the recorded registration lacks.
        ch.recv().await.unwrap();
        ch.send(recorded.clone()).unwrap();
        ch.recv().await
    };
    let (parties, _client) = run_session(&d, &sid, idle, client).await;
    for (i, r) in parties.iter().enumerate() {
        assert_refused(i, r, "registration refused: run check failed", &sid);
    }
}
