//! Two-party multiplication over the in-memory mesh, K64S64, batches of 1, 1,000 and
//! 1,000,000: the online cost (Beaver openings plus the amortised MAC check) with
//! preprocessing dealt beforehand, outside the timing. Prints bytes sent per multiplication
//! per party beside criterion's throughput.
//!
//! Run: `cargo bench --bench online_mesh`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use spdz2k::layers::core::{AuthShares, InsecureDealer, KeySetId, MacKeyShare, Triples};
use spdz2k::layers::prep::{InputMasks, PrepCounts, PrepError, Preprocessing};
use spdz2k::prelude::*;
use std::time::{Duration, Instant};

type P = K64S64;

/// Triples dealt ahead of time and handed out from memory, so the timing is online only.
struct PreDealt {
    party: usize,
    key: MacKeyShare<P>,
    key_set: KeySetId,
    triples: Triples<P>,
    masks: AuthShares<P>,
}

impl Preprocessing<P> for PreDealt {
    fn party(&self) -> usize {
        self.party
    }
    fn n_parties(&self) -> usize {
        2
    }
    fn key_set_id(&self) -> KeySetId {
        self.key_set
    }
    fn mac_key_share(&self) -> MacKeyShare<P> {
        self.key
    }
    fn available(&self) -> PrepCounts {
        PrepCounts::unbounded(2)
    }
    fn triples(&mut self, n: usize) -> Result<Triples<P>, PrepError> {
        Ok(self.triples.take_front(n))
    }
    fn randoms(&mut self, n: usize) -> Result<AuthShares<P>, PrepError> {
        Ok(self.masks.take_front(n))
    }
    fn open_masks(&mut self, n: usize) -> Result<AuthShares<P>, PrepError> {
        Ok(self.masks.take_front(n))
    }
    fn input_masks(&mut self, _owner: usize, n: usize) -> Result<InputMasks<P>, PrepError> {
        Ok(InputMasks {
            shares: self.masks.take_front(n),
            clear: None,
        })
    }
}

fn deal(batch: usize) -> Vec<(PreDealt, Secret<P>, Secret<P>)> {
    let mut dealer = InsecureDealer::<P>::new(2, [9; 32]);
    let (_, x) = dealer.randoms(batch);
    let (_, y) = dealer.randoms(batch);
    let triples = dealer.triples(batch);
    let key_set = dealer.key_set_id();
    triples
        .into_iter()
        .zip(x.into_iter().zip(y))
        .enumerate()
        .map(|(party, (triples, (x, y)))| {
            let prep = PreDealt {
                party,
                key: dealer.mac_key_share(party),
                key_set,
                triples,
                masks: AuthShares::default(),
            };
            (prep, Secret::from_shares(x), Secret::from_shares(y))
        })
        .collect()
}

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
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
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
