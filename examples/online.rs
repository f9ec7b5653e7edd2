//! Online computation: three parties generate their preprocessing securely, secret-share
//! their inputs, multiply, take a dot product and open the results, every opening
//! MAC-checked.
//!
//! The parties run as tokio tasks in this one process and talk over the in-memory mesh,
//! the transport for tests and experiments. Over a real network each party would run on
//! its own machine with a `Node` (see the `proxied_output` example); the session code
//! below stays the same.
//!
//! Run: `cargo run --example online`

mod common;

use common::{Error, check_all_used, generate_prep};
use spdz2k::PrepCounts;
use spdz2k::prelude::*;
use std::time::Duration;

/// Each party's private vector: party i holds `INPUTS[i]`.
const INPUTS: [[i128; LEN]; 3] = [[2, -3, 1 << 20], [5, 7, -11], [10, 100, 3]];
/// The length of every input vector.
const LEN: usize = 3;

/// Every network wait in the session gives up after this long.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What one party ends up knowing: the opened element-wise product of all three vectors,
/// and the opened dot product of P0's and P1's vectors.
#[derive(Debug, PartialEq)]
struct Opened {
    product: Vec<i128>,
    dot: i128,
}

/// The preprocessing the computation below consumes, item for item: `LEN` input masks of
/// every owner, `LEN` triples per multiplication (two element-wise products and the dot
/// product) and one opening mask per opened value (the products and the dot product).
fn needs(n: usize) -> PrepCounts {
    PrepCounts {
        triples: 3 * LEN as u64,
        randoms: 0,
        open_masks: LEN as u64 + 1,
        input_masks: vec![LEN as u64; n],
    }
}

/// Runs the example (also called by `tests/examples.rs`).
#[tokio::main]
pub async fn main() -> Result<(), Error> {
    let n = INPUTS.len();
    // Every party of one computation uses the same session ID.
    let sid = SessionId::random();
    println!(
        "session {sid}: {n} parties over the in-memory mesh, ring k=64, s=64, preprocessing \
         generated securely by the OT-based SPDZ2k offline phase"
    );

    let mut parties = Vec::new();
    for mut transport in MemoryMesh::connect(n, sid, TIMEOUT) {
        let me = transport.party();
        parties.push(tokio::spawn(async move {
            // 0. Preprocessing: the parties generate exactly what they need together, over
            //    the session's transport (MAC key shares, triples checked by sacrifice,
            //    input and opening masks). A cheating party makes every honest one abort.
            let counts = needs(n);
            let prep = generate_prep(&mut transport, &counts, "").await?;
            let mut s = Party::new(prep).join(transport)?;

            // 1. Inputs: one round per owner. The owner passes its values, the others
            //    `None`; every party gets its share of each vector.
            let mut vectors = Vec::new();
            for (owner, values) in INPUTS.iter().enumerate() {
                let mine = (owner == me).then_some(&values[..]);
                vectors.push(s.input_signed(owner, mine, LEN).await?);
            }

            // 2. Multiplication: one round per call (Beaver triples), element-wise.
            let mut product = s.mul(&vectors[0], &vectors[1]).await?;
            product = s.mul(&product, &vectors[2]).await?;

            // 3. Dot product: one round for the whole vector.
            let dot = s.dot(&vectors[0], &vectors[1]).await?;

            // 4. Opening: the MAC check runs before any opened value is returned, so a
            //    cheating party makes every honest party abort instead of a wrong result.
            let opened = s.open_signed(&Secret::concat(&[&product, &dot])).await?;

            // Everything generated was used, nothing more was needed.
            check_all_used(me, s.available())?;
            // 5. Finish: a final check over anything still pending, and traffic figures.
            let report = s.finish().await?;
            println!(
                "P{me}: opened {opened:?}; sent {} bytes (offline phase included) in {} rounds, {} MAC checks passed",
                report.bytes_sent, report.rounds, report.checks
            );
            // The opened vector is the products followed by the dot product.
            Ok::<_, Error>(Opened {
                product: opened[..LEN].to_vec(),
                dot: opened[LEN],
            })
        }));
    }

    // What the parties must have computed, in the clear.
    let expected = Opened {
        product: (0..LEN)
            .map(|j| INPUTS[0][j] * INPUTS[1][j] * INPUTS[2][j])
            .collect(),
        dot: (0..LEN).map(|j| INPUTS[0][j] * INPUTS[1][j]).sum(),
    };
    for party in parties {
        let opened = party.await??;
        if opened != expected {
            return Err(format!("opened {opened:?}, expected {expected:?}").into());
        }
    }
    println!(
        "all parties agree: products {:?}, dot product {}",
        expected.product, expected.dot
    );
    Ok(())
}
