//! Sequence numbers per (kind, label): the client numbers outputs and input requests
//! separately, so the parties must too. Before client I/O moved to `spdz2k-delivery`, the
//! parties kept one counter per label for both kinds, and an output under the label of an
//! earlier input was refused by the client as out of sequence.

mod common;

use common::delivery::*;
use spdz2k::{ClientPort, K64S64, RemoteClient, SessionId};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_output_may_reuse_the_label_of_an_input() {
    let d = Deployment::new().await;
    let sid = SessionId::random();
    let client = async {
        let mut c = RemoteClient::connect(d.client.clone(), &sid).await?;
        c.send_input("x", &[7, -2]).await?;
        c.receive_outputs("x").await
    };
    let (parties, client) = run_session(
        &d,
        &sid,
        async |s: &mut Sess<K64S64>, port: &mut ClientPort| {
            let x = port.receive_input(s, "x", 2).await?;
            let doubled = s.add(&x, &x)?;
            port.deliver(s, "x", &doubled).await
        },
        client,
    )
    .await;
    assert_parties_ok(parties);
    let out = client.unwrap_or_else(|e| panic!("the client refused: {e}"));
    assert_eq!(out.signed(), &[14, -4]);
}
