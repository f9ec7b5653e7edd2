//! Two parties multiply secret inputs over the in-memory mesh and open the results.
//! Run: `cargo run --release --example quickstart`
use spdz2k::prelude::*;
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), EngineError> {
    let n = 2;
    let sid = SessionId::random();
    println!("session {sid}: {n} parties, K64S64, INSECURE dealer preprocessing (demo only)");
    let mut tasks = Vec::new();
    for transport in MemoryMesh::connect(n, sid, Duration::from_secs(5)) {
        let me = transport.party();
        let prep =
            InsecureDealerSource::<K64S64>::new(me, n, [1; 32]).expect("party index below n");
        tasks.push(tokio::spawn(async move {
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
            Ok::<_, EngineError>((me, opened, report))
        }));
    }
    for t in tasks {
        let (me, opened, report) = t.await.expect("party task")?;
        println!(
            "party {me}: products {:?}, dot {}, {} bytes sent, {} rounds, {} MAC checks",
            &opened[..3],
            opened[3],
            report.bytes_sent,
            report.rounds,
            report.checks
        );
    }
    Ok(())
}
