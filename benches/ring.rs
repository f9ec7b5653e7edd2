//! Ring kernels over 2^20 elements for every parameter set, each group with a plain copy of
//! the same bytes as a memory-bandwidth baseline.
//!
//! Run: `cargo bench --bench ring -- --warm-up-time 1 --measurement-time 3`
//! (figures in docs/BENCHMARKS.md).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use spdz2k_ring::{K32S32, K64S64, K66S48, K128S64, Params};
use std::hint::black_box;

/// Elements per slice: large enough that the arrays do not fit in cache, as in a real batch.
const N: usize = 1 << 20;

fn random_vec<P: Params>(rng: &mut ChaCha20Rng) -> Vec<P::Word> {
    (0..N).map(|_| P::random(rng)).collect()
}

fn bench_set<P: Params>(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::seed_from_u64(0xbe7c);
    let a = random_vec::<P>(&mut rng);
    let b = random_vec::<P>(&mut rng);
    let constant = P::random(&mut rng);
    let mut out = a.clone();

    let mut group = c.benchmark_group(format!("ring/{}", P::NAME));
    group.throughput(Throughput::Elements(N as u64));

    // Baseline: read one array, write another (N words each way).
    group.bench_function("copy", |bench| {
        bench.iter(|| {
            out.copy_from_slice(black_box(&a));
            black_box(&mut out);
        })
    });
    // out[i] = a[i] * b[i]: reads two arrays, writes one.
    group.bench_function("mul", |bench| {
        bench.iter(|| {
            for ((o, &x), &y) in out.iter_mut().zip(black_box(&a)).zip(black_box(&b)) {
                *o = P::mul(x, y);
            }
            black_box(&mut out);
        })
    });
    // out[i] += b[i]: reads two arrays, writes one.
    group.bench_function("add_assign", |bench| {
        bench.iter(|| {
            spdz2k_ring::add_assign::<P>(black_box(&mut out), black_box(&b));
        })
    });
    // out[i] += c * b[i].
    group.bench_function("axpy", |bench| {
        bench.iter(|| {
            spdz2k_ring::axpy::<P>(black_box(&mut out), black_box(constant), black_box(&b));
        })
    });
    // sum a[i] * b[i]: reads two arrays, writes nothing.
    group.bench_function("inner_product", |bench| {
        bench.iter(|| {
            black_box(spdz2k_ring::inner_product::<P>(
                black_box(&a),
                black_box(&b),
            ))
        })
    });
    group.finish();
}

fn ring(c: &mut Criterion) {
    bench_set::<K32S32>(c);
    bench_set::<K64S64>(c);
    bench_set::<K66S48>(c);
    bench_set::<K128S64>(c);
}

criterion_group!(benches, ring);
criterion_main!(benches);
