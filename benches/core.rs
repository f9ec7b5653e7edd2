//! Share arithmetic and the local MAC-check work over 2^20 elements for every parameter set,
//! each group with a plain copy of the same bytes (value and MAC arrays) as a
//! memory-bandwidth baseline.
//!
//! Targets (measured here, never asserted): authenticated add over 2^20 `K64S64` elements
//! within 3x the copy time; local MAC-check work under 10 ns per value for `K64S64`.
//!
//! Run: `cargo bench --bench core -- --warm-up-time 1 --measurement-time 3`
//! (figures in docs/BENCHMARKS.md).
//!
//! The inputs are uniform words, not consistent sharings: every operation timed here costs
//! the same whatever the values are, so the bench skips dealing 2^20 real triples.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::rngs::ChaCha20Rng;
use rand::{Rng, SeedableRng};
use spdz2k_core::{
    AuthShares, MacKeyShare, PendingLog, Triples, beaver_combine, check_terms_in_place,
    local_check_share,
};
use spdz2k_ring::{K32S32, K64S64, K66S48, K128S64, Params};
use std::hint::black_box;

/// Elements per batch.
const N: usize = 1 << 20;

fn random_words<P: Params>(rng: &mut ChaCha20Rng, n: usize) -> Vec<P::Word> {
    (0..n).map(|_| P::random(rng)).collect()
}

fn random_shares<P: Params>(rng: &mut ChaCha20Rng) -> AuthShares<P> {
    let values = random_words::<P>(rng, N);
    let macs = random_words::<P>(rng, N);
    AuthShares::from_parts(values, macs).expect("equal lengths")
}

fn bench_set<P: Params>(c: &mut Criterion) {
    let mut rng = ChaCha20Rng::seed_from_u64(0xc07e);
    let key = MacKeyShare::<P>::new(P::random_s(&mut rng));
    // An odd constant, so repeated in-place scaling never drives the shares to zero.
    let constant = P::from_u128(0x9e37_79b9_7f4a_7c15);

    let mut group = c.benchmark_group(format!("core/{}", P::NAME));
    group.throughput(Throughput::Elements(N as u64));

    {
        let x = random_shares::<P>(&mut rng);
        let y = random_shares::<P>(&mut rng);
        let (mut dst_v, mut dst_m) = (x.values().to_vec(), x.macs().to_vec());
        // Baseline: copy the value and MAC arrays of N shares.
        group.bench_function("copy", |bench| {
            bench.iter(|| {
                dst_v.copy_from_slice(black_box(x.values()));
                dst_m.copy_from_slice(black_box(x.macs()));
                black_box((&mut dst_v, &mut dst_m));
            })
        });
        // [x] += [y]: reads two arrays and writes one, for values and for MACs.
        let mut acc = x.clone();
        group.bench_function("add_assign", |bench| {
            bench.iter(|| black_box(&mut acc).add_assign(black_box(&y)))
        });
        // [x] + [y] into a fresh vector (allocates and clones, then adds).
        group.bench_function("add_alloc", |bench| {
            bench.iter(|| black_box(black_box(&x).add(black_box(&y))))
        });
        // c * [x] in place: reads and writes one array, for values and for MACs.
        group.bench_function("scale", |bench| {
            bench.iter(|| black_box(&mut acc).scale(black_box(constant)))
        });
    }
    {
        let t = Triples {
            a: random_shares::<P>(&mut rng),
            b: random_shares::<P>(&mut rng),
            c: random_shares::<P>(&mut rng),
        };
        let opened_ed = random_words::<P>(&mut rng, 2 * N);
        // [z] = [c] + e[b] + d[a] + ed: reads 6 share arrays and e, d; writes 2.
        group.bench_function("beaver_combine", |bench| {
            bench.iter(|| {
                black_box(beaver_combine(
                    black_box(&t),
                    black_box(&opened_ed),
                    &key,
                    0,
                ))
            })
        });
    }
    {
        let opened = random_words::<P>(&mut rng, N);
        let macs = random_words::<P>(&mut rng, N);
        let coins = [7u8; 32];
        // Only the coefficient stream: one 64-bit ChaCha20 output per value, the share of
        // mac_check_local that is not ring arithmetic.
        group.bench_function("mac_check_coefficients_only", |bench| {
            bench.iter(|| {
                let mut coin_rng = ChaCha20Rng::from_seed(black_box(coins));
                let mut acc = 0u64;
                for _ in 0..N {
                    acc ^= coin_rng.next_u64();
                }
                black_box(acc)
            })
        });
        // What the engine logs since issue 16's fourth pass: one check term m_j - alpha_i x_j
        // per value, z_i = sum chi_j t_j (the terms are made when the values are opened).
        let mut terms = macs.clone();
        check_terms_in_place::<P>(&mut terms, &opened, &key);
        let mut log = PendingLog::<P>::new();
        log.push_terms(terms);
        group.bench_function("mac_check_local_terms", |bench| {
            bench.iter(|| black_box(black_box(&log).check_share(&key, coins)))
        });
        // chi_j from ChaCha20, y = sum chi_j x_j, z_i = sum chi_j m_ij - alpha_i y.
        group.bench_function("mac_check_local", |bench| {
            bench.iter(|| {
                black_box(local_check_share(
                    &key,
                    black_box(&opened),
                    black_box(&macs),
                    coins,
                ))
            })
        });
    }
    group.finish();
}

fn core(c: &mut Criterion) {
    bench_set::<K32S32>(c);
    bench_set::<K64S64>(c);
    bench_set::<K66S48>(c);
    bench_set::<K128S64>(c);
}

criterion_group!(benches, core);
criterion_main!(benches);
