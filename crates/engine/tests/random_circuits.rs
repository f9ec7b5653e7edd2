//! Correctness against plaintext evaluation mod 2^k on random circuits (depth >= 10 in
//! multiplications, width >= 100), mixing inputs from every party, constants, additions and
//! multiplications, for n = 2, 3, 5 and every parameter set.

use spdz2k_engine::SessionOptions;
use spdz2k_ring::{K32S32, K64S64, K66S48, K128S64, Params};
use spdz2k_testkit::circuit::{MUL_DEPTH, WIDTH, evaluate, plaintext, random_circuit};
use spdz2k_testkit::run_parties;

async fn check_random_circuit<P: Params>(n: usize, seed: u64, options: SessionOptions) {
    let c = std::sync::Arc::new(random_circuit::<P>(n, WIDTH, MUL_DEPTH, seed));
    let (expect_outs, expect_dot) = plaintext(&c);
    let results =
        run_parties::<P, _, _, _>(n, seed as u8, options, |me, s| evaluate(me, s, c.clone())).await;
    for (i, r) in results.into_iter().enumerate() {
        let (outs, dot, report) = r.unwrap_or_else(|e| panic!("{} n={n} party {i}: {e}", P::NAME));
        assert_eq!(
            outs,
            expect_outs,
            "{} n={n} party {i}: opened outputs differ",
            P::NAME
        );
        assert_eq!(
            dot,
            expect_dot,
            "{} n={n} party {i}: dot product differs",
            P::NAME
        );
        assert!(
            report.checks >= 1 && report.values_checked > 0,
            "{report:?}"
        );
    }
}

macro_rules! circuits {
    ($($name:ident: $p:ty),*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            for (n, seed) in [(2, 11), (3, 12), (5, 13)] {
                check_random_circuit::<$p>(n, seed, SessionOptions::default()).await;
            }
        }
    )*};
}

circuits!(k32s32: K32S32, k64s64: K64S64, k66s48: K66S48, k128s64: K128S64);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_check_bound_forces_intermediate_checks() {
    // 100-wide multiplications open 200 values; a bound of 150 checks after each of them.
    check_random_circuit::<K64S64>(3, 21, SessionOptions { check_bound: 150 }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_output_reaches_only_its_party() {
    let results =
        run_parties::<K64S64, _, _, _>(3, 5, SessionOptions::default(), |me, mut s| async move {
            let x = s
                .input(
                    1,
                    (me == 1).then_some(&[K64S64::from_i128(-17), K64S64::from_i128(4)][..]),
                    2,
                )
                .await?;
            let y = s.mul(&x, &x).await?;
            let out = s.output_to(2, &y).await?;
            s.finish().await?;
            Ok(out)
        })
        .await;
    let outs: Vec<_> = results
        .into_iter()
        .map(|r| r.expect("honest run"))
        .collect();
    assert_eq!(outs[0], None);
    assert_eq!(outs[1], None);
    let got = outs[2]
        .as_ref()
        .expect("party 2 receives")
        .iter()
        .map(|&w| K64S64::to_signed(w))
        .collect::<Vec<_>>();
    assert_eq!(got, vec![289, 16]);
}
