//! OT throughput: one core's fixed-key AES (the limit), the extension state machines in
//! one thread, and two parties over the in-memory mesh and over loopback mutual TLS, for
//! KOS15 and SoftSpokenOT d = 2, 4, 8, with bytes per OT.
//! `cargo bench -p spdz2k-ot --bench ot`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use spdz2k_core::SessionId;
use spdz2k_net::{MemoryMesh, Transport};
use spdz2k_ot::cipher::fixed_key_aes;
use spdz2k_ot::{ExtReceiver, ExtReceiverSetup, ExtSender, OtContext, Variant, driver};
use std::sync::Arc;
use std::time::Duration;

const CHUNK: usize = 1 << 16;
const TOTAL: usize = 1 << 20;
const VARIANTS: [Variant; 4] = [
    Variant::Kos,
    Variant::SoftSpoken { d: 2 },
    Variant::SoftSpoken { d: 4 },
    Variant::SoftSpoken { d: 8 },
];

fn name(v: Variant) -> String {
    match v {
        Variant::Kos => "KOS15".into(),
        Variant::SoftSpoken { d } => format!("SoftSpoken d={d}"),
    }
}

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

fn setup(v: Variant, rng: &mut rand::rngs::ChaCha20Rng) -> (ExtSender, ExtReceiver) {
    let ctx = OtContext::new(SessionId::new("bench").unwrap(), 0, 1, 0);
    let (r, m1) = ExtReceiverSetup::start(&ctx, v, rng);
    let (s, m2) = ExtSender::setup(&ctx, v, &m1, rng).unwrap();
    let (r, m3) = r.finish(&m2, rng).unwrap();
    (s.finish(&m3).unwrap(), r)
}

/// This thread's on-CPU time in ns (Linux `/proc/thread-self/schedstat`), so a cost can
/// be stated independently of how loaded the shared machine is.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// CPU time (not wall time) per OT for both parties in one thread, and for the AES limit.
fn cpu_cost() {
    let mut rng = spdz2k_core::rng::secure_rng();
    let mut blocks: Vec<u128> = (0..CHUNK as u128).collect();
    let Some(t0) = thread_cpu_ns() else { return };
    for _ in 0..64 {
        fixed_key_aes().encrypt(&mut blocks);
    }
    let aes_ns = (thread_cpu_ns().unwrap_or(t0) - t0) as f64 / (64 * CHUNK) as f64;
    eprintln!(
        "CPU time: fixed-key AES {aes_ns:.2} ns/block = {:.0} M blocks/s per core",
        1e3 / aes_ns
    );
    for v in VARIANTS {
        let (mut s, mut r) = setup(v, &mut rng);
        for random in [false, true] {
            let t0 = thread_cpu_ns().unwrap_or(0);
            for _ in 0..TOTAL / CHUNK {
                let m1 = r.extend_random(CHUNK, &mut rng).unwrap();
                let m2 = s.respond(&m1, CHUNK, &mut rng).unwrap();
                let (rc, m3) = r.finish(&m2).unwrap();
                let sc = s.finish(&m3).unwrap();
                if random {
                    std::hint::black_box((rc.into_random_ots(), sc.into_random_ots()));
                }
            }
            let ns = (thread_cpu_ns().unwrap_or(t0) - t0) as f64 / TOTAL as f64;
            eprintln!(
                "CPU time: {} {} OT, both parties: {ns:.1} ns/OT = {:.1} M OT/s per core for the pair",
                name(v),
                if random { "random" } else { "correlated" },
                1e3 / ns
            );
        }
    }
}

fn one_thread(c: &mut Criterion) {
    cpu_cost();
    let mut g = c.benchmark_group("extension state machines, both parties in one thread");
    g.throughput(Throughput::Elements(CHUNK as u64));
    let mut rng = spdz2k_core::rng::secure_rng();
    for v in VARIANTS {
        let (mut s, mut r) = setup(v, &mut rng);
        g.bench_function(BenchmarkId::new(name(v), "correlated OT"), |b| {
            b.iter(|| {
                let m1 = r.extend_random(CHUNK, &mut rng).unwrap();
                let m2 = s.respond(&m1, CHUNK, &mut rng).unwrap();
                let (rc, m3) = r.finish(&m2).unwrap();
                let sc = s.finish(&m3).unwrap();
                (rc.len(), sc.len())
            })
        });
    }
    let (mut s, mut r) = setup(Variant::Kos, &mut rng);
    g.bench_function(BenchmarkId::new("KOS15", "random OT"), |b| {
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

/// Extends TOTAL OTs in pipelined chunks over a connected pair (setup included); returns
/// the bytes each side sent for the extension.
async fn extend_pair<T: Transport + 'static>(
    mut t0: T,
    mut t1: T,
    v: Variant,
    random: bool,
) -> (u64, u64) {
    let ctx = OtContext::new(t0.session_id().clone(), 0, 1, 0);
    let ctx1 = ctx.clone();
    let recv = tokio::spawn(async move {
        let mut rng = spdz2k_core::rng::secure_rng();
        let mut r = driver::setup_receiver(&mut t1, &ctx1, v, &mut rng)
            .await
            .unwrap();
        let before = t1.stats().bytes_sent;
        driver::extend_pipelined(&mut t1, &mut r, CHUNK, TOTAL / CHUNK, &mut rng, |c| {
            if random {
                std::hint::black_box(c.into_random_ots());
            }
            Ok(())
        })
        .await
        .unwrap();
        t1.stats().bytes_sent - before
    });
    let mut rng = spdz2k_core::rng::secure_rng();
    let mut s = driver::setup_sender(&mut t0, &ctx, v, &mut rng)
        .await
        .unwrap();
    let before = t0.stats().bytes_sent;
    driver::extend_pipelined(&mut t0, &mut s, CHUNK, TOTAL / CHUNK, &mut rng, |c| {
        if random {
            std::hint::black_box(c.into_random_ots());
        }
        Ok(())
    })
    .await
    .unwrap();
    let sent = t0.stats().bytes_sent - before;
    (recv.await.unwrap(), sent)
}

async fn mesh_run(v: Variant, random: bool) -> (u64, u64) {
    let sid = SessionId::new("bench-mesh").unwrap();
    let mut mesh = MemoryMesh::connect(2, sid, Duration::from_secs(60));
    let t1 = mesh.pop().unwrap();
    let t0 = mesh.pop().unwrap();
    extend_pair(t0, t1, v, random).await
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn mesh(c: &mut Criterion) {
    let rt = runtime();
    for v in VARIANTS {
        let (r_bytes, s_bytes) = rt.block_on(mesh_run(v, false));
        eprintln!(
            "{} over the mesh: receiver sends {:.3} bytes/OT, sender {:.5} bytes/OT (chunks of {CHUNK})",
            name(v),
            r_bytes as f64 / TOTAL as f64,
            s_bytes as f64 / TOTAL as f64
        );
    }
    let mut g = c.benchmark_group("two parties over the mesh (incl. setup)");
    g.sample_size(10);
    g.throughput(Throughput::Elements(TOTAL as u64));
    for v in VARIANTS {
        g.bench_function(BenchmarkId::new(name(v), "correlated OT"), |b| {
            b.iter(|| rt.block_on(mesh_run(v, false)))
        });
    }
    g.bench_function(BenchmarkId::new("KOS15", "random OT"), |b| {
        b.iter(|| rt.block_on(mesh_run(Variant::Kos, true)))
    });
    g.finish();
}

/// Two TLS nodes on loopback and a way to open a fresh session pair on them.
struct TlsPair {
    nodes: Vec<Arc<spdz2k_net::Node>>,
    _dir: tempfile::TempDir,
}

impl TlsPair {
    async fn start() -> Self {
        use spdz2k_pki::{NodeConfig, SetupOptions, setup};
        let dir = tempfile::tempdir().unwrap();
        let written = setup(&SetupOptions::new(2, 0, dir.path())).unwrap();
        let mut listeners = vec![];
        for _ in 0..2 {
            listeners.push(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap());
        }
        let addrs: Vec<_> = listeners.iter().map(|l| l.local_addr().unwrap()).collect();
        let mut tasks = vec![];
        for (i, (summary, listener)) in written.iter().zip(listeners).enumerate() {
            let mut config = NodeConfig::load(&summary.config_file).unwrap();
            config.listen = Some(addrs[i]);
            for p in &mut config.parties {
                p.address = addrs[p.index].to_string();
            }
            tasks.push(tokio::spawn(async move {
                Arc::new(
                    spdz2k_net::Node::start_with_listener(config, listener)
                        .await
                        .unwrap(),
                )
            }));
        }
        let mut nodes = vec![];
        for t in tasks {
            nodes.push(t.await.unwrap());
        }
        TlsPair { nodes, _dir: dir }
    }

    async fn run(&self, sid: String, v: Variant) -> (u64, u64) {
        let spec = |sid: &str| {
            spdz2k_net::SessionSpec::new(
                SessionId::new(sid).unwrap(),
                spdz2k_ring::ParamsId { k: 64, s: 64 },
                2,
                "ot-bench",
            )
        };
        let (n0, n1) = (self.nodes[0].clone(), self.nodes[1].clone());
        let (s0, s1) = (spec(&sid), spec(&sid));
        let open1 = tokio::spawn(async move { n1.open_session(s1).await.unwrap() });
        let t0 = n0.open_session(s0).await.unwrap();
        let t1 = open1.await.unwrap();
        extend_pair(t0, t1, v, false).await
    }
}

fn tls(c: &mut Criterion) {
    let rt = runtime();
    let pair = rt.block_on(TlsPair::start());
    let mut g = c.benchmark_group("two parties over loopback TLS (incl. setup)");
    g.sample_size(10);
    g.throughput(Throughput::Elements(TOTAL as u64));
    let mut run = 0u64;
    for v in VARIANTS {
        g.bench_function(BenchmarkId::new(name(v), "correlated OT"), |b| {
            b.iter(|| {
                run += 1;
                rt.block_on(pair.run(format!("ot-bench-{run}"), v))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, aes, one_thread, mesh, tls);
criterion_main!(benches);
