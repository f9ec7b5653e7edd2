//! The async driver over real transports: every output kind for every ordered pair of
//! n = 2 and n = 3 parties over the in-memory mesh, and n = 2 over loopback mutual TLS.

use spdz2k_core::SessionId;
use spdz2k_net::Transport;
use spdz2k_ot::{Block, OtContext, OtError, driver, words};
use spdz2k_testkit::mesh::transports;
use spdz2k_testkit::{Cluster, on_mesh};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(30);
const M_COT: usize = 1000;
const M_WORDS: usize = 300;
const L_BITS: usize = 100;
const S_BITS: usize = 8;

#[derive(Default)]
struct Sent {
    delta: u128,
    q: Vec<u128>,
    pads: Vec<[Block; 2]>,
    b: [u64; 2],
    z: Vec<[u64; 2]>,
    vole_pairs: Vec<[Block; 2]>,
}

#[derive(Default)]
struct Received {
    choices: Vec<u128>,
    t: Vec<u128>,
    pad_choices: Vec<u128>,
    pads: Vec<Block>,
    word_choices: Vec<bool>,
    y: Vec<[u64; 2]>,
    alpha_bits: Vec<bool>,
    vole_seeds: Vec<Block>,
}

/// What party `me` saw, keyed by ordered pair (sender, receiver).
type Views = Vec<((usize, usize), Sent, Received)>;

fn alpha_bits(party: usize) -> Vec<bool> {
    (0..S_BITS)
        .map(|u| ((0x5a ^ (party * 0x33)) >> u) & 1 == 1)
        .collect()
}

/// KOS for n = 2 over the mesh, SoftSpokenOT d = 4 for n = 3 (and d = 2 over TLS).
fn variant(n: usize) -> spdz2k_ot::Variant {
    if n == 3 {
        spdz2k_ot::Variant::SoftSpoken { d: 4 }
    } else {
        spdz2k_ot::Variant::Kos
    }
}

async fn party<T: Transport>(mut t: T, variant: spdz2k_ot::Variant) -> Result<Views, OtError> {
    let (me, n) = (t.party(), t.n_parties());
    let session = t.session_id().clone();
    let mut rng = spdz2k_core::rng::secure_rng();
    let mut pw = driver::setup_all_pairs(&mut t, 0, variant, &mut rng).await?;
    let mut views = Views::new();
    for s in 0..n {
        for r in (0..n).filter(|&r| r != s) {
            let (mut sent, mut recv) = (Sent::default(), Received::default());
            let vole_ctx = OtContext::new(session.clone(), s, r, 1);
            if me == s {
                let kos = pw.senders[r].as_mut().expect("sender set up");
                let c = driver::extend_sender(&mut t, kos, M_COT, &mut rng).await?;
                (sent.delta, sent.q) = (c.delta().0, c.q_words().to_vec());
                sent.pads = c.into_random_ots();
                let c = driver::extend_sender(&mut t, kos, M_WORDS, &mut rng).await?;
                sent.b = words::mask([me as u64 * 77 + 5, u64::MAX], L_BITS);
                sent.z = driver::send_words::<_, 2>(&mut t, r, c, L_BITS, &[sent.b]).await?;
                let v = driver::vole_seeds_sender(&mut t, &vole_ctx, S_BITS, &mut rng).await?;
                sent.vole_pairs = (0..S_BITS).map(|u| v.pair(u)).collect();
            } else if me == r {
                let kos = pw.receivers[s].as_mut().expect("receiver set up");
                let choices = vec![0x0123_4567_89ab_cdef_u128 * (me as u128 + 3); 8];
                let c =
                    driver::extend_receiver(&mut t, kos, Some(&choices), M_COT, &mut rng).await?;
                (recv.choices, recv.t) = (c.choices_packed().to_vec(), c.t_words().to_vec());
                (recv.pad_choices, recv.pads) = c.into_random_ots();
                let c = driver::extend_receiver(&mut t, kos, None, M_WORDS, &mut rng).await?;
                recv.word_choices = (0..M_WORDS).map(|j| c.choice(j)).collect();
                recv.y = driver::receive_words::<_, 2>(&mut t, s, c, L_BITS).await?;
                recv.alpha_bits = alpha_bits(me);
                let v = driver::vole_seeds_receiver(&mut t, &vole_ctx, &recv.alpha_bits, &mut rng)
                    .await?;
                recv.vole_seeds = (0..S_BITS).map(|u| v.seed(u)).collect();
            } else {
                continue;
            }
            views.push(((s, r), sent, recv));
        }
    }
    Ok(views)
}

fn check_views(n: usize, all: Vec<Views>) {
    let find = |p: usize, pair: (usize, usize)| all[p].iter().find(|v| v.0 == pair).unwrap();
    let mut pairs = 0;
    for s in 0..n {
        for r in (0..n).filter(|&r| r != s) {
            pairs += 1;
            let sent = &find(s, (s, r)).1;
            let recv = &find(r, (s, r)).2;
            for j in 0..M_COT {
                let x = (recv.choices[j / 128] >> (j % 128)) & 1;
                let want_x = ((0x0123_4567_89ab_cdef_u128 * (r as u128 + 3)) >> (j % 128)) & 1;
                assert_eq!(x, want_x, "pair {s}->{r}: choice {j}");
                assert_eq!(
                    recv.t[j],
                    sent.q[j] ^ (x * sent.delta),
                    "pair {s}->{r}: COT {j}"
                );
                let px = (recv.pad_choices[j / 128] >> (j % 128)) & 1;
                assert_eq!(
                    recv.pads[j], sent.pads[j][px as usize],
                    "pair {s}->{r}: ROT {j}"
                );
            }
            for j in 0..M_WORDS {
                let sum = words::add(&recv.y[j], &sent.z[j], L_BITS);
                let want = if recv.word_choices[j] { sent.b } else { [0; 2] };
                assert_eq!(sum, want, "pair {s}->{r}: word COT {j}");
            }
            for u in 0..S_BITS {
                let c = recv.alpha_bits[u] as usize;
                assert_eq!(
                    recv.vole_seeds[u], sent.vole_pairs[u][c],
                    "pair {s}->{r}: seed {u}"
                );
                assert_ne!(recv.vole_seeds[u], sent.vole_pairs[u][1 - c]);
            }
        }
    }
    assert_eq!(pairs, n * (n - 1));
}

/// Every party's views, in party order (panics naming a party that failed).
fn unwrap_views(all: Vec<Result<Views, OtError>>) -> Vec<Views> {
    all.into_iter()
        .enumerate()
        .map(|(i, r)| r.unwrap_or_else(|e| panic!("party {i}: {e}")))
        .collect()
}

async fn over_mesh(n: usize) {
    let all = on_mesh(n, &format!("ot-mesh-{n}"), TIMEOUT, |_, t| {
        party(t, variant(n))
    })
    .await;
    check_views(n, unwrap_views(all));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_output_kind_for_every_pair_over_the_mesh_n2() {
    over_mesh(2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_output_kind_for_every_pair_over_the_mesh_n3() {
    over_mesh(3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_output_kind_over_loopback_tls() {
    let n = 2;
    let cluster = Cluster::start(n, TIMEOUT).await;
    let all = cluster
        .on_sessions(spdz2k_testkit::tls::spec("ot-tls", n), |_, t| {
            party(t, spdz2k_ot::Variant::SoftSpoken { d: 2 })
        })
        .await;
    check_views(n, unwrap_views(all));
}

#[tokio::test]
async fn a_cheating_receiver_over_the_mesh_gets_a_typed_error_and_a_retired_sender() {
    // The receiver's matrix message is altered in transit on 64 columns of one OT: the
    // sender's check fails, names the pair, session and check, and the sender is retired.
    let sid = SessionId::new("ot-cheat").unwrap();
    let mut mesh = transports(2, sid.as_str());
    let mut t1 = mesh.pop().unwrap();
    let mut t0 = mesh.pop().unwrap();
    let ctx = OtContext::new(sid, 0, 1, 0);
    let cheater = tokio::spawn(async move {
        let mut rng = spdz2k_core::rng::secure_rng();
        let mut kos = driver::setup_receiver(&mut t1, &ctx, spdz2k_ot::Variant::Kos, &mut rng)
            .await
            .unwrap();
        let mut m1 = kos.extend_random(128, &mut rng).unwrap();
        let nb = 1 + spdz2k_ot::ext::CHECK_OTS / 128;
        for i in 0..64 {
            m1[spdz2k_ot::wire::HEADER_LEN + 32 + i * nb * 16] ^= 1;
        }
        t1.send(0, m1).await.unwrap();
        let m2 = t1.recv(0).await.unwrap();
        let (_, m3) = kos.finish(&m2).unwrap();
        t1.send(0, m3).await.unwrap();
        t1
    });
    let mut rng = spdz2k_core::rng::secure_rng();
    let ctx0 = OtContext::new(SessionId::new("ot-cheat").unwrap(), 0, 1, 0);
    let mut s = driver::setup_sender(&mut t0, &ctx0, spdz2k_ot::Variant::Kos, &mut rng)
        .await
        .unwrap();
    let err = driver::extend_sender(&mut t0, &mut s, 128, &mut rng)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(
            err,
            OtError::CheckFailed {
                party: 0,
                peer: 1,
                ..
            }
        ),
        "{text}"
    );
    assert!(
        text.contains("ot-cheat") && text.contains("KOS15 correlation check"),
        "{text}"
    );
    assert!(s.is_retired());
    drop(cheater.await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_chunks_stream_correct_ots_in_order() {
    let sid = SessionId::new("ot-pipe").unwrap();
    let mut mesh = transports(2, sid.as_str());
    let mut t1 = mesh.pop().unwrap();
    let mut t0 = mesh.pop().unwrap();
    let ctx = OtContext::new(sid, 0, 1, 0);
    let ctx1 = ctx.clone();
    let v = spdz2k_ot::Variant::SoftSpoken { d: 4 };
    let (m, chunks) = (700, 5);
    let recv = tokio::spawn(async move {
        let mut rng = spdz2k_core::rng::secure_rng();
        let mut r = driver::setup_receiver(&mut t1, &ctx1, v, &mut rng)
            .await
            .unwrap();
        let mut got = vec![];
        driver::extend_pipelined(&mut t1, &mut r, m, chunks, &mut rng, |c| {
            got.push((
                c.first_index(),
                c.choices_packed().to_vec(),
                c.t_words().to_vec(),
            ));
            Ok(())
        })
        .await
        .unwrap();
        got
    });
    let mut rng = spdz2k_core::rng::secure_rng();
    let mut s = driver::setup_sender(&mut t0, &ctx, v, &mut rng)
        .await
        .unwrap();
    let mut sent = vec![];
    driver::extend_pipelined(&mut t0, &mut s, m, chunks, &mut rng, |c| {
        sent.push((c.first_index(), c.delta().0, c.q_words().to_vec()));
        Ok(())
    })
    .await
    .unwrap();
    let got = recv.await.unwrap();
    assert_eq!(got.len(), chunks);
    for (k, ((fi, choices, t), (fs, delta, q))) in got.iter().zip(&sent).enumerate() {
        assert_eq!((*fi, *fs), ((k * m) as u64, (k * m) as u64));
        for j in 0..m {
            let x = (choices[j / 128] >> (j % 128)) & 1;
            assert_eq!(t[j], q[j] ^ (x * delta), "chunk {k}, OT {j}");
        }
    }
}
