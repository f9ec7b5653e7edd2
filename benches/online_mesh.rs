//! Two-party multiplication over the in-memory mesh, K64S64, batches of 1, 1,000 and
//! 1,000,000: the online cost (Beaver openings plus the amortised MAC check) with
//! preprocessing dealt beforehand, outside the timing. Prints bytes sent per multiplication
//! per party beside criterion's throughput.
//!
//! Run: `cargo bench --bench online_mesh`

mod common;

use common::{deal, runtime};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use spdz2k::prelude::*;
use std::time::{Duration, Instant};

/// Runs one batch of multiplications and the MAC check; returns (elapsed, bytes sent by party 0).
fn run_once(rt: &tokio::runtime::Runtime, batch: usize) -> (Duration, u64) {
    let parties = deal(batch);
    rt.block_on(async move {
        let mesh = MemoryMesh::connect(
            2,
            SessionId::new("bench").expect("valid"),
            Duration::from_secs(60),
        );
        let start = Instant::now();
        let mut tasks = Vec::new();
        for (t, (prep, x, y)) in mesh.into_iter().zip(parties) {
            tasks.push(tokio::spawn(async move {
                let mut s = Party::new(prep).join(t)?;
                let z = s.mul(&x, &y).await?;
                s.check().await?;
                drop(z);
                Ok::<_, EngineError>(s.report().bytes_sent)
            }));
        }
        let mut bytes = 0;
        for (i, t) in tasks.into_iter().enumerate() {
            let b = t.await.expect("task").expect("honest run");
            if i == 0 {
                bytes = b;
            }
        }
        (start.elapsed(), bytes)
    })
}

fn bench(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("two_party_mul_mesh_K64S64");
    for batch in [1usize, 1_000, 1_000_000] {
        let (_, bytes) = run_once(&rt, batch);
        println!(
            "batch {batch}: party 0 sent {bytes} bytes = {:.2} bytes per multiplication (incl. the MAC check)",
            bytes as f64 / batch as f64
        );
        if batch >= 1_000_000 {
            g.sample_size(10).measurement_time(Duration::from_secs(20));
        }
        g.throughput(Throughput::Elements(batch as u64));
        g.bench_with_input(BenchmarkId::from_parameter(batch), &batch, |b, &batch| {
            b.iter_custom(|iters| (0..iters).map(|_| run_once(&rt, batch).0).sum())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
