//! Sealing, verifying and opening 100,000 outputs for K64S64, as two parties and one
//! client do: each party seals one bundle of 100,000 shares (x^, b, w); the client verifies
//! both signatures, decrypts both bundles, sums them and checks w = x^ * b for every value.
//!
//! Run: `cargo bench -p spdz2k-output --bench envelope`.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use ed25519_dalek::SigningKey;
use spdz2k_core::{SessionId, rng::seeded_rng};
use spdz2k_output::{
    ClientId, Delivery, Envelope, HpkeKeyPair, Label, OutputBundle, seal_output_bundle,
};
use spdz2k_ring::{K64S64, Params};
use std::hint::black_box;

const M: usize = 100_000;

type P = K64S64;

struct Setup {
    parties: Vec<SigningKey>,
    client_keys: HpkeKeyPair,
    bundles: Vec<OutputBundle<P>>,
    deliveries: Vec<Delivery>,
}

fn setup() -> Setup {
    let mut rng = seeded_rng([3; 32]);
    let parties: Vec<SigningKey> = (0..2).map(|_| SigningKey::generate(&mut rng)).collect();
    let client_keys = HpkeKeyPair::generate(&mut rng);
    // Shares of x^, b and w = x^ * b for two parties.
    let x: Vec<_> = (0..M).map(|_| P::random(&mut rng)).collect();
    let b: Vec<_> = (0..M).map(|_| P::random(&mut rng)).collect();
    let w: Vec<_> = x.iter().zip(&b).map(|(&x, &b)| P::mul(x, b)).collect();
    let mut bundles = Vec::new();
    let share0: Vec<[u128; 3]> = (0..M)
        .map(|_| {
            [
                P::random(&mut rng),
                P::random(&mut rng),
                P::random(&mut rng),
            ]
        })
        .collect();
    bundles.push(OutputBundle {
        x_hat: share0.iter().map(|s| s[0]).collect(),
        b: share0.iter().map(|s| s[1]).collect(),
        w: share0.iter().map(|s| s[2]).collect(),
    });
    bundles.push(OutputBundle {
        x_hat: (0..M).map(|j| P::sub(x[j], share0[j][0])).collect(),
        b: (0..M).map(|j| P::sub(b[j], share0[j][1])).collect(),
        w: (0..M).map(|j| P::sub(w[j], share0[j][2])).collect(),
    });
    let session = SessionId::new("bench").unwrap();
    let deliveries = (0..2)
        .map(|sender| Delivery {
            session: session.clone(),
            label: Label::new("out").unwrap(),
            client: ClientId::new("C0").unwrap(),
            sender,
            seq: 0,
        })
        .collect();
    Setup {
        parties,
        client_keys,
        bundles,
        deliveries,
    }
}

fn seal_all(s: &Setup, rng: &mut rand::rngs::ChaCha20Rng) -> Vec<Vec<u8>> {
    (0..2)
        .map(|i| {
            seal_output_bundle(
                &s.deliveries[i],
                &s.bundles[i],
                s.client_keys.public(),
                &s.parties[i],
                rng,
            )
            .unwrap()
        })
        .collect()
}

fn verify_open_check(s: &Setup, envelopes: &[Vec<u8>]) -> Vec<i128> {
    let mut sum: Option<OutputBundle<P>> = None;
    for (i, bytes) in envelopes.iter().enumerate() {
        let env = Envelope::parse(bytes)
            .unwrap()
            .verify(&s.parties[i].verifying_key())
            .unwrap();
        let b: OutputBundle<P> = env.open_bundle(&s.client_keys).unwrap();
        sum = Some(match sum {
            None => b,
            Some(mut acc) => {
                spdz2k_ring::add_assign::<P>(&mut acc.x_hat, &b.x_hat);
                spdz2k_ring::add_assign::<P>(&mut acc.b, &b.b);
                spdz2k_ring::add_assign::<P>(&mut acc.w, &b.w);
                acc
            }
        });
    }
    let sum = sum.unwrap();
    (0..M)
        .map(|j| {
            assert_eq!(P::mul(sum.x_hat[j], sum.b[j]), sum.w[j]);
            P::to_signed(sum.x_hat[j])
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let s = setup();
    let mut rng = seeded_rng([4; 32]);
    let mut g = c.benchmark_group("envelope_k64s64_2parties_100k");
    g.sample_size(10);
    g.throughput(Throughput::Elements(M as u64));
    g.bench_function("seal_both_parties", |b| {
        b.iter(|| black_box(seal_all(&s, &mut rng)))
    });
    g.bench_function("client_verify_open_check", |b| {
        b.iter_batched(
            || seal_all(&s, &mut seeded_rng([5; 32])),
            |env| black_box(verify_open_check(&s, &env)),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("seal_verify_open_check", |b| {
        b.iter(|| {
            let env = seal_all(&s, &mut rng);
            black_box(verify_open_check(&s, &env))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
