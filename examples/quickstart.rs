//! Two parties generate their preprocessing securely, multiply secret inputs over the
//! in-memory mesh and open the results.
//! Run: `cargo run --release --example quickstart`
use spdz2k::prelude::*;
use spdz2k::{PrepCounts, SECURE_TRIPLE_BATCH, generate_secure};
use std::time::{Duration, Instant};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Runs the example (also called by `tests/examples.rs`).
#[tokio::main]
pub async fn main() -> Result<(), Error> {
    let n = 2;
    let sid = SessionId::random();
    println!("session {sid}: {n} parties, K64S64, preprocessing generated securely (OT-based)");
    // What the computation below consumes: 3 input masks of each owner, 3 triples for the
    // products and 3 for the dot product, and an opening mask per opened value (4).
    let counts = PrepCounts {
        triples: 6,
        randoms: 0,
        open_masks: 4,
        input_masks: vec![3, 3],
    };
    let mut tasks = Vec::new();
    for mut transport in MemoryMesh::connect(n, sid, Duration::from_secs(5)) {
        let me = transport.party();
        let counts = counts.clone();
        tasks.push(tokio::spawn(async move {
            // The SPDZ2k offline phase over the session's own transport: MAC keys, triples
            // with sacrifice, masks, every check passed.
            let start = Instant::now();
            let prep =
                generate_secure::<K64S64, _>(&mut transport, &counts, SECURE_TRIPLE_BATCH).await?;
            println!(
                "party {me}: offline phase: {} triples and masks generated securely, {} bytes \
                 sent in {:.2} s",
                counts.triples,
                transport.stats().bytes_sent,
                start.elapsed().as_secs_f64()
            );
            let mut s = Party::new(prep).join(transport)?;
            let a = s
                .input_signed(0, (me == 0).then_some(&[6, -7, 1 << 40][..]), 3)
                .await?;
            let b = s
                .input_signed(1, (me == 1).then_some(&[7, 8, 1 << 30][..]), 3)
                .await?;
            let product = s.mul(&a, &b).await?;
            let dot = s.dot(&a, &b).await?;
            let opened = s.open_signed(&Secret::concat(&[&product, &dot])).await?;
            let report = s.finish().await?;
            Ok::<_, Error>((me, opened, report))
        }));
    }
    for t in tasks {
        let (me, opened, report) = t.await??;
        println!(
            "party {me}: products {:?}, dot {}, {} bytes sent (offline phase included), {} rounds, {} MAC checks",
            &opened[..3],
            opened[3],
            report.bytes_sent,
            report.rounds,
            report.checks
        );
        // 2^40 * 2^30 = 2^70 is 0 mod 2^64.
        if opened != [42, -56, 0, -14] {
            return Err(format!("party {me} opened {opened:?}").into());
        }
    }
    Ok(())
}
