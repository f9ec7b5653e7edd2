//! Triples per second and bytes per triple of the offline phase for n parties over the
//! in-memory mesh, with the INSECURE ideal OT (so the OT extension's cost is not included).
//!
//! `cargo run --release -p spdz2k-offline --features insecure-ideal-ot --example rate -- [n] [triples] [batch] [set]`

mod common;

use spdz2k_core::SessionId;
use spdz2k_net::{MemoryMesh, Transport};
use spdz2k_offline::ot::InsecureIdealOt;
use spdz2k_offline::{BatchKind, run_batches, setup_key_set};
use spdz2k_ring::{HasCheckRing, dispatch_params};
use std::time::{Duration, Instant};

async fn rate<P: HasCheckRing>(n: usize, total: usize, batch: usize) {
    let mesh = MemoryMesh::connect(n, SessionId::new("rate").unwrap(), Duration::from_secs(600));
    let kinds: Vec<BatchKind> = (0..total.div_ceil(batch))
        .map(|_| BatchKind::Triples(batch))
        .collect();
    let start = Instant::now();
    let mut handles = Vec::new();
    for (i, mut t) in mesh.into_iter().enumerate() {
        let kinds = kinds.clone();
        handles.push(tokio::spawn(async move {
            let mut keys =
                setup_key_set::<P, _, _>(&mut t, InsecureIdealOt::new(i, [1; 32])).await?;
            let before = t.stats().bytes_sent;
            let m = run_batches(&mut keys, &mut t, &kinds).await?;
            Ok::<_, spdz2k_offline::OfflineError>((m.len(), t.stats().bytes_sent - before))
        }));
    }
    let mut sent = 0;
    for h in handles {
        let (_, b) = h.await.expect("task").expect("offline phase");
        sent = sent.max(b);
    }
    let secs = start.elapsed().as_secs_f64();
    let made = kinds.len() * batch;
    println!(
        "{} n={n}: {made} triples in {secs:.2} s = {:.0} triples/s; {:.0} bytes sent per triple per party ({} per peer)",
        P::NAME,
        made as f64 / secs,
        sent as f64 / made as f64,
        sent as f64 / made as f64 / (n - 1) as f64
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let (n, total, batch, params) = common::args();
    dispatch_params!(params, P => rate::<P>(n, total, batch).await, else ())
}
