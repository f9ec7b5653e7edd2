//! One cheating party through the engine's tamper hook, shared by the in-memory tamper
//! suites (`crates/engine/tests`) and the loopback TLS suite (`tests/online_tls.rs`): run
//! [`play`] for every party, then check the honest ones with [`honest`] and [`reason`].

use spdz2k_core::{AbortReason, WireMsg};
use spdz2k_engine::{EngineError, Phase, Secret, Session};
use spdz2k_net::Transport;
use spdz2k_prep::Preprocessing;
use spdz2k_ring::{K64S64, Params};

/// The parameter set of the tamper suites.
pub type P = K64S64;
/// The party that cheats.
pub const CHEATER: usize = 1;

/// A small computation ending in an opening: inputs from every party, one multiplication
/// per further party.
pub async fn compute<T: Transport, Pr: Preprocessing<P>>(
    me: usize,
    s: &mut Session<P, T, Pr>,
) -> Result<Vec<u128>, EngineError> {
    let n = s.n_parties();
    let mut acc: Option<Secret<P>> = None;
    for owner in 0..n {
        let v = [P::from_i128(owner as i128 + 2), P::from_i128(-3)];
        let x = s.input(owner, (owner == me).then_some(&v[..]), 2).await?;
        acc = Some(match acc {
            None => x,
            Some(a) => s.mul(&a, &x).await?,
        });
    }
    s.open(&acc.expect("at least two parties")).await
}

/// One party of a tamper run: CHEATER tampers through `hook`; every party runs
/// [`compute`]. An honest party that failed must then refuse further work.
pub async fn play<T, Pr, H>(
    me: usize,
    mut s: Session<P, T, Pr>,
    hook: H,
) -> Result<Vec<u128>, EngineError>
where
    T: Transport,
    Pr: Preprocessing<P>,
    H: Fn(Phase, usize, &mut WireMsg<P>) + Send + 'static,
{
    if me == CHEATER {
        s.set_tamper_hook(move |ph: Phase, to: usize, m: &mut WireMsg<P>| hook(ph, to, m));
    }
    let out = compute(me, &mut s).await;
    if out.is_err() && me != CHEATER {
        let again = s.check().await;
        assert!(
            matches!(again, Err(EngineError::SessionFailed { .. })),
            "an aborted session must refuse further work: {again:?}"
        );
    }
    out
}

/// The honest parties' results, by index.
pub fn honest(
    results: Vec<Result<Vec<u128>, EngineError>>,
) -> Vec<(usize, Result<Vec<u128>, EngineError>)> {
    results
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i != CHEATER)
        .collect()
}

/// The abort reason of a run that must have aborted (and so released no value).
pub fn reason(r: &Result<Vec<u128>, EngineError>) -> &AbortReason {
    match r {
        Err(EngineError::Aborted { reason, .. }) => reason,
        other => panic!("expected a typed abort and no value, got {other:?}"),
    }
}
