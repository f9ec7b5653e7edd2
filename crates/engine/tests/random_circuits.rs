//! Correctness against plaintext evaluation mod 2^k on random circuits (depth >= 10 in
//! multiplications, width >= 100), mixing inputs from every party, constants, additions and
//! multiplications, for n = 2, 3, 5 and every parameter set.

mod common;

use common::{TestSession, run_parties};
use rand::{RngExt, SeedableRng, rngs::ChaCha20Rng};
use spdz2k_engine::{EngineError, Secret, SessionOptions};
use spdz2k_ring::{K32S32, K64S64, K66S48, K128S64, Params};

#[derive(Clone, Debug)]
enum Op<W> {
    Input(usize),
    Const(Vec<W>),
    Add(usize, usize),
    Sub(usize, usize),
    Mul(usize, usize),
    AddConst(usize, Vec<W>),
    MulConst(usize, Vec<W>),
    Neg(usize),
}

struct Circuit<P: Params> {
    ops: Vec<Op<P::Word>>,
    /// Every party's input vector (party i's own entry is what it inputs).
    inputs: Vec<Vec<P::Word>>,
    /// Wires opened at the end.
    outputs: Vec<usize>,
    /// Two wires whose dot product is opened at the end.
    dot: (usize, usize),
}

fn random_circuit<P: Params>(n: usize, width: usize, mul_depth: usize, seed: u64) -> Circuit<P> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let vec = |rng: &mut ChaCha20Rng| (0..width).map(|_| P::random(rng)).collect::<Vec<_>>();
    let inputs: Vec<_> = (0..n).map(|_| vec(&mut rng)).collect();
    let mut ops: Vec<Op<P::Word>> = (0..n).map(Op::Input).collect();
    ops.push(Op::Const(vec(&mut rng)));
    for _ in 0..mul_depth {
        // The deepest wire times a random earlier wire: multiplicative depth grows by one.
        let last = ops.len() - 1;
        let other = rng.random_range(0..ops.len());
        ops.push(Op::Mul(last, other));
        for _ in 0..2 {
            let (a, b) = (
                rng.random_range(0..ops.len()),
                rng.random_range(0..ops.len()),
            );
            let op = match rng.random_range(0..6) {
                0 => Op::Add(a, b),
                1 => Op::Sub(a, b),
                2 => Op::AddConst(a, vec(&mut rng)),
                3 => Op::MulConst(a, vec(&mut rng)),
                4 => Op::Neg(a),
                _ => Op::Mul(a, b),
            };
            ops.push(op);
        }
        // Keep the deepest wire last.
        let deepest = ops.len() - 3;
        let c = rng.random_range(0..ops.len());
        ops.push(Op::Add(deepest, c));
    }
    let len = ops.len();
    Circuit {
        ops,
        inputs,
        outputs: vec![len - 1, len - 2, len / 2],
        dot: (len - 1, len / 3),
    }
}

fn plaintext<P: Params>(c: &Circuit<P>) -> (Vec<Vec<P::Word>>, P::Word) {
    let mut wires: Vec<Vec<P::Word>> = Vec::new();
    let zip = |a: &[P::Word], b: &[P::Word], f: fn(P::Word, P::Word) -> P::Word| {
        a.iter().zip(b).map(|(&x, &y)| f(x, y)).collect::<Vec<_>>()
    };
    for op in &c.ops {
        let w = match op {
            Op::Input(p) => c.inputs[*p].clone(),
            Op::Const(v) => v.clone(),
            Op::Add(a, b) => zip(&wires[*a], &wires[*b], P::add),
            Op::Sub(a, b) => zip(&wires[*a], &wires[*b], P::sub),
            Op::Mul(a, b) => zip(&wires[*a], &wires[*b], P::mul),
            Op::AddConst(a, v) => zip(&wires[*a], v, P::add),
            Op::MulConst(a, v) => zip(&wires[*a], v, P::mul),
            Op::Neg(a) => wires[*a].iter().map(|&x| P::neg(x)).collect(),
        };
        wires.push(w);
    }
    let outs = c
        .outputs
        .iter()
        .map(|&o| wires[o].iter().map(|&x| P::reduce_k(x)).collect())
        .collect();
    let dot = zip(&wires[c.dot.0], &wires[c.dot.1], P::mul)
        .into_iter()
        .fold(P::from_u128(0), P::add);
    (outs, P::reduce_k(dot))
}

async fn evaluate<P: Params>(
    me: usize,
    mut s: TestSession<P>,
    c: std::sync::Arc<Circuit<P>>,
) -> Result<(Vec<Vec<P::Word>>, P::Word, spdz2k_engine::SessionReport), EngineError> {
    let width = c.inputs[0].len();
    let mut wires: Vec<Secret<P>> = Vec::new();
    for op in &c.ops {
        let w = match op {
            Op::Input(p) => {
                let mine = (*p == me).then(|| c.inputs[me].as_slice());
                s.input(*p, mine, width).await?
            }
            Op::Const(v) => s.constant(v),
            Op::Add(a, b) => s.add(&wires[*a], &wires[*b])?,
            Op::Sub(a, b) => s.sub(&wires[*a], &wires[*b])?,
            Op::Mul(a, b) => {
                let (x, y) = (wires[*a].clone(), wires[*b].clone());
                s.mul(&x, &y).await?
            }
            Op::AddConst(a, v) => s.add_public(&wires[*a], v)?,
            Op::MulConst(a, v) => s.mul_public(&wires[*a], v)?,
            Op::Neg(a) => s.neg(&wires[*a]),
        };
        wires.push(w);
    }
    let mut outs = Vec::new();
    for &o in &c.outputs {
        outs.push(s.open(&wires[o]).await?);
    }
    let d = s.dot(&wires[c.dot.0], &wires[c.dot.1]).await?;
    let dot = s.open(&d).await?[0];
    let report = s.finish().await?;
    Ok((outs, dot, report))
}

async fn check_random_circuit<P: Params>(n: usize, seed: u64, options: SessionOptions) {
    let c = std::sync::Arc::new(random_circuit::<P>(n, 100, 11, seed));
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
