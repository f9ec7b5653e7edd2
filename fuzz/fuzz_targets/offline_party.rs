//! The offline phase's sans-IO state machines (crates/offline: key-set setup, then batches of
//! triples, randoms or input masks, flight by flight) for 2 or 3 parties over the ideal test
//! OT, with every message *to party 0* attacked as the fuzzer chooses. Every failure is a
//! typed `OfflineError`; a retired key set refuses further batches; with every message
//! honest, every party finishes; and whenever every party finishes, the material is correct
//! (c = a b, every MAC share consistent with the global key, input masks as the owner holds
//! them) — a tampered message is either caught or harmless.
#![no_main]
mod common;

use common::{Script, tamper};
use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use spdz2k_core::{AuthShares, SessionId, macs_consistent, reconstruct};
use spdz2k_offline::ot::InsecureIdealOt;
use spdz2k_offline::{Batch, BatchKind, KeySet, KeySetup, Material, PeerMessages, Progress};
use spdz2k_ring::{K32S32, Params};

type P = K32S32;
type Keys = KeySet<P, InsecureIdealOt>;

/// Party `to`'s inbox from everyone's outboxes (`outs[p][to]`); party 0's is attacked.
fn inbox(
    script: &mut Script<'_>,
    outs: &[PeerMessages],
    to: usize,
    tampered: &mut bool,
) -> PeerMessages {
    outs.iter()
        .map(|out| {
            let msg = out.get(to).cloned().flatten()?;
            if to != 0 {
                return Some(msg);
            }
            let got = tamper(script, &msg);
            *tampered |= got.as_ref() != Some(&msg);
            got
        })
        .collect()
}

fn setup(script: &mut Script<'_>, n: usize, tampered: &mut bool) -> Option<Vec<Keys>> {
    let session = SessionId::new("fuzz").expect("valid session");
    let seed = script.byte();
    let mut states = Vec::new();
    let mut outs = Vec::new();
    for i in 0..n {
        let rng = ChaCha20Rng::from_seed([seed ^ i as u8; 32]);
        let (s, out) = KeySetup::start(i, n, session.clone(), rng).expect("valid setup");
        states.push(s);
        outs.push(out);
    }
    let mut next = Vec::new();
    for (i, s) in states.iter_mut().enumerate() {
        let msgs = inbox(script, &outs, i, tampered);
        match s.receive_commitments(&msgs) {
            Ok(out) => next.push(out),
            Err(e) => return fail(*tampered, e),
        }
    }
    let mut keys = Vec::new();
    for (i, s) in states.into_iter().enumerate() {
        let msgs = inbox(script, &next, i, tampered);
        match s.finish::<P, _, _>(&msgs, InsecureIdealOt::new(i, [7; 32])) {
            Ok(k) => keys.push(k),
            Err(e) => return fail(*tampered, e),
        }
    }
    Some(keys)
}

fn fail<T>(tampered: bool, e: spdz2k_offline::OfflineError) -> Option<T> {
    assert!(tampered, "honest offline step failed: {e}");
    let _ = e.to_string();
    None
}

fn alpha(keys: &[Keys]) -> u64 {
    keys.iter()
        .fold(0, |a, k| P::add(a, k.mac_key_share().expose()))
}

fn check(material: Vec<Material<P>>, alpha: u64) {
    let mut triples = [Vec::new(), Vec::new(), Vec::new()];
    let mut values: Vec<AuthShares<P>> = Vec::new();
    let mut clear = None;
    for m in material {
        match m {
            Material::Triples(t) => {
                triples[0].push(t.a);
                triples[1].push(t.b);
                triples[2].push(t.c);
            }
            Material::Randoms(r) => values.push(r),
            Material::InputMasks { masks, .. } => {
                if masks.clear.is_some() {
                    clear = masks.clear.clone();
                }
                values.push(masks.shares);
            }
        }
    }
    if !triples[0].is_empty() {
        let [a, b, c] = triples.each_ref().map(|s| reconstruct(s));
        for s in &triples {
            assert!(macs_consistent(s, alpha), "triple MACs inconsistent");
        }
        for j in 0..a.len() {
            assert_eq!(P::mul(a[j], b[j]), c[j], "triple {j}: c != a b");
        }
    }
    if !values.is_empty() {
        assert!(macs_consistent(&values, alpha), "value MACs inconsistent");
        if let Some(clear) = clear {
            assert_eq!(
                reconstruct(&values),
                clear,
                "input masks differ from the owner's"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut script = Script::new(data);
    let n = 2 + (script.byte() % 2) as usize;
    let mut tampered = false;
    let Some(mut keys) = setup(&mut script, n, &mut tampered) else {
        return;
    };
    let alpha = alpha(&keys);
    for _ in 0..2 {
        let count = 1 + (script.byte() % 3) as usize;
        let kind = match script.byte() % 3 {
            0 => BatchKind::Triples(count),
            1 => BatchKind::Randoms(count),
            _ => BatchKind::InputMasks {
                owner: (script.byte() as usize) % (n + 1),
                count,
            },
        };
        let mut batches = Vec::new();
        let mut outs = Vec::new();
        for k in keys.iter_mut() {
            match Batch::start(k, kind) {
                Ok((b, f)) => {
                    batches.push(Some(b));
                    outs.push(f.msgs);
                }
                Err(e) => {
                    assert!(
                        matches!(kind, BatchKind::InputMasks { owner, .. } if owner >= n),
                        "start failed: {e}"
                    );
                    return;
                }
            }
        }
        let mut done: Vec<Option<Material<P>>> = (0..n).map(|_| None).collect();
        // Every flight: every party still running takes its inbox.
        while batches.iter().any(Option::is_some) {
            let mut next_outs = vec![Vec::new(); n];
            for i in 0..n {
                let Some(b) = batches[i].take() else { continue };
                let msgs = inbox(&mut script, &outs, i, &mut tampered);
                match b.receive(&mut keys[i], msgs) {
                    Ok(Progress::Send(b, f)) => {
                        batches[i] = Some(b);
                        next_outs[i] = f.msgs;
                    }
                    Ok(Progress::Done(m)) => done[i] = Some(m),
                    Err(e) => {
                        assert!(tampered, "honest batch failed at party {i}: {e}");
                        let _ = e.to_string();
                        if keys[i].retired().is_some() {
                            assert!(
                                Batch::start(&mut keys[i], kind).is_err(),
                                "a retired key set started a batch"
                            );
                        }
                        return;
                    }
                }
            }
            outs = next_outs;
        }
        assert!(
            done.iter().all(Option::is_some),
            "parties finished in different flights"
        );
        check(done.into_iter().flatten().collect(), alpha);
    }
});
