//! Client input over mutual TLS: a client secret-shares its values with two parties, they
//! compute on them together with their own private data, and the client gets the result.
//! The parties first generate the preprocessing this takes, securely, over their session.
//!
//! The client holds a feature vector `x`; P0 holds weights `w`, P1 a bias `c`. The client
//! learns the score x . w + c and nothing else; no party learns x, w or c of another.
//!
//! The topology is the one `spdz2k setup` writes by default: P0 reaches the client
//! directly, P1 only through P0. For the input, every party sends the client its shares of
//! a random triple (a, b, c) (P1's sealed and signed, forwarded by P0); the client checks
//! a * b = c, then sends y = x + a, signed, to every party (P1's copy through P0); the
//! parties compare digests of what they received and hold [x] = y - [a].
//!
//! Run: `cargo run --example client_input`

mod common;

use spdz2k::{ClientPort, Node, PrepCounts, RemoteClient, SessionId};
use std::sync::Arc;

use common::{Error, check_all_used, join_with_prep, run_parties};

/// The client's private features.
const X: [i128; 4] = [7, -2, 30, 1];
/// P0's private weights.
const W: [i128; 4] = [100, 25, -3, 8];
/// P1's private bias.
const C: i128 = -1_000;
/// The client's name in the deployment.
const CLIENT: &str = "C0";

/// Runs the example (also called by `tests/examples.rs`).
#[tokio::main]
pub async fn main() -> Result<(), Error> {
    // 1. A throw-away deployment (an Ed25519 identity, a certificate and a config per
    //    node), one session ID for every node, and the parties, each in its own task.
    let running = run_parties(run_party).await?;

    // 2. The client: gives its input, then receives the verified score.
    let mut client = RemoteClient::connect(running.client_config.clone(), &running.sid).await?;
    client.send_input("features", &X).await?;
    println!("{CLIENT}: input masks verified (a * b = c); masked, signed input sent");
    let score = client.receive_outputs("score").await?;
    println!("{CLIENT}: verified score {:?}", score.signed());
    // Every party and the client are done: stop the nodes.
    running.finish().await?;

    let expected = X.iter().zip(W).map(|(x, w)| x * w).sum::<i128>() + C;
    if score.signed() != [expected] {
        return Err(format!(
            "{CLIENT} received {:?}, expected {expected}",
            score.signed()
        )
        .into());
    }
    println!("{CLIENT}: x . w + c = {expected} is correct");
    Ok(())
}

/// One party's side of the session.
async fn run_party(node: Arc<Node>, sid: SessionId) -> Result<(), Error> {
    let me = node.party();

    // Preprocessing, generated securely over this TLS session by the OT-based SPDZ2k
    // offline phase: exactly what the computation below consumes. The client's input takes
    // a triple per value; P0's weights and P1's bias take input masks of their owners; the
    // dot product takes a triple per term; delivering the score takes an opening mask and
    // a triple.
    let counts = PrepCounts {
        triples: (X.len() + W.len() + 1) as u64,
        randoms: 0,
        open_masks: 1,
        input_masks: vec![W.len() as u64, 1],
    };
    // `join_with_prep` (examples/common) opens the TLS session, runs `generate_secure` on
    // it and joins the session with what it generated.
    let mut s = join_with_prep(&node, &sid, "client-input-example", &counts).await?;

    // Client I/O: P0 over its own connection to the client, P1 through P0.
    let mut port = ClientPort::open_on_node(&mut s, &node, CLIENT).await?;

    // The client's input: its signature is checked against the client's pinned key, and
    // the parties make sure they all received the same values before using them.
    let x = port.receive_input(&mut s, "features", X.len()).await?;
    // The parties' own inputs.
    let w = s
        .input_signed(0, (me == 0).then_some(&W[..]), W.len())
        .await?;
    let c = s.input_signed(1, (me == 1).then_some(&[C][..]), 1).await?;

    // score = x . w + c, computed on shares; then delivered to the client only.
    let xw = s.dot(&x, &w).await?;
    let score = s.add(&xw, &c)?;
    port.deliver(&mut s, "score", &score).await?;
    check_all_used(me, s.available())?;
    s.finish().await?;
    println!("P{me}: score computed on the client's input and delivered toward {CLIENT}");
    Ok(())
}
