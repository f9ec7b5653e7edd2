//! The online engine over loopback mutual TLS: every party is a [`Node`] started in its own
//! tokio task on 127.0.0.1 (listeners bound on port 0, configs written by `spdz2k_pki::setup`
//! into a tempdir and pointed at those ports), and every session runs over a [`TlsSession`].
//!
//! * Random circuits (multiplicative depth 11, width 100, inputs from every party,
//!   constants, add, sub, mul) against plaintext, for n = 2 and 3 and every parameter set.
//! * Tamper cases (altered opening share, altered z, altered coin seed, an input sent
//!   differently to two parties): every honest party aborts with a typed reason, releases no
//!   value, and refuses further work.
//! * 100 concurrent sessions on one pair of nodes, each computing something different and
//!   checking its own result.

use spdz2k::layers::core::WireMsg;
use spdz2k::{
    AbortReason, EngineError, InsecureDealerSource, K32S32, K64S64, K66S48, K128S64, Params, Phase,
    Session, SessionId, SessionOptions, SessionReport, SessionSpec,
};
use spdz2k_testkit::Cluster;
use spdz2k_testkit::tls::TlsTestSession;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

/// Bound on every network wait (connection set-up and every receive). Generous for CI.
const TIMEOUT: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------
// Random circuits against plaintext.

// The random circuits are the in-memory suite's, shared so both suites test the same thing.
use spdz2k_testkit::circuit::{MUL_DEPTH, WIDTH, evaluate, plaintext, random_circuit};

async fn check_circuit<P: Params>(cluster: &Cluster, seed: u64) {
    let n = cluster.n();
    let c = Arc::new(random_circuit::<P>(n, WIDTH, MUL_DEPTH, seed));
    let (expect, expect_dot) = plaintext(&c);
    let sid = format!("circuit-{}-n{n}", P::NAME);
    let results = cluster
        .run::<P, _, _, _>(&sid, seed as u8, SessionOptions::default(), move |me, s| {
            evaluate(me, s, c.clone())
        })
        .await;
    for (i, r) in results.into_iter().enumerate() {
        let (outs, dot, report) = r.unwrap_or_else(|e| panic!("{sid} party {i}: {e}"));
        assert_eq!(outs, expect, "{sid} party {i}: opened outputs differ");
        assert_eq!(dot, expect_dot, "{sid} party {i}: dot product differs");
        // Traffic really crossed the TLS session, and the outputs were checked.
        assert!(
            report.bytes_sent > 0 && report.bytes_received > 0,
            "{report:?}"
        );
        assert!(
            report.checks >= 1 && report.values_checked > 0,
            "{report:?}"
        );
    }
}

async fn circuits_for(n: usize) {
    let cluster = Cluster::start(n, TIMEOUT).await;
    let base = 100 * n as u64;
    check_circuit::<K32S32>(&cluster, base + 1).await;
    check_circuit::<K64S64>(&cluster, base + 2).await;
    check_circuit::<K66S48>(&cluster, base + 3).await;
    check_circuit::<K128S64>(&cluster, base + 4).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_circuits_match_plaintext_over_tls_two_parties() {
    circuits_for(2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_circuits_match_plaintext_over_tls_three_parties() {
    circuits_for(3).await;
}

// ---------------------------------------------------------------------------------------
// Tamper cases: one party cheats through the engine's tamper hook.

// The cheating party is the in-memory suite's, shared so both suites test the same thing.
use spdz2k_testkit::cheating::{CHEATER, P, honest, play, reason};

/// Runs [`play`] in session `sid` on the cluster; returns the honest parties' results.
async fn run_with_hook<H>(
    cluster: &Cluster,
    sid: &str,
    hook: H,
) -> Vec<(usize, Result<Vec<u128>, EngineError>)>
where
    H: Fn(Phase, usize, &mut WireMsg<P>) + Send + Sync + Clone + 'static,
{
    let results = cluster
        .run::<P, _, _, _>(sid, 42, SessionOptions::default(), move |me, s| {
            play(me, s, hook.clone())
        })
        .await;
    honest(results)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn honest_runs_release_the_product_over_tls() {
    for n in [2, 3] {
        let cluster = Cluster::start(n, TIMEOUT).await;
        let results = run_with_hook(&cluster, &format!("honest-n{n}"), |_, _, _| {}).await;
        assert_eq!(results.len(), n - 1);
        for (i, r) in results {
            let got = r.unwrap_or_else(|e| panic!("n={n} party {i}: {e}"));
            let expect: i128 = (2..2 + n as i128).product();
            assert_eq!(P::to_signed(got[0]), expect);
            assert_eq!(P::to_signed(got[1]), (-3i128).pow(n as u32));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_altered_opening_share_is_caught_over_tls() {
    for n in [2, 3] {
        let cluster = Cluster::start(n, TIMEOUT).await;
        for phase in [Phase::BeaverOpening, Phase::MaskedOpening] {
            let sid = format!("opening-{n}-{}", phase == Phase::BeaverOpening);
            let results = run_with_hook(&cluster, &sid, move |ph, _, m| {
                if ph == phase
                    && let WireMsg::Opening(v) = m
                {
                    v[1] = P::add(v[1], 1 << 9);
                }
            })
            .await;
            for (i, r) in &results {
                // With three parties the cheater's transcript (what it meant to send)
                // differs from the honest ones too; either way it is a typed abort.
                let caught = match reason(r) {
                    AbortReason::MacCheckFailed { .. } => true,
                    AbortReason::TranscriptMismatch { party } => n > 2 && *party == CHEATER,
                    _ => false,
                };
                assert!(caught, "n={n} {phase} party {i}: {r:?}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_altered_z_is_caught_over_tls() {
    for n in [2, 3] {
        let cluster = Cluster::start(n, TIMEOUT).await;
        let results = run_with_hook(&cluster, &format!("z-n{n}"), |ph, _, m| {
            if ph == Phase::ZOpen
                && let WireMsg::ZOpen { z, .. } = m
            {
                *z = P::add(*z, 1);
            }
        })
        .await;
        for (i, r) in &results {
            assert!(
                matches!(
                    reason(r),
                    AbortReason::CommitmentMismatch {
                        party: CHEATER,
                        what: "MAC check"
                    }
                ),
                "n={n} party {i}: {r:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_altered_coin_seed_is_caught_over_tls() {
    for n in [2, 3] {
        let cluster = Cluster::start(n, TIMEOUT).await;
        let results = run_with_hook(&cluster, &format!("coin-n{n}"), |ph, _, m| {
            if ph == Phase::CoinOpen
                && let WireMsg::CoinOpen { seed, .. } = m
            {
                seed[0] ^= 0x80;
            }
        })
        .await;
        for (i, r) in &results {
            assert!(
                matches!(
                    reason(r),
                    AbortReason::CommitmentMismatch {
                        party: CHEATER,
                        what: "coin seed"
                    }
                ),
                "n={n} party {i}: {r:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_input_sent_differently_to_two_parties_is_caught_over_tls() {
    let cluster = Cluster::start(3, TIMEOUT).await;
    // The cheater owns an input and sends party 2 a different x - r than party 0.
    let results = run_with_hook(&cluster, "equivocation", |ph, to, m| {
        if ph == Phase::Input
            && to == 2
            && let WireMsg::Input(v) = m
        {
            v[0] = P::add(v[0], 1);
        }
    })
    .await;
    assert_eq!(results.len(), 2);
    for (i, r) in &results {
        let other_honest = 2 - i;
        assert!(
            matches!(reason(r), AbortReason::TranscriptMismatch { party } if *party == CHEATER || *party == other_honest),
            "party {i}: {r:?}"
        );
    }
    // The nodes survive a cheater: a fresh session on the same connections runs honestly.
    let again = run_with_hook(&cluster, "after-equivocation", |_, _, _| {}).await;
    for (i, r) in again {
        let got = r.unwrap_or_else(|e| panic!("party {i}: {e}"));
        assert_eq!(P::to_signed(got[0]), 2 * 3 * 4);
    }
}

// ---------------------------------------------------------------------------------------
// Many sessions at once on the same nodes.

const SESSIONS: usize = 100;
const LANES: usize = 8;

/// Session `i`: party 0 inputs x, party 1 inputs y (both depending on i);
/// the result is x^(1 + i % 4) * y + i, so sessions differ in values and in rounds.
fn session_inputs(i: usize) -> (Vec<u128>, Vec<u128>) {
    let x = (0..LANES)
        .map(|j| P::from_i128(1000 * i as i128 + j as i128 + 1))
        .collect();
    let y = (0..LANES)
        .map(|j| P::from_i128(i as i128 - 7 * j as i128 - 50))
        .collect();
    (x, y)
}

fn session_expected(i: usize) -> Vec<u128> {
    let (x, y) = session_inputs(i);
    x.iter()
        .zip(&y)
        .map(|(&a, &b)| {
            let mut z = a;
            for _ in 0..i % 4 {
                z = P::mul(z, a);
            }
            P::reduce_k(P::add(P::mul(z, b), P::from_u128(i as u128)))
        })
        .collect()
}

async fn session_compute(
    i: usize,
    me: usize,
    mut s: TlsTestSession<P>,
) -> Result<(Vec<u128>, SessionReport), EngineError> {
    let (x, y) = session_inputs(i);
    let x = s.input(0, (me == 0).then_some(&x[..]), LANES).await?;
    let y = s.input(1, (me == 1).then_some(&y[..]), LANES).await?;
    let mut z = x.clone();
    for _ in 0..i % 4 {
        z = s.mul(&z, &x).await?;
    }
    let w = s.mul(&z, &y).await?;
    let w = s.add_public(&w, &[P::from_u128(i as u128); LANES])?;
    let out = s.open(&w).await?;
    Ok((out, s.finish().await?))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_sessions_on_one_node_pair_are_correct_and_independent() {
    let cluster = Cluster::start(2, TIMEOUT).await;
    let mut tasks = JoinSet::new();
    for i in 0..SESSIONS {
        for (me, node) in cluster.nodes.iter().enumerate() {
            let node = node.clone();
            tasks.spawn(async move {
                let spec = SessionSpec::new(
                    SessionId::new(format!("concurrent-{i}")).unwrap(),
                    P::id(),
                    2,
                    "concurrent",
                );
                let transport = node.open_session(spec).await.unwrap();
                // Independent preprocessing per session, as separate deployments would have.
                let mut seed = [0xc0; 32];
                seed[0] = i as u8;
                let prep = InsecureDealerSource::<P>::new(me, 2, seed).unwrap();
                let s = Session::new(transport, prep, SessionOptions::default()).unwrap();
                (i, me, session_compute(i, me, s).await)
            });
        }
    }
    type Outcome = Option<(Vec<u128>, SessionReport)>;
    let mut results: Vec<[Outcome; 2]> = (0..SESSIONS).map(|_| [None, None]).collect();
    while let Some(joined) = tasks.join_next().await {
        let (i, me, r) = joined.expect("session task did not panic");
        let r = r.unwrap_or_else(|e| panic!("session {i} party {me}: {e}"));
        results[i][me] = Some(r);
    }
    let rounds_base = results[0][0].as_ref().unwrap().1.rounds;
    for (i, parties) in results.iter().enumerate() {
        let expect = session_expected(i);
        for (me, r) in parties.iter().enumerate() {
            let (out, report) = r.as_ref().unwrap();
            assert_eq!(out, &expect, "session {i} party {me}");
            // Each session counted only its own rounds: one more per extra multiplication.
            assert_eq!(
                report.rounds,
                rounds_base + (i % 4) as u64,
                "session {i} party {me}: {report:?}"
            );
        }
    }
}
