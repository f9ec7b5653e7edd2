//! A private output reveals the k-bit result to its receiver and nothing above it.
//!
//! The receiver's whole view of the output opening is recorded: the opened value (its own
//! share as sent plus the peer's share as received) and the input masks it knows. Before the
//! fix it learned x mod 2^(k+s): choosing its own input 2^32, it recovered the other party's
//! whole 64-bit input from a product whose k-bit value fixes only 32 of its bits.

use spdz2k_core::{AuthShares, KeySetId, MacKeyShare, SessionId, Triples, WireMsg};
use spdz2k_engine::{Session, SessionOptions};
use spdz2k_net::{NetError, TrafficStats, Transport};
use spdz2k_prep::{InputMasks, InsecureDealerSource, PrepCounts, PrepError, Preprocessing};
use spdz2k_ring::{K64S64, Params};
use spdz2k_testkit::mesh::{MESH_TIMEOUT, on_mesh};
use std::sync::{Arc, Mutex};

type P = K64S64;
const RECEIVER: usize = 1;
/// Values per run: each is one sample of the receiver's view.
const SAMPLES: usize = 64;

/// A transport that records every opening it sends or receives in the private-output round.
struct Recording<T> {
    inner: T,
    phase: &'static str,
    openings: Arc<Mutex<Vec<Vec<u128>>>>,
}

impl<T> Recording<T> {
    fn record(&self, bytes: &[u8]) {
        if self.phase == "private output"
            && let Ok(WireMsg::<P>::Opening(v)) = WireMsg::decode(bytes)
        {
            self.openings.lock().unwrap().push(v);
        }
    }
}

impl<T: Transport> Transport for Recording<T> {
    fn party(&self) -> usize {
        self.inner.party()
    }
    fn n_parties(&self) -> usize {
        self.inner.n_parties()
    }
    fn session_id(&self) -> &SessionId {
        self.inner.session_id()
    }
    fn begin_round(&mut self, phase: &'static str) {
        self.phase = phase;
        self.inner.begin_round(phase);
    }
    async fn send(&mut self, to: usize, msg: Vec<u8>) -> Result<(), NetError> {
        self.record(&msg);
        self.inner.send(to, msg).await
    }
    async fn recv(&mut self, from: usize) -> Result<Vec<u8>, NetError> {
        let msg = self.inner.recv(from).await?;
        self.record(&msg);
        Ok(msg)
    }
    fn stats(&self) -> TrafficStats {
        self.inner.stats()
    }
}

/// Preprocessing that remembers the last clear input masks it handed out.
struct Remembering {
    inner: InsecureDealerSource<P>,
    clear: Arc<Mutex<Option<Vec<u128>>>>,
}

impl Preprocessing<P> for Remembering {
    fn party(&self) -> usize {
        self.inner.party()
    }
    fn n_parties(&self) -> usize {
        self.inner.n_parties()
    }
    fn key_set_id(&self) -> KeySetId {
        self.inner.key_set_id()
    }
    fn mac_key_share(&self) -> MacKeyShare<P> {
        self.inner.mac_key_share()
    }
    fn available(&self) -> PrepCounts {
        self.inner.available()
    }
    fn triples(&mut self, n: usize) -> Result<Triples<P>, PrepError> {
        self.inner.triples(n)
    }
    fn randoms(&mut self, n: usize) -> Result<AuthShares<P>, PrepError> {
        self.inner.randoms(n)
    }
    fn open_masks(&mut self, n: usize) -> Result<AuthShares<P>, PrepError> {
        self.inner.open_masks(n)
    }
    fn input_masks(&mut self, owner: usize, n: usize) -> Result<InputMasks<P>, PrepError> {
        let m = self.inner.input_masks(owner, n)?;
        if let Some(c) = &m.clear {
            *self.clear.lock().unwrap() = Some(c.clone());
        }
        Ok(m)
    }
}

/// Party 0 inputs `secret` SAMPLES times, the receiver inputs 2^32 as often; the product goes
/// to the receiver. Returns the receiver's k-bit results and its view of each opened value
/// with its own mask removed, i.e. what it learns about x mod 2^(k+s).
async fn receiver_view(secret: u128, seed: u8) -> (Vec<u128>, Vec<u128>) {
    let sid = format!("private-output-{seed}");
    let receiver_openings = Arc::new(Mutex::new(Vec::new()));
    let clear = Arc::new(Mutex::new(None));
    let mut results = on_mesh(2, &sid, MESH_TIMEOUT, |me, t| {
        let transport = Recording {
            inner: t,
            phase: "",
            // Only the receiver's view is of interest.
            openings: if me == RECEIVER {
                receiver_openings.clone()
            } else {
                Arc::default()
            },
        };
        let prep = Remembering {
            inner: InsecureDealerSource::new(me, 2, [seed; 32]).unwrap(),
            clear: clear.clone(),
        };
        async move {
            let mut s = Session::new(transport, prep, SessionOptions::default()).unwrap();
            let mine = [if me == 0 { secret } else { 1u128 << 32 }; SAMPLES];
            let x = s.input(0, (me == 0).then_some(&mine[..]), SAMPLES).await?;
            let y = s.input(1, (me == 1).then_some(&mine[..]), SAMPLES).await?;
            let xy = s.mul(&x, &y).await?;
            let out = s.output_to(RECEIVER, &xy).await?;
            s.finish().await?;
            Ok::<_, spdz2k_engine::EngineError>(out)
        }
    })
    .await
    .into_iter()
    .map(Result::unwrap)
    .collect::<Vec<_>>();
    let result = results
        .remove(RECEIVER)
        .expect("the receiver gets the output");
    assert!(results[0].is_none(), "only the receiver gets the output");
    // The receiver's own share as sent and party 0's share as received.
    let openings = receiver_openings.lock().unwrap();
    assert_eq!(openings.len(), 2, "one share sent and one received");
    let r = clear.lock().unwrap().clone().expect("receiver's masks");
    let view = (0..SAMPLES)
        .map(|j| P::add(P::add(openings[0][j], openings[1][j]), r[j]))
        .collect();
    (result, view)
}

fn top_bits(view: &[u128]) -> Vec<u128> {
    view.iter().map(|&v| v >> P::K).collect()
}

#[tokio::test]
async fn receiver_learns_nothing_above_the_k_bit_result() {
    // Two secrets that agree mod 2^32, so both products agree mod 2^64 = 2^k.
    let a: u128 = 0x1234_5678_9abc_def0;
    let b: u128 = 0xfedc_ba98_9abc_def0;
    let (res_a, view_a) = receiver_view(a, 91).await;
    let (res_b, view_b) = receiver_view(b, 92).await;
    let expected = (a << 32) & ((1 << 64) - 1);
    assert!(res_a.iter().chain(&res_b).all(|&v| v == expected));

    for (secret, view) in [(a, &view_a), (b, &view_b)] {
        let top = top_bits(view);
        // The attack: the top s bits of the view are the overflow of secret * 2^32.
        assert!(
            top.iter().all(|&t| t != secret >> 32),
            "the receiver recovered the other party's whole input {secret:#x}"
        );
        // Every top bit is uniform: each position takes both values, with a frequency well
        // inside the binomial bulk (64 samples: mean 32, standard deviation 4).
        for bit in 0..P::S {
            let ones = top.iter().filter(|&&t| (t >> bit) & 1 == 1).count();
            assert!(
                (8..=56).contains(&ones),
                "bit {} of the view is set {ones} times in {SAMPLES} runs: not uniform",
                P::K + bit
            );
        }
    }
}
