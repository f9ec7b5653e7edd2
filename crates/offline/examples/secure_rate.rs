//! Triples per second and bytes per triple of the offline phase on real OT (SoftSpokenOT
//! d = 4 between every ordered pair, included in time and bytes) for n parties over the
//! in-memory mesh, one process.
//!
//! `cargo run --release -p spdz2k-offline --example secure_rate -- [n] [triples] [batch] [set]`

mod common;

use spdz2k_core::SessionId;
use spdz2k_net::{MemoryMesh, Transport};
use spdz2k_offline::{DEFAULT_VARIANT, SecureOffline, plan};
use spdz2k_prep::PrepCounts;
use spdz2k_ring::{HasCheckRing, dispatch_params};
use std::time::{Duration, Instant};

async fn rate<P: HasCheckRing>(n: usize, total: usize, batch: usize) {
    let mesh = MemoryMesh::connect(n, SessionId::new("rate").unwrap(), Duration::from_secs(600));
    let counts = PrepCounts {
        triples: total as u64,
        input_masks: vec![0; n],
        ..PrepCounts::default()
    };
    let kinds: Vec<_> = plan(&counts, batch).into_iter().map(|(_, k)| k).collect();
    let mut handles = Vec::new();
    for mut t in mesh {
        let kinds = kinds.clone();
        handles.push(tokio::spawn(async move {
            let setup = Instant::now();
            let mut off = SecureOffline::<P>::setup(&mut t, DEFAULT_VARIANT).await?;
            let setup = setup.elapsed().as_secs_f64();
            let (before, start) = (t.stats().bytes_sent, Instant::now());
            let m = off.run(&mut t, &kinds).await?;
            Ok::<_, spdz2k_offline::OfflineError>((
                m.len(),
                t.stats().bytes_sent - before,
                off.ot_bytes_sent(),
                setup,
                start.elapsed().as_secs_f64(),
            ))
        }));
    }
    let (mut sent, mut ot, mut setup, mut secs) = (0, 0, 0f64, 0f64);
    for h in handles {
        let (_, b, o, s, e) = h.await.expect("task").expect("offline phase");
        (sent, ot, setup, secs) = (sent.max(b), ot.max(o), setup.max(s), secs.max(e));
    }
    let made = total as f64;
    println!(
        "{} n={n}: setup {setup:.2} s; {total} triples in {secs:.2} s = {:.0} triples/s; {:.0} bytes sent per triple per party ({:.0} of them OT extension)",
        P::NAME,
        made / secs,
        sent as f64 / made,
        ot as f64 / made,
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let (n, total, batch, params) = common::args();
    dispatch_params!(params, P => rate::<P>(n, total, batch).await, else ())
}
