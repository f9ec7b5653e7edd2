//! Two-party multiplication, batch 1,000,000, K64S64: loopback mutual TLS between two
//! [`Node`]s versus the in-memory mesh, in one run. Timed: the Beaver round and the MAC
//! check (the online cost); not timed: dealing the triples (an INSECURE dealer, once, then
//! copied for every run) and opening the TLS session (one metadata round trip, reported
//! separately).
//!
//! Prints bytes sent per multiplication per party, then for each transport the median rate
//! and party 0's split between the multiplication round and the MAC check, and the ratio of
//! the two rates. A second group sends the multiplication round's bytes (32 MB each way)
//! through each transport alone, without the engine's arithmetic.
//!
//! Run: `cargo bench --bench online_tls`

mod common;

use common::{Dealt, P, deal, runtime};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use spdz2k::layers::pki::{NodeConfig, SetupOptions, setup};
use spdz2k::prelude::*;
use spdz2k::{NetError, Node, SessionSpec};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BATCH: usize = 1_000_000;

/// One timed run, as party 0 saw it.
#[derive(Clone, Copy, Default)]
struct Run {
    /// Both parties done, from the start of both.
    elapsed: Duration,
    /// Party 0's multiplication round (Beaver openings and combination).
    mul: Duration,
    /// Party 0's MAC check.
    check: Duration,
    /// Payload bytes party 0 sent.
    bytes: u64,
}

/// One party: a batch of multiplications and the MAC check.
async fn multiply<T: Transport + 'static>(
    transport: T,
    (prep, x, y): Dealt,
) -> Result<Run, EngineError> {
    let mut s = Party::new(prep).join(transport)?;
    let start = Instant::now();
    let z = s.mul(&x, &y).await?;
    let mul = start.elapsed();
    s.check().await?;
    let check = start.elapsed() - mul;
    drop(z);
    Ok(Run {
        elapsed: Duration::ZERO,
        mul,
        check,
        bytes: s.report().bytes_sent,
    })
}

/// Runs both parties on already connected transports; returns party 0's view.
async fn run_parties<T: Transport + 'static>(transports: Vec<T>, parties: Vec<Dealt>) -> Run {
    let start = Instant::now();
    let tasks: Vec<_> = transports
        .into_iter()
        .zip(parties)
        .map(|(t, dealt)| tokio::spawn(multiply(t, dealt)))
        .collect();
    let mut run = Run::default();
    for (i, t) in tasks.into_iter().enumerate() {
        let r = t.await.expect("party task").expect("honest run");
        if i == 0 {
            run = r;
        }
    }
    run.elapsed = start.elapsed();
    run
}

fn run_memory(rt: &tokio::runtime::Runtime, dealt: &[Dealt]) -> Run {
    let parties = dealt.to_vec();
    rt.block_on(async move {
        let mesh = MemoryMesh::connect(
            2,
            SessionId::new("bench-memory").expect("valid"),
            Duration::from_secs(60),
        );
        run_parties(mesh, parties).await
    })
}

/// Two party nodes on loopback with keys and configs in a tempdir.
struct TlsPair {
    nodes: Vec<Arc<Node>>,
    sessions: AtomicUsize,
    _dir: tempfile::TempDir,
}

impl TlsPair {
    fn start(rt: &tokio::runtime::Runtime) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut opts = SetupOptions::new(2, 0, dir.path());
        opts.connection_timeout = Duration::from_secs(60);
        let written = setup(&opts).expect("setup");
        let nodes = rt.block_on(async {
            let mut listeners = Vec::new();
            for _ in 0..2 {
                listeners.push(
                    tokio::net::TcpListener::bind("127.0.0.1:0")
                        .await
                        .expect("bind"),
                );
            }
            let addrs: Vec<_> = listeners
                .iter()
                .map(|l| l.local_addr().expect("addr"))
                .collect();
            let mut nodes = Vec::new();
            for (i, (summary, listener)) in written.iter().zip(listeners).enumerate() {
                let mut config = NodeConfig::load(&summary.config_file).expect("config");
                config.listen = Some(addrs[i]);
                for p in &mut config.parties {
                    p.address = addrs[p.index].to_string();
                }
                let node = Node::start_with_listener(config, listener)
                    .await
                    .expect("node starts");
                nodes.push(Arc::new(node));
            }
            nodes
        });
        Self {
            nodes,
            sessions: AtomicUsize::new(0),
            _dir: dir,
        }
    }

    /// Opens a fresh session on both nodes; returns the transports and how long it took.
    async fn open(&self) -> (Vec<spdz2k::TlsSession>, Duration) {
        let k = self.sessions.fetch_add(1, Ordering::Relaxed);
        let start = Instant::now();
        let opening: Vec<_> = self
            .nodes
            .iter()
            .map(|node| {
                let node = node.clone();
                let spec = SessionSpec::new(
                    SessionId::new(format!("bench-tls-{k}")).expect("valid"),
                    P::id(),
                    2,
                    "bench-mul",
                );
                tokio::spawn(async move { node.open_session(spec).await })
            })
            .collect();
        let mut transports = Vec::new();
        for t in opening {
            transports.push(t.await.expect("task").expect("session opens"));
        }
        (transports, start.elapsed())
    }

    /// One run over a fresh session; also returns how long opening the session took.
    fn run(&self, rt: &tokio::runtime::Runtime, dealt: &[Dealt]) -> (Run, Duration) {
        let parties = dealt.to_vec();
        rt.block_on(async move {
            let (transports, opened) = self.open().await;
            (run_parties(transports, parties).await, opened)
        })
    }
}

/// Bytes each party sends in the multiplication round: e and d, 16 bytes each, per product.
const ROUND_BYTES: usize = 32 * BATCH;

/// Transport only: both parties send one `ROUND_BYTES` message and receive the other's, as
/// in the Beaver round, without the engine's arithmetic. Returns the time until both hold
/// the peer's message.
async fn exchange<T: Transport + 'static>(transports: Vec<T>) -> Duration {
    let start = Instant::now();
    let tasks: Vec<_> = transports
        .into_iter()
        .map(|mut t| {
            tokio::spawn(async move {
                let peer = 1 - t.party();
                t.begin_round("exchange");
                t.send(peer, vec![t.party() as u8; ROUND_BYTES]).await?;
                let got = t.recv(peer).await?;
                assert_eq!(got.len(), ROUND_BYTES);
                Ok::<_, NetError>(t)
            })
        })
        .collect();
    let mut ended = Vec::new();
    for t in tasks {
        ended.push(t.await.expect("task").expect("exchange"));
    }
    let elapsed = start.elapsed();
    drop(ended);
    elapsed
}

/// The run of median total time.
fn median(runs: &mut [Run]) -> Run {
    runs.sort_by_key(|r| r.elapsed);
    runs.get(runs.len() / 2).copied().unwrap_or_default()
}

fn bench(c: &mut Criterion) {
    let rt = runtime();
    let tls = TlsPair::start(&rt);
    let dealt = deal(BATCH);

    let mem = run_memory(&rt, &dealt);
    let (over_tls, opened) = tls.run(&rt, &dealt);
    println!(
        "batch {BATCH}: party 0 sent {:.2} bytes per multiplication in memory, {:.2} over TLS \
         (payload, incl. the MAC check); opening a TLS session took {opened:?}",
        mem.bytes as f64 / BATCH as f64,
        over_tls.bytes as f64 / BATCH as f64,
    );

    let memory_runs = Mutex::new(Vec::new());
    let tls_runs = Mutex::new(Vec::new());
    let mut g = c.benchmark_group("two_party_mul_K64S64");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_with_input(BenchmarkId::new("memory", BATCH), &dealt, |b, dealt| {
        b.iter_custom(|iters| {
            let runs: Vec<Run> = (0..iters).map(|_| run_memory(&rt, dealt)).collect();
            memory_runs.lock().expect("runs").extend_from_slice(&runs);
            runs.iter().map(|r| r.elapsed).sum()
        })
    });
    g.bench_with_input(BenchmarkId::new("tls", BATCH), &dealt, |b, dealt| {
        b.iter_custom(|iters| {
            let runs: Vec<Run> = (0..iters).map(|_| tls.run(&rt, dealt).0).collect();
            tls_runs.lock().expect("runs").extend_from_slice(&runs);
            runs.iter().map(|r| r.elapsed).sum()
        })
    });
    g.finish();

    // The same bytes as the multiplication round, through the transport alone.
    let mut g = c.benchmark_group("exchange_32MB_each_way");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    g.throughput(Throughput::Bytes(2 * ROUND_BYTES as u64));
    g.bench_function("memory", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    rt.block_on(exchange(MemoryMesh::connect(
                        2,
                        SessionId::new("exchange").expect("valid"),
                        Duration::from_secs(60),
                    )))
                })
                .sum()
        })
    });
    g.bench_function("tls", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    rt.block_on(async {
                        let (transports, _) = tls.open().await;
                        exchange(transports).await
                    })
                })
                .sum()
        })
    });
    g.finish();

    let rate = |r: &Run| BATCH as f64 / r.elapsed.as_secs_f64();
    let summary = |name: &str, runs: &Mutex<Vec<Run>>| {
        let mut runs = runs.lock().expect("runs");
        let m = median(&mut runs);
        println!(
            "{name}: median of {} runs {:?} = {:.2} M mult/s (party 0: multiplication round {:?}, MAC check {:?})",
            runs.len(),
            m.elapsed,
            rate(&m) / 1e6,
            m.mul,
            m.check,
        );
        m
    };
    let mem = summary("memory", &memory_runs);
    let over_tls = summary("tls", &tls_runs);
    println!("TLS / memory rate = {:.2}", rate(&over_tls) / rate(&mem));

    // The groups above run one after the other, so a change in machine load between them
    // skews their ratio; alternating the two transports run by run does not.
    let mut ratios = Vec::new();
    for _ in 0..PAIRS {
        let m = run_memory(&rt, &dealt);
        let (t, _) = tls.run(&rt, &dealt);
        ratios.push(m.elapsed.as_secs_f64() / t.elapsed.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "TLS / memory rate, median over {PAIRS} alternating pairs = {:.2} (range {:.2} to {:.2})",
        ratios[PAIRS / 2],
        ratios[0],
        ratios[PAIRS - 1],
    );
}

/// Alternating (memory, TLS) runs for the ratio.
const PAIRS: usize = 9;

criterion_group!(benches, bench);
criterion_main!(benches);
