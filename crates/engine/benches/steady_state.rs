//! The steady state of the online phase allocates nothing per batch: the pending log takes
//! its chunks by move and gives their memory (and its chunk list) back after each check,
//! and the receive path (receiving, decoding, summing, combining) reuses the session's
//! spare buffers.
//!
//! A counting global allocator (in this bench binary only) counts every allocation. After
//! criterion's timings the bench prints how many allocations there were (all sizes, and
//! those of 4 KiB or more), with the triples preloaded: per cycle of the pending log, per
//! multiplication call of k pipelined sub-batches followed by a MAC check, and per
//! sub-batch (the slope from 1 to 16 sub-batches per call). What remains per call is
//! fixed: the caller's output vectors, the call's list of sub-batches, and the MAC check's
//! four short rounds.
//!
//! Run: `cargo bench -p spdz2k-engine --bench steady_state`
// A counting global allocator needs `unsafe impl GlobalAlloc` (bench binary only).
#![allow(unsafe_code)]

use criterion::{Criterion, criterion_group, criterion_main};
use spdz2k_core::{InsecureDealer, LogChunk, PendingLog, SessionId};
use spdz2k_engine::{Secret, Session, SessionOptions};
use spdz2k_net::{MemoryMesh, MemoryTransport};
use spdz2k_prep::{InsecureDealerSource, PrepCounts};
use spdz2k_ring::{K64S64, Params};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

type P = K64S64;
type W = <P as Params>::Word;

/// Counts allocations (and reallocations, which allocate) on top of the system allocator.
struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
static LARGE: AtomicU64 = AtomicU64::new(0);
const LARGE_BYTES: usize = 4096;

fn count(size: usize) {
    ALLOCS.fetch_add(1, Relaxed);
    if size >= LARGE_BYTES {
        LARGE.fetch_add(1, Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counters are
// atomics and never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// (allocations, allocations of 4 KiB or more) during `f`.
fn allocations(f: impl FnOnce()) -> (u64, u64) {
    let (a, l) = (ALLOCS.load(Relaxed), LARGE.load(Relaxed));
    f();
    (ALLOCS.load(Relaxed) - a, LARGE.load(Relaxed) - l)
}

/// Values per opening (one sub-batch of 2^9 products opens 2^10 values).
const CHUNK: usize = 1 << 10;
/// Openings per MAC check.
const CHUNKS_PER_CHECK: usize = 16;

/// One check cycle of the pending log: openings' check terms moved in from spare vectors
/// (as the engine logs them), the local check share over the chunks, and the vectors
/// handed back.
struct LogCycle {
    log: PendingLog<P>,
    spare: Vec<Vec<W>>,
    key: spdz2k_core::MacKeyShare<P>,
}

impl LogCycle {
    fn new() -> Self {
        let dealer = InsecureDealer::<P>::new(2, [1; 32]);
        let spare = (0..CHUNKS_PER_CHECK).map(|i| vec![i as W; CHUNK]).collect();
        Self {
            log: PendingLog::new(),
            spare,
            key: dealer.mac_key_share(0),
        }
    }
    fn cycle(&mut self) -> W {
        for _ in 0..CHUNKS_PER_CHECK {
            let Some(terms) = self.spare.pop() else { break };
            self.log.push_terms(terms);
        }
        let log = self.log.take();
        let z = log.check_share(&self.key, [7; 32]);
        let mut chunks = log.into_chunks();
        self.spare
            .extend(chunks.drain(..).flat_map(LogChunk::into_vecs));
        self.log.recycle(chunks);
        z
    }
}

type Party = (
    Session<P, MemoryTransport, InsecureDealerSource<P>>,
    Secret<P>,
);

/// Two parties over the in-memory mesh, sub-batches of `CHUNK / 2` products, a MAC check
/// once `check_bound` opened values are pending (after the call that reaches it), a
/// constant vector of `len` values to multiply and
/// triples for `calls` multiplications of it preloaded.
fn parties(
    rt: &tokio::runtime::Runtime,
    len: usize,
    calls: usize,
    check_bound: usize,
) -> Vec<Party> {
    let sid = SessionId::new("steady-state").expect("valid");
    let options = SessionOptions { check_bound };
    let ps: Vec<Party> = MemoryMesh::connect(2, sid, Duration::from_secs(60))
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let prep = InsecureDealerSource::<P>::new(i, 2, [2; 32]).expect("valid");
            let mut s = Session::new(t, prep, options.clone()).expect("starts");
            s.set_sub_batch(CHUNK / 2);
            let x = s.constant(&vec![P::from_i128(3); len]);
            (s, x)
        })
        .collect();
    rt.block_on(async move {
        let mut counts = PrepCounts::zero(2);
        counts.triples = (len * calls) as u64;
        both(ps.into_iter().map(|(mut s, x)| {
            let counts = counts.clone();
            async move {
                s.preload(&counts).await.expect("preloads");
                (s, x)
            }
        }))
        .await
    })
}

/// `calls` multiplications of each party's vector by itself, both parties concurrently.
fn mul_calls(rt: &tokio::runtime::Runtime, ps: Vec<Party>, calls: usize) -> Vec<Party> {
    rt.block_on(async move {
        both(ps.into_iter().map(|(mut s, x)| async move {
            for _ in 0..calls {
                black_box(s.mul(&x, &x).await.expect("honest run"));
            }
            (s, x)
        }))
        .await
    })
}

/// Runs the two parties' futures concurrently; returns the parties in order.
async fn both<F: std::future::Future<Output = Party>>(
    mut tasks: impl Iterator<Item = F>,
) -> Vec<Party> {
    let (a, b) = (tasks.next().expect("two"), tasks.next().expect("two"));
    let (a, b) = tokio::join!(a, b);
    vec![a, b]
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("steady_state");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(300));
    let mut log = LogCycle::new();
    g.bench_function("pending_log_cycle_16x4096", |b| b.iter(|| log.cycle()));
    let rt = runtime();
    let mut ps = Some(parties(&rt, 16 * CHUNK / 2, 0, CHUNK * CHUNKS_PER_CHECK));
    g.bench_function("mul_16_sub_batches_of_512", |b| {
        b.iter(|| ps = Some(mul_calls(&rt, ps.take().expect("parties"), 1)))
    });
    g.finish();
    report(&rt);
}

/// Prints allocations per log cycle, and per multiplication call and per sub-batch in the
/// steady state.
fn report(rt: &tokio::runtime::Runtime) {
    let mut log = LogCycle::new();
    log.cycle();
    let cycles = 50;
    let (a, l) = allocations(|| {
        for _ in 0..cycles {
            black_box(log.cycle());
        }
    });
    println!(
        "ALLOCATIONS pending log: {:.2} per check cycle of {CHUNKS_PER_CHECK} chunks ({:.2} of 4 KiB or more)",
        a as f64 / cycles as f64,
        l as f64 / cycles as f64
    );
    // A MAC check after every call, so that each call costs the same fixed part (the
    // check's four short rounds, the call's output vectors) plus its sub-batches; the
    // slope over the number of sub-batches is the cost of one sub-batch.
    let ks = [1, 4, 16];
    let mut per_call = Vec::new();
    for k in ks {
        // Warm up: enough calls for the MAC checks to hand the log's vectors back.
        let (warm, calls) = (4, 32);
        let mut ps = parties(rt, k * CHUNK / 2, warm + calls, 1);
        ps = mul_calls(rt, ps, warm);
        let mut slot = Some(ps);
        let (a, l) =
            allocations(|| slot = Some(mul_calls(rt, slot.take().expect("parties"), calls)));
        let per = |x: u64| x as f64 / calls as f64 / 2.0;
        println!(
            "ALLOCATIONS receive path: {k:>2} sub-batches per call (a MAC check after each): {:.2} allocations per call per party ({:.2} of 4 KiB or more)",
            per(a),
            per(l)
        );
        per_call.push((k as f64, per(a), per(l)));
    }
    let (first, last) = (per_call[0], per_call[per_call.len() - 1]);
    // (Rounded to hundredths first, so that noise of a few allocations in 32 calls, e.g.
    // the channels' block lists, does not print as -0.00.)
    let slope = |a: f64, b: f64| (((b - a) / (last.0 - first.0)) * 100.0).round() / 100.0 + 0.0;
    println!(
        "ALLOCATIONS receive path: {:.2} per sub-batch per party ({:.2} of 4 KiB or more)",
        slope(first.1, last.1),
        slope(first.2, last.2)
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
