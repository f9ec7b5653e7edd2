//! Proxied output delivery over mutual TLS: two parties generate their preprocessing
//! securely, compute on private inputs and deliver the results to a client that only one of
//! them can reach.
//!
//! The topology `spdz2k setup` writes by default: P0 has a direct route to the client C0;
//! P1 has none, so it seals its shares to the client's session key, signs them, and hands
//! them to P0, which forwards them unchanged. The client verifies every signature and
//! header, decrypts, and checks w = x^ * b for every value before it accepts anything: P0
//! can neither read, alter, replay nor silently drop what P1 sent.
//!
//! Everything runs in this one process, but each node talks real TLS 1.3 on loopback, with
//! keys, certificates and configs written into a temporary folder.
//!
//! Run: `cargo run --example proxied_output`

mod common;

use spdz2k::{ClientPort, Node, PrepCounts, RemoteClient, Secret, SessionId};
use std::sync::Arc;

use common::{Error, check_all_used, join_with_prep, run_parties};

/// P0's private vector.
const A: [i128; 3] = [3, -4, 1_000_000];
/// P1's private vector.
const B: [i128; 3] = [5, 6, -7];
/// The client's name in the deployment.
const CLIENT: &str = "C0";

/// Runs the example (also called by `tests/examples.rs`).
#[tokio::main]
pub async fn main() -> Result<(), Error> {
    // 1. A throw-away deployment (an Ed25519 identity, a certificate and a config per
    //    node), one session ID for every node, and the parties, each in its own task.
    let running = run_parties(run_party).await?;

    // 2. The client: connects to P0 (its only direct route), registers a fresh session
    //    key, and receives one verified delivery.
    let mut client = RemoteClient::connect(running.client_config.clone(), &running.sid).await?;
    let results = client.receive_outputs("results").await?;
    println!(
        "{CLIENT}: {} values verified (signatures, headers, w = x^ * b): {:?}",
        results.len(),
        results.signed()
    );
    // Every party and the client are done: stop the nodes.
    running.finish().await?;

    let products = A.iter().zip(B).map(|(a, b)| a * b);
    let sums = A.iter().zip(B).map(|(a, b)| a + b);
    let expected: Vec<i128> = products.chain(sums).collect();
    if results.signed() != expected.as_slice() {
        return Err(format!(
            "{CLIENT} received {:?}, expected {expected:?}",
            results.signed()
        )
        .into());
    }
    println!(
        "{CLIENT}: products {:?} and sums {:?} are correct",
        &expected[..3],
        &expected[3..]
    );
    Ok(())
}

/// One party's side of the session.
async fn run_party(node: Arc<Node>, sid: SessionId) -> Result<(), Error> {
    let me = node.party();

    // Preprocessing, generated securely over this TLS session by the OT-based SPDZ2k
    // offline phase: exactly what the computation below consumes. Both inputs take 3 input
    // masks of their owner; the products take 3 triples; delivering 6 values to the client
    // takes an opening mask and a triple per value.
    let counts = PrepCounts {
        triples: 3 + 6,
        randoms: 0,
        open_masks: 6,
        input_masks: vec![3, 3],
    };
    // `join_with_prep` (examples/common) opens the TLS session, runs `generate_secure` on
    // it and joins the session with what it generated.
    let mut s = join_with_prep(&node, &sid, "proxied-output-example", &counts).await?;

    // Client I/O. Only a party with a direct route has a connection to the client; a
    // party routed "via P0" reaches it through P0, over this same session.
    let mut port = ClientPort::open_on_node(&mut s, &node, CLIENT).await?;

    // The computation: secret-share both vectors, multiply and add them.
    let a = s
        .input_signed(0, (me == 0).then_some(&A[..]), A.len())
        .await?;
    let b = s
        .input_signed(1, (me == 1).then_some(&B[..]), B.len())
        .await?;
    let products = s.mul(&a, &b).await?;
    let sums = s.add(&a, &b)?;

    // Delivery: the MAC check runs first; only if it passes does each party seal its
    // shares to the client. No party ever sees the results.
    port.deliver(&mut s, "results", &Secret::concat(&[&products, &sums]))
        .await?;
    check_all_used(me, s.available())?;
    let report = s.finish().await?;
    println!(
        "P{me}: results delivered toward {CLIENT}; sent {} bytes to the other party (offline phase included)",
        report.bytes_sent
    );
    Ok(())
}
