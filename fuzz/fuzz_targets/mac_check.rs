//! The MAC check state machine (crates/core `mac_check`) of party 0, fed the peers' messages
//! of each round as the fuzzer chooses: honest, missing, replaced, bit-flipped, truncated or
//! extended (through `WireMsg::decode`, as the engine does). Every outcome is a typed
//! `AbortReason`, never a panic; and party 0 accepts exactly when every message it got was
//! the honest one (a changed commitment, seed, z or transcript is always caught).
#![no_main]
mod common;

use common::{Script, tamper};
use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use spdz2k_core::{
    AbortReason, CommitContext, MacKeyShare, PendingLog, SessionId, WireMsg, start_mac_check,
};
use spdz2k_ring::{K64S64, Params};

type P = K64S64;
type Msgs = Vec<Option<WireMsg<P>>>;

/// Authentic logs for `n` parties: `m` opened values with MAC shares under one key.
fn logs(n: usize, m: usize, rng: &mut ChaCha20Rng) -> (Vec<MacKeyShare<P>>, Vec<PendingLog<P>>) {
    let alphas: Vec<_> = (0..n).map(|_| P::random_s(rng)).collect();
    let alpha = alphas.iter().fold(0, |a, &b| P::add(a, b));
    let mut logs: Vec<PendingLog<P>> = (0..n).map(|_| PendingLog::new()).collect();
    for _ in 0..m {
        let x = P::random(rng);
        let mac = P::mul(alpha, x);
        let mut rest = mac;
        for (i, log) in logs.iter_mut().enumerate() {
            let share = if i + 1 == n { rest } else { P::random(rng) };
            rest = P::sub(rest, share);
            log.push(&[x], &[share]);
        }
    }
    (alphas.into_iter().map(MacKeyShare::new).collect(), logs)
}

/// What party 0 receives in one round: the adversary acts on every peer's message.
fn deliver(script: &mut Script<'_>, honest: &Msgs, tampered: &mut bool) -> Msgs {
    let mut out: Msgs = honest
        .iter()
        .enumerate()
        .map(|(p, m)| {
            let m = m.as_ref()?;
            if p == 0 {
                return Some(m.clone());
            }
            let got = tamper(script, &m.encode()).and_then(|b| WireMsg::<P>::decode(&b).ok());
            if got.as_ref() != Some(m) {
                *tampered = true;
            }
            got
        })
        .collect();
    if script.byte() == 0xff {
        // A short vector: the last peer's message is missing altogether.
        out.pop();
        *tampered = true;
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let mut script = Script::new(data);
    let n = 2 + (script.byte() % 3) as usize;
    let m = (script.byte() % 8) as usize;
    let mut rng = ChaCha20Rng::from_seed([script.byte(); 32]);
    let (keys, logs) = logs(n, m, &mut rng);
    let session = SessionId::new("fuzz").expect("valid session");
    let ctx = CommitContext::new(&session, 0);

    let mut states = Vec::new();
    let mut msgs: Msgs = Vec::new();
    for (i, (key, log)) in keys.into_iter().zip(logs).enumerate() {
        let (s, msg) = start_mac_check(i, n, key, log, [0; 32], ctx.clone(), &mut rng);
        states.push(s);
        msgs.push(Some(msg));
    }
    let mut tampered = false;
    let verdict = (|| -> Result<usize, AbortReason> {
        // Peers always see honest messages; only party 0's inbox is attacked.
        let mut next = Vec::new();
        let mut out: Msgs = Vec::new();
        for (i, s) in states.into_iter().enumerate() {
            let inbox = if i == 0 {
                deliver(&mut script, &msgs, &mut tampered)
            } else {
                msgs.clone()
            };
            let (s, msg) = s.receive(&inbox)?;
            next.push(s);
            out.push(Some(msg));
        }
        let msgs = out;
        let (mut next2, mut out) = (Vec::new(), Vec::new());
        for (i, s) in next.into_iter().enumerate() {
            let inbox = if i == 0 {
                deliver(&mut script, &msgs, &mut tampered)
            } else {
                msgs.clone()
            };
            let (s, msg) = s.receive(&inbox)?;
            next2.push(s);
            out.push(Some(msg));
        }
        let msgs = out;
        let (mut next3, mut out) = (Vec::new(), Vec::new());
        for (i, s) in next2.into_iter().enumerate() {
            let inbox = if i == 0 {
                deliver(&mut script, &msgs, &mut tampered)
            } else {
                msgs.clone()
            };
            let (s, msg) = s.receive(&inbox)?;
            next3.push(s);
            out.push(Some(msg));
        }
        let msgs = out;
        let mut verdict = Ok(0);
        for (i, s) in next3.into_iter().enumerate() {
            let inbox = if i == 0 {
                deliver(&mut script, &msgs, &mut tampered)
            } else {
                msgs.clone()
            };
            let v = s.receive(&inbox);
            if i == 0 {
                verdict = v;
            } else {
                assert_eq!(v, Ok(m), "an honest peer refused an honest check");
            }
        }
        verdict
    })();
    match verdict {
        Ok(checked) => {
            assert!(!tampered, "party 0 accepted a tampered MAC check");
            assert_eq!(checked, m);
        }
        Err(e) => {
            assert!(tampered, "an honest MAC check failed: {e}");
            // Every abort names a cause that formats (no panic in Display).
            let _ = e.to_string();
        }
    }
});
