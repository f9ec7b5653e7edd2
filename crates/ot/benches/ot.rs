//! OT throughput: one core's fixed-key AES (the limit), the KOS15 state machines in one
//! thread, and two parties over the in-memory mesh (correlated and random OT), with bytes
//! per OT. `cargo bench -p spdz2k-ot --bench ot`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use spdz2k_core::SessionId;
use spdz2k_net::{MemoryMesh, Transport};
use spdz2k_ot::cipher::fixed_key_aes;
use spdz2k_ot::{KosReceiver, KosReceiverSetup, KosSender, OtContext, driver};
use std::time::Duration;

const CHUNK: usize = 1 << 16;
const TOTAL: usize = 1 << 20;

fn aes(c: &mut Criterion) {
    let mut g = c.benchmark_group("aes");
    let mut blocks: Vec<u128> = (0..CHUNK as u128).collect();
    g.throughput(Throughput::Elements(CHUNK as u64));
    g.bench_function("fixed-key AES blocks, one core", |b| {
        b.iter(|| fixed_key_aes().encrypt(&mut blocks))
    });
    g.bench_function("tccr hash blocks", |b| {
        b.iter(|| spdz2k_ot::cipher::tccr_hash_in_place(&mut blocks, |j| j as u128))
    });
    g.finish();
}

fn setup(rng: &mut rand::rngs::ChaCha20Rng) -> (KosSender, KosReceiver) {
    let ctx = OtContext::new(SessionId::new("bench").unwrap(), 0, 1, 0);
    let (r, m1) = KosReceiverSetup::start(&ctx, rng);
    let (s, m2) = KosSender::setup(&ctx, &m1, rng).unwrap();
    (s, r.finish(&m2).unwrap())
}

fn kos_one_thread(c: &mut Criterion) {
    let mut g = c.benchmark_group("kos15 state machines, both parties in one thread");
    let mut rng = spdz2k_core::rng::secure_rng();
    let (mut s, mut r) = setup(&mut rng);
    g.throughput(Throughput::Elements(CHUNK as u64));
    g.bench_function(BenchmarkId::new("correlated OT", CHUNK), |b| {
        b.iter(|| {
            let m1 = r.extend_random(CHUNK, &mut rng).unwrap();
            let m2 = s.respond(&m1, CHUNK, &mut rng).unwrap();
            let (rc, m3) = r.finish(&m2).unwrap();
            let sc = s.finish(&m3).unwrap();
            (rc.len(), sc.len())
        })
    });
    g.bench_function(BenchmarkId::new("random OT", CHUNK), |b| {
        b.iter(|| {
            let m1 = r.extend_random(CHUNK, &mut rng).unwrap();
            let m2 = s.respond(&m1, CHUNK, &mut rng).unwrap();
            let (rc, m3) = r.finish(&m2).unwrap();
            let sc = s.finish(&m3).unwrap();
            (rc.into_random_ots().1.len(), sc.into_random_ots().len())
        })
    });
    g.finish();
}

async fn mesh_run(random: bool) -> (u64, u64) {
    let sid = SessionId::new("bench-mesh").unwrap();
    let mut mesh = MemoryMesh::connect(2, sid.clone(), Duration::from_secs(60));
    let mut t1 = mesh.pop().unwrap();
    let mut t0 = mesh.pop().unwrap();
    let ctx = OtContext::new(sid, 0, 1, 0);
    let ctx1 = ctx.clone();
    let recv = tokio::spawn(async move {
        let mut rng = spdz2k_core::rng::secure_rng();
        let mut r = driver::setup_receiver(&mut t1, &ctx1, &mut rng)
            .await
            .unwrap();
        let before = t1.stats().bytes_sent;
        for _ in 0..TOTAL / CHUNK {
            let c = driver::extend_receiver(&mut t1, &mut r, None, CHUNK, &mut rng)
                .await
                .unwrap();
            if random {
                std::hint::black_box(c.into_random_ots());
            }
        }
        t1.stats().bytes_sent - before
    });
    let mut rng = spdz2k_core::rng::secure_rng();
    let mut s = driver::setup_sender(&mut t0, &ctx, &mut rng).await.unwrap();
    let before = t0.stats().bytes_sent;
    for _ in 0..TOTAL / CHUNK {
        let c = driver::extend_sender(&mut t0, &mut s, CHUNK, &mut rng)
            .await
            .unwrap();
        if random {
            std::hint::black_box(c.into_random_ots());
        }
    }
    let sent = t0.stats().bytes_sent - before;
    (recv.await.unwrap(), sent)
}

fn kos_mesh(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (r_bytes, s_bytes) = rt.block_on(mesh_run(false));
    eprintln!(
        "kos15 over the mesh: receiver sends {:.3} bytes/OT, sender {:.5} bytes/OT (chunks of {CHUNK}; setup excluded)",
        r_bytes as f64 / TOTAL as f64,
        s_bytes as f64 / TOTAL as f64
    );
    let mut g = c.benchmark_group("kos15 two parties over the mesh (incl. base-OT setup)");
    g.sample_size(10);
    g.throughput(Throughput::Elements(TOTAL as u64));
    for random in [false, true] {
        let name = if random { "random OT" } else { "correlated OT" };
        g.bench_function(BenchmarkId::new(name, TOTAL), |b| {
            b.iter(|| rt.block_on(mesh_run(random)))
        });
    }
    g.finish();
}

criterion_group!(benches, aes, kos_one_thread, kos_mesh);
criterion_main!(benches);
